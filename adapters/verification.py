"""Check the stored event log against its hash chain: is it exactly what was written?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from eventsourcing.persistence import Notification

from adapters.sealing import GENESIS, Seal, SealedRecorder, StoredRecord, links_after, next_link

MISSING = "an event sealed here is missing (deleted or moved)"
UNSEALED = "an event here was never sealed (inserted or moved)"
DIFFERS = "the stored event differs from what was sealed"


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
            return Verdict(False, count, last, position, MISSING)
        if seal is None:
            return Verdict(False, count, last, position, UNSEALED)
        link = next_link(link, record)
        if link != seal.digest:
            return Verdict(False, count, last, position, DIFFERS)
        count += 1
        last = Seal(position, link)
        if kept is not None and position == kept.position:
            kept_seen = True
            if link != kept.digest:
                return Verdict(False, count, last, position, "the log up to here no longer matches the kept digest")
    if kept is not None and not kept_seen:
        return Verdict(False, count, last, kept.position, "the kept digest's position is no longer in the log")
    return Verdict(True, count, last)


class BrokenLogError(Exception):
    """The stored log no longer matches its seals here: nothing from this position on may count."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(position, reason)
        self.position = position
        self.reason = reason

    def __str__(self) -> str:
        return f"the event log is broken at position {self.position}: {self.reason}"


class PageCheck:
    """Checks each page of notifications a reader takes from the log against the seals, as it reads:
    the link before the page comes from the seal table, each event's link is recomputed from it
    and compared with the event's own seal."""

    def __init__(self, recorder: SealedRecorder) -> None:
        self.recorder = recorder

    def read(self, start: int, limit: int) -> tuple[list[Notification], BrokenLogError | None]:
        """The page of up to `limit` notifications after `start`, cut before the first that does
        not match its seal, and that break, if any. An intact page costs one read of events and
        seals together and the hashing; a broken one is read again to name its first break."""
        page = self.recorder.select_sealed_page(start, limit)
        notes = page.notes
        if not notes:
            return notes, None
        if page.link_before is not None and page.seals_in_range == len(notes) and None not in page.digests:
            if links_after(page.link_before, notes) == page.digests:
                return notes, None
        good, broken = self.sealed(start, notes)
        return notes[:good], broken

    def sealed(self, start: int, notes: Sequence[Notification]) -> tuple[int, BrokenLogError | None]:
        """How many of `notes` (the page read after position `start`), from the first, match their
        seals; and the break that follows them, if any."""
        if not notes:
            return 0, None
        # One query: the seal at `start` (the link to chain on) and one seal per note after it.
        select = self.recorder.select_digests
        seals = select(start - 1, len(notes) + 1) if start else select(0, len(notes))
        link = GENESIS
        if start:
            if not seals or seals[0][0] != start:
                return 0, BrokenLogError(start, MISSING)
            link, seals = seals[0][1], seals[1:]
        for i, (note, computed) in enumerate(zip(notes, links_after(link, notes))):
            position, digest = seals[i] if i < len(seals) else (None, None)
            if position is not None and position < note.id:
                return i, BrokenLogError(position, MISSING)
            if position is None or note.id < position:
                return i, BrokenLogError(note.id, UNSEALED)
            if computed != digest:
                return i, BrokenLogError(note.id, DIFFERS)
        return len(notes), None
