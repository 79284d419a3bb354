"""Loading aggregates fast: eventsourcing's aggregate cache, fast-forwarded, without keeping
personal data that was erased.

The library's cache (`AGGREGATE_CACHE_MAXSIZE`) keeps the last aggregates loaded; with
`AGGREGATE_CACHE_FASTFORWARD` each load reads only the events stored after the cached version,
so what other threads and processes appended is always applied: a command never decides on
stale state, and a conflicting save still fails the library's optimistic check and is retried.
Every load hands out a deep copy, so a refused command leaves the cache untouched; a check that
only reads (the programme behind a roll call, the parent being enrolled) borrows the cached
aggregate itself instead, so its cost does not grow with the history.

Erasure destroys a parent's key; events read afterwards show "gewist", but a cached aggregate
still holds what was decrypted before. So every load checks the personal fields it hands out
against the key store (its own short cache, the same bound the mapper has): a parent, or a
withdrawal reason, whose key is gone is dropped from the cache and loaded again from the store.
Only programmes, sessions and parents are cached (`CACHED`): a new kind of aggregate is cached
only once `holds_shredded` knows its personal fields.

An aggregate not in the cache is reconstructed from its latest snapshot and the events after it
(application/snapshots.py says when snapshots are taken); a past version (the audit's state at a
moment) is always replayed from its events alone."""

from __future__ import annotations

import copy
import logging
from contextlib import contextmanager, suppress
from copy import deepcopy
from datetime import date, datetime
from threading import RLock
from typing import Any, Iterable, Iterator
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import IntegrityError

from adapters.keystore import TOMBSTONE, KeyStore
from adapters.snapshot_state import StaleSnapshot
from adapters.snapshot_pruning import prune_snapshots
from domain.parent import ERASED, UNREADABLE, Assessment, Child, Parent
from domain.session import Session
from domain.training_program import Enrolment, Payout, TrainingProgram

log = logging.getLogger(__name__)

