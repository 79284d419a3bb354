"""The JSON API under /api/v1 (the public contract; every field in the OpenAPI document): parse with a schema, call the service as the
authenticated user, present with the same schema. Refusals rise to web/errors.py."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import jsonify, make_response
from flask_smorest import Api, Blueprint

from application import listing
from application.audit import AuditLog, LogPage
from application.paging import Page
from application.intake import enroll_many
from application.programs import ProgramService
from domain.parent import Assessment, Child, Parent
from domain.session import Session
from domain.training_program import TrainingProgram
from web.auth import current_actor, requires, system
from web.list_schemas import (
    ParentListQuerySchema, ParentPageSchema, ProgramListQuerySchema, ProgramPageSchema, SessionListQuerySchema,
    SessionPageSchema,
)
from web.schemas import (
    AssessmentSchema,
    CancellationSchema,
    ChildSchema,
    EnrolmentSchema,
    NewEnrolmentSchema,
    HomeworkSchema,
    LogPageSchema,
    LogQuerySchema,
    NewParentSchema,
    ParentSchema,
    PayoutSchema,
    ProgramSchema,
    ProgramView,
    RollCallSchema,
    SessionSchema,
    WithdrawalSchema,
    enrolments_of,
    payout_of,
)

PREFIX = "/api/v1"

parents = Blueprint("api_parents", __name__, url_prefix=PREFIX, description="Parents and their children")
programs = Blueprint("api_programs", __name__, url_prefix=PREFIX, description="Programmes, enrolments, payouts")
sessions = Blueprint("api_sessions", __name__, url_prefix=PREFIX, description="Sessions: roll call, homework")
audit = Blueprint("api_audit", __name__, url_prefix=PREFIX, description="The event log (auditors)")


def service() -> ProgramService:
    return system().service


def program_view(p: TrainingProgram) -> ProgramView:
    return ProgramView(program=p, session_ids=service().directory.sessions_of(p.id))


# -- parents ---------------------------------------------------------------------------------


@parents.route("/parents", methods=["GET"])
@requires("records")
@parents.arguments(ParentListQuerySchema, location="query")
@parents.response(200, ParentPageSchema)
def list_parents(query: dict[str, Any]) -> Page[Parent]:
    """A page of the parents of the user's schools, oldest first; `q` searches their names."""
    page = listing.parents_page(service(), current_actor(), **query)
    return page.map(lambda i: service().parent(i, current_actor()))


@parents.route("/parents", methods=["POST"])
@requires("run")
@parents.arguments(NewParentSchema)
@parents.response(201, ParentSchema)
def register_parent(data: dict[str, Any]) -> Parent:
    """Register a parent (and their children) at one of the user's schools."""
    children = [(c["name"], c["group"]) for c in data.pop("children")]
    return service().register_parent(children=children, actor=current_actor(), **data)


@parents.route("/parents/<uuid:parent_id>", methods=["GET"])
@requires("records")
@parents.response(200, ParentSchema)
def get_parent(parent_id: UUID) -> Parent:
    """A parent with their children and assessments."""
    return service().parent(parent_id, current_actor())


@parents.route("/parents/<uuid:parent_id>/children", methods=["POST"])
@requires("run")
@parents.arguments(ChildSchema)
@parents.response(201, ChildSchema)
def add_child(data: dict[str, Any], parent_id: UUID) -> Child:
    """Add a child to a parent."""
    return service().add_child(parent_id, actor=current_actor(), **data)


@parents.route("/parents/<uuid:parent_id>/assessments", methods=["POST"])
@requires("run")
@parents.arguments(AssessmentSchema)
@parents.response(201, AssessmentSchema)
def record_assessment(data: dict[str, Any], parent_id: UUID) -> Assessment:
    """Record a child's test result within a programme the parent is enrolled in."""
    return service().record_assessment(parent_id, actor=current_actor(), **data)


# -- programmes ------------------------------------------------------------------------------


@programs.route("/programs", methods=["GET"])
@requires("figures")
@programs.arguments(ProgramListQuerySchema, location="query")
@programs.response(200, ProgramPageSchema)
def list_programs(query: dict[str, Any]) -> Page[ProgramView]:
    """A page of the programmes of the user's schools, oldest first."""
    page = listing.programs_page(service(), current_actor(), **query)
    return page.map(lambda i: program_view(service().program(i, current_actor())))


@programs.route("/programs", methods=["POST"])
@requires("run")
@programs.arguments(ProgramSchema)
@programs.response(201, ProgramSchema)
def create_program(data: dict[str, Any]) -> ProgramView:
    """Start a programme; omitted completion and reward settings come from the kind's template."""
    return program_view(service().create_program(actor=current_actor(), **data))


@programs.route("/programs/<uuid:program_id>", methods=["GET"])
@requires("figures")
@programs.response(200, ProgramSchema)
def get_program(program_id: UUID) -> ProgramView:
    """A programme with its settings, enrolments, payouts and session ids."""
    return program_view(service().program(program_id, current_actor()))


