"""The catch-up loop: read the event log page by page from the views' tracking position and
record the facts, marking the programmes they touched as dirty, in ONE transaction per page
(facts, dirty marks and position commit together).

In live use (a page that reaches the head of the log) a programme of which the page touched
only some sessions and parents is not recounted whole: the sittings in scope are counted before
and after the page's facts are written, and the difference is added to the stored tallies of
their sessions and parents (`write_scoped`), so a roll call costs the same in the programme's
first week as in its last. Rule changes, new programmes and rebuilds recount whole programmes.

The figures of dirty programmes are
recomputed from the facts, and their marks cleared, in one transaction too: inside the page's
own transaction when the page reaches the head of the log (live use: one transaction, as
before) or when many programmes are dirty, else at the end of the catch-up run. During a
rebuild nearly every page touches the same programmes, so each is recomputed once per run
(or per FLUSH_AT dirty programmes), not once per page.

A crash anywhere before a commit leaves facts, marks and position as they were (the page is
read again; the facts are upserted idempotently); a crash after a page's commit but before the
recompute leaves the marks, and the next catch-up or read recomputes them. Readers recompute
dirty programmes before they answer (`Projections._catch_up_to`), so every event counts exactly
once in what they see.

Every page is checked against the log's seals as it is read (adapters/verification.py): the
events before the first one that no longer matches its seal are applied, and the page after
them raises `BrokenLogError` naming that position, so no figure ever comes from a broken log."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from adapters.sealing import SealedRecorder
from adapters.verification import PageCheck
from projections import attendance, completion, facts, messages, rewards, tally
from projections.db import Database, Tx

SCHEMA_VERSION = "7"  # 2: dirty_programs; 3: fact tables clustered by programme; 4: messages; 5: trials (arms, fund); 6: program_rules, assessments.taken_on; 7: figure_tallies
VIEWS = (attendance, completion, rewards)
VIEW_NAMES = ("facts",) + tuple(v.NAME for v in VIEWS)
"""The views advance together (one read of the log feeds all of them); each keeps its row."""
PAGE_SIZE = 1000
REBUILD_PAGE_SIZE = 5000
"""A rebuild reads bigger pages: fewer transactions, the same memory bound (one page)."""
FLUSH_AT = 256
"""Recompute (inside the page's transaction) once this many programmes are dirty."""
RECOMPUTE_CHUNK = 32
"""Programmes whose facts are in memory at once while recomputing (memory stays flat)."""

BOOKKEEPING = {
    "projection_meta": "CREATE TABLE projection_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "projection_positions": "CREATE TABLE projection_positions (view TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    "dirty_programs": "CREATE TABLE dirty_programs (program_id TEXT PRIMARY KEY)",
}


def all_tables() -> dict[str, str]:
    """Every table of the read-model store, with its DDL."""
    tables = {**BOOKKEEPING, **facts.TABLES, **tally.TABLES, **messages.TABLES}
    for view in VIEWS:
        tables.update(view.TABLES)
    return tables


def table_exists(tx: Tx, db: Database, name: str) -> bool:
    if db.is_postgres:
        return bool(tx.query("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?", (name,)))
    return bool(tx.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


def reset(tx: Tx) -> None:
    """Drop and recreate every table, positions at 0 (a rebuild from zero starts here)."""
    for name in all_tables():
        tx.execute(f"DROP TABLE IF EXISTS {name}")
    clustered = facts.CLUSTERED | set(tally.TABLES) | {t for v in VIEWS for t in v.TABLES}
    sqlite = not tx.is_postgres
    for name, ddl in all_tables().items():
        tx.execute(ddl + (" WITHOUT ROWID" if sqlite and name in clustered else ""))
    for ddl in facts.INDEXES + [i for v in VIEWS for i in v.INDEXES] + messages.INDEXES:
        tx.execute(ddl)
    tx.execute("INSERT INTO projection_meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    tx.executemany("INSERT INTO projection_positions VALUES (?, 0)", [(v,) for v in VIEW_NAMES])


def ensure_schema(db: Database) -> None:
    """Create the tables on first use; a store of an older schema is rebuilt from zero."""
    with db.exclusive() as tx:
        if table_exists(tx, db, "projection_meta"):
            found = tx.query("SELECT value FROM projection_meta WHERE key = 'schema_version'")
            if found and found[0][0] == SCHEMA_VERSION:
                return
        reset(tx)


def positions(tx: Tx) -> dict[str, int]:
    """Each view's tracking position."""
    return {view: int(pos) for view, pos in tx.query("SELECT view, position FROM projection_positions")}


class StateDecoder:
    """A notification's stored state as the JSON object it was written as (values still tagged
    by the transcoder), for the topics the ledger reads. Cheaper than `mapper.to_domain_event`:
    no event objects, no UUID/datetime objects for fields nobody reads, and no key look-up for
    the personal fields (which the projections never read). The application's cipher and
    compressor, if any, still apply. A state written by an older class version (or by a
    transcoder other than JSON) takes the full road: decoded and upcast by the mapper, then
    re-encoded in the current shape."""

    def __init__(self, app: Application) -> None:
        self.mapper = app.mapper
        self.cipher = getattr(self.mapper, "cipher", None)
        self.compressor = getattr(self.mapper, "compressor", None)
        self.fast = type(self.mapper.transcoder) is JSONTranscoder
        self.loads = json.loads
        # The C scanner itself: the stored state is compact JSON that starts at offset 0.
        # (typeshed leaves the decoder's scanner attribute out)
        self.scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

    def __call__(self, note: Any) -> dict[str, Any]:
        if not self.fast:
            return self.slow(note)
        state = note.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        try:
            decoded: dict[str, Any] = self.scan(state.decode("utf-8"), 0)[0]
        except Exception:  # anything unusual: the json module's own checks and messages
            decoded = self.loads(state)
        if "class_version" in decoded:
            return self.slow(note)
        return decoded

    def slow(self, note: Any) -> dict[str, Any]:
        event = self.mapper.to_domain_event(note)
        state = dict(vars(event))
        state.pop("class_version", None)
        return json.loads(self.mapper.transcoder.encode(state))


def write_views(tx: Tx, program_ids: list[str]) -> None:
    """Recount these programmes and rewrite their rows of every view and their stored tallies
    from the facts (per chunk of programmes: delete their rows, insert the new ones, one
    executemany per table)."""
    for i in range(0, len(program_ids), RECOMPUTE_CHUNK):
        chunk = program_ids[i:i + RECOMPUTE_CHUNK]
        rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in [*tally.TABLES, *(t for v in VIEWS for t in v.TABLES)]}
        for program in facts.load_programs(tx, chunk):
            counted, rolls = tally.tallies(program), tally.rolls(program)
            for table, found in view_rows(program, counted, rolls).items():
                rows[table].extend(found)
            rows["figure_tallies"] += tally.rows(program.program_id, tally.SESSION, rolls)
            rows["figure_tallies"] += tally.rows(program.program_id, tally.PARENT, counted)
        marks = ",".join("?" * len(chunk))
        for table, new in rows.items():
            tx.execute(f"DELETE FROM {table} WHERE program_id IN ({marks})", chunk)
            if new:
                tx.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(new[0]))})", new)


