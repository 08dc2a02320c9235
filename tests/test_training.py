"""Training programmes, seats and waiting lists (store/training.py), and the outbox (store/outbox.py).

Every test runs on SQLite and on PostgreSQL. Owners come from `bot.sample.seed` (ids 1..n, one
business each) and get the kabupaten, class and sector a test needs; the clock stands still at NOW
unless a test moves it, and sessions are in 2027.
"""

import multiprocessing
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert, select, update

from bot.sample import seed
from store.db import Database
from store.models import AuditEvent, Business, Enrollment, Evaluation, OutboxMessage, Programme, TrainingSession
from store.outbox import Delivery
from store.training import (
    Attendance,
    Audience,
    Catalogue,
    Closed,
    ClosedCount,
    EvaluationAnswer,
    EvaluationResults,
    Listing,
    Marked,
    ProgrammeRecord,
    Rating,
    SessionRecord,
    SignUp,
    Status,
)

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
WIB = ZoneInfo("Asia/Jakarta")
HOME = ("62.02", "mikro", "kuliner")  # Kotawaringin Timur, a micro business, food and drink
STALE = timedelta(minutes=5)  # how long a worker's claim is trusted in the outbox tests

_businesses = Business.__table__
_enrollments = Enrollment.__table__
_outbox = OutboxMessage.__table__


def in_utc(moment: datetime) -> datetime:
    """A moment read back from the registry: SQLite gives it without its zone, which is UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def day(month: int, date: int, hour: int = 2) -> datetime:
    """A moment in 2027, in UTC."""
    return datetime(2027, month, date, hour, tzinfo=timezone.utc)


def programme(code: str, *, dimensions: tuple[str, ...] = ("keuangan",), kabupaten: tuple[str, ...] = (),
              classes: tuple[str, ...] = (), sectors: tuple[str, ...] = ()) -> ProgrammeRecord:
    return ProgrammeRecord(code=code, name=f"Pelatihan {code}", description="Pelatihan untuk UMKM.",
                           organiser="Dinas Koperasi dan UKM", dimensions=dimensions, kabupaten_codes=kabupaten,
                           business_classes=classes, sectors=sectors)


def session(programme_code: str, code: str, starts_at: datetime, *, kabupaten: str = "62.71", capacity: int = 20,
            deadline: datetime | None = None) -> SessionRecord:
    return SessionRecord(programme_code=programme_code, code=code, starts_at=starts_at,
                         ends_at=starts_at + timedelta(hours=6), place="Aula Dinas Koperasi", kabupaten_code=kabupaten,
                         capacity=capacity, signup_deadline=deadline or starts_at - timedelta(days=2))


# -- setting the scene ------------------------------------------------------------------------


def owners(database: Database, count: int, profile: tuple[str, str, str] = HOME) -> None:
    """Owners 1..count, each with one business of this kabupaten, class and sector."""
    seed(database, count)
    kabupaten, business_class, sector = profile
    with database.engine.begin() as connection:
        connection.execute(update(_businesses).values(kabupaten_code=kabupaten, business_class=business_class,
                                                      sector=sector))


def set_profile(database: Database, owner_id: int, profile: tuple[str, str, str]) -> None:
    kabupaten, business_class, sector = profile
    with database.engine.begin() as connection:
        connection.execute(update(_businesses).where(_businesses.c.owner_id == owner_id)
                           .values(kabupaten_code=kabupaten, business_class=business_class, sector=sector))


def add_business(database: Database, owner_id: int, profile: tuple[str, str, str]) -> None:
    """Give an owner another business, a copy of their first with this kabupaten, class and sector."""
    kabupaten, business_class, sector = profile
    with database.engine.begin() as connection:
        row = dict(connection.execute(select(_businesses).where(_businesses.c.owner_id == owner_id)
                                      .order_by(_businesses.c.id).limit(1)).mappings().one())
        del row["id"]
        row.update(registration_number=None, kabupaten_code=kabupaten, business_class=business_class, sector=sector)
        connection.execute(insert(_businesses).values(row))


def catalogue(database: Database, programmes: list[ProgrammeRecord], sessions: list[SessionRecord],
              now: datetime = NOW) -> tuple[dict[str, int], dict[str, int]]:
    """Import programmes and sessions; the ids of programmes by code and of sessions by code."""
    with database.transaction(now) as registry:
        registry.training.import_programmes(programmes, sessions)
    with database.engine.connect() as connection:
        programme_ids = dict(connection.execute(select(Programme.code, Programme.id)).all())
        session_ids = dict(connection.execute(select(TrainingSession.code, TrainingSession.id)).all())
    return programme_ids, session_ids


def listings(database: Database, owner_id: int, now: datetime = NOW) -> list[Listing]:
    with database.transaction(now) as registry:
        return registry.training.open_programmes(registry.audience(owner_id))


def sign_up(database: Database, session_id: int, owner_id: int, *, waitlist: bool = True,
            now: datetime = NOW) -> SignUp:
    with database.transaction(now) as registry:
        return registry.training.sign_up(session_id, owner_id, registry.audience(owner_id), waitlist=waitlist)


def withdraw(database: Database, session_id: int, owner_id: int, now: datetime = NOW) -> list[int]:
    with database.transaction(now) as registry:
        return registry.training.withdraw(session_id, owner_id)


def places(database: Database, session_id: int) -> dict[int, str]:
    """Each owner's enrollment status in a session, cancelled ones too."""
    with database.engine.connect() as connection:
        return dict(connection.execute(
            select(_enrollments.c.owner_id, _enrollments.c.status).where(_enrollments.c.session_id == session_id)
        ).all())


def holding(database: Database, session_id: int, status: Status) -> set[int]:
    return {owner for owner, held in places(database, session_id).items() if held == status}


# -- 1. who may join what ---------------------------------------------------------------------

OWNER_A = ("62.02", "mikro", "kuliner")
OWNER_B = ("62.1", "kecil", "kul")  # each code a prefix of one the programmes name for someone else
ELIGIBILITY = [
    # programme code, whom it is restricted to, open to owner A, open to owner B
    ("open-to-all", {}, True, True),
    ("kab-kotim", {"kabupaten": ("62.02",)}, True, False),
    ("kab-kapuas", {"kabupaten": ("62.03",)}, False, False),
    ("kab-kapuas-or-kotim", {"kabupaten": ("62.03", "62.02")}, True, False),
    ("kab-pulang-pisau", {"kabupaten": ("62.11",)}, False, False),  # B's "62.1" is only its prefix
    ("kab-62.1", {"kabupaten": ("62.1",)}, False, True),
    ("kab-62.0", {"kabupaten": ("62.0",)}, False, False),  # a prefix of A's "62.02"
    ("class-mikro", {"classes": ("mikro",)}, True, False),
    ("class-kecil-menengah", {"classes": ("kecil", "menengah")}, False, True),
    ("class-menengah", {"classes": ("menengah",)}, False, False),
    ("sector-kuliner", {"sectors": ("kuliner",)}, True, False),  # B's "kul" is only its prefix
    ("sector-kul", {"sectors": ("kul",)}, False, True),
    ("sector-kriya-kuliner", {"sectors": ("kriya", "kuliner")}, True, False),
    ("sector-kriya", {"sectors": ("kriya",)}, False, False),
    ("kab-class", {"kabupaten": ("62.02",), "classes": ("mikro",)}, True, False),
    ("kab-wrong-class", {"kabupaten": ("62.02",), "classes": ("kecil",)}, False, False),
    ("all-three", {"kabupaten": ("62.02", "62.1"), "classes": ("mikro", "kecil"), "sectors": ("kuliner", "kul")},
     True, True),
    ("all-three-wrong-sector", {"kabupaten": ("62.02",), "classes": ("mikro",), "sectors": ("kriya",)}, False, False),
    ("class-and-sector", {"classes": ("kecil",), "sectors": ("kul",)}, False, True),
]


def test_programmes_are_open_by_kabupaten_class_and_sector_with_empty_lists_open_to_all(database: Database) -> None:
    owners(database, 2, OWNER_A)
    set_profile(database, 2, OWNER_B)
    programme_ids, _ = catalogue(
        database, [programme(code, **restricted) for code, restricted, _a, _b in ELIGIBILITY],
        [session(code, f"{code}-1", day(2, 1)) for code, _restricted, _a, _b in ELIGIBILITY])
    codes = {programme_id: code for code, programme_id in programme_ids.items()}
    with database.transaction(NOW) as registry:
        for owner_id, column in ((1, 2), (2, 3)):
            audience = registry.audience(owner_id)
            expected = {row[0] for row in ELIGIBILITY if row[column]}
            listed = {codes[listing.programme_id] for listing in registry.training.open_programmes(audience)}
            assert listed == expected, f"owner {owner_id}"
            is_open = {code for code, programme_id in programme_ids.items()
                       if registry.training.is_open_to(programme_id, audience)}
            assert is_open == expected, f"owner {owner_id}"


def test_an_owner_without_a_business_is_offered_nothing(database: Database) -> None:
    owners(database, 1)
    programme_ids, _ = catalogue(database, [programme("open")], [session("open", "open-1", day(2, 1))])
    with database.transaction(NOW) as registry:
        assert registry.training.open_programmes(Audience(())) == []
        assert registry.training.is_open_to(programme_ids["open"], Audience(())) is False
        assert registry.training.recommended(["keuangan"], Audience(()), 5) == []


