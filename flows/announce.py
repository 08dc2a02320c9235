"""Announcements: an officer writes one, picks who gets it (conditions one after another, each narrowing), when it
goes (now, or a day and time in WIB), sees how many it reaches and how it reads, and sends it; "laporan" tells what
became of them, "batalkan N" cancels one whose time is still ahead. Owners stop and restart them with "berhenti"
and "mulai".

An officer is recognised afresh on every message, so one removed half way sends nothing. Their scope
is also a condition of the store's query: a kabupaten officer reaches nobody outside their
kabupaten, whatever they type.
"""

import re
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from domain.assessment import Level
from domain.channels import PUSH_CHANNELS
from domain.classes import UMKM_CLASSES, BusinessClass
from domain.invalid import Invalid
from domain.msgid import N_
from domain.places import parse_kabupaten
from domain.regions import region
from domain.text import clean
from flows.engine import Answers, Question, QuestionFlow, Turn
from flows.erasure import parse_confirmation
from flows.i18n import DEFAULT_LANGUAGE, Text
from flows.messages import Reply
from flows.notices import SessionPlace, announcement_text, where_and_when
from flows.parsing import parse_choice
from flows.places import kabupaten_labels, parse_business_kabupaten, show_place
from flows.sectors import parse_sector, sector_labels, sector_words, show_sector
from flows.send_time import parse_send_time
from store.announcements import Cancelled, Reach, Report, Segment
from store.officers import PROVINCE, OfficerInfo
from store.registry import Registry

MAX_ANNOUNCEMENT = 1000
# The words an owner answers "berhenti" or "mulai" to: the footer every announcement ends with.
CONSENT_VERSION = "announcements-2026-11"
REPORTED = 5  # announcements "laporan" lists
SHORT_START = 60  # characters of an announcement's text shown in the list
SESSIONS_SHOWN = 20  # sessions offered in chat, those ahead first
JUST_HELD = timedelta(days=60)  # a session's participants can be written to this long after it began
TEXT, AUDIENCE, WHEN, CONFIRM = "text", "audience", "send_at", "confirm"
CHOSEN = "chosen"  # the conditions chosen so far: Segment's fields and their values
EVERYONE = "everyone"
# Who an announcement can be for: everyone in the officer's scope, or those meeting conditions, one chosen after
# another, each named as Segment's field.
AUDIENCES = {
    EVERYONE: N_("Everyone in %(place)s"),
    "kabupaten": N_("One kabupaten or kota"),
    "sector": N_("One kind of business"),
    "business_class": N_("One business class (micro, small, medium)"),
    "programme_id": N_("Participants of a training programme"),
    "session_id": N_("Participants of one session"),
    "level": N_("One self-assessment level"),
}
CONDITIONS = tuple(key for key in AUDIENCES if key != EVERYONE)
NO_MORE = N_("No more conditions: send it to these owners")  # EVERYONE's words once a condition is chosen
NO_SUCH_ANNOUNCEMENT = N_("There is no announcement number %(number)s in %(place)s. Type \"laporan\" for the latest "
                          "ones.")
_SPARE_LINES = re.compile(r"\n{3,}")


def _officer(turn: Turn) -> OfficerInfo:
    officer = turn.officer
    if officer is None:  # the router lets only active officers in
        raise LookupError("announcing needs an active officer")
    return officer


def scope_name(scope: str, text: Text) -> str:
    return text(N_("all of Kalimantan Tengah")) if scope == PROVINCE else region(scope).name


# -- reading and showing the answers -------------------------------------------------------------

def parse_announcement(_text: str, turn: Turn) -> str:
    """The officer's words as typed, paragraphs and all (the router's cleaning makes one line of them)."""
    return tidy_announcement(turn.inbound.text)


def tidy_announcement(typed: str) -> str:
    """An announcement's words, each line cleaned and no more than one blank line in a row; Invalid if too long."""
    lines = "\n".join(clean(line) for line in typed.splitlines())
    words = _SPARE_LINES.sub("\n\n", lines).strip()
    if len(words) > MAX_ANNOUNCEMENT:
        raise Invalid(N_("That is too long: at most %(limit)s characters, please."), limit=MAX_ANNOUNCEMENT)
    return words


