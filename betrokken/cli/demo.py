"""`betrokken demo`: fill an empty store with the demo data set and print a login per role."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import click

from betrokken.demo import DEFAULT_SEED, DEMO_ACTOR, DemoSummary, fill_demo
from betrokken.demo_scale import ScaleProgress, add_schools
from betrokken.system import System, open_system
from domain.errors import UserExistsError


@dataclass(frozen=True)
class DemoUser:
    """A demo login: name, role and the schools it is for (none: every school)."""

    name: str
    role: str
    schools: tuple[str, ...]


DEMO_USERS = (
    DemoUser("beheerder", "admin", ()),
    DemoUser("trainer", "staff", ("12AB", "34CD")),
    DemoUser("controller", "auditor", ("12AB", "56EF")),
    DemoUser("analist", "analyst", ("12AB", "34CD", "56EF")),
)


def stored_events(system: System) -> int:
    """How many events the programme store holds (its last position)."""
    return system.service.recorder.max_notification_id() or 0


def add_logins(system: System) -> list[tuple[DemoUser, str, str]]:
    """Add the demo users (a fresh password each) and issue each an API token."""
    rows = []
    for user in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        try:
            system.accounts.add_user(user.name, user.role, list(user.schools), password, actor=DEMO_ACTOR.name)
        except UserExistsError:
            password = "(existing user, unchanged)"
        rows.append((user, password, system.accounts.issue_token(user.name, actor=DEMO_ACTOR.name)))
    return rows


def print_summary(summary: DemoSummary, seconds: float) -> None:
    kinds = ", ".join(f"{n} {kind}" for kind, n in summary.programs.items())
    click.echo(
        f"Demo data written in {seconds:.1f} s: {len(summary.schools)} schools ({', '.join(summary.schools)}), "
        f"{summary.parents} parents, programmes: {kinds}; {summary.sessions} sessions "
        f"({summary.cancelled} cancelled), {summary.roll_calls} roll calls, {summary.corrections} corrections, "
        f"{summary.assessments} assessments, {summary.payouts} payouts (EUR {summary.paid_cents / 100:.2f}); "
        f"{summary.events} events."
    )


def print_logins(rows: list[tuple[DemoUser, str, str]]) -> None:
    """A table of login / password / token per role (shown once: only hashes are kept)."""
    header = ("role", "login", "schools", "password", "API token")
    lines = [(u.role, u.name, " ".join(u.schools) or "all", pw, token) for u, pw, token in rows]
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    click.echo("")
    click.echo("Logins (passwords and tokens are shown only now; only their hashes are stored):")
    click.echo(fmt.format(*header).rstrip())
    click.echo("-+-".join("-" * w for w in widths))
    for line in lines:
        click.echo(fmt.format(*line).rstrip())
    click.echo("\nUse a token as: Authorization: Bearer TOKEN")


def print_scale(progress: ScaleProgress) -> None:
    click.echo(
        f"  ... {progress.schools} extra schools, {progress.parents} parents, "
        f"{progress.events:,} events, {progress.events_per_second:,.0f} events/s"
    )


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and exit 0) when the store already holds events.")
@click.option("--parents", "parents", type=click.IntRange(min=1), default=None,
              help="Scale up to N parents in all (extra schools with a PACT and a Pittige Jaren group each), "
                   "for benchmarks; about 18.6 events per extra parent.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="The same seed gives the same data.")
def command(if_empty: bool, parents: int | None, seed: int) -> None:
    """Fill an empty store with a realistic demo data set and print a login for each role."""
    system = open_system()
    try:
        existing = stored_events(system)
        if existing:
            if if_empty:
                click.echo(f"The store already holds {existing} events; --if-empty: nothing done.")
                return
            raise click.ClickException(
                f"the store already holds {existing} events; the demo only fills an empty store "
                "(use a fresh BETROKKEN_DATA_DIR / database, or --if-empty to skip without error)"
            )
        started = time.perf_counter()
        summary = fill_demo(system.service, seed=seed)
        print_summary(summary, time.perf_counter() - started)
        if parents and parents > summary.parents:
            click.echo(f"Scaling up to {parents} parents ...")
            progress = add_schools(system.service, parents - summary.parents, seed, report=print_scale)
            print_scale(progress)
            click.echo(
                f"Scaled up in {progress.seconds:.1f} s: {stored_events(system):,} events in the store, "
                f"{progress.events_per_second:,.0f} events/s while generating."
            )
            click.echo("The projections catch up on the first read; `betrokken projections rebuild` does it now.")
        print_logins(add_logins(system))
    finally:
        system.close()
