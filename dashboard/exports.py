"""Downloads of the registrations as CSV or XLSX, streamed, each one recorded; and the list of past downloads.

Memory stays flat however many rows: the rows come from the registry a batch at a time and leave as
small chunks (CSV), or go a few hundred at a time into the sheet of a workbook openpyxl frames, deflated
into a temporary file that is then sent in chunks (XLSX). Full NIKs only for a provincial officer who
says why, through the form; a link (GET) always gives them masked.
"""

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from datetime import datetime
from typing import TypeVar
from xml.sax.saxutils import escape

import anyio
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from dashboard.access import officer_page
from dashboard.pages import render
from dashboard.registrations import FILTER_LABELS, read_filter, registrations_page, typed_values
from dashboard.work import database_of, read, today_of, write
from domain.invalid import Invalid
from domain.msgid import N_
from domain.regions import region
from domain.wib import in_wib
from flows.i18n import DEFAULT_LANGUAGE, Text
from store.db import Database
from store.logins import Viewer
from store.officers import PROVINCE
from store.registrations import NEVER_ASSESSED, ExportRow, RegistrationFilter
from store.registry import Registry

WHAT = "registrations"  # the exports table's name for this kind of download
CSV, XLSX = "csv", "xlsx"
MEDIA_TYPES = {CSV: "text/csv; charset=utf-8",
               XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CSV_ROWS_PER_CHUNK = 200  # about 40 kB: small enough to keep memory flat, large enough not to be chatty
FILE_CHUNK = 64 * 1024
REASON_LONGEST = 1000
RECENT = 100
# A recorded filter's fields: the registrations' filter's, the session of a participant list or the programme of
# its evaluations (programmes.py).
RECORDED_FILTER_LABELS = {**FILTER_LABELS, "session": N_("Session"), "programme": N_("Programme")}

# The file's columns, in order: ExportRow's fields, each region as its code and its name.
HEADER = (
    N_("Registration number"), N_("Business name"), N_("Owner name"), N_("NIK"), N_("Phone"), N_("Sector"),
    N_("Sector, in the owner's words"), N_("KBLI category"), N_("Kabupaten/kota code"), N_("Kabupaten/kota"),
    N_("Kecamatan code"), N_("Kecamatan"), N_("Address"), N_("NIB"), N_("Year started"), N_("Workers"),
    N_("Business capital (Rp)"), N_("Turnover a month (Rp)"), N_("Turnover a year (Rp)"), N_("Class"),
    N_("Registered (WIB)"), N_("Assessment level"), N_("Assessment score"),
)
# Owners' own text (names, address, their words for the sector) goes into a CSV cell through a guard: a spreadsheet
# must show it as text, never run it as a formula (`=HYPERLINK(…)`, `@SUM(…)`, `-cmd|…`). In the XLSX file every
# text is a text cell, which no spreadsheet runs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_LIKE = re.compile(r"[+-]?[\d .,]*")
SHEET = "UMKM"
SHEET_PART = "xl/worksheets/sheet1.xml"
COLUMN_LETTERS = tuple(get_column_letter(number) for number in range(1, len(HEADER) + 1))
ROWS_PER_WRITE = 200
# What XML cannot carry, dropped from a sheet's text: control characters, U+FFFE and U+FFFF, lone surrogates.
# One of them left in makes the whole workbook unreadable.
NOT_IN_XML = r"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
XML_ILLEGAL = re.compile(f"[{NOT_IN_XML}]")
XML_CARE = re.compile(f"[&<>{NOT_IN_XML}]")  # what must be escaped, or dropped, in a sheet's text
# A spreadsheet's date is days since 30 December 1899 (1 January 1970 is day 25,569), here as the day and
# hour in WIB.
UNIX_EPOCH_DAY = 25_569
T = TypeVar("T")


def cells(row: ExportRow, owners_text: Callable[[str | None], str | None],
          moment: Callable[[datetime], object]) -> list[object]:
    """One row of the file, each format writing owners' text and moments its own way; scores as shown everywhere."""
    return [row.registration_number, owners_text(row.name), owners_text(row.owner_name), row.nik, row.phone,
            row.sector, owners_text(row.sector_note), row.kbli_category, row.kabupaten_code,
            region(row.kabupaten_code).name, row.kecamatan_code, region(row.kecamatan_code).name,
            owners_text(row.address), row.nib, row.year_started, row.workers, row.modal_usaha, row.monthly_turnover,
            row.annual_turnover, row.business_class, moment(row.registered_at), row.level,
            int(row.score) if row.score is not None else None]  # rounded down: 59.9 reads 59 like its level


def header() -> list[str]:
    text = Text(DEFAULT_LANGUAGE)
    return [text(title) for title in HEADER]


def csv_text(value: str | None) -> str | None:
    """Owners' text for a CSV file: a leading quote keeps a spreadsheet from reading it as a formula."""
    if value and value.startswith(FORMULA_START) and not NUMBER_LIKE.fullmatch(value):
        return "'" + value
    return value


def wib_text(moment: datetime) -> str:
    return in_wib(moment).strftime("%Y-%m-%d %H:%M:%S")


def as_typed(value: T) -> T:
    return value


def csv_chunks(rows: Iterator[ExportRow]) -> Iterator[bytes]:
    """UTF-8 with a byte order mark (so Excel reads it as UTF-8), commas, quoted where needed; a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header())
    for number, row in enumerate(rows, 1):
        writer.writerow(cells(row, csv_text, wib_text))
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def workbook_frame() -> tuple[dict[str, bytes], str, str, str]:
    """Everything of an openpyxl workbook but its rows: its parts, its sheet before and after the rows, and the
    style it gives a date.

    openpyxl takes about 8 µs a cell, which caps an export of 23 columns near 5,000 rows a second; so openpyxl
    makes the workbook around one dated row, and the rows are written into its sheet here.
    """
    book = Workbook(write_only=True)
    book.create_sheet(SHEET).append([datetime(2026, 1, 1)])
    frame = io.BytesIO()
    book.save(frame)
    with zipfile.ZipFile(frame) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts[SHEET_PART].decode()
    rows = re.search(r"<sheetData>(.*)</sheetData>", sheet)
    date_style = re.search(r' s="(\d+)"', rows[1]) if rows else None
    if rows is None or date_style is None:
        raise RuntimeError(f"openpyxl wrote a sheet this module does not know: {sheet}")
    return parts, sheet[:rows.start(1)], sheet[rows.end(1):], date_style[1]


def sheet_row(number: int, values: list[object], date_style: str) -> str:
    """A row of the sheet's XML: text as inline strings, numbers as numbers, moments as WIB dates; nothing for a
    blank. Text is escaped, without the control characters XML cannot carry."""
    found = []
    for letter, value in zip(COLUMN_LETTERS, values, strict=True):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            if XML_CARE.search(value) is not None:  # seldom: looking once is cheaper than cleaning every text
                value = escape(XML_ILLEGAL.sub("", value))
            found.append(f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>')
        elif isinstance(value, datetime):
            day = UNIX_EPOCH_DAY + (value.timestamp() + in_wib(value).utcoffset().total_seconds()) / 86_400
            found.append(f'<c r="{letter}{number}" s="{date_style}"><v>{day}</v></c>')
        else:
            found.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(found)}</row>'


def xlsx_chunks(rows: Iterator[ExportRow]) -> Iterator[bytes]:
    """A one-sheet workbook written row by row into a temporary file (gone when closed), then sent in chunks."""
    parts, before, after, date_style = workbook_frame()
    with tempfile.TemporaryFile(prefix="tabe-export-") as file:
        # Level 1: an export a quarter faster than at zlib's default level, for a file a third larger.
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, content in parts.items():
                if name != SHEET_PART:
                    archive.writestr(name, content)
                    continue
                with archive.open(name, "w", force_zip64=True) as sheet:
                    sheet.write(before.encode())
                    batch = [sheet_row(1, header(), date_style)]
                    for number, row in enumerate(rows, 2):
                        batch.append(sheet_row(number, cells(row, as_typed, as_typed), date_style))
                        if len(batch) == ROWS_PER_WRITE:
                            sheet.write("".join(batch).encode())
                            batch.clear()
                    sheet.write(("".join(batch) + after).encode())
        file.seek(0)
        while chunk := file.read(FILE_CHUNK):
            yield chunk


ENCODERS: dict[str, Callable[[Iterator[ExportRow]], Iterator[bytes]]] = {CSV: csv_chunks, XLSX: xlsx_chunks}


class CountedRows:
    """The matching rows, read in a unit of work of their own that ends with the last row, and how many so far."""

    def __init__(self, database: Database, clock: Callable[[], datetime], where: RegistrationFilter,
                 full_nik: bool) -> None:
        self._database, self._clock, self._where, self._full_nik = database, clock, where, full_nik
        self.count = 0

    def __iter__(self) -> Iterator[ExportRow]:
        with self._database.reading(self._clock()) as registry:
            for row in registry.registrations.export_rows(self._where, self._full_nik):
                self.count += 1
                yield row


def download(database: Database, clock: Callable[[], datetime], export_id: int, rows: CountedRows,
             format: str) -> Generator[bytes, None, None]:
    """The file's bytes; the export's record says how many rows it held, and whether it reached the end."""
    complete = False
    try:
        yield from ENCODERS[format](iter(rows))
        complete = True
    finally:  # also when the client went away (GeneratorExit) or the registry failed
        with database.transaction(clock()) as registry:
            registry.exports.finish(export_id, rows.count, complete)


async def off_the_loop(chunks: Generator[bytes, None, None]) -> AsyncIterator[bytes]:
    """The chunks made in worker threads; closed in one too when the client goes away, so the record is kept."""
    try:
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk
    finally:
        with anyio.CancelScope(shield=True):  # a disconnect cancels the response: finish recording all the same
            await run_in_threadpool(chunks.close)


def filename(viewer: Viewer, now: datetime, format: str) -> str:
    """umkm-kalteng-2026-11-27.xlsx, or umkm-kalteng-62.02-2026-11-27.xlsx for one kabupaten/kota."""
    area = "" if viewer.scope == PROVINCE else f"-{viewer.scope}"
    return f"umkm-kalteng{area}-{in_wib(now).date().isoformat()}.{format}"


async def stream(request: Request, viewer: Viewer, where: RegistrationFilter, format: str, full_nik: bool,
                 reason: str | None) -> Response:
    """Record the export, then send the file as it is made."""
    def start(registry: Registry) -> tuple[int, datetime]:
        if where.nik is not None:  # no page links a download by NIK, but one typed in is audited as the table's is
            registry.registrations.audit_nik_search(viewer.officer.id, registry.registrations.count(where))
        return registry.exports.start(viewer.officer.id, WHAT, format, where.as_json(), full_nik, reason,
                                      scope=viewer.scope), registry.now

    export_id, now = await write(request, start)
    database = database_of(request)
    clock = request.app.state.clock
    chunks = download(database, clock, export_id, CountedRows(database, clock, where, full_nik), format)
    headers = {"Content-Disposition": f'attachment; filename="{filename(viewer, now, format)}"'}
    return StreamingResponse(off_the_loop(chunks), media_type=MEDIA_TYPES[format], headers=headers)


@officer_page
async def export_csv(request: Request, viewer: Viewer) -> Response:
    """GET /admin/registrations.csv: every business the filter selects, NIK masked, as CSV."""
    return await export_link(request, viewer, CSV)


@officer_page
async def export_xlsx(request: Request, viewer: Viewer) -> Response:
    """GET /admin/registrations.xlsx: every business the filter selects, NIK masked, as an Excel workbook."""
    return await export_link(request, viewer, XLSX)


async def export_link(request: Request, viewer: Viewer, format: str) -> Response:
    """A download through a link: the same parameters as the table's, NIK masked; problems shown on the form."""
    typed = typed_values(request.query_params)
    where, problems = read_filter(viewer, typed, today_of(request))
    if problems:
        return registrations_page(request, viewer, typed, problems)
    return await stream(request, viewer, where, format, full_nik=False, reason=None)


@officer_page
async def export_form(request: Request, viewer: Viewer) -> Response:
    """POST /admin/registrations/export: the filter's businesses as a file; full NIKs for the province, with why."""
    form = await request.form()
    typed = typed_values(form)
    where, problems = read_filter(viewer, typed, today_of(request))
    sent = typed_values(form, ("format", "full_nik", "reason"))
    format = sent.get("format", "")
    full_nik = sent.get("full_nik") == "yes"
    reason = sent.get("reason", "")
    if full_nik and viewer.scope != PROVINCE:
        raise HTTPException(403)
    if format not in ENCODERS:
        problems.append(Invalid(N_("Choose CSV or XLSX."), field="format"))
    if full_nik and not reason:
        problems.append(Invalid(N_("Say why the full NIKs are needed: it is recorded with the download."),
                                field="reason"))
    elif len(reason) > REASON_LONGEST:
        problems.append(Invalid(N_("Say it in at most 1,000 characters."), field="reason"))
    if problems:
        return registrations_page(request, viewer, {**typed, **sent}, problems)
    return await stream(request, viewer, where, format, full_nik, reason or None)


@officer_page
async def show_exports(request: Request, viewer: Viewer) -> Response:
    """GET /admin/exports: the latest downloads in the viewer's scope: who, when, which filter, rows, and why."""
    exports = await read(request, lambda registry: registry.exports.recent(viewer.scope, RECENT))
    return render(request, "exports.html", viewer, exports=exports, labels=RECORDED_FILTER_LABELS,
                  never_assessed=NEVER_ASSESSED)


routes = [
    Route("/registrations.csv", export_csv, methods=["GET"]),
    Route("/registrations.xlsx", export_xlsx, methods=["GET"]),
    Route("/registrations/export", export_form, methods=["POST"]),
    Route("/exports", show_exports, methods=["GET"]),
]
