"""`betrokken privacy ...`: the retention sweep, the read log, and the corrections staff would
script (the new school year, a programme closed or reopened, a payout reversed)."""

from __future__ import annotations

import os

import click

from adapters.config import StoreConfig
from adapters.idempotency import open_idempotency
from adapters.read_log import ReadLog
from application.privacy import sweep
from betrokken.cli.audit import opened, parse_id, refuse_without_store
from betrokken.cli.parents import CLI_ACTOR
from betrokken.cli.tables import echo_table
from domain.errors import DomainError, NotFoundError
from domain.retention import parse_months

RETENTION_VARIABLE = "BETROKKEN_RETENTION_MONTHS"


@click.group("privacy")
def command() -> None:
    """Retention, the read log, and corrections (AVG)."""


def retention_months() -> dict[str, int]:
    """The school board's retention per programme kind (BETROKKEN_RETENTION_MONTHS), over the defaults."""
    try:
        return parse_months(os.environ.get(RETENTION_VARIABLE, ""))
    except ValueError as e:
        raise click.ClickException(f"{RETENTION_VARIABLE}: {e}") from None


@command.command("sweep")
@click.option("--dry-run", is_flag=True, help="Say whom it would erase; change nothing.")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to judge retention on (default today).")
def sweep_command(dry_run: bool, on: object) -> None:
    """Erase the parents past retention who are in no running programme, and held erasure
    requests whose date has passed; prints each parent and why. Figures stay."""
    months = retention_months()
    day = on.date() if on is not None else None  # type: ignore[attr-defined]
    config = StoreConfig.from_environ()
    refuse_without_store(config)  # before anything opens (and would create) a file there
    idempotency = None if dry_run else open_idempotency(config)
    try:
        with opened() as service:
            report = sweep(service, idempotency, on=day, dry_run=dry_run, months=months, actor=CLI_ACTOR)
    finally:
        if idempotency is not None:
            idempotency.close()
    for line in report.lines():
        click.echo(line)


@command.command("reads")
@click.option("--parent", "parent_id", default=None, help="Only reads of this parent.")
@click.option("--user", default=None, help="Only reads by this user.")
@click.option("--verify", is_flag=True, help="Check the read log's hash chain instead (exit 1 when broken).")
def reads_command(parent_id: str | None, user: str | None, verify: bool) -> None:
    """Who read which parent's personal data, when, how and why (oldest first)."""
    config = StoreConfig.from_environ()
    refuse_without_store(config)
    log = ReadLog(config)
    try:
        if verify:
            count, bad = log.verify()
            if bad is not None:
                click.echo(f"ALTERED: the read log's chain breaks at position {bad} (after {count} good rows)")
                raise SystemExit(1)
            click.echo(f"intact: {count} reads")
            return
        found = log.find(parent_id=parse_id(parent_id) if parent_id else None, user=user, limit=1_000_000)
    finally:
        log.close()
    echo_table(["position", "at", "user", "role", "parent_id", "channel", "activity", "purpose"],
               [[r.position, r.at, r.user_name, r.role, r.parent_id, r.channel, r.activity, r.purpose] for r in found])


def _done(what: str) -> None:
    click.echo(what)


@command.command("school-year")
@click.argument("brin")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="The first day of the new year.")
def school_year(brin: str, on: object) -> None:
    """The new school year at one school: every child a group up, groep 8 marked as left."""
    with opened() as service:
        moved, left = service.corrections.start_school_year(brin, on=on.date(), actor=CLI_ACTOR)  # type: ignore[attr-defined]
    _done(f"school {brin}: {moved} children moved up a group, {left} left (groep 8)")


def _program_command(run: str, program_id: str, reason: str, payout_id: str | None = None) -> None:
    ident = parse_id(program_id)
    with opened() as service:
        try:
            if run == "close":
                service.corrections.close_program(ident, reason=reason, actor=CLI_ACTOR)
            elif run == "reopen":
                service.corrections.reopen_program(ident, reason=reason, actor=CLI_ACTOR)
            else:
                assert payout_id is not None
                service.corrections.reverse_payout(ident, parse_id(payout_id), reason=reason, actor=CLI_ACTOR)
        except (NotFoundError, DomainError) as e:
            raise click.ClickException(e.message) from None


@command.command("close-programme")
@click.argument("program_id", metavar="ID")
@click.option("--reason", required=True)
@click.option("--reopen", is_flag=True, help="Reopen a closed programme instead.")
def close_programme(program_id: str, reason: str, reopen: bool) -> None:
    """Close a programme (no more sessions, enrolments or payouts; its figures final), or reopen it."""
    _program_command("reopen" if reopen else "close", program_id, reason)
    _done(f"programme {program_id} {'reopened' if reopen else 'closed'}")


@command.command("reverse-payout")
@click.argument("program_id", metavar="PROGRAM_ID")
@click.argument("payout_id", metavar="PAYOUT_ID")
@click.option("--reason", required=True)
def reverse_payout(program_id: str, payout_id: str, reason: str) -> None:
    """Reverse a payout recorded by mistake (once)."""
    _program_command("reverse", program_id, reason, payout_id)
    _done(f"payout {payout_id} reversed")

