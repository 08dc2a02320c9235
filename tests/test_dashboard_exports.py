"""Downloads of the registrations: exactly what the table lists, in CSV and XLSX, each recorded; full NIKs
only for the province with a reason; owners' text never a formula; a broken-off download recorded as such."""

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import anyio
import lxml.html
import openpyxl
import pytest
from httpx import Response
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from test_dashboard_registrations import (
    FIRST_OF_MARCH_2,
    SCRIPT_OWNER,
    TAGGED_BUSINESS,
    Known,
    add_business,
    expected,
    listed,
    registry_with_businesses,
)

from bot.sample import seed
from dashboard.exports import CSV_ROWS_PER_CHUNK, CountedRows, download, header, off_the_loop
from domain.wib import in_wib
from officer_dashboard import KOTIM, NOW, add_officer, browser_dashboard, logged_in
from store.db import Database
from store.exports import ExportInfo
from store.models import AuditEvent, utcnow
from store.officers import PROVINCE
from store.registrations import RegistrationFilter

MASKED = re.compile(r"\d{4}\*{10}\d{4}")
FORMULA_OWNER = '=HYPERLINK("http://contoh.id","klik")'
NIK = 3  # the columns of a file, as dashboard/exports.py writes them
OWNER = 2
ADDRESS = 12
REGISTERED = 20
FILTERS = [
    {},
    {"sector": "kuliner", "business_class": "mikro", "has_nib": "no"},
    {"kabupaten": KOTIM},
    {"search": "kue", "registered_from": "2026-03-02"},
    {"level": "none", "registered_to": "2026-03-01"},
    {"level": "mandiri"},
    {"search": "tidak ada usaha ini"},
]


def csv_rows(answer: Response) -> list[list[str]]:
    """The rows of a CSV download after its header, which must be the catalog's, after a byte order mark."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == header()
    return rows[1:]


def xlsx_rows(answer: Response) -> list[tuple[object, ...]]:
    """The rows of an XLSX download after its header, read back by openpyxl."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return sheet_rows(answer.content)


def sheet_rows(content: bytes) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = [tuple(cell for cell in row) for row in book.active.iter_rows(values_only=True)]
    assert list(rows[0]) == header()
    return rows[1:]


def recent(database: Database, scope: str = PROVINCE, limit: int = 50) -> list[ExportInfo]:
    with database.reading() as registry:
        return registry.exports.recent(scope, limit)


def numbers_of(everything: list[Known], ids: list[int] | set[int]) -> list[str]:
    by_id = {business.id: business.number for business in everything}
    return sorted(by_id[business_id] for business_id in ids)


def test_every_download_holds_exactly_what_the_table_lists_and_is_recorded(database: Database) -> None:
    everything = registry_with_businesses(database)
    with logged_in(database) as officer:
        for params in FILTERS:
            table = numbers_of(everything, listed(officer, params))
            assert table == numbers_of(everything, expected(everything, params))
            from_csv = csv_rows(officer.client.get("/admin/registrations.csv", params=params))
            from_xlsx = xlsx_rows(officer.client.get("/admin/registrations.xlsx", params=params))
            assert sorted(row[0] for row in from_csv) == table, params
            assert sorted(str(row[0]) for row in from_xlsx) == table, params
            assert all(MASKED.fullmatch(row[NIK]) for row in from_csv)
            assert all(MASKED.fullmatch(str(row[NIK])) for row in from_xlsx)
            as_xlsx, as_csv = recent(database, limit=2)
            for record, format in ((as_csv, "csv"), (as_xlsx, "xlsx")):
                assert (record.format, record.rows, record.full_nik, record.reason) == (format, len(table), False, None)
                assert record.finished_at is not None and record.what == "registrations"
                assert record.filter == {"scope": PROVINCE, **{name: value if name != "has_nib" else value == "yes"
                                                               for name, value in params.items()}}