def programmes_in(registry: Registry, scope: str) -> list[tuple[int, str]]:
    """The programmes whose participants an officer of `scope` may announce to: (id, name)."""
    return registry.training.open_in(None if scope == PROVINCE else scope)


def sessions_in(registry: Registry, scope: str) -> list[tuple[int, SessionPlace]]:
    """The sessions whose participants an officer of `scope` may announce to: (id, its words' parts)."""
    return [(session.id, session) for session in
            registry.training.sessions_to_announce(scope, registry.now - JUST_HELD, SESSIONS_SHOWN)]


def session_words(session: SessionPlace, text: Text) -> str:
    """A session as officers pick it: "QRIS untuk UMKM: Sabtu, 5 Desember 2026 pukul 09.00 WIB, Aula, Sampit"."""
    return text(N_("%(programme)s: %(when)s, %(place)s"), **where_and_when(session, text))


def audiences(registry: Registry, officer: OfficerInfo, text: Text,
              chosen: Collection[str] = ()) -> list[tuple[str, str]]:
    """The conditions this officer may still choose, with their words (a kabupaten only for the province's
    officers); first, everyone in their scope, or, once conditions are chosen, no more of them."""
    offered = [key for key in CONDITIONS if key not in chosen and (key != "kabupaten" or officer.provincial)
               and (key != "programme_id" or programmes_in(registry, officer.scope))
               and (key != "session_id" or sessions_in(registry, officer.scope))]
    first = text(NO_MORE) if chosen else text(AUDIENCES[EVERYONE], place=scope_name(officer.scope, text))
    return [(EVERYONE, first), *((key, text(AUDIENCES[key])) for key in offered)]


def _audiences(turn: Turn) -> list[tuple[str, str]]:
    return audiences(turn.registry, _officer(turn), turn.text, _chosen(turn))


def audience_labels(turn: Turn) -> list[str]:
    return [label for _key, label in _audiences(turn)]


def parse_audience(text: str, turn: Turn) -> str:
    """A group by number or words; a kabupaten officer naming a kabupaten is told where they may announce."""
    offered = _audiences(turn)
    try:
        return offered[parse_choice(text, [label for _key, label in offered])][0]
    except Invalid:
        scope = _officer(turn).scope
        named = _kabupaten_named(text)
        if scope == PROVINCE or named is None:
            raise
        if named == scope:
            return EVERYONE
        raise Invalid(N_("You can announce to owners in %(place)s only. Choose who there should get it."),
                      place=region(scope).name) from None


def _kabupaten_named(text: str) -> str | None:
    if any(char.isdigit() for char in text):  # a number is a choice, never a place
        return None
    try:
        return parse_kabupaten(text).code
    except Invalid:
        return None


def _option_labels(options: Sequence[BusinessClass | Level], turn: Turn) -> list[str]:
    return [turn.text(option.label) for option in options]


def _parse_option(options: Sequence[BusinessClass | Level], text: str, turn: Turn) -> str:
    return options[parse_choice(text, _option_labels(options, turn))].value


def option_words(kind: type[BusinessClass] | type[Level], value: str, text: Text) -> str:
    """A business class or self-assessment level in words; a value no longer known, as it is."""
    try:
        return text(kind(value).label)
    except ValueError:
        return value


def _show_option(kind: type[BusinessClass] | type[Level], value: str, turn: Turn) -> str:
    return option_words(kind, value, turn.text)


def programme_labels(turn: Turn) -> list[str]:
    return [name for _id, name in programmes_in(turn.registry, _officer(turn).scope)]


def parse_programme(text: str, turn: Turn) -> int:
    shown = programmes_in(turn.registry, _officer(turn).scope)
    return shown[parse_choice(text, [name for _id, name in shown])][0]


def show_programme(programme_id: int, turn: Turn) -> str:
    return _programme_name(turn.registry, programme_id)


def _programme_name(registry: Registry, programme_id: int) -> str:
    programme = registry.training.programme(programme_id)
    return programme.name if programme is not None else f"#{programme_id}"


def session_labels(turn: Turn) -> list[str]:
    return [session_words(session, turn.text) for _id, session in sessions_in(turn.registry, _officer(turn).scope)]


def parse_session(text: str, turn: Turn) -> int:
    shown = sessions_in(turn.registry, _officer(turn).scope)
    return shown[parse_choice(text, session_labels(turn))][0]


