"""The programme page's tables for Dutch Excel, beside the machine-readable CSV: `;` between
fields, Dutch headers, decimal commas, percentages and euros as Excel shows them, ja/nee, a
byte-order mark so Excel reads the UTF-8 names right."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Response
from flask_babel import gettext as _

from application.clock import SCHOOL_TZ
from web.staff import bp
from web.staff.access import requires
from web.staff.downloads import attachment, program_table
from web.staff.present import spreadsheet_safe


def headers() -> dict[str, str]:
    """Each machine column's Dutch (or English) header."""
    return {
        "session_id": _("Bijeenkomst-id"), "title": _("Titel"), "starts_at": _("Begint"), "cancelled": _("Geannuleerd"),
        "present": _("Aanwezig"), "absent": _("Afwezig"), "excused": _("Afgemeld"), "parent_id": _("Ouder-id"),
        "name": _("Naam"), "sessions_held": _("Bijeenkomsten gehouden"), "attended": _("Keer aanwezig"),
        "attendance_rate": _("Aanwezigheid"), "homework_assigned": _("Huiswerk opgegeven"),
        "homework_completed": _("Huiswerk gedaan"), "homework_rate": _("Huiswerk"), "completed": _("Afgerond"),
        "sessions_cents": _("Voor bijeenkomsten (€)"), "homework_cents": _("Voor huiswerk (€)"),
        "assessment_cents": _("Voor toetsen (€)"), "earned_cents": _("Verdiend (€)"), "paid_cents": _("Betaald (€)"),
        "outstanding_cents": _("Openstaand (€)"), "eligible": _("Uit te betalen"),
    }


def excel_value(column: str, value: Any) -> Any:
    """A value as Dutch Excel reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if column.endswith("_rate"):
        return f"{float(value) * 100:.1f}%".replace(".", ",")
    if column.endswith("_cents"):
        return f"{int(value) / 100:.2f}".replace(".", ",")
    if column == "starts_at":
        return datetime.fromisoformat(str(value)).astimezone(SCHOOL_TZ).strftime("%d-%m-%Y %H:%M")
    return spreadsheet_safe(value) if isinstance(value, str) else value


@bp.get("/programs/<uuid:program_id>/<any(sessions, parents, completion, rewards):table>-excel.csv")
@requires("figures")
def program_excel_csv(program_id: UUID, table: str) -> Response:
    """One of the programme page's tables for Dutch Excel."""
    columns, rows = program_table(program_id, table)
    names = headers()
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([names.get(c, c) for c in columns])
    for row in rows:
        writer.writerow([excel_value(c, v) for c, v in zip(columns, row)])
    return attachment("\ufeff" + buf.getvalue(), "text/csv", f"programma-{str(program_id)[:8]}-{table}-excel.csv")
