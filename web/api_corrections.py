"""Corrections over the API (AVG art. 16, rectification), each an event with its actor:
a parent's or child's details, the new school year, an assessment, a payout, a programme's
closure and reopening. The old values stay in the auditors' history; nothing is overwritten."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from domain.errors import NotFoundError
from domain.limits import BRIN_PATTERN, MAX_GROUP, MIN_GROUP
from domain.parent import Assessment, Child, Parent
from web.api import program_view, service
from web.auth import current_actor, requires
from web.schemas import (
    NOT_NEGATIVE, SHORT_TEXT, TEXT, AssessmentSchema, ChildSchema, ParentSchema, PayoutSchema, ProgramSchema,
    ProgramView, StrictSchema, email_address, payout_of,
)

PREFIX = "/api/v1"

corrections = Blueprint(
    "api_corrections", __name__, url_prefix=PREFIX, description="Corrections: details, school year, results, payouts, closure",
)


class NotEmpty(StrictSchema):
    """A correction names at least one field."""

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("name at least one field to correct")


class ParentCorrectionSchema(NotEmpty):
    """A parent's details as they should read (AVG art. 16); only the fields given change."""

    name = fields.String(validate=TEXT)
    phone = fields.String(allow_none=True, validate=SHORT_TEXT)
    email = fields.String(allow_none=True, validate=email_address)
    language = fields.String(allow_none=True, validate=SHORT_TEXT)


class ChildCorrectionSchema(NotEmpty):
    """A child's name or year group as it should read."""

    name = fields.String(validate=TEXT)
    group = fields.Integer(strict=True, validate=validate.Range(min=MIN_GROUP, max=MAX_GROUP))


class SchoolYearSchema(StrictSchema):
    """The date the new school year starts at the school."""

    on = fields.Date(required=True)


class SchoolYearResultSchema(StrictSchema):
    """How many children moved up a group, and how many (groep 8) left."""

    moved_up = fields.Integer()
    left = fields.Integer()


class AssessmentCorrectionSchema(StrictSchema):
    """A result's corrected score or maximum, or its withdrawal, with the reason."""

    score = fields.Float(allow_nan=False, validate=NOT_NEGATIVE)
    max_score = fields.Float(allow_nan=False, validate=validate.Range(min=0, min_inclusive=False))
    withdrawn = fields.Boolean(load_default=False)
    reason = fields.String(required=True, validate=TEXT)


class ReasonSchema(StrictSchema):
    """Why (kept in the history with who did it)."""

    reason = fields.String(required=True, validate=TEXT)


@corrections.route("/parents/<uuid:parent_id>", methods=["PATCH"])
@requires("run")
@corrections.arguments(ParentCorrectionSchema)
@corrections.response(200, ParentSchema)
def correct_parent(data: dict[str, Any], parent_id: UUID) -> Parent:
    """Correct a parent's name, phone, e-mail or language; an erased parent: 409 parent_erased."""
    return service().corrections.correct_parent(parent_id, changes=data, actor=current_actor())


@corrections.route("/parents/<uuid:parent_id>/children/<uuid:child_id>", methods=["PATCH"])
@requires("run")
@corrections.arguments(ChildCorrectionSchema)
@corrections.response(200, ChildSchema)
def correct_child(data: dict[str, Any], parent_id: UUID, child_id: UUID) -> Child:
    """Correct a child's name or year group."""
    return service().corrections.correct_child(parent_id, child_id, actor=current_actor(), **data)


@corrections.route("/schools/<brin>/school-year", methods=["POST"])
@requires("run")
@corrections.arguments(SchoolYearSchema)
@corrections.response(200, SchoolYearResultSchema)
def start_school_year(data: dict[str, Any], brin: str) -> dict[str, int]:
    """The new school year: every child of the school's parents a group up, groep 8 marked left."""
    if re.fullmatch(BRIN_PATTERN, brin) is None:
        raise NotFoundError("school", brin)
    moved, left = service().corrections.start_school_year(brin, on=data["on"], actor=current_actor())
    return {"moved_up": moved, "left": left}


@corrections.route("/parents/<uuid:parent_id>/assessments/<uuid:assessment_id>/correction", methods=["POST"])
@requires("run")
@corrections.arguments(AssessmentCorrectionSchema)
@corrections.response(200, AssessmentSchema)
def correct_assessment(data: dict[str, Any], parent_id: UUID, assessment_id: UUID) -> Assessment:
    """Correct or withdraw a result; the reward figures follow (a withdrawn one stops counting)."""
    return service().corrections.correct_assessment(parent_id, assessment_id, actor=current_actor(), **data)


@corrections.route("/programs/<uuid:program_id>/payouts/<uuid:payout_id>/reversal", methods=["POST"])
@requires("run")
@corrections.arguments(ReasonSchema)
@corrections.response(200, PayoutSchema)
def reverse_payout(data: dict[str, Any], program_id: UUID, payout_id: UUID) -> dict[str, Any]:
    """Reverse a payout recorded by mistake (once: reversing more than was paid is a 409)."""
    return payout_of(program_id, service().corrections.reverse_payout(program_id, payout_id, actor=current_actor(), **data))


@corrections.route("/programs/<uuid:program_id>/closure", methods=["POST"])
@requires("run")
@corrections.arguments(ReasonSchema)
@corrections.response(200, ProgramSchema)
def close_program(data: dict[str, Any], program_id: UUID) -> ProgramView:
    """Close a programme: its figures are final; any later command answers 409 program_closed."""
    return program_view(service().corrections.close_program(program_id, actor=current_actor(), **data))


@corrections.route("/programs/<uuid:program_id>/reopening", methods=["POST"])
@requires("reopen")
@corrections.arguments(ReasonSchema)
@corrections.response(200, ProgramSchema)
def reopen_program(data: dict[str, Any], program_id: UUID) -> ProgramView:
    """Reopen a closed programme (admins), with the reason."""
    return program_view(service().corrections.reopen_program(program_id, actor=current_actor(), **data))


def register_corrections_api(api: Api) -> None:
    """Add the correction endpoints."""
    api.register_blueprint(corrections)