def test_a_download_names_its_day_and_its_area(database: Database) -> None:
    today = in_wib(NOW).date().isoformat()
    with logged_in(database) as officer:
        answer = officer.client.get("/admin/registrations.xlsx")
        assert answer.headers["content-disposition"] == f'attachment; filename="umkm-kalteng-{today}.xlsx"'
        assert "no-store" in answer.headers["cache-control"]
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        answer = officer.client.get("/admin/registrations.csv")
        assert answer.headers["content-disposition"] == f'attachment; filename="umkm-kalteng-{KOTIM}-{today}.csv"'


def test_full_niks_only_for_the_province_and_only_with_a_reason(database: Database) -> None:
    everything = registry_with_businesses(database)
    nik_of = {business.number: business.nik for business in everything}
    kuliner = numbers_of(everything, expected(everything, {"sector": "kuliner"}))
    with logged_in(database) as officer:
        page = officer.client.get("/admin/registrations", params={"sector": "kuliner"}).text
        assert 'id="export-form"' in page and 'name="sector" value="kuliner"' in page
        for reason in ("", "   "):
            refused = officer.post("/admin/registrations/export", {"format": "xlsx", "full_nik": "yes",
                                                                   "reason": reason, "sector": "kuliner"})
            assert refused.status_code == 400 and 'id="problem-reason"' in refused.text
            assert 'id="full_nik" checked' in refused.text  # what was ticked stays ticked
        wrong_format = officer.post("/admin/registrations/export", {"format": "pdf", "sector": "kuliner"})
        assert wrong_format.status_code == 400 and 'id="problem-format"' in wrong_format.text
        assert recent(database) == []
        reason = "Verifikasi calon penerima bantuan modal <2027>"
        full = xlsx_rows(officer.post("/admin/registrations/export", {
            "format": "xlsx", "full_nik": "yes", "reason": reason, "sector": "kuliner"}))
        assert sorted(str(row[0]) for row in full) == kuliner
        assert all(row[NIK] == nik_of[str(row[0])] for row in full)
        full_csv = csv_rows(officer.post("/admin/registrations/export", {
            "format": "csv", "full_nik": "yes", "reason": reason, "sector": "kuliner"}))
        assert all(row[NIK] == nik_of[row[0]] for row in full_csv)
        masked = csv_rows(officer.post("/admin/registrations/export", {"format": "csv", "sector": "kuliner"}))
        assert sorted(row[0] for row in masked) == kuliner and all(MASKED.fullmatch(row[NIK]) for row in masked)
        plain, as_csv, as_xlsx = recent(database)
        assert (as_xlsx.full_nik, as_xlsx.reason, as_xlsx.rows) == (True, reason, len(kuliner))
        assert (as_csv.full_nik, as_csv.reason) == (True, reason) and not plain.full_nik
        listing = officer.client.get("/admin/exports").text
        assert f'id="export-{as_xlsx.id}" data-rows="{len(kuliner)}" data-full-nik="yes"' in listing
        assert "modal &lt;2027&gt;" in listing
    with database.engine.connect() as connection:
        audited = connection.execute(AuditEvent.__table__.select().where(
            AuditEvent.__table__.c.subject == f"export:{as_xlsx.id}")).one()
        assert audited.action == "export_full_nik"
    with logged_in(database, KOTIM, name="Budi Tambun") as kotim:
        refused = kotim.post("/admin/registrations/export", {"format": "csv", "full_nik": "yes", "reason": "audit"})
        assert refused.status_code == 403
        masked = csv_rows(kotim.post("/admin/registrations/export", {"format": "csv"}))
        assert masked and all(MASKED.fullmatch(row[NIK]) for row in masked)
    assert [record.full_nik for record in recent(database)] == [False, False, True, True]  # the refused one: none


