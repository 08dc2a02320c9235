"""Acting on an owner's message as flows/reading.py reads it: an answer goes to the flow, a command to its
handler, a social message is answered in kind, an own question gets the way forward, a close call is asked back.

An officer's words ("umumkan", "laporan", "masuk") mean something only from an active officer; from anyone
else they are ordinary text, answered as they always were.
"""

from collections.abc import Callable
from typing import Any

from domain.invalid import Invalid
from domain.msgid import N_
from domain.text import clean
from domain.words import GOODBYE, GREETING, OK, SALAM, SORRY, THANKS
from flows import commands
from flows.announce import Announce, answer_announcements, cancel_announcement, show_reports
from flows.announcement_consent import announcement_consent
from flows.asking import Asking
from flows.data_update import DataUpdate
from flows.engine import MENU, START, Flow, QuestionFlow, Turn, leave_flow, parse_yes_no_choice, yes_no_choices
from flows.evaluation import Evaluation
from flows.follow_up import FollowUpFlow
from flows.identity import recognise
from flows.inbox import (
    added_to_question,
    expect_rating,
    held_replies,
    officer_list,
    officer_reply,
    owner_questions,
    rated,
)
from flows.knowledge import terms
from flows.login import send_login_link
from flows.menu import (
    assessment,
    choose,
    correction,
    erasure,
    general_help,
    menu_labels,
    programmes,
    registration,
    show_menu,
    switch_language,
)
from flows.messages import CONTACT, EDITED, LOCATION, OLD_BUTTON, PHONE, STICKER, TOO_LONG, VOICE, Reply, numbered
from flows.parsing import display_phone, parse_choice
from flows.profile import show_profile
from flows.reading import CHANGE, Kind, Reading, read
from flows.reassessment import Reassessment
from flows.retention import purged_notice
from flows.utterance import EMOJI

announcing = Announce()
asking = Asking(where_you_are=lambda turn: [_where_you_are(turn, FLOWS.get(turn.state.flow))],
                act=lambda turn, text: _act_on(turn, FLOWS.get(turn.state.flow), text, understand(turn, text)))


def _follow_up(flow: type[FollowUpFlow]) -> FollowUpFlow:
    return flow(where_you_are=lambda turn: [_where_you_are(turn, FLOWS.get(turn.state.flow))],
                flow_of=lambda kind: FOLLOW_UP_FLOWS[kind])


FOLLOW_UP_FLOWS: dict[str, FollowUpFlow] = {
    flow.kind: flow for flow in map(_follow_up, (Evaluation, DataUpdate, Reassessment))}
FLOWS: dict[str, Flow] = {flow.name: flow for flow in (registration, correction, erasure, assessment, programmes,
                                                       announcing, announcement_consent, asking,
                                                       *FOLLOW_UP_FLOWS.values())}
ASKED = "_asked"  # in the conversation's answers: what was asked back, until the next message
MAX_TEXT = 1000  # longer messages are not answers to any question we ask
OWN_WORDS = 2  # words of substance: a message with this many at the menu that picks nothing says something
_TOO_LONG = N_("That message is too long for me. Please answer briefly.")

Handler = Callable[[Turn, Flow | None], list[Reply]]


def respond(turn: Turn) -> list[Reply]:
    """The replies to one inbound message; the turn's state is left where the owner now stands."""
    told = [reply for reply in (recognise(turn), purged_notice(turn)) if reply is not None]
    held, rated_next = held_replies(turn)
    _take_up_follow_up(turn)
    replies = [*told, *held, *_answer(turn, _current_flow(turn))]
    if rated_next is not None:
        expect_rating(turn, rated_next)
    return replies


def _take_up_follow_up(turn: Turn) -> None:
    """A message from an owner we asked something (an evaluation, a survey) answers it: into its flow."""
    if turn.state.owner_id is None or isinstance(FLOWS.get(turn.state.flow), FollowUpFlow):
        return
    waiting = turn.registry.follow_ups.waiting(turn.state.owner_id)
    if waiting is not None:
        FOLLOW_UP_FLOWS[waiting.kind].take_up(turn, waiting)


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
    return _act(turn, flow, text)


def understand(turn: Turn, text: str) -> Reading:
    """The reading of a message at the owner's step, without acting on it."""
    flow = FLOWS.get(turn.state.flow)
    return read(turn, flow, text, menu_labels(turn) if flow is None else ())


