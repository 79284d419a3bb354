"""A programme run as a trial over the API (docs/evaluation.md): allocation by lot and its lock,
an admin's override of an arm, the education fund's releases and forfeits, and the effect
report (JSON, or CSV with ?format=csv)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Api, Blueprint
from marshmallow import ValidationError, fields, validate

from application.evaluation import CSV_COLUMNS, Evaluation, csv_rows
from application.trial import TrialService, allocation_answer
from domain.allocation import MAX_BLOCK, METHODS, STRATA
from domain.limits import MAX_CENTS
from domain.trial import FundMove
from web.api_projections import CSV, csv_response
from web.auth import current_actor, requires, system
from web.schemas import TEXT, EnrolmentSchema, ProjectionQuerySchema, ReadModelSchema, StrictSchema, enrolments_of

PREFIX = "/api/v1"
trials = Blueprint("api_trials", __name__, url_prefix=PREFIX, description="Trials: allocation by lot, the education fund, the effect report")


def trial_service() -> TrialService:
    return TrialService(system().service)


class SeedField(fields.String):
    """A seed as text; a whole number is taken as its decimal text (42 is the seed "42")."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return str(super()._deserialize(value, attr, data, **kwargs))


class RatiosField(fields.Field):
    """Arm ratios: `{arm: n}`, or a list of n in the order the arms were defined."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        numbers = list(value.values()) if isinstance(value, dict) else value
        if not isinstance(numbers, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 10 for n in numbers
        ) or (isinstance(value, dict) and not all(isinstance(k, str) for k in value)):
            raise ValidationError("ratios are {arm: 1..10} or a list of 1..10 in the arms' order")
        return value


class AllocationSchema(StrictSchema):
    """How a trial allocates by lot. The seed is never shown back until the trial is locked."""

    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    strata = fields.List(fields.String(validate=validate.OneOf(STRATA)), load_default=None, allow_none=True)
    block_sizes = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_BLOCK)),
                              load_default=None, allow_none=True)
    ratios = RatiosField(load_default=None, allow_none=True, metadata={
        "oneOf": [{"type": "object", "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 10}},
                  {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 10}}]})
    seed = SeedField(required=True, load_only=True, validate=validate.Length(min=1, max=200), metadata={
        "description": "text (or a whole number, taken as its decimal text); keep it secret until the lock"})


class AllocationAnswerSchema(ReadModelSchema):
    """The allocation as recorded: settings, the seed's SHA-256 commitment, the seed once locked."""

    program_id = fields.UUID()
    method = fields.String(allow_none=True)
    strata = fields.List(fields.String())
    block_sizes = fields.List(fields.Integer())
    ratios = fields.Dict(keys=fields.String(), values=fields.Integer())
    commitment = fields.String(metadata={"description": "hex SHA-256 of the seed (UTF-8)"})
    locked = fields.Boolean()
    seed = fields.String(allow_none=True, metadata={"description": "revealed once the trial is locked; null before"})
    allocated = fields.Integer()
    overridden = fields.Integer()


class LockSchema(StrictSchema):
    """Lock the trial; the seed kept by this store is revealed (or give it, when it was moved without keys)."""

    seed = SeedField(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))


class ArmChangeSchema(StrictSchema):
    """Move a parent to another arm: refused (409) unless an admin overrides, with the reason."""

    arm = fields.String(required=True, validate=validate.Length(min=1, max=40))
    override = fields.Boolean(load_default=False)
    reason = fields.String(required=True, validate=TEXT)


class FundMoveSchema(StrictSchema):
    """Money leaving a child's education fund."""

    id = fields.UUID(dump_only=True)
    parent_id = fields.UUID(required=True)
    child_id = fields.UUID(dump_only=True, allow_none=True)
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CENTS))
    kind = fields.String(dump_only=True)
    on = fields.Date(dump_only=True)


class ReleaseSchema(FundMoveSchema):
    """A release, with what was shown (e.g. enrolment in further education) and when."""

    evidence = fields.String(required=True, validate=TEXT)
    released_on = fields.Date(load_default=None, allow_none=True)


class ForfeitSchema(FundMoveSchema):
    """A forfeit, with the reason."""

    reason = fields.String(required=True, validate=TEXT)
    forfeited_on = fields.Date(load_default=None, allow_none=True)


def move_answer(move: FundMove) -> dict[str, Any]:
    return {"id": move.id, "parent_id": move.parent_id, "child_id": move.child_id, "amount_cents": move.amount_cents,
            "kind": move.kind, "on": move.on}


class SummarySchema(ReadModelSchema):
    """Scores at one moment: how many, their mean and standard deviation (n - 1); null when too few."""

    n = fields.Integer()
    mean = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True)


class EstimateSchema(ReadModelSchema):
    """One comparison of an arm with control (docs/evaluation.md defines each figure)."""

    n = fields.Integer(metadata={"description": "the arm's children with a post measure"})
    baseline = fields.Nested(SummarySchema)
    post = fields.Nested(SummarySchema)
    difference = fields.Float(allow_none=True, metadata={"description": "post mean of the arm minus control's"})
    cohens_d = fields.Float(allow_none=True, metadata={"description": "difference / pooled post SD (n-1 weighting)"})
    ci95 = fields.List(fields.Float(), allow_none=True)
    hedges_g = fields.Float(allow_none=True)
    label = fields.String(allow_none=True, metadata={"description": "klein (|d| < 0.20), gemiddeld (< 0.40), groot"})
    p_value = fields.Float(allow_none=True, metadata={"description": "Student's two-sample t-test"})
    too_small = fields.Boolean(metadata={"description": "fewer than 10 in a group: the interval says little"})
    note = fields.String(allow_none=True)
    gain_difference = fields.Float(allow_none=True)
    baseline_adjusted_difference = fields.Float(allow_none=True)


class SubgroupSchema(ReadModelSchema):
    """The ITT estimate among children above, or at or below, the median baseline."""

    subgroup = fields.String(metadata={"description": "baseline_above_median or baseline_at_or_below_median"})
    baseline_median = fields.Float()
    itt = fields.Nested(EstimateSchema)


class ResultSchema(ReadModelSchema):
    """Per instrument and arm: the ITT headline figures, then ITT, per protocol and subgroups in full."""

    instrument = fields.String()
    domain = fields.String(allow_none=True)
    arm = fields.String(allow_none=True)
    n_allocated = fields.Integer()
    n = fields.Integer()
    mean = fields.Float(allow_none=True, metadata={"description": "post-test mean (ITT)"})
    sd = fields.Float(allow_none=True, metadata={"description": "post-test SD (ITT)"})
    baseline = fields.Nested(SummarySchema)
    post = fields.Nested(SummarySchema)
    difference = fields.Float(allow_none=True)
    cohens_d = fields.Float(allow_none=True)
    ci95 = fields.List(fields.Float(), allow_none=True)
    hedges_g = fields.Float(allow_none=True)
    label = fields.String(allow_none=True)
    itt = fields.Nested(EstimateSchema)
    per_protocol = fields.Nested(EstimateSchema)
    subgroups = fields.List(fields.Nested(SubgroupSchema))


class AttritionSchema(ReadModelSchema):
    """Who of an arm was allocated, measured after, completed, withdrew."""

    arm = fields.String(allow_none=True)
    allocated = fields.Integer()
    with_post = fields.Integer()
    completers = fields.Integer()
    withdrawn = fields.Integer()
    attrition_rate = fields.Float(allow_none=True)


class CostSchema(ReadModelSchema):
    """What an arm was paid (cash and fund), per participant and per completer (cents)."""

    arm = fields.String(allow_none=True)
    paid_cents = fields.Integer()
    per_participant_cents = fields.Integer(allow_none=True)
    per_completer_cents = fields.Integer(allow_none=True)


class AllocationSummarySchema(ReadModelSchema):
    method = fields.String()
    commitment = fields.String()
    locked = fields.Boolean()


class EvaluationSchema(ReadModelSchema):
    """The effect report of a trial (docs/evaluation.md); pseudonymous."""

    program_id = fields.String()
    control = fields.String(allow_none=True)
    arms = fields.List(fields.String())
    allocation = fields.Nested(AllocationSummarySchema, allow_none=True)
    overrides = fields.Integer()
    flagged = fields.Boolean(metadata={"description": "an admin overrode an allocation"})
    warnings = fields.List(fields.String())
    attrition = fields.List(fields.Nested(AttritionSchema))
    costs = fields.List(fields.Nested(CostSchema))
    results = fields.List(fields.Nested(ResultSchema))


