"""The registry store: migrations, SQLite settings, and what registering and erasing write."""

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.sample import seed
from flows.scoring import dimension_scores
from store.db import Database
from store.migrate import alembic_config, upgrade
from store.models import (
    DIMENSION_COLUMNS,
    Assessment,
    AuditEvent,
    Base,
    Business,
    BusinessFigure,
    Consent,
    Conversation,
    Owner,
)
from store.officers import PROVINCE, actor_of, within
from store.registry import BusinessDetails, NikTaken, OwnerDetails

CONSENTED_AT = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


OWNER = OwnerDetails(name="Budi Santoso", nik="6202054107900001", phone="+6281234567890", phone_verified=True)
BUSINESS = BusinessDetails(
    name="Warung Bu Sari", sector="kuliner", sector_note=None, kbli_category="I", kabupaten_code="62.02",
    kecamatan_code="62.02.05", address="Jl. Tjilik Riwut No. 5", nib=None, year_started=2019, workers=3,
    modal_usaha=15_000_000, monthly_turnover=2_500_000, annual_turnover=30_000_000, business_class="mikro",
)


def _register(database: Database, owner: OwnerDetails = OWNER) -> Business:
    with database.transaction() as registry:
        return registry.register_business(registry.register_owner(owner, "registration-v1", CONSENTED_AT), BUSINESS)


OTHER_OWNER = replace(OWNER, name="Siti Rahayu", nik="6271034506850002")


def test_migrations_create_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrading_twice_changes_nothing(database: Database) -> None:
    upgrade(database.url)
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == _head_revision(database.url)


def _head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_registering_writes_owner_business_and_proof_of_consent(database: Database) -> None:
    business = _register(database)
    assert business.registration_number == f"UMKM-6202-{business.id:06d}"
    with Session(database.engine) as session:
        consent = session.scalars(select(Consent)).one()
        assert (consent.purpose, consent.text_version, consent.accepted) == ("registration", "registration-v1", True)
        assert consent.answered_at.replace(tzinfo=timezone.utc) == CONSENTED_AT


def test_correcting_changes_the_data_but_not_the_number(database: Database) -> None:
    business = _register(database)
    with database.transaction() as registry:
        registry.correct_registration(business.owner_id, business.id, replace(OWNER, name="Budi S."),
                                      replace(BUSINESS, kabupaten_code="62.71", kecamatan_code="62.71.01"))
    with database.transaction() as registry:
        owner = registry.owner_profile(business.owner_id)
        assert owner is not None and owner.name == "Budi S."
        assert [(b.kabupaten_code, b.registration_number) for b in owner.businesses] == [("62.71", business.registration_number)]
    with Session(database.engine) as session:
        assert session.scalars(select(AuditEvent.action)).all() == ["registration_corrected"]


def _figures(database: Database) -> list[tuple[object, ...]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(BusinessFigure.source, BusinessFigure.modal_usaha, BusinessFigure.monthly_turnover,
                   BusinessFigure.annual_turnover, BusinessFigure.workers, BusinessFigure.business_class,
                   BusinessFigure.previous_class)
            .order_by(BusinessFigure.id))]


def test_registering_and_correcting_the_figures_keep_them_dated(database: Database) -> None:
    business = _register(database)
    registered = ("registration", 15_000_000, 2_500_000, 30_000_000, 3, "mikro", None)
    assert _figures(database) == [registered]
    with database.transaction() as registry:  # a correction of the name only keeps no figures
        registry.correct_registration(business.owner_id, business.id, OWNER, replace(BUSINESS, name="Warung Sari"))
    assert _figures(database) == [registered]
    with database.transaction() as registry:
        registry.correct_registration(business.owner_id, business.id, OWNER, replace(BUSINESS, workers=4))
    assert _figures(database) == [registered, ("correction", 15_000_000, 2_500_000, 30_000_000, 4, "mikro", "mikro")]


def test_a_data_update_classes_the_business_as_registration_does_and_keeps_the_figures(database: Database) -> None:
    business = _register(database)
    moment = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    with database.transaction(moment) as registry:
        # 200 million a month is 2.4 miliar a year: above a micro business's 2 miliar
        assert registry.update_figures(business.id, modal_usaha=500_000_000, monthly_turnover=200_000_000,
                                       workers=6) == "kecil"
    with database.engine.connect() as connection:
        row = connection.execute(select(Business.modal_usaha, Business.monthly_turnover, Business.annual_turnover,
                                        Business.workers, Business.business_class)).one()
        recorded_at = connection.scalar(select(BusinessFigure.recorded_at).where(BusinessFigure.source == "update"))
    assert tuple(row) == (500_000_000, 200_000_000, 2_400_000_000, 6, "kecil")
    assert _figures(database)[1:] == [("update", 500_000_000, 200_000_000, 2_400_000_000, 6, "kecil", "mikro")]
    assert recorded_at.replace(tzinfo=timezone.utc) == moment


