"""Everything Betrokken holds about one parent (AVG art. 15, right of access), and the parent's
payout history: read from the events themselves, so nothing the history holds is left out.

The report gathers the parent's own events (details, children, results, corrections, erasure
requests, messages with their outcomes) and every event of a programme or session that names them (enrolments, withdrawals,
roll calls, homework, payouts and their reversals, home visits), each with its type, time and
actor; beside them the current details, children, programmes with their figures, and who read
the parent's data (the read log). Producing it is itself recorded (Parent.AccessReportProduced)."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timezone
from typing import Any, Callable
from uuid import UUID

from application.actor import SYSTEM, Actor
from application.history import History, event_record, jsonable
from application.messages import Messages
from application.programs import ProgramService
from application.stored import domain_event
from domain.errors import NotFoundError
from domain.message import mailbox_id
from domain.parent import Parent

Reads = Callable[[UUID], list[dict[str, Any]]]


def _names_parent(record: dict[str, Any], parent_id: str) -> bool:
    data = record["data"]
    return data.get("parent_id") == parent_id or parent_id in (data.get("participants") or ())


def facts_about(service: ProgramService, parent: Parent) -> list[dict[str, Any]]:
    """Every recorded fact about the parent, with the aggregate it belongs to, oldest first."""
    history = History(service)
    pid = str(parent.id)
    found = [{"aggregate_id": pid, "aggregate": "Parent", **r} for r in history.events_of(parent.id)["events"]]
    mailbox = mailbox_id(parent.id)  # the messages to the parent, their outcomes and preferences
    with suppress(NotFoundError):  # a parent never written to has no mailbox
        found += [{"aggregate_id": str(mailbox), "aggregate": "Mailbox", **r} for r in history.events_of(mailbox)["events"]]
    for program_id in service.directory.programs_of(frozenset({parent.school})):
        program = service.program(program_id)
        if not program.was_enrolled(parent.id):
            continue
        found += [{"aggregate_id": str(program_id), "aggregate": "TrainingProgram", **r}
                  for r in history.events_of(program_id)["events"] if _names_parent(r, pid)]
        for session_id in service.directory.sessions_of(program_id):
            found += [{"aggregate_id": str(session_id), "aggregate": "Session", **r}
                      for r in history.events_of(session_id)["events"] if _names_parent(r, pid)]
    return sorted(found, key=lambda r: r["timestamp"])


def payout_history(service: ProgramService, parent_id: UUID, actor: Actor = SYSTEM) -> list[dict[str, Any]]:
    """Each payout to the parent: when, how much, how, by whom, and whether (and why) it was reversed."""
    parent = service.parent(parent_id, actor)
    payouts: dict[str, dict[str, Any]] = {}
    for program_id in service.directory.programs_of(frozenset({parent.school})):
        program = service.program(program_id)
        if not any(p.parent_id == parent_id for p in program.payouts):
            continue
        for e in service.events.get(program_id):
            r = event_record(domain_event(e))
            data = r["data"]
            if data.get("parent_id") != str(parent_id):
                continue
            if r["type"] == "TrainingProgram.PayoutRecorded":
                payouts[data["payout_id"]] = {
                    "payout_id": data["payout_id"], "program_id": str(program_id), "program": program.name,
                    "paid_at": r["timestamp"], "amount_cents": data["amount_cents"], "method": data["method"],
                    "by": r["actor"], "reversed": False, "reversed_at": None, "reversed_by": None, "reversal_reason": None,
                }
            elif r["type"] == "TrainingProgram.PayoutReversed" and data["payout_id"] in payouts:
                payouts[data["payout_id"]].update(
                    reversed=True, reversed_at=r["timestamp"], reversed_by=r["actor"], reversal_reason=data["reason"])
    return sorted(payouts.values(), key=lambda p: p["paid_at"])


def access_report(service: ProgramService, parent_id: UUID, *, reads: Reads | None = None, actor: Actor = SYSTEM) -> dict[str, Any]:
    """Everything held about the parent, as JSON; producing it is recorded as an event."""
    parent = service.corrections.record_access_report(parent_id, actor=actor)
    programmes = []
    for program_id in service.directory.programs_of(frozenset({parent.school})):
        program = service.program(program_id)
        if program.was_enrolled(parent_id):
            programmes.append({
                "program_id": str(program_id), "name": program.name, "kind": program.kind,
                "closed_on": jsonable(program.closed_on),
                "enrolments": [{"enrolled_on": jsonable(on), "withdrawn_on": jsonable(off)}
                               for on, off in program.enrolment_periods(parent_id)],
                "earned_cents": service.earned_cents(program, parent_id),
                "paid_cents": program.paid_cents(parent_id),
            })
    facts = facts_about(service, parent)
    return {
        "parent_id": str(parent_id),
        "produced_at": datetime.now(timezone.utc).isoformat(),
        "produced_by": actor.name,
        "school": parent.school,
        "details": {"name": parent.name, "phone": parent.phone, "email": parent.email,
                    "language": parent.language, "erased": parent.erased},
        "children": [jsonable(c) for c in parent.children.values()],
        "programmes": programmes,
        "attendance": [{"session_id": f["aggregate_id"], "status": f["data"]["status"], "recorded_at": f["timestamp"]}
                       for f in facts if f["type"] == "Session.AttendanceRecorded"],
        "homework": [{"session_id": f["aggregate_id"], "completed": f["data"]["completed"], "recorded_at": f["timestamp"]}
                     for f in facts if f["type"] == "Session.HomeworkRecorded"],
        "assessments": [jsonable(a) for a in parent.assessments],
        "payouts": payout_history(service, parent_id, actor),
        "messages": [jsonable(m) for m in Messages(service).of_parent(parent_id, actor)],
        "history": facts,
        "reads": reads(parent_id) if reads else [],
    }
