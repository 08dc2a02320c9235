"""The record of exports (store/exports.py): what is kept, what is audited, and who sees which.

Every test runs on SQLite and on PostgreSQL.
"""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from store.db import Database
from store.models import AuditEvent, Officer
from store.officers import PROVINCE, actor_of
from store.registrations import RegistrationFilter

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
KOTIM, KAPUAS = "62.02", "62.03"
# name: scope
OFFICERS = {"Rina Lestari": PROVINCE, "Budi Tambun": KOTIM, "Sari Kotim": KOTIM, "Yohanes Kapuas": KAPUAS}


@pytest.fixture
def officers(database: Database) -> dict[str, int]:
    with database.transaction(NOW) as unit:
        return {name: unit.officers.add(name, f"+62812{number:08d}", None, scope, "cli:test")
                for number, (name, scope) in enumerate(OFFICERS.items())}


def test_an_export_is_recorded_as_it_starts_and_finishes(database: Database, officers: dict[str, int]) -> None:
    where = RegistrationFilter(KOTIM, search="soto", registered_from=datetime(2026, 3, 1).date())
    with database.transaction(NOW) as unit:
        export_id = unit.exports.start(officers["Budi Tambun"], "registrations", "csv", where.as_json(),
                                       full_nik=False, reason=None, scope=KOTIM)
        [started] = unit.exports.recent(KOTIM)
    assert (started.id, started.officer_name, started.officer_scope, started.started_at, started.finished_at,
            started.rows) == (export_id, "Budi Tambun", KOTIM, NOW, None, 0)
    assert (started.what, started.format, started.full_nik, started.reason) == ("registrations", "csv", False, None)
    assert started.filter == {"scope": KOTIM, "search": "soto", "registered_from": "2026-03-01"}
    with database.transaction(NOW + timedelta(seconds=9)) as unit:
        unit.exports.finish(export_id, 1_234, complete=True)
        [finished] = unit.exports.recent(PROVINCE)
    assert (finished.rows, finished.finished_at) == (1_234, NOW + timedelta(seconds=9))


def test_a_download_that_broke_off_keeps_how_far_it_got(database: Database, officers: dict[str, int]) -> None:
    with database.transaction(NOW) as unit:
        export_id = unit.exports.start(officers["Rina Lestari"], "registrations", "xlsx", {"scope": PROVINCE},
                                       full_nik=False, reason=None, scope=PROVINCE)
        unit.exports.finish(export_id, 500, complete=False)
        [broken] = unit.exports.recent(PROVINCE)
    assert (broken.rows, broken.finished_at, broken.format) == (500, None, "xlsx")


@pytest.mark.parametrize("full_nik", [False, True])
def test_every_export_is_audited_without_personal_data(database: Database, officers: dict[str, int],
                                                      full_nik: bool) -> None:
    officer_id = officers["Rina Lestari"]
    reason = "Verifikasi data penerima KUR atas permintaan bank" if full_nik else None
    with database.transaction(NOW) as unit:
        export_id = unit.exports.start(officer_id, "registrations", "csv", {"scope": PROVINCE, "search": "Siti"},
                                       full_nik=full_nik, reason=reason, scope=PROVINCE)
    with database.engine.connect() as connection:
        audited = connection.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.subject, AuditEvent.at)
                                     .where(AuditEvent.subject.like("export:%"))).all()
    assert [(actor, action, subject) for actor, action, subject, _at in audited] == [
        (actor_of(officer_id), "export_full_nik" if full_nik else "export", f"export:{export_id}")]
    with database.transaction(NOW) as unit:
        [info] = unit.exports.recent(PROVINCE)
    assert (info.full_nik, info.reason) == (full_nik, reason)


@pytest.mark.parametrize(("scope", "seen"), [
    (PROVINCE, ["Yohanes Kapuas", "Sari Kotim", "Budi Tambun", "Rina Lestari"]),
    (KOTIM, ["Sari Kotim", "Budi Tambun"]),  # the province's and Kapuas's exports are not Kotim's to see
    (KAPUAS, ["Yohanes Kapuas"]),
    ("62.71", []),
])
def test_recent_exports_are_those_of_the_scopes_own_officers_newest_first(
        database: Database, officers: dict[str, int], scope: str, seen: list[str]) -> None:
    for minutes, name in enumerate(OFFICERS):
        with database.transaction(NOW + timedelta(minutes=minutes)) as unit:
            unit.exports.start(officers[name], "registrations", "csv", {"scope": OFFICERS[name]}, full_nik=False,
                               reason=None, scope=OFFICERS[name])
    with database.transaction(NOW) as unit:
        assert [info.officer_name for info in unit.exports.recent(scope)] == seen
        assert [info.officer_name for info in unit.exports.recent(scope, limit=1)] == seen[:1]


def test_an_officer_moved_to_another_kabupaten_leaves_their_exports_where_they_were_made(
        database: Database, officers: dict[str, int]) -> None:
    budi = officers["Budi Tambun"]
    with database.transaction(NOW) as unit:
        unit.exports.start(budi, "registrations", "csv", {"scope": KOTIM}, full_nik=False, reason=None, scope=KOTIM)
    with database.engine.begin() as connection:
        connection.execute(update(Officer.__table__).where(Officer.id == budi).values(scope=KAPUAS))
    with database.transaction(NOW + timedelta(minutes=1)) as unit:
        unit.exports.start(budi, "registrations", "csv", {"scope": KAPUAS}, full_nik=False, reason=None,
                           scope=KAPUAS)
        seen = {scope: [(info.officer_name, info.officer_scope, info.filter["scope"])
                        for info in unit.exports.recent(scope)] for scope in (KOTIM, KAPUAS)}
    assert seen == {KOTIM: [("Budi Tambun", KOTIM, KOTIM)], KAPUAS: [("Budi Tambun", KAPUAS, KAPUAS)]}
