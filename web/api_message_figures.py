"""Messages per parent per week, for analysts too: `GET /api/v1/messages/weeks` (JSON, or CSV
with `?format=csv`), counts and purposes only, pseudonymous ids, the caller's schools."""

from __future__ import annotations

from typing import Any

from flask_smorest import Api, Blueprint
from marshmallow import fields, validate

from projections import messages as message_view
from web.api_projections import CSV, csv_response
from web.auth import current_actor, requires, system
from web.schemas import ReadModelSchema, StrictSchema, brin

PREFIX = "/api/v1"
figures = Blueprint("api_message_figures", __name__, url_prefix=PREFIX, description="Messages per parent per week")


class WeekQuerySchema(StrictSchema):
    """JSON by default, `?format=csv` for a spreadsheet; `school` narrows to one of the caller's schools."""

    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
    school = fields.String(load_default=None, validate=brin)


class MessageWeekSchema(ReadModelSchema):
    """One parent's messages in one ISO week (Dutch time) with one purpose (docs/projections.md)."""

    parent_id = fields.String()
    school = fields.String()
    week = fields.String(metadata={"description": "ISO week, e.g. 2026-W49"})
    purpose = fields.String()
    written = fields.Integer()
    sent = fields.Integer()
    suppressed = fields.Integer()
    failed = fields.Integer()


@figures.route("/messages/weeks", methods=["GET"])
@requires("figures")
@figures.arguments(WeekQuerySchema, location="query")
@figures.response(200, MessageWeekSchema(many=True))
@figures.alt_response(200, schema=CSV, content_type="text/csv", success=True)
def get_message_weeks(query: dict[str, Any]) -> Any:
    """Messages per parent, week and purpose (written, sent, suppressed, failed), pseudonymous."""
    projections, schools = system().projections, current_actor().schools
    if query["school"] is not None:
        schools = frozenset({query["school"]} & schools) if schools is not None else frozenset({query["school"]})
    projections.catch_up()
    rows = message_view.weeks(projections.db, schools)
    if query["format"] == "csv":
        return csv_response(MessageWeekSchema(), rows, "message-weeks")
    return rows


def register_message_figures_api(api: Api) -> None:
    """Add the weekly message figures."""
    api.register_blueprint(figures)
