"""`betrokken projections`: how far the read models are behind the event log, and rebuilding
them from position 0."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

import click

from adapters.config import StoreConfig
from adapters.verification import BrokenLogError
from betrokken.system import open_service
from projections import Projections, open_projections


@contextmanager
def opened() -> Iterator[Projections]:
    """The projections of the configured store (no background thread: one-shot commands)."""
    config = StoreConfig.from_environ()
    service = open_service(config)
    projections = open_projections(config, service)
    try:
        yield projections
    finally:
        projections.close()
        service.close()


@click.group("projections")
def command() -> None:
    """The read models (attendance, completion, rewards): status and rebuild."""


@command.command("status")
@click.option("--catch-up", is_flag=True, help="process everything committed first")
def status(catch_up: bool) -> None:
    """Position of each view, the store's head and the lag (events not yet processed)."""
    with opened() as projections:
        if catch_up:
            projections.catch_up()
        rows = projections.status()
        broken = projections.broken
    widths = (12, 12, 12, 8)
    click.echo("".join(h.ljust(w) for h, w in zip(("view", "position", "head", "lag"), widths)).rstrip())
    for r in rows:
        values = (r["name"], r["position"], r["head"], r["lag"])
        click.echo("".join(str(v).ljust(w) for v, w in zip(values, widths)).rstrip())
    if broken is not None:
        click.echo(f"catch-up stopped: {broken}; run `betrokken audit verify`", err=True)
        sys.exit(1)


@command.command("follow")
@click.option("--parent", type=int, default=None, hidden=True, help="stop when this process is gone")
def follow_command(parent: int | None) -> None:
    """Keep the read models caught up with the event log until stopped (Ctrl-C or SIGTERM): the
    follower `betrokken serve` starts beside itself, and one per host beside gunicorn."""
    from betrokken.follower import run_until_signalled
    from betrokken.logs import configure_logging

    configure_logging()
    run_until_signalled(StoreConfig.from_environ(), parent)


@command.command("rebuild")
def rebuild() -> None:
    """Drop the read models and replay the whole event log from position 0; exit 1 (nothing
    published from there on) at the first event that no longer matches its seal."""
    from tqdm import tqdm

    with opened() as projections:
        with tqdm(total=projections.head(), unit="ev", unit_scale=True, file=sys.stderr, desc="rebuild") as bar:
            def progress(position: int, head: int) -> None:
                bar.total = head
                bar.update(position - bar.n)

            try:
                stats = projections.rebuild(progress)
            except BrokenLogError as e:
                bar.close()
                click.echo(f"rebuild stopped: {e}", err=True)
                click.echo(f"the projections hold the figures up to position {projections.position}, nothing after "
                           "it; run `betrokken audit verify`", err=True)
                sys.exit(1)
    others = f"; servers reading meanwhile processed {stats.by_others} more" if stats.by_others else ""
    click.echo(
        f"rebuilt {stats.events} events up to position {stats.position} in {stats.seconds:.2f} s "
        f"({stats.events_per_second:,.0f} events/s){others}"
    )