def view_rows(program: facts.ProgramFacts, counted: dict[str, tally.Tally],
              rolls: dict[str, tally.Tally]) -> dict[str, list[tuple[Any, ...]]]:
    """Every view's rows for these parents' tallies and these sessions' roll calls."""
    out = attendance.session_rows(program, rolls)
    for view in VIEWS:
        out.update(view.rows(program, counted))
    return out


def count_before(tx: Tx, scopes: dict[str, facts.Scope]) -> dict[str, dict[tally.Sitting, tally.Tally]]:
    """The sittings in scope as counted from the facts before a page is written (see `write_scoped`)."""
    out = {}
    for program, scope in scopes.items():
        found = facts.load_scope(tx, program, scope, rewards=False)
        out[program] = tally.sittings_in(found, scope) if found is not None else {}
    return out


def write_scoped(tx: Tx, program: str, scope: facts.Scope, before: dict[tally.Sitting, tally.Tally]) -> None:
    """Bring a programme's figures up to date after a page that changed only some of its sessions
    and parents, without recounting the rest: count the sittings in scope again, add the
    difference to the stored tallies of their sessions and parents, and rewrite the rows of
    those (and of the sessions and parents in scope). The same rulebook counts each sitting, and
    tallies add up (domain/rules.py), so the rows equal a recount of the whole programme."""
    found = facts.load_scope(tx, program, scope)
    if found is None:
        return
    by_session, by_parent = tally.differences(before, tally.sittings_in(found, scope))
    sessions = (scope.sessions | set(by_session)) & {s.session_id for s in found.sessions}
    rolls = _added(tx, program, tally.SESSION, sessions, by_session)
    parents = [p for p in found.parents if p in scope.parents or p in by_parent]  # in order of enrolment
    counted = _added(tx, program, tally.PARENT, parents, by_parent)
    new = view_rows(found, counted, rolls)
    keys = {**attendance.KEYS, **completion.KEYS, **rewards.KEYS}
    for table, rows in new.items():
        items = sorted(rolls if keys[table] == "session_id" else counted)
        for i in range(0, len(items), 500):
            chunk = items[i:i + 500]
            tx.execute(f"DELETE FROM {table} WHERE program_id = ? AND {keys[table]} IN ({','.join('?' * len(chunk))})",
                       [program, *chunk])
        if rows:
            tx.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)


def _added(tx: Tx, program: str, kind: str, items: Iterable[str], changes: dict[str, tally.Tally]) -> dict[str, tally.Tally]:
    """These sessions' or parents' stored tallies plus their changes, stored again."""
    now = tally.stored(tx, program, kind, items)
    now = {i: now.get(i, tally.NOTHING) + changes.get(i, tally.NOTHING) for i in items}
    tally.store(tx, program, kind, now)
    return now


