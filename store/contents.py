"""Twilio Content resources made for screens of choices, by their content's key: each is made once, then reused."""

from datetime import datetime

from sqlalchemy import Connection, select

from store.dialects import DIALECTS
from store.models import TwilioContent

_contents = TwilioContent.__table__


def content_sid(connection: Connection, key: str) -> str | None:
    """The Content resource kept for this key; None when none was made yet."""
    return connection.execute(select(_contents.c.content_sid).where(_contents.c.key == key)).scalar()


def keep(connection: Connection, key: str, sid: str, now: datetime) -> str:
    """Keep a resource just made for this key; the one kept first when another process made one meanwhile."""
    connection.execute(DIALECTS[connection.dialect.name].insert(_contents)
                       .values(key=key, content_sid=sid, created_at=now)
                       .on_conflict_do_nothing(index_elements=["key"]))
    kept = content_sid(connection, key)
    assert kept is not None
    return kept