def test_a_kabupaten_officer_downloads_and_sees_only_their_kabupaten(database: Database) -> None:
    everything = registry_with_businesses(database)
    kotim = numbers_of(everything, {business.id for business in everything if business.kabupaten == KOTIM})
    with logged_in(database) as province:
        province.client.get("/admin/registrations.csv")
    with logged_in(database, KOTIM, name="Budi Tambun") as officer:
        assert sorted(row[0] for row in csv_rows(officer.client.get("/admin/registrations.csv"))) == kotim
        assert sorted(str(row[0]) for row in xlsx_rows(officer.client.get("/admin/registrations.xlsx"))) == kotim
        for path in ("/admin/registrations.csv", "/admin/registrations.xlsx"):
            assert officer.client.get(path, params={"kabupaten": "62.03"}).status_code == 403
        listing = officer.client.get("/admin/exports").text
        assert listing.count('<tr id="export-') == 2 and "Rina Lestari" not in listing
    with logged_in(database, name="Sari Nyahu") as province:
        assert province.client.get("/admin/exports").text.count('<tr id="export-') == 3


def test_owners_text_is_never_a_formula_and_stays_whole(database: Database) -> None:
    add_business(database, owner=FORMULA_OWNER, name="Kopi @SUM(A1)", address="-1+cmd|' /C calc'!A0",
                 registered_at=FIRST_OF_MARCH_2)
    add_business(database, owner=SCRIPT_OWNER, name=TAGGED_BUSINESS, address="Jl. Bel\x07 No. 2, RT 01\nRW 02")
    with logged_in(database) as officer:
        from_csv = csv_rows(officer.client.get("/admin/registrations.csv"))
        answer = officer.client.get("/admin/registrations.xlsx")
    formula, tagged = sorted(from_csv, key=lambda row: row[OWNER] != FORMULA_OWNER)
    assert (formula[1], formula[OWNER], formula[ADDRESS]) == (
        "Kopi @SUM(A1)", "'" + FORMULA_OWNER, "'-1+cmd|' /C calc'!A0")
    assert formula[4].startswith("+62")  # a phone number is not owners' text
    assert formula[REGISTERED] == "2026-03-02 00:00:00"  # WIB
    assert (tagged[1], tagged[OWNER], tagged[ADDRESS]) == (TAGGED_BUSINESS, SCRIPT_OWNER,
                                                           "Jl. Bel\x07 No. 2, RT 01\nRW 02")
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    rows = sorted(book.active.iter_rows(min_row=2), key=lambda row: row[OWNER].value != FORMULA_OWNER)
    formula_cells, tagged_cells = rows
    assert formula_cells[OWNER].value == FORMULA_OWNER and formula_cells[OWNER].data_type == "s"
    assert formula_cells[ADDRESS].value == "-1+cmd|' /C calc'!A0"
    assert formula_cells[REGISTERED].value == datetime(2026, 3, 2, 0, 0)
    assert formula_cells[REGISTERED].is_date
    assert [cell.value for cell in tagged_cells[1:3]] == [TAGGED_BUSINESS, SCRIPT_OWNER]
    assert tagged_cells[ADDRESS].value == "Jl. Bel No. 2, RT 01\nRW 02"  # XML cannot hold a bell


def started(database: Database, format: str) -> int:
    officer_id = add_officer(database)
    with database.transaction() as registry:
        return registry.exports.start(officer_id, "registrations", format, {"scope": PROVINCE}, False, None,
                                      scope=PROVINCE)


async def test_a_download_the_client_leaves_is_recorded_as_broken_off(sqlite_database: Database) -> None:
    seed(sqlite_database, 1_000)
    everyone = RegistrationFilter(PROVINCE)
    export_id = started(sqlite_database, "csv")
    chunks = download(sqlite_database, utcnow, export_id, CountedRows(sqlite_database, utcnow, everyone, False), "csv")
    next(chunks)
    chunks.close()  # what the response does when the client goes away
    (record,) = recent(sqlite_database)
    assert (record.rows, record.finished_at) == (CSV_ROWS_PER_CHUNK, None)

    # As Starlette stops a response whose client left: it cancels the task reading the chunks.
    export_id = started(sqlite_database, "csv")
    chunks = download(sqlite_database, utcnow, export_id, CountedRows(sqlite_database, utcnow, everyone, False), "csv")

    async with anyio.create_task_group() as responding:
        async def send() -> None:
            async for _chunk in off_the_loop(chunks):
                responding.cancel_scope.cancel()
        responding.start_soon(send)
    record = recent(sqlite_database, limit=1)[0]
    assert (record.id, record.rows, record.finished_at) == (export_id, CSV_ROWS_PER_CHUNK, None)