def recompute_dirty(tx: Tx) -> int:
    """Recompute every dirty programme and clear the marks (in the caller's transaction)."""
    dirty = [p for (p,) in tx.query("SELECT program_id FROM dirty_programs ORDER BY program_id")]
    if dirty:
        write_views(tx, dirty)
        tx.execute("DELETE FROM dirty_programs")
    return len(dirty)


def has_dirty(db: Database) -> bool:
    """Whether some programme's figures wait to be recomputed."""
    return bool(db.query("SELECT 1 FROM dirty_programs LIMIT 1"))


@dataclass
class CatchUp:
    """Applies pages of the event log to the read-model store, exactly once."""

    db: Database
    app: Application
    page_size: int = PAGE_SIZE
    before_commit: Callable[[], None] | None = None
    """A test hook: runs after the rows and the position are written, before the commit."""
    flush_at: int = FLUSH_AT
    decode: StateDecoder = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = facts.Ledger()
        self.topics = self.ledger.topics | messages.TOPICS
        self.decode = StateDecoder(self.app)
        recorder = self.app.recorder
        # A store without seals (a library recorder in memory) has no chain to check against.
        self.seals = PageCheck(recorder) if isinstance(recorder, SealedRecorder) else None

    def page(self, limit: int | None = None) -> tuple[int, int]:
        """Process one page; returns (position reached, notifications read) (see `page_from`)."""
        reached, read, _ = self.page_from(limit)
        return reached, read

    def page_from(self, limit: int | None = None) -> tuple[int, int, int]:
        """Process one page; returns (position reached, notifications read, position it started
        after: further on than the caller left it when another process caught up meanwhile). A page that
        reaches the head (fewer than asked for) recomputes the dirty programmes in its own
        transaction, as does one that leaves `flush_at` or more of them dirty. A page stops
        before the first event that does not match its seal; when that is its first event,
        it raises `BrokenLogError` and changes nothing."""
        limit = limit or self.page_size
        with self.db.exclusive() as tx:
            # Read the position inside the writer's lock: a second catch-up waits here, then
            # sees where the first one got to.
            start = min(positions(tx).values())
            if self.seals is None:
                notes, broken = self.app.recorder.select_notifications(start=start, limit=limit, inclusive_of_start=False), None
            else:
                notes, broken = self.seals.read(start, limit)
            if broken is not None and not notes:
                raise broken
            if not notes:
                return start, 0, start
            topics, decode = self.topics, self.decode
            events = [(n.id, n.topic, str(n.originator_id), decode(n)) for n in notes if n.topic in topics]
            # A page cut short (the head, or a break) brings the figures up to date now, as does a crowded one.
            now = len(notes) < limit or broken is not None
            touched = self.apply(tx, events, now)
            if now or (touched and self.dirty_count(tx) >= self.flush_at):
                recompute_dirty(tx)
            last = notes[-1].id
            tx.executemany("UPDATE projection_positions SET position = ? WHERE view = ?", [(last, v) for v in VIEW_NAMES])
            if self.before_commit is not None:
                self.before_commit()
            return last, len(notes), start

    def apply(self, tx: Tx, events: list[facts.Event], now: bool = False) -> int:
        """Record the page's facts; returns how many programmes it left dirty (to be recounted
        whole). With `now`, a programme whose sessions or parents only were touched, whose rules
        never changed mid-year and that is not dirty already, is brought up to date here by
        `write_scoped` (its sittings in scope counted before and after the facts are written);
        the others are marked dirty."""
        # Messages to parents are their own view (projections/messages.py), in this transaction too.
        mine = messages.TOPICS
        messages.apply(tx, [e for e in events if e[1] in mine])
        page = self.ledger.record(tx, [e for e in events if e[1] not in mine])
        scopes = self.scoped(tx, page) if now else {}
        before = count_before(tx, scopes)
        page.write(tx)
        for program, scope in sorted(scopes.items()):
            write_scoped(tx, program, scope, before[program])
        whole = sorted(page.programs() - set(scopes))
        if whole:
            tx.executemany("INSERT INTO dirty_programs VALUES (?) ON CONFLICT (program_id) DO NOTHING", [(p,) for p in whole])
        return len(whole)

    @staticmethod
    def scoped(tx: Tx, page: facts.PageFacts) -> dict[str, facts.Scope]:
        """The programmes of the page that can be brought up to date in part (see `apply`)."""
        scopes = page.scopes()
        if not scopes:
            return scopes
        ids = sorted(scopes)
        marks = ",".join("?" * len(ids))
        whole = {p for (p,) in tx.query(f"SELECT program_id FROM dirty_programs WHERE program_id IN ({marks})", ids)}
        whole |= {p for (p,) in tx.query(f"SELECT DISTINCT program_id FROM program_rules WHERE program_id IN ({marks})", ids)}
        return {p: scope for p, scope in scopes.items() if p not in whole}

    @staticmethod
    def dirty_count(tx: Tx) -> int:
        return int(tx.query("SELECT COUNT(*) FROM dirty_programs")[0][0])

    def flush(self) -> int:
        """Recompute the dirty programmes and clear their marks, in one transaction."""
        with self.db.exclusive() as tx:
            return recompute_dirty(tx)
