"""Announcements: who a segment reaches, one outbox row per recipient written in one statement, and the report.

A segment is the officer's choice (a kabupaten, a sector, a class, a self-assessment level, a programme's or one
session's participants, any of them together) inside the officer's scope, which the query itself enforces: an
owner is reached only through a business that is in scope and matches every condition at once. Only owners who
said yes to announcements receive them: those who said no (or "berhenti") are left out, and so are those
who never answered, and those no chat can reach: every Telegram or WhatsApp chat of theirs blocked the
bot, or they only ever used the browser or the terminal. Each is counted.

An announcement goes at once, or at the time its officer chose: its rows are written when it is queued, due then,
so the worker leaves them until that time; until then the officer can cancel it, and none of them goes.
"""

from collections import Counter
from collections.abc import Collection
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from domain.channels import WHATSAPP, window_opened
from domain.outbox import ANNOUNCEMENT, ERASED, STOPPED, WITHDRAWN
from store.dialects import DIALECTS
from store.models import (
    Announcement,
    Assessment,
    AuditEvent,
    Business,
    Consent,
    Conversation,
    Enrollment,
    OutboxMessage,
    Owner,
    TrainingSession,
    as_utc,
)
from store.officers import PROVINCE, actor_of, within
from store.outbox import BROADCAST, WAITING, Delivery

CONSENT_PURPOSE = "announcements"  # receiving announcements is a purpose of its own
ENROLLED = ("registered", "waitlisted", "attended")  # a programme's participants, whatever their seat

_announcements = Announcement.__table__
_outbox = OutboxMessage.__table__
_owners = Owner.__table__
_businesses = Business.__table__
_conversations = Conversation.__table__
_assessments = Assessment.__table__
_enrollments = Enrollment.__table__
_sessions = TrainingSession.__table__
_consents = Consent.__table__
_audit = AuditEvent.__table__
# Said yes, and not no since: who is sent announcements.
_RECEIVES = and_(_owners.c.announcements_accepted_at.is_not(None), _owners.c.announcements_stopped_at.is_(None))
# A form's request key is written once: the insert of a second press of the same form does nothing.
_INSERT = {name: dialect.insert(_announcements).on_conflict_do_nothing(index_elements=["request_key"])
           for name, dialect in DIALECTS.items()}


@dataclass(frozen=True, slots=True)
class Segment:
    """Who an announcement is for: every condition must hold for one business, inside `scope`.

    `scope` is the author's reach (PROVINCE or a kabupaten/kota code), never the officer's choice.
    """

    scope: str
    kabupaten: str | None = None
    sector: str | None = None
    business_class: str | None = None
    programme_id: int | None = None
    session_id: int | None = None
    level: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Segment":
        known = {field.name for field in fields(cls)}
        return cls(**{name: value for name, value in data.items() if name in known})


@dataclass(frozen=True, slots=True)
class Reach:
    """How many owners an announcement reaches, and how many of those it chose are left out, by reason."""

    recipients: int
    stopped: int = 0  # said no, or "berhenti"
    blocked: int = 0
    no_chat: int = 0
    not_asked: int = 0  # never said yes or no

    @property
    def chosen(self) -> int:
        return self.recipients + self.stopped + self.blocked + self.no_chat + self.not_asked


@dataclass(frozen=True, slots=True)
class Report:
    """An announcement and what became of its rows so far."""

    id: int
    author: str
    officer_id: int | None
    scope: str
    segment: Segment
    text: str
    created_at: datetime
    send_at: datetime | None  # when it was to go, if its officer chose a time; else it went at once
    cancelled_at: datetime | None  # its officer cancelled it before then
    reach: Reach
    waiting: int
    sent: int
    delivered: int
    failed: int
    cancelled: int  # the owner said "berhenti" or deleted their data before it went, or the officer cancelled it

    def cancellable(self, now: datetime) -> bool:
        """Whether its officer can still cancel it: it is to go at a time still ahead."""
        return self.cancelled_at is None and self.send_at is not None and self.send_at > now


@dataclass(frozen=True, slots=True)
class Carried:
    """How many of an announcement's messages one provider took: as free text, and as the approved template (which
    Meta charges for)."""

    provider: str
    free_text: int
    template: int


class Cancelled(StrEnum):
    """What became of an officer's cancelling of an announcement."""

    DONE = "done"  # none of its rows will go
    UNKNOWN = "unknown"  # no such announcement within the officer's scope
    GONE = "gone"  # it went at once, or its time has come: too late
    ALREADY = "already"  # cancelled before


@dataclass(frozen=True, slots=True)
class Recipient:
    """One row of an announcement, as an officer may see it: who, where, and what became of it."""

    owner_name: str | None  # None once the owner deleted their data
    channel: str
    status: str
    error: str | None
    sent_at: datetime | None
    delivered_at: datetime | None


