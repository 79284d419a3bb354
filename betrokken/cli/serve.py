"""`betrokken serve`: the API (and the staff UI) on waitress, a production WSGI server."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

import click

from adapters.checkpoints import CheckpointLog
from adapters.config import StoreConfig
from adapters.keystore import MasterKeyMismatch
from adapters.sealing import SealedRecorder
from betrokken.checkpointer import DEFAULT_INTERVAL, Checkpointer
from betrokken.system import warm_name_index
from betrokken.sender import start_sender
from betrokken.cli.privacy import retention_months
from betrokken.sweeper import Sweeper
from betrokken.logs import configure_logging


def start_checkpointer(config: StoreConfig, recorder: object) -> Checkpointer | None:
    """Sign a checkpoint now and every BETROKKEN_CHECKPOINT_INTERVAL seconds (default 600) while
    the log grows; 0 turns it off."""
    setting = os.environ.get("BETROKKEN_CHECKPOINT_INTERVAL") or str(DEFAULT_INTERVAL)
    try:
        interval = float(setting)
    except ValueError:
        raise click.ClickException(
            f"BETROKKEN_CHECKPOINT_INTERVAL must be a number of seconds (0 turns checkpoints off), not {setting!r}"
        ) from None
    if interval <= 0 or not isinstance(recorder, SealedRecorder):
        return None
    checkpointer = Checkpointer(recorder, config.checkpoint_seed(), CheckpointLog(config.checkpoint_log()), interval)
    checkpointer.start()
    return checkpointer


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--projector", type=click.Choice(["process", "thread"]), default="process", show_default=True,
              help="keep the read models up in a process beside the server's, or in a thread of its own")
def command(host: str, port: int, threads: int, projector: str) -> None:
    """Serve Betrokken over HTTP until stopped (Ctrl-C or SIGTERM)."""
    from waitress.server import MultiSocketServer, create_server

    from betrokken import follower
    from betrokken.wsgi import open_app

    configure_logging()  # one access-log line per request on stderr (web/access_log.py)
    if projector == "process":
        os.environ[follower.ENV] = "process"  # this process's system starts no projections thread
    else:
        os.environ.pop(follower.ENV, None)  # whatever this process inherited: the thread it is
    try:
        app = open_app()
    except MasterKeyMismatch as e:
        raise click.ClickException(f"refusing to start: {e}") from None
    system = app.extensions["betrokken"]
    checkpointer = start_checkpointer(system.config, system.service.recorder)
    try:
        sender = start_sender(system.service, system.projections)  # messages to parents (betrokken/sender.py)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    sweeper = Sweeper(system.service, system.idempotency, retention_months())  # daily (docs/privacy.md)
    sweeper.start()
    warm_name_index(system.service)
    if not system.accounts.has_users():
        click.echo("No users yet: add one with `betrokken users add NAME --role admin --password-stdin`.", err=True)
    server = create_server(app, host=host, port=port, threads=threads)
    signal.signal(signal.SIGTERM, _stop)
    following = follower.Supervised() if projector == "process" else None  # betrokken/follower.py
    # A name like "localhost" may give several sockets; they all share the port.
    if isinstance(server, MultiSocketServer):
        bound = server.effective_listen[0][1]
    else:  # types-waitress leaves out the port a single server bound
        bound = server.effective_port  # type: ignore[attr-defined]
    click.echo(f"Betrokken is listening on http://{host}:{bound}")
    sys.stdout.flush()
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.close()
        if checkpointer is not None:
            checkpointer.stop()
        if sender is not None:
            sender.stop()
        sweeper.stop()
        if following is not None:
            following.stop()
        system.close()