def _act(turn: Turn, flow: Flow | None, text: str) -> list[Reply]:
    """Act on the message's reading; back at the menu with nothing to pick, the menu comes next."""
    asked = turn.state.answers.pop(ASKED, None)
    rating = rated(turn, text)
    if rating is not None:
        return [*rating, _where_you_are(turn, flow)]
    resolved = _resolve(turn, flow, asked, text) if asked else None
    replies = resolved if resolved is not None else _act_on(turn, flow, text, understand(turn, text))
    if turn.state.flow == MENU and (not replies or not replies[-1].choices) and ASKED not in turn.state.answers:
        replies.append(show_menu(turn))
    return replies


def _act_on(turn: Turn, flow: Flow | None, text: str, reading: Reading) -> list[Reply]:
    if reading.kind is Kind.COMMAND:
        if reading.command is not None and reading.command.startswith(CHANGE + " ") and isinstance(reading.value, int) \
                and isinstance(flow, QuestionFlow):  # "ubah 3"
            return flow.change(turn, reading.value)
        if reading.command == commands.REPORT:
            return _report(reading.value)(turn, flow)
        if reading.command == commands.CANCEL_ANNOUNCEMENT:
            return [cancel_announcement(turn, reading.value), _where_you_are(turn, flow)]
        if reading.command == commands.ANSWER and turn.officer is not None:
            question_id, reply = reading.value
            return [officer_reply(turn, turn.officer, question_id, reply), _where_you_are(turn, flow)]
        return _COMMANDS[str(reading.command)](turn, flow)
    if reading.kind is Kind.SOCIAL:
        return _social(turn, flow, reading.social)
    if reading.kind is Kind.QUESTION:
        return _own_question(turn, flow, reading.command, reading.value or text)
    if reading.kind is Kind.ASK_BACK and (reading.doubt is not None or reading.options):
        return [_ask_back(turn, flow, reading)]
    if flow is None and reading.kind is Kind.UNCLEAR and len(terms(text)) >= OWN_WORDS:
        # At the menu, a sentence that picks nothing is the owner's own words ("pelatihan kemarin dibatalkan"): for
        # the officer, while a question is open; else for the knowledge base, or an officer.
        return added_to_question(turn, text) or asking.take(turn, text)
    # An answer, or none: the flow acts on it or says why not (its parser's reason, the question again, or the
    # close choices it narrowed down to).
    return flow.answer(turn, text) if flow is not None else choose(turn, text)


def _ask_back(turn: Turn, flow: Flow | None, reading: Reading) -> Reply:
    """Ask which reading was meant, and keep what each choice stands for until the next message."""
    if reading.doubt is not None:
        turn.state.answers[ASKED] = {"flow": turn.state.flow, "step": turn.state.step, "value": reading.value,
                                     "revisit": reading.doubt.revisit, "social": reading.social}
        return Reply(turn.text(reading.doubt.reason.msgid, **reading.doubt.reason.params), yes_no_choices(turn))
    turn.state.answers[ASKED] = {"flow": turn.state.flow, "step": turn.state.step, "commands": list(reading.options)}
    return Reply(turn.text(N_("Did you mean one of these? Reply with its number.")),
                 numbered([f"\"{word}\"" for word in reading.options]))


def _resolve(turn: Turn, flow: Flow | None, asked: dict[str, Any], text: str) -> list[Reply] | None:
    """The answer to what was asked back; None when the owner wrote something else (read as usual)."""
    if (asked.get("flow"), asked.get("step")) != (turn.state.flow, turn.state.step):
        return None
    if "commands" in asked:
        words = asked["commands"]
        try:
            index = parse_choice(text, words)
        except Invalid:
            return None
        return _COMMANDS[words[index]](turn, flow)
    try:
        meant = parse_yes_no_choice(text)
    except Invalid:
        return None
    if not isinstance(flow, QuestionFlow):
        return None
    if meant:
        return flow.keep(turn, asked["value"])
    if asked.get("revisit"):
        return flow.revisit(turn, asked["revisit"])
    if asked.get("social"):  # "Pagi bu" was no name but a greeting: greeted back, asked again
        return _social(turn, flow, asked["social"])
    return [flow.ask(turn)]


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
    if turn.state.owner_id is None and not any(turn.state.answers.values()) \
            and not turn.registry.questions.of(turn.state.id, None):
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


