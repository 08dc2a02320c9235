""""Naik kelas", measured (store/progress.py): hand-made histories of dated figures, assessments and attended
sessions, on SQLite and PostgreSQL, placed around a period that ends on the fixed clock's day."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from domain.wib import in_wib
from officer_dashboard import KAPUAS, KOTIM, NOW, add_business
from store.db import Database
from store.models import Business, BusinessFigure, Enrollment, Programme, TrainingSession
from store.officers import PROVINCE
from store.progress import Comparison, Figures, Movement, Path, start_of

UNTIL = in_wib(NOW).date() + timedelta(days=1)  # the period ends with the fixed clock's day
SINCE = date(UNTIL.year - 1, UNTIL.month, UNTIL.day)
START, END = start_of(SINCE), start_of(UNTIL)
BEFORE = START - timedelta(days=40)  # before the period
EARLY, MIDDLE, LATE = (START + timedelta(days=days) for days in (30, 150, 300))  # within it
CLASSES = {"mikro": (25_000_000, 4_500_000), "kecil": (2_000_000_000, 100_000_000)}


@dataclass(frozen=True)
class Made:
    business_id: int
    owner_id: int


def business(database: Database, name: str, classes: list[tuple[datetime, str]], kabupaten: str = KOTIM) -> Made:
    """A business registered at its first figures' moment, with a figures row at each (moment, class)."""
    business_id = add_business(database, owner=f"Pemilik {name}", name=name, kabupaten=kabupaten,
                               registered_at=classes[0][0], business_class=classes[-1][1])
    with database.engine.begin() as connection:
        owner_id = connection.scalar(select(Business.owner_id).where(Business.id == business_id))
        for number, (moment, business_class) in enumerate(classes):
            modal, monthly = CLASSES[business_class]
            connection.execute(insert(BusinessFigure).values(
                business_id=business_id, recorded_at=moment, source="update" if number else "registration",
                modal_usaha=modal, monthly_turnover=monthly, annual_turnover=monthly * 12, workers=3,
                business_class=business_class, previous_class=classes[number - 1][1] if number else None))
    return Made(business_id, int(owner_id))


def assessed(database: Database, made: Made, *scores: tuple[datetime, float]) -> None:
    """The business's assessments at each (moment, score), in order, kept as the self-assessment keeps them."""
    levels = ((80, "siap_naik_kelas"), (60, "mandiri"), (40, "berkembang"), (0, "pemula"))
    for moment, score in scores:
        with database.transaction(moment) as registry:
            registry.assessments.save(made.owner_id, made.business_id, {}, score,
                                      next(level for floor, level in levels if score >= floor), {})


def attended(database: Database, made: Made, starts_at: datetime, status: str = "attended") -> None:
    with database.engine.begin() as connection:
        programme_id = connection.scalar(select(Programme.id).where(Programme.code == "pembukuan")) or \
            connection.execute(insert(Programme).values(
                code="pembukuan", name="Pembukuan Sederhana", description="", organiser="Dinas",
                dimensions="keuangan")).inserted_primary_key[0]
        session_id = connection.execute(insert(TrainingSession).values(
            programme_id=programme_id, code=f"sesi-{made.business_id}-{starts_at:%Y%m%d}", starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=6), place="Aula", kabupaten_code=KOTIM, capacity=30,
            signup_deadline=starts_at - timedelta(days=1))).inserted_primary_key[0]
        connection.execute(insert(Enrollment).values(session_id=session_id, owner_id=made.owner_id, status=status,
                                                     since=starts_at - timedelta(days=7)))


