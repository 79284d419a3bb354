"""Erasure (AVG art. 17) over the API: `POST /api/v1/parents/{id}/erasure`, admins only.

A request ends in one of three recorded outcomes (application/privacy.py has the rule):
200 `{outcome: "erased", ...the parent as shown afterwards}`: the parent's key is destroyed, so
their name, contact details, children's names and free text read as "gewist" everywhere, for
good; counts and amounts stay. 202 `{outcome: "held", until, reason}`: the parent is still owed
rewards in a running programme (or the admin set `hold_until`); the sweep erases on that date.
409 `erasure_refused`: the admin refused it (`refuse`: the grounds), recorded all the same.
Put no personal data in the reason: it stays readable in the audit log (write "verzoek van
ouder", not the name)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import fields, post_dump, pre_dump

from application.privacy import ErasureOutcome, request_erasure
from web.auth import current_actor, requires, system
from web.schemas import TEXT, ParentSchema, StrictSchema

PREFIX = "/api/v1"

privacy = Blueprint("api_privacy", __name__, url_prefix=PREFIX, description="Erasure of a parent's personal data (AVG)")


class ErasureSchema(StrictSchema):
    """Why a parent's personal data is erased (kept in the audit log: no personal data in it)."""

    reason = fields.String(required=True, validate=TEXT)
    refuse = fields.String(validate=TEXT, metadata={
        "description": "the admin refuses the request on these grounds (e.g. AVG art. 17(3)(e)): 409, recorded"})
    hold_until = fields.Date(metadata={"description": "the admin holds the request until this date (a later day)"})


class ErasureAnswerSchema(ParentSchema):
    """The outcome of an erasure request; once erased, the parent as shown afterwards."""

    outcome = fields.String(dump_only=True, metadata={"enum": ["erased", "held"]})
    until = fields.Date(dump_only=True, allow_none=True, metadata={"description": "held: the date the sweep erases"})
    reason = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "held: why (outstanding_rewards, or decision when the admin set the date)"})

    @pre_dump
    def from_aggregate(self, o: ErasureOutcome, **_: Any) -> dict[str, Any]:
        shown = super().from_aggregate(o.parent)
        return {"outcome": o.outcome, "until": o.until, "reason": o.reason, **shown}

    @post_dump
    def _held_fields_only_when_held(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in ("until", "reason") or v is not None}


@privacy.route("/parents/<uuid:parent_id>/erasure", methods=["POST"])
@requires("erase")
@privacy.arguments(ErasureSchema)
@privacy.response(200, ErasureAnswerSchema)
@privacy.alt_response(202, schema=ErasureAnswerSchema, description="held until a date")
def erase_parent_data(data: dict[str, Any], parent_id: UUID) -> tuple[ErasureOutcome, int]:
    """Erase a parent's personal data for good (admins), or hold the request until a date."""
    outcome = request_erasure(
        system().service, system().idempotency, parent_id,
        reason=data["reason"], actor=current_actor(), refuse=data.get("refuse"),
        hold_until_date=data.get("hold_until"),
    )
    return outcome, 200 if outcome.outcome == "erased" else 202


def register_privacy_api(api: Api) -> None:
    """Add the erasure endpoint."""
    api.register_blueprint(privacy)
