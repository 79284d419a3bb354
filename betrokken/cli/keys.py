"""`betrokken keys export|import`: move the parents' data keys with the event log.

The events of a store hold personal data encrypted with a key per parent; those keys live
apart from the events (that is what makes erasure possible), so `events export` does not
carry them. Moving a store (SQLite to PostgreSQL) is therefore: export the events and the
keys, import both into the new store, with the same master key."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from uuid import UUID

import click

from adapters.config import StoreConfig
from adapters.keystore import open_keystore


@click.group("keys")
def command() -> None:
    """Move the parents' data keys (still wrapped with the master key) between stores."""


@command.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def export(output: Path | None) -> None:
    """Write every parent key, wrapped with the master key, as JSON Lines; an erased parent's line
    has an empty `wrapped` (the key is gone: only that it was destroyed moves)."""
    keys = open_keystore(StoreConfig.from_environ())
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    count = erased = 0
    try:
        for owner, wrapped in keys.export_wrapped():
            out.write(json.dumps({"owner": str(owner), "wrapped": base64.b64encode(wrapped).decode()}) + "\n")
            count += bool(wrapped)
            erased += not wrapped
    finally:
        if output:
            out.close()
        keys.close()
    click.echo(f"exported {count} keys and {erased} erasures (an erased parent's key is not kept)", err=True)


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Take over keys exported from another store; the master key must be the same."""
    keys = open_keystore(StoreConfig.from_environ())
    count = 0
    try:
        with file.open(encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    keys.import_wrapped(UUID(row["owner"]), base64.b64decode(row["wrapped"], validate=True))
                except (KeyError, TypeError, json.JSONDecodeError) as e:
                    raise click.ClickException(f"line {number} is not an exported key: {e}") from None
                except ValueError as e:
                    raise click.ClickException(f"line {number}: {e}") from None
                count += 1
    finally:
        keys.close()
    click.echo(f"imported {count} keys")