def _ask(turn: Turn, _flow: Flow | None) -> list[Reply]:
    return asking.start(turn)


def _my_questions(turn: Turn, flow: Flow | None) -> list[Reply]:
    return [owner_questions(turn), _where_you_are(turn, flow)]


def _officer_questions(turn: Turn, flow: Flow | None) -> list[Reply]:
    if turn.officer is None:
        return _my_questions(turn, flow)
    return [officer_list(turn, turn.officer), _where_you_are(turn, flow)]


def _log_in(turn: Turn, flow: Flow | None) -> list[Reply]:
    return [send_login_link(turn), _where_you_are(turn, flow)]


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


def _language(language: str) -> Handler:
    def handler(turn: Turn, flow: Flow | None) -> list[Reply]:
        return [*switch_language(turn, language), _where_you_are(turn, flow)]
    return handler


def _stop(turn: Turn, flow: Flow | None) -> list[Reply]:
    """"berhenti" while answering questions means stop asking (the answers wait), and while answering what we
    asked, stop that; elsewhere, stop announcements."""
    if isinstance(flow, FollowUpFlow):
        return flow.stop(turn)
    if isinstance(flow, QuestionFlow) and flow.name in PAUSABLE and turn.has_answers(flow.name):
        turn.state.flow, turn.state.step = MENU, START
        return [Reply(turn.text(N_("All right, I have stopped asking. Your answers so far are kept for when you come "
                                   "back: choose it from the menu to carry on, or type \"batal\" to delete them. To "
                                   "stop announcements from the Dinas, type \"berhenti pengumuman\".")))]
    return _announcements(receive=False)(turn, flow)


def _social(turn: Turn, flow: Flow | None, social: str | None) -> list[Reply]:
    """Thanks, greetings and "ok" answered in kind, then the question again (or the menu)."""
    if social in (GREETING, SALAM):
        greeting = [Reply(turn.text(_SOCIAL_REPLY[SALAM]))] if social == SALAM else []
        return [*greeting, *_greeting(turn, flow)]
    return [Reply(turn.text(_SOCIAL_REPLY.get(social or EMOJI, _SOCIAL_REPLY[EMOJI]))), _where_you_are(turn, flow)]


_SOCIAL_REPLY = {
    THANKS: N_("You're welcome! 🙏"),
    SALAM: N_("Wa'alaikumsalam."),
    GOODBYE: N_("Goodbye! Write again whenever you need to."),
    SORRY: N_("No problem at all."),
    OK: N_("All right. 👍"),
    EMOJI: N_("🙏"),
}


def _own_question(turn: Turn, flow: Flow | None, command: str | None, text: str) -> list[Reply]:
    """An owner's own question: the command that serves it (help, for one about the current question); else, while
    a question to the officers is open, more words for it; else the knowledge base's answer, or an officer."""
    if command == commands.HELP:  # "apa ini?": what help says, at once
        return _help(turn, flow)
    if command is not None:
        return [Reply(turn.text(N_("For that, type \"%(command)s\"."), command=command)), _where_you_are(turn, flow)]
    added = added_to_question(turn, text)
    if added is not None:
        return [*added, _where_you_are(turn, flow)] if flow is not None else added
    return asking.take(turn, text)


PAUSABLE = frozenset({registration.name, correction.name, assessment.name})
_COMMANDS: dict[str, Handler] = {
    commands.MENU: _menu,
    commands.BACK: _back,
    commands.CANCEL: _cancel,
    commands.HELP: _help,
    commands.START: _greeting,
    commands.MY_DATA: _my_data,
    commands.ERASE: _erase,
    commands.REGISTER_BUSINESS: _register,
    commands.CORRECT: _correct,
    commands.ASSESS: _assess,
    commands.PROGRAMMES: _programmes,
    commands.SCHEDULE: _schedule,
    commands.ENGLISH: _language("en"),
    commands.INDONESIAN: _language("id"),
    commands.STOP: _stop,
    commands.STOP_ANNOUNCEMENTS: _announcements(receive=False),
    commands.RESUME: _announcements(receive=True),
    commands.ANNOUNCE: _announce,
    commands.REPORT: _report(None),
    commands.LOG_IN: _log_in,
    commands.ASK: _ask,
    commands.MY_QUESTIONS: _my_questions,
    commands.QUESTIONS: _officer_questions,
}
