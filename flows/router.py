"""What an owner's message means where they stand: a word understood everywhere, or an answer.

An officer's words ("umumkan", "laporan", "masuk") mean something only from an active officer; from anyone
else they are ordinary text, answered as they always were.
"""

import re
from collections.abc import Callable

from domain.msgid import N_
from domain.text import clean
from flows.announce import Announce, answer_announcements, show_reports
from flows.engine import MENU, Flow, Turn, leave_flow
from flows.identity import recognise
from flows.login import send_login_link
from flows.menu import (
    assessment,
    choose,
    correction,
    erasure,
    general_help,
    programmes,
    registration,
    show_menu,
    switch_language,
)
from flows.messages import CONTACT, EDITED, LOCATION, OLD_BUTTON, PHONE, STICKER, TOO_LONG, VOICE, Reply
from flows.parsing import display_phone
from flows.profile import show_profile

announcing = Announce()
FLOWS: dict[str, Flow] = {flow.name: flow for flow in (registration, correction, erasure, assessment, programmes,
                                                       announcing)}
MAX_TEXT = 1000  # longer messages are not answers to any question we ask
_TOO_LONG = N_("That message is too long for me. Please answer briefly.")

Handler = Callable[[Turn, Flow | None], list[Reply]]


def respond(turn: Turn) -> list[Reply]:
    """The replies to one inbound message; the turn's state is left where the owner now stands."""
    welcome = recognise(turn)
    replies = _answer(turn, _current_flow(turn))
    return [welcome, *replies] if welcome is not None else replies


def _current_flow(turn: Turn) -> Flow | None:
    flow = FLOWS.get(turn.state.flow)
    if flow is announcing and turn.officer is None:
        leave_flow(turn, announcing.name)  # no longer an officer: what they were writing cannot be sent
        return None
    return flow


# Why a message that is not an answer gets none, by what came instead of text.
_NOT_AN_ANSWER = {
    VOICE: N_("I cannot listen to voice notes yet; please type your answer."),
    LOCATION: N_("Thank you for the location, but I need the answer typed as text."),
    STICKER: N_("Nice sticker! I can only read text, though."),
    OLD_BUTTON: N_("That button belongs to an earlier message."),
    TOO_LONG: _TOO_LONG,
    EDITED: N_("You changed an earlier message; I keep answers as they were first sent. To change an answer, "
               "type \"kembali\" or, after saving, \"ubah data\"."),
}


def _answer(turn: Turn, flow: Flow | None) -> list[Reply]:
    text = clean(turn.inbound.text)
    attachment = turn.inbound.attachment
    if attachment in _NOT_AN_ANSWER or (attachment and not text):
        reason = _NOT_AN_ANSWER.get(attachment, N_("I can only read text messages for now."))
        return [Reply(turn.text(reason)), _where_you_are(turn, flow)]
    if not text:
        return [Reply(turn.text(N_("I did not receive any text."))), _where_you_are(turn, flow)]
    if attachment == CONTACT and _where_you_are(turn, flow).expects != PHONE:
        # A number shared where none is asked: it was for recognising a registered owner.
        noted = [] if turn.state.owner_id is not None else [
            Reply(turn.text(N_("Thank you. No registration uses %(phone)s yet."), phone=display_phone(text)))]
        return [*noted, _where_you_are(turn, flow)]
    if len(text) > MAX_TEXT:
        return [Reply(turn.text(_TOO_LONG)), _where_you_are(turn, flow)]
    word = _as_word(text)
    handler = _GLOBAL_WORDS.get(word) or _officer_word(turn, word) or (_at_menu(word) if flow is None else None)
    if handler is not None:
        replies = handler(turn, flow)
    elif flow is None:
        replies = choose(turn, text)
    else:
        replies = flow.answer(turn, text)
    if turn.state.flow == MENU and (not replies or not replies[-1].choices):
        replies.append(show_menu(turn))  # back at the menu with nothing to pick: show what comes next
    return replies


# Said before what people want: "saya mau daftar" is "daftar".
_WANTING_WORDS = frozenset({"saya", "sy", "aku", "mau", "ingin", "pengen", "pingin", "mo", "tolong", "minta"})


def _as_word(text: str) -> str:
    words = text.casefold().strip(" .!?").split()
    while len(words) > 1 and words[0] in _WANTING_WORDS:
        words.pop(0)
    return " ".join(words)


def _where_you_are(turn: Turn, flow: Flow | None) -> Reply:
    return flow.ask(turn) if flow is not None else show_menu(turn)


def _menu(turn: Turn, _flow: Flow | None) -> list[Reply]:
    return [show_menu(turn)]


def _back(turn: Turn, flow: Flow | None) -> list[Reply]:
    if flow is None:
        return [Reply(turn.text(N_("You are at the main menu."))), show_menu(turn)]
    return flow.go_back(turn)


def _cancel(turn: Turn, flow: Flow | None) -> list[Reply]:
    if flow is None and turn.has_answers(registration.name):
        registration.start(turn)  # the paused registration is what there is to cancel
        return registration.cancel(turn)
    if flow is None:
        return [Reply(turn.text(N_("There is nothing to cancel."))), show_menu(turn)]
    return flow.cancel(turn)


def _help(turn: Turn, flow: Flow | None) -> list[Reply]:
    if flow is None:
        return [general_help(turn), show_menu(turn)]
    return flow.help(turn)


def _greeting(turn: Turn, flow: Flow | None) -> list[Reply]:
    if flow is None:
        return [Reply(turn.text(N_("Hello! Welcome to TABE, the UMKM service of Kalimantan Tengah."))), show_menu(turn)]
    return [Reply(turn.text(N_("Welcome back! Let's carry on where you left off."))), flow.ask(turn)]


