"""The coordinator's week over the API: the register of schools (`GET|POST /schools`), series
that fit a school year (`POST /programs/{id}/sessions/series`) and the to-do lists (`GET /todo`).
Bulk enrolment is `POST /programs/{id}/enrollments` with `parent_ids` (web/api.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from application.clock import SCHOOL_TZ
from application.schedules import extend_series, move_session, schedule_series
from application.schools import register_school, schools
from domain.limits import BRIN_PATTERN, CADENCES, MAX_WEEKS, MIN_WEEKS, REGIONS
from domain.school import School
from domain.session import Session
from web.auth import current_actor, requires, system
from web.schemas import TEXT, SchoolDateTime, SessionSchema, StrictSchema, brin

PREFIX = "/api/v1"

week = Blueprint("api_week", __name__, url_prefix=PREFIX, description="The coordinator's week: schools, schedules")


class SchoolSchema(StrictSchema):
    """A school in the register: BRIN code, name, and the region whose school holidays it follows."""

    brin = fields.String(required=True, validate=brin, metadata={"pattern": BRIN_PATTERN})
    name = fields.String(required=True, validate=TEXT)
    region = fields.String(required=True, validate=validate.OneOf(REGIONS))

    @pre_dump
    def from_aggregate(self, s: School, **_: Any) -> dict[str, Any]:
        return {"brin": s.brin, "name": s.name, "region": s.region}


class CadenceSchema(StrictSchema):
    """How many sessions, how often, and whether a region's closed days are skipped."""

    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=MIN_WEEKS, max=MAX_WEEKS))
    cadence = fields.String(load_default="weekly", validate=validate.OneOf(CADENCES))
    skip_holidays = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REGIONS), metadata={
        "description": "a region (noord, midden, zuid): its school holidays and the public holidays are left out, "
                       "the cadence kept",
    })


class SeriesSchema(CadenceSchema):
    """A series of sessions: weekly, fortnightly or monthly, skipping a region's holidays if asked."""

    title = fields.String(required=True, validate=TEXT)
    first_starts_at = SchoolDateTime(required=True)
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    homework = fields.String(load_default=None, allow_none=True, validate=TEXT)


@week.route("/schools", methods=["GET"])
@requires("figures")
@week.response(200, SchoolSchema(many=True))
def list_schools() -> list[School]:
    """The registered schools the user works for (every one for an admin)."""
    return schools(system().service, current_actor())


@week.route("/schools", methods=["POST"])
@requires("schools")
@week.arguments(SchoolSchema)
@week.response(201, SchoolSchema)
def add_school(data: dict[str, Any]) -> School:
    """Add a school to the register (admins); a BRIN code already registered: 409."""
    return register_school(system().service, actor=current_actor(), **data)


@week.route("/programs/<uuid:program_id>/sessions/series", methods=["POST"])
@requires("run")
@week.arguments(SeriesSchema)
@week.response(201, SessionSchema(many=True))
def schedule_session_series(data: dict[str, Any], program_id: UUID) -> list[Session]:
    """Schedule `count` sessions on a cadence; with `skip_holidays` the region's closed days are left out."""
    return schedule_series(system().service, program_id, actor=current_actor(), **data)


class TodoLineSchema(Schema):
    """One line of a to-do list: what it is about (pseudonymous ids) and since when."""

    class Meta:
        ordered = True

    school = fields.String()
    program_id = fields.String()
    session_id = fields.String(metadata={"description": "missing_roll_calls: the session to take the roll call of"})
    starts_at = fields.String(metadata={"description": "missing_roll_calls: the session's start"})
    parent_id = fields.String()
    absences = fields.Integer(metadata={"description": "consecutive_absences: unexcused absences in a row"})
    since = fields.String(allow_none=True, metadata={"description": "the date the row, or the unpaid earning, began"})
    first_session_id = fields.String(allow_none=True)
    last_visit = fields.String(allow_none=True, metadata={"description": "overdue_home_visits: the last visit (present)"})
    days = fields.Integer(metadata={"description": "overdue_home_visits: days since the last visit or the enrolment"})
    outstanding_cents = fields.Integer()
    message_id = fields.String(metadata={"description": "failed_messages: the message"})
    purpose = fields.String(metadata={"description": "failed_messages: the message's purpose"})
    channel = fields.String(metadata={"description": "failed_messages: e-mail or sms"})
    queued_at = fields.String(metadata={"description": "failed_messages: when it was written"})
    reason = fields.String(allow_none=True)


class TodoSchema(Schema):
    """The coordinator's to-do lists for the user's schools, each from a projection."""

    class Meta:
        ordered = True

    missing_roll_calls = fields.List(fields.Nested(TodoLineSchema))
    consecutive_absences = fields.List(fields.Nested(TodoLineSchema))
    overdue_home_visits = fields.List(fields.Nested(TodoLineSchema))
    outstanding_payouts = fields.List(fields.Nested(TodoLineSchema))
    failed_messages = fields.List(fields.Nested(TodoLineSchema))


@week.route("/todo", methods=["GET"])
@requires("records")
@week.response(200, TodoSchema)
def get_todo() -> dict[str, Any]:
    """What needs doing at the user's schools: roll calls, absences, home visits, payouts, messages."""
    return system().projections.todo(current_actor().schools, datetime.now(SCHOOL_TZ))


class ExtensionSchema(CadenceSchema):
    """More sessions after a series' last one, on a cadence, skipping a region's holidays if asked."""


class MoveSchema(StrictSchema):
    """The session's new start."""

    starts_at = SchoolDateTime(required=True)


@week.route("/sessions/<uuid:session_id>/series-extension", methods=["POST"])
@requires("run")
@week.arguments(ExtensionSchema)
@week.response(201, SessionSchema(many=True))
def extend_session_series(data: dict[str, Any], session_id: UUID) -> list[Session]:
    """Extend a series after this (its last) session: `count` more, numbered on, same time and place."""
    return extend_series(system().service, session_id, actor=current_actor(), **data)


@week.route("/sessions/<uuid:session_id>/move", methods=["POST"])
@requires("run")
@week.arguments(MoveSchema)
@week.response(200, SessionSchema)
def move_one_session(data: dict[str, Any], session_id: UUID) -> Session:
    """Move one session that has no roll call yet; with a roll call: 409 `session_held`."""
    return move_session(system().service, session_id, actor=current_actor(), **data)


def register_week_api(api: Api) -> None:
    """Add the schools, series and to-do endpoints."""
    api.register_blueprint(week)
