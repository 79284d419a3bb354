"""`betrokken query "SQL"`: analysts' read-only SQL on the projection tables (pseudonymous ids,
no names or contacts), as an aligned table, CSV or JSON. Write statements are refused."""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from typing import Any, Sequence

import click

from adapters.config import StoreConfig
from betrokken.system import open_service
from projections import open_projections
from projections.db import DEFAULT_NAMESPACE, Database, open_database

# What a SELECT may touch on SQLite; anything else (INSERT, ATTACH, CREATE, ...) is denied.
_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_READ_PRAGMAS = {"table_info", "table_xinfo", "table_list", "index_list", "index_info", "database_list"}


class WriteRefused(click.ClickException):
    """The query tried to change something; analysts only read."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"refused: queries are read-only, write statements are not allowed ({detail})")


def _authorize(action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None) -> int:
    if action in _READ_ACTIONS or (action == sqlite3.SQLITE_PRAGMA and arg1 in _READ_PRAGMAS and arg2 is None):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def read_only(config: StoreConfig) -> Database:
    """A connection that cannot write: SQLite mode=ro + query_only + an authorizer; PostgreSQL
    READ ONLY transactions."""
    db = open_database(config, DEFAULT_NAMESPACE, readonly=True)
    if not db.is_postgres:
        db.connection().set_authorizer(_authorize)
    return db


def run(db: Database, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows (PostgreSQL: in a READ ONLY transaction); a write attempt raises WriteRefused."""
    try:
        with db.reading() as tx:
            cur: Any = tx.raw
            if db.is_postgres:
                cur.execute("SET TRANSACTION READ ONLY")
                # With a parameter tuple psycopg uses the extended protocol: one statement only, so a
                # "COMMIT; DELETE ..." cannot step outside the read-only transaction.
                cur.execute(sql.replace("%", "%%"), ())
            else:
                cur.execute(sql)
            return [d[0] for d in cur.description or ()], list(cur.fetchall())
    except sqlite3.Error as e:
        if isinstance(e, sqlite3.DatabaseError) and ("readonly" in str(e) or "not authorized" in str(e)):
            raise WriteRefused(str(e)) from None
        raise click.ClickException(f"query failed: {e}") from None
    except Exception as e:
        import psycopg

        if isinstance(e, psycopg.errors.ReadOnlySqlTransaction):
            raise WriteRefused(str(e).strip()) from None
        if isinstance(e, psycopg.Error):
            raise click.ClickException(f"query failed: {str(e).strip()}") from None
        raise


def plain(value: Any) -> Any:
    """JSON's view of a value (PostgreSQL sums come back as Decimal)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def text(value: Any) -> str:
    return "" if value is None else str(value)


def echo_table(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [[text(v) for v in row] for row in rows]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
    numeric = [bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows) for i in range(len(names))]
    click.echo("  ".join(n.rjust(w) if num else n.ljust(w) for n, w, num in zip(names, widths, numeric)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo("  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(r, widths, numeric)).rstrip())
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", err=True)


@click.command("query")
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--no-catch-up", is_flag=True, help="query the tables as they are, without processing new events first")
def command(sql: str, fmt: str, no_catch_up: bool) -> None:
    """Run read-only SQL on the projection tables (attendance_sessions, attendance_parents,
    completion, rewards, and the facts they come from)."""
    config = StoreConfig.from_environ()
    if not no_catch_up:
        service = open_service(config)
        projections = open_projections(config, service)
        try:
            projections.catch_up()
        finally:
            projections.close()
            service.close()
    db = read_only(config)
    try:
        names, rows = run(db, sql)
    finally:
        db.close()
    if fmt == "json":
        click.echo(json.dumps([dict(zip(names, r)) for r in rows], ensure_ascii=False, indent=2, default=plain))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
    else:
        echo_table(names, rows)