def _my_data(turn: Turn, flow: Flow | None) -> list[Reply]:
    return [show_profile(turn), _where_you_are(turn, flow)]


def _erase(turn: Turn, _flow: Flow | None) -> list[Reply]:
    if turn.state.owner_id is None and not any(turn.state.answers.values()):
        return [Reply(turn.text(N_("We hold no data about you."))), show_menu(turn)]
    return erasure.start(turn)


def _announcements(receive: bool) -> Handler:
    def handler(turn: Turn, flow: Flow | None) -> list[Reply]:
        return [answer_announcements(turn, receive=receive), _where_you_are(turn, flow)]
    return handler


def _announce(turn: Turn, _flow: Flow | None) -> list[Reply]:
    return announcing.start(turn)


def _report(number: int | None) -> Handler:
    def handler(turn: Turn, flow: Flow | None) -> list[Reply]:
        return [show_reports(turn, number), _where_you_are(turn, flow)]
    return handler


def _log_in(turn: Turn, flow: Flow | None) -> list[Reply]:
    return [send_login_link(turn), _where_you_are(turn, flow)]


def _officer_word(turn: Turn, word: str) -> Handler | None:
    """An officer's word, when an active officer says it; the officer is looked up only for such words."""
    report_of = _REPORT_OF.fullmatch(word)
    handler = _OFFICER_WORDS.get(word) or (_report(int(report_of[1])) if report_of else None)
    return handler if handler is not None and turn.officer is not None else None


def _register(turn: Turn, _flow: Flow | None) -> list[Reply]:
    return registration.start(turn)


def _correct(turn: Turn, _flow: Flow | None) -> list[Reply]:
    return correction.start(turn)


def _assess(turn: Turn, _flow: Flow | None) -> list[Reply]:
    return assessment.start(turn)


def _programmes(turn: Turn, _flow: Flow | None) -> list[Reply]:
    return programmes.start(turn)


def _schedule(turn: Turn, _flow: Flow | None) -> list[Reply]:
    return programmes.start_schedule(turn)


def _at_menu(word: str) -> Handler | None:
    """At the menu, a longer greeting ("halo kak") greets, and any wish to register registers."""
    words = word.split()
    if any(word.startswith("daftar") or word == "mendaftar" for word in words):
        return _register
    if words and words[0] in _GREETING_STARTS and len(words) <= 4:
        return _greeting
    return None


_GREETING_STARTS = frozenset({"halo", "hallo", "helo", "hai", "hi", "hello", "assalamualaikum", "assalamu'alaikum",
                              "pagi", "siang", "sore", "malam", "selamat", "permisi", "punten", "salam", "tabe"})


def _language(language: str) -> Handler:
    def handler(turn: Turn, flow: Flow | None) -> list[Reply]:
        return [*switch_language(turn, language), _where_you_are(turn, flow)]
    return handler


def _words(handler: Handler, *words: str) -> dict[str, Handler]:
    return dict.fromkeys(words, handler)


_GLOBAL_WORDS: dict[str, Handler] = {
    **_words(_menu, "menu", "/menu", "menu utama", "main menu"),
    **_words(_back, "kembali", "/kembali", "balik", "back", "/back"),
    **_words(_cancel, "batal", "/batal", "batalkan", "cancel", "/cancel"),
    **_words(_help, "bantuan", "/bantuan", "tolong", "help", "/help", "?"),
    **_words(_greeting, "halo", "hallo", "helo", "hai", "hi", "hello", "/start", "start", "p",
             "assalamualaikum", "selamat pagi", "selamat siang", "selamat sore", "selamat malam"),
    **_words(_my_data, "data saya", "/data", "lihat data saya", "my data"),
    **_words(_erase, "hapus data saya", "/hapus", "hapus data", "delete my data"),
    **_words(_register, "daftar", "/daftar", "daftar usaha", "mendaftar", "daftarkan usaha", "register"),
    **_words(_correct, "ubah data", "/ubah", "perbaiki data", "koreksi data", "ganti data", "correct my data"),
    **_words(_assess, "penilaian", "/penilaian", "penilaian mandiri", "nilai usaha", "nilai usaha saya",
             "self-assessment", "assessment"),
    **_words(_programmes, "program", "/program", "pelatihan", "program pelatihan", "training", "programmes"),
    **_words(_schedule, "jadwal", "/jadwal", "jadwal saya", "jadwal pelatihan", "schedule", "my schedule"),
    **_words(_language("en"), "bahasa en", "bahasa inggris", "english", "language en", "/en"),
    **_words(_language("id"), "bahasa id", "bahasa indonesia", "indonesia", "language id", "/id"),
    **_words(_announcements(receive=False), "berhenti", "/berhenti", "stop", "unsubscribe", "stop pengumuman"),
    **_words(_announcements(receive=True), "mulai", "/mulai", "subscribe", "mulai pengumuman"),
}
_OFFICER_WORDS: dict[str, Handler] = {
    **_words(_announce, "umumkan", "/umumkan", "pengumuman", "announce", "/announce"),
    **_words(_report(None), "laporan", "/laporan", "report", "/report"),
    **_words(_log_in, "masuk", "/masuk", "login", "/login", "masuk dasbor", "dasbor", "dashboard"),
}
_REPORT_OF = re.compile(r"/?(?:laporan|report)\s*(?:no\.?|nomor|#)?\s*(\d{1,9})")