MIXED = [
    # programme code, whom it is restricted to, open to an owner of (62.02 mikro kuliner) and (62.03 kecil kriya)
    ("kotim-kriya", {"kabupaten": ("62.02",), "sectors": ("kriya",)}, False),  # kabupaten of one, sector of other
    ("kapuas-kriya", {"kabupaten": ("62.03",), "sectors": ("kriya",)}, True),
    ("kotim-kecil", {"kabupaten": ("62.02",), "classes": ("kecil",)}, False),
    ("mikro-kriya", {"classes": ("mikro",), "sectors": ("kriya",)}, False),
    ("kapuas-kecil-kriya", {"kabupaten": ("62.03",), "classes": ("kecil",), "sectors": ("kriya",)}, True),
    ("kotim-mikro-kuliner", {"kabupaten": ("62.02",), "classes": ("mikro",), "sectors": ("kuliner",)}, True),
    ("either-kabupaten-menengah", {"kabupaten": ("62.02", "62.03"), "classes": ("menengah",)}, False),
    ("kriya-anywhere", {"sectors": ("kriya",)}, True),
]


def test_an_owner_with_two_businesses_is_admitted_through_one_business_meeting_every_list(database: Database) -> None:
    owners(database, 1, ("62.02", "mikro", "kuliner"))
    add_business(database, 1, ("62.03", "kecil", "kriya"))
    programme_ids, _ = catalogue(database, [programme(code, **restricted) for code, restricted, _open in MIXED],
                                 [session(code, f"{code}-1", day(2, 1)) for code, _restricted, _open in MIXED])
    codes = {programme_id: code for code, programme_id in programme_ids.items()}
    expected = {code for code, _restricted, is_open in MIXED if is_open}
    with database.transaction(NOW) as registry:
        audience = registry.audience(1)
        assert len(audience.businesses) == 2
        assert {codes[listing.programme_id] for listing in registry.training.open_programmes(audience)} == expected
        assert {code for code, programme_id in programme_ids.items()
                if registry.training.is_open_to(programme_id, audience)} == expected


CLOSED = [
    # programme code, whom it is restricted to, why it is closed to an owner of (62.02 mikro kuliner), for classes
    ("open", {}, None, ()),
    ("kapuas", {"kabupaten": ("62.03",)}, Closed.KABUPATEN, ()),
    ("kapuas-kecil", {"kabupaten": ("62.03",), "classes": ("kecil",)}, Closed.KABUPATEN, ()),  # the first list
    ("kapuas-kriya", {"kabupaten": ("62.03",), "sectors": ("kriya",)}, Closed.KABUPATEN, ()),
    ("kecil", {"classes": ("kecil",)}, Closed.CLASS, ("kecil",)),
    ("kotim-kecil", {"kabupaten": ("62.02",), "classes": ("kecil",)}, Closed.CLASS, ("kecil",)),
    ("kecil-kriya", {"classes": ("kecil",), "sectors": ("kriya",)}, Closed.CLASS, ("kecil",)),
    ("kecil-menengah", {"classes": ("kecil", "menengah")}, Closed.CLASS, ("kecil", "menengah")),
    ("kriya", {"sectors": ("kriya",)}, Closed.SECTOR, ()),
    ("kotim-mikro-kriya", {"kabupaten": ("62.02",), "classes": ("mikro",), "sectors": ("kriya",)}, Closed.SECTOR, ()),
]


def test_programmes_closed_to_an_owner_are_counted_by_the_first_list_none_of_their_businesses_meets(
        database: Database) -> None:
    owners(database, 1)  # 62.02 mikro kuliner
    programme_ids, _ = catalogue(
        database, [programme(code, **restricted) for code, restricted, _why, _classes in CLOSED]
        + [programme("kapuas-past", kabupaten=("62.03",)), programme("kapuas-no-sessions", kabupaten=("62.03",))],
        [session(code, f"{code}-1", day(2, 1)) for code, _restricted, _why, _classes in CLOSED]
        + [session("kapuas-past", "kapuas-past-1", datetime(2026, 11, 1, 2, tzinfo=timezone.utc))])
    expected = Counter((why, classes) for _code, _restricted, why, classes in CLOSED if why is not None)
    with database.transaction(NOW) as registry:
        seen = registry.training.catalogue(registry.audience(1))
        assert registry.training.catalogue(Audience(())) == Catalogue([], [])
    assert [listing.programme_id for listing in seen.open] == [programme_ids["open"]]
    assert seen.closed == [ClosedCount(why, classes, count) for (why, classes), count in expected.items()]
    assert seen.closed == [ClosedCount(Closed.KABUPATEN, (), 3), ClosedCount(Closed.CLASS, ("kecil",), 3),
                           ClosedCount(Closed.CLASS, ("kecil", "menengah"), 1), ClosedCount(Closed.SECTOR, (), 2)]


def test_a_programme_closed_to_every_business_of_an_owner_is_counted_by_the_one_that_comes_closest(
        database: Database) -> None:
    owners(database, 1, ("62.02", "mikro", "kuliner"))
    add_business(database, 1, ("62.03", "kecil", "kriya"))
    restricted = {"barsel": {"kabupaten": ("62.04",)},  # neither business's kabupaten
                  "kotim-kecil": {"kabupaten": ("62.02",), "classes": ("kecil",)},  # the small one is in Kapuas
                  "kapuas-mikro": {"kabupaten": ("62.03",), "classes": ("mikro",)},
                  "kotim-kriya": {"kabupaten": ("62.02",), "sectors": ("kriya",)},  # the crafts one is in Kapuas
                  "kapuas-kriya": {"kabupaten": ("62.03",), "sectors": ("kriya",)},  # open through the second
                  "menengah": {"classes": ("menengah",)}}
    catalogue(database, [programme(code, **lists) for code, lists in restricted.items()],
              [session(code, f"{code}-1", day(2, 1)) for code in restricted])
    with database.transaction(NOW) as registry:
        assert registry.training.catalogue(registry.audience(1)).closed == [
            ClosedCount(Closed.KABUPATEN, (), 1), ClosedCount(Closed.CLASS, ("kecil",), 1),
            ClosedCount(Closed.CLASS, ("menengah",), 1), ClosedCount(Closed.CLASS, ("mikro",), 1),
            ClosedCount(Closed.SECTOR, (), 1)]


def test_listings_asked_for_an_owner_mark_the_programmes_where_they_hold_or_wait_for_a_place(
        database: Database) -> None:
    owners(database, 2)
    programme_ids, session_ids = catalogue(
        database, [programme(code) for code in ("held", "waiting", "cancelled", "past-held", "later-held", "none")],
        [session("held", "held-1", day(1, 10)),
         session("waiting", "waiting-1", day(1, 11), capacity=1),
         session("cancelled", "cancelled-1", day(1, 12)),
         session("past-held", "past-held-1", day(1, 2)), session("past-held", "past-held-2", day(2, 2)),
         session("later-held", "later-held-1", day(1, 13)), session("later-held", "later-held-2", day(2, 13)),
         session("none", "none-1", day(1, 14))])
    assert sign_up(database, session_ids["held-1"], 1) == SignUp.REGISTERED
    assert sign_up(database, session_ids["waiting-1"], 2) == SignUp.REGISTERED
    assert sign_up(database, session_ids["waiting-1"], 1) == SignUp.WAITLISTED
    assert sign_up(database, session_ids["cancelled-1"], 1) == SignUp.REGISTERED
    assert withdraw(database, session_ids["cancelled-1"], 1) == []
    assert sign_up(database, session_ids["past-held-1"], 1) == SignUp.REGISTERED
    assert sign_up(database, session_ids["later-held-2"], 1) == SignUp.REGISTERED
    codes = {programme_id: code for code, programme_id in programme_ids.items()}
    with database.transaction(day(1, 5)) as registry:  # past-held-1 is behind the owner by then
        marked = {codes[listing.programme_id]: listing.mine
                  for listing in registry.training.open_programmes(registry.audience(1), 1)}
        unmarked = {listing.mine for listing in registry.training.open_programmes(registry.audience(1))}
    assert marked == {"held": Status.REGISTERED, "waiting": Status.WAITLISTED, "cancelled": None, "past-held": None,
                      "later-held": Status.REGISTERED, "none": None}
    assert unmarked == {None}


def test_only_programmes_with_a_session_still_ahead_are_listed(database: Database) -> None:
    owners(database, 1)
    programme_ids, _ = catalogue(
        database,
        [programme("past"), programme("starting-now"), programme("no-sessions"), programme("past-and-ahead"),
         programme("ahead")],
        [session("past", "past-1", datetime(2026, 11, 1, 2, tzinfo=timezone.utc)),
         session("starting-now", "starting-now-1", NOW),
         session("past-and-ahead", "past-and-ahead-1", datetime(2026, 10, 1, 2, tzinfo=timezone.utc)),
         session("past-and-ahead", "past-and-ahead-2", day(3, 1)),
         session("ahead", "ahead-1", day(2, 1))])
    assert listings(database, 1) == [
        Listing(programme_ids["ahead"], "Pelatihan ahead", day(2, 1), None),
        Listing(programme_ids["past-and-ahead"], "Pelatihan past-and-ahead", day(3, 1), None),
    ]
    assert listings(database, 1, now=day(2, 15)) == [
        Listing(programme_ids["past-and-ahead"], "Pelatihan past-and-ahead", day(3, 1), None)]


