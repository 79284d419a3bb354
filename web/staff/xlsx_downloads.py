"""The programme page's tables as an Excel workbook (.xlsx, written by openpyxl), beside the
machine-readable CSV and the `;` CSV: real numbers, percentages, euros and dates in cells that
Dutch Excel formats itself (no decimal comma to guess), Dutch headers, text never a formula."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from application.clock import SCHOOL_TZ
from web.staff import bp
from web.staff.access import requires
from web.staff.downloads import attachment, program_table
from web.staff.excel_downloads import headers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.0%"
EURO = '"€" #,##0.00'
MOMENT = "dd-mm-yyyy hh:mm"


def fill(cell: Cell, column: str, value: Any) -> None:
    """Put a value in a cell as Excel should hold it: a number with its format, or plain text."""
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = _("ja") if value else _("nee")
    elif column.endswith("_rate"):
        cell.value, cell.number_format = float(value), PERCENT
    elif column.endswith("_cents"):
        cell.value, cell.number_format = int(value) / 100, EURO
    elif column == "starts_at":  # Excel has no time zones: the school's wall clock
        moment = datetime.fromisoformat(str(value)).astimezone(SCHOOL_TZ).replace(tzinfo=None)
        cell.value, cell.number_format = moment, MOMENT
    elif isinstance(value, (int, float)):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"  # openpyxl would store "=..." as a formula; a name is never run


def workbook(title: str, columns: list[str], rows: list[list[Any]]) -> bytes:
    """One sheet: a bold header row of Dutch names, then the rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = title[:31]  # Excel's limit for a sheet's name
    names = headers()
    sheet.append([names.get(c, c) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, (column, value) in enumerate(zip(columns, row), start=1):
            cell = sheet.cell(row=r, column=c)
            assert isinstance(cell, Cell)  # a fresh sheet has no merged cells
            fill(cell, column, value)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@bp.get("/programs/<uuid:program_id>/<any(sessions, parents, completion, rewards):table>.xlsx")
@requires("figures")
def program_xlsx(program_id: UUID, table: str) -> Response:
    """One of the programme page's tables as an Excel workbook."""
    columns, rows = program_table(program_id, table)
    return attachment(workbook(table, columns, rows), XLSX, f"programma-{str(program_id)[:8]}-{table}.xlsx")
