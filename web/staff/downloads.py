"""CSV downloads of the programme page's tables, for signed-in users (the API's `?format=csv`
needs a Bearer token, which a browser session does not carry). Same rows as the projections,
plus the parent's name for roles that may see names."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response

from web.staff import bp
from web.staff.access import actor, may, requires
from web.staff.present import ProgramPage, csv_text, program_page

TABLES = ("sessions", "parents", "completion", "rewards")

ATTENDANCE_FIELDS = ["parent_id", "sessions_held", "attended", "excused", "absent", "attendance_rate"]
COMPLETION_FIELDS = ["parent_id", "attended", "attendance_rate", "homework_assigned", "homework_completed", "homework_rate", "completed"]
REWARD_FIELDS = ["parent_id", "sessions_cents", "homework_cents", "assessment_cents", "earned_cents", "paid_cents", "outstanding_cents", "eligible"]


def _table(page: ProgramPage, table: str) -> tuple[list[str], list[list[Any]]]:
    names = page.names_shown
    if table == "sessions":
        header = ["session_id", "title", "starts_at", "cancelled", "present", "absent", "excused"]
        rows = [[r.session.id, r.session.title, r.session.starts_at.isoformat(), r.session.cancelled,
                 r.present, r.absent, r.excused] for r in page.sessions]
        return header, rows
    source, fields = {
        "parents": ("attendance", ATTENDANCE_FIELDS),
        "completion": ("completion", COMPLETION_FIELDS),
        "rewards": ("rewards", REWARD_FIELDS),
    }[table]
    header = ["parent_id"] + (["name"] if names else []) + fields[1:]
    rows = []
    for p in page.parents:
        values = getattr(p, source)
        rows.append([p.parent_id] + ([p.label] if names else []) + [values.get(f) for f in fields[1:]])
    return header, rows


def program_table(program_id: UUID, table: str) -> tuple[list[str], list[list[Any]]]:
    """One of the programme page's tables as the signed-in user may see it: columns and rows."""
    return _table(program_page(program_id, actor(), names=may("records")), table)


def attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A download the browser saves under its name."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/programs/<uuid:program_id>/<any(sessions, parents, completion, rewards):table>.csv")
@requires("figures")
def program_csv(program_id: UUID, table: str) -> Response:
    """One of the programme page's tables as CSV."""
    header, rows = program_table(program_id, table)
    return attachment(csv_text(header, rows), "text/csv", f"programma-{str(program_id)[:8]}-{table}.csv")
