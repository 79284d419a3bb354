"""Access (AVG art. 15) and the read log over the API: `GET /parents/{id}/access-report` (admins:
everything held about one parent, as JSON; producing it is recorded) and `GET /audit/reads`
(auditors and admins: who read which parent's personal data, when and why)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate

from application.parent_file import access_report
from domain.limits import MAX_TEXT
from web.auth import current_actor, requires, system
from web.schemas import LogQuerySchema

PREFIX = "/api/v1"

access = Blueprint("api_access", __name__, url_prefix=PREFIX, description="Access reports and the read log (AVG)")


class AccessReportSchema(Schema):
    """Everything held about one parent: details, children, programmes, attendance, homework,
    assessments, payouts, messages, the history with actors and times, and who read it."""

    parent_id = fields.String()
    produced_at = fields.String()
    produced_by = fields.String()
    school = fields.String()
    details = fields.Dict()
    children = fields.List(fields.Dict())
    programmes = fields.List(fields.Dict())
    attendance = fields.List(fields.Dict())
    homework = fields.List(fields.Dict())
    assessments = fields.List(fields.Dict())
    payouts = fields.List(fields.Dict())
    messages = fields.List(fields.Dict())
    history = fields.List(fields.Dict(), metadata={"description": "every recorded fact naming the parent"})
    reads = fields.List(fields.Dict(), metadata={"description": "who read the parent's personal data"})


class ReadsQuerySchema(LogQuerySchema):
    """Whose reads (a parent's, a user's, or both), from where, how many."""

    parent_id = fields.UUID()
    user = fields.String(validate=[validate.Length(min=1, max=MAX_TEXT), validate.Regexp(r"^[^\x00]*$")])


class ReadSchema(Schema):
    """One read of a parent's personal data (after the Logboek Dataverwerkingen fields)."""

    position = fields.Integer()
    at = fields.String(metadata={"description": "when, UTC"})
    user = fields.String(attribute="user_name")
    role = fields.String()
    parent_id = fields.String()
    school = fields.String()
    channel = fields.String(metadata={"description": "api, ui, cli or export"})
    activity = fields.String(metadata={"description": "the processing activity: the route or command"})
    purpose = fields.String()
    trace_id = fields.String()
    status = fields.String()
    hash = fields.String(metadata={"description": "this row's link in the read log's own hash chain"})


class ReadsPageSchema(Schema):
    """A page of reads, oldest first; continue with `after=next` (null at the end)."""

    items = fields.List(fields.Nested(ReadSchema))
    next = fields.Integer(allow_none=True)


def reads_of(parent_id: UUID) -> list[dict[str, Any]]:
    """Every logged read of the parent (for the access report)."""
    log = system().reads
    return ReadSchema(many=True).dump(log.find(parent_id=parent_id, limit=100_000)) if log else []


@access.route("/parents/<uuid:parent_id>/access-report", methods=["GET"])
@requires("access")
@access.response(200, AccessReportSchema)
def get_access_report(parent_id: UUID) -> dict[str, Any]:
    """Everything held about a parent (AVG art. 15); producing it is recorded in their history."""
    return access_report(system().service, parent_id, reads=reads_of, actor=current_actor())


@access.route("/audit/reads", methods=["GET"])
@requires("audit")
@access.arguments(ReadsQuerySchema, location="query")
@access.response(200, ReadsPageSchema)
def get_reads(query: dict[str, Any]) -> dict[str, Any]:
    """Who read which parent's personal data, when and why (of the caller's schools), oldest first."""
    log = system().reads
    limit = query["limit"]
    found = log.find(parent_id=query.get("parent_id"), user=query.get("user"), schools=current_actor().schools,
                     after=query["after"], limit=limit) if log else []
    return {"items": found, "next": found[-1].position if len(found) == limit else None}


def register_access_api(api: Api) -> None:
    """Add the access report and the read log."""
    api.register_blueprint(access)
