"""Bringing a database to the newest schema with Alembic, and saying in one line why a database cannot be used."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from store.db import connect

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
URL_EXAMPLES = "sqlite:///tabe.sqlite3 or postgresql://USER:PASSWORD@HOST/NAME"


class DatabaseUnusable(Exception):
    """The registry cannot be used as it is; the message says in one line what failed and what to do."""


class BadDatabaseUrl(DatabaseUnusable):
    """DATABASE_URL itself is wrong: waiting for the database to come up will not help."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision`; running it twice changes nothing."""
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest migration this version of the code ships."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The migration the database was last brought to; None when it never was."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def check_database(url: str, *, migrated: bool = True) -> None:
    """Raise DatabaseUnusable unless the database at `url` answers and, when `migrated`, has this code's newest schema.

    A SQLite file that is not there is not created: `tabe db upgrade` (`migrated=False`) creates it.
    The URL is only ever shown with its password hidden.
    """
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # not a URL at all, or a port that is not a number
        raise BadDatabaseUrl(f"DATABASE_URL is not a database URL: give one like {URL_EXAMPLES}") from None
    try:
        engine = connect(url)
    except (ArgumentError, ImportError):  # a dialect SQLAlchemy does not know, or a driver that is not installed
        raise BadDatabaseUrl(f"DATABASE_URL {shown} is not a database this bot runs on: give one like "
                             f"{URL_EXAMPLES}") from None
    try:
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            _check_sqlite_file(Path(database), shown, migrated)
        try:
            with engine.connect() as connection:
                revision = current_revision(connection)
        except SQLAlchemyError as error:  # the driver's own words say why: refused, no such host, wrong password
            raise DatabaseUnusable(f"cannot reach the database at {shown}: {_first_line(error)}") from None
    finally:
        engine.dispose()
    script = ScriptDirectory(str(MIGRATIONS))
    if revision is not None and revision not in {known.revision for known in script.walk_revisions()}:
        raise DatabaseUnusable(f"the database at {shown} has schema {revision}, which this version of tabe does not "
                               "know: run the version that migrated it")
    head = script.get_current_head()
    if migrated and revision != head:
        behind = f" (schema {revision}, this version needs {head})" if revision else ""
        raise DatabaseUnusable(f"the database at {shown} is not migrated{behind}: run `tabe db upgrade`")


def _first_line(error: SQLAlchemyError) -> str:
    """The first line of the driver's own words for a failure (refused, locked, read-only), never a traceback."""
    said = str(getattr(error, "orig", None) or error).strip().splitlines()
    return said[0] if said else type(error).__name__


def failed_midway(url: str, error: SQLAlchemyError) -> DatabaseUnusable:
    """A database that passed the check at start but failed later (locked too long, connection lost, read-only)."""
    return DatabaseUnusable(f"the database at {make_url(url).render_as_string(hide_password=True)} failed: "
                            f"{_first_line(error)}")


def _check_sqlite_file(path: Path, shown: str, migrated: bool) -> None:
    if not path.parent.is_dir():
        raise BadDatabaseUrl(f"DATABASE_URL {shown}: there is no directory {path.parent} for the database file")
    if migrated and not path.exists():
        raise DatabaseUnusable(f"there is no database at {shown} yet: run `tabe db upgrade`")
