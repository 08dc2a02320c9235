"""The dashboard's registrations (store/registrations.py): filters, search, sorting, pages, exports, one business.

Every test runs on SQLite and on PostgreSQL, on the hand-made registry below: seven businesses of six
owners in three kabupaten, registered on either side of WIB midnights, some assessed (one twice).
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, update

from domain.assessment import LEVELS, Level
from domain.classes import BusinessClass
from store.db import Database
from store.models import (
    DIMENSION_COLUMNS,
    Announcement,
    Assessment,
    AuditEvent,
    Business,
    Enrollment,
    OutboxMessage,
    Owner,
    Programme,
    TrainingSession,
)
from store.officers import PROVINCE, actor_of
from store.registrations import BUSINESS_CLASSES, MESSAGES_SHOWN, SORTS, ExportRow, RegistrationFilter, mask_nik
from store.registry import registration_number

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
KOTIM, KAPUAS, PALANGKA = "62.02", "62.03", "62.71"


def utc(*moment: int) -> datetime:
    return datetime(*moment, tzinfo=timezone.utc)


def phone_of(owner: str) -> str:
    """The phone the registry below gives an owner: "+6281200000000" for the first."""
    return f"+62812000000{list(OWNERS).index(owner):02d}"


OWNERS = {  # key: name, NIK
    "siti": ("Siti Rahayu", "6202015507880001"),
    "budi": ("Budi Santoso", "6203011203800002"),
    "rina": ("Rina Lestari", "6271014406900003"),
    "agus": ("Agus Nyahu", "6202010101750004"),
    "dewi": ("Dewi Siti Handayani", "6202025505850005"),
    "yohanes": ("Yohanes Tambun", "6203020202820006"),
}


@dataclass(frozen=True)
class Sample:
    owner: str
    name: str
    kabupaten: str
    kecamatan: str
    sector: str
    business_class: str
    nib: str | None
    registered_at: datetime
    scores: tuple[float, ...] = ()  # its assessments' scores, oldest first


# In id order (1-7). 23.59.59 WIB on 28 February is 16.59.59 UTC; 00.00 WIB on 1 March is 17.00 UTC the day before.
BUSINESSES = {
    "soto": Sample("siti", "Warung Soto Bu Siti", KOTIM, "62.02.01", "kuliner", "mikro", None,
                   utc(2026, 2, 28, 16, 59, 59), (30.0, 65.0)),  # was pemula, now mandiri
    "kopi_": Sample("siti", "Kopi_Susu Sampit", KOTIM, "62.02.02", "kuliner", "kecil", "9120001234567",
                    utc(2026, 2, 28, 17), (20.0,)),
    "kopi": Sample("budi", "Kopi Susu Kapuas", KAPUAS, "62.03.01", "kuliner", "mikro", None, utc(2026, 3, 15, 5),
                   (85.0,)),
    "diskon": Sample("rina", "Diskon 50% Amplang", PALANGKA, "62.71.01", "olahan", "menengah", "9120001234568",
                     utc(2026, 3, 31, 16, 59, 59)),
    "gram": Sample("agus", "Amplang 500 Gram", KOTIM, "62.02.01", "olahan", "mikro", None, utc(2026, 3, 31, 17),
                   (45.0,)),
    "batik": Sample("dewi", "Batik Benang Bintik", KOTIM, "62.02.02", "fesyen", "kecil", "9120001234569",
                    utc(2026, 3, 15, 5), (65.0,)),  # registered the same second as "kopi"
    "soto2": Sample("yohanes", "Warung Soto Bu Siti", KAPUAS, "62.03.02", "kuliner", "mikro", None,
                    utc(2025, 12, 10, 3)),
}
IDS = {key: number for number, key in enumerate(BUSINESSES, start=1)}
KEYS = {number: key for key, number in IDS.items()}
ALL = set(BUSINESSES)


def _level(score: float) -> str:
    return "pemula" if score < 40 else "berkembang" if score < 60 else "mandiri" if score < 80 else "siap_naik_kelas"


def _dimensions(score: float) -> dict[str, float | None]:
    """Made-up dimension scores, told apart by the score: sdm never answered."""
    return {dimension: None if dimension == "sdm" else score + index for index, dimension in enumerate(DIMENSION_COLUMNS)}


@pytest.fixture
def registry(database: Database) -> Database:
    owner_ids: dict[str, int] = {}
    with database.engine.begin() as connection:
        for key, (name, nik) in OWNERS.items():
            owner_ids[key] = connection.execute(insert(Owner.__table__).values(
                name=name, nik=nik, phone=phone_of(key), phone_verified=True,
                registered_at=utc(2025, 12, 1))).inserted_primary_key[0]
        for key, sample in BUSINESSES.items():
            business_id = connection.execute(insert(Business.__table__).values(
                owner_id=owner_ids[sample.owner], registration_number=registration_number(sample.kabupaten, IDS[key]),
                name=sample.name, sector=sample.sector, sector_note=None, kbli_category="I",
                kabupaten_code=sample.kabupaten, kecamatan_code=sample.kecamatan, address="Jl. Tjilik Riwut",
                nib=sample.nib, year_started=2019, workers=2, modal_usaha=10_000_000, monthly_turnover=2_000_000,
                annual_turnover=24_000_000, business_class=sample.business_class,
                registered_at=sample.registered_at)).inserted_primary_key[0]
            assert business_id == IDS[key]
    for key, sample in BUSINESSES.items():
        for month, score in enumerate(sample.scores, start=4):
            with database.transaction(utc(2026, month, 1, 3)) as unit:
                unit.assessments.save(owner_ids[sample.owner], IDS[key], {"nib": 0}, score, _level(score),
                                      _dimensions(score))
    return database


def _ids(rows: list) -> list[str]:  # noqa: ANN001 - RegistrationRows
    return [KEYS[row.business_id] for row in rows]


def _numbers(keys: set[str]) -> set[str]:
    return {registration_number(BUSINESSES[key].kabupaten, IDS[key]) for key in keys}


def _everything(database: Database, where: RegistrationFilter) -> tuple[int, list[str], list[ExportRow]]:
    """What count, every page of two and the export say for one filter."""
    with database.transaction(NOW) as unit:
        count = unit.registrations.count(where)
        paged: list[str] = []
        while page := unit.registrations.page(where, offset=len(paged), limit=2):
            paged += _ids(page)
        exported = list(unit.registrations.export_rows(where, full_nik=False))
    return count, paged, exported


def _check(database: Database, where: RegistrationFilter, expected: set[str]) -> None:
    count, paged, exported = _everything(database, where)
    assert set(paged) == expected and len(paged) == len(expected)
    assert count == len(exported) == len(expected)
    assert {row.registration_number for row in exported} == _numbers(expected)


FILTERS = [
    ({}, ALL),
    ({"kabupaten": KOTIM}, {"soto", "kopi_", "gram", "batik"}),
    ({"kecamatan": "62.02.01"}, {"soto", "gram"}),
    ({"sector": "kuliner"}, {"soto", "kopi_", "kopi", "soto2"}),
    ({"business_class": "mikro"}, {"soto", "kopi", "gram", "soto2"}),
    ({"has_nib": True}, {"kopi_", "diskon", "batik"}),
    ({"has_nib": False}, {"soto", "kopi", "gram", "soto2"}),
    # Only the latest assessment counts: "soto" was pemula before it was mandiri.
    ({"level": "pemula"}, {"kopi_"}),
    ({"level": "berkembang"}, {"gram"}),
    ({"level": "mandiri"}, {"soto", "batik"}),
    ({"level": "siap_naik_kelas"}, {"kopi"}),
    ({"level": "none"}, {"diskon", "soto2"}),
    ({"level": "jago"}, set()),
    # WIB days: 1 March begins at 17.00 UTC on 28 February, 31 March ends at 16.59.59 UTC.
    ({"registered_from": date(2026, 3, 1)}, {"kopi_", "kopi", "diskon", "gram", "batik"}),
    ({"registered_to": date(2026, 2, 28)}, {"soto", "soto2"}),
    ({"registered_to": date(2026, 3, 31)}, ALL - {"gram"}),
    ({"registered_from": date(2026, 4, 1)}, {"gram"}),
    ({"registered_from": date(2026, 3, 15), "registered_to": date(2026, 3, 15)}, {"kopi", "batik"}),
    ({"kabupaten": KOTIM, "sector": "kuliner"}, {"soto", "kopi_"}),
    ({"kabupaten": KOTIM, "has_nib": False, "level": "mandiri"}, {"soto"}),
    ({"search": "amplang", "business_class": "mikro"}, {"gram"}),
    ({"registered_from": date(2026, 3, 1), "registered_to": date(2026, 3, 31), "sector": "kuliner"}, {"kopi_", "kopi"}),
    ({"level": "none", "kabupaten": KAPUAS}, {"soto2"}),
    ({"search": "siti", "kecamatan": "62.02.02", "has_nib": True, "level": "mandiri"}, {"batik"}),
]


@pytest.mark.parametrize(("given", "expected"), FILTERS)
def test_each_filter_alone_and_combined(registry: Database, given: dict, expected: set[str]) -> None:
    _check(registry, RegistrationFilter(PROVINCE, **given), expected)


@pytest.mark.parametrize(("term", "expected"), [
    ("warung", {"soto", "soto2"}),  # the business's name
    ("WARUNG soto", {"soto", "soto2"}),
    ("  Soto ", {"soto", "soto2"}),
    ("rahayu", {"soto", "kopi_"}),  # the owner's name
    ("SITI", {"soto", "soto2", "kopi_", "batik"}),  # either
    ("umkm-6271", {"diskon"}),  # the registration number
    ("6203-00000", {"kopi", "soto2"}),
    ("50%", {"diskon"}),  # % and _ are letters here, not wildcards ("Amplang 500 Gram" is not 50-anything)
    ("%", {"diskon"}),
    ("kopi_", {"kopi_"}),  # not "Kopi Susu"
    ("_", {"kopi_"}),
    ("\\", set()),
    ("nobody", set()),
])
def test_search_looks_in_three_places_whatever_the_case_and_takes_wildcards_literally(
        registry: Database, term: str, expected: set[str]) -> None:
    _check(registry, RegistrationFilter(PROVINCE, search=term), expected)


@pytest.mark.parametrize(("given", "expected"), [
    ({"phone": phone_of("siti")}, {"soto", "kopi_"}),  # both of her businesses
    ({"phone": phone_of("yohanes")}, {"soto2"}),
    ({"phone": "+6281299999999"}, set()),
    ({"phone": phone_of("siti"), "has_nib": True}, {"kopi_"}),
    ({"nik": OWNERS["siti"][1]}, {"soto", "kopi_"}),
    ({"nik": OWNERS["dewi"][1]}, {"batik"}),
    ({"nik": "6202015507880009"}, set()),
    ({"nik": OWNERS["siti"][1], "level": "pemula"}, {"kopi_"}),
    ({"phone": phone_of("siti"), "nik": OWNERS["budi"][1]}, set()),  # both must hold
])
def test_an_owners_phone_or_nik_finds_exactly_their_businesses(registry: Database, given: dict,
                                                                expected: set[str]) -> None:
    _check(registry, RegistrationFilter(PROVINCE, **given), expected)


def test_a_search_by_nik_is_audited_with_who_when_and_how_many_never_the_nik(registry: Database) -> None:
    with registry.transaction(NOW) as unit:
        unit.registrations.audit_nik_search(7, 2)
    with registry.engine.connect() as connection:
        events = connection.execute(select(AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.subject)
                                    ).all()
    assert [(at.replace(tzinfo=timezone.utc), actor, action, subject) for at, actor, action, subject in events] == [
        (NOW, actor_of(7), "nik_searched", "found:2")]


_CLASS_RANK = {name: rank for rank, name in enumerate(BUSINESS_CLASSES)}
SORT_KEYS = {
    "registered_at": lambda sample: sample.registered_at,
    "name": lambda sample: sample.name.lower(),
    "owner": lambda sample: OWNERS[sample.owner][0].lower(),
    "kabupaten": lambda sample: sample.kabupaten,
    "class": lambda sample: _CLASS_RANK[sample.business_class],
}


def _expected_order(sort: str, descending: bool) -> list[str]:
    if sort == "score":  # those never assessed last, whichever way round
        scored = [key for key in BUSINESSES if BUSINESSES[key].scores]
        never = [key for key in BUSINESSES if not BUSINESSES[key].scores]
        return (sorted(scored, key=lambda key: (BUSINESSES[key].scores[-1], IDS[key]), reverse=descending)
                + sorted(never, key=IDS.__getitem__, reverse=descending))
    return sorted(BUSINESSES, key=lambda key: (SORT_KEYS[sort](BUSINESSES[key]), IDS[key]), reverse=descending)


def test_every_sort_key_has_ties_to_break() -> None:
    for sort, key in SORT_KEYS.items():
        assert len({key(sample) for sample in BUSINESSES.values()}) < len(BUSINESSES), sort
    latest = [sample.scores[-1] for sample in BUSINESSES.values() if sample.scores]
    assert len(set(latest)) < len(latest)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_sorting_each_way_breaks_ties_by_id_and_pages_never_overlap(
        registry: Database, sort: str, descending: bool) -> None:
    where = RegistrationFilter(PROVINCE)
    expected = _expected_order(sort, descending)
    with registry.transaction(NOW) as unit:
        assert _ids(unit.registrations.page(where, sort, descending)) == expected
        pages = [_ids(unit.registrations.page(where, sort, descending, offset, limit=3)) for offset in (0, 3, 6, 9)]
    assert pages == [expected[:3], expected[3:6], expected[6:], []]


def test_an_unknown_sort_is_refused(registry: Database) -> None:
    with registry.transaction(NOW) as unit, pytest.raises(ValueError, match="registered_at"):
        unit.registrations.page(RegistrationFilter(PROVINCE), sort="nik")


def test_a_page_row_says_everything_the_list_shows(registry: Database) -> None:
    with registry.transaction(NOW) as unit:
        [soto] = unit.registrations.page(RegistrationFilter(KOTIM, kecamatan="62.02.01", sector="kuliner"))
    assert (soto.business_id, soto.registration_number, soto.name, soto.owner_name) == (
        1, "UMKM-6202-000001", "Warung Soto Bu Siti", "Siti Rahayu")
    assert (soto.kabupaten_code, soto.kecamatan_code, soto.sector, soto.business_class, soto.nib) == (
        KOTIM, "62.02.01", "kuliner", "mikro", None)
    assert (soto.registered_at, soto.level, soto.score) == (utc(2026, 2, 28, 16, 59, 59), "mandiri", 65.0)


SCOPED_FILTERS = [
    {},
    {"kabupaten": KOTIM},
    {"kabupaten": KAPUAS},
    {"search": "soto"},
    {"search": "siti", "sector": "kuliner"},
    {"level": "none"},
    {"level": "mandiri"},
    {"has_nib": True},
    {"registered_from": date(2026, 3, 1)},
    {"phone": phone_of("siti")},
    {"nik": OWNERS["budi"][1]},
]


@pytest.mark.parametrize("scope", [KOTIM, KAPUAS, PALANGKA, "62.13", ""])
@pytest.mark.parametrize("given", SCOPED_FILTERS)
def test_a_kabupaten_scope_restricts_every_query_whatever_the_filter(
        registry: Database, scope: str, given: dict) -> None:
    _count, province, _exported = _everything(registry, RegistrationFilter(PROVINCE, **given))
    in_scope = {key for key in province if BUSINESSES[key].kabupaten == scope}
    _check(registry, RegistrationFilter(scope, **given), in_scope)
    with registry.transaction(NOW) as unit:
        for key in BUSINESSES:
            record = unit.registrations.business(IDS[key], scope)
            assert (record is not None) == (BUSINESSES[key].kabupaten == scope), key


@pytest.mark.parametrize(("scope", "kabupaten"), [(KOTIM, KAPUAS), (KAPUAS, KOTIM), (PALANGKA, KOTIM)])
def test_choosing_another_kabupaten_than_ones_own_finds_nothing(registry: Database, scope: str, kabupaten: str) -> None:
    _check(registry, RegistrationFilter(scope, kabupaten=kabupaten), set())


@pytest.mark.parametrize("full_nik", [False, True])
def test_an_export_masks_niks_unless_full_ones_are_asked_for(registry: Database, full_nik: bool) -> None:
    with registry.transaction(NOW) as unit:
        rows = list(unit.registrations.export_rows(RegistrationFilter(PROVINCE), full_nik=full_nik))
    assert [row.registration_number for row in rows] == [registration_number(BUSINESSES[key].kabupaten, IDS[key])
                                                          for key in BUSINESSES]  # by id
    niks = [OWNERS[BUSINESSES[key].owner][1] for key in BUSINESSES]
    assert [row.nik for row in rows] == (niks if full_nik else [mask_nik(nik) for nik in niks])
    assert rows[0].nik == ("6202015507880001" if full_nik else "6202**********0001")
    soto = rows[0]
    assert (soto.name, soto.owner_name, soto.phone, soto.sector, soto.kabupaten_code, soto.level, soto.score) == (
        "Warung Soto Bu Siti", "Siti Rahayu", "+6281200000000", "kuliner", KOTIM, "mandiri", 65.0)
    assert (soto.registered_at, soto.modal_usaha, soto.annual_turnover) == (
        utc(2026, 2, 28, 16, 59, 59), 10_000_000, 24_000_000)
    assert [field.name for field in fields(ExportRow)][:5] == ["registration_number", "name", "owner_name", "nik",
                                                              "phone"]


def test_an_export_is_read_as_it_goes(registry: Database) -> None:
    with registry.transaction(NOW) as unit:
        rows = unit.registrations.export_rows(RegistrationFilter(PROVINCE), full_nik=False)
        assert next(rows).registration_number == "UMKM-6202-000001"
        # The unit of work goes on while the export is half read, and its options did not stay on the connection.
        assert unit.registrations.count(RegistrationFilter(KOTIM)) == 4
        assert len(list(rows)) == len(BUSINESSES) - 1


def test_mask_nik_keeps_the_first_and_last_four_digits() -> None:
    assert mask_nik("6202051708850001") == "6202**********0001"


def test_the_filter_as_kept_with_an_export() -> None:
    assert RegistrationFilter(PROVINCE).as_json() == {"scope": "62"}
    assert RegistrationFilter(PROVINCE, phone="+6281234567890", nik="6202015507880001").as_json() == {
        "scope": "62", "phone": "+6281234567890", "nik": "6202**********0001"}  # a NIK is never kept whole
    assert RegistrationFilter(KOTIM, search="soto", has_nib=False, level="none", registered_from=date(2026, 3, 1),
                              registered_to=date(2026, 3, 31)).as_json() == {
        "scope": KOTIM, "search": "soto", "has_nib": False, "level": "none", "registered_from": "2026-03-01",
        "registered_to": "2026-03-31"}


def test_the_stores_names_of_levels_and_classes_are_the_flows() -> None:
    assert LEVELS == tuple(Level)
    assert BUSINESS_CLASSES == tuple(BusinessClass)


def test_one_business_with_its_owner_assessments_sessions_and_messages(registry: Database) -> None:
    with registry.engine.begin() as connection:
        programme_id = connection.execute(insert(Programme.__table__).values(
            code="qris", name="Pelatihan QRIS", description="", organiser="Dinas", dimensions="digital")
        ).inserted_primary_key[0]
        sessions = [connection.execute(insert(TrainingSession.__table__).values(
            programme_id=programme_id, code=code, starts_at=starts, ends_at=starts + timedelta(hours=3), place=place,
            kabupaten_code=kabupaten, capacity=20, signup_deadline=starts - timedelta(days=1))).inserted_primary_key[0]
            for code, starts, place, kabupaten in (("sampit-2", utc(2027, 2, 3, 2), "Aula Sampit", KOTIM),
                                                   ("kapuas-1", utc(2027, 1, 10, 2), "Aula Kapuas", KAPUAS))]
        for session_id, status, since in ((sessions[0], "registered", utc(2026, 11, 1)),
                                          (sessions[1], "cancelled", utc(2026, 10, 1))):
            connection.execute(insert(Enrollment.__table__).values(session_id=session_id, owner_id=1, status=status,
                                                                   since=since))
        announcement_id = connection.execute(insert(Announcement.__table__).values(
            author="cli:test", scope=PROVINCE, segment={"scope": PROVINCE}, text="Pelatihan QRIS dibuka!",
            created_at=utc(2026, 11, 20))).inserted_primary_key[0]
        outbox = OutboxMessage.__table__
        common = {"channel": "telegram", "address": "1001", "owner_id": 1, "language": "id", "attempts": 1}
        connection.execute(insert(outbox), [
            {**common, "kind": "reminder", "text": f"Pengingat {day}", "status": "sent", "due_at": utc(2026, 9, day),
             "sent_at": utc(2026, 9, day), "delivered_at": None, "error": None, "announcement_id": None}
            for day in range(1, 30)] + [
            {**common, "kind": "seat", "text": f"Kursi {day}", "status": "failed", "due_at": utc(2026, 10, day),
             "sent_at": None, "delivered_at": None, "error": "blocked", "announcement_id": None}
            for day in range(1, 30)] + [
            {**common, "kind": "announcement", "text": None, "status": "delivered", "due_at": utc(2026, 11, 20),
             "sent_at": utc(2026, 11, 20), "delivered_at": utc(2026, 11, 20, 0, 1), "error": None,
             "announcement_id": announcement_id},
            {**common, "owner_id": 2, "kind": "reminder", "text": "Bukan untuk Siti", "status": "sent",
             "due_at": utc(2026, 11, 21), "sent_at": None, "delivered_at": None, "error": None,
             "announcement_id": None}])
    with registry.transaction(NOW) as unit:
        record = unit.registrations.business(IDS["soto"], PROVINCE)
        assert unit.registrations.business(999, PROVINCE) is None
    assert record is not None
    assert (record.id, record.registration_number, record.name, record.kabupaten_code, record.address,
            record.registered_at) == (1, "UMKM-6202-000001", "Warung Soto Bu Siti", KOTIM, "Jl. Tjilik Riwut",
                                      utc(2026, 2, 28, 16, 59, 59))
    owner = record.owner
    assert (owner.name, owner.nik, owner.phone) == ("Siti Rahayu", "6202**********0001", "+6281200000000")
    assert [(entry.taken_at, entry.score, entry.level) for entry in record.assessments] == [
        (utc(2026, 4, 1, 3), 30.0, "pemula"), (utc(2026, 5, 1, 3), 65.0, "mandiri")]
    assert record.assessments[1].dimensions == _dimensions(65.0)
    assert [(entry.programme_name, entry.session_code, entry.starts_at, entry.place, entry.kabupaten_code,
             entry.status, entry.since) for entry in record.enrollments] == [
        ("Pelatihan QRIS", "kapuas-1", utc(2027, 1, 10, 2), "Aula Kapuas", KAPUAS, "cancelled", utc(2026, 10, 1)),
        ("Pelatihan QRIS", "sampit-2", utc(2027, 2, 3, 2), "Aula Sampit", KOTIM, "registered", utc(2026, 11, 1))]
    messages = record.messages
    assert len(messages) == MESSAGES_SHOWN  # of the owner's 59, the newest
    announcement = messages[0]
    assert (announcement.kind, announcement.channel, announcement.status, announcement.sent_at,
            announcement.delivered_at, announcement.error, announcement.text) == (
        "announcement", "telegram", "delivered", utc(2026, 11, 20), utc(2026, 11, 20, 0, 1), None,
        "Pelatihan QRIS dibuka!")
    assert [(message.text, message.error) for message in messages[1:3]] == [("Kursi 29", "blocked"),
                                                                            ("Kursi 28", "blocked")]
    assert messages[-1].text == "Pengingat 10"  # 1 announcement, 29 seats, then 20 of the 29 reminders
    assert "Bukan untuk Siti" not in {message.text for message in messages}


# Siti (owner 1) also runs a business in Kapuas: what her Kotim and Kapuas businesses' pages show to each scope.
SITI_KAPUAS = 8
SEEN_BY_SCOPE = [
    # scope, business, sessions shown, messages shown (newest first)
    (PROVINCE, IDS["soto"], ["kapuas-1", "sampit-1"],
     ["Kursi", "Pengingat Kapuas", "Pengingat Sampit", "Untuk Kapuas", "Untuk Kotim", "Untuk semua"]),
    (KOTIM, IDS["soto"], ["sampit-1"], ["Pengingat Sampit", "Untuk Kotim", "Untuk semua"]),
    (KAPUAS, SITI_KAPUAS, ["kapuas-1"], ["Pengingat Kapuas", "Untuk Kapuas", "Untuk semua"]),
]


@pytest.mark.parametrize(("scope", "business_id", "sessions", "messages"), SEEN_BY_SCOPE)
def test_a_kabupaten_officer_sees_only_the_owners_sessions_and_messages_of_their_kabupaten_or_the_province(
        registry: Database, scope: str, business_id: int, sessions: list[str], messages: list[str]) -> None:
    with registry.engine.begin() as connection:
        siti = dict(connection.execute(select(Business.__table__).where(Business.id == IDS["soto"])).mappings().one())
        connection.execute(insert(Business.__table__).values({
            **siti, "id": SITI_KAPUAS, "registration_number": None, "kabupaten_code": KAPUAS,
            "kecamatan_code": "62.03.01"}))
        programme_id = connection.execute(insert(Programme.__table__).values(
            code="qris", name="Pelatihan QRIS", description="", organiser="Dinas", dimensions="digital")
        ).inserted_primary_key[0]
        session_ids = {code: connection.execute(insert(TrainingSession.__table__).values(
            programme_id=programme_id, code=code, starts_at=utc(2027, 1, day, 2), ends_at=utc(2027, 1, day, 5),
            place="Aula", kabupaten_code=kabupaten, capacity=20, signup_deadline=utc(2026, 12, 31)))
            .inserted_primary_key[0] for code, kabupaten, day in (("sampit-1", KOTIM, 10), ("kapuas-1", KAPUAS, 12))}
        for session_id in session_ids.values():
            connection.execute(insert(Enrollment.__table__).values(session_id=session_id, owner_id=1,
                                                                   status="registered", since=utc(2026, 11, 1)))
        announcements = {area: connection.execute(insert(Announcement.__table__).values(
            author="cli:test", scope=area, segment={"scope": area}, text=text, created_at=utc(2026, 11, 20)))
            .inserted_primary_key[0] for area, text in ((PROVINCE, "Untuk semua"), (KOTIM, "Untuk Kotim"),
                                                        (KAPUAS, "Untuk Kapuas"))}
        common = {"channel": "telegram", "address": "1001", "owner_id": 1, "language": "id", "attempts": 1,
                  "status": "sent", "text": None, "key": None, "announcement_id": None}
        connection.execute(insert(OutboxMessage.__table__), [
            *({**common, "kind": "announcement", "announcement_id": announcement_id, "due_at": utc(2026, 11, day)}
              for day, announcement_id in zip((20, 21, 22), announcements.values(), strict=True)),
            {**common, "kind": "reminder", "text": "Pengingat Sampit", "due_at": utc(2026, 11, 23),
             "key": f"reminder:{session_ids['sampit-1']}:1"},
            {**common, "kind": "reminder", "text": "Pengingat Kapuas", "due_at": utc(2026, 11, 24),
             "key": f"reminder:{session_ids['kapuas-1']}:1"},
            {**common, "kind": "seat", "text": "Kursi", "due_at": utc(2026, 11, 25)},  # names no session
        ])
    with registry.transaction(NOW) as unit:
        record = unit.registrations.business(business_id, scope)
    assert record is not None
    assert sorted(entry.session_code for entry in record.enrollments) == sessions
    assert sorted(message.text for message in record.messages) == messages


def test_a_business_never_assessed_nor_enrolled_has_empty_lists(registry: Database) -> None:
    with registry.transaction(NOW) as unit:
        record = unit.registrations.business(IDS["diskon"], PROVINCE)
    assert record is not None
    assert (record.assessments, record.enrollments, record.messages) == ([], [], [])
    assert record.nib == "9120001234568" and record.business_class == "menengah"


def test_the_latest_assessment_is_the_one_flagged(registry: Database) -> None:
    with registry.engine.connect() as connection:
        flagged = connection.execute(select(Assessment.business_id, Assessment.score)
                                     .where(Assessment.latest.is_(True)).order_by(Assessment.business_id)).all()
    assert [(KEYS[business_id], score) for business_id, score in flagged] == [
        (key, sample.scores[-1]) for key, sample in BUSINESSES.items() if sample.scores]


@pytest.mark.parametrize(("answers", "shown"), [
    ({"announcements_asked_at": None}, (None, None, None)),  # never asked
    ({"announcements_asked_at": utc(2026, 5, 1, 3)}, (utc(2026, 5, 1, 3), None, None)),
    ({"announcements_asked_at": utc(2026, 5, 1, 3), "announcements_accepted_at": utc(2026, 5, 1, 4)},
     (utc(2026, 5, 1, 3), utc(2026, 5, 1, 4), None)),
    ({"announcements_accepted_at": None, "announcements_stopped_at": utc(2026, 6, 2, 5)},
     (None, None, utc(2026, 6, 2, 5))),
])
def test_a_business_says_whether_its_owner_receives_announcements(registry: Database, answers: dict,
                                                                   shown: tuple) -> None:
    with registry.engine.begin() as connection:
        connection.execute(update(Owner.__table__).where(Owner.__table__.c.nik == OWNERS["siti"][1]).values(**answers))
    with registry.transaction(NOW) as unit:
        record = unit.registrations.business(IDS["kopi_"], PROVINCE)
    assert record is not None
    owner = record.owner
    assert (owner.announcements_asked_at, owner.announcements_accepted_at, owner.announcements_stopped_at) == shown
