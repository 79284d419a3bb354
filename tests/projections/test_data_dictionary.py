"""docs/projections.md describes every table and column of the live projection schema (and no
table or column the schema does not have)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from adapters.config import StoreConfig
from projections.catch_up import ensure_schema
from projections.db import open_database

DOC = Path(__file__).resolve().parents[2] / "docs" / "projections.md"


def documented() -> dict[str, list[str]]:
    """Per table (a `### \\`name\\`` heading), the columns its table lists."""
    tables: dict[str, list[str]] = {}
    columns: list[str] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := re.fullmatch(r"### `(\w+)`", line):
            columns = tables.setdefault(m[1], [])
        elif line.startswith("## "):
            columns = None
        elif columns is not None and (m := re.match(r"\| `(\w+)` \|", line)):
            columns.append(m[1])
    return tables


def live_schema(data_dir: Path) -> dict[str, list[str]]:
    """The projection store's tables and columns, as created on a fresh SQLite store."""
    db = open_database(StoreConfig(data_dir=data_dir))
    try:
        ensure_schema(db)
    finally:
        db.close()
    with sqlite3.connect(data_dir / "projections.sqlite") as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        schema = {n: [row[1] for row in conn.execute(f"PRAGMA table_info({n})")] for n in names}
    conn.close()
    return schema


def test_every_live_column_is_documented(tmp_path: Path) -> None:
    doc = documented()
    missing = [f"{t}.{c}" for t, cols in live_schema(tmp_path).items() for c in cols if c not in doc.get(t, [])]
    assert not missing, f"describe these columns in docs/projections.md (under ### `table`): {missing}"


def test_every_documented_column_is_live(tmp_path: Path) -> None:
    live = live_schema(tmp_path)
    stale = [f"{t}.{c}" for t, cols in documented().items() for c in cols if c not in live.get(t, [])]
    assert not stale, f"docs/projections.md describes columns the schema no longer has: {stale}"
