"""One marshmallow schema per resource: it validates what comes in (unknown fields are refused),
shapes what goes out, and documents both in the OpenAPI document.

Input and output share a schema: `dump_only` fields (ids, state) are never read from a body,
`load_only` fields are never shown. Aggregates are turned into plain dicts in `pre_dump`, so
views return domain objects and never hand-build JSON."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from marshmallow import RAISE, Schema, ValidationError, fields, pre_dump, validate, validates, validates_schema

from application.clock import with_school_offset
from application.audit import LogPage
from domain.limits import (
    ATTENDANCE_STATUSES, BRIN_PATTERN, FIRST_YEAR, LAST_YEAR, MAX_CENTS, MAX_GROUP, MAX_LOG_PAGE, MAX_POSITION,
    MAX_CHILDREN_ROWS, MAX_SESSIONS, MAX_SHORT_TEXT, MAX_BULK_ENROLMENTS, MAX_TEXT, MIN_GROUP, PAYOUT_METHODS, EMAIL_PATTERN, is_email,
)
from domain.parent import DOMAINS, MOMENTS, Parent
from domain.session import Session
from domain.templates import KINDS
from domain.training_program import Payout, TrainingProgram


BRIN_ERROR = "a BRIN code is two digits and two capitals or digits, e.g. 12AB"


def brin(value: str) -> None:
    """The whole text must be a BRIN code (documented as the field's `pattern`; Python's `$` also
    matches before a final newline, so a plain regex match would take a code followed by one)."""
    if re.fullmatch(BRIN_PATTERN, value) is None:
        raise ValidationError(BRIN_ERROR)


RATE = validate.Range(min=0, max=1)
NOT_NEGATIVE = validate.Range(min=0)
TEXT = validate.Length(min=1, max=MAX_TEXT)
SHORT_TEXT = validate.Length(max=MAX_SHORT_TEXT)
CENTS = validate.Range(min=0, max=MAX_CENTS)
COUNT = validate.Range(min=0, max=MAX_SESSIONS)
POSITION = validate.Range(min=0, max=MAX_POSITION)


def email_address(value: str) -> None:
    """The API's e-mail check (a 422 with the field's message)."""
    if not is_email(value):
        raise ValidationError("Not a valid email address.")


class SchoolDateTime(fields.DateTime):
    """An ISO 8601 moment; without an offset it is Dutch local time. Always shown with its offset."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.datetime:
        moment = with_school_offset(super()._deserialize(value, attr, data, **kwargs))
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # the domain's bound, as a 422 here
            raise ValidationError(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}")
        return moment


class StrictSchema(Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = RAISE
        ordered = True


# -- parents ---------------------------------------------------------------------------------


class ChildSchema(StrictSchema):
    """A child in a primary-school year group (groep 1..8)."""

    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=TEXT)
    group = fields.Integer(required=True, strict=True, validate=validate.Range(min=MIN_GROUP, max=MAX_GROUP))
    left_on = fields.Date(dump_only=True, allow_none=True, metadata={"description": "when the child left the school"})


