"""`betrokken trial lock PROGRAM` and `betrokken trial verify PROGRAM`: lock a trial (revealing
its seed) and re-derive every assignment from the revealed seed (docs/allocation.md)."""

from __future__ import annotations

import click

from application.actor import Actor
from application.trial import TrialService
from betrokken.cli.audit import opened, parse_id
from domain.errors import DomainError, NotFoundError
from domain.training_program import TrainingProgram

CLI_ACTOR = Actor(name="cli", role="admin", schools=None)


@click.group("trial")
def command() -> None:
    """Trials: lock the allocation and check it."""


@command.command("lock")
@click.argument("program_id", metavar="PROGRAM")
@click.option("--seed", default=None, help="The seed, when this store does not keep it (moved without `keys`).")
def lock(program_id: str, seed: str | None) -> None:
    """Lock the trial: no new allocations; the seed is recorded in the clear (TrialLocked)."""
    ident = parse_id(program_id)
    with opened() as service:
        try:
            program = TrialService(service).lock(ident, seed=seed, actor=CLI_ACTOR)
        except NotFoundError:
            raise click.ClickException(f"no programme {ident}") from None
        except DomainError as e:
            raise click.ClickException(e.message) from None
    click.echo(f"locked; seed revealed: {program.trial.seed}")


@command.command("verify")
@click.argument("program_id", metavar="PROGRAM")
def verify(program_id: str) -> None:
    """Re-derive every ArmAssigned from the revealed seed; exit 1 on the first that differs."""
    ident = parse_id(program_id)
    with opened() as service:
        try:
            program = service.program(ident)
        except NotFoundError:
            raise click.ClickException(f"no programme {ident}") from None
        events = list(service.repository.event_store.get(ident))
    allocation, seed = program.trial.allocation, program.trial.seed
    if allocation is None or seed is None:
        raise click.ClickException("the trial is not locked: its seed is not revealed yet")
    checked, slots = 0, dict[str, int]()  # the next slot of each stratum: none skipped, none taken twice
    for e in events:
        if isinstance(e, TrainingProgram.ArmAssigned):
            derived = allocation.arm_at(seed, e.stratum, e.slot)
            expected_slot = slots.get(e.stratum, 0)
            slots[e.stratum] = expected_slot + 1
            if e.slot != expected_slot:
                click.echo(f"version {e.originator_version}: slot {e.slot} of {e.stratum}, expected {expected_slot}", err=True)
                raise SystemExit(1)
            if derived != e.arm:
                click.echo(f"version {e.originator_version}: recorded {e.arm}, the seed gives {derived}", err=True)
                raise SystemExit(1)
            checked += 1
    click.echo(f"{checked} assignments re-derived from the seed; all match; {len(program.trial.overridden)} overridden by an admin")
