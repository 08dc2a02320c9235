"""Owners' questions to the officers, and every own question the bot was asked, with what came of it.

A question belongs to the chat it was asked in (and to its owner, once registered); an owner has at most one
that is not closed. Its words are its messages: the owner's, and the officers' replies with the outbox row
that carried each one. Erasing an owner erases those words and keeps the counts the inventory of problems is
made of: topic, kabupaten/kota, times and rating.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, insert, or_, select, update

from domain.outbox import REPLY_WAITING
from store.models import (
    AskedQuestion,
    Assessment,
    Business,
    Conversation,
    Officer,
    OutboxMessage,
    Owner,
    OwnerQuestion,
    QuestionMessage,
    as_utc,
)
from store.officers import within

_questions = OwnerQuestion.__table__
_messages = QuestionMessage.__table__
_asked = AskedQuestion.__table__
_outbox = OutboxMessage.__table__
_conversations = Conversation.__table__
_owners = Owner.__table__
_businesses = Business.__table__
_latest = Assessment.__table__.alias("latest_assessment")
_officers = Officer.__table__
OPEN, ANSWERED, CLOSED = "open", "answered", "closed"  # answered stays open to the owner's next words
CLOSED_BY_OFFICER, CLOSED_QUIET, CLOSED_ERASED = "officer", "quiet", "erased"
# What came of an own question the bot was asked (asked_questions.outcome): answered from the knowledge base, and
# then said to have helped or not; two entries offered; nothing found.
BOT_ANSWERED, HELPED, NOT_HELPED, CHOICE, NOT_FOUND = "answered", "helped", "not_helped", "choice", "not_found"
UNANSWERED = (NOT_HELPED, NOT_FOUND)  # the knowledge base's gaps
USUAL_TIME_FROM = 5  # answered questions needed before their usual reply time is told rather than the promise
_USUAL_OVER = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    id: int
    kabupaten_code: str
    topic: str
    status: str
    created_at: datetime
    active_at: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    owner_id: int | None
    conversation_id: int | None
    first_words: str  # the owner's first message, "" once erased


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    officer_id: int | None  # None: the owner's words
    text: str
    at: datetime
    delivery: str | None  # an officer's reply: its outbox row's status ("pending", "sent", "failed"...)
    notice: bool  # that row is the notice that a reply waits, not the reply
    shown_at: datetime | None  # when the reply was in the owner's chat; None while it waits for them


@dataclass(frozen=True, slots=True)
class QuestionChat:
    """The chat a question was asked in, and when its owner last wrote there (WhatsApp's 24 hours run from it)."""

    conversation_id: int
    channel: str
    address: str
    language: str
    heard_at: datetime


@dataclass(frozen=True, slots=True)
class HeldReply:
    """An officer's reply waiting for the owner to write (it came outside WhatsApp's 24 hours)."""

    message_id: int
    question_id: int
    text: str


_FIRST_WORDS = (select(_messages.c.text).where(_messages.c.question_id == _questions.c.id,
                                               _messages.c.officer_id.is_(None))
                .order_by(_messages.c.id).limit(1).scalar_subquery())
_QUESTION = select(_questions.c.id, _questions.c.kabupaten_code, _questions.c.topic, _questions.c.status,
                   _questions.c.created_at, _questions.c.active_at, _questions.c.answered_at, _questions.c.closed_at,
                   _questions.c.rating, _questions.c.owner_id, _questions.c.conversation_id,
                   func.coalesce(_FIRST_WORDS, "").label("first_words"))


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """Which questions the inbox lists: the viewer's scope, and what the officer chose."""

    scope: str
    statuses: tuple[str, ...] = (OPEN,)
    kabupaten_code: str | None = None
    topic: str | None = None
    older_than: timedelta | None = None  # only questions waiting (since their last message) at least this long


@dataclass(frozen=True, slots=True)
class InboxRow:
    question: QuestionInfo
    owner_name: str | None  # None: not registered, or erased
    assigned_to: str | None


@dataclass(frozen=True, slots=True)
class OwnerBusiness:
    """A business of the asking owner, as the officer answering needs to know it."""

    id: int
    name: str
    sector: str
    business_class: str
    kabupaten_code: str
    level: str | None
    score: float | None


def _info(row: object) -> QuestionInfo:
    values = dict(row) if isinstance(row, dict) else dict(row._mapping)  # type: ignore[attr-defined]
    for moment in ("created_at", "active_at", "answered_at", "closed_at"):
        if values[moment] is not None:
            values[moment] = as_utc(values[moment])
    return QuestionInfo(**values)


def _without(row: object, *names: str) -> dict[str, object]:
    return {name: value for name, value in row._mapping.items() if name not in names}  # type: ignore[attr-defined]


def _asker(conversation_id: int, owner_id: int | None) -> ColumnElement[bool]:
    """The questions of this chat, and of its owner from any chat."""
    chat = _questions.c.conversation_id == conversation_id
    return or_(chat, _questions.c.owner_id == owner_id) if owner_id is not None else chat


# Built once: every message an owner sends runs it (an owner_id of None matches no question by owner).
_HELD = (select(_messages.c.id, _messages.c.question_id, _messages.c.text)
         .join(_questions, _questions.c.id == _messages.c.question_id)
         .where(or_(_questions.c.conversation_id == bindparam("conversation_id"),
                    _questions.c.owner_id == bindparam("owner_id")),
                _messages.c.officer_id.is_not(None), _messages.c.shown_at.is_(None))
         .order_by(_messages.c.id))


class Questions:
    """The question queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self.now = now

    # -- what the bot was asked ----------------------------------------------------------------

    def log_asked(self, conversation_id: int, owner_id: int | None, kabupaten_code: str | None, text: str,
                  entry_id: int | None, outcome: str) -> int:
        return int(self._connection.execute(insert(_asked).values(
            conversation_id=conversation_id, owner_id=owner_id, kabupaten_code=kabupaten_code, text=text,
            entry_id=entry_id, outcome=outcome, asked_at=self.now)).inserted_primary_key[0])

    def settle_asked(self, asked_id: int, outcome: str, question_id: int | None = None,
                     entry_id: int | None = None) -> None:
        values: dict[str, object] = {"outcome": outcome}
        if question_id is not None:
            values["question_id"] = question_id
        if entry_id is not None:
            values["entry_id"] = entry_id
        self._connection.execute(update(_asked).where(_asked.c.id == asked_id).values(**values))

    # -- the owner's side ----------------------------------------------------------------------

    def open_for(self, conversation_id: int, owner_id: int | None) -> QuestionInfo | None:
        """The asker's question that is not closed, if any (there is at most one)."""
        row = self._connection.execute(_QUESTION.where(_asker(conversation_id, owner_id),
                                                       _questions.c.status != CLOSED)).first()
        return _info(row) if row is not None else None

    def ask(self, conversation_id: int, owner_id: int | None, kabupaten_code: str, topic: str, text: str) -> int:
        question_id = int(self._connection.execute(insert(_questions).values(
            conversation_id=conversation_id, owner_id=owner_id, kabupaten_code=kabupaten_code, topic=topic,
            status=OPEN, created_at=self.now, active_at=self.now)).inserted_primary_key[0])
        self.add_owner_words(question_id, text)
        return question_id

    def add_owner_words(self, question_id: int, text: str) -> None:
        """The owner wrote more: it joins the thread, and an answered question is open to officers again."""
        self._connection.execute(insert(_messages).values(question_id=question_id, officer_id=None, text=text,
                                                          at=self.now))
        self._connection.execute(update(_questions).where(_questions.c.id == question_id).values(
            active_at=self.now, status=OPEN))

    def of(self, conversation_id: int, owner_id: int | None) -> list[QuestionInfo]:
        """The asker's questions, the newest first."""
        rows = self._connection.execute(_QUESTION.where(_asker(conversation_id, owner_id))
                                        .order_by(_questions.c.id.desc()))
        return [_info(row) for row in rows]

    def held_replies(self, conversation_id: int, owner_id: int | None) -> list[HeldReply]:
        """Officers' replies not yet shown to the owner, the oldest first."""
        rows = self._connection.execute(_HELD, {"conversation_id": conversation_id, "owner_id": owner_id})
        return [HeldReply(row.id, row.question_id, row.text) for row in rows]

    def shown(self, message_ids: list[int]) -> None:
        if message_ids:
            self._connection.execute(update(_messages).where(_messages.c.id.in_(message_ids))
                                     .values(shown_at=self.now))

    def rate(self, question_id: int, rating: int) -> None:
        self._connection.execute(update(_questions).where(_questions.c.id == question_id).values(rating=rating))

    def usual_reply_time(self, kabupaten_code: str) -> timedelta | None:
        """How long the officers of a kabupaten/kota usually took to reply lately, when enough questions tell."""
        rows = self._connection.execute(
            select(_questions.c.created_at, _questions.c.answered_at)
            .where(_questions.c.kabupaten_code == kabupaten_code, _questions.c.answered_at.is_not(None),
                   _questions.c.created_at >= self.now - _USUAL_OVER)).all()
        if len(rows) < USUAL_TIME_FROM:
            return None
        return median(as_utc(row.answered_at) - as_utc(row.created_at) for row in rows)

    def erase_asker(self, conversation_id: int | None, owner_id: int | None) -> None:
        """Erase the words of every question the owner asked (and of this chat), keeping the counts."""
        asker = _asker(conversation_id or -1, owner_id)
        asked = select(_questions.c.id).where(asker).scalar_subquery()
        self._connection.execute(delete(_messages).where(_messages.c.question_id.in_(asked)))
        self._connection.execute(update(_questions).where(asker, _questions.c.status != CLOSED).values(
            status=CLOSED, closed_at=self.now, closed_why=CLOSED_ERASED))
        self._connection.execute(update(_questions).where(asker).values(owner_id=None, conversation_id=None))
        chat = _asked.c.conversation_id == conversation_id
        self._connection.execute(delete(_asked).where(
            or_(chat, _asked.c.owner_id == owner_id) if owner_id is not None else chat))

    # -- the officers' side --------------------------------------------------------------------

    def in_scope(self, scope: str, statuses: tuple[str, ...] = (OPEN,), limit: int = 20) -> list[QuestionInfo]:
        """The questions an officer of `scope` sees, in these states, the oldest activity first."""
        rows = self._connection.execute(
            _QUESTION.where(_questions.c.status.in_(statuses), *within(_questions.c.kabupaten_code, scope))
            .order_by(_questions.c.active_at, _questions.c.id).limit(limit))
        return [_info(row) for row in rows]

    def inbox(self, where: InboxFilter, limit: int, offset: int = 0) -> list[InboxRow]:
        """A page of the questions `where` chooses, the longest waiting first."""
        rows = self._connection.execute(
            _QUESTION.add_columns(_owners.c.name.label("owner_name"), _officers.c.name.label("assigned_to"))
            .select_from(_questions.outerjoin(_owners, _owners.c.id == _questions.c.owner_id)
                         .outerjoin(_officers, _officers.c.id == _questions.c.assigned_officer_id))
            .where(*self._chosen(where)).order_by(_questions.c.active_at, _questions.c.id).limit(limit).offset(offset))
        return [InboxRow(_info(_without(row, "owner_name", "assigned_to")), row.owner_name, row.assigned_to)
                for row in rows]

    def count(self, where: InboxFilter) -> int:
        return int(self._connection.execute(select(func.count()).select_from(_questions)
                                            .where(*self._chosen(where))).scalar_one())

    def _chosen(self, where: InboxFilter) -> list[ColumnElement[bool]]:
        chosen = [_questions.c.status.in_(where.statuses), *within(_questions.c.kabupaten_code, where.scope)]
        if where.kabupaten_code:
            chosen.append(_questions.c.kabupaten_code == where.kabupaten_code)
        if where.topic:
            chosen.append(_questions.c.topic == where.topic)
        if where.older_than is not None:
            chosen.append(_questions.c.active_at <= self.now - where.older_than)
        return chosen

    def owner_businesses(self, owner_id: int) -> list[OwnerBusiness]:
        rows = self._connection.execute(
            select(_businesses.c.id, _businesses.c.name, _businesses.c.sector, _businesses.c.business_class,
                   _businesses.c.kabupaten_code, _latest.c.level, _latest.c.score)
            .select_from(_businesses.outerjoin(_latest, (_latest.c.business_id == _businesses.c.id)
                                               & _latest.c.latest.is_(True)))
            .where(_businesses.c.owner_id == owner_id).order_by(_businesses.c.id))
        return [OwnerBusiness(*row) for row in rows]

    def owner_name(self, owner_id: int) -> str | None:
        return self._connection.execute(select(_owners.c.name).where(_owners.c.id == owner_id)).scalar_one_or_none()

    def assignee(self, question_id: int) -> str | None:
        return self._connection.execute(
            select(_officers.c.name).join(_questions, _questions.c.assigned_officer_id == _officers.c.id)
            .where(_questions.c.id == question_id)).scalar_one_or_none()

    def assign(self, question_id: int, officer_id: int | None) -> None:
        self._connection.execute(update(_questions).where(_questions.c.id == question_id)
                                 .values(assigned_officer_id=officer_id))

    def opened_between(self, scope: str, start: datetime, end: datetime) -> list[QuestionInfo]:
        rows = self._connection.execute(
            _QUESTION.where(_questions.c.created_at >= as_utc(start), _questions.c.created_at < as_utc(end),
                            *within(_questions.c.kabupaten_code, scope)).order_by(_questions.c.id))
        return [_info(row) for row in rows]

    def get(self, question_id: int, scope: str) -> QuestionInfo | None:
        """One question, if it is within `scope` (a question outside it is, to that officer, no question)."""
        row = self._connection.execute(_QUESTION.where(_questions.c.id == question_id,
                                                       *within(_questions.c.kabupaten_code, scope))).first()
        return _info(row) if row is not None else None

    def thread(self, question_id: int) -> list[ThreadMessage]:
        rows = self._connection.execute(
            select(_messages.c.officer_id, _messages.c.text, _messages.c.at, _outbox.c.status, _outbox.c.kind,
                   _messages.c.shown_at)
            .outerjoin(_outbox, _outbox.c.id == _messages.c.outbox_id)
            .where(_messages.c.question_id == question_id).order_by(_messages.c.id))
        return [ThreadMessage(row.officer_id, row.text, as_utc(row.at), row.status, row.kind == REPLY_WAITING,
                              as_utc(row.shown_at) if row.shown_at else None) for row in rows]

    def reply(self, question_id: int, officer_id: int, text: str, outbox_id: int | None, held: bool) -> int:
        """Keep an officer's reply with the outbox row that carries it (or its notice, when `held` for the owner's
        next message); the question is answered."""
        message_id = int(self._connection.execute(insert(_messages).values(
            question_id=question_id, officer_id=officer_id, text=text, at=self.now, outbox_id=outbox_id,
            shown_at=None if held else self.now)).inserted_primary_key[0])
        self._connection.execute(update(_questions).where(_questions.c.id == question_id).values(
            status=ANSWERED, active_at=self.now,
            answered_at=func.coalesce(_questions.c.answered_at, self.now)))
        return message_id

    def close(self, question_id: int, why: str) -> None:
        self._connection.execute(update(_questions).where(_questions.c.id == question_id,
                                                          _questions.c.status != CLOSED).values(
            status=CLOSED, closed_at=self.now, closed_why=why))

    def quiet_since(self, before: datetime, limit: int = 500) -> list[QuestionInfo]:
        """Questions not closed with no message either side since `before`: to be closed as quiet."""
        rows = self._connection.execute(_QUESTION.where(_questions.c.status != CLOSED,
                                                        _questions.c.active_at < before)
                                        .order_by(_questions.c.id).limit(limit))
        return [_info(row) for row in rows]

    def chat_of(self, question: QuestionInfo) -> QuestionChat | None:
        """Where a reply to the question goes: the chat it was asked in, unless the owner blocked the bot there."""
        if question.conversation_id is None:
            return None
        row = self._connection.execute(
            select(_conversations.c.id, _conversations.c.channel, _conversations.c.address,
                   _conversations.c.language, _conversations.c.updated_at)
            .where(_conversations.c.id == question.conversation_id, _conversations.c.blocked_at.is_(None))).first()
        return QuestionChat(row.id, row.channel, row.address, row.language, as_utc(row.updated_at)) \
            if row is not None else None
