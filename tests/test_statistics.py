"""The dashboard's overview (store/statistics.py) against a small hand-made registry, and the sample registry.

Every test runs on SQLite and on PostgreSQL.
"""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select

from bot.sample import SAMPLE_MONTHS, SAMPLE_UNTIL, seed
from domain.assessment import LEVELS, level
from domain.regions import kabupaten_list, kecamatan_of
from domain.sectors import FOOD_SECTORS
from flows.scoring import dimension_scores, score
from store.db import Database
from store.models import (
    DIMENSION_COLUMNS,
    FIGURE_COLUMNS,
    Assessment,
    Business,
    BusinessFigure,
    Enrollment,
    Owner,
    Programme,
    TrainingSession,
)
from store.officers import PROVINCE
from store.statistics import ProgrammeFill

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
KOTIM, KAPUAS, PALANGKA = "62.02", "62.03", "62.71"


def utc(*moment: int) -> datetime:
    return datetime(*moment, tzinfo=timezone.utc)


# owner: [(kabupaten, class, sector, registered at, [(score, {dimension: score}) of its assessments, oldest first])]
REGISTRY = {
    "ani": [(KOTIM, "mikro", "kuliner", utc(2026, 9, 30, 17), [  # 1 October 00.00 WIB
        (30.0, {"legalitas": 10.0}), (70.0, {"legalitas": 60.0, "keuangan": 80.0})]),
            (KAPUAS, "kecil", "fesyen", utc(2026, 10, 5), [])],
    "bayu": [(KOTIM, "mikro", "kuliner", utc(2026, 8, 15), [(50.0, {"legalitas": 20.0, "digital": 40.0})])],
    "citra": [(PALANGKA, "menengah", "jasa", utc(2026, 11, 20), [(90.0, {"legalitas": 100.0, "keuangan": 90.0})])],
    "dodi": [(KOTIM, "kecil", "kuliner", utc(2026, 9, 30, 16, 59, 59), [])],  # 30 September 23.59.59 WIB
}
# Owners with no business (as after an erasure of the business alone, or in a test): counted nowhere, but they
# may hold seats.
SEATED = [f"peserta {number}" for number in range(8)]
# programme code: [(session kabupaten, capacity, {status: how many})]
PROGRAMMES = {
    "qris": [(KOTIM, 10, {"registered": 3, "waitlisted": 1, "attended": 1, "cancelled": 2}),
             (KAPUAS, 20, {"registered": 5})],
    "halal": [(PALANGKA, 30, {"attended": 6, "absent": 2})],  # the absent still hold their seats
    "merek": [],
}


@pytest.fixture
def registry(database: Database) -> Database:
    owners = Owner.__table__
    with database.engine.begin() as connection:
        for number, name in enumerate([*REGISTRY, *SEATED]):
            owner_id = connection.execute(insert(owners).values(
                name=name, nik=f"62020155078800{number:02d}", phone=f"+6281200000{number:03d}", phone_verified=True,
                registered_at=utc(2026, 1, 1))).inserted_primary_key[0]
            for kabupaten, business_class, sector, registered_at, assessments in REGISTRY.get(name, []):
                business_id = connection.execute(insert(Business.__table__).values(
                    owner_id=owner_id, name=f"Usaha {name}", sector=sector, kbli_category="I",
                    kabupaten_code=kabupaten, kecamatan_code=f"{kabupaten}.01", address="Jl. Damang", nib=None,
                    year_started=2019, workers=2, modal_usaha=1, monthly_turnover=1, annual_turnover=12,
                    business_class=business_class, registered_at=registered_at)).inserted_primary_key[0]
                for taken, (value, dimensions) in enumerate(assessments):
                    connection.execute(insert(Assessment.__table__).values(
                        owner_id=owner_id, business_id=business_id, taken_at=registered_at + timedelta(days=taken + 1),
                        points={}, score=value, level=level(value).value, latest=taken == len(assessments) - 1,
                        **dimensions))
        seated = connection.scalars(select(owners.c.id).where(owners.c.name.in_(SEATED)).order_by(owners.c.id)).all()
        for code, sessions in PROGRAMMES.items():
            programme_id = connection.execute(insert(Programme.__table__).values(
                code=code, name=f"Pelatihan {code}", description="", organiser="Dinas", dimensions="digital")
            ).inserted_primary_key[0]
            for number, (kabupaten, capacity, places) in enumerate(sessions):
                starts = utc(2027, 1, 10 + number, 2)
                session_id = connection.execute(insert(TrainingSession.__table__).values(
                    programme_id=programme_id, code=f"{code}-{number}", starts_at=starts,
                    ends_at=starts + timedelta(hours=3), place="Aula", kabupaten_code=kabupaten, capacity=capacity,
                    signup_deadline=starts - timedelta(days=1))).inserted_primary_key[0]
                statuses = [status for status, count in places.items() for _ in range(count)]
                for owner_id, status in zip(seated, statuses, strict=False):
                    connection.execute(insert(Enrollment.__table__).values(
                        session_id=session_id, owner_id=owner_id, status=status, since=utc(2026, 11, 1)))
    return database


