"""`betrokken serve`: the API (and the staff UI) on waitress, a production WSGI server."""

from __future__ import annotations

import signal
import sys
from types import FrameType

import click


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
def command(host: str, port: int, threads: int) -> None:
    """Serve Betrokken over HTTP until stopped (Ctrl-C or SIGTERM)."""
    from waitress.server import MultiSocketServer, create_server

    from betrokken.wsgi import open_app

    app = open_app()
    system = app.extensions["betrokken"]
    if not system.accounts.has_users():
        click.echo("No users yet: add one with `betrokken users add NAME --role admin --password-stdin`.", err=True)
    server = create_server(app, host=host, port=port, threads=threads)
    signal.signal(signal.SIGTERM, _stop)
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
        system.close()