def test_erasing_an_owner_erases_their_figures(database: Database) -> None:
    business = _register(database)
    kept = _register(database, OTHER_OWNER)
    with database.transaction() as registry:
        registry.update_figures(business.id, modal_usaha=1, monthly_turnover=1, workers=1)
        registry.erase_owner(business.owner_id, actor="owner")
    with database.engine.connect() as connection:
        assert connection.execute(select(BusinessFigure.business_id)).scalars().all() == [kept.id]


def test_each_assessment_keeps_the_one_it_replaced_and_erasing_another_owner_changes_none(database: Database) -> None:
    business = _register(database)
    other = _register(database, OTHER_OWNER)
    moments = [datetime(2026, month, 1, 3, 0, tzinfo=timezone.utc) for month in (2, 5, 9)]
    for moment, score, level in zip(moments, (30.0, 55.0, 45.0), ("pemula", "berkembang", "berkembang"), strict=True):
        with database.transaction(moment) as registry:
            registry.assessments.save(business.owner_id, business.id, {}, score, level, {})
            registry.assessments.save(other.owner_id, other.id, {}, 90.0, "siap_naik_kelas", {})
    with database.transaction() as registry:
        registry.erase_owner(other.owner_id, actor="owner")
    with database.engine.connect() as connection:
        rows = connection.execute(select(Assessment.business_id, Assessment.score, Assessment.previous_level,
                                         Assessment.previous_score, Assessment.previous_taken_at)
                                  .order_by(Assessment.id)).all()
    assert [(business_id, score, level, previous, taken and taken.replace(tzinfo=timezone.utc))
            for business_id, score, level, previous, taken in rows] == [
        (business.id, 30.0, None, None, None), (business.id, 55.0, "pemula", 30.0, moments[0]),
        (business.id, 45.0, "berkembang", 55.0, moments[1])]
    kept, before = _kept_and_before(database)
    assert kept == before


def test_the_samples_retakes_keep_the_assessment_they_replaced(database: Database) -> None:
    seed(database, 300)
    kept, before = _kept_and_before(database)
    assert kept == before
    assert sum(level is not None for level, _, _ in kept) > 10  # retakes among them


