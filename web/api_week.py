"""The coordinator's week over the API: the register of schools (`GET|POST /schools`), series
that fit a school year (`POST /programs/{id}/sessions/series`) and the to-do lists (`GET /todo`).
Bulk enrolment is `POST /programs/{id}/enrollments` with `parent_ids` (web/api.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import fields, pre_dump, validate

from application.schedules import schedule_series
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


class SeriesSchema(StrictSchema):
    """A series of sessions: weekly, fortnightly or monthly, skipping a region's holidays if asked."""

    title = fields.String(required=True, validate=TEXT)
    first_starts_at = SchoolDateTime(required=True)
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=MIN_WEEKS, max=MAX_WEEKS))
    cadence = fields.String(load_default="weekly", validate=validate.OneOf(CADENCES))
    skip_holidays = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REGIONS), metadata={
        "description": "a region (noord, midden, zuid): its school holidays and the public holidays are left out, "
                       "the cadence kept",
    })
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


def register_week_api(api: Api) -> None:
    """Add the schools, series and to-do endpoints."""
    api.register_blueprint(week)
