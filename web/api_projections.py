"""The projection endpoints: attendance, completion and rewards of a programme, as JSON or CSV.

Each read first lets the projections catch up with everything stored when the request came
in, so a read that follows a successful command includes it (read your writes)."""

from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, TypeVar
from uuid import UUID

from flask import Response
from flask_smorest import Api, Blueprint
from marshmallow import Schema

from web.auth import current_actor, requires, system
from web.schemas import (
    AttendanceParentSchema, AttendanceSchema, AttendanceSessionSchema, CompletionRowSchema,
    ProjectionQuerySchema, RewardsRowSchema,
)

F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "/api/v1"
CSV = {"type": "string", "description": "with ?format=csv: the rows as CSV, a header line first"}
projections = Blueprint(
    "api_projections", __name__, url_prefix=PREFIX,
    description="Read models: attendance, completion and rewards (JSON, or CSV with ?format=csv)",
)


def in_scope(program_id: UUID) -> None:
    """404 for a programme that does not exist or lies outside the user's schools."""
    system().service.program(program_id, current_actor())


def csv_response(schema: Schema, rows: Iterable[dict[str, Any]], name: str) -> Response:
    """Rows as a CSV download, columns in the schema's order; empty cells for null."""
    columns = list(schema.fields)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in schema.dump(rows, many=True):
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return Response(
        buf.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def read_model(view: str, schema: Schema) -> Callable[[F], F]:
    """Route `GET /programs/{id}/<view>` for everyone holding "figures": `?format=json|csv`, the
    schema documenting the JSON, a CSV download documented beside it."""

    def decorate(read: F) -> F:
        read = projections.alt_response(200, schema=CSV, content_type="text/csv", success=True)(read)
        read = projections.response(200, schema)(read)
        read = projections.arguments(ProjectionQuerySchema, location="query")(read)
        read = requires("figures")(read)
        return projections.route(f"/programs/<uuid:program_id>/{view}", methods=["GET"])(read)

    return decorate


@read_model("attendance", AttendanceSchema())
def get_program_attendance(query: dict[str, str], program_id: UUID) -> Any:
    """Attendance per session and per parent (`?format=csv&table=sessions|parents`)."""
    in_scope(program_id)
    result = system().projections.attendance(program_id)
    if query["format"] == "csv":
        schema = AttendanceSessionSchema() if query["table"] == "sessions" else AttendanceParentSchema()
        return csv_response(schema, result[query["table"]], f"attendance-{query['table']}-{program_id}")
    return result


@read_model("completion", CompletionRowSchema(many=True))
def get_program_completion(query: dict[str, str], program_id: UUID) -> Any:
    """Per parent: rates and whether they completed the programme."""
    return per_parent(query, program_id, "completion", CompletionRowSchema())


@read_model("rewards", RewardsRowSchema(many=True))
def get_program_rewards(query: dict[str, str], program_id: UUID) -> Any:
    """Per parent: earned, paid and outstanding cents, and whether a payout is due."""
    return per_parent(query, program_id, "rewards", RewardsRowSchema())


def per_parent(query: dict[str, str], program_id: UUID, view: str, schema: Schema) -> Any:
    """A per-parent read model of a programme in scope, as rows (JSON) or a CSV download."""
    in_scope(program_id)
    rows = getattr(system().projections, view)(program_id)
    if query["format"] == "csv":
        return csv_response(schema, rows, f"{view}-{program_id}")
    return rows


def register_projection_api(api: Api) -> None:
    """Add the projection endpoints."""
    api.register_blueprint(projections)
