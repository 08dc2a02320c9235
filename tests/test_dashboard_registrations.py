"""The registrations table (every filter, alone and together, sorting, pages, wrong parameters, scope) and a
business's own page, through HTTP on both backends; owners' text shown as text, in Chromium too."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import lxml.html
import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import and_, insert, select, update

from bot.sample import seed
from dashboard.registrations import DELIVERY_PROBLEMS
from domain.outbox import NO_TEMPLATE
from domain.regions import kecamatan_of
from flows.i18n import DEFAULT_LANGUAGE, Text
from officer_dashboard import KAPUAS, KOTIM, Officer, add_business, add_training_place, browser_dashboard, logged_in
from store.db import Database
from store.models import Assessment, AuditEvent, Business, OutboxMessage, Owner
from store.models import Officer as OfficerRow
from store.officers import PROVINCE, actor_of
from store.registry import registration_number

SEEDED = 300  # six pages of fifty
WIB = timedelta(hours=7)
ROW = re.compile(r'<tr id="business-(\d+)">')
SHOWING = re.compile(r'id="showing" data-total="(\d+)" data-page="(\d+)" data-last-page="(\d+)"')
SCRIPT_OWNER = "<script>alert(1)</script>"
TAGGED_BUSINESS = '<b>Toko "Kita"</b> & Co'
# Registered a second either side of the first moment of 2 March 2026 in WIB (1 March, 17.00 UTC).
LAST_OF_MARCH_1 = datetime(2026, 3, 1, 16, 59, 59, tzinfo=UTC)
FIRST_OF_MARCH_2 = datetime(2026, 3, 1, 17, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Known:
    """A business as the test reads it straight from the tables, to say what each filter must list."""

    id: int
    number: str
    name: str
    owner: str
    nik: str
    kabupaten: str
    kecamatan: str
    sector: str
    business_class: str
    nib: str | None
    registered_at: datetime
    level: str | None
    score: float | None


def registry_with_businesses(database: Database) -> list[Known]:
    """SEEDED sample owners and a few of the test's own; every business as the tables hold it."""
    seed(database, SEEDED)
    add_business(database, owner=SCRIPT_OWNER, name=TAGGED_BUSINESS)
    add_business(database, owner="Dewi Akhir Februari", name="Kue Lapis Akhir", kabupaten=KOTIM,
                 registered_at=LAST_OF_MARCH_1, nib="9120001234567")
    add_business(database, owner="Rahmat Awal Maret", name="Kue Lapis Awal", kabupaten=KOTIM,
                 registered_at=FIRST_OF_MARCH_2, business_class="kecil")
    return known(database)


def known(database: Database) -> list[Known]:
    businesses, owners, assessments = Business.__table__, Owner.__table__, Assessment.__table__
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(businesses.c.id, businesses.c.registration_number, businesses.c.name, owners.c.name, owners.c.nik,
                   businesses.c.kabupaten_code, businesses.c.kecamatan_code, businesses.c.sector,
                   businesses.c.business_class, businesses.c.nib, businesses.c.registered_at, assessments.c.level,
                   assessments.c.score)
            .select_from(businesses.join(owners, owners.c.id == businesses.c.owner_id).outerjoin(
                assessments, and_(assessments.c.business_id == businesses.c.id, assessments.c.latest.is_(True)))))
        return [Known(*row[:10], row[10].replace(tzinfo=UTC), *row[11:]) for row in rows]


def wib_day(moment: datetime) -> date:
    return (moment + WIB).date()


def expected(everything: list[Known], params: Mapping[str, str]) -> set[int]:
    """The ids a filter must list, worked out here in Python from the tables."""
    def chosen(business: Known) -> bool:
        term = params.get("search", "").lower()
        checks = [
            not term or any(term in text.lower() for text in (business.name, business.owner, business.number)),
            params.get("kabupaten", business.kabupaten) == business.kabupaten,
            params.get("kecamatan", business.kecamatan) == business.kecamatan,
            params.get("sector", business.sector) == business.sector,
            params.get("business_class", business.business_class) == business.business_class,
            "has_nib" not in params or (params["has_nib"] == "yes") == (business.nib is not None),
            "level" not in params or (business.level or "none") == params["level"],
            "registered_from" not in params
            or wib_day(business.registered_at) >= date.fromisoformat(params["registered_from"]),
            "registered_to" not in params
            or wib_day(business.registered_at) <= date.fromisoformat(params["registered_to"]),
        ]
        return all(checks)
    return {business.id for business in everything if chosen(business)}


def listed(officer: Officer, params: Mapping[str, str]) -> list[int]:
    """Every business the table lists for these parameters, page after page, in order."""
    found: list[int] = []
    page = 1
    while True:
        answer = officer.client.get("/admin/registrations", params={**params, "page": str(page)})
        assert answer.status_code == 200, (params, answer.text)
        showing = SHOWING.search(answer.text)
        assert showing, answer.text
        total, shown, last = map(int, showing.groups())
        rows = [int(found_id) for found_id in ROW.findall(answer.text)]
        assert shown == page and len(rows) == (min(50, total - 50 * (page - 1)) if total else 0)
        found += rows
        if page >= last:
            assert len(found) == total == len(set(found))
            return found
        page += 1


def filters_to_try(everything: list[Known]) -> list[dict[str, str]]:
    """Each filter alone, a few together, and searches by name, owner and number (in any case)."""
    kapuas_places = sorted({business.kecamatan for business in everything if business.kabupaten == KAPUAS})
    someone = everything[17]
    return [
        {},
        {"search": "kopi"}, {"search": "KOPI"}, {"search": someone.owner.split()[1]}, {"search": someone.number},
        {"search": someone.number.lower()}, {"search": "100%_"},
        {"kabupaten": KAPUAS}, {"kecamatan": kapuas_places[0]}, {"kabupaten": KAPUAS, "kecamatan": kapuas_places[0]},
        {"sector": "kuliner"}, {"business_class": "kecil"}, {"has_nib": "yes"}, {"has_nib": "no"},
        {"level": "mandiri"}, {"level": "pemula"}, {"level": "none"},
        {"registered_from": "2026-03-02"}, {"registered_to": "2026-03-01"},
        {"registered_from": "2026-03-01", "registered_to": "2026-03-01"},
        {"registered_from": "2025-06-01", "registered_to": "2025-08-31"},
        {"kabupaten": KOTIM, "sector": "kuliner", "has_nib": "no"},
        {"sector": "kuliner", "business_class": "mikro", "has_nib": "no", "registered_from": "2026-01-01"},
        {"search": "a", "level": "none", "business_class": "mikro"},
        {"kabupaten": KAPUAS, "level": "pemula", "registered_to": "2026-09-30"},
    ]


def test_each_filter_alone_and_together_lists_exactly_the_matching_businesses(database: Database) -> None:
    everything = registry_with_businesses(database)
    with logged_in(database) as officer:
        for params in filters_to_try(everything):
            wanted = expected(everything, params)
            assert set(listed(officer, params)) == wanted, params
        march = listed(officer, {"search": "Kue Lapis", "registered_to": "2026-03-01"})
        assert [everything_by_id(everything)[found].name for found in march] == ["Kue Lapis Akhir"]


def everything_by_id(everything: list[Known]) -> dict[int, Known]:
    return {business.id: business for business in everything}


def sort_key(business: Known, sort: str) -> tuple[object, ...]:
    """The order the table promises for a key, ascending; ties by id."""
    classes = ("mikro", "kecil", "menengah", "besar")
    return {
        "registered_at": (business.registered_at,),
        "name": (business.name.lower(),),
        "owner": (business.owner.lower(),),
        "kabupaten": (business.kabupaten,),
        "class": (classes.index(business.business_class),),
        "score": (business.score is None, business.score or 0),
    }[sort] + (business.id,)


@pytest.mark.parametrize("sort", ["registered_at", "name", "owner", "kabupaten", "class", "score"])
def test_sorting_by_each_key_both_ways_over_every_page(database: Database, sort: str) -> None:
    everything = everything_by_id(registry_with_businesses(database))
    with logged_in(database) as officer:
        for order in ("asc", "desc"):
            found = listed(officer, {"sort": sort, "order": order, "search": "a"})
            ordered = sorted(found, key=lambda business_id: sort_key(everything[business_id], sort),
                             reverse=order == "desc")
            if sort == "score":  # never assessed stays last whichever way
                scored = [business_id for business_id in ordered if everything[business_id].score is not None]
                ordered = scored + sorted(set(ordered) - set(scored), key=lambda business_id: business_id,
                                          reverse=order == "desc")
            assert found == ordered, (sort, order)


def test_a_column_header_sorts_by_it_and_then_the_other_way(database: Database) -> None:
    registry_with_businesses(database)
    with logged_in(database) as officer:
        page = officer.client.get("/admin/registrations", params={"sector": "kuliner", "page": "2"}).text
        by_name = re.search(r'href="([^"]+)" id="sort-name"', page)[1].replace("&amp;", "&")
        assert "sector=kuliner" in by_name and "sort=name" in by_name and "order=asc" in by_name
        assert "page=" not in by_name  # a new order starts at its first page
        page = officer.client.get(by_name).text
        assert 'aria-sort="ascending"' in page
        toggled = re.search(r'href="([^"]+)" id="sort-name"', page)[1].replace("&amp;", "&")
        assert "order=desc" in toggled
        newest_first = re.search(r'href="([^"]+)" id="sort-registered_at"', page)[1]
        assert "order=desc" in newest_first


def test_pages_of_fifty_say_which_rows_they_show_and_past_the_end_is_the_last(database: Database) -> None:
    everything = registry_with_businesses(database)
    with logged_in(database) as officer:
        second = officer.client.get("/admin/registrations", params={"page": "2"})
        total, page, last = map(int, SHOWING.search(second.text).groups())
        assert (total, page, last) == (len(everything), 2, 7)
        assert "51–100" in second.text and len(ROW.findall(second.text)) == 50
        assert 'rel="prev"' in second.text and 'rel="next"' in second.text
        beyond = officer.client.get("/admin/registrations", params={"page": "9999"})
        assert beyond.status_code == 200
        assert SHOWING.search(beyond.text).groups() == (str(total), "7", "7")
        assert len(ROW.findall(beyond.text)) == total - 300
        nothing = officer.client.get("/admin/registrations", params={"search": "tidak ada usaha ini", "page": "4"})
        assert nothing.status_code == 200 and 'data-total="0"' in nothing.text


@pytest.mark.parametrize(("params", "field"), [
    ({"registered_from": "2026-02-30"}, "registered_from"),
    ({"registered_to": "kemarin"}, "registered_to"),
    ({"registered_from": "2026-05-01", "registered_to": "2026-04-01"}, "registered_to"),
    ({"sector": "tambang"}, "sector"),
    ({"business_class": "raksasa"}, "business_class"),
    ({"has_nib": "maybe"}, "has_nib"),
    ({"level": "expert"}, "level"),
    ({"kabupaten": "62.99"}, "kabupaten"),
    ({"kabupaten": KAPUAS, "kecamatan": kecamatan_of(KOTIM)[0].code}, "kecamatan"),
    ({"kecamatan": "62.03.99"}, "kecamatan"),
    ({"search": "x" * 101}, "search"),
    ({"sort": "nik"}, None),
    ({"sort": "name", "order": "sideways"}, None),
    ({"page": "0"}, None),
    ({"page": "dua"}, None),
    ({"page": "²"}, None),
    ({"page": "9" * 5000}, None),
])
def test_wrong_parameters_get_the_form_back_with_the_problem(sqlite_database: Database, params: dict[str, str],
                                                             field: str | None) -> None:
    with logged_in(sqlite_database) as officer:
        for path in ("/admin/registrations", "/admin/registrations.csv", "/admin/registrations.xlsx"):
            answer = officer.client.get(path, params=params)
            if path != "/admin/registrations" and field is None:  # a download has no order or pages
                assert answer.status_code == 200
                continue
            assert answer.status_code == 400, (path, params)
            assert 'id="filters"' in answer.text and 'id="problems"' in answer.text
            assert field is None or f'id="problem-{field}"' in answer.text
            assert not ROW.search(answer.text)
            for name in ("search", "registered_from", "registered_to"):  # what was typed is kept
                if name in params:
                    assert f'name="{name}" id="{name}" value="{params[name]}"' in answer.text


# A Kotim officer, whatever they type, against Kapuas's data: (method, path, params, status).
SCOPE_TABLE = [
    ("GET", "/admin/registrations", {"kabupaten": KAPUAS}, 403),
    ("GET", "/admin/registrations", {"kecamatan": kecamatan_of(KAPUAS)[0].code}, 403),
    ("GET", "/admin/registrations", {"kabupaten": KOTIM, "kecamatan": kecamatan_of(KAPUAS)[0].code}, 403),
    ("GET", "/admin/registrations.csv", {"kabupaten": KAPUAS}, 403),
    ("GET", "/admin/registrations.xlsx", {"kabupaten": KAPUAS}, 403),
    ("GET", "/admin/registrations.csv", {"kecamatan": kecamatan_of(KAPUAS)[0].code}, 403),
    ("POST", "/admin/registrations/export", {"kabupaten": KAPUAS, "format": "csv"}, 403),
    ("POST", "/admin/registrations/export", {"format": "csv", "full_nik": "yes", "reason": "audit"}, 403),
]


def test_a_kabupaten_officer_sees_only_their_own_kabupaten(database: Database) -> None:
    everything = registry_with_businesses(database)
    kapuas_business = next(business for business in everything if business.owner == SCRIPT_OWNER)
    kotim = {business.id for business in everything if business.kabupaten == KOTIM}
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        for method, path, params, status in SCOPE_TABLE:
            answer = (officer.client.get(path, params=params, follow_redirects=False) if method == "GET"
                      else officer.post(path, params))
            assert answer.status_code == status, (method, path, params)
            assert kapuas_business.name not in answer.text and "Kapuas" not in answer.text
        assert officer.client.get(f"/admin/businesses/{kapuas_business.id}").status_code == 404
        assert set(listed(officer, {})) == kotim
        assert set(listed(officer, {"kabupaten": KOTIM})) == kotim
        assert listed(officer, {"search": kapuas_business.number}) == []
        page = officer.client.get("/admin/registrations").text
        assert 'id="kabupaten-fixed"' in page and 'name="kabupaten"' not in page
        assert all(code.startswith(KOTIM + ".") for code in re.findall(r'<option value="(62\.\d\d\.\d\d)"', page))
        assert 'id="export-form"' not in page  # full NIKs are the province's alone
        own = next(business for business in everything if business.kabupaten == KOTIM)
        assert officer.client.get(f"/admin/businesses/{own.id}").status_code == 200


def test_a_nul_typed_anywhere_is_dropped_rather_than_sent_to_the_database(database: Database) -> None:
    registry_with_businesses(database)
    with logged_in(database) as officer:
        answer = officer.client.get("/admin/registrations", params={"search": "kue\x00 lapis"})
        assert answer.status_code == 200 and 'data-total="2"' in answer.text
        assert officer.client.get("/admin/registrations.csv", params={"search": "\x00"}).status_code == 200
        download = officer.post("/admin/registrations/export", {"format": "csv", "full_nik": "yes",
                                                                "reason": "audit\x00 BPK", "search": "kue lapis"})
        assert download.status_code == 200
    with database.reading() as registry:
        assert registry.exports.recent(PROVINCE, 1)[0].reason == "audit BPK"


def test_a_missing_business_is_not_found(database: Database) -> None:
    registry_with_businesses(database)
    with logged_in(database) as officer:
        for path in ("/admin/businesses/999999", "/admin/businesses/0", "/admin/businesses/abc",
                     "/admin/businesses/99999999999999999999"):
            answer = officer.client.get(path)
            assert answer.status_code == 404 and "Traceback" not in answer.text


def test_the_business_page_shows_its_data_owner_assessments_training_and_messages(database: Database) -> None:
    registry_with_businesses(database)
    business_id = add_business(database, owner="Siti Rahayu", name="Amplang Bu Siti", kabupaten=KOTIM,
                               nik="6202011203900001", nib="8120009876543", sector="olahan")
    with database.engine.begin() as connection:
        businesses = Business.__table__
        owner_id = connection.scalar(select(businesses.c.owner_id).where(businesses.c.id == business_id))
        for taken_at, score, level, latest in ((datetime(2026, 2, 3, 2, 0, tzinfo=UTC), 41.7, "berkembang", False),
                                               (datetime(2026, 9, 8, 2, 0, tzinfo=UTC), 97.2, "siap_naik_kelas", True)):
            connection.execute(insert(Assessment.__table__).values(
                owner_id=owner_id, business_id=business_id, taken_at=taken_at, points={}, score=score, level=level,
                latest=latest, legalitas=score, keuangan=None, pasar=50.0, digital=50.0, produk=50.0, sdm=50.0))
    session_id = add_training_place(database, owner_id, KOTIM)
    with database.transaction() as registry:
        registry.outbox.queue("reminder", owner_id, "telegram", "12345", "Besok pelatihan Sertifikasi Halal Gratis")
        registry.outbox.queue("reminder_week", owner_id, "telegram", "12345", None, session_id=session_id,
                              key="reminder_week:test")
    with logged_in(database) as officer:
        answer = officer.client.get(f"/admin/businesses/{business_id}")
        assert answer.status_code == 200
        page = answer.text
        assert "Amplang Bu Siti" in page and "Siti Rahayu" in page and "8120009876543" in page
        assert "6202**********0001" in page and "6202011203900001" not in page
        assert "Rp25.000.000" in page and "Rp4.500.000" in page and "Rp54.000.000" in page
        assessments = re.search(r'<table id="assessments">(.*?)</table>', page, re.S)[1]
        assert assessments.count("<tr>") == 3 and ">41<" in assessments and ">97<" in assessments
        assert 'id="score-chart"' in page
        assert "Sertifikasi Halal Gratis" in page and "Aula Dinas Koperasi" in page and "sampit-1" in page
        messages = re.search(r'<table id="messages">(.*?)</table>', page, re.S)[1]
        assert "Besok pelatihan" in messages and "Telegram" in messages
        assert "Pengingat: seminggu lagi" in messages  # written from the session, as the worker will


def test_owners_text_is_shown_as_text(database: Database) -> None:
    everything = registry_with_businesses(database)
    tagged = next(business for business in everything if business.owner == SCRIPT_OWNER)
    with logged_in(database) as officer:
        table = officer.client.get("/admin/registrations", params={"search": "toko \"kita\""}).text
        business = officer.client.get(f"/admin/businesses/{tagged.id}").text
        for page in (table, business):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
            assert "&lt;b&gt;Toko &#34;Kita&#34;&lt;/b&gt; &amp; Co" in page and "<b>Toko" not in page


def test_owners_text_is_shown_as_text_in_chromium(sqlite_database: Database) -> None:
    everything = registry_with_businesses(sqlite_database)
    tagged = next(business for business in everything if business.owner == SCRIPT_OWNER)
    with browser_dashboard(sqlite_database) as browser:
        browser.open("/admin/registrations?search=%3Cscript%3E")
        row = WebDriverWait(browser.driver, 10).until(
            expected_conditions.presence_of_element_located((By.ID, f"business-{tagged.id}")))
        assert row.find_element(By.CLASS_NAME, "owner-name").text == SCRIPT_OWNER
        assert row.find_element(By.CLASS_NAME, "business-name").text == TAGGED_BUSINESS
        with pytest.raises(NoAlertPresentException):
            browser.driver.switch_to.alert.text  # noqa: B018 - reading it is what raises
        row.find_element(By.CLASS_NAME, "business-name").click()
        name = WebDriverWait(browser.driver, 10).until(
            expected_conditions.presence_of_element_located((By.ID, "owner-name")))
        assert name.text == SCRIPT_OWNER
        assert browser.driver.find_element(By.ID, "business-name").text == TAGGED_BUSINESS
        with pytest.raises(NoAlertPresentException):
            browser.driver.switch_to.alert.text  # noqa: B018


@pytest.mark.parametrize(("params", "field"), [
    ({"registered_to": "9999-12-31"}, "registered_to"),
    ({"registered_from": "0001-01-01"}, "registered_from"),
    ({"registered_from": "1899-12-31", "registered_to": "2026-01-01"}, "registered_from"),
])
def test_a_year_out_of_reach_is_a_problem_on_the_form_for_the_table_and_every_download(
        database: Database, params: dict[str, str], field: str) -> None:
    """Python overflows turning the first or the last day there is into UTC: a problem on the form, never a 500
    or a download broken off after it began."""
    add_business(database, owner="Dewi Lestari", name="Kue Lapis")
    with logged_in(database) as officer:
        answers = [officer.client.get(path, params=params) for path in (
            "/admin/registrations", "/admin/registrations.csv", "/admin/registrations.xlsx")]
        answers += [officer.post("/admin/registrations/export", {**params, "format": format})
                    for format in ("csv", "xlsx")]
        for answer in answers:
            assert answer.status_code == 400 and f'id="problem-{field}"' in answer.text
            assert f'value="{params[field]}"' in answer.text
        within = officer.client.get("/admin/registrations", params={"registered_from": "1900-01-01",
                                                                    "registered_to": "9998-12-31"})
        assert within.status_code == 200 and 'data-total="1"' in within.text
    with database.reading() as registry:
        assert registry.exports.recent(PROVINCE, 10) == []


def test_why_a_message_did_not_go_is_said_in_the_catalogs_words_or_labelled_as_the_providers(
        database: Database) -> None:
    words = Text(DEFAULT_LANGUAGE)
    provider = "Forbidden: bot was blocked by the user"
    business_id = add_business(database, owner="Siti Rahayu", name="Amplang Bu Siti")
    with database.engine.begin() as connection:
        owner_id = connection.scalar(select(Business.owner_id).where(Business.id == business_id))
    errors = ("erased", NO_TEMPLATE, provider)
    with database.transaction() as registry:
        for error in errors:
            registry.outbox.queue("reminder", owner_id, "telegram", "12345", f"Besok pelatihan ({error})")
    with database.engine.begin() as connection:
        for error in errors:
            connection.execute(update(OutboxMessage).where(OutboxMessage.text == f"Besok pelatihan ({error})")
                               .values(status="failed", error=error))
    with logged_in(database) as officer:
        page = officer.client.get(f"/admin/businesses/{business_id}").text
    said = [cell.text_content() for cell in lxml.html.fromstring(page).find_class("delivery-problem")]
    assert sorted(said) == sorted(f"({words(msgid, **params)})" for msgid, params in (
        (DELIVERY_PROBLEMS["erased"], {}), (DELIVERY_PROBLEMS[NO_TEMPLATE], {}),
        ("Provider's reason: %(reason)s", {"reason": provider})))


PHONE = "+6281234567890"
PHONE_AS_TYPED = ("0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "62812-3456-7890", "6281234567890",
                  "812 3456 7890", "(0812) 3456-7890", "0812.3456.7890")
NIK = "6202015507880001"  # a woman's, born 15 July 1988
NIK_AS_TYPED = (NIK, "6202 0155 0788 0001", "6202.0155.0788.0001", "6202-0155-0788-0001")
NIK_REFUSED = "Searching by NIK is for the province's officers; please search by name, phone or registration number."
WORDS = Text(DEFAULT_LANGUAGE)


def owner_of_two(database: Database) -> list[int]:
    """Siti Rahayu, phone PHONE and NIK NIK, with a business in Kotim and one in Kapuas, and someone else's
    business: Siti's businesses' ids."""
    kotim = add_business(database, owner="Siti Rahayu", name="Warung Soto Bu Siti", kabupaten=KOTIM, nik=NIK)
    kapuas = add_business(database, owner="Siti (lama)", name="Amplang Bu Siti", kabupaten=KAPUAS,
                          nik="6203014406900003")
    add_business(database, owner="Budi Santoso", name="Kopi Susu Kapuas", nik="6203011203800002")
    businesses, owners = Business.__table__, Owner.__table__
    with database.engine.begin() as connection:
        owner_id = connection.scalar(select(businesses.c.owner_id).where(businesses.c.id == kotim))
        connection.execute(update(businesses).where(businesses.c.id == kapuas).values(owner_id=owner_id))
        connection.execute(update(owners).where(owners.c.id == owner_id).values(phone=PHONE))
    return [kotim, kapuas]


def nik_searches(database: Database) -> list[tuple[str, str]]:
    """Who searched by NIK and what it found, as the audit trail says, oldest first."""
    with database.engine.connect() as connection:
        events = connection.execute(select(AuditEvent.actor, AuditEvent.subject, AuditEvent.action)
                                    .order_by(AuditEvent.id)).all()
    assert all(NIK not in "".join(event) for event in events)
    return [(actor, subject) for actor, subject, action in events if action == "nik_searched"]


def officer_actor(database: Database, name: str = "Rina Lestari") -> str:
    with database.engine.connect() as connection:
        return actor_of(connection.scalar(select(OfficerRow.id).where(OfficerRow.name == name)))


def problem_said(page: str, field: str) -> str:
    return lxml.html.fromstring(page).get_element_by_id(f"problem-{field}").text_content()


def test_a_phone_typed_any_way_finds_its_owners_businesses_and_no_one_elses(database: Database) -> None:
    siti = owner_of_two(database)
    with logged_in(database) as officer:
        for typed in PHONE_AS_TYPED:
            assert sorted(listed(officer, {"search": typed})) == siti, typed
        shown = officer.client.get("/admin/registrations", params={"search": "0812 3456 7890"}).text
        assert 'name="search" id="search" value="0812 3456 7890"' in shown  # a phone's search stays in the box
        assert listed(officer, {"search": "0812-9999-0000"}) == []
        # Digits of a registration number are a landline's too ("+62 6203 000001"): they are searched as text.
        kapuas_number = registration_number(KAPUAS, siti[1])
        assert listed(officer, {"search": kapuas_number.removeprefix("UMKM-")}) == [siti[1]]
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        assert listed(officer, {"search": "0812-3456-7890"}) == [siti[0]]  # her Kapuas business is not Kotim's


def test_a_provincial_officer_finds_an_owner_by_nik_never_shown_back_and_each_search_is_audited(
        database: Database) -> None:
    siti = owner_of_two(database)
    with logged_in(database) as officer:
        for typed in NIK_AS_TYPED:
            answer = officer.client.get("/admin/registrations", params={"search": typed})
            assert answer.status_code == 200, typed
            assert sorted(int(found) for found in ROW.findall(answer.text)) == siti
            assert NIK not in answer.text and typed not in answer.text and "01550788" not in answer.text
            assert 'name="search" id="search" value=""' in answer.text and "search=" not in answer.text
            assert "6202**********0001" in answer.text
            assert 'id="downloads"' not in answer.text and 'id="export-form"' not in answer.text
        nobody = officer.client.get("/admin/registrations", params={"search": "6271014406900003"})
        assert nobody.status_code == 200 and 'data-total="0"' in nobody.text
        impossible = officer.client.get("/admin/registrations", params={"search": "6202019907880001"})
        assert impossible.status_code == 400 and "6202019907880001" not in impossible.text
        assert problem_said(impossible.text, "search").endswith(
            WORDS("Digits 7 and 8 of a NIK are the birth day: 01 to 31, or 41 to 71 for women."))
        assert 'name="search" id="search" value=""' in impossible.text
        assert 'id="nik-search-note"' in officer.client.get("/admin/registrations").text
    actor = officer_actor(database)
    assert nik_searches(database) == [(actor, "found:2")] * len(NIK_AS_TYPED) + [(actor, "found:0")]


def test_a_download_by_nik_typed_into_its_link_is_audited_and_records_the_nik_masked(database: Database) -> None:
    owner_of_two(database)
    with logged_in(database) as officer:
        download = officer.client.get("/admin/registrations.csv", params={"search": NIK})
        assert download.status_code == 200
        assert download.text.count("6202**********0001") == 2 and NIK not in download.text
    assert nik_searches(database) == [(officer_actor(database), "found:2")]
    with database.reading() as registry:
        assert registry.exports.recent(PROVINCE, 1)[0].filter == {"scope": PROVINCE, "nik": "6202**********0001"}


def test_a_kabupaten_officer_typing_a_nik_is_told_it_is_the_provinces_and_nothing_is_searched(
        database: Database) -> None:
    owner_of_two(database)
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        assert 'id="nik-search-note"' not in officer.client.get("/admin/registrations").text
        for path in ("/admin/registrations", "/admin/registrations.csv", "/admin/registrations.xlsx"):
            for typed in NIK_AS_TYPED:
                answer = officer.client.get(path, params={"search": typed})
                assert answer.status_code == 400, (path, typed)
                assert problem_said(answer.text, "search").endswith(WORDS(NIK_REFUSED))
                assert not ROW.search(answer.text) and NIK not in answer.text and typed not in answer.text
    assert nik_searches(database) == []
    with database.reading() as registry:
        assert registry.exports.recent(PROVINCE, 10) == []


ASKED, ACCEPTED, STOPPED = (datetime(2026, 5, 1, 3, 0, tzinfo=UTC), datetime(2026, 5, 1, 3, 5, tzinfo=UTC),
                            datetime(2026, 6, 2, 12, 30, tzinfo=UTC))
ANNOUNCEMENT_ANSWERS = [
    ({}, WORDS("Not asked yet")),
    ({"announcements_asked_at": ASKED}, WORDS("Asked on %(moment)s, not answered yet", moment=WORDS.moment(ASKED))),
    ({"announcements_asked_at": ASKED, "announcements_accepted_at": ACCEPTED},
     WORDS("Receives announcements since %(moment)s", moment=WORDS.moment(ACCEPTED))),
    ({"announcements_asked_at": ASKED, "announcements_stopped_at": STOPPED},
     WORDS("Stopped announcements on %(moment)s", moment=WORDS.moment(STOPPED))),
]


def answer_announcements(database: Database, business_id: int, answers: Mapping[str, datetime]) -> None:
    businesses, owners = Business.__table__, Owner.__table__
    with database.engine.begin() as connection:
        connection.execute(update(owners).where(owners.c.id == select(businesses.c.owner_id).where(
            businesses.c.id == business_id).scalar_subquery()).values(**answers))


@pytest.mark.parametrize(("answers", "said"), ANNOUNCEMENT_ANSWERS)
def test_a_business_page_says_whether_its_owner_receives_announcements(
        database: Database, answers: dict[str, datetime], said: str) -> None:
    business_id = add_business(database, owner="Siti Rahayu", name="Amplang Bu Siti")
    if answers:
        answer_announcements(database, business_id, answers)
    with logged_in(database) as officer:
        page = officer.client.get(f"/admin/businesses/{business_id}").text
    assert lxml.html.fromstring(page).get_element_by_id("owner-announcements").text_content() == said


def test_a_phone_typed_into_the_search_finds_the_owner_whose_page_says_they_receive_announcements_in_chromium(
        sqlite_database: Database) -> None:
    siti = owner_of_two(sqlite_database)
    answers, said = ANNOUNCEMENT_ANSWERS[2]
    answer_announcements(sqlite_database, siti[0], answers)
    with browser_dashboard(sqlite_database) as browser:
        browser.open("/admin/registrations")
        assert len(browser.driver.find_elements(By.CSS_SELECTOR, "#registrations tbody tr")) == 3
        browser.wait_for(By.ID, "search").send_keys("+62 812-3456-7890")
        browser.driver.find_element(By.ID, "apply").click()
        WebDriverWait(browser.driver, 10).until(lambda driver: "search=" in driver.current_url)
        rows = browser.driver.find_elements(By.CSS_SELECTOR, "#registrations tbody tr")
        assert sorted(row.get_attribute("id") for row in rows) == sorted(f"business-{found}" for found in siti)
        browser.driver.find_element(By.CSS_SELECTOR, f"#business-{siti[0]} .business-name").click()
        assert browser.wait_for(By.ID, "owner-announcements").text == said
