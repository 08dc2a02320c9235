"""The outbox: messages to owners that nobody is waiting for, claimed and sent by workers.

A row is written in the same transaction as the change that causes it. A worker claims due rows
(on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several workers never claim the same row),
commits the claim, sends, and records the outcome. A row claimed by a worker that died before
recording it is claimed again once it is older than the claim timeout: only such rows, the ones
in flight at the moment of a crash, can be sent twice.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, bindparam, case, func, select, update

from domain.outbox import SESSION_GONE
from store.dialects import DIALECTS
from store.models import (
    Announcement,
    Business,
    Conversation,
    DeliveryStatus,
    FollowUp,
    OutboxMessage,
    Programme,
    TrainingSession,
    as_utc,
)

_outbox = OutboxMessage.__table__
_announcements = Announcement.__table__
_conversations = Conversation.__table__
_statuses = DeliveryStatus.__table__
_sessions = TrainingSession.__table__
_programmes = Programme.__table__
_follow_ups = FollowUp.__table__
_businesses = Business.__table__
# The business a survey's message is about: of the owner's follow-ups in that survey, the one asked last (of several
# asked at once, the first), which is the one the owner's answer takes up (FollowUps.waiting).
# Before a worker takes it there is no follow-up yet (FollowUps.ask_surveyed): shown meanwhile (on the dashboard) with
# the owner's first business still operating.
_SURVEYED_BUSINESS = case((_outbox.c.survey_id.is_not(None), func.coalesce(
    select(_businesses.c.name)
    .select_from(_follow_ups.join(_businesses, _businesses.c.id == _follow_ups.c.business_id))
    .where(_follow_ups.c.survey_id == _outbox.c.survey_id, _follow_ups.c.owner_id == _outbox.c.owner_id)
    .order_by(_follow_ups.c.asked_at.desc(), _follow_ups.c.id).limit(1)
    .correlate(_outbox).scalar_subquery(),
    select(_businesses.c.name).where(_businesses.c.owner_id == _outbox.c.owner_id, _businesses.c.closed_at.is_(None))
    .order_by(_businesses.c.id).limit(1).correlate(_outbox).scalar_subquery(),
)))
_INSERT = {name: dialect.insert(_outbox).on_conflict_do_nothing(index_elements=["key"])
           for name, dialect in DIALECTS.items()}


class Delivery(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"  # the provider took it
    DELIVERED = "delivered"  # the provider reported it on the phone (or read)
    FAILED = "failed"  # for good: the owner blocked the bot, or the address does not exist
    CANCELLED = "cancelled"  # not sent: the owner stopped announcements or deleted their data, or its session was
    # cancelled, first


WAITING = (Delivery.PENDING, Delivery.SENDING)
PERSONAL = 0  # the priority of a message about one owner's own affairs (a reminder, a seat given)
BROADCAST = 1  # the priority of an announcement's rows: they wait while any personal message is due

# What a provider's status callback says, as the row's status: the ones not here change nothing.
_REPORTED = {"delivered": Delivery.DELIVERED, "read": Delivery.DELIVERED,
             "failed": Delivery.FAILED, "undelivered": Delivery.FAILED}


@dataclass(frozen=True, slots=True)
class SessionNews:
    """The session a message is about, as it is when the message is sent."""

    programme_name: str
    starts_at: datetime
    place: str
    kabupaten_code: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed row, as a worker needs it to send."""

    id: int
    channel: str
    address: str
    text: str  # for an announcement, the announcement's own words: the worker adds what goes around them
    attempts: int  # counting this one
    kind: str
    language: str
    heard_at: datetime | None  # when the owner last wrote in this chat: WhatsApp's 24 hours run from it
    scope: str | None = None  # an announcement's scope: whose office its heading names
    session: SessionNews | None = None  # a message about a session: the worker writes it from this
    business: str | None = None  # the name of the business a survey's first question is about


