"""The replay check's differences, row by row: a live row beside the rebuilt row with the same
ids, the columns that differ, and the last event behind the rebuilt row.

"The event behind" is found cheaply and soundly: a projection row is derived only from events
of the aggregates it names (its programme, parent and session ids) and, for a programme, of that
programme's sessions (roll calls, homework). The latest of those events at or before the
compared position is the last one that could have shaped the row: every event after it leaves
the row alone, so `betrokken audit history` of its aggregate is where to start reading. One
pass over the log finds them all, and only when there is a difference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence
from uuid import UUID

from adapters.sealing import SealedRecorder
from projections import Projections

Row = dict[str, Any]


@dataclass(frozen=True)
class EventRef:
    """One stored event: its log position, its type and the aggregate it belongs to."""

    position: int
    type: str
    aggregate_id: str


@dataclass
class RowDiff:
    """A live row and the rebuilt row with the same ids (either may be missing), the columns
    whose values differ, and the last event behind the rebuilt row."""

    live: Row | None
    rebuilt: Row | None
    differing: list[str]
    behind: EventRef | None = None
    ids: list[str] = field(default_factory=list)


def id_columns(columns: Sequence[str]) -> list[str]:
    """The columns naming an aggregate or a record (`program_id`, `parent_id`, ...): a row's key."""
    return [c for c in columns if c.endswith("_id")]


def pair_rows(columns: Sequence[str], only_live: Iterable[tuple[Any, ...]],
              only_rebuilt: Iterable[tuple[Any, ...]]) -> list[RowDiff]:
    """Pair each live row with the rebuilt row of the same ids; a row with no partner stands alone."""
    keys = id_columns(columns)
    rebuilt_by_key: dict[tuple[Any, ...], list[Row]] = {}
    for values in only_rebuilt:
        row = dict(zip(columns, values))
        rebuilt_by_key.setdefault(tuple(row[k] for k in keys), []).append(row)
    pairs = []
    for values in only_live:
        live = dict(zip(columns, values))
        partners = rebuilt_by_key.get(tuple(live[k] for k in keys))
        rebuilt = partners.pop(0) if partners else None
        pairs.append(RowDiff(live, rebuilt, differing_columns(columns, live, rebuilt)))
    for rows in rebuilt_by_key.values():
        pairs.extend(RowDiff(None, row, list(columns)) for row in rows)
    for pair in pairs:
        row = pair.rebuilt or pair.live or {}
        pair.ids = [str(row[k]) for k in keys if row.get(k) is not None]
    return pairs


def differing_columns(columns: Sequence[str], live: Row, rebuilt: Row | None) -> list[str]:
    if rebuilt is None:
        return list(columns)
    return [c for c in columns if live[c] != rebuilt[c]]


def locate(pairs: Sequence[RowDiff], rebuilt: Projections, recorder: SealedRecorder, position: int) -> None:
    """Name, for each differing row, the last event at or before `position` behind it (one pass over the log)."""
    aggregates_of = {id(pair): aggregates_behind(pair, rebuilt) for pair in pairs}
    wanted = set().union(*aggregates_of.values()) if aggregates_of else set()
    latest: dict[str, EventRef] = {}
    for record in recorder.iter_records():
        if record.position > position:
            break
        aggregate = canonical_id(record.originator_id)
        if aggregate in wanted:
            latest[aggregate] = EventRef(record.position, record.topic.rpartition(":")[2], aggregate)
    for pair in pairs:
        found = [latest[a] for a in aggregates_of[id(pair)] if a in latest]
        pair.behind = max(found, key=lambda e: e.position) if found else None


def canonical_id(value: Any) -> str:
    """An id as the projections write it (a UUID with dashes), whichever way the store keeps it."""
    try:
        return str(value if isinstance(value, UUID) else UUID(str(value)))
    except ValueError:
        return str(value)


def aggregates_behind(pair: RowDiff, rebuilt: Projections) -> set[str]:
    """The aggregates whose events a row is derived from: the ids it names, and a programme's sessions."""
    row = pair.rebuilt or pair.live or {}
    found = {canonical_id(i) for i in pair.ids}
    program_id = row.get("program_id")
    if program_id is not None:
        found.update(canonical_id(s) for (s,) in rebuilt.db.query("SELECT session_id FROM sessions WHERE program_id = ?",
                                                         (program_id,)))
    return found


def render(pair: RowDiff) -> list[str]:
    """A differing row as `column=value` pairs, live above rebuilt, `*` before each column that
    differs, then the event behind it."""
    lines = []
    for side, row in (("live   ", pair.live), ("rebuilt", pair.rebuilt)):
        if row is None:
            lines.append(f"  {side} (no such row)")
            continue
        cells = [f"{'*' if c in pair.differing else ''}{c}={v}" for c, v in row.items()]
        lines.append(f"  {side} " + " ".join(cells))
    if pair.behind is not None:
        e = pair.behind
        lines.append(f"  last event behind it: position {e.position} ({e.type} of {e.aggregate_id});"
                     f" see `betrokken audit history {e.aggregate_id}`")
    return lines
