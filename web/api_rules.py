"""Rules that change mid-year over the API: `POST /programs/{id}/rules` (admins) replaces a
programme's completion rule and/or reward scheme from a date on; `GET /programs/{id}/rules`
answers the history of its rules and those in force (docs/rules.md, "Rules that change mid-year")."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import ValidationError, fields, validates_schema

from application.rule_changes import change_of, change_rules, rules
from web.api import service
from web.auth import current_actor, requires
from web.schemas import TEXT, CompletionSchema, RewardsSchema, StrictSchema

PREFIX = "/api/v1"

rule_changes = Blueprint(
    "api_rules", __name__, url_prefix=PREFIX, description="Rules that change mid-year: completion rule, reward scheme",
)


class RuleChangeSchema(StrictSchema):
    """New rules from a date on: values left out are those in force on that date."""

    effective_from = fields.Date(required=True, metadata={"description": "the first day the new rules apply to"})
    completion = fields.Nested(CompletionSchema, load_default=None, allow_none=True)
    rewards = fields.Nested(RewardsSchema, load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=TEXT)

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("completion") and not data.get("rewards"):
            raise ValidationError("name a completion rule or a reward scheme (or both) to change")


class RecordedChangeSchema(StrictSchema):
    """A change as recorded: from when, the new rules (null: that part unchanged), why and by whom."""

    effective_from = fields.Date()
    completion = fields.Dict(allow_none=True)
    rewards = fields.Dict(allow_none=True)
    reason = fields.String()
    actor = fields.String()


class RulesSetSchema(StrictSchema):
    """A completion rule and a reward scheme."""

    completion = fields.Dict()
    rewards = fields.Dict()


class RulesInForceSchema(RulesSetSchema):
    """The rules in force on a day."""

    on = fields.Date()


class RulesHistorySchema(StrictSchema):
    """The rules a programme was created with, each change in the order recorded, and those in force today."""

    created = fields.Nested(RulesSetSchema)
    changes = fields.List(fields.Nested(RecordedChangeSchema))
    in_force = fields.Nested(RulesInForceSchema)


class RulesQuerySchema(StrictSchema):
    """The day to show the rules in force on (today in the Netherlands when left out)."""

    on = fields.Date(load_default=None)


@rule_changes.route("/programs/<uuid:program_id>/rules", methods=["POST"])
@requires("rules")
@rule_changes.arguments(RuleChangeSchema)
@rule_changes.response(201, RecordedChangeSchema)
def change_program_rules(data: dict[str, Any], program_id: UUID) -> dict[str, Any]:
    """Change a programme's completion rule and/or reward scheme from a date on (admins); 409
    `trial_rules_fixed` in a trial, `program_closed` when closed, `rules_unchanged` when nothing changes."""
    return change_of(change_rules(service(), program_id, actor=current_actor(), **data))


@rule_changes.route("/programs/<uuid:program_id>/rules", methods=["GET"])
@requires("figures")
@rule_changes.arguments(RulesQuerySchema, location="query")
@rule_changes.response(200, RulesHistorySchema)
def get_program_rules(query: dict[str, Any], program_id: UUID) -> dict[str, Any]:
    """The history of a programme's rules and those in force (today, or `?on=DATE`)."""
    return rules(service(), program_id, current_actor(), query["on"])


def register_rules_api(api: Api) -> None:
    """Add the endpoints for rules that change mid-year."""
    api.register_blueprint(rule_changes)
