"""The server's checkpointer: a thread that appends a signed checkpoint every so often, when the
log has grown since the last one (so an idle server adds nothing)."""

from __future__ import annotations

import logging
import threading

from adapters.checkpoints import CheckpointLog, current
from adapters.sealing import Seal, SealedRecorder
from adapters.signed_note import NoteKey

log = logging.getLogger("betrokken.checkpoints")

DEFAULT_INTERVAL = 600.0  # seconds: ten minutes


class Checkpointer(threading.Thread):
    """Appends a checkpoint every `interval` seconds while the log grew; `stop()` ends it."""

    def __init__(self, recorder: SealedRecorder, seed: bytes, checkpoints: CheckpointLog, interval: float = DEFAULT_INTERVAL) -> None:
        super().__init__(name="checkpointer", daemon=True)
        self.recorder, self.seed, self.checkpoints, self.interval = recorder, seed, checkpoints, interval
        self._stopping = threading.Event()
        self._last_head: Seal | None = None  # the head at the last look: unchanged, nothing to do

    def run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # a failed checkpoint must not end the thread nor the server
                log.exception("could not append a checkpoint")
            if self._stopping.wait(self.interval):
                return

    def tick(self) -> None:
        """Append a checkpoint if the log is longer than the last one written. An idle server reads
        only the head seal: the tree is rebuilt only when the log has changed since the last look."""
        head = self.recorder.head()
        if head is None or head == self._last_head:
            return
        tree = current(self.recorder)
        if tree is not None and tree.size > self.checkpoints.last_size():
            self.checkpoints.append(NoteKey(tree.origin, self.seed).sign(tree))
            log.info("checkpoint %s size %d appended to %s", tree.origin, tree.size, self.checkpoints.path)
        self._last_head = head  # only once this head is checkpointed: a failure is tried again

    def stop(self) -> None:
        """End the thread (after the checkpoint it may be writing) and wait for it."""
        self._stopping.set()
        self.join()
