"""Sample registered owners, so a fresh install has a registry to look at and benchmarks have scale.

Each owner has the chat they registered from, on Telegram or WhatsApp, and said yes to announcements when
they registered, so announcements reach them.
They registered over the 22 months before the tests' clocks (February 2025 to November 2026, more of
them lately), and about a third of their businesses took the self-assessment once or twice since.
"""

import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import JSON, BigInteger, DateTime, Insert, String, case, cast, func, insert, literal, select, text

from domain.assessment import level
from domain.channels import TELEGRAM, WHATSAPP
from domain.classes import BusinessClass, classify
from domain.regions import kabupaten_list, kecamatan_of
from domain.sectors import FOOD_SECTORS, SECTORS
from domain.wib import WIB
from flows.scoring import ITEMS, dimension_scores, score
from store.db import Database
from store.models import DIMENSION_COLUMNS, FIGURE_COLUMNS, Assessment, Business, BusinessFigure, Conversation, Owner
from store.registry import registration_number

FIRST_NAMES = ("Ahmad", "Siti", "Budi", "Rina", "Yohanes", "Maria", "Agus", "Dewi", "Rahmat", "Nur",
               "Sri", "Hendra", "Fitri", "Tingang", "Dahlia", "Yusuf", "Kristina", "Bambang", "Lilis", "Andi")
LAST_NAMES = ("Saputra", "Rahayu", "Hidayat", "Lestari", "Nyahu", "Ngabut", "Tambun", "Wijaya", "Kusuma",
              "Anggraini", "Setiawan", "Handayani", "Panjaitan", "Simanjuntak", "Damang", "Pratama")
BUSINESS_WORDS = {
    "kuliner": ("Warung Makan", "Kedai Kopi", "Amplang", "Kue Basah"),
    "fesyen": ("Batik Benang Bintik", "Jahit Busana", "Tenun"),
    "kriya": ("Anyaman Purun", "Kerajinan Rotan", "Ukiran Kayu", "Getah Nyatu"),
    "warung": ("Toko Kelontong", "Warung Sembako", "Toko"),
    "jasa": ("Salon", "Bengkel Motor", "Penjahit", "Laundry"),
    "olahan": ("Kerupuk Ikan", "Ikan Asin", "Keripik Pisang", "Madu Kelulut"),
    "wisata": ("Penginapan", "Homestay", "Wisata Susur Sungai"),
    "lainnya": ("Sablon", "Budidaya Ikan"),
}
# Sample Telegram chat ids are this plus the owner's id: far above the small ids tests make up.
SAMPLE_CHAT_IDS = 6_200_000_000
# When the sample chats were last used: before any test's clock, so a chat a test opens is the latest.
LAST_CHATTED = datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)

