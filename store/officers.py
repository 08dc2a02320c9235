"""Officers of the Dinas: who may announce, to whom (their scope), and how their chats are recognised."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, insert, or_, select, update

from store.models import AuditEvent, Officer

_officers = Officer.__table__
_audit = AuditEvent.__table__
PROVINCE = "62"  # the scope of a provincial officer: every kabupaten/kota of Kalimantan Tengah


def within(column: ColumnElement[str], scope: str) -> list[ColumnElement[bool]]:
    """The conditions that keep rows to a scope by their kabupaten/kota `column`: none for the province."""
    return [] if scope == PROVINCE else [column == scope]


def actor_of(officer_id: int) -> str:
    """How the audit trail names an officer, as the one who acted or the one acted on."""
    return f"officer:{officer_id}"


@dataclass(frozen=True, slots=True)
class OfficerInfo:
    id: int
    name: str
    phone: str | None
    telegram_id: str | None
    scope: str  # PROVINCE, or one kabupaten/kota code

    @property
    def provincial(self) -> bool:
        return self.scope == PROVINCE


OFFICER_COLUMNS = (_officers.c.id, _officers.c.name, _officers.c.phone, _officers.c.telegram_id, _officers.c.scope)


class Officers:
    """The officer queries of one unit of work; every change is audited, by whom it was made."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self.now = now

    def add(self, name: str, phone: str | None, telegram_id: str | None, scope: str, actor: str) -> int:
        if phone is None and telegram_id is None:
            raise ValueError("an officer needs a phone number or a Telegram id to be recognised by")
        officer_id = int(self._connection.execute(insert(_officers).values(
            name=name, phone=phone, telegram_id=telegram_id, scope=scope, active=True, added_at=self.now,
        )).inserted_primary_key[0])
        self._audit(actor, "officer_added", officer_id)
        return officer_id

    def remove(self, officer_id: int, actor: str) -> bool:
        """Deactivate an officer; False when there was no active officer with this id."""
        removed = self._connection.execute(update(_officers).where(
            _officers.c.id == officer_id, _officers.c.active.is_(True)).values(active=False)).rowcount
        if removed:
            self._audit(actor, "officer_removed", officer_id)
        return bool(removed)

    def active(self) -> list[OfficerInfo]:
        rows = self._connection.execute(select(*OFFICER_COLUMNS).where(_officers.c.active.is_(True)).order_by(_officers.c.id))
        return [OfficerInfo(*row) for row in rows]

    def recognise(self, telegram_id: str | None, verified_phone: str | None) -> OfficerInfo | None:
        """The active officer behind a chat: by the Telegram user id, or by a phone the channel vouches for.

        A phone number someone merely typed proves nothing, so it is never passed here.
        """
        known = [condition for condition in (
            _officers.c.telegram_id == telegram_id if telegram_id is not None else None,
            _officers.c.phone == verified_phone if verified_phone is not None else None,
        ) if condition is not None]
        if not known:
            return None
        row = self._connection.execute(select(*OFFICER_COLUMNS).where(_officers.c.active.is_(True), or_(*known))
                                       .order_by(_officers.c.id).limit(1)).first()
        return OfficerInfo(*row) if row is not None else None

    def _audit(self, actor: str, action: str, officer_id: int) -> None:
        self._connection.execute(insert(_audit).values(at=self.now, actor=actor, action=action,
                                                       subject=actor_of(officer_id)))
