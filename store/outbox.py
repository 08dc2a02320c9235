"""The outbox: messages to owners that nobody is waiting for, claimed and sent by workers.

A row is written in the same transaction as the change that causes it. A worker claims due rows
(on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several workers never claim the same row),
commits the claim, sends, and records the outcome. A row claimed by a worker that died before
recording it is claimed again once it is older than the claim timeout: only such rows, the ones
in flight at the moment of a crash, can be sent twice.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, or_, select, update

from store.dialects import DIALECTS
from store.models import OutboxMessage, as_utc

_outbox = OutboxMessage.__table__
_INSERT = {name: dialect.insert(_outbox).on_conflict_do_nothing(index_elements=["key"])
           for name, dialect in DIALECTS.items()}


class Delivery(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # for good: the owner blocked the bot, or the address does not exist


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed row, as a worker needs it to send."""

    id: int
    channel: str
    address: str
    text: str
    attempts: int  # counting this one


class Outbox:
    """The outbox queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name
        self.now = now

    def queue(self, kind: str, owner_id: int | None, channel: str, address: str, text: str, *,
              key: str | None = None, due_at: datetime | None = None) -> bool:
        """Add a message; False when one with the same key was queued before (it is not queued twice)."""
        inserted = self._connection.execute(_INSERT[self._dialect].returning(_outbox.c.id), {
            "key": key, "kind": kind, "owner_id": owner_id, "channel": channel, "address": address, "text": text,
            "status": Delivery.PENDING, "due_at": as_utc(due_at or self.now), "attempts": 0}).first()
        return inserted is not None

    def claim(self, limit: int, channels: tuple[str, ...], claimed_before: datetime) -> list[Outgoing]:
        """Take up to `limit` due rows for these channels, and rows whose claim went stale before `claimed_before`."""
        due = or_(
            (_outbox.c.status == Delivery.PENDING) & (_outbox.c.due_at <= self.now),
            (_outbox.c.status == Delivery.SENDING) & (_outbox.c.claimed_at < as_utc(claimed_before)),
        )
        rows = self._connection.execute(
            select(_outbox.c.id, _outbox.c.channel, _outbox.c.address, _outbox.c.text, _outbox.c.attempts)
            .where(_outbox.c.status.in_((Delivery.PENDING, Delivery.SENDING)), due, _outbox.c.channel.in_(channels))
            .order_by(_outbox.c.due_at, _outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)).all()
        if rows:
            self._connection.execute(
                update(_outbox).where(_outbox.c.id.in_([row.id for row in rows]))
                .values(status=Delivery.SENDING, claimed_at=self.now, attempts=_outbox.c.attempts + 1))
        return [Outgoing(row.id, row.channel, row.address, row.text, row.attempts + 1) for row in rows]

    def sent(self, message_id: int, provider_message_id: str | None) -> None:
        self._finish(message_id, status=Delivery.SENT, sent_at=self.now, provider_message_id=provider_message_id,
                     error=None)

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