# Every sample registration and assessment is before this: the tests' clocks start on that day.
SAMPLE_UNTIL = datetime(2026, 11, 27, tzinfo=WIB)
SAMPLE_MONTHS = tuple(datetime(2025 + month // 12, month % 12 + 1, 1, tzinfo=WIB) for month in range(1, 23))
ASSESSED_SHARE = 0.35  # of the sample businesses, those that took the self-assessment
RETAKEN_SHARE = 0.3  # of those, the ones that took it a second time
# How far along a business of each class tends to be, as a head start on every assessment item.
CLASS_HEAD_START = {BusinessClass.MIKRO: 0.0, BusinessClass.KECIL: 0.15, BusinessClass.MENENGAH: 0.25}


def seed(database: Database, owners: int, *, only_if_empty: bool = False, seed: int = 62) -> int:
    """Add `owners` sample owners with one business and one chat each; returns how many were added."""
    if owners <= 0:
        return 0
    rng = random.Random(seed)
    with database.engine.begin() as connection:
        if only_if_empty and connection.scalar(select(func.count()).select_from(Owner.__table__)):
            return 0
        # Ids are given, not returned: the registration number is made from the business id, and
        # an executemany without RETURNING is many times faster on SQLite.
        first_owner = (connection.scalar(select(func.max(Owner.__table__.c.id))) or 0) + 1
        first_business = (connection.scalar(select(func.max(Business.__table__.c.id))) or 0) + 1
        taken = set(connection.scalars(select(Owner.__table__.c.nik)))
        # A WhatsApp chat's address is its owner's number, and one address is one chat.
        numbers_taken = set(connection.scalars(select(Owner.__table__.c.phone))) | {
            address.removeprefix("whatsapp:") for address in connection.scalars(
                select(Conversation.__table__.c.address).where(Conversation.__table__.c.channel == WHATSAPP))}
        # Dates and assessments draw on a generator of their own, so the names, numbers and places the
        # sample always gave (and tests rely on) stay what they were.
        later = random.Random(f"{seed}:later")
        registered = _registration_moments(later, owners)
        connection.execute(insert(Owner.__table__), [
            {**_person(rng, first_owner + offset, taken, numbers_taken), "registered_at": registered[offset],
             "announcements_accepted_at": registered[offset]}
            for offset in range(owners)
        ])
        businesses = [{**_business(rng, first_business + offset, first_owner + offset),
                       "registered_at": registered[offset]} for offset in range(owners)]
        connection.execute(insert(Business.__table__), businesses)
        connection.execute(_insert_registration_figures(first_business))
        assessments = [row for business in businesses if later.random() < ASSESSED_SHARE
                       for row in _assessments(later, business)]
        if assessments:
            connection.execute(insert(Assessment.__table__), assessments)
        connection.execute(_insert_chats(first_owner))
        if connection.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("owners", "businesses"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                ))
            # Planned on the statistics of empty tables until autovacuum comes round, a query over every owner
            # (who an announcement reaches) can take minutes instead of a second.
            connection.execute(text("ANALYZE owners, businesses, business_figures, conversations, assessments"))
    return owners


def _person(rng: random.Random, owner_id: int, taken: set[str], numbers_taken: set[str]) -> dict[str, object]:
    return {
        "id": owner_id,
        "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "nik": new_nik(rng, taken),
        "phone": _new_number(rng, numbers_taken),
        "phone_verified": rng.random() < 0.7,
    }


def _new_number(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = "+628%d" % rng.randrange(1_100_000_000, 1_999_999_999)
        if number not in taken:
            taken.add(number)
            return number


def _insert_chats(first_owner: int) -> Insert:
    """The chat each new owner registered from, written by the database itself: WhatsApp for every other owner
    whose number it vouched for, else Telegram."""
    owners = Owner.__table__
    on_whatsapp = owners.c.phone_verified.is_(True) & (owners.c.id % 2 == 0)
    return insert(Conversation.__table__).from_select(
        ("channel", "address", "owner_id", "language", "flow", "step", "answers", "updated_at"),
        select(case((on_whatsapp, WHATSAPP), else_=TELEGRAM),
               case((on_whatsapp, literal("whatsapp:") + owners.c.phone),
                    else_=cast(literal(SAMPLE_CHAT_IDS, BigInteger) + owners.c.id, String)),
               owners.c.id, literal("id"), literal("menu"), literal("start"), literal({}, JSON),
               literal(LAST_CHATTED, DateTime)).where(owners.c.id >= first_owner))


def _insert_registration_figures(first_business: int) -> Insert:
    """Each new business's figures as registered, dated when it registered, as registering keeps them."""
    businesses = Business.__table__
    return insert(BusinessFigure.__table__).from_select(
        ("business_id", "recorded_at", "source", *FIGURE_COLUMNS),
        select(businesses.c.id, businesses.c.registered_at, literal("registration"),
               *(businesses.c[name] for name in FIGURE_COLUMNS)).where(businesses.c.id >= first_business))


def new_nik(rng: random.Random, taken: set[str]) -> str:
    """A valid NIK of Kalimantan Tengah that no owner has yet (the registry allows each only once)."""
    while True:
        kabupaten = rng.choice(kabupaten_list())
        kecamatan = rng.choice(kecamatan_of(kabupaten.code))
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 44))
        woman = rng.random() < 0.5
        nik = "%s%02d%02d%s%04d" % (kecamatan.code.replace(".", ""), born.day + 40 * woman, born.month,
                                    born.strftime("%y"), rng.randrange(1, 10_000))
        if nik not in taken:
            taken.add(nik)
            return nik