def test_listings_with_a_session_in_the_owners_kabupaten_come_first_then_by_next_start(database: Database) -> None:
    owners(database, 1)  # in 62.02
    programme_ids, _ = catalogue(
        database,
        [programme(code) for code in ("far-soon", "far-late", "near-late", "near-early", "near-only-in-past")],
        [session("far-soon", "far-soon-1", day(1, 5)),
         session("far-late", "far-late-1", day(4, 1), kabupaten="62.03"),
         session("near-late", "near-late-1", day(3, 1), kabupaten="62.02"),
         session("near-early", "near-early-1", day(2, 1), kabupaten="62.02"),
         session("near-early", "near-early-2", day(1, 2)),  # its next start, though not the near one
         session("near-only-in-past", "near-only-in-past-1", datetime(2026, 10, 1, tzinfo=timezone.utc),
                 kabupaten="62.02"),
         session("near-only-in-past", "near-only-in-past-2", day(1, 3))])
    assert [(listing.programme_id, listing.next_start, listing.next_near is not None) for listing in listings(database, 1)] == [
        (programme_ids["near-early"], day(1, 2), True),
        (programme_ids["near-late"], day(3, 1), True),
        (programme_ids["near-only-in-past"], day(1, 3), False),
        (programme_ids["far-soon"], day(1, 5), False),
        (programme_ids["far-late"], day(4, 1), False),
    ]


def test_a_second_business_makes_its_kabupaten_near_too(database: Database) -> None:
    owners(database, 1, ("62.02", "mikro", "kuliner"))
    add_business(database, 1, ("62.71", "mikro", "kuliner"))
    programme_ids, _ = catalogue(database, [programme("palangka"), programme("kapuas")],
                                 [session("palangka", "palangka-1", day(3, 1), kabupaten="62.71"),
                                  session("kapuas", "kapuas-1", day(1, 10), kabupaten="62.03")])
    assert [(listing.programme_id, listing.next_near is not None) for listing in listings(database, 1)] == [
        (programme_ids["palangka"], True), (programme_ids["kapuas"], False)]


def test_recommended_follows_the_order_of_the_dimensions_asked_and_only_open_programmes(database: Database) -> None:
    owners(database, 1)  # 62.02 mikro kuliner
    programme_ids, _ = catalogue(
        database,
        [programme("books", dimensions=("keuangan",)),
         programme("selling-and-books", dimensions=("pemasaran", "keuangan")),
         programme("selling-early", dimensions=("pemasaran",)),
         programme("selling-for-kriya", dimensions=("pemasaran",), sectors=("kriya",)),
         programme("online", dimensions=("digital",)),
         programme("production", dimensions=("produksi",))],
        [session("books", "books-1", day(1, 10)),
         session("selling-and-books", "selling-and-books-1", day(2, 10)),
         session("selling-early", "selling-early-1", day(1, 20)),
         session("selling-for-kriya", "selling-for-kriya-1", day(1, 5)),
         session("online", "online-1", day(1, 6)),
         session("production", "production-1", day(1, 7))])
    with database.transaction(NOW) as registry:
        audience = registry.audience(1)

        def recommended(dimensions: list[str], limit: int = 10) -> list[int]:
            return [listing.programme_id for listing in registry.training.recommended(dimensions, audience, limit)]

        assert recommended(["pemasaran", "keuangan"]) == [
            programme_ids["selling-early"], programme_ids["selling-and-books"], programme_ids["books"]]
        assert recommended(["keuangan", "pemasaran"]) == [
            programme_ids["books"], programme_ids["selling-and-books"], programme_ids["selling-early"]]
        assert recommended(["pemasaran", "keuangan"], limit=2) == [
            programme_ids["selling-early"], programme_ids["selling-and-books"]]
        assert recommended(["digital"]) == [programme_ids["online"]]
        assert recommended(["keu", "pemasaran-online"]) == []  # dimensions are whole words too
        assert recommended([]) == []


def test_a_clock_given_in_wib_lists_the_same_programmes_on_every_backend(database: Database) -> None:
    owners(database, 1)
    catalogue(database, [programme("today")], [session("today", "today-1", NOW + timedelta(hours=3))])
    assert [listing.next_start for listing in listings(database, 1, now=NOW)] == [NOW + timedelta(hours=3)]
    assert [listing.next_start for listing in listings(database, 1, now=NOW.astimezone(WIB))] == [
        NOW + timedelta(hours=3)]


# -- 2. asking for a seat ---------------------------------------------------------------------


def test_seats_are_given_until_capacity_then_full_or_the_waiting_list(database: Database) -> None:
    owners(database, 5)
    _, session_ids = catalogue(database, [programme("books")], [session("books", "books-1", day(1, 10), capacity=2)])
    books = session_ids["books-1"]
    assert sign_up(database, books, 1, waitlist=False) == SignUp.REGISTERED
    assert sign_up(database, books, 2, waitlist=False) == SignUp.REGISTERED
    assert sign_up(database, books, 3, waitlist=False) == SignUp.FULL
    assert places(database, books) == {1: Status.REGISTERED, 2: Status.REGISTERED}  # FULL writes nothing
    assert sign_up(database, books, 3, waitlist=True) == SignUp.WAITLISTED
    assert sign_up(database, books, 4, waitlist=True) == SignUp.WAITLISTED
    assert places(database, books) == {1: Status.REGISTERED, 2: Status.REGISTERED, 3: Status.WAITLISTED,
                                       4: Status.WAITLISTED}
    with database.transaction(NOW) as registry:
        info = registry.training.session(books, 3)
    assert info is not None
    assert (info.taken, info.waitlisted, info.seats_left, info.status) == (2, 2, 0, Status.WAITLISTED)


def test_a_seat_is_asked_for_once_per_programme(database: Database) -> None:
    owners(database, 3)
    _, session_ids = catalogue(database, [programme("books"), programme("selling")], [
        session("books", "books-jan", day(1, 10), capacity=1),
        session("books", "books-feb", day(2, 10)),
        session("selling", "selling-jan", day(1, 12))])
    assert sign_up(database, session_ids["books-jan"], 1) == SignUp.REGISTERED
    assert sign_up(database, session_ids["books-jan"], 2) == SignUp.WAITLISTED
    assert sign_up(database, session_ids["books-jan"], 1) == SignUp.ALREADY
    assert sign_up(database, session_ids["books-jan"], 2, waitlist=False) == SignUp.ALREADY
    assert sign_up(database, session_ids["books-feb"], 1) == SignUp.OTHER_SESSION
    assert sign_up(database, session_ids["books-feb"], 2) == SignUp.OTHER_SESSION  # a place on the waiting list too
    assert sign_up(database, session_ids["selling-jan"], 1) == SignUp.REGISTERED  # another programme is fine
    assert places(database, session_ids["books-feb"]) == {}
    # Once the January session is behind them, February's is theirs to ask for.
    assert sign_up(database, session_ids["books-feb"], 1, now=day(1, 11)) == SignUp.REGISTERED
    # And a place given up is no place held.
    assert withdraw(database, session_ids["books-jan"], 2) == []
    assert sign_up(database, session_ids["books-feb"], 2) == SignUp.REGISTERED


def test_sign_up_closes_at_the_deadline_and_when_the_session_starts(database: Database) -> None:
    owners(database, 4)
    _, session_ids = catalogue(database, [programme("books"), programme("selling")], [
        session("books", "books-1", day(1, 10), deadline=day(1, 5)),
        session("selling", "selling-1", day(1, 10), deadline=day(1, 20))])  # a deadline after the start
    assert sign_up(database, session_ids["books-1"], 1, now=day(1, 5) - timedelta(minutes=1)) == SignUp.REGISTERED
    assert sign_up(database, session_ids["books-1"], 2, now=day(1, 5) + timedelta(minutes=1)) == SignUp.CLOSED
    assert sign_up(database, session_ids["selling-1"], 3, now=day(1, 10)) == SignUp.CLOSED
    assert sign_up(database, session_ids["selling-1"], 4, now=day(1, 12)) == SignUp.CLOSED
    assert places(database, session_ids["books-1"]) == {1: Status.REGISTERED}
    assert places(database, session_ids["selling-1"]) == {}


def test_an_ineligible_owner_or_an_unknown_session_is_not_open_to_you(database: Database) -> None:
    owners(database, 3)  # 62.02 mikro kuliner
    _, session_ids = catalogue(database, [programme("kapuas-only", kabupaten=("62.03",)), programme("open")], [
        session("kapuas-only", "kapuas-only-1", day(1, 10)), session("open", "open-1", day(1, 10))])
    assert sign_up(database, session_ids["kapuas-only-1"], 1) == SignUp.NOT_OPEN_TO_YOU
    assert sign_up(database, max(session_ids.values()) + 100, 1) == SignUp.NOT_OPEN_TO_YOU
    with database.engine.begin() as connection:
        connection.execute(_businesses.delete().where(_businesses.c.owner_id == 2))
    assert sign_up(database, session_ids["open-1"], 2) == SignUp.NOT_OPEN_TO_YOU
    set_profile(database, 3, ("62.03", "mikro", "kuliner"))
    assert sign_up(database, session_ids["kapuas-only-1"], 3) == SignUp.REGISTERED
    assert places(database, session_ids["kapuas-only-1"]) == {3: Status.REGISTERED}
    assert places(database, session_ids["open-1"]) == {}