def show_session(session_id: int, turn: Turn) -> str:
    return _session_name(turn.registry, session_id, turn.text)


def _session_name(registry: Registry, session_id: int, text: Text) -> str:
    session = registry.training.session(session_id, None)
    return session_words(session, text) if session is not None else f"#{session_id}"


def parse_when(text: str, turn: Turn) -> str | None:
    """"sekarang" (None), or the moment to send at, kept as ISO 8601 with the flow's answers."""
    moment = parse_send_time(text, turn.now)
    return moment.isoformat() if moment is not None else None


def send_at(answers: Answers) -> datetime | None:
    kept = answers.get(WHEN)
    return datetime.fromisoformat(kept) if kept else None


def when_words(moment: datetime | None, text: Text) -> str:
    """When an announcement goes, as the officer confirms it."""
    if moment is None:
        return text(N_("It goes out within minutes."))
    return text(N_("It goes on %(moment)s; until then you can cancel it."), moment=text.moment(moment))


def _show_when(kept: str | None, turn: Turn) -> str:
    return turn.text.moment(datetime.fromisoformat(kept)) if kept else turn.text(N_("now"))


def _chose(audience: str, answers: Answers) -> bool:
    return answers.get(AUDIENCE) == audience


def _chosen(turn: Turn) -> dict[str, Any]:
    return turn.answers_of(Announce.name).setdefault(CHOSEN, {})


# -- who it reaches, in words ----------------------------------------------------------------------

def describe(segment: Segment, registry: Registry, text: Text) -> str:
    """Who an announcement is for: "owners in Kabupaten Kapuas with a business of the kind kuliner and the class
    usaha mikro"; each condition's value reads as the chat shows that answer."""
    place = region(segment.kabupaten).name if segment.kabupaten else scope_name(segment.scope, text)
    conditions = [text(msgid, value=value) for msgid, value in (
        (N_("a business of the kind %(value)s"), segment.sector and sector_words(segment.sector, text)),
        (N_("the class %(value)s"), segment.business_class and option_words(BusinessClass, segment.business_class,
                                                                             text)),
        (N_("the self-assessment level %(value)s"), segment.level and option_words(Level, segment.level, text)),
        (N_("a place in %(value)s"), segment.programme_id and _programme_name(registry, segment.programme_id)),
        (N_("a place in the session %(value)s"), segment.session_id and _session_name(registry, segment.session_id,
                                                                                       text)),
    ) if value]
    if not conditions:
        return text(N_("every owner in %(place)s"), place=place)
    return text(N_("owners in %(place)s with %(conditions)s"), place=place, conditions=text.join(conditions))


def left_out_reasons(reach: Reach, text: Text, cancelled: int = 0) -> list[str]:
    """Who was chosen but is not written to, one reason each: "2 who blocked the bot"; none left out, none."""
    return [text(msgid, count=text.number(count)) for count, msgid in (
        (reach.stopped, N_("%(count)s who said no to announcements or \"berhenti\"")),
        (reach.not_asked, N_("%(count)s not yet asked whether they want announcements, or who did not answer")),
        (reach.blocked, N_("%(count)s who blocked the bot")),
        (reach.no_chat, N_("%(count)s who only chatted in the browser or terminal, where we cannot write first")),
        (cancelled, N_("%(count)s who said \"berhenti\" or deleted their data before it went")),
    ) if count]


def _left_out(reach: Reach, text: Text, cancelled: int = 0) -> list[str]:
    reasons = left_out_reasons(reach, text, cancelled)
    return [text(N_("Left out: %(reasons)s."), reasons=text.join(reasons))] if reasons else []


def _segment(turn: Turn) -> Segment:
    return Segment(_officer(turn).scope, **_chosen(turn))


def _reach(turn: Turn) -> Reach:
    return turn.registry.announcements.reach(_segment(turn), PUSH_CHANNELS)


def _preview(turn: Turn) -> dict[str, object]:
    """The reach and the announcement as owners will read it (nearly all of them in Bahasa Indonesia)."""
    t, reach = turn.text, _reach(turn)
    reached = t(N_("This announcement reaches %(count)s owners: %(audience)s."), count=t.number(reach.recipients),
                audience=describe(_segment(turn), turn.registry, t))
    answers = turn.answers_of(Announce.name)
    return {"reach": "\n".join([reached, *_left_out(reach, t)]), "when": when_words(send_at(answers), t),
            "preview": announcement_text(answers[TEXT], DEFAULT_LANGUAGE, _officer(turn).scope)}


