"""The projections' follower in a process of its own: it keeps the read models caught up with
the event log while the web server's processes only answer requests.

A server process with a follower thread shares one interpreter between its requests and the
projections' work; under load the two take turns. So `betrokken serve` and the gunicorn
configuration start one follower process per host (`betrokken projections follow`) and open
their own systems without a follower thread. Nothing depends on it for correctness: a reader
still catches the views up to the head of the log before it answers (read your writes), and
several followers (one per host) take turns through the database's lock. The follower polls the
head of the log: every BUSY seconds while events keep coming (so a page holds several
requests' events), every IDLE seconds when none do; a look that finds the head where it was
costs one read."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from types import FrameType

from adapters.config import StoreConfig
from betrokken.system import open_service
from projections import open_projections

log = logging.getLogger("betrokken.projections")

ENV = "BETROKKEN_FOLLOWER"
"""Set to `process` by whoever started a follower process for this host: systems opened by the
web server then start no follower thread of their own."""
BUSY, IDLE = 0.01, 0.05
FOLLOWER_POOL = "2"
STOP_WAIT = 10.0


def follow(config: StoreConfig, stop: threading.Event, parent: int | None = None) -> int:
    """Catch up, and again whenever the log has grown, until `stop` is set (or the process
    `parent` is gone); returns the position reached."""
    # One catch-up at a time needs few of the event store's connections (PostgreSQL).
    config = replace(config, settings={"BETROKKEN_POOL_SIZE": FOLLOWER_POOL, **config.settings})
    service = open_service(config)
    projections = open_projections(config, service)
    try:
        seen = -1
        while not stop.is_set():
            if parent is not None and os.getppid() != parent:
                break  # the server that started us is gone
            try:
                head = projections.head()
                if head != seen:  # the log grew (or this is the first look): one read of the head only, else
                    projections.catch_up(head)
            except Exception:  # a failed page is read again; the log says why
                log.exception("the projections' catch-up failed; trying again in a second")
                stop.wait(1.0)
                continue
            stop.wait(BUSY if head != seen else IDLE)
            seen = head
        return projections.position
    finally:
        projections.close()
        service.close()


def run_until_signalled(config: StoreConfig, parent: int | None = None) -> int:
    """`follow` in this process until SIGTERM or SIGINT."""
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    return follow(config, stop, parent)


def start_process(env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`betrokken projections follow` as a child of this process (it ends when this one does),
    and this process's systems told to start no follower thread."""
    child = subprocess.Popen(
        [sys.executable, "-c", "from betrokken.cli.main import cli; cli()", "projections", "follow",
         "--parent", str(os.getpid())],
        env=env if env is not None else dict(os.environ),
    )
    os.environ[ENV] = "process"
    return child


class Supervised:
    """This server's follower process, started again (with a line in the log) whenever it ends
    without being asked to: the views never stay behind for want of it, and a reader never has to
    do the follower's work for the rest of the server's life."""

    def __init__(self, check_every: float = 1.0) -> None:
        self.child = start_process()
        self.restarts = 0
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, args=(check_every,), name="follower-watch", daemon=True)
        self._watcher.start()

    def _watch(self, every: float) -> None:
        while not self._stopping.wait(every):
            code = self.child.poll()
            if code is not None and not self._stopping.is_set():
                log.warning("the projections follower ended (exit code %s); starting another", code)
                self.child = start_process()
                self.restarts += 1

    def stop(self) -> None:
        """Stop watching, then stop the follower (see `stop_process`)."""
        self._stopping.set()
        self._watcher.join()
        stop_process(self.child)


def stop_process(child: subprocess.Popen[bytes]) -> None:
    """Stop the follower process and wait for it (killed if it takes longer than STOP_WAIT)."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    os.environ.pop(ENV, None)


def thread_wanted() -> bool:
    """Whether systems opened in this process should follow the log in a thread of their own
    (not when a follower process serves this host)."""
    return os.environ.get(ENV) != "process"