def test_would_sign_up_says_what_asking_would_come_to_and_writes_nothing(database: Database) -> None:
    owners(database, 4)
    _, session_ids = catalogue(database, [programme("books"), programme("kapuas-only", kabupaten=("62.03",))], [
        session("books", "books-jan", day(1, 10), capacity=1, deadline=day(1, 5)),
        session("books", "books-feb", day(2, 10)),
        session("kapuas-only", "kapuas-only-1", day(1, 10))])
    assert sign_up(database, session_ids["books-jan"], 1) == SignUp.REGISTERED
    before = {code: places(database, session_id) for code, session_id in session_ids.items()}

    def would(code: str, owner_id: int, now: datetime = NOW) -> SignUp:
        with database.transaction(now) as registry:
            return registry.training.would_sign_up(session_ids[code], owner_id, registry.audience(owner_id))

    assert would("books-feb", 2) == SignUp.REGISTERED
    assert would("books-jan", 2) == SignUp.FULL
    assert would("books-jan", 1) == SignUp.ALREADY
    assert would("books-feb", 1) == SignUp.OTHER_SESSION
    assert would("books-jan", 2, now=day(1, 6)) == SignUp.CLOSED
    assert would("kapuas-only-1", 2) == SignUp.NOT_OPEN_TO_YOU
    assert {code: places(database, session_id) for code, session_id in session_ids.items()} == before


def test_signing_up_again_after_cancelling_joins_the_end_of_the_waiting_list(database: Database) -> None:
    owners(database, 4)
    _, session_ids = catalogue(database, [programme("books")], [session("books", "books-1", day(1, 10), capacity=1)])
    books = session_ids["books-1"]
    minute = timedelta(minutes=1)
    assert sign_up(database, books, 1, now=NOW) == SignUp.REGISTERED
    assert sign_up(database, books, 2, now=NOW + minute) == SignUp.WAITLISTED
    assert sign_up(database, books, 3, now=NOW + 2 * minute) == SignUp.WAITLISTED
    assert sign_up(database, books, 4, now=NOW + 3 * minute) == SignUp.WAITLISTED
    assert withdraw(database, books, 2, now=NOW + 4 * minute) == []
    assert places(database, books)[2] == Status.CANCELLED
    assert sign_up(database, books, 2, now=NOW + 5 * minute) == SignUp.WAITLISTED
    # The seat goes round the waiting list in the order of joining, owner 2 now last.
    assert withdraw(database, books, 1, now=NOW + 6 * minute) == [3]
    assert withdraw(database, books, 3, now=NOW + 7 * minute) == [4]
    assert withdraw(database, books, 4, now=NOW + 8 * minute) == [2]
    assert places(database, books) == {1: Status.CANCELLED, 2: Status.REGISTERED, 3: Status.CANCELLED,
                                       4: Status.CANCELLED}
    # A registered owner who cancelled and comes back while the seat is free gets it again.
    assert withdraw(database, books, 2, now=NOW + 9 * minute) == []
    assert sign_up(database, books, 2, now=NOW + 10 * minute) == SignUp.REGISTERED


# -- 3. the race for the last seat ------------------------------------------------------------

RACERS = 40