def histories(database: Database) -> dict[str, Made]:
    made = {
        "up": business(database, "Naik", [(BEFORE, "mikro"), (MIDDLE, "kecil")]),
        "up and back": business(database, "Naik lalu turun", [(BEFORE, "mikro"), (EARLY, "kecil"), (LATE, "mikro")]),
        "down": business(database, "Turun", [(BEFORE, "kecil"), (MIDDLE, "mikro")]),
        "new": business(database, "Baru", [(EARLY, "mikro"), (LATE, "kecil")]),  # registered within the period
        "after": business(database, "Nanti", [(BEFORE, "mikro"), (END + timedelta(hours=1), "kecil")]),
        "kapuas": business(database, "Kapuas", [(BEFORE, "mikro"), (MIDDLE, "kecil")], kabupaten=KAPUAS),
    }
    # Same starting level (pemula): "up" is trained within the period before its retake, "up and back" never.
    assessed(database, made["up"], (BEFORE, 30), (LATE, 55))
    attended(database, made["up"], MIDDLE)
    assessed(database, made["up and back"], (BEFORE, 35), (LATE, 38))
    # berkembang to pemula, not yet trained (absent is not attended)
    assessed(database, made["down"], (BEFORE, 45), (MIDDLE, 30))
    attended(database, made["down"], EARLY, status="absent")
    # trained within the period but only after its retake: in neither group; on the path, not assessed again
    assessed(database, made["new"], (EARLY, 20), (MIDDLE, 25))
    attended(database, made["new"], LATE)
    # trained before the period and reassessed after it: neither group; on the path, improved
    assessed(database, made["after"], (BEFORE - timedelta(days=60), 50), (EARLY, 70))
    attended(database, made["after"], BEFORE - timedelta(days=30))
    assessed(database, made["kapuas"], (BEFORE, 70), (MIDDLE, 85))
    return made


def figures(database: Database, scope: str) -> Figures:
    with database.transaction(NOW) as registry:
        return registry.progress.figures(scope, SINCE, UNTIL)


def test_classes_and_levels_moved_per_kabupaten(database: Database) -> None:
    histories(database)
    found = figures(database, PROVINCE)
    assert (found.since, found.until) == (SINCE, UNTIL)
    moved = {movement.kabupaten_code: movement for movement in found.movements}
    assert len(moved) == 14 and moved["62.71"] == Movement("62.71", 0, 0, 0, 0)
    # up, new: up; down: down; up and back and after (moved after the period): neither
    # levels: up (pemula to berkembang) and after (berkembang to mandiri); down: down; new stays pemula
    assert moved[KOTIM] == Movement(KOTIM, class_up=2, class_down=1, level_up=2, level_down=1)
    assert moved[KAPUAS] == Movement(KAPUAS, class_up=1, class_down=0, level_up=1, level_down=0)


def test_trained_against_not_yet_trained_at_the_same_starting_level(database: Database) -> None:
    histories(database)
    assert figures(database, KOTIM).comparisons == [
        Comparison("pemula", trained=1, trained_change=25.0, not_yet=1, not_yet_change=3.0),
        Comparison("berkembang", trained=0, trained_change=None, not_yet=1, not_yet_change=-15.0),
        Comparison("mandiri", 0, None, 0, None),
        Comparison("siap_naik_kelas", 0, None, 0, None),
    ]


def test_the_path_from_registered_to_improved(database: Database) -> None:
    histories(database)
    # registered: all five of Kotim; assessed: all; trained: up, new, after; assessed again after the first
    # session: up, after; improved: up (30 to 55) and after (50 to 70)
    assert figures(database, KOTIM).path == Path(registered=5, assessed=5, trained=3, assessed_again=2, improved=2)
    assert figures(database, PROVINCE).path == Path(registered=6, assessed=6, trained=3, assessed_again=2, improved=2)


def test_a_trained_owners_business_never_assessed_is_registered_only(database: Database) -> None:
    attended(database, business(database, "Belum dinilai", [(BEFORE, "mikro")]), EARLY)
    assert figures(database, KOTIM).path == Path(registered=1, assessed=0, trained=0, assessed_again=0, improved=0)


def test_a_kabupaten_sees_only_its_own(database: Database) -> None:
    histories(database)
    found = figures(database, KAPUAS)
    assert found.movements == [Movement(KAPUAS, 1, 0, 1, 0)]
    assert found.path == Path(registered=1, assessed=1, trained=0, assessed_again=0, improved=0)
    assert sum(comparison.trained + comparison.not_yet for comparison in found.comparisons) == 1  # mandiri, not yet


def test_an_empty_registry_counts_zeros(database: Database) -> None:
    found = figures(database, KOTIM)
    assert found.movements == [Movement(KOTIM, 0, 0, 0, 0)]
    assert found.path == Path(0, 0, 0, 0, 0)
    assert [comparison.trained + comparison.not_yet for comparison in found.comparisons] == [0, 0, 0, 0]
