""""Naik kelas", measured, on the dashboard (/admin/progress): the scope, the period and place chosen, the
workbook recorded as an export, hostile text shown as text, and the page in Chromium."""

import io
from datetime import timedelta

from lxml import html
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select
from test_progress import BEFORE, MIDDLE, SINCE, UNTIL, business, histories

from domain.wib import in_wib
from officer_dashboard import KAPUAS, KOTIM, NOW, WAIT_SECONDS, browser_dashboard, logged_in
from store.db import Database
from store.models import Export
from store.officers import PROVINCE

HOSTILE = "=HYPERLINK(\"http://x\") <script>alert(1)</script>"
PERIOD = f"from={SINCE.isoformat()}&to={(UNTIL - timedelta(days=1)).isoformat()}"


def rows(page: str, table: str) -> list[list[str]]:
    return [[cell.text_content().strip() for cell in row.xpath("td")]
            for row in html.fromstring(page).xpath(f"//section[@id='{table}']//tbody/tr")]


def test_a_kabupaten_officer_sees_their_kabupaten_over_the_last_twelve_months(database: Database) -> None:
    histories(database)
    with logged_in(database, KOTIM) as officer:
        page = officer.client.get("/admin/progress").text
    document = html.fromstring(page)
    today = in_wib(NOW).date()
    assert document.xpath("string(//input[@id='to']/@value)") == today.isoformat()
    assert document.xpath("string(//input[@id='from']/@value)") == \
        (today.replace(year=today.year - 1) + timedelta(days=1)).isoformat()
    assert document.xpath("//select[@id='kabupaten']") == []
    assert rows(page, "movements") == [["Kotawaringin Timur", "2", "1", "2", "1"]]
    assert rows(page, "comparison") == [["Pemula", "1", "25", "1", "3"],
                                        ["Berkembang", "0", "–", "1", "-15"],
                                        ["Mandiri", "0", "–", "0", "–"],
                                        ["Siap Naik Kelas", "0", "–", "0", "–"]]
    assert [row[1] for row in rows(page, "path")] == ["5", "5", "3", "2", "2"]
    assert "Kapuas" not in document.xpath("string(//main)")
    assert document.xpath("//section[@id='path']//svg") and document.xpath("//section[@id='comparison']//svg")
    assert document.xpath("//section[@id='movements']//svg") == []  # one kabupaten: nothing to compare


def test_the_province_chooses_a_kabupaten_and_a_period(database: Database) -> None:
    histories(database)
    with logged_in(database, PROVINCE) as officer:
        everything = officer.client.get(f"/admin/progress?{PERIOD}").text
        kapuas = officer.client.get(f"/admin/progress?{PERIOD}&kabupaten={KAPUAS}").text
        middle = in_wib(MIDDLE).date().isoformat()
        one_day = officer.client.get(f"/admin/progress?from={middle}&to={middle}&kabupaten={KOTIM}").text
    assert len(rows(everything, "movements")) == 14
    assert len(html.fromstring(everything).xpath("//section[@id='movements']//svg")) == 2
    assert rows(kapuas, "movements") == [["Kapuas", "1", "0", "1", "0"]]
    assert [row[1] for row in rows(kapuas, "path")] == ["1", "1", "0", "0", "0"]
    # that day "up" moved up a class, "down" down a class and a level; nothing else moved on it
    assert rows(one_day, "movements") == [["Kotawaringin Timur", "1", "1", "0", "1"]]


def test_a_kabupaten_officer_cannot_ask_for_another_and_nonsense_is_ignored(database: Database) -> None:
    histories(database)
    with logged_in(database, KOTIM) as officer:
        assert officer.client.get(f"/admin/progress?kabupaten={KAPUAS}").status_code == 403
        assert officer.client.get(f"/admin/progress.xlsx?kabupaten={KAPUAS}").status_code == 403
        page = officer.client.get("/admin/progress?from=%3Cscript%3E&to=2026-13-01").text
    assert rows(page, "movements") == [["Kotawaringin Timur", "2", "1", "2", "1"]]  # the default period
    with logged_in(database, PROVINCE, name="Provinsi") as officer:
        page = officer.client.get("/admin/progress?kabupaten=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert len(rows(page, "movements")) == 14
    assert "<script>alert(1)</script>" not in page


def test_hostile_business_names_are_never_markup(database: Database) -> None:
    histories(database)
    business(database, HOSTILE, [(BEFORE, "mikro"), (MIDDLE, "kecil")])
    with logged_in(database, KOTIM) as officer:
        page = officer.client.get(f"/admin/progress?{PERIOD}").text
        workbook = load_workbook(io.BytesIO(officer.client.get(f"/admin/progress.xlsx?{PERIOD}").content))
    assert "<script>alert(1)</script>" not in page
    assert rows(page, "movements") == [["Kotawaringin Timur", "3", "1", "2", "1"]]
    assert all(cell.data_type == "s" for sheet in workbook for row in sheet.iter_rows(min_row=2) for cell in row)


def test_the_workbook_is_the_page_recorded_as_an_export_in_the_officers_scope(database: Database) -> None:
    histories(database)
    with logged_in(database, PROVINCE) as officer:
        answer = officer.client.get(f"/admin/progress.xlsx?{PERIOD}&kabupaten={KAPUAS}")
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(answer.content))
    assert workbook.sheetnames == ["movements", "comparison", "path"]
    assert [[cell.value for cell in row] for row in workbook["movements"].iter_rows(min_row=2)] == [
        ["Kapuas", "1", "0", "1", "0"]]
    assert [row[1].value for row in workbook["path"].iter_rows(min_row=2)] == ["1", "1", "0", "0", "0"]
    with database.engine.connect() as connection:
        export = connection.execute(select(Export)).one()
    assert (export.what, export.format, export.scope, export.rows) == ("progress", "xlsx", PROVINCE, 1 + 4 + 5)
    assert export.filter == {"from": SINCE.isoformat(), "to": (UNTIL - timedelta(days=1)).isoformat(),
                             "kabupaten": KAPUAS}
    assert export.finished_at is not None


def test_the_page_in_chromium(database: Database) -> None:
    histories(database)
    with browser_dashboard(database, PROVINCE) as browser:
        browser.open("/admin/")
        browser.driver.find_element(By.LINK_TEXT, "Kemajuan").click()
        browser.wait_for(By.ID, "path")
        assert browser.driver.find_elements(By.CSS_SELECTOR, "#movements svg")
        browser.driver.find_element(By.CSS_SELECTOR, "#kabupaten option[value='62.03']").click()
        browser.driver.find_element(By.ID, "apply").click()
        # The page before is at the same path: wait for the one the filter asked for, not a moment before it.
        WebDriverWait(browser.driver, WAIT_SECONDS).until(lambda driver: "kabupaten=62.03" in driver.current_url)
        movements = browser.wait_for(By.ID, "movements").text
        assert "Kotawaringin Timur" not in movements and "Kapuas" in movements
