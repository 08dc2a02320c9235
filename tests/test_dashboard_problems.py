"""The inventory of UMKM problems (/admin/problems): figures made from hand-made questions, the scope, the bot's
gaps grouped by similar questions, owners' words as text on the page and in the workbook, the export recorded."""

import io
from datetime import timedelta

from lxml import html
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from sqlalchemy import insert, select

from dashboard.problems import group_gaps
from officer_dashboard import KAPUAS, KOTIM, NOW, add_officer, browser_dashboard, logged_in
from store.db import Database
from store.models import AskedQuestion, Export, OwnerQuestion
from store.officers import PROVINCE
from store.problems import Unanswered

HOSTILE = "=HYPERLINK(\"http://x\") <script>alert(1)</script>"


def questions(database: Database) -> None:
    """Kotim: three questions (two answered after 2 and 4 hours, rated 4 and 5); Kapuas: one open; and what the
    bot could not answer in each."""
    officer_id = add_officer(database, KOTIM, "Penjawab")
    rows = [(KOTIM, "perizinan", 2, 4), (KOTIM, "perizinan", 4, 5), (KOTIM, "pembiayaan", None, None),
            (KAPUAS, "pemasaran", None, None)]
    with database.engine.begin() as connection:
        for number, (kabupaten, topic, hours, rating) in enumerate(rows, start=1):
            created = NOW - timedelta(days=number)
            connection.execute(insert(OwnerQuestion).values(
                kabupaten_code=kabupaten, topic=topic, status="answered" if hours else "open", created_at=created,
                active_at=created, answered_at=created + timedelta(hours=hours) if hours else None, rating=rating,
                assigned_officer_id=officer_id))
        connection.execute(insert(AskedQuestion), [
            {"kabupaten_code": KOTIM, "text": "harga sawit hari ini berapa?", "outcome": "not_found",
             "asked_at": NOW - timedelta(days=1)},
            {"kabupaten_code": KOTIM, "text": "harga sawit sekarang brp?", "outcome": "not_found",
             "asked_at": NOW - timedelta(days=2)},
            {"kabupaten_code": KOTIM, "text": HOSTILE, "outcome": "not_helped", "asked_at": NOW - timedelta(days=3)},
            {"kabupaten_code": KOTIM, "text": "cara bikin nib?", "outcome": "helped", "asked_at": NOW},
            {"kabupaten_code": KAPUAS, "text": "jadwal kapal ke jawa", "outcome": "not_found", "asked_at": NOW}])


def test_the_figures_of_a_kabupaten(database: Database) -> None:
    questions(database)
    with database.transaction(NOW) as registry:
        inventory = registry.problems.inventory(KOTIM, NOW - timedelta(days=365))
    assert inventory.by_topic == [("perizinan", 2), ("pembiayaan", 1)]
    assert inventory.by_kabupaten == [(KOTIM, 3)]
    [replies] = inventory.replies
    assert (replies.asked, replies.answered, replies.median_hours, replies.rated, replies.average_rating) == \
        (3, 2, 3.0, 2, 4.5)
    assert [gap.text for gap in inventory.unanswered] == ["harga sawit hari ini berapa?", "harga sawit sekarang brp?",
                                                          HOSTILE]


def test_the_province_sees_every_kabupaten(database: Database) -> None:
    questions(database)
    with database.transaction(NOW) as registry:
        inventory = registry.problems.inventory(PROVINCE, NOW - timedelta(days=365))
    assert inventory.by_kabupaten == [(KOTIM, 3), (KAPUAS, 1)]
    assert len(inventory.unanswered) == 4


def test_similar_questions_are_one_gap_the_biggest_first() -> None:
    gaps = group_gaps([Unanswered("jadwal kapal ke jawa", KAPUAS, NOW),
                       Unanswered("harga sawit hari ini berapa?", KOTIM, NOW),
                       Unanswered("harga sawit sekarang brp?", KOTIM, NOW)])
    assert [(gap.count, gap.places) for gap in gaps] == [(2, ["Kotawaringin Timur"]), (1, ["Kapuas"])]


def test_the_page_keeps_to_the_scope_and_shows_owners_words_as_text(database: Database) -> None:
    questions(database)
    with logged_in(database, KOTIM) as officer:
        page = officer.client.get("/admin/problems").text
    assert "jadwal kapal" not in page and "Kapuas" not in html.fromstring(page).xpath("string(//main)")
    assert "harga sawit hari ini berapa?" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert html.fromstring(page).xpath("//section[@id='by-kabupaten']") == []  # one kabupaten: no such chart


def test_the_workbook_is_the_page_recorded_as_an_export(database: Database) -> None:
    questions(database)
    with logged_in(database, KOTIM) as officer:
        answer = officer.client.get("/admin/problems.xlsx?months=6")
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(answer.content))
    assert workbook.sheetnames == ["by-topic", "by-month", "replies", "gaps", "weakest"]
    cells = [cell.value for row in workbook["gaps"].iter_rows() for cell in row]
    assert any(HOSTILE in str(value) for value in cells)
    assert all(cell.data_type == "s" for row in workbook["gaps"].iter_rows() for cell in row)  # never a formula
    assert not any("jadwal kapal" in str(value) for value in cells)
    with database.engine.connect() as connection:
        export = connection.execute(select(Export)).one()
    assert (export.what, export.format, export.filter, export.scope) == ("problems", "xlsx", {"months": 6}, KOTIM)
    assert export.finished_at is not None


def test_the_page_in_chromium(database: Database) -> None:
    questions(database)
    with browser_dashboard(database, PROVINCE) as browser:
        browser.open("/admin/")
        browser.driver.find_element(By.LINK_TEXT, "Masalah").click()
        browser.wait_for(By.ID, "gaps")
        assert "harga sawit hari ini berapa?" in browser.text()
        assert browser.driver.find_elements(By.CSS_SELECTOR, "#by-kabupaten svg")
