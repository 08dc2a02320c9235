"""Officers' way into the dashboard: one-time login links, the sessions they open, and the cookie key.

Only hashes of the tokens are kept, so the registry's contents never let anyone in. A link is good
once and for minutes; a session ends when the officer logs out, when it expires, or when the officer
is removed, whatever the cookie still says.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from store.dialects import DIALECTS
from store.models import AuditEvent, DashboardSession, LoginLink, Officer, Secret
from store.officers import OFFICER_COLUMNS, OfficerInfo, actor_of

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
COOKIE_KEY = "dashboard_cookie_key"

_links = LoginLink.__table__
_sessions = DashboardSession.__table__
_officers = Officer.__table__
_secrets = Secret.__table__
_audit = AuditEvent.__table__


@dataclass(frozen=True, slots=True)
class Viewer:
    """The officer behind a dashboard session, and the token every form of that session must carry."""

    officer: OfficerInfo
    session_id: int
    csrf_token: str

    @property
    def scope(self) -> str:
        return self.officer.scope


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Logins:
    """The login queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self.now = now

    def new_link(self, officer_id: int) -> str:
        """A new one-time link token for an officer; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        self._connection.execute(insert(_links).values(token_hash=_hash(token), officer_id=officer_id,
                                                       created_at=self.now, expires_at=self.now + LINK_LIFETIME))
        return token

    def link_officer(self, token: str) -> OfficerInfo | None:
        """The active officer a link is for, while it is unused and unexpired; looking does not use it."""
        row = self._connection.execute(select(*OFFICER_COLUMNS).join(_links, _links.c.officer_id == _officers.c.id)
                                       .where(*self._usable(token))).first()
        return OfficerInfo(*row) if row is not None else None

    def use_link(self, token: str) -> str | None:
        """Use a link, once: a new session's token, or None when the link is unknown, used or expired."""
        officer_id = self._connection.execute(
            update(_links).where(*self._usable(token), _links.c.officer_id.in_(
                select(_officers.c.id).where(_officers.c.active.is_(True))))
            .values(used_at=self.now).returning(_links.c.officer_id)).scalar()
        if officer_id is None:
            return None
        session_token = secrets.token_urlsafe(32)
        session_id = self._connection.execute(insert(_sessions).values(
            token_hash=_hash(session_token), officer_id=officer_id, csrf_token=secrets.token_urlsafe(32),
            created_at=self.now, expires_at=self.now + SESSION_LIFETIME)).inserted_primary_key[0]
        self._audit(officer_id, "dashboard_login", f"dashboard_session:{session_id}")
        return session_token

    def viewer(self, session_token: str) -> Viewer | None:
        """Who a session token belongs to, while the session is open and its officer active."""
        row = self._connection.execute(
            select(*OFFICER_COLUMNS, _sessions.c.id, _sessions.c.csrf_token)
            .join(_sessions, _sessions.c.officer_id == _officers.c.id)
            .where(_sessions.c.token_hash == _hash(session_token), _sessions.c.ended_at.is_(None),
                   _sessions.c.expires_at > self.now, _officers.c.active.is_(True))).first()
        if row is None:
            return None
        *officer, session_id, csrf_token = row
        return Viewer(OfficerInfo(*officer), session_id, csrf_token)

    def end(self, viewer: Viewer) -> None:
        """Log out: the session's cookie opens nothing from now on."""
        self._connection.execute(update(_sessions).where(_sessions.c.id == viewer.session_id).values(ended_at=self.now))
        self._audit(viewer.officer.id, "dashboard_logout", f"dashboard_session:{viewer.session_id}")

    def cookie_key(self) -> str:
        """The key that signs dashboard cookies: made once per registry, so every process signs alike."""
        insert_new = DIALECTS[self._connection.dialect.name].insert(_secrets).on_conflict_do_nothing()
        self._connection.execute(insert_new.values(name=COOKIE_KEY, value=secrets.token_urlsafe(48)))
        return self._connection.execute(select(_secrets.c.value).where(_secrets.c.name == COOKIE_KEY)).scalar_one()

    def _usable(self, token: str) -> tuple[ColumnElement[bool], ...]:
        return _links.c.token_hash == _hash(token), _links.c.used_at.is_(None), _links.c.expires_at > self.now

    def _audit(self, officer_id: int, action: str, subject: str) -> None:
        self._connection.execute(insert(_audit).values(at=self.now, actor=actor_of(officer_id), action=action,
                                                       subject=subject))
