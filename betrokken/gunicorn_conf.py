"""The production gunicorn configuration: `gunicorn -c python:betrokken.gunicorn_conf betrokken.wsgi:app`.

Threaded workers (gthread), each opening its own system after the fork (betrokken/wsgi.py), so
`--preload` is safe; a worker that cannot open the store, or whose master key cannot open the
stored data keys, fails to boot and gunicorn stops with exit code 3 and the reason on stderr.
Settings (each overridable on gunicorn's command line): GUNICORN_BIND (default 127.0.0.1:8000),
GUNICORN_WORKERS (2), GUNICORN_THREADS (8), GUNICORN_TIMEOUT (30 s). The access log is ours
(logger `betrokken.access`, with the user), so gunicorn's own stays off. The master starts one
projections follower process for the host, and stops it on exit."""

from __future__ import annotations

import os
from typing import Any

from betrokken.logs import configure_logging

wsgi_app = "betrokken.wsgi:app"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# A proxy in front terminates TLS; the app believes its headers only for BETROKKEN_PROXY_HOPS
# hops (werkzeug's ProxyFix, web/security.py), so gunicorn's own header handling stays at its default.
accesslog = None
# gunicorn's control socket (25.1+) is one path per user: several servers on one machine would share it.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """The master, before any fork: our loggers to stderr (the workers inherit them); the store's
    tables made once (workers creating them at the same moment collide in PostgreSQL's catalogue)
    and the master key checked, then everything closed again: nothing opened here crosses a fork.
    Then this host's projections follower (`betrokken projections follow`, betrokken/follower.py)
    starts beside the workers, which start no projections thread of their own."""
    from betrokken.follower import start_process

    configure_logging()
    prepare_store()
    server.betrokken_follower = start_process()


def on_exit(server: Any) -> None:
    """The master is stopping: so does this host's projections follower."""
    from betrokken.follower import stop_process

    child = getattr(server, "betrokken_follower", None)
    if child is not None:
        stop_process(child)


def prepare_store(attempts: int = 3) -> None:
    """Open and close the system once; exit with the reason when the master key is refused."""
    from eventsourcing.persistence import IntegrityError

    from adapters.keystore import MasterKeyMismatch
    from betrokken.system import open_system

    for attempt in range(attempts):
        try:
            open_system().close()
            return
        except MasterKeyMismatch as e:
            raise SystemExit(f"refusing to start: {e}") from None
        except IntegrityError:  # another host made the same tables at the same moment: look again
            if attempt == attempts - 1:
                raise


def post_worker_init(worker: Any) -> None:
    """Open this worker's system now, after the fork: connections are the worker's own, and a
    refusal (another master key, no store) stops the boot instead of answering 500s later."""
    opener = getattr(worker.wsgi, "open", None)
    if opener is not None:
        from betrokken.system import warm_name_index

        warm_name_index(opener().extensions["betrokken"].service)


def worker_exit(server: Any, worker: Any) -> None:
    """Close the worker's stores (its projections thread stops, its connections are returned)."""
    closer = getattr(getattr(worker, "wsgi", None), "close", None)
    if closer is not None:
        closer()