class AssessmentSchema(StrictSchema):
    """A child's (tussen)toets result within a programme."""

    id = fields.UUID(dump_only=True)
    program_id = fields.UUID(required=True)
    child_id = fields.UUID(required=True)
    name = fields.String(required=True, validate=TEXT)
    score = fields.Float(required=True, allow_nan=False, validate=NOT_NEGATIVE)
    max_score = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, min_inclusive=False),
                             metadata={"exclusiveMinimum": True})  # apispec leaves the exclusivity out
    taken_on = fields.Date(required=True)
    withdrawn = fields.Boolean(dump_only=True, metadata={"description": "withdrawn by a correction: no longer counts"})
    instrument = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                               metadata={"description": "what the test measures with, e.g. cito_lezen, sdq"})
    domain = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DOMAINS))
    moment = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MOMENTS),
                           metadata={"description": "baseline, interim or post; null: unknown (recorded before)"})

    @validates_schema
    def _score_within_max(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A score above the maximum is bad input (422); the domain refuses it too (409) for other callers."""
        score, max_score = data.get("score"), data.get("max_score")
        if score is not None and max_score is not None and score > max_score:
            raise ValidationError(f"must be at most max_score ({max_score})", field_name="score")


class ParentSchema(StrictSchema):
    """A parent registered at a school, with their children and their children's results."""

    id = fields.UUID(dump_only=True)
    school = fields.String(required=True, validate=brin, metadata={"pattern": BRIN_PATTERN})
    name = fields.String(required=True, validate=TEXT)
    phone = fields.String(load_default=None, allow_none=True, validate=SHORT_TEXT)
    # shown as text: an erased parent's reads "gewist" (a new parent's is checked: NewParentSchema)
    email = fields.String(load_default=None, allow_none=True, metadata={
        "description": "an e-mail address; \"gewist\" once the parent's data was erased",
    })
    language = fields.String(load_default=None, allow_none=True, validate=SHORT_TEXT)
    children = fields.List(fields.Nested(ChildSchema), load_default=list)
    assessments = fields.List(fields.Nested(AssessmentSchema), dump_only=True)
    # True once the parent's personal data was erased (AVG): the personal fields then read "gewist".
    erased = fields.Boolean(dump_only=True)
    # True when this store lacks the parent's key (a log imported without its keys): those fields
    # then read "onleesbaar". Nothing was erased; the key is elsewhere.
    unreadable = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True)

    @pre_dump
    def from_aggregate(self, p: Parent, **_: Any) -> dict[str, Any]:
        return {
            "id": p.id, "school": p.school, "name": p.name, "phone": p.phone, "email": p.email,
            "language": p.language, "children": list(p.children.values()),
            "assessments": p.assessments, "erased": p.erased, "unreadable": p.unreadable, "version": p.version,
        }


class NewParentSchema(ParentSchema):
    """A parent to register: the same fields, the e-mail address documented with its pattern."""

    email = fields.String(load_default=None, allow_none=True, validate=email_address, metadata={
        "description": "an e-mail address", "pattern": f"^{EMAIL_PATTERN}$",
    })


# -- programmes ------------------------------------------------------------------------------


class CompletionSchema(StrictSchema):
    """When a parent has completed the programme; omitted values come from the kind's template."""

    min_attendance_rate = fields.Float(allow_nan=False, validate=RATE)
    min_homework_rate = fields.Float(allow_nan=False, validate=RATE)
    min_sessions_attended = fields.Integer(strict=True, validate=COUNT)


class RewardsSchema(StrictSchema):
    """What a parent earns (euro cents); omitted values come from the kind's template."""

    per_session_cents = fields.Integer(strict=True, validate=CENTS)
    per_homework_cents = fields.Integer(strict=True, validate=CENTS)
    per_assessment_cents = fields.Integer(strict=True, validate=CENTS)
    assessment_threshold = fields.Float(allow_nan=False, validate=RATE)
    cap_cents = fields.Integer(strict=True, allow_none=True, validate=CENTS)
    payout = fields.String(validate=validate.OneOf(PAYOUT_METHODS))