def _kept_and_before(database: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """What each assessment keeps of the one it replaced (level, score, moment), and its business's one before it
    in time, in the same order."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Assessment.business_id, Assessment.level, Assessment.score, Assessment.taken_at,
                   Assessment.previous_level, Assessment.previous_score, Assessment.previous_taken_at)
            .order_by(Assessment.business_id, Assessment.taken_at, Assessment.id)).all()
    before = [tuple(earlier[1:4]) if earlier is not None and earlier.business_id == row.business_id
              else (None, None, None) for earlier, row in zip([None, *rows], rows, strict=False)]
    return [tuple(row[4:]) for row in rows], before


def test_an_owner_cannot_correct_another_owners_business(database: Database) -> None:
    theirs = _register(database)
    mine = _register(database, OTHER_OWNER)
    with database.transaction() as registry, pytest.raises(PermissionError):
        registry.correct_registration(mine.owner_id, theirs.id, OWNER, BUSINESS)


def test_numbers_of_erased_businesses_are_never_given_again(database: Database) -> None:
    erased = _register(database)
    with database.transaction() as registry:
        registry.erase_owner(erased.owner_id, actor="owner")
    assert _register(database, OTHER_OWNER).registration_number != erased.registration_number


def test_erasing_keeps_only_that_it_happened(database: Database) -> None:
    owner_id = _register(database).owner_id
    with database.transaction() as registry:
        state = registry.open_conversation("terminal", "budi")
        state.owner_id = owner_id
        registry.save_conversation(state)
    with database.transaction() as registry:
        registry.erase_owner(owner_id, actor="owner")
    with Session(database.engine) as session:
        for model in (Owner, Business, Consent):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert session.scalars(select(Conversation)).one().owner_id is None
        event = session.scalars(select(AuditEvent)).one()
        assert (event.actor, event.action, event.subject) == ("owner", "owner_erased", f"owner:{owner_id}")


def test_claiming_an_inbound_message_twice(database: Database) -> None:
    with database.transaction() as registry:
        assert registry.claim_inbound("telegram", "42")
        assert not registry.claim_inbound("telegram", "42")
        assert registry.claim_inbound("whatsapp", "42")


def test_a_nik_belongs_to_one_owner(database: Database) -> None:
    owner_id = _register(database).owner_id
    with database.transaction() as registry:
        assert registry.nik_belongs_to_another_owner(OWNER.nik, None)
        assert not registry.nik_belongs_to_another_owner(OWNER.nik, owner_id)
        assert not registry.nik_belongs_to_another_owner(OTHER_OWNER.nik, None)
    with pytest.raises(NikTaken):
        _register(database)


def test_a_postgresql_lock_is_waited_for_as_long_as_sqlites_busy_timeout(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's busy timeout is set by its own pragma")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "30s"


def test_migration_0005_flags_each_businesss_newest_assessment_and_scores_its_dimensions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before-0005.sqlite3'}"
    upgrade(url, "0004")
    first = {"nib": 0, "pencatatan": 3, "online": 1}
    second = {"nib": 3, "halal": 1, "izin_edar": 2, "pencatatan": 2, "uang_terpisah": 3, "tenaga_kerja": 1}
    other = {"kemasan": 2, "wilayah": 3}
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO owners (id, name, nik, phone, phone_verified, registered_at) "
                "VALUES (1, 'Siti', '6202015507880001', '+6281200000001', 1, '2026-01-01 00:00:00')"))
            for business_id in (1, 2):
                connection.execute(text(
                    "INSERT INTO businesses (id, owner_id, name, sector, kbli_category, kabupaten_code, kecamatan_code,"
                    " address, year_started, workers, modal_usaha, monthly_turnover, annual_turnover, business_class,"
                    " registered_at) VALUES (:id, 1, 'Warung', 'kuliner', 'I', '62.02', '62.02.01', 'Jl.', 2019, 1, 1,"
                    " 1, 12, 'mikro', '2026-01-01 00:00:00')"), {"id": business_id})
            for assessment_id, business_id, points, taken_at in (
                    (1, 1, first, "2026-02-01 00:00:00"), (2, 2, other, "2026-02-15 00:00:00"),
                    (3, 1, second, "2026-03-01 00:00:00")):
                connection.execute(text(
                    "INSERT INTO assessments (id, owner_id, business_id, taken_at, points, score, level) "
                    "VALUES (:id, 1, :business_id, :taken_at, :points, 50.0, 'berkembang')"),
                    {"id": assessment_id, "business_id": business_id, "taken_at": taken_at,
                     "points": json.dumps(points)})
        upgrade(url)
        with database.engine.connect() as connection:
            rows = connection.execute(select(Assessment).order_by(Assessment.id)).all()
    finally:
        database.dispose()
    assert [(row.business_id, row.latest) for row in rows] == [(1, False), (2, True), (1, True)]
    for row, points in zip(rows, (first, other, second), strict=True):
        expected = dimension_scores(points)  # the code's own arithmetic agrees with the migration's copy
        assert {dimension: getattr(row, dimension) for dimension in DIMENSION_COLUMNS} == pytest.approx(
            {dimension: expected.get(dimension) for dimension in DIMENSION_COLUMNS})
    assert rows[2].legalitas == pytest.approx(100 * 6 / 9) and rows[2].pasar is None


def test_migration_0010_gives_each_business_its_registration_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before-0010.sqlite3'}"
    upgrade(url, "0009")
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO owners (id, name, nik, phone, phone_verified, registered_at) "
                "VALUES (1, 'Siti', '6202015507880001', '+6281200000001', 1, '2026-01-01 00:00:00')"))
            for business_id, modal, monthly, workers, business_class, registered_at in (
                    (1, 25_000_000, 4_500_000, 3, "mikro", "2026-02-01 00:00:00"),
                    (2, 2_000_000_000, 100_000_000, 8, "kecil", "2026-03-01 00:00:00")):
                connection.execute(text(
                    "INSERT INTO businesses (id, owner_id, name, sector, kbli_category, kabupaten_code, kecamatan_code,"
                    " address, year_started, workers, modal_usaha, monthly_turnover, annual_turnover, business_class,"
                    " registered_at) VALUES (:id, 1, 'Warung', 'kuliner', 'I', '62.02', '62.02.01', 'Jl.', 2019,"
                    " :workers, :modal, :monthly, :annual, :class, :at)"),
                    {"id": business_id, "workers": workers, "modal": modal, "monthly": monthly,
                     "annual": monthly * 12, "class": business_class, "at": registered_at})
        upgrade(url)
        with database.engine.connect() as connection:
            rows = connection.execute(
                select(BusinessFigure.business_id, BusinessFigure.recorded_at, BusinessFigure.source,
                       BusinessFigure.modal_usaha, BusinessFigure.monthly_turnover, BusinessFigure.annual_turnover,
                       BusinessFigure.workers, BusinessFigure.business_class).order_by(BusinessFigure.id)).all()
    finally:
        database.dispose()
    assert [tuple(row) for row in rows] == [
        (1, datetime(2026, 2, 1), "registration", 25_000_000, 4_500_000, 54_000_000, 3, "mikro"),
        (2, datetime(2026, 3, 1), "registration", 2_000_000_000, 100_000_000, 1_200_000_000, 8, "kecil")]


def test_migration_0016_gives_each_assessment_the_one_it_replaced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before-0016.sqlite3'}"
    upgrade(url, "0015")
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO owners (id, name, nik, phone, phone_verified, registered_at) "
                "VALUES (1, 'Siti', '6202015507880001', '+6281200000001', 1, '2026-01-01 00:00:00')"))
            for business_id in (1, 2):
                connection.execute(text(
                    "INSERT INTO businesses (id, owner_id, registration_number, name, sector, kbli_category,"
                    " kabupaten_code, kecamatan_code, address, year_started, workers, modal_usaha, monthly_turnover,"
                    " annual_turnover, business_class, registered_at) VALUES (:id, 1, :number, 'Warung', 'kuliner',"
                    " 'I', '62.02', '62.02.01', 'Jl.', 2019, 1, 1, 1, 12, 'mikro', '2026-01-01 00:00:00')"),
                    {"id": business_id, "number": f"UMKM-6202-00000{business_id}"})
            # Business 1's third assessment in time was kept before its second.
            for assessment_id, business_id, taken_at, score, level, latest in (
                    (1, 1, "2026-02-01 00:00:00", 40.0, "berkembang", 0), (2, 2, "2026-02-15 00:00:00", 90.0,
                    "siap_naik_kelas", 1), (3, 1, "2026-04-01 00:00:00", 70.0, "mandiri", 1),
                    (4, 1, "2026-03-01 00:00:00", 20.0, "pemula", 0)):
                connection.execute(text(
                    "INSERT INTO assessments (id, owner_id, business_id, taken_at, points, score, level, latest) "
                    "VALUES (:id, 1, :business_id, :taken_at, '{}', :score, :level, :latest)"),
                    {"id": assessment_id, "business_id": business_id, "taken_at": taken_at, "score": score,
                     "level": level, "latest": latest})
        upgrade(url)
        with database.engine.connect() as connection:
            rows = connection.execute(select(Assessment.id, Assessment.previous_level, Assessment.previous_score,
                                             Assessment.previous_taken_at).order_by(Assessment.id)).all()
        kept, before = _kept_and_before(database)
    finally:
        database.dispose()
    assert [tuple(row) for row in rows] == [
        (1, None, None, None), (2, None, None, None), (3, "pemula", 20.0, datetime(2026, 3, 1)),
        (4, "berkembang", 40.0, datetime(2026, 2, 1))]
    assert kept == before


def test_a_scope_keeps_rows_to_its_kabupaten_and_the_province_to_none(database: Database) -> None:
    _register(database)
    kabupaten = Business.__table__.c.kabupaten_code
    assert within(kabupaten, PROVINCE) == []
    with database.engine.connect() as connection:
        counts = {scope: connection.scalar(select(func.count()).select_from(Business).where(*within(kabupaten, scope)))
                  for scope in (PROVINCE, "62.02", "62.03")}
    assert counts == {PROVINCE: 1, "62.02": 1, "62.03": 0}


def test_an_officer_is_named_one_way_in_the_audit_trail() -> None:
    assert actor_of(12) == "officer:12"


def test_migration_0006_keeps_a_yes_only_where_an_owner_said_mulai_and_invents_none(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before-0006.sqlite3'}"
    upgrade(url, "0005")
    database = Database(url)
    # owner 1 never answered; 2 said "berhenti"; 3 said "berhenti", then "mulai"
    stopped_at = {1: None, 2: "2026-03-01 00:00:00", 3: None}
    answers = [(2, 0, "2026-03-01 00:00:00"), (3, 0, "2026-03-01 00:00:00"), (3, 1, "2026-04-01 00:00:00")]
    try:
        with database.engine.begin() as connection:
            for owner_id, stopped in stopped_at.items():
                connection.execute(text(
                    "INSERT INTO owners (id, name, nik, phone, phone_verified, registered_at, announcements_stopped_at)"
                    " VALUES (:id, 'Siti', :nik, '+6281200000001', 1, '2026-01-01 00:00:00', :stopped)"),
                    {"id": owner_id, "nik": f"620201550788000{owner_id}", "stopped": stopped})
            for owner_id, accepted, at in answers:
                connection.execute(text(
                    "INSERT INTO consents (owner_id, purpose, text_version, accepted, answered_at) "
                    "VALUES (:owner_id, 'announcements', 'v1', :accepted, :at)"),
                    {"owner_id": owner_id, "accepted": accepted, "at": at})
        upgrade(url)
        with database.engine.connect() as connection:
            owners = connection.execute(select(Owner.id, Owner.announcements_asked_at, Owner.announcements_accepted_at,
                                               Owner.announcements_stopped_at.is_not(None)).order_by(Owner.id)).all()
    finally:
        database.dispose()
    assert [tuple(owner) for owner in owners] == [
        (1, None, None, False), (2, None, None, True), (3, None, datetime(2026, 4, 1), False)]