def _audience_prompt(turn: Turn) -> str:
    return N_("So far it reaches %(count)s owners: %(audience)s. Add another condition, or send it to them?") \
        if _chosen(turn) else N_("Who should get it?")


def _so_far(turn: Turn) -> dict[str, object]:
    if not _chosen(turn):
        return {}
    return {"count": turn.text.number(_reach(turn).recipients), "audience": describe(_segment(turn), turn.registry,
                                                                                      turn.text)}


class Announce(QuestionFlow):
    """An officer's announcement: the text, who gets it, the reach and preview, then "ya" queues it."""

    name = "announce"
    questions = (
        Question(TEXT, N_("Type the announcement, as owners should read it (at most 1000 characters). Above it they "
                          "will see that it comes from the Dinas, and below it how to stop announcements."),
                 parse_announcement, N_("Write the whole announcement in one message: what, when, where, and whom "
                                        "to contact. Next you choose who gets it, and see it before it is sent."),
                 counted=False),
        Question(AUDIENCE, _audience_prompt, parse_audience,
                 N_("Reply with a number. Each condition you add narrows who gets it: \"usaha mikro\" and "
                    "\"kuliner\" reaches the owners of micro food businesses. Only owners who can be written to on "
                    "Telegram or WhatsApp receive it."),
                 choices=audience_labels, prompt_params=_so_far, counted=False),
        Question("kabupaten", N_("Owners in which kabupaten or kota?"), parse_business_kabupaten,
                 N_("Reply with a number or a name, such as \"Kotim\" or \"Sampit\"."), choices=kabupaten_labels,
                 applies=partial(_chose, "kabupaten"), show=show_place, counted=False),
        Question("sector", N_("Owners of which kind of business?"), parse_sector,
                 N_("Reply with a number, or a word such as \"kuliner\"."), choices=sector_labels,
                 applies=partial(_chose, "sector"), show=show_sector, counted=False),
        Question("business_class", N_("Owners of which business class?"), partial(_parse_option, UMKM_CLASSES),
                 N_("The class is computed from each business's capital and turnover. Reply with a number."),
                 choices=partial(_option_labels, UMKM_CLASSES), applies=partial(_chose, "business_class"),
                 show=partial(_show_option, BusinessClass), counted=False),
        Question("level", N_("Owners whose latest self-assessment is at which level?"), partial(_parse_option, tuple(Level)),
                 N_("Each business counts with its latest self-assessment. Reply with a number."),
                 choices=partial(_option_labels, tuple(Level)), applies=partial(_chose, "level"),
                 show=partial(_show_option, Level), counted=False),
        Question("programme_id", N_("The participants of which programme? Those registered, on the waiting list "
                                    "or who attended all get it."), parse_programme,
                 N_("Reply with the number of a programme."), choices=programme_labels,
                 applies=partial(_chose, "programme_id"), show=show_programme, counted=False),
        Question("session_id", N_("The participants of which session? Those registered, on its waiting list or who "
                                  "attended all get it."), parse_session,
                 N_("Reply with the number of a session: those still ahead come first, then those held in the last "
                    "60 days."), choices=session_labels, applies=partial(_chose, "session_id"), show=show_session,
                 counted=False),
        Question(WHEN, N_("When should it go? Reply \"sekarang\", or a day and time in WIB, for example \"besok "
                          "08.00\" or \"Senin 14.30\"."), parse_when,
                 N_("\"sekarang\" sends it within minutes. A day and time (WIB, at most 90 days ahead) sends it then; "
                    "until then \"batalkan\" and its number cancels it."), show=_show_when, counted=False),
        Question(CONFIRM, N_("%(reach)s\n%(when)s\n\nOwners will read it like this:\n\n%(preview)s\n\nSend it? Reply "
                             "\"ya\" to send it, or \"tidak\" to choose other recipients."), parse_confirmation,
                 N_("\"ya\" queues the announcement for every owner counted above, to go when it says. "
                    "\"tidak\" sends nothing and lets you choose other recipients."),
                 choices=lambda turn: [turn.text(N_("Yes, send it")), turn.text(N_("No"))], prompt_params=_preview,
                 counted=False),
    )
    cancel_prompt = N_("Drop this announcement? Nothing has been sent yet.")
    cancelled_message = N_("The announcement has been dropped; nothing was sent.")

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """A condition joins those chosen, and the officer is asked for another; if nobody can be reached, they
        are told so and asked again."""
        answers = turn.answers_of(self.name)
        if question.key in CONDITIONS:
            _chosen(turn)[question.key] = answers.pop(question.key)
            answers.pop(AUDIENCE)
        elif question.key != AUDIENCE or value != EVERYONE:
            return None
        if not _reach(turn).recipients:
            return self._nobody(turn)
        return self.start(turn) if question.key in CONDITIONS else None

    def go_back(self, turn: Turn) -> list[Reply]:
        """"kembali" asked whether to add a condition: the last condition chosen, asked again with its answer."""
        chosen = _chosen(turn)
        if turn.state.step != AUDIENCE or not chosen:
            return super().go_back(turn)
        key, value = chosen.popitem()
        turn.answers_of(self.name).update({AUDIENCE: key, key: value})
        turn.state.step = key
        return [self.ask(turn)]

    def complete(self, turn: Turn) -> list[Reply]:
        """"ya" queues one message per owner reached, counted again now; "tidak" asks who else."""
        answers = turn.answers_of(self.name)
        if not answers[CONFIRM]:
            return self._choose_again(turn, turn.text(N_("All right, nothing was sent. Choose other recipients, or "
                                                         "type \"batal\" to drop the announcement.")))
        if not _reach(turn).recipients:  # everyone chosen stopped announcements meanwhile
            return self._nobody(turn)
        t, moment = turn.text, send_at(answers)
        if moment is not None and moment <= turn.now:  # the officer lingered past the time they chose
            answers.pop(CONFIRM)
            answers.pop(WHEN)
            return [Reply(t(N_("The time you chose has passed meanwhile; nothing was sent."))), *self.start(turn)]
        officer = _officer(turn)
        number, reach = turn.registry.announcements.announce(answers[TEXT], _segment(turn), PUSH_CHANNELS,
                                                             author=officer.name, officer_id=officer.id,
                                                             send_at=moment)
        self.leave(turn)
        if moment is not None:
            return [Reply(t(N_("Announcement number %(number)s will go to %(count)s owners on %(moment)s. To cancel "
                               "it before then, type \"batalkan %(number)s\"; \"laporan %(number)s\" shows it."),
                            number=number, count=t.number(reach.recipients), moment=t.moment(moment)))]
        return [Reply(t(N_("Announcement number %(number)s is queued for %(count)s owners and goes out within "
                           "minutes. Type \"laporan\" to see how many have received it."),
                        number=number, count=t.number(reach.recipients)))]

    def _nobody(self, turn: Turn) -> list[Reply]:
        t, reach = turn.text, _reach(turn)
        said = t(N_("Nobody can be reached this way: %(audience)s."),
                 audience=describe(_segment(turn), turn.registry, t))
        return self._choose_again(turn, "\n".join([said, *_left_out(reach, t)]))

    def _choose_again(self, turn: Turn, said: str) -> list[Reply]:
        """Forget who it was for, keep the words, and ask who should get it."""
        answers = turn.answers_of(self.name)
        for key in (CONFIRM, AUDIENCE, CHOSEN, *CONDITIONS):
            answers.pop(key, None)
        return [Reply(said), *self.start(turn)]


