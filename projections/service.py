"""The projections as one object for the web app, the CLI and the programme service: catch up,
read your writes, read the three views, status and rebuild."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence, TypeVar
from uuid import UUID

from adapters.config import StoreConfig
from adapters.verification import BrokenLogError
from application.programs import ProgramService
from projections import attendance, completion, glance, rewards, todo
from projections.catch_up import (
    PAGE_SIZE, REBUILD_PAGE_SIZE, VIEW_NAMES, CatchUp, ensure_schema, has_dirty, positions, reset,
)
from projections.db import DEFAULT_NAMESPACE, Database, Queries, open_database

T = TypeVar("T")

WAIT_TIMEOUT = 30.0
log = logging.getLogger("betrokken.projections")


@dataclass(frozen=True)
class RebuildStats:
    """How a rebuild from zero went."""

    events: int
    """Events this run processed."""
    seconds: float
    events_per_second: float
    position: int
    by_others: int = 0
    """Events other processes (servers reading meanwhile) processed for it, from the new zero."""


class Projections:
    """Attendance, completion and rewards per programme, kept up to date from the event log."""

    def __init__(self, db: Database, service: ProgramService, page_size: int = PAGE_SIZE) -> None:
        self.db = db
        self.service = service
        self.runner = CatchUp(db, service, page_size=page_size)
        # One catch-up at a time in this process; other processes are kept out by the database.
        self.lock = threading.Lock()
        self.position = 0
        self._wake = threading.Condition()
        self._pending = False
        self._closed = False
        self._follower: threading.Thread | None = None
        self.broken: BrokenLogError | None = None
        """Where the log stopped matching its seals, as the last catch-up found it (None: it didn't)."""
        ensure_schema(db)
        self.position = self._stored_position()

    # -- keeping up ------------------------------------------------------------------------

    def head(self) -> int:
        """The position of the last event committed to the store."""
        return int(self.service.recorder.max_notification_id() or 0)

    def _stored_position(self) -> int:
        return min(p for _, p in self.db.query("SELECT view, position FROM projection_positions"))

    def catch_up(self, upto: int | None = None) -> int:
        """Process everything committed so far (or up to `upto`, a head already read); returns
        the position reached."""
        return self._catch_up_to(self.head() if upto is None else upto)

    def _catch_up_to(self, target: int) -> int:
        """Catch up to `target`, or to just before a break in the log's seals: the views then
        keep answering as of the last good position, and `broken` (and the log) says where."""
        # The stored position, not a cached one: a rebuild in another process may have reset it.
        # Dirty programmes (left by a run that stopped between a page and its recompute, or by
        # another process's run still under way) are recomputed before anyone reads.
        position = self._stored_position()
        if position >= target and not has_dirty(self.db):
            self.position = position
            return position
        with self.lock:
            position = self._stored_position()
            # After a break only its one event is read again (each read tries): cheap while
            # the log stays broken, and a repaired log goes on in full pages.
            limit = 1 if self.broken is not None else None
            try:
                while position < target:
                    position, read = self.runner.page(limit)
                    limit = None
                    if not read:
                        break
            except BrokenLogError as e:
                self._report(e)
            else:
                self.broken = None
            if has_dirty(self.db):
                self.runner.flush()
            self.position = position
            return position

    def _report(self, broken: BrokenLogError) -> None:
        if self.broken is None or (self.broken.position, self.broken.reason) != (broken.position, broken.reason):
            log.error("%s; the projections stay at the last good position (run `betrokken audit verify`)", broken)
        self.broken = broken

    def wait_for(self, position: int) -> None:
        """Read your writes: return once the views include the event at this position (a break
        in the log before it raises `BrokenLogError`: the views cannot get there)."""
        deadline = time.monotonic() + WAIT_TIMEOUT
        while self._catch_up_to(position) < position:
            if self.broken is not None and self.broken.position <= position:
                raise self.broken
            if time.monotonic() > deadline:
                raise TimeoutError(f"projections did not reach position {position} (at {self.position})")
            time.sleep(0.005)

    def _fresh(self) -> None:
        """Catch up to the store head as it is now (writes of other processes included)."""
        self._catch_up_to(self.head())

    # -- in-process wake-up after each save ------------------------------------------------

    def saved(self, position: int) -> None:
        """The service saved events: let the follower thread catch up in the background."""
        with self._wake:
            if self._closed:
                return
            self._pending = True
            if self._follower is None:
                self._follower = threading.Thread(target=self._follow, name="projections", daemon=True)
                self._follower.start()
            self._wake.notify()

    def _follow(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                self._pending = False
            try:
                self.catch_up()
            except Exception:  # the next read catches up (and raises) in the caller's thread
                time.sleep(0.1)

    # -- the views -------------------------------------------------------------------------

    def _read(self, reader: Callable[[Queries], T]) -> T:
        """Read your writes, never a half-built view: catch up to the head, then check the
        position and read the rows in ONE snapshot. A rebuild (in any process) that reset the
        views after the catch-up shows there as a position behind it: catch up again and retry,
        so a reader gets the figures from before the rebuild or the complete new ones."""
        deadline = time.monotonic() + WAIT_TIMEOUT
        while True:
            reached = self._catch_up_to(self.head())
            with self.db.snapshot() as tx:
                found = positions(tx)
                complete = bool(found) and min(found.values()) >= reached and not tx.query(
                    "SELECT 1 FROM dirty_programs LIMIT 1")
                if complete or time.monotonic() > deadline:
                    if not complete:
                        raise TimeoutError("the projections kept being rebuilt while reading")
                    return reader(tx)

    def attendance(self, program_id: UUID) -> dict[str, list[dict[str, Any]]]:
        """Sessions (by start) with present/absent/excused, and parents (by enrolment) with their figures."""
        return self._read(lambda tx: attendance.read(tx, str(program_id)))

    def summary(self, program_id: UUID) -> dict[str, Any]:
        """Sessions planned and held, and the attendance rate over all the programme's parents."""
        return self._read(lambda tx: attendance.summary(tx, str(program_id)))

    def completion(self, program_id: UUID) -> list[dict[str, Any]]:
        """Per parent ever enrolled: attendance and homework rates and whether they completed."""
        return self._read(lambda tx: completion.read(tx, str(program_id)))

    def rewards(self, program_id: UUID) -> list[dict[str, Any]]:
        """Per parent ever enrolled: earned, paid and outstanding cents."""
        return self._read(lambda tx: rewards.read(tx, str(program_id)))

    def glance(self, program_ids: Sequence[UUID]) -> dict[UUID, glance.Glance]:
        """A page of programmes at a glance: enrolled, sessions planned and held, attendance, completed."""
        self._fresh()
        found = glance.read(self.db, [str(p) for p in program_ids])
        return {p: found[str(p)] for p in program_ids}

    def programs_of_parent(self, parent_id: UUID) -> list[UUID]:
        """The programmes the parent was ever enrolled in, oldest enrolment first."""
        self._fresh()
        return [UUID(p) for p in glance.programs_of_parent(self.db, str(parent_id))]

    def earned_cents(self, program_id: UUID, parent_id: UUID) -> int:
        """What the parent earned in the programme, as of the latest event."""
        return self._read(lambda tx: rewards.earned_cents(tx, str(program_id), str(parent_id)))

    def todo(self, schools: frozenset[str] | None, now: datetime) -> dict[str, list[dict[str, Any]]]:
        """The coordinator's to-do lists for these schools (None: every school), as of `now`."""
        self._fresh()
        return todo.read(self.db, schools, now)

    def sessions_between(self, schools: frozenset[str] | None, start: datetime, end: datetime) -> list[str]:
        """The sessions of these schools starting in [start, end), by their start."""
        self._fresh()
        return todo.sessions_between(self.db, schools, start, end)

    # -- operations ------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """Per view: its position, the store's head and how far behind it is."""
        head = self.head()
        with self.db.exclusive() as tx:
            found = positions(tx)
        return [
            {"name": name, "position": found.get(name, 0), "head": head, "lag": head - found.get(name, 0)}
            for name in VIEW_NAMES
        ]

    def rebuild(self, progress: Callable[[int, int], None] | None = None, page_size: int | None = None) -> RebuildStats:
        """Drop every view and replay the whole log from position 0 (page by page, resumable;
        `page_size` events a page, default REBUILD_PAGE_SIZE); a break in the log's seals raises
        `BrokenLogError`, the views holding the figures as of the last good position."""
        with self.lock:
            started = time.perf_counter()
            with self.db.exclusive() as tx:
                reset(tx)
            self.position = 0
            head = self.head()
            events = 0
            skipped: list[tuple[int, int]] = []  # position ranges other processes applied meanwhile
            limit = page_size or max(self.runner.page_size, REBUILD_PAGE_SIZE)
            try:
                while self.position < head:
                    before = self.position
                    self.position, read, start = self.runner.page_from(limit)
                    if start > before:
                        skipped.append((before, start))
                    if not read:
                        break
                    events += read
                    if progress is not None:
                        progress(self.position, head)
            except BrokenLogError as e:
                self.broken = e
                raise
            finally:
                self.runner.flush()
            seconds = time.perf_counter() - started
            by_others = sum(self._count(after, upto) for after, upto in skipped)
        return RebuildStats(events, seconds, events / seconds if seconds else 0.0, self.position, by_others)

    def _count(self, after: int, upto: int) -> int:
        """How many events the log holds after one position, up to and including another."""
        counted = 0
        while after < upto:
            notes = self.service.recorder.select_notifications(
                start=after, stop=upto, limit=REBUILD_PAGE_SIZE, inclusive_of_start=False)
            if not notes:
                break
            counted += len(notes)
            after = notes[-1].id
        return counted

    def close(self) -> None:
        """Stop the follower thread and close the connection."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        if self._follower is not None:
            self._follower.join(timeout=30)
        self.db.close()


def open_projections(
    config: StoreConfig,
    service: ProgramService,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    page_size: int = PAGE_SIZE,
) -> Projections:
    """The projections of this store (SQLite: `projections.sqlite` in the data dir; PostgreSQL:
    schema `projections` in the same database). Reads catch up themselves; to catch up in a
    background thread after each save of this process, the service is opened with `saved` among
    its listeners (betrokken/system.py does)."""
    return Projections(open_database(config, namespace), service, page_size=page_size)
