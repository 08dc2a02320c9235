"""The officers' side of owners' questions, wherever they work on them (chat or dashboard): a reply that reaches
the owner under WhatsApp's rules, the owner's side of it, the chat list and digest, and closing quiet questions.

A reply inside WhatsApp's 24 hours (counted from the owner's last message), or on Telegram, goes whole through
the outbox. Later, on WhatsApp, only an approved template can go: it says a reply is waiting, and the reply is
shown when the owner next writes. A browser or terminal chat cannot be written to first: its reply waits too.
After the reply the owner is asked whether it helped (1 to 5).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.channels import PUSH_CHANNELS, WHATSAPP, within_window
from domain.msgid import N_
from domain.outbox import QUESTION_CLOSED, QUESTION_REPLY, QUESTIONS_DIGEST, REPLY_WAITING
from domain.regions import region
from domain.topics import TOPICS
from domain.wib import in_wib
from flows.engine import Turn
from flows.i18n import Text
from flows.messages import Reply
from store.officers import PROVINCE, OfficerInfo
from store.questions import ANSWERED, CLOSED, CLOSED_QUIET, OPEN, QuestionInfo
from store.registry import Registry

RATING = "_rating"  # in a chat's state: the question whose reply the owner's next message may rate
QUIET_AFTER = timedelta(days=7)  # a question with no word either side for this long is closed
LISTED = 10  # questions in an officer's chat list
_RATINGS = range(1, 6)
_RATING_ASK = N_("Did this answer help you? Reply with a number from 1 (not at all) to 5 (very much).")


class Sent(StrEnum):
    """What became of an officer's reply."""

    QUEUED = "queued"  # the reply itself goes through the outbox
    TEMPLATE = "template"  # outside WhatsApp's 24 hours: the template goes; the reply waits for the owner
    WAITING = "waiting"  # a chat that cannot be written to first: the reply waits for the owner
    UNREACHABLE = "unreachable"  # the owner erased their data or blocked the bot: kept, but nobody to send to


@dataclass(frozen=True)
class Replied:
    sent: Sent
    message_id: int


def reply_text(text: Text, question_id: int, reply: str) -> str:
    """The officer's reply as the owner reads it, with the question of whether it helped."""
    return "\n\n".join((text(N_("The answer of the Dinas officer to your question %(number)s:"), number=f"#{question_id}"),
                        reply, text(_RATING_ASK)))


def send_reply(registry: Registry, question: QuestionInfo, officer_id: int, reply: str) -> Replied:
    """Keep an officer's reply and send it the way the owner's chat allows."""
    chat = registry.questions.chat_of(question)
    if chat is None:
        return Replied(Sent.UNREACHABLE, registry.questions.reply(question.id, officer_id, reply, None, held=True))
    text = Text(chat.language)
    if chat.channel not in PUSH_CHANNELS:
        return Replied(Sent.WAITING, registry.questions.reply(question.id, officer_id, reply, None, held=True))
    if chat.channel == WHATSAPP and not within_window(chat.heard_at, registry.now):
        waiting = text(N_("The Dinas Koperasi dan UKM has answered your question %(number)s. Reply to this message to "
                          "read the answer."), number=f"#{question.id}")
        row = registry.outbox.queue(REPLY_WAITING, question.owner_id, chat.channel, chat.address, waiting)
        return Replied(Sent.TEMPLATE, registry.questions.reply(question.id, officer_id, reply, row, held=True))
    row = registry.outbox.queue(QUESTION_REPLY, question.owner_id, chat.channel, chat.address,
                                reply_text(text, question.id, reply))
    registry.note_for_next_message(chat.conversation_id, RATING, question.id)
    return Replied(Sent.QUEUED, registry.questions.reply(question.id, officer_id, reply, row, held=False))


def held_replies(turn: Turn) -> tuple[list[Reply], int | None]:
    """Replies that waited for the owner to write, shown now, and the question the owner's next message may rate."""
    questions = turn.registry.questions
    held = questions.held_replies(turn.state.id, turn.state.owner_id)
    if not held:
        return [], None
    questions.shown([reply.message_id for reply in held])
    return [Reply(reply_text(turn.text, reply.question_id, reply.text)) for reply in held], held[-1].question_id


def expect_rating(turn: Turn, question_id: int) -> None:
    """The owner's next message may rate the reply to this question."""
    turn.state.answers[RATING] = question_id


def rated(turn: Turn, text: str) -> list[Reply] | None:
    """The owner's rating of the reply just read, when this message is one; None when it is anything else."""
    question_id = turn.state.answers.pop(RATING, None)
    if question_id is None or not text.strip().isdigit() or int(text) not in _RATINGS:
        return None
    turn.registry.questions.rate(question_id, int(text))
    return [Reply(turn.text(N_("Thank you for telling us. If you have another question, just write it.")))]


def added_to_question(turn: Turn, text: str) -> list[Reply] | None:
    """While the owner's question is open, their words that are nothing else join it; None when none is open."""
    questions = turn.registry.questions
    question = questions.open_for(turn.state.id, turn.state.owner_id)
    if question is None:
        return None
    questions.add_owner_words(question.id, text)
    return [Reply(turn.text(N_("Passed on to the officer, with your question %(number)s."), number=f"#{question.id}"))]


