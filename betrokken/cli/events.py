"""`betrokken events export|import`: the whole event log as JSON Lines, and back into an empty
store (for instance from the SQLite file into PostgreSQL), positions and chain head unchanged."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import click

from application.export import ImportRefusedError, export_events, import_events
from betrokken.cli.audit import opened, sealed
from betrokken.cli.reads import EXPORT, log_cli_reads


@click.group("events")
def command() -> None:
    """Move the stored event log out of and into a store."""


@command.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option("--with-personal-data", is_flag=True,
              help="Show names, contact details and other personal fields in clear in `data` (left out by default).")
@click.option("--without-data", is_flag=True,
              help="Leave out the decoded data altogether (kept for scripts; personal data is left out anyway).")
def export(output: Path | None, with_personal_data: bool, without_data: bool) -> None:
    """Write every stored event as JSON Lines, in log order (one event a line), without personal
    data unless --with-personal-data; the stored state (personal fields encrypted) is always there."""
    if with_personal_data and without_data:
        raise click.UsageError("--with-personal-data and --without-data contradict each other: give one")
    with opened() as service:
        sealed(service)
        if with_personal_data:
            # Said every time, on stderr, so a file written with it never goes out unnoticed.
            click.echo(f"warning: this export contains personal data in clear (names, phone numbers, e-mail "
                       f"addresses, withdrawal reasons): {output or 'stdout'} must be kept as safely as the store",
                       err=True)
        if output is None:
            count = export_events(service, sys.stdout, not without_data, with_personal_data)
        else:
            with output.open("w", encoding="utf-8") as out:
                count = export_events(service, out, not without_data, with_personal_data)
        if with_personal_data:  # every parent's data was read: each gets a row in the read log
            log_cli_reads(service, service.directory.parents_of(None), activity="betrokken events export --with-personal-data",
                          purpose=EXPORT, channel="export")
    contents = "with personal data" if with_personal_data else "without personal data"
    click.echo(f"exported {count} events, {contents}", err=True)


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch", default=1000, show_default=True, help="Events per transaction.")
def import_(file: Path, batch: int) -> None:
    """Import an export into an EMPTY store, at the same positions; prints the chain head."""

    def lines() -> Iterator[str]:
        with file.open(encoding="utf-8") as f:
            yield from f

    with opened(existing=False) as service:
        if not sealed(service).is_empty():
            raise click.ClickException("import refused: the store already holds events; import only into an empty store")
        try:
            with click.progressbar(length=sum(1 for line in lines() if line.strip()), label="importing", file=sys.stderr) as bar:
                result = import_events(service, lines, batch=batch, progress=bar.update)
        except ImportRefusedError as e:
            raise click.ClickException(f"import refused: {e}") from None
    click.echo(f"imported {result.events} events; chain head {result.head}")