EvaluationRowSchema = ReadModelSchema.from_dict({c: fields.Raw(allow_none=True) for c in CSV_COLUMNS}, name="EvaluationRowSchema")
"""One estimate of the report as a CSV row (columns: application.evaluation.CSV_COLUMNS)."""


@trials.route("/programs/<uuid:program_id>/allocation", methods=["POST"])
@requires("trial")
@trials.arguments(AllocationSchema)
@trials.response(201, AllocationAnswerSchema)
def set_up_allocation(data: dict[str, Any], program_id: UUID) -> dict[str, Any]:
    """Set up allocation by lot (admins); once an enrolment is allocated: 409."""
    trial_service().set_up_allocation(program_id, actor=current_actor(), **data)
    return allocation_answer(system().service.program(program_id, current_actor()))


@trials.route("/programs/<uuid:program_id>/allocation", methods=["GET"])
@requires("figures")
@trials.response(200, AllocationAnswerSchema)
def get_allocation(program_id: UUID) -> dict[str, Any]:
    """The allocation: settings and commitment; the seed once the trial is locked."""
    return allocation_answer(system().service.program(program_id, current_actor()))


@trials.route("/programs/<uuid:program_id>/allocation/lock", methods=["POST"])
@requires("trial")
@trials.arguments(LockSchema)
@trials.response(200, AllocationAnswerSchema)
def lock_trial(data: dict[str, Any], program_id: UUID) -> dict[str, Any]:
    """Lock the trial and reveal its seed, so anyone can re-derive every assignment (docs/allocation.md)."""
    return allocation_answer(trial_service().lock(program_id, actor=current_actor(), **data))


@trials.route("/programs/<uuid:program_id>/enrollments/<uuid:parent_id>/arm", methods=["POST"])
@requires("run")
@trials.arguments(ArmChangeSchema)
@trials.response(200, EnrolmentSchema)
def change_arm(data: dict[str, Any], program_id: UUID, parent_id: UUID) -> dict[str, Any]:
    """Move a parent to another arm: 409, unless an admin sets `override` (recorded and flagged in every report)."""
    p = trial_service().change_arm(program_id, parent_id=parent_id, actor=current_actor(), **data)
    return enrolments_of(p, parent_id)[-1]


@trials.route("/programs/<uuid:program_id>/fund/releases", methods=["POST"])
@requires("run")
@trials.arguments(ReleaseSchema)
@trials.response(201, FundMoveSchema)
def release_fund(data: dict[str, Any], program_id: UUID) -> dict[str, Any]:
    """Release (part of) a child's education fund; more than it holds: 409."""
    return move_answer(trial_service().release_fund(program_id, actor=current_actor(), **data))


@trials.route("/programs/<uuid:program_id>/fund/forfeits", methods=["POST"])
@requires("run")
@trials.arguments(ForfeitSchema)
@trials.response(201, FundMoveSchema)
def forfeit_fund(data: dict[str, Any], program_id: UUID) -> dict[str, Any]:
    """Forfeit (part of) a child's education fund, with the reason; more than it holds: 409."""
    return move_answer(trial_service().forfeit_fund(program_id, actor=current_actor(), **data))


@trials.route("/programs/<uuid:program_id>/evaluation", methods=["GET"])
@requires("evaluate")
@trials.arguments(ProjectionQuerySchema, location="query")
@trials.response(200, EvaluationSchema)
@trials.alt_response(200, schema=CSV, content_type="text/csv", success=True)
def get_evaluation(query: dict[str, str], program_id: UUID) -> Any:
    """The effect report (admin, auditor, analyst; pseudonymous), or its estimates as CSV."""
    report = Evaluation(system().service).report(program_id, current_actor())
    if query["format"] == "csv":
        return csv_response(EvaluationRowSchema(), csv_rows(report), f"evaluation-{program_id}")
    return report


def register_trial_api(api: Api) -> None:
    """Add the trial endpoints."""
    api.register_blueprint(trials)