def owner_questions(turn: Turn) -> Reply:
    """"pertanyaan saya": the owner's questions and where each stands."""
    t = turn.text
    found = turn.registry.questions.of(turn.state.id, turn.state.owner_id)
    if not found:
        return Reply(t(N_("You have not asked the Dinas anything yet. To ask, type \"tanya\" or just write your "
                          "question.")))
    states = {OPEN: N_("waiting for an officer"), ANSWERED: N_("answered"), CLOSED: N_("closed")}
    lines = [t(N_("Your questions:"))]
    lines += [f"{f'#{question.id}'} ({t.date(in_wib(question.created_at).date())}, {t(TOPICS[question.topic])}): "
              f"{t(states[question.status])}" for question in found]
    return Reply("\n".join(lines))


# -- the officer's chat --------------------------------------------------------------------------


def officer_list(turn: Turn, officer: OfficerInfo) -> Reply:
    """"pertanyaan": the open questions in the officer's scope, the longest waiting first."""
    t = turn.text
    found = turn.registry.questions.in_scope(officer.scope, (OPEN,), LISTED)
    if not found:
        return Reply(t(N_("No question is waiting for an answer in %(place)s.") , place=_scope_name(officer.scope, t)))
    lines = [t(N_("Questions waiting for an answer in %(place)s:"), place=_scope_name(officer.scope, t))]
    lines += [_question_line(t, question, turn.registry.now) for question in found]
    lines += ["", t(N_("To answer one, type \"jawab\", its number and your answer, for example \"jawab %(number)s "
                       "Silakan datang ke kantor kami.\""), number=found[0].id)]
    return Reply("\n".join(lines))


def officer_reply(turn: Turn, officer: OfficerInfo, question_id: int, reply: str) -> Reply:
    """"jawab 12 …": the reply goes to the owner; a question outside the officer's scope is no question to them."""
    t = turn.text
    question = turn.registry.questions.get(question_id, officer.scope)
    if question is None:
        return Reply(t(N_("There is no question number %(number)s in %(place)s. Type \"pertanyaan\" for the open "
                          "ones."), number=question_id, place=_scope_name(officer.scope, t)))
    if not reply.strip():
        return Reply(t(N_("Write your answer after the number, for example \"jawab %(number)s Silakan datang ke kantor "
                          "kami.\""), number=question_id))
    replied = send_reply(turn.registry, question, officer.id, reply.strip())
    said = {
        Sent.QUEUED: N_("Your answer to question %(number)s is on its way to the owner."),
        Sent.TEMPLATE: N_("The owner has not written for over 24 hours, so WhatsApp allows only a notice: it is on "
                          "its way, and your answer to question %(number)s is shown when the owner replies."),
        Sent.WAITING: N_("Your answer to question %(number)s is kept; the owner sees it when they next write."),
        Sent.UNREACHABLE: N_("Your answer to question %(number)s is kept, but the owner can no longer be reached."),
    }
    return Reply(t(said[replied.sent], number=f"#{question_id}"))


def _question_line(t: Text, question: QuestionInfo, now: datetime) -> str:
    waited = max(0, round((now - question.active_at).total_seconds() / 3600))
    words = question.first_words if len(question.first_words) <= 120 else question.first_words[:117] + "..."
    return t(N_("#%(number)s %(place)s, %(topic)s, waiting %(hours)s h: \"%(words)s\""), number=question.id,
             place=region(question.kabupaten_code).short_name, topic=t(TOPICS[question.topic]), hours=waited,
             words=words)


def _scope_name(scope: str, t: Text) -> str:
    return t(N_("Kalimantan Tengah")) if scope == PROVINCE else region(scope).short_name


# -- what the worker does --------------------------------------------------------------------------


def close_quiet_questions(registry: Registry) -> int:
    """Close the questions with no word either side for a week, telling each owner who can be told."""
    questions = registry.questions
    quiet = questions.quiet_since(registry.now - QUIET_AFTER)
    for question in quiet:
        questions.close(question.id, CLOSED_QUIET)
        chat = questions.chat_of(question)
        if chat is not None and chat.channel in PUSH_CHANNELS:
            text = Text(chat.language)
            registry.outbox.queue(QUESTION_CLOSED, question.owner_id, chat.channel, chat.address, text(N_(
                "Your question %(number)s has been closed after a week with no news. If you still need help, just "
                "write: a new question is opened."), number=f"#{question.id}"), key=f"question-closed:{question.id}")
    return len(quiet)


def queue_digests(registry: Registry) -> int:
    """Each active officer's list of the questions opened in their scope in the past hour, once an hour."""
    hour = in_wib(registry.now).replace(minute=0, second=0, microsecond=0)
    queued = 0
    for officer in registry.officers.active():
        new = registry.questions.opened_between(officer.scope, hour - timedelta(hours=1), hour)
        chat = registry.officer_chat(officer)
        if not new or chat is None:
            continue
        channel, address, language = chat
        t = Text(language)
        lines = [t(N_("New questions in %(place)s in the past hour: %(count)s"), place=_scope_name(officer.scope, t),
                   count=len(new))]
        lines += [_question_line(t, question, registry.now) for question in new[:LISTED]]
        lines += ["", t(N_("Type \"pertanyaan\" to see the waiting ones, or answer in the dashboard."))]
        key = f"questions-digest:{officer.id}:{hour:%Y%m%d%H}"
        queued += registry.outbox.queue(QUESTIONS_DIGEST, None, channel, address, "\n".join(lines), key=key) is not None
    return queued
