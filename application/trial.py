"""Running a programme as a trial: set up allocation by lot, allocate each new enrolment, move a
parent only by an admin's override, lock the trial (revealing the seed), and release or forfeit
what a child's education fund holds. Orchestration only; the rules are in domain/trial.py."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable
from uuid import UUID

from adapters.seed_vault import SeedVault
from application.actor import SYSTEM, Actor
from application.clock import today
from domain.allocation import Allocation
from domain.errors import InvalidAllocationError
from domain.parent import Parent
from domain.trial import FundMove
from domain.training_program import TrainingProgram

if TYPE_CHECKING:
    from application.programs import ProgramService


def allocate(
    seeds: SeedVault, program: TrainingProgram, parent: Parent, child_id: UUID | None, actor: str
) -> str | None:
    """Give a newly enrolled parent the next slot of their stratum, when the programme allocates."""
    if program.trial.allocation is None or parent.id in program.trial.arm_of:
        return None
    seed = seeds.seed_of(program.id)
    if seed is None and program.trial.seed is None:
        raise InvalidAllocationError(
            "this store holds no seed for the trial (moved without its keys?): run `betrokken keys import`",
            setting="seed",
        )
    group = parent.child(child_id).group if child_id is not None else None
    return program.allocate(parent_id=parent.id, school=parent.school, group=group, seed=seed or "", actor=actor)


class TrialService:
    """The trial commands of a programme, on the programme service's store."""

    def __init__(self, service: "ProgramService") -> None:
        self.service = service
        self.seeds = SeedVault(service.keys)

    def set_up_allocation(
        self,
        program_id: UUID,
        *,
        method: str,
        seed: str,
        strata: list[str] | None = None,
        block_sizes: list[int] | None = None,
        ratios: dict[str, int] | list[int] | None = None,
        actor: Actor = SYSTEM,
    ) -> Allocation:
        """Set up allocation by lot; the seed is kept apart, only its commitment is recorded."""
        def command() -> Allocation:
            program = self.service.program(program_id, actor)
            program.set_up_allocation(
                method=method, strata=strata, block_sizes=block_sizes, ratios=ratios, seed=seed, actor=actor.name,
            )
            # Kept before the event is saved: a crash between leaves a seed for an allocation
            # never recorded (harmless), never an allocation without its seed.
            self.seeds.keep(program_id, seed)
            self.service._save(program)
            assert program.trial.allocation is not None
            return program.trial.allocation
        return self.service._retrying(command, program_id)

    def change_arm(
        self, program_id: UUID, *, parent_id: UUID, arm: str, override: bool, reason: str, actor: Actor = SYSTEM
    ) -> TrainingProgram:
        """Move a parent to another arm: only an admin's override does (recorded, flagged in reports)."""
        def command() -> TrainingProgram:
            program = self.service.program(program_id, actor)
            if not program.was_enrolled(parent_id):
                self.service.parent(parent_id, actor)  # unknown, or outside the actor's schools: 404
            program.change_arm(
                parent_id=parent_id, arm=arm, override=override and actor.role == "admin", reason=reason,
                actor=actor.name,
            )
            self.service._save(program)
            return program
        return self.service._retrying(command, program_id)

    def lock(self, program_id: UUID, *, seed: str | None = None, actor: Actor = SYSTEM) -> TrainingProgram:
        """Lock the trial and reveal its seed (the kept one, or the one given, checked against the commitment)."""
        def command() -> TrainingProgram:
            program = self.service.program(program_id, actor)
            revealed = seed or self.seeds.seed_of(program_id)
            if revealed is None:
                raise InvalidAllocationError("this store holds no seed for the trial: give the seed", setting="seed")
            program.lock_trial(seed=revealed, actor=actor.name)
            self.service._save(program)
            return program
        return self.service._retrying(command, program_id)

    def release_fund(
        self, program_id: UUID, *, parent_id: UUID, amount_cents: int, evidence: str,
        released_on: date | None = None, actor: Actor = SYSTEM,
    ) -> FundMove:
        """Release (part of) a child's education fund on what was shown; never below zero."""
        return self._fund_move(program_id, parent_id, actor, lambda program: program.release_fund(
            parent_id=parent_id, amount_cents=amount_cents, evidence=evidence,
            released_on=released_on or today(), actor=actor.name,
        ))

    def forfeit_fund(
        self, program_id: UUID, *, parent_id: UUID, amount_cents: int, reason: str,
        forfeited_on: date | None = None, actor: Actor = SYSTEM,
    ) -> FundMove:
        """Forfeit (part of) a child's education fund, with the reason; never below zero."""
        return self._fund_move(program_id, parent_id, actor, lambda program: program.forfeit_fund(
            parent_id=parent_id, amount_cents=amount_cents, reason=reason,
            forfeited_on=forfeited_on or today(), actor=actor.name,
        ))

    def _fund_move(
        self, program_id: UUID, parent_id: UUID, actor: Actor, move: Callable[[TrainingProgram], FundMove]
    ) -> FundMove:
        """Record a movement out of a child's fund on the fresh programme (retried on a concurrent edit)."""
        def command() -> FundMove:
            program = self._program_of(program_id, parent_id, actor)
            done = move(program)
            self.service._save(program)
            return done
        return self.service._retrying(command, program_id)

    def _program_of(self, program_id: UUID, parent_id: UUID, actor: Actor) -> TrainingProgram:
        program = self.service.program(program_id, actor)
        if not program.was_enrolled(parent_id):
            self.service.parent(parent_id, actor)
        return program


def allocation_answer(program: TrainingProgram) -> dict[str, Any]:
    """The allocation as shown: its settings and commitment, the seed only once the trial is locked."""
    trial = program.trial
    if trial.allocation is None:
        return {"program_id": program.id, "method": None, "locked": False}
    return {
        "program_id": program.id, **trial.allocation.as_dict(), "locked": trial.seed is not None,
        "seed": trial.seed, "allocated": len(trial.arm_of), "overridden": len(trial.overridden),
    }
