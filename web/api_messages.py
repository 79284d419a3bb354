"""Messages to parents over the API: `POST /api/v1/messages` (to parents by id or a programme's
parents), `POST /api/v1/messages/preview` (what the weekly cap and opt-outs would hold back,
nothing recorded), `GET /api/v1/parents/{id}/messages`, and a parent's opt-outs per channel.

Each parent's message is decided by their mailbox (domain/message.py): queued (it leaves at once,
or at 08:00 after quiet hours) or suppressed with a reason (`weekly_cap`, `opted_out`, `erased`,
`withdrawn`). `betrokken messages send-due` (and `serve`) delivers the queued ones."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app
from flask_smorest import Api, Blueprint
from marshmallow import ValidationError, fields, post_dump, validate, validates, validates_schema

from application.campaigns import ReadingCampaign, plan_reading_campaign
from application.messages import Draft, Messages, Outcome
from domain.campaign import MAX_REMINDERS
from domain.errors import InvalidMessageError
from domain.limits import MAX_MESSAGE_TEXT, MAX_RECIPIENTS, MAX_SHORT_TEXT
from domain.message import CHANNELS, DELIVERY_MODES, PURPOSES, Message, check_template
from web.auth import current_actor, requires, system
from web.schemas import SHORT_TEXT, TEXT, StrictSchema

PREFIX = "/api/v1"
EXTENSION = "betrokken_messages"

messages_api = Blueprint("api_messages", __name__, url_prefix=PREFIX, description="Messages to parents")


def messages() -> Messages:
    """The messages service (a test may put one with its own clock in the app's extensions)."""
    found = current_app.extensions.get(EXTENSION)
    return found if found is not None else Messages(system().service)


def template(value: str) -> None:
    """Only {naam}, {datum} and {plaats} may be filled in (a 422 naming the field)."""
    try:
        check_template(value)
    except InvalidMessageError as e:
        raise ValidationError(e.message) from None


MESSAGE_TEXT = validate.Length(min=1, max=MAX_MESSAGE_TEXT)


class NewMessageSchema(StrictSchema):
    """A message to parents: by id, or every parent of a programme (withdrawn ones are suppressed)."""

    parent_ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=MAX_RECIPIENTS))
    program_id = fields.UUID()
    purpose = fields.String(required=True, validate=validate.OneOf(PURPOSES))
    text = fields.String(required=True, validate=[MESSAGE_TEXT, template], metadata={
        "description": "the Dutch template (also the fallback); {naam}, {datum} and {plaats} are filled in per parent",
    })
    translations = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=MAX_SHORT_TEXT)),
        values=fields.String(validate=[MESSAGE_TEXT, template]), load_default=dict,
        metadata={"description": "the template per home language (e.g. {\"tr\": \"...\"}); the parent's language first"},
    )
    date = fields.Date(load_default=None, metadata={"description": "what {datum} stands for (written out in the parent's language)"})
    place = fields.String(load_default=None, validate=TEXT, metadata={"description": "what {plaats} stands for"})
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS), metadata={
        "description": "only this channel; omitted: e-mail, else a text message",
    })

    @validates("translations")
    def _languages(self, value: dict[str, str], **_: Any) -> None:
        if len(value) > 20:
            raise ValidationError("at most 20 languages")

    @validates_schema
    def _addressed(self, data: dict[str, Any], **_: Any) -> None:
        if ("parent_ids" in data) == ("program_id" in data):
            raise ValidationError("give either parent_ids or program_id", field_name="parent_ids")


class SuppressedSchema(StrictSchema):
    """A parent the message was not sent to, and why."""

    parent_id = fields.UUID()
    reason = fields.String(metadata={"description": "weekly_cap, opted_out, erased or withdrawn"})


class WrittenSchema(StrictSchema):
    """A message's own id for one parent."""

    parent_id = fields.UUID()
    message_id = fields.UUID()


class OutcomeSchema(StrictSchema):
    """Who the message was queued for, and who it was suppressed for (with the reason)."""

    queued = fields.List(fields.UUID())
    suppressed = fields.List(fields.Nested(SuppressedSchema))
    messages = fields.List(fields.Nested(WrittenSchema), metadata={"description": "each parent's message id (not in a preview)"})


class MessageSchema(StrictSchema):
    """One message to a parent and where it stands (`reason` and `sent_at` only when there is one)."""

    id = fields.UUID()
    purpose = fields.String()
    status = fields.String(metadata={"description": "queued, sent, suppressed or failed (being sent reads queued)"})
    reason = fields.String()
    channel = fields.String(allow_none=True)
    queued_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True, metadata={"description": "when it leaves (08:00 after quiet hours)"})
    sent_at = fields.DateTime()
    text = fields.String(metadata={"description": "as the parent reads it; \"gewist\" after an erasure"})
    digest = fields.Boolean(metadata={"description": "part of the weekly digest (Monday 08:00)"})

    @post_dump
    def _without_empty(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # The published statuses are queued, sent, suppressed and failed: a message in a sender's
        # hands, its outcome not yet recorded, is still `queued` to the reader.
        if data.get("status") == "sending":
            data["status"] = "queued"
        return {k: v for k, v in data.items() if v is not None or k in ("channel", "due_at")}


class PreferencesSchema(StrictSchema):
    """The channels on which a parent wants no messages, and each message or a weekly digest."""

    opted_out = fields.List(fields.String(validate=validate.OneOf(CHANNELS)),
                            validate=validate.Length(max=len(CHANNELS)),
                            metadata={"description": "exactly these channels are opted out of (omitted: unchanged)"})
    delivery = fields.String(validate=validate.OneOf(DELIVERY_MODES), metadata={
        "description": "each: every message as written; digest: one e-mail on Monday 08:00 (counts as one towards the cap)",
    })


def present(outcome: Outcome, *, preview: bool = False) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "queued": outcome.queued,
        "suppressed": [{"parent_id": p, "reason": r} for p, r in outcome.suppressed],
    }
    if not preview:
        answer["messages"] = [{"parent_id": p, "message_id": m} for p, m in outcome.message_ids.items()]
    return answer