# The cache and its fast-forwarding, as Application settings (the environment may override them).
CACHE_SETTINGS = {"AGGREGATE_CACHE_MAXSIZE": "5000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
# UUIDs, dates and datetimes are immutable values, so the copy handed out may share them; the copy
# module would rebuild each one through its pickling protocol.
_ATOMIC = frozenset({UUID, date, datetime, str, int, float, bool, type(None)})
_DISPATCH: dict[type, Any] = getattr(copy, "_deepcopy_dispatch")
for _immutable in (UUID, date, datetime):
    _DISPATCH.setdefault(_immutable, getattr(copy, "_deepcopy_atomic"))


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    """A deep copy of what aggregates hold, without the copy module's per-object bookkeeping for
    the common shapes (atomic values, dicts, lists, the value objects below); anything else
    goes through `deepcopy` (with the same memo, so shared objects stay shared there)."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is dict:
        return {k if type(k) in _ATOMIC else deepcopy(k, memo): _copy(v, memo) for k, v in value.items()}
    if kind is list:
        return [_copy(v, memo) for v in value]
    if kind in _RECORDS:
        new = object.__new__(kind)
        new.__dict__.update({k: _copy(v, memo) for k, v in value.__dict__.items()})
        return new
    return deepcopy(value, memo)


def _copy_aggregate(aggregate: Any, memo: dict[int, Any]) -> Any:
    """A programme, session or parent, copied attribute by attribute with `_copy`."""
    new = object.__new__(type(aggregate))
    memo[id(aggregate)] = new
    new.__dict__.update({k: _copy(v, memo) for k, v in aggregate.__dict__.items()})
    return new


# The value objects aggregates hold in numbers (a programme's enrolments and payouts, a family's
# children and results): plain dataclasses without slots or a pickling protocol of their own.
_RECORDS = frozenset({Enrolment, Payout, Child, Assessment})
for _aggregate in (TrainingProgram, Session, Parent):
    _DISPATCH.setdefault(_aggregate, _copy_aggregate)
# The aggregates kept in the cache: those whose personal data `holds_shredded` knows. Any other
# kind (a user, or one added later that may hold personal data) is loaded from the store each time.
CACHED = (TrainingProgram, Session, Parent)
# The aggregates snapshotted, every so many events (taken as the event that reaches the multiple
# is saved, or by a load that replayed that many): a programme's and a session's histories grow
# all year. Parents are not snapshotted: their histories are short, and a snapshot would be one
# more copy of their personal data to seal and shred.
SNAPSHOT_EVERY: dict[type, int] = {TrainingProgram: 100, Session: 100}
# Values that hold no personal data (nothing to erase).
_NOT_PERSONAL = (None, ERASED, UNREADABLE)


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply events in order: the library's projector without its per-event runtime check of a
    typing Protocol (`isinstance` against a Protocol cost a tenth of a command)."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class CachingRepository(Repository):
    """The library's repository, its cache fast-forwarded and copied under a per-aggregate turn,
    and checked against erasures on every load."""

    keys: KeyStore | None = None  # set by the service that builds it
    # Which aggregates are snapshotted, and after how many events (set by the service).
    snapshot_every: dict[type, int] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One aggregate's cached copy is fast-forwarded by one thread at a time, and copied before
        # the next may change it (the library copies after releasing its lock). Re-entrant: a save
        # inside `changing` takes its snapshot from the same cached aggregate.
        self._turns = [RLock() for _ in range(64)]

    def get(self, aggregate_id: Any, *, version: int | None = None, projector_func: Any = project, **kwargs: Any) -> Any:
        if version is not None or self.cache is None or not self.fastforward:
            return super().get(aggregate_id, version=version, projector_func=projector_func, **kwargs)
        with self.borrowed(aggregate_id, projector_func) as aggregate:
            return deepcopy(aggregate) if self.deepcopy_from_cache else aggregate

    @contextmanager
    def borrowed(self, aggregate_id: Any, projector_func: Any = project) -> Iterator[Any]:
        """The cached aggregate itself, up to date, to READ while the block runs: no copy, so its
        cost does not grow with the aggregate. Load nothing else inside the block (one turn at a time)."""
        if self.cache is None:
            yield super().get(aggregate_id, projector_func=projector_func)
            return
        with self._turns[hash(aggregate_id) % len(self._turns)]:
            yield self._current(aggregate_id, projector_func)

    @contextmanager
    def changing(self, aggregate_id: Any, projector_func: Any = project) -> Iterator[Any]:
        """The cached aggregate itself, up to date, for a command to change AND save inside the
        block: no copy, so the command costs the same however long the history. When the block
        raises (a refused command, a conflicting save) or leaves events unsaved, the aggregate is
        dropped from the cache, so the next load reads it from the store as it is there. Load
        nothing else inside the block (one turn at a time)."""
        if self.cache is None:
            yield super().get(aggregate_id, projector_func=projector_func)
            return
        with self._turns[hash(aggregate_id) % len(self._turns)]:
            aggregate = self._current(aggregate_id, projector_func)
            try:
                yield aggregate
            except BaseException:
                self._drop(aggregate_id)
                raise
            if getattr(aggregate, "_pending_events", None):
                self._drop(aggregate_id)

    def _drop(self, aggregate_id: Any) -> None:
        assert self.cache is not None
        with suppress(KeyError):
            self.cache.get(aggregate_id, evict=True)

    def _current(self, aggregate_id: Any, projector_func: Any) -> Any:
        """The cached aggregate with every event stored since applied (reconstructed when not cached,
        or when it holds personal data whose key is gone)."""
        assert self.cache is not None
        aggregate: Any = None
        with suppress(KeyError):
            cached = self.cache.get(aggregate_id, evict=True)  # back in below only when whole
            aggregate = projector_func(cached, self.event_store.get(originator_id=aggregate_id, gt=cached.version))
        if aggregate is not None and self.keys is not None and holds_shredded(aggregate, self.keys):
            aggregate = None
        if aggregate is None:
            aggregate = self._reconstruct_aggregate(aggregate_id, None, projector_func)
        if isinstance(aggregate, CACHED):
            self.cache.put(aggregate_id, aggregate)
        return aggregate


    def _reconstruct_aggregate(self, aggregate_id: Any, version: int | None, projector_func: Any) -> Any:
        """The aggregate from its latest snapshot and the events after it (a past version: from its
        events alone). A load that replayed a long history leaves a snapshot for the next one."""
        if version is not None or self.snapshot_store is None:
            events = self.event_store.get(originator_id=aggregate_id, lte=version)
            aggregate = projector_func(None, events)
        else:
            try:
                snapshots = list(self.snapshot_store.get(originator_id=aggregate_id, desc=True, limit=1))
            except StaleSnapshot:  # other domain code took it: the events say the same
                snapshots = []
            replayed = list(self.event_store.get(originator_id=aggregate_id, gt=snapshots[0].originator_version if snapshots else None))
            aggregate = projector_func(None, [*snapshots, *replayed])
            every = self.snapshot_every.get(type(aggregate))
            if every is not None and len(replayed) >= every:
                self.keep_snapshot(aggregate)
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} version {version!r} not found.")
        return aggregate

    def snapshot(self, aggregate_id: Any) -> bool:
        """Store a snapshot of the aggregate as it is now; whether one was stored."""
        with self.borrowed(aggregate_id) as aggregate:
            return self.keep_snapshot(aggregate)

    def keep_snapshot(self, aggregate: Any) -> bool:
        """Store a snapshot of this aggregate (as read from the store, unchanged); whether one was
        stored. Best effort: a snapshot only shortens later loads, so a failure to take one (a
        personal field with no key to seal it, the store busy) never fails the command that saved."""
        if self.snapshot_store is None or type(aggregate) not in self.snapshot_every:
            return False
        try:
            self.snapshot_store.put([Snapshot.take(aggregate)])
        except IntegrityError:  # another thread or process took the same one
            return False
        except Exception:  # noqa: BLE001 - see the docstring
            log.warning("no snapshot of %s at version %s", aggregate.id, aggregate.version, exc_info=True)
            return False
        try:  # the older ones are never read again
            prune_snapshots(self.snapshot_store.recorder, aggregate.id, aggregate.version)
        except Exception:  # noqa: BLE001 - they stay, and go with the next snapshot
            log.warning("older snapshots of %s kept", aggregate.id, exc_info=True)
        return True


def _gone(keys: KeyStore, owner: Any) -> bool:
    key = keys.lookup(owner)
    return key is None or key == TOMBSTONE


def holds_shredded(aggregate: Any, keys: KeyStore) -> bool:
    """Whether the aggregate holds personal data in clear whose key is no longer there."""
    if isinstance(aggregate, Parent):
        own = [aggregate.name, aggregate.phone, aggregate.email, aggregate.language]
        own += [c.name for c in aggregate.children.values()]
        return any(v not in _NOT_PERSONAL for v in own) and _gone(keys, aggregate.id)
    if isinstance(aggregate, TrainingProgram):
        return any(
            e.reason not in _NOT_PERSONAL and _gone(keys, parent_id)
            for parent_id, periods in aggregate.enrolments.items() for e in periods
        )
    return False


def detached(aggregate: Any) -> Any:
    """A copy of a cached aggregate to answer with, two levels deep: its own dicts and lists, and
    those of the objects it holds (a programme's trial), are new containers of the same values.
    Enough for a reader while the next command changes the cached one in place (it adds entries,
    it never changes a value object), at the cost of copying references, not the history."""
    def shallow(value: Any) -> Any:
        if type(value) in (dict, list):
            return type(value)(value)
        if hasattr(value, "__dict__") and not isinstance(value, type) and type(value) not in _RECORDS:
            new = copy.copy(value)
            new.__dict__.update({k: type(v)(v) for k, v in value.__dict__.items() if type(v) in (dict, list)})
            return new
        return value

    new = object.__new__(type(aggregate))
    new.__dict__.update({k: shallow(v) for k, v in aggregate.__dict__.items()})
    return new
