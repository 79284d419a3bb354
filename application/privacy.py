"""Erasing a parent's personal data (AVG art. 17), the one procedure the API and the CLI share,
and the requests that end otherwise: held until a date, or refused.

A request ends in one of three recorded outcomes:
- **erased**: Parent.Erased is recorded (reason, actor, time), then the parent's data key is
  destroyed: every personal field of their events (name, phone, e-mail, home language,
  children's names, withdrawal and correction reasons) reads as "gewist" from then on, in this
  process at once and in others within a few seconds (their key cache); stored idempotent
  answers that mention the parent are deleted. Ids, dates, statuses, scores and amounts stay,
  so every figure and the audit chain are unchanged. Running it again finishes an interrupted
  erasure and records no second event.
- **held** (Parent.ErasureHeld, with its date and why): the parent is still owed rewards in a
  programme that runs (time to pay out: domain/retention.HOLD_DAYS), or an admin sets a date
  (`hold_until`). The sweep (`betrokken privacy sweep`) erases the parent once the date passed.
- **refused** (Parent.ErasureRefused, with the admin's grounds, e.g. art. 17(3)(e) legal
  claims): only on an admin's decision (`refuse`); the answer is 409 `erasure_refused`.
Payment records do not hold an erasure back: their amounts stay for the 7 fiscal years (AWR
art. 52) without the name, which is all the bookkeeping must keep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable
from uuid import UUID

from application.actor import SYSTEM, Actor
from adapters.idempotency import IdempotencyStore
from application.clock import today
from application.programs import ProgramService
from domain.errors import ErasureRefusedError
from domain.parent import Parent
from domain.retention import RETENTION_MONTHS, Involvement, hold_until, kept_until
from domain.training_program import TrainingProgram

OWED = "outstanding_rewards"
DECIDED = "decision"


@dataclass(frozen=True)
class ErasureOutcome:
    """How an erasure request ended: erased, or held until a date (and why)."""

    outcome: str
    parent: Parent
    until: date | None = None
    reason: str | None = None


def erase_parent(
    service: ProgramService,
    idempotency: IdempotencyStore | None,
    parent_id: UUID,
    *,
    reason: str,
    actor: Actor = SYSTEM,
) -> Parent:
    """Erase a parent's personal data for good; the parent as it reads afterwards."""
    parent = service.erase_parent(parent_id, reason=reason, actor=actor)
    if idempotency is not None:
        idempotency.forget(str(parent_id))
    return parent


def owed_in_running_programmes(service: ProgramService, parent: Parent) -> list[TrainingProgram]:
    """The running programmes in which the parent is enrolled and still owed rewards."""
    owed = []
    for program_id in service.directory.programs_of(frozenset({parent.school})):
        program = service.program(program_id)
        if program.closed or program.current_enrolment(parent.id) is None:
            continue
        if service.earned_cents(program, parent.id) - program.paid_cents(parent.id) > 0:
            owed.append(program)
    return owed


def request_erasure(
    service: ProgramService,
    idempotency: IdempotencyStore | None,
    parent_id: UUID,
    *,
    reason: str,
    actor: Actor = SYSTEM,
    refuse: str | None = None,
    hold_until_date: date | None = None,
) -> ErasureOutcome:
    """Decide a request for erasure and record its outcome (refused: ErasureRefusedError, recorded)."""
    parent = service.parent(parent_id, actor)
    if parent.erased:  # asked again: finish an interrupted erasure, record nothing new
        return ErasureOutcome("erased", erase_parent(service, idempotency, parent_id, reason=reason, actor=actor))
    if refuse:
        service.corrections.refuse_erasure(parent_id, refusal=refuse, reason=reason, actor=actor)
        raise ErasureRefusedError(f"the erasure request was refused: {refuse}", refusal=refuse)
    already = parent.erasure_held_until
    if hold_until_date is None and already is not None and already > today():
        # asked again while held: the same outcome, not a later date (nothing new to record)
        return ErasureOutcome("held", parent, until=already, reason=parent.erasure_hold)
    hold: tuple[str, date] | None = None
    if hold_until_date is not None and hold_until_date > today():
        hold = (DECIDED, hold_until_date)
    elif owed_in_running_programmes(service, parent):
        hold = (OWED, hold_until(today()))
    if hold is not None:
        why, until = hold
        held = service.corrections.hold_erasure(parent_id, until=until, hold=why, reason=reason, actor=actor)
        return ErasureOutcome("held", held, until=until, reason=why)
    return ErasureOutcome("erased", erase_parent(service, idempotency, parent_id, reason=reason, actor=actor))


# -- the retention sweep ---------------------------------------------------------------------


@dataclass
class SweepReport:
    """What a sweep erased (or would erase, on a dry run), and why, per parent."""

    on: date
    dry_run: bool
    erased: list[tuple[UUID, str]] = field(default_factory=list)
    kept: int = 0

    def lines(self) -> list[str]:
        """The report as the CLI prints it."""
        verb = "would erase" if self.dry_run else "erased"
        out = [f"{verb} {pid}: {why}" for pid, why in self.erased]
        out.append(f"{verb} {len(self.erased)} parent(s), kept {self.kept}, on {self.on.isoformat()}"
                   + (" (dry run: nothing changed)" if self.dry_run else ""))
        return out


def due_for_erasure(
    service: ProgramService, on: date, months: dict[str, int] | None = None
) -> tuple[list[tuple[UUID, str]], int]:
    """The parents whose data is past retention on `on` (in no running programme), or whose
    held erasure request's date has passed; and how many are kept."""
    months = {**RETENTION_MONTHS, **(months or {})}
    programs = [service.program(p) for p in service.directory.programs_of(None)]
    due: list[tuple[UUID, str]] = []
    kept = 0
    for parent_id in service.directory.parents_of(None):
        parent = service.parent(parent_id)
        if parent.erased:
            continue
        if parent.erasure_held_until is not None and parent.erasure_held_until <= on:
            due.append((parent_id, f"erasure request held until {parent.erasure_held_until.isoformat()}"))
            continue
        involved = [Involvement(p.kind, p.closed_on) for p in programs if p.was_enrolled(parent_id)]
        until = kept_until(involved, parent.created_on.date(), months)
        if until is not None and until < on:
            due.append((parent_id, f"retention ended {until.isoformat()}"))
        else:
            kept += 1
    return due, kept


def sweep(
    service: ProgramService,
    idempotency: IdempotencyStore | None,
    *,
    on: date | None = None,
    dry_run: bool = False,
    months: dict[str, int] | None = None,
    actor: Actor = SYSTEM,
    progress: Callable[[UUID], None] | None = None,
) -> SweepReport:
    """Erase every parent past retention (or with a held request come due); a dry run changes nothing."""
    day = on or today()
    due, kept = due_for_erasure(service, day, months)
    report = SweepReport(day, dry_run, kept=kept)
    for parent_id, why in due:
        if not dry_run:
            erase_parent(service, idempotency, parent_id, reason=f"retention sweep: {why}", actor=actor)
            if progress:
                progress(parent_id)
        report.erased.append((parent_id, why))
    return report
