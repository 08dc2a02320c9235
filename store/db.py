"""Connecting to the registry database: SQLite by default, PostgreSQL through DATABASE_URL."""

import fcntl
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime

from sqlalchemy import Engine, create_engine, event

from store.models import utcnow
from store.registry import Registry

DEFAULT_DATABASE_URL = "sqlite:///tabe.sqlite3"
BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "tabe_read_only"  # an execution option: this unit of work writes nothing


def connect(url: str = DEFAULT_DATABASE_URL) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and writer-serialising transactions."""
    if url.startswith("postgres://"):  # what Heroku-style platforms hand out
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Parameters carry NIKs and phone numbers: keep them out of error messages and logs.
    if not url.startswith("sqlite"):
        # A lock held longer than SQLite's busy timeout is an error here too, not a wait for ever.
        return create_engine(url, pool_pre_ping=True, hide_parameters=True,
                             connect_args={"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"})
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite)
    # pysqlite opens transactions lazily and as readers; BEGIN IMMEDIATE takes the write lock
    # up front, so two processes handling one owner queue instead of failing on upgrade.
    # A unit of work that only reads (the dashboard's pages and exports) begins as a reader instead: WAL
    # lets it read a snapshot while messages are written, and it must not queue behind them.
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql(
        "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"))
    return engine


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


class WriterLock:
    """One SQLite writer at a time, and the next one woken the moment the last is done.

    SQLite lets a writer that finds the database locked sleep and try again, up to 100 ms a time;
    with many messages at once that sleeping, not the work, is where the time went. Writers of
    this process queue on a lock, and those of other processes on an flock of a file beside the
    database, before taking SQLite's own lock, which is then free.
    """

    def __init__(self, database_path: str) -> None:
        self._threads = threading.Lock()
        self._file = open(database_path + "-writer.lock", "a+b")  # noqa: SIM115 - held for the engine's life
        self._timeout = BUSY_TIMEOUT_MS / 1000

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._threads.acquire(timeout=self._timeout):
            raise TimeoutError("the registry stayed busy")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        self._file.close()


class Database:
    """The registry's engine and the one way to open a unit of work on it."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL) -> None:
        self.url = url
        self.engine = connect(url)
        path = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        self._writer = WriterLock(path) if path and path != ":memory:" else None

    @contextmanager
    def transaction(self, now: datetime | None = None) -> Iterator[Registry]:
        """Yield a Registry whose changes commit together, or not at all, all stamped `now`."""
        with self._writer.held() if self._writer is not None else nullcontext(), self.engine.begin() as connection:
            registry = Registry(connection, now or utcnow())
            try:
                yield registry
            finally:
                registry.close()

    @contextmanager
    def reading(self, now: datetime | None = None) -> Iterator[Registry]:
        """Yield a Registry that reads one consistent snapshot and may write nothing; it never waits for writers."""
        with self.engine.connect().execution_options(**{READ_ONLY: True}) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            registry = Registry(connection, now or utcnow())
            try:
                yield registry
            finally:
                registry.close()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._writer is not None:
            self._writer.close()