def written(data: dict[str, Any], *, preview: bool = False) -> dict[str, Any]:
    """Write the message (or only say what writing it would do), as the answer shows it."""
    draft = Draft(purpose=data["purpose"], text=data["text"], translations=data["translations"],
                  on=data["date"], place=data["place"], channel=data["channel"])
    outcome = messages().write(draft, parent_ids=data.get("parent_ids", []), program_id=data.get("program_id"),
                               actor=current_actor(), preview=preview)
    return present(outcome, preview=preview)


@messages_api.route("/messages", methods=["POST"])
@requires("run")
@messages_api.arguments(NewMessageSchema)
@messages_api.response(201, OutcomeSchema)
def write_message(data: dict[str, Any]) -> dict[str, Any]:
    """Write to parents: queued per parent, or suppressed with the reason (weekly cap, opt-out, ...)."""
    return written(data)


@messages_api.route("/messages/preview", methods=["POST"])
@requires("run")
@messages_api.arguments(NewMessageSchema)
@messages_api.response(200, OutcomeSchema)
def preview_message(data: dict[str, Any]) -> dict[str, Any]:
    """What writing this message would do (who the cap or an opt-out holds back); records nothing."""
    return written(data, preview=True)


@messages_api.route("/parents/<uuid:parent_id>/messages", methods=["GET"])
@requires("records")
@messages_api.response(200, MessageSchema(many=True))
def list_messages(parent_id: UUID) -> list[Message]:
    """The parent's messages, newest first."""
    return messages().of_parent(parent_id, current_actor())


@messages_api.route("/parents/<uuid:parent_id>/message-preferences", methods=["GET"])
@requires("records")
@messages_api.response(200, PreferencesSchema)
def get_preferences(parent_id: UUID) -> dict[str, Any]:
    """The channels on which the parent wants no messages."""
    service, actor = messages(), current_actor()
    return {"opted_out": sorted(service.opted_out(parent_id, actor)), "delivery": service.delivery(parent_id, actor)}


@messages_api.route("/parents/<uuid:parent_id>/message-preferences", methods=["PUT"])
@requires("run")
@messages_api.arguments(PreferencesSchema)
@messages_api.response(200, PreferencesSchema)
def put_preferences(data: dict[str, Any], parent_id: UUID) -> dict[str, Any]:
    """Record the parent's opt-outs (exactly the channels listed; an empty list: every channel
    again) and their choice of each message or a weekly digest."""
    service, actor = messages(), current_actor()
    if "opted_out" in data:
        for channel in CHANNELS:
            service.set_opt_out(parent_id, channel, channel in data["opted_out"], actor=actor)
    if "delivery" in data:
        service.choose_delivery(parent_id, data["delivery"], actor=actor)
    return {"opted_out": sorted(service.opted_out(parent_id, actor)), "delivery": service.delivery(parent_id, actor)}


class ReminderSchema(StrictSchema):
    """A reminder during the holiday: its day and its text (a template)."""

    on = fields.Date(required=True)
    text = fields.String(required=True, validate=[MESSAGE_TEXT, template])


class CampaignSchema(StrictSchema):
    """A holiday reading campaign: the reading list before the holiday, up to two reminders during it."""

    reading_list = fields.String(required=True, validate=[MESSAGE_TEXT, template], metadata={
        "description": "the reading list as a template ({naam}, {datum}, {plaats})",
    })
    send_on = fields.Date(required=True, metadata={"description": "the day the reading list leaves (10:00)"})
    reminders = fields.List(fields.Nested(ReminderSchema), load_default=list,
                            validate=validate.Length(max=MAX_REMINDERS))


class PlannedReminderSchema(OutcomeSchema):
    """A reminder's day, and who it was queued or suppressed for."""

    on = fields.Date()


class PlannedSchema(StrictSchema):
    """Who will get the reading list and each reminder, and who not (with the reason)."""

    reading_list = fields.Nested(OutcomeSchema)
    reminders = fields.List(fields.Nested(PlannedReminderSchema))


@messages_api.route("/programs/<uuid:program_id>/reading-campaign", methods=["POST"])
@requires("run")
@messages_api.arguments(CampaignSchema)
@messages_api.response(201, PlannedSchema)
def plan_campaign(data: dict[str, Any], program_id: UUID) -> dict[str, Any]:
    """Plan a holiday reading campaign for the programme's parents, within the weekly cap."""
    campaign = ReadingCampaign(data["reading_list"], data["send_on"], [(r["on"], r["text"]) for r in data["reminders"]])
    planned = plan_reading_campaign(messages(), program_id, campaign, actor=current_actor())
    return {
        "reading_list": present(planned.reading_list),
        "reminders": [{"on": day, **present(outcome)} for day, outcome in planned.reminders],
    }


def register_messages_api(api: Api) -> None:
    """Add the messages endpoints."""
    api.register_blueprint(messages_api)