@programs.route("/programs/<uuid:program_id>/enrollments", methods=["POST"])
@requires("run")
@programs.arguments(NewEnrolmentSchema)
@programs.response(201, EnrolmentSchema)
def enroll_parent(data: dict[str, Any], program_id: UUID) -> Any:
    """Enrol a parent of the programme's school (already enrolled: 409); with `parent_ids`, many at
    once, answering the list of their enrolments (one refusal and none is enrolled)."""
    many = data.pop("parent_ids", None)
    if many is not None:
        p = enroll_many(service(), program_id, many, enrolled_on=data["enrolled_on"], actor=current_actor())
        return make_response(jsonify(EnrolmentSchema(many=True).dump([enrolments_of(p, i)[-1] for i in many])), 201)
    p = service().enroll(program_id, actor=current_actor(), **data)
    return enrolments_of(p, data["parent_id"])[-1]


@programs.route("/programs/<uuid:program_id>/enrollments/<uuid:parent_id>/withdrawal", methods=["POST"])
@requires("run")
@programs.arguments(WithdrawalSchema)
@programs.response(200, EnrolmentSchema)
def withdraw_parent(data: dict[str, Any], program_id: UUID, parent_id: UUID) -> dict[str, Any]:
    """Withdraw a parent from a date on; what they earned before is kept."""
    p = service().withdraw(program_id, parent_id=parent_id, actor=current_actor(), **data)
    return enrolments_of(p, parent_id)[-1]


@programs.route("/programs/<uuid:program_id>/sessions", methods=["POST"])
@requires("run")
@programs.arguments(SessionSchema)
@programs.response(201, SessionSchema)
def schedule_session(data: dict[str, Any], program_id: UUID) -> Session:
    """Schedule a session, or a home visit when `participants` names the family."""
    return service().schedule_session(program_id, actor=current_actor(), **data)


@programs.route("/programs/<uuid:program_id>/sessions", methods=["GET"])
@requires("records")
@programs.arguments(SessionListQuerySchema, location="query")
@programs.response(200, SessionPageSchema)
def list_program_sessions(query: dict[str, Any], program_id: UUID) -> Page[Session]:
    """A page of the programme's sessions in order of their start."""
    return listing.sessions_page(service(), program_id, current_actor(), **query)


@programs.route("/programs/<uuid:program_id>/payouts", methods=["POST"])
@requires("run")
@programs.arguments(PayoutSchema)
@programs.response(201, PayoutSchema)
def record_payout(data: dict[str, Any], program_id: UUID) -> dict[str, Any]:
    """Pay a parent part or all of what is outstanding; more than that: 409."""
    return payout_of(program_id, service().record_payout(program_id, actor=current_actor(), **data))


# -- sessions --------------------------------------------------------------------------------


@sessions.route("/sessions/<uuid:session_id>", methods=["GET"])
@requires("records")
@sessions.response(200, SessionSchema)
def get_session(session_id: UUID) -> Session:
    """A session with the current roll call and homework records (corrections are in the audit log)."""
    return service().session(session_id, current_actor())


@sessions.route("/sessions/<uuid:session_id>/attendance", methods=["PUT"])
@requires("run")
@sessions.arguments(RollCallSchema)
@sessions.response(200, SessionSchema)
def take_roll_call(data: dict[str, Any], session_id: UUID) -> Session:
    """Take or correct the roll call; repeating it records nothing, a different status is a correction."""
    records = [(r["parent_id"], r["status"]) for r in data["records"]]
    return service().take_roll_call(session_id, records, actor=current_actor())


@sessions.route("/sessions/<uuid:session_id>/homework", methods=["PUT"])
@requires("run")
@sessions.arguments(HomeworkSchema)
@sessions.response(200, SessionSchema)
def record_homework(data: dict[str, Any], session_id: UUID) -> Session:
    """Record who did the session's homework; same rules as the roll call."""
    records = [(r["parent_id"], r["completed"]) for r in data["records"]]
    return service().record_homework(session_id, records, actor=current_actor())


@sessions.route("/sessions/<uuid:session_id>/cancellation", methods=["POST"])
@requires("run")
@sessions.arguments(CancellationSchema)
@sessions.response(200, SessionSchema)
def cancel_session(data: dict[str, Any], session_id: UUID) -> Session:
    """Cancel a session that has no roll call yet."""
    return service().cancel_session(session_id, actor=current_actor(), **data)


# -- audit -----------------------------------------------------------------------------------


@audit.route("/audit/log", methods=["GET"])
@requires("audit")
@audit.arguments(LogQuerySchema, location="query")
@audit.response(200, LogPageSchema)
def get_audit_log(query: dict[str, int]) -> LogPage:
    """The stored events after position `after`, oldest first; continue with `after=next`."""
    return AuditLog(service()).log(query["after"], query["limit"], schools=current_actor().schools)


def register_api(api: Api) -> None:
    """Add the parents, programmes, sessions and audit-log endpoints."""
    for blueprint in (parents, programs, sessions, audit):
        api.register_blueprint(blueprint)