def test_filtering_and_downloading_in_chromium(sqlite_database: Database, tmp_path: Path) -> None:
    everything = registry_with_businesses(sqlite_database)
    wanted = expected(everything, {"search": "kopi", "sector": "kuliner", "has_nib": "no"})
    assert 0 < len(wanted) < 50
    with browser_dashboard(sqlite_database) as browser:
        driver = browser.driver
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
        browser.open("/admin/registrations")
        driver.find_element(By.ID, "search").send_keys("kopi")
        Select(driver.find_element(By.ID, "sector")).select_by_value("kuliner")
        Select(driver.find_element(By.ID, "has_nib")).select_by_value("no")
        driver.find_element(By.ID, "apply").click()
        WebDriverWait(driver, 10).until(lambda driver: "has_nib=no" in driver.current_url)
        rows = driver.find_elements(By.CSS_SELECTOR, "#registrations tbody tr")
        assert {int(row.get_attribute("id").removeprefix("business-")) for row in rows} == wanted
        driver.find_element(By.ID, "download-xlsx").click()
        WebDriverWait(driver, 20).until(
            lambda _driver: [path for path in tmp_path.iterdir() if path.suffix == ".xlsx"])
        (downloaded,) = tmp_path.glob("*.xlsx")
        assert downloaded.name.startswith("umkm-kalteng-")
    assert sorted(str(row[0]) for row in sheet_rows(downloaded.read_bytes())) == numbers_of(everything, wanted)
    assert recent(sqlite_database, limit=1)[0].rows == len(wanted)


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_empty_registry_downloads_just_the_header(sqlite_database: Database, format: str) -> None:
    with logged_in(sqlite_database) as officer:
        answer = officer.client.get(f"/admin/registrations.{format}")
        assert (csv_rows(answer) if format == "csv" else xlsx_rows(answer)) == []


def test_characters_xml_cannot_carry_are_dropped_and_the_workbook_stays_whole(database: Database) -> None:
    seed(database, 20)
    add_business(database, owner="Dewi\ufffe Lestari\uffff", name="Kue\uffff Lapis\ufffe", address="Jl.\ufffe 1")
    with logged_in(database) as officer:
        from_xlsx = xlsx_rows(officer.client.get("/admin/registrations.xlsx"))
        from_csv = csv_rows(officer.client.get("/admin/registrations.csv"))
    assert len(from_xlsx) == len(from_csv) == 21
    (dewi,) = [row for row in from_xlsx if str(row[OWNER]).startswith("Dewi")]
    assert (dewi[1], dewi[OWNER], dewi[ADDRESS]) == ("Kue Lapis", "Dewi Lestari", "Jl. 1")


def test_a_participant_lists_filter_names_its_session(database: Database) -> None:
    officer_id = add_officer(database, name="Sari Nyahu")
    with database.transaction() as registry:
        export_id = registry.exports.start(officer_id, "participants", "csv", {"session": 7}, False, None,
                                           scope=PROVINCE)
    with logged_in(database) as officer:
        page = lxml.html.fromstring(officer.client.get("/admin/exports").text)
    (cell,) = page.get_element_by_id(f"export-{export_id}").find_class("filter")
    assert [link.get("href") for link in cell.iter("a")] == ["/admin/sessions/7"]
    assert cell.text_content().split(":")[-1].strip() == "7"