class ArmSchema(StrictSchema):
    """An arm of a trial and its reward scheme (omitted values from the kind's template)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    rewards = fields.Nested(RewardsSchema, load_default=None, allow_none=True)


class EnrolmentSchema(StrictSchema):
    """Enrol a parent (optionally for one child), from a date on (default today)."""

    program_id = fields.UUID(dump_only=True)
    parent_id = fields.UUID(required=True)
    child_id = fields.UUID(load_default=None, allow_none=True)
    child_ids = fields.List(fields.UUID(), load_default=None, validate=validate.Length(max=MAX_CHILDREN_ROWS), metadata={
        "description": "the parent's children the enrolment is for (child_id is the first of them)"})
    enrolled_on = fields.Date(load_default=None, allow_none=True)
    withdrawn_on = fields.Date(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True, allow_none=True)
    arm = fields.String(dump_only=True, allow_none=True, metadata={"description": "the arm the lot gave (a trial)"})


class NewEnrolmentSchema(EnrolmentSchema):
    """Enrol one parent (`parent_id`), or many at once (`parent_ids`: all or none)."""

    parent_id = fields.UUID(load_default=None)
    parent_ids = fields.List(fields.UUID(), load_only=True, validate=validate.Length(min=1, max=MAX_BULK_ENROLMENTS),
                             metadata={"description": "many parents at once; one refusal and none is enrolled (201: a list)"})

    @validates_schema
    def _one_or_many(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("parent_id") is None) == (data.get("parent_ids") is None):
            raise ValidationError("give either parent_id or parent_ids", field_name="parent_id")
        if data.get("parent_ids") is not None and (data.get("child_id") is not None or data.get("child_ids")):
            raise ValidationError("a child is chosen per parent: enrol one parent with child_id", field_name="child_id")


class WithdrawalSchema(StrictSchema):
    """Withdraw a parent from a date on (default today), with the reason."""

    withdrawn_on = fields.Date(load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=TEXT)


class PayoutSchema(StrictSchema):
    """Money paid to a parent out of what is outstanding."""

    id = fields.UUID(dump_only=True)
    program_id = fields.UUID(dump_only=True)
    parent_id = fields.UUID(required=True)
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CENTS))
    method = fields.String(required=True, validate=validate.OneOf(PAYOUT_METHODS))
    reversed = fields.Boolean(dump_only=True, metadata={"description": "reversed by a correction: no longer paid"})


class ProgramSchema(StrictSchema):
    """A programme at a school: its rule for completion, its rewards, who is enrolled, its sessions."""

    id = fields.UUID(dump_only=True)
    school = fields.String(required=True, validate=brin, metadata={"pattern": BRIN_PATTERN})
    name = fields.String(required=True, validate=TEXT)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    starts_on = fields.Date(required=True)
    completion = fields.Nested(CompletionSchema, load_default=None, allow_none=True)
    rewards = fields.Nested(RewardsSchema, load_default=None, allow_none=True)
    arms = fields.List(fields.Nested(ArmSchema), load_default=None, allow_none=True, metadata={
        "description": "a trial's arms, each with its reward scheme (control earns nothing)"})
    enrolments = fields.List(fields.Nested(EnrolmentSchema), dump_only=True)
    payouts = fields.List(fields.Nested(PayoutSchema), dump_only=True)
    session_ids = fields.List(fields.UUID(), dump_only=True)
    closed_on = fields.Date(dump_only=True, allow_none=True, metadata={"description": "closed: figures final"})
    version = fields.Integer(dump_only=True)

    @pre_dump
    def from_aggregate(self, view: "ProgramView", **_: Any) -> dict[str, Any]:
        p = view.program
        return {
            "id": p.id, "school": p.school, "name": p.name, "kind": p.kind, "starts_on": p.starts_on,
            "completion": p.completion.as_dict(), "rewards": p.rewards.as_dict(),
            "enrolments": enrolments_of(p), "payouts": [payout_of(p.id, x) for x in p.payouts],
            "session_ids": view.session_ids, "closed_on": p.closed_on, "version": p.version,
            "arms": [{"name": n, "rewards": r.as_dict()} for n, r in p.trial.arms.items()],
        }


@dataclass(frozen=True)
class ProgramView:
    """A programme with the ids of its sessions (which live in their own aggregates)."""

    program: TrainingProgram
    session_ids: list[UUID]


def enrolments_of(p: TrainingProgram, parent_id: Any = None) -> list[dict[str, Any]]:
    """The programme's enrolment periods (of one parent, if given), oldest first per parent."""
    return [
        {"program_id": p.id, "parent_id": e.parent_id, "child_id": e.child_id, "child_ids": list(e.child_ids),
         "enrolled_on": e.enrolled_on,
         "withdrawn_on": e.withdrawn_on, "reason": e.reason, "arm": p.trial.arm_of.get(pid)}
        for pid, periods in p.enrolments.items() if parent_id is None or pid == parent_id
        for e in periods
    ]