@pytest.mark.parametrize("capacity", [5, 1])
def test_many_owners_asking_at_once_get_exactly_the_seats_there_are(database: Database, capacity: int) -> None:
    owners(database, RACERS)
    _, session_ids = catalogue(database, [programme("books")],
                               [session("books", "books-1", day(1, 10), capacity=capacity)])
    books = session_ids["books-1"]
    start = threading.Barrier(RACERS)
    results: dict[int, SignUp] = {}
    errors: list[BaseException] = []

    def ask(owner_id: int) -> None:
        try:
            start.wait(timeout=30)
            results[owner_id] = sign_up(database, books, owner_id)
        except BaseException as error:  # noqa: B036 - reported below, with the owner
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(owner_id,)) for owner_id in range(1, RACERS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    _assert_seats_shared(database, books, capacity, results)


def _assert_seats_shared(database: Database, session_id: int, capacity: int, results: dict[int, SignUp]) -> None:
    assert sorted(results) == list(range(1, RACERS + 1))
    assert Counter(results.values()) == {SignUp.REGISTERED: capacity, SignUp.WAITLISTED: RACERS - capacity}
    with database.engine.connect() as connection:
        rows = connection.execute(select(_enrollments.c.owner_id, _enrollments.c.status)
                                  .where(_enrollments.c.session_id == session_id)).all()
    assert sorted(owner for owner, _status in rows) == list(range(1, RACERS + 1))  # one row each
    assert Counter(status for _owner, status in rows) == {Status.REGISTERED: capacity,
                                                          Status.WAITLISTED: RACERS - capacity}
    assert {owner: status for owner, status in rows} == {owner: str(result) for owner, result in results.items()}


PROCESSES = 4


def _ask_from_process(url: str, session_id: int, owner_ids: list[int], ready: object, out: object) -> None:
    """In a process of its own: these owners ask for a seat at once, each from a thread; report what they got."""
    database = Database(url)
    start = threading.Barrier(len(owner_ids))
    outcomes: list[tuple[int, str]] = []

    def ask(owner_id: int) -> None:
        try:
            start.wait(timeout=30)
            outcomes.append((owner_id, str(sign_up(database, session_id, owner_id))))
        except BaseException as error:  # noqa: B036 - reported to the test
            outcomes.append((owner_id, f"raised {error!r}"))

    try:
        ready.wait(timeout=60)  # every process started and connected
        threads = [threading.Thread(target=ask, args=(owner_id,)) for owner_id in owner_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        out.put(outcomes)
        database.dispose()


@pytest.mark.parametrize("capacity", [5, 1])
def test_owners_asking_at_once_from_several_processes_get_exactly_the_seats_there_are(
        database: Database, capacity: int) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("several processes share one registry on PostgreSQL")
    owners(database, RACERS)
    _, session_ids = catalogue(database, [programme("books")],
                               [session("books", "books-1", day(1, 10), capacity=capacity)])
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(PROCESSES)
    out = context.Queue()
    share = RACERS // PROCESSES
    processes = [context.Process(target=_ask_from_process, args=(
        database.url, session_ids["books-1"], list(range(1 + share * index, 1 + share * (index + 1))), ready, out))
        for index in range(PROCESSES)]
    for process in processes:
        process.start()
    try:
        outcomes = [outcome for _process in processes for outcome in out.get(timeout=180)]
    finally:
        for process in processes:
            process.join(timeout=30)
    assert [process.exitcode for process in processes] == [0] * PROCESSES
    assert [outcome for outcome in outcomes if outcome[1].startswith("raised")] == []
    _assert_seats_shared(database, session_ids["books-1"], capacity,
                         {owner: SignUp(result) for owner, result in outcomes})


def warm_pool(database: Database, connections: int) -> None:
    """Open connections ahead, so that threads let go at once are not kept apart by connecting."""
    opened = [database.engine.connect() for _ in range(connections)]
    for connection in opened:
        connection.close()


# -- 4. giving a seat up ----------------------------------------------------------------------


def test_a_freed_seat_goes_to_the_first_on_the_waiting_list_by_time_joined(database: Database) -> None:
    owners(database, 5)
    _, session_ids = catalogue(database, [programme("books")], [session("books", "books-1", day(1, 10), capacity=2)])
    books = session_ids["books-1"]
    assert sign_up(database, books, 1) == SignUp.REGISTERED
    assert sign_up(database, books, 2) == SignUp.REGISTERED
    for minutes, owner_id in ((1, 5), (2, 3), (3, 4)):  # joined in an order other than their ids
        assert sign_up(database, books, owner_id, now=NOW + timedelta(minutes=minutes)) == SignUp.WAITLISTED
    later = NOW + timedelta(hours=1)
    assert withdraw(database, books, 1, now=later) == [5]
    assert places(database, books) == {1: Status.CANCELLED, 2: Status.REGISTERED, 3: Status.WAITLISTED,
                                       4: Status.WAITLISTED, 5: Status.REGISTERED}
    assert withdraw(database, books, 3, now=later) == []  # from the waiting list: nobody gets a seat
    assert withdraw(database, books, 3, now=later) == []  # twice: nothing more happens
    assert withdraw(database, books, 1, now=later) == []
    assert places(database, books) == {1: Status.CANCELLED, 2: Status.REGISTERED, 3: Status.CANCELLED,
                                       4: Status.WAITLISTED, 5: Status.REGISTERED}
    assert withdraw(database, books, 2, now=later) == [4]
    assert holding(database, books, Status.REGISTERED) == {4, 5}


def test_withdrawing_from_an_unknown_session_or_one_never_joined_changes_nothing(database: Database) -> None:
    owners(database, 2)
    _, session_ids = catalogue(database, [programme("books")], [session("books", "books-1", day(1, 10), capacity=1)])
    books = session_ids["books-1"]
    assert sign_up(database, books, 1) == SignUp.REGISTERED
    assert withdraw(database, max(session_ids.values()) + 100, 1) == []
    assert withdraw(database, books, 2) == []
    assert places(database, books) == {1: Status.REGISTERED}


def test_two_owners_withdrawing_at_once_free_two_seats_for_the_waiting_list_in_order(database: Database) -> None:
    owners(database, 8)
    _, session_ids = catalogue(database, [programme("books")], [session("books", "books-1", day(1, 10), capacity=3)])
    books = session_ids["books-1"]
    for owner_id in (1, 2, 3):
        assert sign_up(database, books, owner_id) == SignUp.REGISTERED
    waiting_order = [7, 5, 8, 4, 6]
    for minutes, owner_id in enumerate(waiting_order, start=1):
        assert sign_up(database, books, owner_id, now=NOW + timedelta(minutes=minutes)) == SignUp.WAITLISTED
    warm_pool(database, 2)
    start = threading.Barrier(2)
    promoted: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def give_up(owner_id: int) -> None:
        try:
            start.wait(timeout=30)
            promoted[owner_id] = withdraw(database, books, owner_id, now=NOW + timedelta(hours=1))
        except BaseException as error:  # noqa: B036 - reported below
            errors.append(error)

    threads = [threading.Thread(target=give_up, args=(owner_id,)) for owner_id in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(len(given) for given in promoted.values()) == [1, 1]
    assert sorted(owner for given in promoted.values() for owner in given) == [5, 7]
    assert holding(database, books, Status.REGISTERED) == {3, 5, 7}
    assert holding(database, books, Status.WAITLISTED) == {4, 6, 8}
    assert withdraw(database, books, 3, now=NOW + timedelta(hours=2)) == [8]  # the next in line


def test_a_capacity_grown_by_an_import_gives_the_new_seats_to_the_waiting_list(database: Database) -> None:
    owners(database, 4)
    _, session_ids = catalogue(database, [programme("books")], [session("books", "books-1", day(1, 10), capacity=1)])
    books = session_ids["books-1"]
    for minutes, owner_id in enumerate((1, 4, 2, 3)):
        sign_up(database, books, owner_id, now=NOW + timedelta(minutes=minutes))
    catalogue(database, [programme("books")], [session("books", "books-1", day(1, 10), capacity=3)],
              now=NOW + timedelta(hours=1))
    assert holding(database, books, Status.REGISTERED) == {1, 4, 2}
    assert holding(database, books, Status.WAITLISTED) == {3}


# -- 5. what an owner holds, and whom to remind -----------------------------------------------


def test_upcoming_of_lists_places_held_or_waited_for_ahead_soonest_first(database: Database) -> None:
    owners(database, 2)
    _, session_ids = catalogue(
        database, [programme(code) for code in ("past", "waiting", "cancelled", "later", "not-mine")],
        [session("past", "past-1", day(1, 3)),
         session("waiting", "waiting-1", day(1, 20), capacity=1),
         session("cancelled", "cancelled-1", day(1, 15)),
         session("later", "later-1", day(2, 10)),
         session("not-mine", "not-mine-1", day(1, 25))])
    assert sign_up(database, session_ids["past-1"], 1) == SignUp.REGISTERED
    assert sign_up(database, session_ids["waiting-1"], 2) == SignUp.REGISTERED
    assert sign_up(database, session_ids["waiting-1"], 1) == SignUp.WAITLISTED
    assert sign_up(database, session_ids["cancelled-1"], 1) == SignUp.REGISTERED
    assert withdraw(database, session_ids["cancelled-1"], 1) == []
    assert sign_up(database, session_ids["later-1"], 1) == SignUp.REGISTERED
    assert sign_up(database, session_ids["not-mine-1"], 2) == SignUp.REGISTERED
    with database.transaction(day(1, 8)) as registry:
        upcoming = registry.training.upcoming_of(1)
    assert [(info.id, info.status, info.taken, info.waitlisted) for info in upcoming] == [
        (session_ids["waiting-1"], Status.WAITLISTED, 1, 1),
        (session_ids["later-1"], Status.REGISTERED, 1, 0),
    ]
    assert upcoming[0].programme_name == "Pelatihan waiting"
    assert upcoming[0].starts_at == day(1, 20) and upcoming[0].starts_at.tzinfo is not None
    with database.transaction(NOW) as registry:  # before January 3rd the past one was still ahead
        assert [info.id for info in registry.training.upcoming_of(1)] == [
            session_ids["past-1"], session_ids["waiting-1"], session_ids["later-1"]]


def test_a_waiting_owner_knows_their_position_in_the_order_freed_seats_are_given(database: Database) -> None:
    owners(database, 6)
    programme_ids, session_ids = catalogue(database, [programme("books")],
                                           [session("books", "books-1", day(1, 10), capacity=1)])
    books = session_ids["books-1"]
    assert sign_up(database, books, 1) == SignUp.REGISTERED
    # Joined in an order other than their ids; 6 and 2 at the same moment, 6 first.
    for minutes, owner_id in ((3, 5), (1, 3), (2, 4), (4, 6), (4, 2)):
        assert sign_up(database, books, owner_id, now=NOW + timedelta(minutes=minutes)) == SignUp.WAITLISTED

    def positions() -> dict[int, int | None]:
        with database.transaction(NOW) as registry:
            found = {owner_id: info.position for owner_id in range(1, 7)
                     if (info := registry.training.session(books, owner_id)) is not None}
            # Owner 2 waits throughout: every query of the owner's sessions says where.
            assert [info.position for info in registry.training.sessions(programme_ids["books"], 2)] == [found[2]]
            assert [info.position for info in registry.training.upcoming_of(2)] == [found[2]]
            assert registry.training.session(books, None).position is None
        return found

    assert positions() == {1: None, 3: 1, 4: 2, 5: 3, 6: 4, 2: 5}
    assert withdraw(database, books, 1, now=NOW + timedelta(hours=1)) == [3]  # the first in line gets the seat
    assert positions() == {1: None, 3: None, 4: 1, 5: 2, 6: 3, 2: 4}
    assert withdraw(database, books, 5, now=NOW + timedelta(hours=1)) == []
    assert positions() == {1: None, 3: None, 4: 1, 5: None, 6: 2, 2: 3}
    assert withdraw(database, books, 3, now=NOW + timedelta(hours=2)) == [4]
    assert withdraw(database, books, 4, now=NOW + timedelta(hours=2)) == [6]  # the tie goes as the position said
    assert positions() == {1: None, 3: None, 4: None, 5: None, 6: None, 2: 1}


def test_sessions_of_a_programme_near_ones_first_with_the_owners_status_and_counts(database: Database) -> None:
    owners(database, 3)
    programme_ids, session_ids = catalogue(database, [programme("books")], [
        session("books", "palangka-jan", day(1, 5), kabupaten="62.71"),
        session("books", "sampit-feb", day(2, 1), kabupaten="62.02"),
        session("books", "sampit-jan", day(1, 20), kabupaten="62.02", capacity=2),
        session("books", "kapuas-jan", day(1, 10), kabupaten="62.03"),
        session("books", "sampit-past", datetime(2026, 11, 1, 2, tzinfo=timezone.utc), kabupaten="62.02")])
    books = programme_ids["books"]
    assert sign_up(database, session_ids["sampit-jan"], 1) == SignUp.REGISTERED
    assert sign_up(database, session_ids["sampit-jan"], 2) == SignUp.REGISTERED
    assert sign_up(database, session_ids["sampit-jan"], 3) == SignUp.WAITLISTED
    names = {session_id: code for code, session_id in session_ids.items()}
    with database.transaction(NOW) as registry:
        near = registry.training.sessions(books, 1, ("62.02",))
        assert [names[info.id] for info in near] == ["sampit-jan", "sampit-feb", "palangka-jan", "kapuas-jan"]
        assert [names[info.id] for info in registry.training.sessions(books, 1)] == [
            "palangka-jan", "kapuas-jan", "sampit-jan", "sampit-feb"]
        assert [names[info.id] for info in registry.training.sessions(books, 1, ("62.02", "62.03"))] == [
            "kapuas-jan", "sampit-jan", "sampit-feb", "palangka-jan"]
        by_name = {names[info.id]: info for info in near}
        assert (by_name["sampit-jan"].status, by_name["sampit-jan"].taken, by_name["sampit-jan"].waitlisted,
                by_name["sampit-jan"].seats_left) == (Status.REGISTERED, 2, 1, 0)
        assert (by_name["sampit-feb"].status, by_name["sampit-feb"].taken, by_name["sampit-feb"].seats_left) == (
            None, 0, 20)
        assert [info.status for info in registry.training.sessions(books, 3, ("62.02",))][0] == Status.WAITLISTED
        assert {info.status for info in registry.training.sessions(books, 99, ("62.02",))} == {None}


def test_registered_between_names_each_registered_owner_of_sessions_starting_in_the_window(database: Database) -> None:
    owners(database, 4)
    start = datetime(2027, 1, 10, tzinfo=WIB)  # a day in WIB, as the reminders ask for it
    end = start + timedelta(days=1)
    _, session_ids = catalogue(database, [programme(code) for code in ("a", "b", "c", "d", "e")], [
        session("a", "before", start - timedelta(minutes=1)),
        session("b", "at-start", start, capacity=1),
        session("c", "midday", day(1, 10, 5)),
        session("d", "at-end", end),
        session("e", "late-evening-utc", datetime(2027, 1, 10, 18, tzinfo=timezone.utc))])  # 01.00 WIB on the 11th
    for code in session_ids:
        sign_up(database, session_ids[code], 1)
    assert sign_up(database, session_ids["at-start"], 2) == SignUp.WAITLISTED
    assert sign_up(database, session_ids["midday"], 3) == SignUp.REGISTERED
    assert sign_up(database, session_ids["midday"], 4) == SignUp.REGISTERED
    withdraw(database, session_ids["midday"], 4)
    with database.transaction(NOW) as registry:
        found = registry.training.registered_between(start, end)
    assert [(info.id, owner) for info, owner in found] == [
        (session_ids["at-start"], 1), (session_ids["midday"], 1), (session_ids["midday"], 3)]
    assert found[1][0] is found[2][0]  # one SessionInfo per session
    assert (found[0][0].taken, found[0][0].waitlisted, found[0][0].status) == (1, 1, None)


# -- 5b. what officers see and mark ------------------------------------------------------------

KOTIM, KAPUAS = "62.02", "62.03"


def test_officers_see_the_programmes_and_sessions_of_their_scope_ahead_first_then_past(database: Database) -> None:
    past = datetime(2026, 10, 1, 2, tzinfo=timezone.utc)
    programme_ids, session_ids = catalogue(database, [
        programme("open"), programme("kotim-only", kabupaten=(KOTIM,)), programme("kapuas-only", kabupaten=(KAPUAS,)),
        programme("kapuas-held-in-kotim", kabupaten=(KAPUAS,)),
    ], [
        session("open", "open-kotim-later", day(3, 1), kabupaten=KOTIM),
        session("open", "open-kotim-past", past, kabupaten=KOTIM),
        session("open", "open-kotim-older", past - timedelta(days=30), kabupaten=KOTIM),
        session("open", "open-kotim-soon", day(1, 5), kabupaten=KOTIM),
        session("open", "open-kapuas", day(2, 1), kabupaten=KAPUAS),
        session("kapuas-only", "kapuas-1", day(2, 1), kabupaten=KAPUAS),
        session("kapuas-held-in-kotim", "kotim-1", day(2, 1), kabupaten=KOTIM),
    ])
    with database.transaction(NOW) as registry:
        kotim = {entry.code: [one.code for one in entry.sessions] for entry in registry.training.programme_board(KOTIM)}
        province = {entry.code: [one.code for one in entry.sessions]
                    for entry in registry.training.programme_board("62")}
        assert kotim == {"kapuas-held-in-kotim": ["kotim-1"], "kotim-only": [],
                         "open": ["open-kotim-soon", "open-kotim-later", "open-kotim-past", "open-kotim-older"]}
        assert province["open"] == ["open-kotim-soon", "open-kapuas", "open-kotim-later", "open-kotim-past",
                                    "open-kotim-older"]
        assert set(province) == {"open", "kotim-only", "kapuas-only", "kapuas-held-in-kotim"}
        assert registry.training.officer_session(session_ids["open-kapuas"], KOTIM) is None
        assert registry.training.officer_session(session_ids["open-kapuas"], KAPUAS).place == "Aula Dinas Koperasi"
        assert registry.training.programme_record(programme_ids["kapuas-only"], KOTIM) is None
        assert registry.training.programme_record(programme_ids["kapuas-held-in-kotim"], KOTIM).code == \
            "kapuas-held-in-kotim"
        assert registry.training.session_id(programme_ids["open"], "open-kapuas") == session_ids["open-kapuas"]
        assert registry.training.session_id(programme_ids["kotim-only"], "open-kapuas") is None


def test_participants_come_registered_then_waiting_in_order_then_attended_then_cancelled(database: Database) -> None:
    owners(database, 5)
    _, session_ids = catalogue(database, [programme("p")], [session("p", "s", day(2, 1), kabupaten=KOTIM, capacity=2)])
    session_id = session_ids["s"]
    for owner_id in (5, 4, 3, 2, 1):  # one at a time: the waiting list is 3, 2, 1
        sign_up(database, session_id, owner_id)
    withdraw(database, session_id, 4)  # 3 gets the seat: 5 and 3 registered, 2 and 1 waiting
    with database.transaction(day(2, 1)) as registry:  # as the session starts
        assert registry.training.mark_attendance(session_id, [5], True, KOTIM, "officer:1") == \
            Marked(Attendance.CHANGED, 1)
        found = registry.training.participants(session_id, KOTIM)
        assert registry.training.participants(session_id, KAPUAS) == []
        seats = registry.training.officer_session(session_id, KOTIM)
    assert [(one.owner_id, one.status, one.position) for one in found] == [
        (3, "registered", None), (2, "waitlisted", 1), (1, "waitlisted", 2), (5, "attended", None),
        (4, "cancelled", None)]
    assert all(one.kabupaten_code == "62.02" and one.registration_number for one in found)
    assert (seats.registered, seats.waitlisted, seats.attended, seats.absent, seats.fill_rate) == (1, 2, 1, 0, 1.0)


def attendance_audit(database: Database) -> list[tuple[str, str, str]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.subject).order_by(AuditEvent.id))]


def test_many_are_marked_at_once_only_where_registered_or_marked_in_scope_and_audited_once(
        database: Database) -> None:
    owners(database, 6)
    _, session_ids = catalogue(database, [programme("p")], [session("p", "s", day(2, 1), kabupaten=KOTIM, capacity=4)])
    session_id = session_ids["s"]
    for owner_id in (1, 2, 3, 4, 5):  # 1-4 registered, 5 waiting; 4 then cancels and 5 gets the seat
        sign_up(database, session_id, owner_id)
    withdraw(database, session_id, 4)
    sign_up(database, session_id, 6)  # waiting
    with database.transaction(day(2, 1, 5)) as registry:  # three hours into the session
        training = registry.training
        everyone = [1, 2, 3, 4, 5, 6, 7]  # 4 cancelled, 6 waiting, 7 never signed up
        assert training.mark_attendance(session_id, everyone, True, KAPUAS, "officer:9") == \
            Marked(Attendance.NO_SESSION)  # not theirs
        assert training.mark_attendance(session_id, everyone, True, KOTIM, "officer:9") == \
            Marked(Attendance.CHANGED, 4)
        assert training.mark_attendance(session_id, [2, 3, 3], False, KOTIM, "officer:9") == \
            Marked(Attendance.CHANGED, 2)
        assert training.mark_attendance(session_id, [1, 2], True, KOTIM, "officer:9") == \
            Marked(Attendance.CHANGED, 1)  # 1 was marked already: only 2 changes, back from absent
        assert training.mark_attendance(session_id, [1], True, "62", "officer:8") == Marked(Attendance.CHANGED, 0)
        assert training.mark_attendance(session_id, [], False, KOTIM, "officer:8") == Marked(Attendance.CHANGED, 0)
        seats = training.officer_session(session_id, KOTIM)
    assert places(database, session_id) == {1: "attended", 2: "attended", 3: "absent", 4: "cancelled",
                                            5: "attended", 6: "waitlisted"}
    assert (seats.registered, seats.attended, seats.absent, seats.waitlisted, seats.taken) == (0, 3, 1, 1, 4)
    # Counted, never named: no owner in the trail, and nothing when nothing changed.
    assert attendance_audit(database) == [
        ("officer:9", "attendance_marked", f"session:{session_id}:owners:4"),
        ("officer:9", "absence_marked", f"session:{session_id}:owners:2"),
        ("officer:9", "attendance_marked", f"session:{session_id}:owners:1")]


def test_an_absent_owner_frees_no_seat_for_the_waiting_list_even_when_the_session_is_imported_again(
        database: Database) -> None:
    owners(database, 2)
    one_seat = [session("p", "s", day(2, 1), capacity=1)]
    _, session_ids = catalogue(database, [programme("p")], one_seat)
    session_id = session_ids["s"]
    sign_up(database, session_id, 1)
    sign_up(database, session_id, 2)
    with database.transaction(day(2, 1)) as registry:
        assert registry.training.mark_attendance(session_id, [1], False, "62", "officer:1") == \
            Marked(Attendance.CHANGED, 1)
    catalogue(database, [programme("p")], one_seat, now=day(2, 2))
    assert places(database, session_id) == {1: "absent", 2: "waitlisted"}
    with database.engine.connect() as connection:
        assert connection.execute(select(OutboxMessage.id)).all() == []

def test_an_owner_marked_as_attended_keeps_their_seat_when_the_session_is_imported_again(database: Database) -> None:
    owners(database, 2)
    one_seat = [session("p", "s", day(2, 1), capacity=1)]
    _, session_ids = catalogue(database, [programme("p")], one_seat)
    session_id = session_ids["s"]
    sign_up(database, session_id, 1)
    sign_up(database, session_id, 2)
    with database.transaction(day(2, 1)) as registry:
        assert registry.training.mark_attendance(session_id, [1], True, "62", "officer:1").changed == 1
    catalogue(database, [programme("p")], one_seat)
    assert withdraw(database, session_id, 3) == []
    assert places(database, session_id) == {1: "attended", 2: "waitlisted"}


def test_attendance_is_refused_before_the_session_starts_and_for_a_session_moved_later(database: Database) -> None:
    owners(database, 2)
    _, session_ids = catalogue(database, [programme("p")], [session("p", "s", day(2, 1), kabupaten=KOTIM)])
    session_id = session_ids["s"]
    sign_up(database, session_id, 1)
    sign_up(database, session_id, 2)
    with database.transaction(day(2, 1) - timedelta(minutes=1)) as registry:
        for attended in (True, False):
            assert registry.training.mark_attendance(session_id, [1, 2], attended, KOTIM, "officer:9") == \
                Marked(Attendance.NOT_STARTED)
    assert places(database, session_id) == {1: "registered", 2: "registered"}
    with database.transaction(day(2, 1)) as registry:
        assert registry.training.mark_attendance(session_id, [1], True, KOTIM, "officer:9").changed == 1
    # The session moved a week later: nothing is marked until it starts again; the mark made stays.
    catalogue(database, [programme("p")], [session("p", "s", day(2, 8), kabupaten=KOTIM)])
    with database.transaction(day(2, 2)) as registry:
        assert registry.training.mark_attendance(session_id, [1, 2], False, KOTIM, "officer:9") == \
            Marked(Attendance.NOT_STARTED)
    assert places(database, session_id) == {1: "attended", 2: "registered"}
    assert [action for _actor, action, _subject in attendance_audit(database)] == ["attendance_marked"]


def test_an_attended_seat_is_taken_for_the_chat_and_the_listing_and_never_given_up_by_asking_again(
        database: Database) -> None:
    owners(database, 3)
    _, session_ids = catalogue(database, [programme("p")], [session("p", "s", day(2, 1), capacity=2)])
    session_id = session_ids["s"]
    sign_up(database, session_id, 1)
    sign_up(database, session_id, 2)
    with database.transaction(day(2, 1)) as registry:
        assert registry.training.mark_attendance(session_id, [1], True, "62", "officer:1").changed == 1
    # The session moved a week later, its sign-up open again: owner 1 attended the day that was.
    catalogue(database, [programme("p")], [session("p", "s", day(2, 8), capacity=2)])
    with database.transaction(NOW) as registry:
        info = registry.training.session(session_id, None)
        assert (info.taken, info.seats_left) == (2, 0)
        assert [(code, taken, offered) for code, _name, _ahead, taken, offered, _next in
                registry.training.summaries()] == [("p", 2, 2)]
    assert sign_up(database, session_id, 1) == SignUp.ALREADY
    assert sign_up(database, session_id, 3) == SignUp.WAITLISTED
    assert places(database, session_id) == {1: "attended", 2: "registered", 3: "waitlisted"}


def test_a_participants_business_is_the_one_in_the_sessions_kabupaten_and_never_one_outside_the_scope(
        database: Database) -> None:
    owners(database, 3, (KAPUAS, "mikro", "kuliner"))  # owner 2 has a business in Kapuas only
    add_business(database, 1, (KOTIM, "mikro", "kuliner"))  # owner 1: in Kapuas first, then in Kotim
    set_profile(database, 3, (KOTIM, "mikro", "kuliner"))
    add_business(database, 3, (KAPUAS, "mikro", "kuliner"))  # owner 3: in Kotim first, then in Kapuas
    _, session_ids = catalogue(database, [programme("p")], [session("p", "s", day(2, 1), kabupaten=KOTIM)])
    session_id = session_ids["s"]
    for owner_id in (1, 2, 3):
        sign_up(database, session_id, owner_id)
    with database.transaction(NOW) as registry:
        seen = {scope: {one.owner_id: (one.kabupaten_code, one.business is not None)
                        for one in registry.training.participants(session_id, scope)} for scope in ("62", KOTIM)}
    assert seen == {"62": {1: (KOTIM, True), 2: (KAPUAS, True), 3: (KOTIM, True)},
                    KOTIM: {1: (KOTIM, True), 2: (None, False), 3: (KOTIM, True)}}


def test_a_new_programme_or_session_is_inserted_and_a_code_in_use_refused_leaving_the_other_as_it_was(
        database: Database) -> None:
    programme_ids, session_ids = catalogue(database, [programme("p")], [session("p", "s", day(2, 1))])
    with database.transaction(NOW) as registry:
        training = registry.training
        assert training.create_programme(programme("p", dimensions=("sdm",))) is None
        assert training.create_session(programme_ids["p"], session("p", "s", day(3, 1), capacity=5)) is None
        new_programme = training.create_programme(programme("q"))
        new_session = training.create_session(programme_ids["p"], session("p", "s2", day(3, 1)))
    with database.transaction(NOW) as registry:
        assert registry.training.programme_record(programme_ids["p"], "62") == programme("p")
        assert registry.training.officer_session(session_ids["s"], "62").record == session("p", "s", day(2, 1))
        assert registry.training.programme_id("q") == new_programme
        assert registry.training.session_id(programme_ids["p"], "s2") == new_session


# -- 5c. evaluations and training history ------------------------------------------------------


def evaluated(database: Database, session_id: int, owner_id: int, usefulness: int | None = None,
              trainer: int | None = None, will_apply: str | None = None, comment: str | None = None,
              answered: bool = True) -> None:
    """An evaluation asked the morning after the session (day 2-2, 09.00 WIB), answered an hour later unless not."""
    asked = day(2, 2)
    with database.engine.begin() as connection:
        connection.execute(insert(Evaluation).values(
            session_id=session_id, owner_id=owner_id, asked_at=asked, usefulness=usefulness, trainer=trainer,
            will_apply=will_apply, comment=comment, answered_at=asked + timedelta(hours=1) if answered else None))


def attended(database: Database, session_id: int, *owner_ids: int) -> None:
    with database.transaction(day(2, 1, 5)) as registry:
        assert registry.training.mark_attendance(session_id, owner_ids, True, "62", "officer:1").changed == \
            len(owner_ids)


def test_evaluation_results_count_the_asked_the_answered_and_each_rating_over_those_who_gave_it(
        database: Database) -> None:
    owners(database, 4)
    programme_ids, session_ids = catalogue(database, [programme("p"), programme("q")], [
        session("p", "answered", day(2, 1), kabupaten=KOTIM), session("p", "silent", day(2, 1), kabupaten=KOTIM),
        session("p", "unasked", day(2, 1), kabupaten=KOTIM), session("p", "kapuas", day(2, 1), kabupaten=KAPUAS),
        session("q", "other", day(2, 1), kabupaten=KOTIM)])
    for code in session_ids:
        for owner_id in (1, 2, 3):
            sign_up(database, session_ids[code], owner_id, now=NOW)
        attended(database, session_ids[code], 1, 2, 3)
    answered, silent = session_ids["answered"], session_ids["silent"]
    evaluated(database, answered, 1, 5, 4, "Mencatat kas harian", "<script>alert(1)</script>")
    evaluated(database, answered, 2, usefulness=3)  # only the first question answered
    evaluated(database, answered, 3, answered=False)
    evaluated(database, silent, 1, answered=False)  # asked, nobody answered
    evaluated(database, silent, 2, answered=False)
    evaluated(database, session_ids["kapuas"], 1, 1, 1)
    evaluated(database, session_ids["other"], 1, 2, 2)

    statements: list[str] = []

    def count(*arguments: object) -> None:
        statements.append(str(arguments[2]))

    with database.transaction(day(2, 3)) as registry:
        training = registry.training
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            everything = training.evaluation_results("62")
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        in_kotim = training.evaluation_results(KOTIM)
        of_p = training.evaluation_results("62", programme_ids["p"])
        unasked = training.session_evaluation(session_ids["unasked"], "62")
        out_of_scope = training.session_evaluation(session_ids["kapuas"], KOTIM)
        participants = {one.owner_id: one.evaluation for one in training.participants(answered, KOTIM)}
    assert len(statements) == 1  # every session's results in one query, whatever their number
    full = EvaluationResults(3, 2, Rating(2, 8), Rating(1, 4))
    nobody = EvaluationResults(2, 0, Rating(0, 0), Rating(0, 0))
    assert everything == {answered: full, silent: nobody, session_ids["kapuas"]: EvaluationResults(1, 1, Rating(1, 1),
                                                                                                  Rating(1, 1)),
                          session_ids["other"]: EvaluationResults(1, 1, Rating(1, 2), Rating(1, 2))}
    assert in_kotim.keys() == {answered, silent, session_ids["other"]}
    assert of_p.keys() == {answered, silent, session_ids["kapuas"]}
    assert unasked == out_of_scope == EvaluationResults()
    assert (unasked.response_rate, unasked.usefulness.average) == (None, None)
    assert (full.response_rate, full.usefulness.average, full.trainer.average) == (2 / 3, 4.0, 4.0)
    assert nobody.response_rate == 0 and nobody.usefulness.average is None
    added = full + nobody
    assert (added, added.response_rate) == (EvaluationResults(5, 2, Rating(2, 8), Rating(1, 4)), 0.4)
    asked = day(2, 2)
    assert participants == {
        1: EvaluationAnswer(asked, asked + timedelta(hours=1), 5, 4, "Mencatat kas harian",
                            "<script>alert(1)</script>"),
        2: EvaluationAnswer(asked, asked + timedelta(hours=1), 3, None, None, None),
        3: EvaluationAnswer(asked, None, None, None, None, None)}


def test_an_owners_history_is_the_sessions_they_attended_and_apart_their_places_ahead(database: Database) -> None:
    owners(database, 2)
    _, session_ids = catalogue(database, [programme("p"), programme("q"), programme("r")], [
        session("p", "earlier", day(1, 20)), session("q", "later", day(2, 1)), session("q", "absent", day(1, 25)),
        session("r", "ahead", day(3, 1))])
    for code in ("earlier", "later", "absent"):
        sign_up(database, session_ids[code], 1)
    sign_up(database, session_ids["later"], 2)
    attended(database, session_ids["earlier"], 1)
    attended(database, session_ids["later"], 1)
    with database.transaction(day(2, 1, 5)) as registry:
        registry.training.mark_attendance(session_ids["absent"], [1], False, "62", "officer:1")
    sign_up(database, session_ids["ahead"], 1, now=day(2, 2))
    with database.transaction(day(2, 2)) as registry:
        history = [(one.id, one.programme_name) for one in registry.training.attended_by(1)]
        ahead = [(one.id, one.status) for one in registry.training.upcoming_of(1)]
        nothing = registry.training.attended_by(2)
    assert history == [(session_ids["earlier"], "Pelatihan p"), (session_ids["later"], "Pelatihan q")]
    assert ahead == [(session_ids["ahead"], "registered")]
    assert nothing == []


# -- 6. the outbox ----------------------------------------------------------------------------


def outbox_rows(database: Database) -> dict[int, dict[str, object]]:
    with database.engine.connect() as connection:
        return {row["id"]: dict(row) for row in connection.execute(select(_outbox)).mappings()}


def test_a_message_queued_twice_with_one_key_is_one_row(database: Database) -> None:
    with database.transaction(NOW) as registry:
        assert registry.outbox.queue("reminder", None, "telegram", "1001", "Pengingat", key="reminder:1:1") == 1
        assert registry.outbox.queue("reminder", None, "telegram", "1001", "Pengingat", key="reminder:1:1") is None
    with database.transaction(NOW + timedelta(hours=1)) as registry:
        assert registry.outbox.queue("reminder", None, "whatsapp", "whatsapp:+6281", "Lagi", key="reminder:1:1") is None
        assert registry.outbox.queue("seat", None, "telegram", "1001", "Kursi") is not None
        assert registry.outbox.queue("seat", None, "telegram", "1001", "Kursi") is not None  # no key: no limit
    rows = outbox_rows(database)
    assert len(rows) == 3
    keyed = [row for row in rows.values() if row["key"] == "reminder:1:1"]
    assert [(row["channel"], row["text"], row["status"], row["attempts"]) for row in keyed] == [
        ("telegram", "Pengingat", Delivery.PENDING, 0)]


def test_claim_takes_due_rows_of_the_channels_asked_and_marks_them_sending(database: Database) -> None:
    with database.transaction(NOW) as registry:
        registry.outbox.queue("seat", None, "telegram", "1", "due an hour ago", due_at=NOW - timedelta(hours=1))
        registry.outbox.queue("seat", None, "telegram", "2", "due now")
        registry.outbox.queue("seat", None, "telegram", "3", "due in an hour", due_at=NOW + timedelta(hours=1))
        registry.outbox.queue("seat", None, "whatsapp", "whatsapp:+6281", "another channel")
        registry.outbox.queue("seat", None, "telegram", "4", "due now too")
    with database.transaction(NOW) as registry:
        claimed = registry.outbox.claim(2, ("telegram",), NOW - STALE)
    assert [(message.address, message.attempts) for message in claimed] == [("1", 1), ("2", 1)]
    rows = outbox_rows(database)
    assert {rows[message.id]["status"] for message in claimed} == {Delivery.SENDING}
    assert {rows[message.id]["attempts"] for message in claimed} == {1}
    with database.transaction(NOW) as registry:
        assert [message.address for message in registry.outbox.claim(10, ("telegram",), NOW - STALE)] == ["4"]
        assert registry.outbox.claim(10, ("telegram",), NOW - STALE) == []  # none left due, none stale
        assert [message.text for message in registry.outbox.claim(10, ("telegram", "whatsapp"), NOW - STALE)] == [
            "another channel"]
    with database.transaction(NOW + timedelta(hours=1)) as registry:
        assert [message.address for message in registry.outbox.claim(10, ("browser",), NOW)] == []


def test_a_claim_gone_stale_is_claimed_again_and_finished_rows_are_not(database: Database) -> None:
    with database.transaction(NOW) as registry:
        for address in ("1", "2", "3", "4"):
            registry.outbox.queue("seat", None, "telegram", address, f"to {address}")
    with database.transaction(NOW) as registry:
        first = {message.address: message.id for message in registry.outbox.claim(10, ("telegram",), NOW - STALE)}
        registry.outbox.sent([(first["1"], "telegram", "provider-1", "telegram", False)])
        registry.outbox.failed(first["2"], "blocked")
        registry.outbox.retry(first["3"], "429 too many", NOW + timedelta(minutes=30))
        # "4" stays claimed: its worker died before it said what happened
    minute = timedelta(minutes=1)
    with database.transaction(NOW + 3 * minute) as registry:
        assert registry.outbox.claim(10, ("telegram",), NOW + 3 * minute - STALE) == []  # "4" is not stale yet
    with database.transaction(NOW + 10 * minute) as registry:
        again = registry.outbox.claim(10, ("telegram",), NOW + 10 * minute - STALE)
    assert [(message.address, message.attempts) for message in again] == [("4", 2)]
    assert in_utc(outbox_rows(database)[first["4"]]["claimed_at"]) == NOW + 10 * minute
    with database.transaction(NOW + 11 * minute) as registry:
        registry.outbox.sent([(first["4"], "telegram", "provider-4", "telegram", False)])
    with database.transaction(NOW + 31 * minute) as registry:
        assert [(message.address, message.attempts) for message in registry.outbox.claim(
            10, ("telegram",), NOW + 31 * minute - STALE)] == [("3", 2)]
    rows = outbox_rows(database)
    assert (rows[first["1"]]["status"], rows[first["1"]]["provider_message_id"]) == (Delivery.SENT, "provider-1")
    assert (rows[first["2"]]["status"], rows[first["2"]]["error"]) == (Delivery.FAILED, "blocked")


def test_a_due_time_given_in_wib_is_the_same_moment_on_every_backend(database: Database) -> None:
    with database.transaction(NOW) as registry:
        registry.outbox.queue("seat", None, "telegram", "1", "due at 08.30 WIB",
                              due_at=datetime(2026, 11, 27, 8, 30, tzinfo=WIB))  # 01.30 UTC: before NOW
        registry.outbox.queue("seat", None, "telegram", "2", "due at 09.30 WIB",
                              due_at=datetime(2026, 11, 27, 9, 30, tzinfo=WIB))  # 02.30 UTC: after NOW
        registry.outbox.queue("seat", None, "telegram", "3", "retried")
    with database.transaction(NOW) as registry:
        assert [message.address for message in registry.outbox.claim(10, ("telegram",), NOW - STALE)] == ["1", "3"]
    retried = next(message_id for message_id, row in outbox_rows(database).items() if row["address"] == "3")
    with database.transaction(NOW) as registry:
        registry.outbox.retry(retried, "429", datetime(2026, 11, 27, 9, 15, tzinfo=WIB))  # 02.15 UTC
    with database.transaction(NOW + timedelta(minutes=20)) as registry:
        assert [message.address for message in registry.outbox.claim(10, ("telegram",), NOW - STALE)] == ["3"]


def test_a_clock_given_in_wib_claims_the_same_rows_on_every_backend(database: Database) -> None:
    with database.transaction(NOW) as registry:
        registry.outbox.queue("seat", None, "telegram", "1", "due at 02.30 UTC", due_at=NOW + timedelta(minutes=30))
    with database.transaction(NOW.astimezone(WIB)) as registry:  # 09.00 WIB, the same moment as NOW
        assert registry.outbox.claim(10, ("telegram",), NOW.astimezone(WIB) - STALE) == []


def test_two_workers_claiming_at_once_get_different_rows(database: Database) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("on SQLite one writer at a time: a second claimer waits for the first to commit")
    with database.transaction(NOW) as registry:
        for number in range(10):
            registry.outbox.queue("seat", None, "telegram", str(number), f"message {number}")
    first_claimed = threading.Event()
    second_done = threading.Event()
    claims: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with database.transaction(NOW) as registry:
                claims["first"] = [message.id for message in registry.outbox.claim(4, ("telegram",), NOW - STALE)]
                first_claimed.set()
                assert second_done.wait(timeout=30)  # the claim stays open while the other worker claims
        except BaseException as error:  # noqa: B036 - reported below
            errors.append(error)
            first_claimed.set()

    def second() -> None:
        try:
            assert first_claimed.wait(timeout=30)
            with database.transaction(NOW) as registry:
                claims["second"] = [message.id for message in registry.outbox.claim(10, ("telegram",), NOW - STALE)]
        except BaseException as error:  # noqa: B036 - reported below
            errors.append(error)
        finally:
            second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(claims["first"]) == 4 and len(claims["second"]) == 6
    assert set(claims["first"]).isdisjoint(claims["second"])
    assert set(claims["first"]) | set(claims["second"]) == set(outbox_rows(database))
    assert {row["attempts"] for row in outbox_rows(database).values()} == {1}


def test_many_workers_claiming_at_once_never_share_a_row(database: Database) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("on SQLite one writer at a time: claimers take turns")
    with database.transaction(NOW) as registry:
        for number in range(24):
            registry.outbox.queue("seat", None, "telegram", str(number), f"message {number}")
    workers = 6
    start = threading.Barrier(workers)
    claims: list[list[int]] = []
    errors: list[BaseException] = []

    def claim() -> None:
        try:
            start.wait(timeout=30)
            with database.transaction(NOW) as registry:
                claims.append([message.id for message in registry.outbox.claim(4, ("telegram",), NOW - STALE)])
        except BaseException as error:  # noqa: B036 - reported below
            errors.append(error)

    threads = [threading.Thread(target=claim) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    everything = [message_id for claimed in claims for message_id in claimed]
    assert len(everything) == len(set(everything))
    rows = outbox_rows(database)
    assert {message_id for message_id, row in rows.items() if row["status"] == Delivery.SENDING} == set(everything)
    assert {row["attempts"] for row in rows.values() if row["status"] == Delivery.SENDING} == {1}
