"""The server's daily privacy sweep: a thread that erases the parents past retention (and held
erasure requests come due) once a day, as `betrokken privacy sweep` does, and logs what it did."""

from __future__ import annotations

import logging
import threading

from adapters.idempotency import IdempotencyStore
from application.actor import Actor
from application.privacy import sweep
from application.programs import ProgramService

log = logging.getLogger("betrokken.privacy")

DAY = 24 * 3600.0
FIRST_DELAY = 60.0  # seconds after start: a server restarted daily still sweeps, after it is up
SWEEP_ACTOR = Actor(name="retention-sweep", role="admin", schools=None)


class Sweeper(threading.Thread):
    """Sweeps after `first_delay` seconds, then every `interval`; `stop()` ends it."""

    def __init__(
        self, service: ProgramService, idempotency: IdempotencyStore | None, months: dict[str, int],
        interval: float = DAY, first_delay: float = FIRST_DELAY,
    ) -> None:
        super().__init__(name="privacy-sweep", daemon=True)
        self.service, self.idempotency, self.months = service, idempotency, months
        self.interval, self.first_delay = interval, first_delay
        self._stopping = threading.Event()
        self.runs = 0

    def run(self) -> None:
        wait = self.first_delay
        while not self._stopping.wait(wait):
            try:
                report = sweep(self.service, self.idempotency, months=self.months, actor=SWEEP_ACTOR)
                for line in report.lines():
                    log.info("%s", line)
            except Exception:  # a failed sweep must not end the thread nor the server
                log.exception("the privacy sweep failed")
            self.runs += 1
            wait = self.interval

    def stop(self) -> None:
        """End the thread (after the sweep it may be running) and wait for it."""
        self._stopping.set()
        self.join()