def payout_of(program_id: UUID, x: Payout) -> dict[str, Any]:
    """A payout as the API shows it."""
    return {
        "id": x.id, "program_id": program_id, "parent_id": x.parent_id, "amount_cents": x.amount_cents,
        "method": x.method, "reversed": x.reversed,
    }


# -- sessions --------------------------------------------------------------------------------


class AttendanceRecordSchema(StrictSchema):
    """One parent's status in a roll call."""

    parent_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES))


class HomeworkRecordSchema(StrictSchema):
    """Whether one parent did the session's homework with their child."""

    parent_id = fields.UUID(required=True)
    completed = fields.Boolean(required=True, truthy={True}, falsy={False})


class RollCallSchema(StrictSchema):
    """A roll call (or a correction of one): a status per parent."""

    records = fields.List(fields.Nested(AttendanceRecordSchema), required=True, validate=validate.Length(min=1))


class HomeworkSchema(StrictSchema):
    """Homework done (or not) per parent."""

    records = fields.List(fields.Nested(HomeworkRecordSchema), required=True, validate=validate.Length(min=1))


class CancellationSchema(StrictSchema):
    """Why a session is cancelled."""

    reason = fields.String(required=True, validate=TEXT)


class SessionSchema(StrictSchema):
    """A session (bijeenkomst) or home visit (huisbezoek), with its roll call and homework records.

    `homework` in a new session is the assignment's text; in the answer, `homework` is the records
    (as the contract fixes) and the text is `homework_assignment`."""

    id = fields.UUID(dump_only=True)
    program_id = fields.UUID(dump_only=True)
    title = fields.String(required=True, validate=TEXT)
    starts_at = SchoolDateTime(required=True)
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_TEXT))
    homework = fields.Raw(load_default=None, allow_none=True, metadata={
        "description": "in: the homework assignment (text); out: [{parent_id, completed}]",
    })
    participants = fields.List(fields.UUID(), load_default=None, allow_none=True)
    has_homework = fields.Boolean(dump_only=True)
    homework_assignment = fields.String(dump_only=True, allow_none=True)
    cancelled = fields.Boolean(dump_only=True)
    cancellation_reason = fields.String(dump_only=True, allow_none=True)
    attendance = fields.List(fields.Nested(AttendanceRecordSchema), dump_only=True)
    version = fields.Integer(dump_only=True)

    @validates("homework")
    def homework_is_text(self, value: Any, **_: Any) -> None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValidationError("the homework assignment must be a non-empty text")

    @pre_dump
    def from_aggregate(self, s: Session, **_: Any) -> dict[str, Any]:
        return {
            "id": s.id, "program_id": s.program_id, "title": s.title, "starts_at": s.starts_at,
            "location": s.location, "participants": s.participants,
            "has_homework": s.has_homework, "homework_assignment": s.homework,
            "cancelled": s.cancelled, "cancellation_reason": s.cancellation_reason,
            "attendance": [{"parent_id": p, "status": v} for p, v in s.attendance.items()],
            "homework": [{"parent_id": str(p), "completed": v} for p, v in s.homework_done.items()],
            "version": s.version,
        }


# -- audit -----------------------------------------------------------------------------------


class LogQuerySchema(StrictSchema):
    """Where to continue the log, and how much to read."""

    after = fields.Integer(load_default=0, validate=POSITION)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LOG_PAGE))


class LogEntrySchema(Schema):
    """One stored event: position in the log, aggregate, version, event type, time, actor."""

    position = fields.Integer()
    aggregate_id = fields.UUID()
    version = fields.Integer()
    type = fields.String()
    timestamp = fields.AwareDateTime()
    actor = fields.String(allow_none=True)


class LogPageSchema(Schema):
    """A page of the event log; `next` is the `after` of the next page, null at the end."""

    items = fields.List(fields.Nested(LogEntrySchema))
    next = fields.Integer(allow_none=True)

    @pre_dump
    def from_page(self, page: LogPage, **_: Any) -> dict[str, Any]:
        return {"items": page.items, "next": page.next}


