"""Counting sittings, the part all three views share: the facts turned into the rulebook's
sittings and counted by it (domain/rules.py). Per parent (their figures), per session (its roll
call: the same tally summed over the parents it counts for), and per sitting (what one parent's
sitting at one session adds to both, so that a change to a few sittings updates the stored
tallies by difference instead of recounting the programme)."""

from __future__ import annotations

from typing import Iterable

from domain.rules import NOTHING, Tally
from projections.db import Tx
from projections.facts import ProgramFacts, Scope, SessionFacts

TABLES = {
    "figure_tallies": """CREATE TABLE figure_tallies (
        program_id TEXT NOT NULL, kind TEXT NOT NULL, item_id TEXT NOT NULL,
        sessions_held INTEGER NOT NULL, attended INTEGER NOT NULL, excused INTEGER NOT NULL,
        homework_assigned INTEGER NOT NULL, homework_completed INTEGER NOT NULL,
        PRIMARY KEY (program_id, kind, item_id))""",
}
"""Each session's and each parent's current tally in a programme (kind 'session' or 'parent'):
what the views' rows were written from, and what a change to some sittings is added to."""
SESSION, PARENT = "session", "parent"
Sitting = tuple[str, str]
"""(session, parent)"""


def tally(facts: ProgramFacts, parent: str) -> Tally:
    """Count the held sessions that count for this parent."""
    return Tally.count(facts.sitting(s, parent) for s in facts.sessions if facts.counts_for(s, parent))


def tallies(facts: ProgramFacts) -> dict[str, Tally]:
    """Every enrolled parent's tally, in order of enrolment."""
    return {parent: tally(facts, parent) for parent in facts.parents}


def roll(facts: ProgramFacts, s: SessionFacts) -> Tally:
    """A session's roll call: its sittings of the parents it counts for, counted."""
    return Tally.count(facts.sitting(s, p) for p in facts.parents if facts.counts_for(s, p))


def rolls(facts: ProgramFacts) -> dict[str, Tally]:
    """Every session's roll call, cancelled ones included (they count for nobody)."""
    return {s.session_id: roll(facts, s) for s in facts.sessions}


def sittings_in(facts: ProgramFacts, scope: Scope) -> dict[Sitting, Tally]:
    """What each sitting in scope adds to its session's and its parent's tally (sittings that do
    not count are left out)."""
    out: dict[Sitting, Tally] = {}
    in_scope = [p for p in facts.parents if p in scope.parents]
    for s in facts.sessions:
        for p in facts.parents if s.session_id in scope.sessions else in_scope:
            if facts.counts_for(s, p):
                out[(s.session_id, p)] = Tally.count([facts.sitting(s, p)])
    return out


def differences(before: dict[Sitting, Tally], after: dict[Sitting, Tally]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """What changed, per session and per parent, between two countings of the same sittings."""
    by_session: dict[str, Tally] = {}
    by_parent: dict[str, Tally] = {}
    for key in before.keys() | after.keys():
        was, now = before.get(key, NOTHING), after.get(key, NOTHING)
        if was != now:
            session, parent = key
            by_session[session] = by_session.get(session, NOTHING) + now - was
            by_parent[parent] = by_parent.get(parent, NOTHING) + now - was
    return by_session, by_parent


def stored(tx: Tx, program: str, kind: str, items: Iterable[str]) -> dict[str, Tally]:
    """The stored tallies of these sessions or parents (those without one are left out)."""
    ids = sorted(items)
    out: dict[str, Tally] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for item, *counts in tx.query(
            "SELECT item_id, sessions_held, attended, excused, homework_assigned, homework_completed FROM figure_tallies"
            f" WHERE program_id = ? AND kind = ? AND item_id IN ({','.join('?' * len(chunk))})", [program, kind, *chunk],
        ):
            out[item] = Tally(*(int(c) for c in counts))
    return out


def rows(program: str, kind: str, found: dict[str, Tally]) -> list[tuple[object, ...]]:
    """Tally rows to store."""
    return [(program, kind, item, t.sessions_held, t.attended, t.excused, t.homework_assigned, t.homework_completed)
            for item, t in found.items()]


def store(tx: Tx, program: str, kind: str, found: dict[str, Tally]) -> None:
    """Replace these sessions' or parents' stored tallies."""
    tx.executemany(
        "INSERT INTO figure_tallies VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (program_id, kind, item_id) DO UPDATE SET"
        " sessions_held = excluded.sessions_held, attended = excluded.attended, excused = excluded.excused,"
        " homework_assigned = excluded.homework_assigned, homework_completed = excluded.homework_completed",
        rows(program, kind, found),
    )