# -- "laporan" ---------------------------------------------------------------------------------------

def show_reports(turn: Turn, number: int | None = None) -> Reply:
    """The latest announcements in the officer's scope, or one of them by its number, with what became of it."""
    t, scope = turn.text, _officer(turn).scope
    place = scope_name(scope, t)
    if number is not None:
        report = turn.registry.announcements.report(number, scope)
        if report is None:
            return Reply(t(NO_SUCH_ANNOUNCEMENT, number=number, place=place))
        return Reply("\n".join(_report_lines(report, turn, whole=True)))
    reports = turn.registry.announcements.recent(scope, REPORTED)
    if not reports:
        return Reply(t(N_("No announcements have been sent in %(place)s yet. Type \"umumkan\" to write one."),
                       place=place))
    lines = [t(N_("The latest announcements in %(place)s:"), place=place)]
    for report in reports:
        lines += ["", *_report_lines(report, turn, whole=False)]
    lines += ["", t(N_("Type \"laporan\" and a number to see one whole, for example \"laporan %(number)s\"."),
                    number=reports[0].id)]
    return Reply("\n".join(lines))


def _report_lines(report: Report, turn: Turn, *, whole: bool) -> list[str]:
    t = turn.text
    words = report.text if whole else _start_of(report.text)
    left_out = report.reach.chosen - report.reach.recipients + report.cancelled
    lines = [t(N_("Number %(number)s, %(when)s, by %(author)s"), number=report.id, when=t.moment(report.created_at),
               author=report.author),
             f"\"{words}\"",
             t(N_("For: %(audience)s"), audience=describe(report.segment, turn.registry, t)),
             *([schedule] if (schedule := schedule_words(report, turn.now, t)) else []),
             t(N_("Sent %(sent)s, delivered %(delivered)s, failed %(failed)s, waiting %(waiting)s, left out "
                  "%(left_out)s."), sent=t.number(report.sent), delivered=t.number(report.delivered),
               failed=t.number(report.failed), waiting=t.number(report.waiting), left_out=t.number(left_out))]
    return [*lines, *_left_out(report.reach, t, report.cancelled)] if whole else lines


