"""Rules that change mid-year: an admin replaces a programme's completion rule or reward scheme
from a date on (an event with its actor and reason), and anyone who sees the programme reads
the history of its rules. The figures follow the rule in force (domain/rules.py, `Rulebook`)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from application.actor import SYSTEM, Actor
from application.clock import today
from application.programs import ProgramService
from domain.training_program import RecordedRuleChange, TrainingProgram


def change_rules(
    service: ProgramService,
    program_id: UUID,
    *,
    effective_from: date,
    reason: str,
    completion: dict[str, Any] | None = None,
    rewards: dict[str, Any] | None = None,
    actor: Actor = SYSTEM,
) -> RecordedRuleChange:
    """Replace the programme's completion rule and/or reward scheme from `effective_from` on;
    values not given are those in force on that date."""
    def command() -> RecordedRuleChange:
        program = service.program(program_id, actor)
        change = program.change_rules(
            effective_from=effective_from, completion=completion, rewards=rewards, reason=reason, actor=actor.name,
        )
        service._save(program)
        return change
    return service._retrying(command, program_id)


def change_of(c: RecordedRuleChange) -> dict[str, Any]:
    """One change as the API and the programme page show it."""
    return {
        "effective_from": c.change.effective_from,
        "completion": c.change.completion.as_dict() if c.change.completion else None,
        "rewards": c.change.rewards.as_dict() if c.change.rewards else None,
        "reason": c.reason,
        "actor": c.actor,
    }


def rules_history(program: TrainingProgram, on: date | None = None) -> dict[str, Any]:
    """The rules the programme was created with, every change in the order recorded, and the
    rules in force on a day (today in the Netherlands unless given)."""
    day = on or today()
    completion, rewards = program.rulebook_for_programme().in_force(day)
    return {
        "created": {"completion": program.completion.as_dict(), "rewards": program.rewards.as_dict()},
        "changes": [change_of(c) for c in program.rule_changes],
        "in_force": {"on": day, "completion": completion.as_dict(), "rewards": rewards.as_dict()},
    }


def rules(service: ProgramService, program_id: UUID, actor: Actor = SYSTEM, on: date | None = None) -> dict[str, Any]:
    """The history of a programme's rules, if the actor may see the programme."""
    return rules_history(service.program(program_id, actor), on)
