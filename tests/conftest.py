"""Databases for the tests: a migrated SQLite file per test, and a real PostgreSQL server per run."""

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from fake_telegram import FakeTelegram
from server import free_port
from store.db import Database
from store.knowledge import shipped_entries
from store.migrate import upgrade
from store.models import Base

BACKENDS = ["sqlite", "postgresql"]


def _postgres_bin() -> Path | None:
    found = shutil.which("postgres")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(candidates[-1]).parent if candidates else None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tabe.sqlite3"
    upgrade(f"sqlite:///{path}")
    template = Database(f"sqlite:///{path}")
    _ship_knowledge(template)
    template.dispose()
    return path


def _ship_knowledge(database: Database) -> None:
    """What `tabe db upgrade` adds after the migrations: the shipped knowledge base."""
    with database.transaction() as registry:
        registry.knowledge.ship(shipped_entries())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a throwaway PostgreSQL server in a temporary directory, migrated to head."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        if os.environ.get("TABE_REQUIRE_POSTGRES"):
            pytest.fail("TABE_REQUIRE_POSTGRES is set but no postgres binary was found")
        pytest.skip("no postgres binary on this machine: PostgreSQL tests skipped")
    data = Path(tempfile.mkdtemp(prefix="tabe-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off -c max_connections=50"
    subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-o", options,
                    "-l", str(data / "log"), "-w", "start"], check=True, capture_output=True)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        upgrade(url)
        yield url
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated registry on each backend."""
    if request.param == "sqlite":
        database = _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        with database.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _ship_knowledge(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """An empty, migrated registry in a SQLite file, for what only concerns the embedded default."""
    database = _sqlite_copy(sqlite_template, tmp_path)
    yield database
    database.dispose()


def _sqlite_copy(template: Path, directory: Path) -> Database:
    path = directory / "tabe.sqlite3"
    shutil.copy(template, path)
    return Database(f"sqlite:///{path}")


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake
