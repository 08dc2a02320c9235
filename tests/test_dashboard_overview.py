"""The dashboard's overview (GET /admin/): the figures, charts and tables of an officer's scope, and nothing else.

The registry below has seven businesses of six owners in Kotim, Kapuas and Palangka Raya, four assessments
(one a retake), and programmes with sessions in Kotim, in Kapuas, in both and in neither.
"""

from datetime import datetime, timedelta, timezone

import pytest
from lxml import html
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import delete, insert, select, update

from bot.sample import seed
from dashboard.pages import templates
from domain.regions import kabupaten_list, kecamatan_of
from officer_dashboard import KAPUAS, KOTIM, browser_dashboard, logged_in
from store.db import Database
from store.models import Assessment, Business, Enrollment, Programme, TrainingSession
from store.officers import PROVINCE

PALANGKA = "62.71"
WIB = timezone(timedelta(hours=7))
LABEL = templates.env.filters  # the page's own words for codes

_businesses = Business.__table__

# owner id: kabupaten, class, sector and the day (WIB) of their business
BUSINESSES = {
    1: (KOTIM, "mikro", "kuliner", datetime(2026, 9, 10, 12, tzinfo=WIB)),
    2: (KOTIM, "kecil", "kriya", datetime(2026, 10, 5, 12, tzinfo=WIB)),
    3: (KOTIM, "mikro", "kuliner", datetime(2026, 10, 20, 12, tzinfo=WIB)),
    4: (KAPUAS, "menengah", "jasa", datetime(2026, 8, 15, 12, tzinfo=WIB)),
    5: (KAPUAS, "mikro", "wisata", datetime(2026, 10, 2, 12, tzinfo=WIB)),
    6: (PALANGKA, "mikro", "fesyen", datetime(2026, 10, 30, 12, tzinfo=WIB)),
}
SECOND_BUSINESS = (3, PALANGKA, "kecil", "kuliner", datetime(2026, 11, 2, 12, tzinfo=WIB))
# owner id, score, level, dimension scores; owner 1's retake is their latest
ASSESSMENTS = [
    (1, 30.0, "pemula", {"legalitas": 20.0, "keuangan": 40.0}),
    (1, 50.0, "berkembang", {"legalitas": 60.0, "keuangan": 40.0, "digital": 50.0}),
    (2, 70.0, "mandiri", {"legalitas": 80.0, "keuangan": 60.0}),
    (4, 90.0, "siap_naik_kelas", {"legalitas": 100.0, "sdm": 90.0}),
]
KEMASAN = 'Kemasan & Label <b>Kapuas</b>'  # officers type programme names
# programme code, name, its sessions: (kabupaten, capacity, [(owner, status)])
PROGRAMMES = [
    ("pembukuan", "Pembukuan Kotim", [(KOTIM, 10, [(1, "registered"), (2, "registered"), (3, "attended"),
                                                     (5, "cancelled")])]),
    ("kemasan", KEMASAN, [(KAPUAS, 4, [(4, "registered"), (5, "registered"), (6, "waitlisted")])]),
    ("qris", "QRIS", [(KOTIM, 5, [(1, "registered")]), (KAPUAS, 5, [(4, "registered"), (5, "registered")])]),
    ("tanpa-sesi", "Tanpa sesi", []),
]


def fill(database: Database) -> Database:
    """The registry the module's docstring describes."""
    seed(database, len(BUSINESSES))
    with database.engine.begin() as connection:
        connection.execute(delete(Assessment.__table__))  # the sample's own, drawn at random
        for owner_id, (kabupaten, business_class, sector, registered_at) in BUSINESSES.items():
            connection.execute(update(_businesses).where(_businesses.c.owner_id == owner_id).values(
                kabupaten_code=kabupaten, kecamatan_code=kecamatan_of(kabupaten)[0].code, business_class=business_class,
                sector=sector, registered_at=registered_at))
        owner_id, kabupaten, business_class, sector, registered_at = SECOND_BUSINESS
        first = dict(connection.execute(select(_businesses).where(_businesses.c.owner_id == owner_id)).mappings().one())
        connection.execute(insert(_businesses).values({
            **{key: value for key, value in first.items() if key not in ("id", "registration_number")},
            "kabupaten_code": kabupaten, "kecamatan_code": kecamatan_of(kabupaten)[0].code,
            "business_class": business_class, "sector": sector,
            "registered_at": registered_at}))
        start = datetime(2027, 1, 11, 2, tzinfo=timezone.utc)
        for code, name, sessions in PROGRAMMES:
            programme_id = connection.execute(insert(Programme.__table__).values(
                code=code, name=name, description="", organiser="Dinas", dimensions="keuangan")).inserted_primary_key[0]
            for number, (kabupaten, capacity, places) in enumerate(sessions):
                session_id = connection.execute(insert(TrainingSession.__table__).values(
                    programme_id=programme_id, code=f"s{number}", starts_at=start, ends_at=start + timedelta(hours=6),
                    place="Aula", kabupaten_code=kabupaten, capacity=capacity, signup_deadline=start,
                )).inserted_primary_key[0]
                for owner_id, status in places:
                    connection.execute(insert(Enrollment.__table__).values(
                        session_id=session_id, owner_id=owner_id, status=status, since=start))
    for number, (owner_id, score, level, dimensions) in enumerate(ASSESSMENTS):
        with database.transaction(datetime(2026, 11, 10, tzinfo=timezone.utc) + timedelta(days=number)) as registry:
            business_id = registry.session.scalar(select(_businesses.c.id).where(
                _businesses.c.owner_id == owner_id).order_by(_businesses.c.id).limit(1))
            registry.assessments.save(owner_id, business_id, {}, score, level, dimensions)
    return database


@pytest.fixture
def small_registry(database: Database) -> Database:
    return fill(database)


class Page:
    """The overview as parsed HTML: its figures and the tables under its charts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tree = html.fromstring(text)

    def figure(self, element_id: str) -> str:
        return self.tree.get_element_by_id(element_id).text_content().strip()

    def charts(self) -> list[str]:
        """The ids of the sections that draw a chart."""
        return self.tree.xpath("//div[contains(@class, 'overview-charts')]/section[.//svg]/@id")

    def table(self, chart: str) -> list[tuple[str, ...]]:
        return [tuple(cell.text_content().strip() for cell in row.xpath("td"))
                for row in self.tree.xpath("//section[@id=$chart]//tbody/tr", chart=chart)]

    def drawn(self, chart: str, element: str) -> set[str]:
        """The text of a chart's SVG elements: its `text`s, or its `title`s (each bar's label and number)."""
        return {found.text for found in self.tree.xpath(f"//section[@id=$chart]//svg//{element}", chart=chart)}


def overview(database: Database, scope: str) -> Page:
    with logged_in(database, scope) as officer:
        answer = officer.client.get("/admin/")
        assert answer.status_code == 200
        return Page(answer.text)


def test_a_provincial_officer_sees_the_whole_province(small_registry: Database) -> None:
    page = overview(small_registry, PROVINCE)
    assert [page.figure(name) for name in ("owners", "businesses", "assessed", "average-score")] == [
        "6", "7", "3", "70"]
    assert page.charts() == ["by-kabupaten", "by-class", "by-sector", "by-month", "levels", "dimensions",
                             "programmes"]
    counts = {KOTIM: "3", KAPUAS: "2", PALANGKA: "2"}
    assert page.table("by-kabupaten") == [(kabupaten.short_name, counts.get(kabupaten.code, "0"))
                                          for kabupaten in kabupaten_list()]
    assert page.table("by-class") == [(LABEL["business_class"](name), count) for name, count in [
        ("mikro", "4"), ("kecil", "2"), ("menengah", "1"), ("besar", "0")]]
    assert page.table("by-sector") == [(LABEL["sector"](name), count) for name, count in [
        ("kuliner", "3"), ("fesyen", "1"), ("jasa", "1"), ("kriya", "1"), ("wisata", "1")]]
    assert page.table("by-month")[:4] == [("Agu 2026", "1"), ("Sep 2026", "1"), ("Okt 2026", "4"), ("Nov 2026", "1")]
    assert page.table("levels") == [(LABEL["level"](name), count) for name, count in [
        ("pemula", "0"), ("berkembang", "1"), ("mandiri", "1"), ("siap_naik_kelas", "1")]]  # latest ones only
    assert page.table("dimensions") == [(LABEL["dimension"](name), average) for name, average in [
        ("legalitas", "80"), ("keuangan", "50"), ("pasar", "–"), ("digital", "50"), ("produk", "–"), ("sdm", "90")]]
    # programme, sessions, seats, registered, attended, absent, waiting, seats taken; one without sessions has no rate
    assert page.table("programmes") == [(KEMASAN, "1", "4", "2", "0", "0", "1", "50%"),
                                        ("Pembukuan Kotim", "1", "10", "2", "1", "0", "0", "30%"),
                                        ("QRIS", "2", "10", "3", "0", "0", "0", "30%")]
    assert "Kemasan &amp; Label &lt;b&gt;Kapuas&lt;/b&gt;" in page.text and "<b>Kapuas" not in page.text


def test_the_numbers_drawn_are_the_numbers_in_the_table(small_registry: Database) -> None:
    page = overview(small_registry, PROVINCE)
    for chart in page.charts():
        written, tooltips = page.drawn(chart, "text"), page.drawn(chart, "title")
        for label, *_, number in page.table(chart):
            assert number in written and f"{label}: {number}" in tooltips, (chart, label)


def test_a_kabupaten_officer_sees_only_their_kabupaten(small_registry: Database) -> None:
    page = overview(small_registry, KOTIM)
    assert [page.figure(name) for name in ("owners", "businesses", "assessed", "average-score")] == [
        "3", "3", "2", "60"]
    assert "by-kabupaten" not in page.charts()  # a kabupaten officer sees their kecamatan instead
    assert page.table("by-kecamatan") == [(place.name, "3" if place == kecamatan_of(KOTIM)[0] else "0")
                                          for place in kecamatan_of(KOTIM)]
    assert page.table("by-class") == [(LABEL["business_class"](name), count) for name, count in [
        ("mikro", "2"), ("kecil", "1"), ("menengah", "0"), ("besar", "0")]]
    assert page.table("by-sector") == [(LABEL["sector"]("kuliner"), "2"), (LABEL["sector"]("kriya"), "1")]
    assert page.table("by-month")[:3] == [("Sep 2026", "1"), ("Okt 2026", "2"), ("Nov 2026", "0")]
    assert page.table("levels") == [(LABEL["level"](name), count) for name, count in [
        ("pemula", "0"), ("berkembang", "1"), ("mandiri", "1"), ("siap_naik_kelas", "0")]]
    assert page.table("dimensions") == [(LABEL["dimension"](name), average) for name, average in [
        ("legalitas", "70"), ("keuangan", "50"), ("pasar", "–"), ("digital", "50"), ("produk", "–"), ("sdm", "–")]]
    # only the sessions held in Kotim: Kapuas's programme and QRIS's Kapuas session are not counted
    assert page.table("programmes") == [("Pembukuan Kotim", "1", "10", "2", "1", "0", "0", "30%"),
                                        ("QRIS", "1", "5", "1", "0", "0", "0", "20%")]
    for kapuas in ("Kemasan", "Kapuas", LABEL["sector"]("wisata"), LABEL["sector"]("jasa"), "Agu 2026", "Tanpa sesi"):
        assert kapuas not in page.text, kapuas


@pytest.mark.parametrize("scope", [PROVINCE, KAPUAS])
def test_an_empty_registry_shows_zeros_and_no_empty_chart(database: Database, scope: str) -> None:
    page = overview(database, scope)
    assert [page.figure(name) for name in ("owners", "businesses", "assessed", "average-score")] == [
        "0", "0", "0", "–"]
    assert page.table("by-month") == [] and page.table("programmes") == []
    assert "by-month" not in page.charts() and "levels" in page.charts()


def test_the_overview_in_chromium_draws_its_charts_and_shows_their_numbers(sqlite_database: Database) -> None:
    fill(sqlite_database)
    with browser_dashboard(sqlite_database) as browser:
        browser.open("/admin/")
        wait = WebDriverWait(browser.driver, 10)
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#programmes svg")))
        charts = browser.driver.find_elements(By.CSS_SELECTOR, ".overview-charts svg[role=img]")
        assert len(charts) == 7 and all(chart.size["width"] > 100 for chart in charts)
        cell = browser.driver.find_element(By.CSS_SELECTOR, "#by-kabupaten tbody tr:nth-child(2) td:last-child")
        assert not cell.is_displayed()  # the numbers wait behind "Show the numbers"
        browser.driver.find_element(By.CSS_SELECTOR, "#by-kabupaten summary").click()
        wait.until(expected_conditions.visibility_of(cell))
        assert cell.text == "3"  # Kotawaringin Timur, the second kabupaten
