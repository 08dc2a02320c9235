"""A page's tables of figures (the inventory of problems, progress): shown under its charts, and downloaded as
one XLSX workbook, a sheet per table, recorded like every export."""

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from starlette.requests import Request
from starlette.responses import Response

from dashboard.exports import MEDIA_TYPES, XLSX, XML_ILLEGAL
from dashboard.work import write
from store.logins import Viewer
from store.registry import Registry


@dataclass(frozen=True)
class Table:
    key: str  # the element id of its section, and its sheet's name
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


async def workbook_download(request: Request, viewer: Viewer, what: str, recorded_filter: dict[str, Any],
                            tables: list[Table], filename: str) -> Response:
    """The tables as a workbook, a sheet each, recorded as an export of `what` with the filter chosen."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.key)
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append([_text_cell(sheet, cell) for cell in row])
    content = io.BytesIO()
    workbook.save(content)
    rows = sum(len(table.rows) for table in tables)

    def record(registry: Registry) -> None:
        export_id = registry.exports.start(viewer.officer.id, what, XLSX, recorded_filter, False, None,
                                           scope=viewer.scope)
        registry.exports.finish(export_id, rows, complete=True)

    await write(request, record)
    return Response(content.getvalue(), media_type=MEDIA_TYPES[XLSX],
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A cell that is text whatever it starts with: an owner's "=HYPERLINK(…)" is never a formula."""
    cell = WriteOnlyCell(sheet, XML_ILLEGAL.sub("", value))
    cell.data_type = "s"
    return cell