def _by_kabupaten(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(region.code, counts.get(region.code, 0)) for region in kabupaten_list()]


def test_the_province_overview(registry: Database) -> None:
    with registry.transaction(NOW) as unit:
        overview = unit.statistics.overview(PROVINCE)
    assert (overview.owners, overview.businesses) == (4, 5)
    assert overview.by_kabupaten == _by_kabupaten({KOTIM: 3, KAPUAS: 1, PALANGKA: 1})
    assert overview.by_kecamatan == []  # the province is seen by kabupaten/kota
    assert len(overview.by_kabupaten) == 14
    assert overview.by_class == [("mikro", 2), ("kecil", 2), ("menengah", 1), ("besar", 0)]
    assert overview.by_sector == [("kuliner", 3), ("fesyen", 1), ("jasa", 1)]
    # Months in WIB: 30 September 17.00 UTC is October there; contiguous up to now's month.
    assert overview.by_month == [("2026-08", 1), ("2026-09", 1), ("2026-10", 2), ("2026-11", 1)]
    assert overview.assessed == 3
    assert overview.levels == [("pemula", 0), ("berkembang", 1), ("mandiri", 1), ("siap_naik_kelas", 1)]
    assert overview.average_score == pytest.approx(70.0)  # 70, 50 and 90: the earlier 30 is not the latest
    assert overview.dimension_averages == pytest.approx({
        "legalitas": 60.0, "keuangan": 85.0, "pasar": None, "digital": 40.0, "produk": None, "sdm": None})
    assert overview.programmes == [  # "merek" has no session: nothing to fill
        ProgrammeFill(2, "halal", "Pelatihan halal", 1, 30, 0, 0, 6, 2),
        ProgrammeFill(1, "qris", "Pelatihan qris", 2, 30, 8, 1, 1, 0),
    ]
    assert [programme.fill_rate for programme in overview.programmes] == [pytest.approx(8 / 30), pytest.approx(0.3)]


def test_a_kabupaten_overview_counts_only_its_own(registry: Database) -> None:
    with registry.transaction(NOW) as unit:
        kotim = unit.statistics.overview(KOTIM)
        kapuas = unit.statistics.overview(KAPUAS)
        empty = unit.statistics.overview("62.13")
    assert (kotim.owners, kotim.businesses) == (3, 3)  # ani counts here through her Kotim business alone
    assert kotim.by_kabupaten == [(KOTIM, 3)]
    assert kotim.by_kecamatan == [(place.code, 3 if place.code == f"{KOTIM}.01" else 0) for place in kecamatan_of(KOTIM)]
    assert len(kotim.by_kecamatan) == len(kecamatan_of(KOTIM)) > 1
    assert kotim.by_class == [("mikro", 2), ("kecil", 1), ("menengah", 0), ("besar", 0)]
    assert kotim.by_sector == [("kuliner", 3)]
    assert kotim.by_month == [("2026-08", 1), ("2026-09", 1), ("2026-10", 1), ("2026-11", 0)]
    assert (kotim.assessed, kotim.average_score) == (2, pytest.approx(60.0))
    assert kotim.levels == [("pemula", 0), ("berkembang", 1), ("mandiri", 1), ("siap_naik_kelas", 0)]
    assert kotim.dimension_averages["legalitas"] == pytest.approx(40.0)
    assert kotim.dimension_averages["keuangan"] == pytest.approx(80.0)
    # Only the sessions held in Kotim: the Kapuas session of "qris" and Palangka Raya's "halal" are not its own.
    assert [(fill.code, fill.sessions, fill.capacity, fill.registered, fill.waitlisted, fill.attended, fill.fill_rate)
            for fill in kotim.programmes] == [("qris", 1, 10, 3, 1, 1, pytest.approx(0.4))]
    assert (kapuas.owners, kapuas.businesses, kapuas.by_month) == (1, 1, [("2026-10", 1), ("2026-11", 0)])
    assert (kapuas.assessed, kapuas.average_score) == (0, None)
    assert kapuas.levels == [(name, 0) for name in LEVELS]
    assert set(kapuas.dimension_averages.values()) == {None}
    assert [(fill.code, fill.sessions, fill.registered) for fill in kapuas.programmes] == [("qris", 1, 5)]
    assert (empty.owners, empty.businesses, empty.by_kabupaten, empty.by_month, empty.by_sector) == (
        0, 0, [("62.13", 0)], [], [])
    assert empty.programmes == []


