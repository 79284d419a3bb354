"""Counting one parent's sessions in one programme, the part all three views share: the facts
turned into the rulebook's sittings and counted by it (domain/rules.py)."""

from __future__ import annotations

from domain.rules import Tally
from projections.facts import ProgramFacts


def tally(facts: ProgramFacts, parent: str) -> Tally:
    """Count the held sessions that count for this parent."""
    return Tally.count(facts.sitting(s, parent) for s in facts.sessions if facts.counts_for(s, parent))


def tallies(facts: ProgramFacts) -> dict[str, Tally]:
    """Every enrolled parent's tally, in order of enrolment."""
    return {parent: tally(facts, parent) for parent in facts.parents}