def _business(rng: random.Random, business_id: int, owner_id: int) -> dict[str, object]:
    sector = rng.choice(SECTORS)
    kabupaten = rng.choice(kabupaten_list())
    modal = rng.choice((2, 5, 10, 25, 50, 150, 600, 1_500)) * 1_000_000
    monthly = rng.choice((1, 3, 5, 10, 30, 90, 200, 400)) * 1_000_000
    return {
        "id": business_id,
        "registration_number": registration_number(kabupaten.code, business_id),
        "owner_id": owner_id,
        "name": f"{rng.choice(BUSINESS_WORDS[sector.key])} {rng.choice(LAST_NAMES)}",
        "sector": sector.key,
        "sector_note": None,
        "kbli_category": sector.kbli,
        "kabupaten_code": kabupaten.code,
        "kecamatan_code": rng.choice(kecamatan_of(kabupaten.code)).code,
        "address": f"Jl. {rng.choice(LAST_NAMES)} No. {rng.randrange(1, 200)}",
        "nib": "%013d" % rng.randrange(10**12, 10**13) if rng.random() < 0.4 else None,
        "year_started": rng.randrange(1995, 2026),
        "workers": rng.randrange(1, 12),
        "modal_usaha": modal,
        "monthly_turnover": monthly,
        "annual_turnover": monthly * 12,
        "business_class": classify(modal, monthly * 12).value,
    }


def _registration_moments(rng: random.Random, count: int) -> list[datetime]:
    """When `count` owners registered, in UTC and in order (ids follow time), recent months a little busier."""
    ends = (*SAMPLE_MONTHS[1:], SAMPLE_UNTIL)
    months = rng.choices(range(len(SAMPLE_MONTHS)), weights=[1 + month / 20 for month in range(len(SAMPLE_MONTHS))],
                         k=count)
    return sorted((SAMPLE_MONTHS[month] + timedelta(
        seconds=int((ends[month] - SAMPLE_MONTHS[month]).total_seconds() * rng.random()))).astimezone(timezone.utc)
        for month in months)


def _assessments(rng: random.Random, business: dict[str, object]) -> list[dict[str, object]]:
    """One or two self-assessments of a business, after it registered; a retake usually scores better."""
    items = _ITEMS_ASKED[business["sector"] in FOOD_SECTORS]
    ability = 0.8 * rng.random() + CLASS_HEAD_START.get(str(business["business_class"]), 0.3)
    registered_at = business["registered_at"]
    assert isinstance(registered_at, datetime)
    moments = [registered_at + (SAMPLE_UNTIL - registered_at) * rng.random()]
    if rng.random() < RETAKEN_SHARE:
        moments.append(moments[0] + (SAMPLE_UNTIL - moments[0]) * rng.random())
    rows = []
    for number, taken_at in enumerate(moments):
        # Each answer is where this business stands, give or take: a spread of 0.6 around its ability.
        centre = ability + 0.15 * number - 0.3
        points = {key: choices[int(min(max(centre + 0.6 * rng.random(), 0.0), 0.999) * len(choices))]
                  for key, choices in items}
        value = score(points)
        dimensions = dimension_scores(points)
        replaced = rows[-1] if rows else {}  # as Assessments.save keeps the one a retake replaces
        rows.append({
            "owner_id": business["owner_id"], "business_id": business["id"], "taken_at": taken_at, "points": points,
            "score": value, "level": level(value).value, "latest": number == len(moments) - 1,
            "previous_level": replaced.get("level"), "previous_score": replaced.get("score"),
            "previous_taken_at": replaced.get("taken_at"),
            **{dimension: dimensions.get(dimension) for dimension in DIMENSION_COLUMNS},
        })
    return rows


# The items asked of a business that sells food (True) or not, each with the points of its answers, fewest first.
_ITEMS_ASKED = {food: [(item.key, [points for _answer, points in item.answers]) for item in ITEMS
                       if food or not item.food_only] for food in (True, False)}