@pytest.mark.parametrize("scope", [KOTIM, KAPUAS, PALANGKA, "62.13"])
def test_every_figure_of_a_scope_is_inside_the_province_figure(registry: Database, scope: str) -> None:
    with registry.transaction(NOW) as unit:
        province = unit.statistics.overview(PROVINCE)
        mine = unit.statistics.overview(scope)
    assert mine.by_kabupaten == [(code, count) for code, count in province.by_kabupaten if code == scope]
    assert mine.businesses == dict(province.by_kabupaten)[scope] == sum(count for _, count in mine.by_month)
    assert sum(count for _, count in mine.by_class) == sum(count for _, count in mine.by_sector) == mine.businesses
    assert sum(count for _, count in mine.levels) == mine.assessed <= mine.businesses


def test_the_sample_registry_looks_real(database: Database) -> None:
    seed(database, 600)
    with database.engine.connect() as connection:
        registered = connection.execute(select(Business.id, Business.registered_at, Business.sector)
                                        .order_by(Business.id)).all()
        owners_registered = dict(connection.execute(select(Owner.id, Owner.registered_at)).all())
        assessments = connection.execute(select(Assessment).order_by(Assessment.id)).all()
        owner_of = dict(connection.execute(select(Business.id, Business.owner_id)).all())
    moments = [row.registered_at.replace(tzinfo=timezone.utc) for row in registered]
    assert moments == sorted(moments)  # ids follow time, as in a real registry
    assert SAMPLE_MONTHS[0] <= moments[0] and moments[-1] < SAMPLE_UNTIL
    assert sorted(moment.replace(tzinfo=timezone.utc) for moment in owners_registered.values()) == moments
    registered_at = {row.id: moment for row, moment in zip(registered, moments, strict=True)}
    sector = {row.id: row.sector for row in registered}
    by_business: dict[int, list] = {}
    for row in assessments:
        by_business.setdefault(row.business_id, []).append(row)
    assert 0.28 < len(by_business) / len(registered) < 0.42
    assert any(len(rows) == 2 for rows in by_business.values())
    for business_id, rows in by_business.items():
        assert [row.latest for row in rows] == [False] * (len(rows) - 1) + [True]
        taken = [row.taken_at.replace(tzinfo=timezone.utc) for row in rows]
        assert registered_at[business_id] <= taken[0] and taken == sorted(taken) and taken[-1] < SAMPLE_UNTIL
        for row in rows:
            assert row.owner_id == owner_of[business_id]
            assert ("izin_edar" in row.points) == (sector[business_id] in FOOD_SECTORS)
            assert len(row.points) == (16 if sector[business_id] in FOOD_SECTORS else 15)
            assert (row.score, row.level) == (pytest.approx(score(row.points)), level(score(row.points)).value)
            expected = dimension_scores(row.points)
            assert {dimension: getattr(row, dimension) for dimension in DIMENSION_COLUMNS} == pytest.approx(
                {dimension: expected.get(dimension) for dimension in DIMENSION_COLUMNS})
    with database.transaction(NOW) as unit:
        overview = unit.statistics.overview(PROVINCE)
    assert [month for month, _ in overview.by_month] == [moment.strftime("%Y-%m") for moment in SAMPLE_MONTHS]
    assert all(count > 0 for _, count in overview.by_month)
    assert sum(count for _, count in overview.by_month[-6:]) > sum(count for _, count in overview.by_month[:6])
    assert all(count > 0 for _, count in overview.levels)
    assert overview.assessed == len(by_business)


def test_seeding_twice_adds_owners_after_the_first(database: Database) -> None:
    seed(database, 20)
    seed(database, 20, seed=7)
    with database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Business)) == 40
        flagged = connection.execute(select(Assessment.business_id, func.count()).where(Assessment.latest.is_(True))
                                     .group_by(Assessment.business_id)).all()
    assert all(count == 1 for _, count in flagged)


def test_each_sample_business_keeps_its_figures_as_registered(database: Database) -> None:
    seed(database, 20)
    seed(database, 20, seed=7)
    figures = BusinessFigure.__table__
    with database.engine.connect() as connection:
        kept = connection.execute(select(figures.c.business_id, figures.c.recorded_at, figures.c.source,
                                         *(figures.c[name] for name in FIGURE_COLUMNS)).order_by(figures.c.business_id)).all()
        registered = connection.execute(select(Business.id, Business.registered_at, *(
            Business.__table__.c[name] for name in FIGURE_COLUMNS)).order_by(Business.id)).all()
    assert [(row[0], row[1], *row[3:]) for row in kept] == [tuple(row) for row in registered]
    assert {row.source for row in kept} == {"registration"}
