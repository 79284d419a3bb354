"""Check the stored event log against its hash chain: is it exactly what was written?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from adapters.sealing import GENESIS, Seal, SealedRecorder, StoredRecord, next_link


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: intact, or the first position that differs and why."""

    intact: bool
    events: int
    head: Seal | None
    first_bad_position: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.intact:
            return f"intact: {self.events} events, head {self.head or 'none (empty log)'}"
        return f"ALTERED at position {self.first_bad_position}: {self.reason}"


def _merged(records: Iterator[StoredRecord], seals: Iterator[Seal]) -> Iterator[tuple[int, StoredRecord | None, Seal | None]]:
    """Walk events and seals side by side, by position."""
    r, s = next(records, None), next(seals, None)
    while r is not None or s is not None:
        if s is None or (r is not None and r.position < s.position):
            yield r.position, r, None  # type: ignore[union-attr]
            r = next(records, None)
        elif r is None or s.position < r.position:
            yield s.position, None, s
            s = next(seals, None)
        else:
            yield r.position, r, s
            r, s = next(records, None), next(seals, None)


def verify(recorder: SealedRecorder, kept: Seal | None = None) -> Verdict:
    """Recompute the chain from the stored events; compare it with the seals and a kept digest."""
    link, count, last = GENESIS, 0, None
    kept_seen = False
    for position, record, seal in _merged(recorder.iter_records(), recorder.iter_seals()):
        if record is None:
            return Verdict(False, count, last, position, "an event sealed here is missing (deleted or moved)")
        if seal is None:
            return Verdict(False, count, last, position, "an event here was never sealed (inserted or moved)")
        link = next_link(link, record)
        if link != seal.digest:
            return Verdict(False, count, last, position, "the stored event differs from what was sealed")
        count += 1
        last = Seal(position, link)
        if kept is not None and position == kept.position:
            kept_seen = True
            if link != kept.digest:
                return Verdict(False, count, last, position, "the log up to here no longer matches the kept digest")
    if kept is not None and not kept_seen:
        return Verdict(False, count, last, kept.position, "the kept digest's position is no longer in the log")
    return Verdict(True, count, last)