def schedule_words(report: Report, now: datetime, text: Text) -> str | None:
    """Whether an announcement for a chosen time was cancelled, is still to go (and how to cancel it), or went."""
    if report.cancelled_at is not None:
        return text(N_("Cancelled on %(moment)s, before it went: nothing was sent."),
                    moment=text.moment(report.cancelled_at))
    if report.send_at is None:
        return None
    if report.cancellable(now):
        return text(N_("To go on %(moment)s. To cancel it before then: \"batalkan %(number)s\"."),
                    moment=text.moment(report.send_at), number=report.id)
    return text(N_("Sent from %(moment)s, the time chosen."), moment=text.moment(report.send_at))


# -- "batalkan N" ------------------------------------------------------------------------------------

_CANCELLED = {
    Cancelled.DONE: N_("Announcement number %(number)s is cancelled: it will not be sent to anyone."),
    Cancelled.ALREADY: N_("Announcement number %(number)s was cancelled already; nothing of it was sent."),
    Cancelled.GONE: N_("Announcement number %(number)s can no longer be cancelled: it has gone out, or is going "
                       "out now. Type \"laporan %(number)s\" to see how far it got."),
    Cancelled.UNKNOWN: NO_SUCH_ANNOUNCEMENT,
}


def cancel_announcement(turn: Turn, number: int) -> Reply:
    """"batalkan 12": cancel announcement 12 if its time is still ahead, and say what became of it."""
    officer = _officer(turn)
    outcome = turn.registry.announcements.cancel(number, officer.scope, officer.id)
    return Reply(turn.text(_CANCELLED[outcome], number=number, place=scope_name(officer.scope, turn.text)))


def _start_of(text: str) -> str:
    one_line = " ".join(text.split())
    if len(one_line) <= SHORT_START:
        return one_line
    return one_line[:SHORT_START].rsplit(" ", 1)[0].rstrip(",;:") + "…"  # whole words only


# -- "berhenti" and "mulai" --------------------------------------------------------------------------

_ANSWERED = {  # (receive, changed): what the owner is told
    (False, True): N_("Done: you will receive no more announcements from the Dinas. Everything else works as "
                      "before. To receive them again, type \"mulai\"."),
    (False, False): N_("Announcements are already stopped for you. To receive them again, type \"mulai\"."),
    (True, True): N_("Done: you will receive announcements from the Dinas. To stop them, type \"berhenti\"."),
    (True, False): N_("You already receive announcements from the Dinas. To stop them, type \"berhenti\"."),
}


def answer_announcements(turn: Turn, *, receive: bool) -> Reply:
    """"berhenti" (receive False) or "mulai": keep the owner's answer, with proof, and say what it means."""
    if turn.state.owner_id is None:
        return Reply(turn.text(N_("Announcements go to registered owners, and we have no registration of yours, so "
                                  "you receive none. To register your business, type \"daftar\".")))
    announcements = turn.registry.announcements
    answer = announcements.resume if receive else announcements.stop
    return Reply(turn.text(_ANSWERED[receive, answer(turn.state.owner_id, CONSENT_VERSION)]))
