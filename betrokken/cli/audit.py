"""`betrokken audit ...`: the auditors' commands — the chain's head, its verification, an
aggregate's history and past states, and the projections' replay check."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator
from uuid import UUID

import click

from adapters.config import StoreConfig
from betrokken.system import open_service
from application.history import History
from application.programs import ProgramService
from adapters.checkpoints import CheckpointLog, append_checkpoint, origin_of, verify_checkpoints
from adapters.sealing import Seal, SealedRecorder, SealError, sealing_unsealed
from adapters.signed_note import NoteError, NoteKey, NoteVerifier
from adapters.store_presence import has_event_store
from adapters.verification import BrokenLogError, verify
from betrokken.cli.reads import AUDIT, log_cli_reads
from betrokken.cli.tables import echo_json, echo_table
from domain.errors import NotFoundError


def refuse_without_store(config: StoreConfig) -> None:
    """Exit 2, having created nothing, when the configured store holds no event log: an audit of
    a mistyped directory must not start a new store and report it intact."""
    if has_event_store(config, ProgramService.name):
        return
    where = "the PostgreSQL database" if config.is_postgres else f"the data directory {config.data_dir}"
    click.echo(f"no event store in {where}: nothing to read (this command never creates one); "
               "point BETROKKEN_DATA_DIR or BETROKKEN_DATABASE_URL at an existing store", err=True)
    sys.exit(2)


@contextmanager
def opened(existing: bool = True) -> Iterator[ProgramService]:
    """The programme service on the configured store, closed afterwards; unless `existing` is
    False (an import fills a new store), a store without an event log is refused first."""
    config = StoreConfig.from_environ()
    if existing:
        refuse_without_store(config)
    try:
        service = open_service(config)
    except SealError as e:  # e.g. events without seals: loud, and nothing sealed
        click.echo(f"refused: {e}", err=True)
        sys.exit(1)
    try:
        yield service
    finally:
        service.close()


def logged_read(aggregate_id: UUID, activity: str) -> None:
    """A parent's history or state was shown: log the read (betrokken/cli/reads.py)."""
    with opened() as service:
        log_cli_reads(service, [aggregate_id], activity=activity, purpose=AUDIT)


def looked_up(look: Callable[[History], dict[str, Any]]) -> dict[str, Any]:
    """What the history says about an aggregate; an unknown id is a clear CLI error."""
    with opened() as service:
        try:
            return look(History(service))
        except NotFoundError as e:
            raise click.ClickException(e.message) from None


def sealed(service: ProgramService) -> SealedRecorder:
    recorder = service.recorder
    if not isinstance(recorder, SealedRecorder):
        raise click.ClickException("this store is not configured with the sealing recorder")
    return recorder


def parse_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a UUID", param_hint="ID") from None


@click.group("audit")
def command() -> None:
    """Check that the stored log is untouched, and read its history."""


@command.command("digest")
def digest() -> None:
    """Print the chain's head as POS:HEX; keep it somewhere else to check the log against later."""
    with opened() as service:
        head = sealed(service).head()
    if head is None:
        raise click.ClickException("the log is empty: there is no digest yet")
    click.echo(str(head))


@command.command("verify")
@click.option("--digest", "kept", metavar="POS:HEX", help="A head printed earlier by `audit digest` that the log must still extend.")
@click.option("--checkpoints", "checkpoints", type=click.Path(dir_okay=False, path_type=Path),
              help="A checkpoint log to check the store against (default: the store's own, BETROKKEN_CHECKPOINT_LOG).")
@click.option("--verifier-key", "verifier_key", metavar="NAME+HEX+BASE64",
              help="Check the checkpoints' signatures with this published key, not the store's own key file.")
def verify_command(kept: str | None, checkpoints: Path | None, verifier_key: str | None) -> None:
    """Recompute the hash chain from the stored events; exit 0 when intact, 1 at the first altered position."""
    try:
        kept_seal = Seal.parse(kept) if kept else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--digest") from None
    try:
        published = NoteVerifier.parse(verifier_key) if verifier_key else None
    except NoteError as e:
        raise click.BadParameter(str(e), param_hint="--verifier-key") from None
    if checkpoints is not None and not checkpoints.is_file():
        raise click.BadParameter(f"{checkpoints} is not a file", param_hint="--checkpoints")
    config = StoreConfig.from_environ()
    log = CheckpointLog(checkpoints or config.checkpoint_log())

    def verifier(origin: str) -> NoteVerifier:
        # An outside auditor's published key; else the store's own (read, never created, here).
        return published or NoteKey(origin, config.checkpoint_seed()).verifier

    with opened() as service:
        verdict = verify(sealed(service), kept_seal)
        # Without checkpoints there is nothing to check and no key to read (or create).
        checked = verify_checkpoints(sealed(service), verifier, log) if verdict.intact and log.entries() else None
    if not verdict.intact:
        click.echo(str(verdict), err=True)
        click.echo(f"first bad position: {verdict.first_bad_position}")
        sys.exit(1)
    if checked is None:
        click.echo(f"{verdict}; no checkpoints in {log.path}")
        return
    if not checked.holds:
        click.echo(f"ALTERED: {checked.failure}", err=True)
        sys.exit(1)
    held = "1 checkpoint holds" if checked.checked == 1 else f"{checked.checked} checkpoints hold"
    click.echo(f"{verdict}; {held} ({log.path})")


