"""The record of every download of registry data: who, when, which filter, how many rows, why full NIKs.

Each export is also an audit event, named by the export's id alone: the audit trail says that personal
data left the registry, never which.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from store.models import AuditEvent, Export, Officer, as_utc
from store.officers import actor_of, within

_exports = Export.__table__
_officers = Officer.__table__
_audit = AuditEvent.__table__


@dataclass(frozen=True, slots=True)
class ExportInfo:
    id: int
    officer_id: int
    officer_name: str
    officer_scope: str  # as they exported
    started_at: datetime
    finished_at: datetime | None  # None: still running, or the download broke off
    what: str
    format: str
    filter: dict[str, Any]
    rows: int
    full_nik: bool
    reason: str | None


class Exports:
    """The export records of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self.now = now

    def start(self, officer_id: int, what: str, format: str, filter: dict[str, Any], full_nik: bool,
              reason: str | None, *, scope: str) -> int:
        """Record an export by an officer of `scope` as it begins, and audit it; returns its id."""
        export_id = int(self._connection.execute(insert(_exports).values(
            officer_id=officer_id, scope=scope, started_at=self.now, what=what, format=format, filter=filter, rows=0,
            full_nik=full_nik, reason=reason)).inserted_primary_key[0])
        self._connection.execute(insert(_audit).values(
            at=self.now, actor=actor_of(officer_id), action="export_full_nik" if full_nik else "export",
            subject=f"export:{export_id}"))
        return export_id

    def finish(self, export_id: int, rows: int, complete: bool) -> None:
        """Record how many rows were written; an export that broke off keeps no finishing time."""
        self._connection.execute(update(_exports).where(_exports.c.id == export_id).values(
            rows=rows, finished_at=self.now if complete else None))

    def recent(self, scope: str, limit: int = 50) -> list[ExportInfo]:
        """The latest exports, newest first: all for the province, else those made in this scope (an officer
        moved to another kabupaten/kota takes no earlier export along)."""
        rows = self._connection.execute(
            select(_exports.c.id, _exports.c.officer_id, _officers.c.name, _exports.c.scope, _exports.c.started_at,
                   _exports.c.finished_at, _exports.c.what, _exports.c.format, _exports.c.filter, _exports.c.rows,
                   _exports.c.full_nik, _exports.c.reason)
            .select_from(_exports.join(_officers, _officers.c.id == _exports.c.officer_id))
            .where(*within(_exports.c.scope, scope)).order_by(_exports.c.id.desc()).limit(limit))
        return [ExportInfo(*row[:4], as_utc(row[4]), as_utc(row[5]) if row[5] is not None else None, *row[6:])
                for row in rows]