# -- projections (read models) ---------------------------------------------------------------


class ProjectionQuerySchema(StrictSchema):
    """JSON by default; `?format=csv` for a spreadsheet (attendance: `table=parents|sessions`)."""

    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
    table = fields.String(load_default="parents", validate=validate.OneOf(["parents", "sessions"]))


class ReadModelSchema(Schema):
    """A read model's answer: its fields in the order declared (also the CSV's columns)."""

    class Meta:
        ordered = True


class ParentRowSchema(ReadModelSchema):
    """One parent's row of a programme's read model."""

    parent_id = fields.String()


class AttendanceSessionSchema(ReadModelSchema):
    """A session of the programme with how many parents it counted were present, absent, excused."""

    session_id = fields.String()
    starts_at = fields.String(metadata={"description": "ISO 8601 with the session's own offset"})
    present = fields.Integer()
    absent = fields.Integer()
    excused = fields.Integer()


class AttendanceParentSchema(ParentRowSchema):
    """A parent's attendance over the held sessions that count for them."""

    sessions_held = fields.Integer()
    attended = fields.Integer()
    excused = fields.Integer()
    absent = fields.Integer()
    attendance_rate = fields.Float(allow_none=True)


class AttendanceSchema(ReadModelSchema):
    """Attendance per session and per parent."""

    sessions = fields.List(fields.Nested(AttendanceSessionSchema))
    parents = fields.List(fields.Nested(AttendanceParentSchema))


class CompletionRowSchema(ParentRowSchema):
    """Whether a parent completed the programme under its completion rule."""

    attended = fields.Integer()
    attendance_rate = fields.Float(allow_none=True)
    homework_assigned = fields.Integer()
    homework_completed = fields.Integer()
    homework_rate = fields.Float(allow_none=True)
    completed = fields.Boolean()
    arm = fields.String(allow_none=True, metadata={"description": "the parent's arm in a trial; null otherwise"})


class RewardsRowSchema(ParentRowSchema):
    """What a parent earned under the reward scheme, was paid, and has outstanding (cents)."""

    sessions_cents = fields.Integer()
    homework_cents = fields.Integer()
    assessment_cents = fields.Integer()
    earned_cents = fields.Integer()
    paid_cents = fields.Integer()
    outstanding_cents = fields.Integer()
    eligible = fields.Boolean()
    arm = fields.String(allow_none=True, metadata={"description": "the parent's arm in a trial; null otherwise"})
    cash_cents = fields.Integer(metadata={"description": "paid in cash"})
    fund_cents = fields.Integer(metadata={"description": "paid into the child's education fund"})
    released_cents = fields.Integer(metadata={"description": "released from the fund (further education shown)"})
    forfeited_cents = fields.Integer(metadata={"description": "forfeited from the fund"})
    fund_balance_cents = fields.Integer(metadata={"description": "held in the fund: in - released - forfeited"})


# -- errors ----------------------------------------------------------------------------------


class ErrorDetailSchema(Schema):
    code = fields.String(metadata={"description": "machine-readable, e.g. already_enrolled"})
    message = fields.String()
    # marshmallow takes declared fields out of the class, so this never shadows Schema.fields;
    # its types can't say so
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={"description": "per-field messages on 422; {} otherwise"})  # type: ignore[assignment]


class ErrorSchema(Schema):
    """Every error: `{"error": {"code", "message", "fields"}}`."""

    error = fields.Nested(ErrorDetailSchema)


__all__ = [
    "AssessmentSchema", "CancellationSchema", "ChildSchema", "EnrolmentSchema", "ErrorSchema",
    "HomeworkSchema", "LogPageSchema", "LogQuerySchema", "NewParentSchema", "ParentSchema", "PayoutSchema", "ProgramSchema", "ProgramView",
    "RollCallSchema", "SessionSchema", "WithdrawalSchema", "ProjectionQuerySchema", "AttendanceSchema",
    "CompletionRowSchema", "RewardsRowSchema",
]