@command.command("checkpoint")
@click.option("--public-key", "public_key", is_flag=True, help="Print the key that verifies checkpoints instead, for auditors.")
def checkpoint_command(public_key: bool) -> None:
    """Append a signed checkpoint (C2SP tlog-checkpoint) of the log's Merkle tree to the checkpoint log."""
    config = StoreConfig.from_environ()
    log = CheckpointLog(config.checkpoint_log())
    with opened() as service:
        recorder = sealed(service)
        if public_key:
            origin = origin_of(recorder)
            if origin is None:
                raise click.ClickException("the log is empty: it has no name (origin) yet")
            click.echo(NoteKey(origin, config.checkpoint_seed()).verifier_key())
            return
        checkpoint = append_checkpoint(recorder, config.checkpoint_seed(), log)
    if checkpoint is None:
        raise click.ClickException("the log is empty: there is nothing to sign yet")
    click.echo(f"checkpoint {checkpoint.origin} size {checkpoint.size} appended to {log.path}")


@command.command("seal-unsealed")
@click.option("--reason", required=True, help="Why these events may be sealed as they are (recorded).")
def seal_unsealed_command(reason: str) -> None:
    """Seal a store that holds events but no seals (a migration), recorded in the checkpoint log."""
    config = StoreConfig.from_environ()
    refuse_without_store(config)
    log = CheckpointLog(config.checkpoint_log())
    with sealing_unsealed():
        service = open_service(config)
    try:
        recorder = sealed(service)
        head = recorder.head()
        count = sum(1 for _ in recorder.iter_seals())
        what = f"audit seal-unsealed: the store holds {count} sealed events, head {head}; reason: {' '.join(reason.split())}"
        log.record(what)
        append_checkpoint(recorder, config.checkpoint_seed(), log)
    finally:
        service.close()
    click.echo(f"{what} (recorded in {log.path})")


@command.command("history")
@click.argument("aggregate_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def history(aggregate_id: str, as_json: bool) -> None:
    """Every fact recorded about a parent, programme or session, oldest first."""
    found = looked_up(lambda history: history.events_of(parse_id(aggregate_id)))
    logged_read(parse_id(aggregate_id), "betrokken audit history")
    if as_json:
        echo_json(found)
        return
    click.echo(f"aggregate {found['aggregate_id']}")
    echo_table(
        ["version", "type", "timestamp", "actor", "data"],
        [[e["version"], e["type"], e["timestamp"], e["actor"], e["data"]] for e in found["events"]],
    )


@command.command("state")
@click.argument("aggregate_id")
@click.option("--version", type=int, help="The state just after this version.")
@click.option("--as-of", "as_of", type=datetime.fromisoformat, metavar="ISO-8601",
              help="The state at this moment (without an offset: Dutch time).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def state(aggregate_id: str, version: int | None, as_of: datetime | None, as_json: bool) -> None:
    """What a parent, programme or session looked like at a version or a moment (default: now)."""
    if version is not None and as_of is not None:
        raise click.UsageError("give --version or --as-of, not both")
    found = looked_up(lambda history: history.state_at(parse_id(aggregate_id), version=version, as_of=as_of))
    logged_read(parse_id(aggregate_id), "betrokken audit state")
    if as_json:
        echo_json(found)
        return
    click.echo(f"aggregate {found['aggregate_id']} at version {found['version']}")
    echo_table(["attribute", "value"], [[k, v] for k, v in found["state"].items()], width=100)


@command.command("replay-check")
@click.option("--max-rows", default=20, show_default=True, help="Differing rows to print per table.")
def replay_check_command(max_rows: int) -> None:
    """Rebuild every projection from zero into a scratch store and compare it row by row with the
    live one; exit 0 only when identical."""
    from betrokken.replay_check import replay_check
    from betrokken.replay_rows import render

    with opened() as service:
        config = StoreConfig.from_environ()
        try:
            report = replay_check(config, service)
        except BrokenLogError as e:
            # Rebuilt figures from a broken log prove nothing: no comparison, a failure.
            click.echo(f"replay check impossible: {e}; run `betrokken audit verify`", err=True)
            sys.exit(1)
    if report.identical:
        click.echo(f"identical: {report.rows} rows at position {report.position}")
        return
    for diff in report.diffs:
        click.echo(f"table {diff.table}: {len(diff.only_live)} rows only live, {len(diff.only_rebuilt)} only rebuilt")
        for pair in diff.rows[:max_rows]:
            for line in render(pair):
                click.echo(line)
    click.echo(f"DIFFERENT at position {report.position}", err=True)
    sys.exit(1)
