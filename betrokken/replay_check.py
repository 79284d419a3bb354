"""The replay check: rebuild every projection from position 0 into a scratch store and compare
it, row by row, with the live projections. Equal means the live read models are exactly what
the event log says; a difference is a projection bug (or a read model edited by hand)."""

from __future__ import annotations

import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from adapters.config import StoreConfig
from adapters.sealing import SealedRecorder
from application.programs import ProgramService
from projections import Projections, open_projections
from projections.catch_up import all_tables
from betrokken.replay_rows import RowDiff, locate, pair_rows

SCRATCH_PREFIX = "replay_check_"


@dataclass
class TableDiff:
    """Rows only in the live table, and rows only in the rebuilt one (with how often), under
    the table's column names."""

    table: str
    only_live: list[tuple[Any, ...]] = field(default_factory=list)
    only_rebuilt: list[tuple[Any, ...]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[RowDiff] = field(default_factory=list)  # the differing rows paired, with the event behind each


@dataclass
class ReplayReport:
    """The outcome: the position both were compared at, the rows compared and the differences."""

    position: int
    rows: int
    diffs: list[TableDiff]

    @property
    def identical(self) -> bool:
        return not self.diffs


def table_rows(projections: Projections, table: str) -> Counter[tuple[Any, ...]]:
    """Every row of a projection table, as a multiset."""
    return Counter(tuple(row) for row in projections.db.query(f"SELECT * FROM {table}"))


def column_names(projections: Projections, table: str) -> list[str]:
    """A projection table's columns, in the order `SELECT *` gives them."""
    with projections.db.reading() as tx:
        return [d[0] for d in tx.execute(f"SELECT * FROM {table} WHERE 1 = 0").description]


def compare(live: Projections, rebuilt: Projections) -> tuple[int, list[TableDiff]]:
    """Compare every projection table row by row."""
    diffs, rows = [], 0
    for table in all_tables():
        a, b = table_rows(live, table), table_rows(rebuilt, table)
        rows += sum(a.values())
        if a != b:
            diffs.append(TableDiff(table, sorted((a - b).elements(), key=repr), sorted((b - a).elements(), key=repr),
                                   column_names(live, table)))
    return rows, diffs


def in_step(live: Projections, rebuilt: Projections) -> int:
    """Bring both to the same position (writes may land meanwhile); the position reached."""
    for _ in range(10):
        a, b = live.catch_up(), rebuilt.catch_up()
        if a == b:
            return a
    raise RuntimeError("the store kept changing during the replay check; try again when it is quiet")


def replay_check(config: StoreConfig, service: ProgramService) -> ReplayReport:
    """Rebuild all projections from zero into a scratch store and diff them with the live ones."""
    live = open_projections(config, service)
    try:
        with tempfile.TemporaryDirectory(prefix="betrokken-replay-") as scratch_dir:
            namespace = f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
            scratch = replace(config, data_dir=Path(scratch_dir))
            rebuilt = open_projections(scratch, service, namespace=namespace)
            try:
                live.catch_up()
                rebuilt.rebuild()
                position = in_step(live, rebuilt)
                rows, diffs = compare(live, rebuilt)
                explain(diffs, rebuilt, service, position)
            finally:
                if config.is_postgres:
                    _drop_schema(rebuilt, namespace)
                rebuilt.close()
    finally:
        live.close()
    return ReplayReport(position, rows, diffs)


def explain(diffs: list[TableDiff], rebuilt: Projections, service: ProgramService, position: int) -> None:
    """Pair each table's differing rows and name the last event behind each (betrokken/replay_rows.py)."""
    if not diffs:
        return
    for diff in diffs:
        diff.rows = pair_rows(diff.columns, diff.only_live, diff.only_rebuilt)
    if isinstance(service.recorder, SealedRecorder):
        locate([pair for diff in diffs for pair in diff.rows], rebuilt, service.recorder, position)


def _drop_schema(rebuilt: Projections, namespace: str) -> None:
    """Remove the scratch schema from PostgreSQL."""
    with rebuilt.db.exclusive() as tx:
        tx.execute(f'DROP SCHEMA IF EXISTS "{namespace}" CASCADE')
