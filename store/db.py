"""Connecting to the registry database: SQLite by default, PostgreSQL through DATABASE_URL."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, create_engine, event

from store.models import utcnow
from store.registry import Registry

DEFAULT_DATABASE_URL = "sqlite:///tabe.sqlite3"


def connect(url: str = DEFAULT_DATABASE_URL) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and writer-serialising transactions."""
    if url.startswith("postgres://"):  # what Heroku-style platforms hand out
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Parameters carry NIKs and phone numbers: keep them out of error messages and logs.
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite)
    # pysqlite opens transactions lazily and as readers; BEGIN IMMEDIATE takes the write lock
    # up front, so two processes handling one owner queue instead of failing on upgrade.
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """The registry's engine and the one way to open a unit of work on it."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL) -> None:
        self.url = url
        self.engine = connect(url)

    @contextmanager
    def transaction(self, now: datetime | None = None) -> Iterator[Registry]:
        """Yield a Registry whose changes commit together, or not at all, all stamped `now`."""
        with self.engine.begin() as connection:
            registry = Registry(connection, now or utcnow())
            try:
                yield registry
            finally:
                registry.close()

    def dispose(self) -> None:
        self.engine.dispose()