class Announcements:
    """The announcement queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name
        self.now = now

    def reach(self, segment: Segment, channels: Collection[str]) -> Reach:
        """How many owners the segment would reach on these channels, and who it would leave out."""
        stopped, receives = _owners.c.announcements_stopped_at.is_not(None), _RECEIVES
        reachable = _chat_of_owner(channels, _conversations.c.blocked_at.is_(None))
        any_chat = _chat_of_owner(channels)
        row = self._connection.execute(select(
            func.count(),
            func.sum(case((stopped, 1), else_=0)),
            func.sum(case((and_(~stopped, ~receives), 1), else_=0)),
            func.sum(case((and_(receives, reachable), 1), else_=0)),
            func.sum(case((and_(receives, ~reachable, any_chat), 1), else_=0)),
        ).select_from(_owners).where(_chosen(segment))).one()
        matched, stopped_count, not_asked, recipients, blocked = (int(value or 0) for value in row)
        no_chat = matched - stopped_count - not_asked - recipients - blocked
        return Reach(recipients, stopped_count, blocked, no_chat, not_asked)

    def announce(self, text: str, segment: Segment, channels: Collection[str], author: str,
                 officer_id: int | None = None, request_key: str | None = None,
                 send_at: datetime | None = None) -> tuple[int, Reach]:
        """Write the announcement and one outbox row per owner it reaches, on the chat each used last, due at
        `send_at` (a moment ahead; None: now).

        With a `request_key` (the dashboard's form), the same key announces once: a second call returns the first
        announcement, even one a concurrent transaction is writing (PostgreSQL makes this insert wait for it).
        """
        reach = self.reach(segment, channels)
        send_at = as_utc(send_at) if send_at is not None else None
        inserted = self._connection.execute(_INSERT[self._dialect].values(
            officer_id=officer_id, author=author, scope=segment.scope, segment=segment.as_json(), text=text,
            created_at=self.now, recipients=reach.recipients, stopped=reach.stopped, blocked=reach.blocked,
            no_chat=reach.no_chat, not_asked=reach.not_asked, request_key=request_key, send_at=send_at,
        ).returning(_announcements.c.id)).first()
        if inserted is None:  # only a request key conflicts: the announcement of an earlier press stands
            earlier = self.requested(str(request_key))
            if earlier is None:
                raise LookupError("a request key conflicted with no announcement")
            return earlier
        announcement_id = int(inserted[0])
        if officer_id is not None:
            self._connection.execute(insert(_audit).values(at=self.now, actor=actor_of(officer_id),
                                                           action="announcement_queued",
                                                           subject=f"announcement:{announcement_id}"))
        chats = _recipient_chats(segment, channels)
        columns = ("kind", "priority", "announcement_id", "owner_id", "channel", "address", "language", "status",
                   "due_at", "attempts")
        self._connection.execute(insert(_outbox).from_select(columns, select(
            literal(ANNOUNCEMENT), literal(BROADCAST), literal(announcement_id), chats.c.owner_id, chats.c.channel,
            chats.c.address, chats.c.language, literal(str(Delivery.PENDING)), literal(send_at or self.now), literal(0),
        ).where(chats.c.latest == 1).order_by(chats.c.owner_id)))
        return announcement_id, reach

    def templates_needed(self, segment: Segment, channels: Collection[str], at: datetime) -> int:
        """How many of the owners the segment reaches are written to on WhatsApp and will not have written within its
        24 hours at `at` (when it goes), as far as the registry knows now: theirs can only go as the approved
        template."""
        chats = _recipient_chats(segment, channels)
        return int(self._connection.scalar(select(func.count()).select_from(chats).where(
            chats.c.latest == 1, chats.c.channel == WHATSAPP, chats.c.heard_at <= window_opened(as_utc(at)))) or 0)

    def cancel(self, announcement_id: int, scope: str, officer_id: int | None = None) -> Cancelled:
        """Cancel an announcement whose time is still ahead: none of its rows goes, and it says so."""
        row = self._connection.execute(select(_announcements.c.send_at, _announcements.c.cancelled_at).where(
            _announcements.c.id == announcement_id, *within(_announcements.c.scope, scope))).first()
        if row is None:
            return Cancelled.UNKNOWN
        if row.cancelled_at is not None:
            return Cancelled.ALREADY
        # The same moment the worker compares with: a row due now may be on its way already.
        if row.send_at is None or as_utc(row.send_at) <= self.now:
            return Cancelled.GONE
        self._connection.execute(update(_announcements).where(_announcements.c.id == announcement_id)
                                 .values(cancelled_at=self.now))
        self._connection.execute(update(_outbox).where(
            _outbox.c.announcement_id == announcement_id, _outbox.c.status == Delivery.PENDING,
        ).values(status=Delivery.CANCELLED, error=WITHDRAWN))
        if officer_id is not None:
            self._connection.execute(insert(_audit).values(at=self.now, actor=actor_of(officer_id),
                                                           action="announcement_cancelled",
                                                           subject=f"announcement:{announcement_id}"))
        return Cancelled.DONE

    def requested(self, request_key: str) -> tuple[int, Reach] | None:
        """The announcement a form with this key made, and whom it reached then; None when it made none."""
        row = self._connection.execute(
            select(_announcements).where(_announcements.c.request_key == request_key)).first()
        return (row.id, _reach_of(row)) if row is not None else None

    def report(self, announcement_id: int, scope: str = PROVINCE) -> Report | None:
        """An announcement with its rows counted by status; None unless it is within `scope`."""
        row = self._connection.execute(select(_announcements).where(
            _announcements.c.id == announcement_id, *within(_announcements.c.scope, scope))).first()
        if row is None:
            return None
        counts = Counter({status: count for status, count in self._connection.execute(
            select(_outbox.c.status, func.count()).where(_outbox.c.announcement_id == announcement_id)
            .group_by(_outbox.c.status))})
        return Report(
            id=row.id, author=row.author, officer_id=row.officer_id, scope=row.scope,
            segment=Segment.from_json(row.segment), text=row.text, created_at=as_utc(row.created_at),
            send_at=_moment(row.send_at), cancelled_at=_moment(row.cancelled_at), reach=_reach_of(row),
            waiting=sum(counts[status] for status in WAITING), sent=counts[Delivery.SENT],
            delivered=counts[Delivery.DELIVERED], failed=counts[Delivery.FAILED],
            cancelled=counts[Delivery.CANCELLED])

    def carried(self, announcement_id: int) -> list[Carried]:
        """Each provider that took some of the announcement's messages (by name), with how many went as free text and
        how many as the approved template."""
        as_template = _outbox.c.template.is_(True)
        rows = self._connection.execute(
            select(_outbox.c.provider, func.sum(case((as_template, 0), else_=1)),
                   func.sum(case((as_template, 1), else_=0)))
            .where(_outbox.c.announcement_id == announcement_id, _outbox.c.provider.is_not(None))
            .group_by(_outbox.c.provider).order_by(_outbox.c.provider))
        return [Carried(provider, int(free_text), int(template)) for provider, free_text, template in rows]

    def recent(self, scope: str = PROVINCE, limit: int = 5, offset: int = 0) -> list[Report]:
        """The latest announcements within `scope`, newest first (skipping the `offset` latest)."""
        ids = self._connection.scalars(select(_announcements.c.id).where(*within(_announcements.c.scope, scope))
                                       .order_by(_announcements.c.id.desc()).limit(limit).offset(offset))
        return [report for announcement_id in ids if (report := self.report(announcement_id, scope)) is not None]

    def recipients(self, announcement_id: int, limit: int | None = None, offset: int = 0) -> list[Recipient]:
        """The rows of an announcement in the order they were queued: every one, or a page of them."""
        rows = self._connection.execute(
            select(_owners.c.name, _outbox.c.channel, _outbox.c.status, _outbox.c.error, _outbox.c.sent_at,
                   _outbox.c.delivered_at)
            .select_from(_outbox.outerjoin(_owners, _owners.c.id == _outbox.c.owner_id))
            .where(_outbox.c.announcement_id == announcement_id)
            .order_by(_outbox.c.id).limit(limit).offset(offset))
        return [Recipient(*row) for row in rows]

    def receives(self, owner_id: int) -> bool:
        """Whether the owner said yes to announcements (and not no since)."""
        return self._connection.scalar(select(_RECEIVES).where(_owners.c.id == owner_id)) is True

    def owes_an_answer(self, owner_id: int) -> bool:
        """Whether the owner was never asked about announcements and never said yes or no of their own."""
        return self._connection.scalar(select(_owners.c.id).where(
            _owners.c.id == owner_id, _owners.c.announcements_asked_at.is_(None),
            _owners.c.announcements_accepted_at.is_(None), _owners.c.announcements_stopped_at.is_(None))) is not None

    def asked(self, owner_id: int) -> None:
        """The question is put to the owner now: it is not put again, answered or not."""
        self._connection.execute(update(_owners).where(
            _owners.c.id == owner_id, _owners.c.announcements_asked_at.is_(None)).values(announcements_asked_at=self.now))

    def stop(self, owner_id: int, text_version: str) -> bool:
        """The owner says no, or "berhenti": nothing more is queued for them and what waits is cancelled; False
        when they had said no already."""
        if not self._answer(owner_id, text_version, accepted=False):
            return False
        self._connection.execute(update(_outbox).where(
            _outbox.c.owner_id == owner_id, _outbox.c.announcement_id.is_not(None),
            _outbox.c.status == Delivery.PENDING).values(status=Delivery.CANCELLED, error=STOPPED))
        return True

    def resume(self, owner_id: int, text_version: str) -> bool:
        """The owner says yes, or "mulai": announcements queued from now on reach them; False when they had said
        yes already."""
        return self._answer(owner_id, text_version, accepted=True)

    def forget_owner(self, owner_id: int) -> None:
        """Before an owner's data is deleted: their rows stay counted in the reports, with nothing personal in them."""
        self._connection.execute(update(_outbox).where(
            _outbox.c.owner_id == owner_id, _outbox.c.announcement_id.is_not(None)).values(
            owner_id=None, address="",
            status=case((_outbox.c.status == Delivery.PENDING, literal(str(Delivery.CANCELLED))),
                        else_=_outbox.c.status),
            error=case((_outbox.c.status == Delivery.PENDING, literal(ERASED)), else_=_outbox.c.error)))

    def _answer(self, owner_id: int, text_version: str, *, accepted: bool) -> bool:
        """Record the owner's answer, as proof, when it changes anything."""
        changed = self._connection.execute(update(_owners).where(
            _owners.c.id == owner_id, ~_RECEIVES if accepted else _owners.c.announcements_stopped_at.is_(None),
        ).values(announcements_accepted_at=self.now if accepted else None,
                 announcements_stopped_at=None if accepted else self.now)).rowcount
        if changed:
            self._connection.execute(insert(_consents).values(
                owner_id=owner_id, purpose=CONSENT_PURPOSE, text_version=text_version, accepted=accepted,
                answered_at=self.now))
        return bool(changed)


def _moment(stored: datetime | None) -> datetime | None:
    return as_utc(stored) if stored is not None else None


def _reach_of(row: Row[Any]) -> Reach:
    """Whom an announcement reached, as its row kept it when it was queued."""
    return Reach(row.recipients, row.stopped, row.blocked, row.no_chat, row.not_asked)


def _chat_of_owner(channels: Collection[str], *where: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(_conversations.c.owner_id == _owners.c.id, _conversations.c.channel.in_(channels), *where)


def _recipient_chats(segment: Segment, channels: Collection[str]) -> Subquery:
    """The chats of the owners the segment reaches (`latest` 1: the one each is written to)."""
    return latest_chats(select(_owners.c.id).where(_chosen(segment), _RECEIVES), channels)


def latest_chats(owner_ids: Select[Any], channels: Collection[str]) -> Subquery:
    """Each of these owners' chats on these channels that did not block the bot, numbered from their latest
    (`latest` 1): the chat a message nobody waits for goes to; `heard_at`, when the owner last wrote in it."""
    latest = func.row_number().over(partition_by=_conversations.c.owner_id,
                                    order_by=(_conversations.c.updated_at.desc(), _conversations.c.id.desc()))
    return (select(_conversations.c.owner_id, _conversations.c.channel, _conversations.c.address,
                   _conversations.c.language, _conversations.c.updated_at.label("heard_at"), latest.label("latest"))
            .where(_conversations.c.channel.in_(channels), _conversations.c.blocked_at.is_(None),
                   _conversations.c.owner_id.in_(owner_ids))
            .subquery())


def _chosen(segment: Segment) -> ColumnElement[bool]:
    """Owners with a business that is in scope and matches every condition of the segment."""
    return exists().where(_businesses.c.owner_id == _owners.c.id, *business_matches(segment)) & owner_matches(segment)


def business_matches(segment: Segment) -> list[ColumnElement[bool]]:
    """The segment's conditions on a business (of the businesses table): in scope, and each field chosen."""
    business = list(within(_businesses.c.kabupaten_code, segment.scope))
    for column, value in ((_businesses.c.kabupaten_code, segment.kabupaten),
                          (_businesses.c.sector, segment.sector),
                          (_businesses.c.business_class, segment.business_class)):
        if value is not None:
            business.append(column == value)
    if segment.level is not None:
        business.append(exists().where(_assessments.c.business_id == _businesses.c.id,
                                       _assessments.c.latest.is_(True), _assessments.c.level == segment.level))
    return business


def owner_matches(segment: Segment) -> ColumnElement[bool]:
    """The segment's conditions on the owner (of the owners table): taking part in the programme chosen, and in the
    session chosen, if any."""
    taking_part = and_(_enrollments.c.owner_id == _owners.c.id, _enrollments.c.status.in_(ENROLLED))
    matches = true()
    if segment.programme_id is not None:
        matches &= exists().where(taking_part, _enrollments.c.session_id == _sessions.c.id,
                                  _sessions.c.programme_id == segment.programme_id)
    if segment.session_id is not None:
        matches &= exists().where(taking_part, _enrollments.c.session_id == segment.session_id)
    return matches
