"""The auditors' history endpoints: an aggregate's recorded facts, and its state at a version or
a moment. Reads through application/history.py, scoped to the user's schools (404 outside)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from application.history import History
from domain.limits import MAX_POSITION
from web.auth import current_actor, requires, system
from web.schemas import StrictSchema

PREFIX = "/api/v1"
history = Blueprint("api_audit_history", __name__, url_prefix=PREFIX, description="An aggregate's history (auditors)")


class HistoryEventSchema(Schema):
    """One recorded fact: version, event type, when, who, and the event's own data."""

    version = fields.Integer()
    type = fields.String()
    timestamp = fields.String(metadata={"format": "date-time"})
    actor = fields.String(allow_none=True)
    data = fields.Dict()


class HistorySchema(Schema):
    """Every fact recorded about one aggregate, oldest first."""

    aggregate_id = fields.String(metadata={"format": "uuid"})
    events = fields.List(fields.Nested(HistoryEventSchema))


class StateQuerySchema(StrictSchema):
    """A version (1 = as created), or a moment (ISO 8601; without an offset: Dutch time); neither: now."""

    version = fields.Integer(validate=validate.Range(min=1, max=MAX_POSITION))  # more: SQLite's INTEGER overflows
    as_of = fields.DateTime()

    @validates_schema
    def one_of(self, data: dict[str, Any], **_: Any) -> None:
        if "version" in data and "as_of" in data:
            raise ValidationError("give version or as_of, not both", field_name="as_of")


class StateSchema(Schema):
    """An aggregate's attributes as they were at that version."""

    aggregate_id = fields.String(metadata={"format": "uuid"})
    version = fields.Integer()
    state = fields.Dict()


def _history() -> History:
    return History(system().service)


@history.route("/audit/aggregates/<uuid:aggregate_id>/events", methods=["GET"])
@requires("audit")
@history.response(200, HistorySchema)
def get_aggregate_events(aggregate_id: UUID) -> dict[str, Any]:
    """Every fact recorded about a parent, programme or session, oldest first."""
    return _history().events_of(aggregate_id, current_actor())


@history.route("/audit/aggregates/<uuid:aggregate_id>/state", methods=["GET"])
@requires("audit")
@history.arguments(StateQuerySchema, location="query")
@history.response(200, StateSchema)
def get_aggregate_state(query: dict[str, Any], aggregate_id: UUID) -> dict[str, Any]:
    """The aggregate at `?version=N` or `?as_of=ISO` (the last version recorded by then)."""
    return _history().state_at(aggregate_id, version=query.get("version"), as_of=query.get("as_of"), actor=current_actor())


def register_audit_api(api: Api) -> None:
    """Add the aggregate history and state endpoints."""
    api.register_blueprint(history)
