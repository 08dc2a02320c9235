"""Officers in the registry, and `tabe officers add|list|remove` as a process."""

import os
import subprocess

from sqlalchemy import select

from server import TABE
from store.db import Database
from store.models import AuditEvent
from store.officers import PROVINCE


def test_an_officer_is_recognised_by_telegram_id_or_vouched_phone_while_active(database: Database) -> None:
    with database.transaction() as registry:
        provincial = registry.officers.add("Rina Lestari", "+6281234500001", None, PROVINCE, actor="test")
        kotim = registry.officers.add("Budi Tambun", None, "777001", "62.02", actor="test")
    with database.transaction() as registry:
        by_phone = registry.officers.recognise(None, "+6281234500001")
        by_telegram = registry.officers.recognise("777001", None)
        assert by_phone is not None and (by_phone.id, by_phone.provincial) == (provincial, True)
        assert by_telegram is not None and (by_telegram.id, by_telegram.scope) == (kotim, "62.02")
        assert registry.officers.recognise("777002", "+6281234500002") is None
        assert registry.officers.recognise(None, None) is None
        assert registry.officers.remove(kotim, actor="test")
        assert not registry.officers.remove(kotim, actor="test")
    with database.transaction() as registry:
        assert registry.officers.recognise("777001", None) is None
        assert [officer.id for officer in registry.officers.active()] == [provincial]
    with database.engine.connect() as connection:
        audited = connection.execute(select(AuditEvent.action, AuditEvent.subject).order_by(AuditEvent.id)).all()
    assert [tuple(row) for row in audited] == [("officer_added", f"officer:{provincial}"),
                                               ("officer_added", f"officer:{kotim}"),
                                               ("officer_removed", f"officer:{kotim}")]


def _tabe(database: Database, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TABE), *arguments], env={**os.environ, "DATABASE_URL": database.url},
                          capture_output=True, text=True, timeout=60)


def test_tabe_officers_add_list_remove(sqlite_database: Database) -> None:
    added = _tabe(sqlite_database, "officers", "add", "--name", "Rina Lestari", "--phone", "0812-3450-0001",
                  "--scope", "provinsi")
    assert added.returncode == 0, added.stderr
    assert "officer 1 added: Rina Lestari, scope Provinsi Kalimantan Tengah" in added.stdout
    kotim = _tabe(sqlite_database, "officers", "add", "--name", "Budi Tambun", "--telegram", "777001",
                  "--scope", "Kotim")
    assert kotim.returncode == 0 and "scope Kabupaten Kotawaringin Timur" in kotim.stdout
    listed = _tabe(sqlite_database, "officers", "list").stdout
    assert "+6281234500001" in listed and "777001" in listed
    assert _tabe(sqlite_database, "officers", "remove", "2").returncode == 0
    assert "Budi Tambun" not in _tabe(sqlite_database, "officers", "list").stdout
    assert _tabe(sqlite_database, "officers", "remove", "2").returncode == 1


def test_tabe_officers_add_refuses_what_cannot_be_an_officer(sqlite_database: Database) -> None:
    nowhere = _tabe(sqlite_database, "officers", "add", "--name", "X", "--phone", "0812-3450-0001", "--scope",
                    "Kota Baru")
    assert nowhere.returncode == 2 and "Kota Baru" in nowhere.stderr
    unreachable = _tabe(sqlite_database, "officers", "add", "--name", "X", "--scope", "62.02")
    assert unreachable.returncode == 2 and "--phone" in unreachable.stderr
    assert "no officers yet" in _tabe(sqlite_database, "officers", "list").stdout