class Outbox:
    """The outbox queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name
        self.now = now

    def queue(self, kind: str, owner_id: int | None, channel: str, address: str, text: str | None, *,
              key: str | None = None, due_at: datetime | None = None, session_id: int | None = None,
              survey_id: int | None = None, language: str = "id") -> int | None:
        """Add a message: its row's id; None when one with the same key was queued before (it is not queued twice).
        A message about a session (`session_id`, no text) or a survey's first question (`survey_id`) is written in
        `language` when it is sent."""
        inserted = self._connection.execute(_INSERT[self._dialect].returning(_outbox.c.id), {
            "key": key, "kind": kind, "priority": PERSONAL, "owner_id": owner_id, "channel": channel,
            "address": address, "text": text, "status": Delivery.PENDING, "due_at": as_utc(due_at or self.now),
            "attempts": 0, "language": language, "session_id": session_id, "survey_id": survey_id}).first()
        return int(inserted.id) if inserted is not None else None

    def cancel_session_messages(self, session_id: int) -> int:
        """Cancel what still waits to go about a session (its reminders, its changes); how many."""
        return self._connection.execute(
            update(_outbox).where(_outbox.c.session_id == session_id, _outbox.c.status == Delivery.PENDING)
            .values(status=Delivery.CANCELLED, error=SESSION_GONE)).rowcount

    def claim(self, limit: int, channels: tuple[str, ...], claimed_before: datetime) -> list[Outgoing]:
        """Take up to `limit` rows for these channels: claims gone stale before `claimed_before` first, then due
        rows by priority and age."""
        stale = self._claimable(_outbox.c.status == Delivery.SENDING, _outbox.c.claimed_at < as_utc(claimed_before),
                                order=(_outbox.c.claimed_at,), channels=channels, limit=limit)
        due = self._claimable(_outbox.c.status == Delivery.PENDING, _outbox.c.due_at <= self.now,
                              order=(_outbox.c.priority, _outbox.c.due_at, _outbox.c.id), channels=channels,
                              limit=limit - len(stale)) if len(stale) < limit else []
        ids = stale + due
        if not ids:
            return []
        self._connection.execute(update(_outbox).where(_outbox.c.id.in_(ids))
                                 .values(status=Delivery.SENDING, claimed_at=self.now, attempts=_outbox.c.attempts + 1))
        return self.outgoing(ids, ())

    def outgoing(self, ids: Sequence[int], dropped: Collection[int]) -> list[Outgoing]:
        """These rows, but the `dropped`, in this order, as a worker needs them to send."""
        kept = [row_id for row_id in ids if row_id not in dropped]
        order = {row_id: position for position, row_id in enumerate(kept)}
        return sorted(self._outgoing(_outbox.c.id.in_(kept)), key=lambda outgoing: order[outgoing.id]) if kept else []

    def queued_for(self, address: str, after_id: int = 0) -> list[Outgoing]:
        """The rows queued for a chat address after `after_id`, oldest first, as a worker would take them."""
        return sorted(self._outgoing(_outbox.c.address == address, _outbox.c.id > after_id),
                      key=lambda outgoing: outgoing.id)

    def _outgoing(self, *where: ColumnElement[bool]) -> list[Outgoing]:
        """Rows as a worker needs them to send: with their announcement's words, their session as it is now, or the
        name of the business their follow-up is about."""
        rows = self._connection.execute(
            select(_outbox.c.id, _outbox.c.channel, _outbox.c.address,
                   _outbox.c.text.label("own_text"), _announcements.c.text.label("announced"),
                   _outbox.c.attempts, _outbox.c.kind, _outbox.c.language, _conversations.c.updated_at,
                   _announcements.c.scope, _programmes.c.name.label("programme_name"), _sessions.c.starts_at,
                   _sessions.c.place, _sessions.c.kabupaten_code, _SURVEYED_BUSINESS.label("business_name"))
            .select_from(_outbox
                         .outerjoin(_announcements, _announcements.c.id == _outbox.c.announcement_id)
                         .outerjoin(_sessions, _sessions.c.id == _outbox.c.session_id)
                         .outerjoin(_programmes, _programmes.c.id == _sessions.c.programme_id)
                         .outerjoin(_conversations, (_conversations.c.channel == _outbox.c.channel)
                                    & (_conversations.c.address == _outbox.c.address)))
            .where(*where)).all()
        return [Outgoing(row.id, row.channel, row.address, row.own_text or row.announced or "", row.attempts,
                         row.kind, row.language, as_utc(row.updated_at) if row.updated_at else None,
                         row.scope, session_news(row), row.business_name)
                for row in rows]

    def _claimable(self, *where: object, order: tuple[object, ...], channels: tuple[str, ...],
                   limit: int) -> list[int]:
        return list(self._connection.scalars(
            select(_outbox.c.id).where(*where, _outbox.c.channel.in_(channels))
            .order_by(*order).limit(limit).with_for_update(skip_locked=True)))

    def sent(self, taken: Collection[tuple[int, str, str | None, str, bool]]) -> None:
        """Record rows the provider took, as (row id, channel, provider message id, provider, whether as the approved
        template), in one statement; anything the provider already reported about them counts too."""
        if not taken:
            return
        self._connection.execute(
            update(_outbox).where(_outbox.c.id == bindparam("row_id"))
            .values(status=Delivery.SENT, sent_at=self.now, provider_message_id=bindparam("provider_id"),
                    provider=bindparam("carrier"), template=bindparam("as_template"), error=None, claimed_at=None),
            [{"row_id": message_id, "provider_id": provider_id, "carrier": provider, "as_template": template}
             for message_id, _channel, provider_id, provider, template in taken])
        by_channel: dict[str, list[str]] = {}
        for _id, channel, provider_id, _provider, _template in taken:
            if provider_id is not None:
                by_channel.setdefault(channel, []).append(provider_id)
        # A status callback can come before this commit: it was kept, and counts now.
        for channel, provider_ids in by_channel.items():
            early = self._connection.execute(
                select(_statuses.c.provider_message_id, _statuses.c.status, _statuses.c.error_code)
                .where(_statuses.c.channel == channel, _statuses.c.provider_message_id.in_(provider_ids))
                .order_by(_statuses.c.id))
            for row in early:
                self.reported(channel, row.provider_message_id, row.status, row.error_code)

    def reported(self, channel: str, provider_message_id: str, status: str, error_code: str | None) -> None:
        """Apply a provider's status callback to the row it is about; a delivery never undoes a failure."""
        becomes = _REPORTED.get(status)
        if becomes is None:
            return
        values: dict[str, object] = {"status": becomes}
        if becomes == Delivery.DELIVERED:
            values["delivered_at"] = self.now
            moving_from: tuple[str, ...] = (Delivery.SENT,)
        else:
            values["error"] = f"{status} {error_code or ''}".strip()
            moving_from = (Delivery.SENT, Delivery.DELIVERED)
        self._connection.execute(
            update(_outbox).where(_outbox.c.channel == channel, _outbox.c.provider_message_id == provider_message_id,
                                  _outbox.c.status.in_(moving_from)).values(**values))

    def retry(self, message_id: int, error: str, due_at: datetime) -> None:
        """Put a row back to be sent again at `due_at`, after a failure worth trying again."""
        self._finish(message_id, status=Delivery.PENDING, due_at=as_utc(due_at), error=error[:200])

    def release(self, message_ids: Collection[int]) -> None:
        """Put claimed rows back untried (their worker is stopping, or their channel must pause): no attempt counted."""
        self._connection.execute(
            update(_outbox).where(_outbox.c.id.in_(message_ids), _outbox.c.status == Delivery.SENDING)
            .values(status=Delivery.PENDING, claimed_at=None, attempts=_outbox.c.attempts - 1))

    def failed(self, message_id: int, error: str) -> None:
        self._finish(message_id, status=Delivery.FAILED, error=error[:200])

    def _finish(self, message_id: int, **values: object) -> None:
        self._connection.execute(update(_outbox).where(_outbox.c.id == message_id).values(claimed_at=None, **values))


def session_news(row: Row[Any]) -> SessionNews | None:
    """The session a row is about, read with it (programme_name, starts_at, place, kabupaten_code); None for any
    other message."""
    if row.programme_name is None:
        return None
    return SessionNews(row.programme_name, as_utc(row.starts_at), row.place, row.kabupaten_code)
