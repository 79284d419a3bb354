"""The ledger the three read models are computed from: the current facts of every programme
(its rules, enrolment periods, sessions, roll calls, homework, assessments, payouts), upserted
idempotently from the events. Pseudonymous ids only: no names, contacts or free text.

Attendance, completion and rewards depend on enrolment periods at each session's date, and
those can change after the roll call (a backdated withdrawal, a late enrolment). So the
figures are not summed up event by event: each page of events records its facts here and
names the programmes (or their sessions and parents) it touched; the views then recompute
those rows from the facts (`load_program`, `load_scope`), in the same transaction as the
tracking position."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Collection, Iterable

from eventsourcing.utils import get_topic

from domain import rules
from domain.parent import Parent
from domain.rules import (
    CompletionRule, DatedResult, DatedSitting, Earnings, RewardScheme, RuleChange, Rulebook, Sitting, Tally,
)
from domain.session import Session
from domain.training_program import TrainingProgram
from projections.db import Tx

TABLES = {
    "programs": """CREATE TABLE programs (
        program_id TEXT PRIMARY KEY, school TEXT NOT NULL, kind TEXT NOT NULL, starts_on TEXT NOT NULL,
        min_attendance_rate DOUBLE PRECISION NOT NULL, min_homework_rate DOUBLE PRECISION NOT NULL,
        min_sessions_attended INTEGER NOT NULL, per_session_cents BIGINT NOT NULL,
        per_homework_cents BIGINT NOT NULL, per_assessment_cents BIGINT NOT NULL,
        assessment_threshold DOUBLE PRECISION NOT NULL, cap_cents BIGINT, payout TEXT NOT NULL,
        position BIGINT NOT NULL)""",
    "program_parents": """CREATE TABLE program_parents (
        program_id TEXT NOT NULL, parent_id TEXT NOT NULL, position BIGINT NOT NULL,
        PRIMARY KEY (program_id, parent_id))""",
    "enrolments": """CREATE TABLE enrolments (
        program_id TEXT NOT NULL, parent_id TEXT NOT NULL, position BIGINT NOT NULL,
        enrolled_on TEXT NOT NULL, withdrawn_on TEXT, PRIMARY KEY (program_id, parent_id, position))""",
    "sessions": """CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY, program_id TEXT NOT NULL, starts_at TEXT NOT NULL,
        starts_utc TEXT NOT NULL, session_date TEXT NOT NULL, has_homework BOOLEAN NOT NULL,
        has_participants BOOLEAN NOT NULL, has_attendance BOOLEAN NOT NULL, cancelled BOOLEAN NOT NULL,
        position BIGINT NOT NULL)""",
    "session_participants": """CREATE TABLE session_participants (
        session_id TEXT NOT NULL, program_id TEXT NOT NULL, parent_id TEXT NOT NULL,
        PRIMARY KEY (session_id, parent_id))""",
    "attendance_records": """CREATE TABLE attendance_records (
        session_id TEXT NOT NULL, program_id TEXT NOT NULL, parent_id TEXT NOT NULL, status TEXT NOT NULL,
        PRIMARY KEY (program_id, session_id, parent_id))""",
    "homework_records": """CREATE TABLE homework_records (
        session_id TEXT NOT NULL, program_id TEXT NOT NULL, parent_id TEXT NOT NULL, completed BOOLEAN NOT NULL,
        PRIMARY KEY (program_id, session_id, parent_id))""",
    "assessments": """CREATE TABLE assessments (
        assessment_id TEXT PRIMARY KEY, program_id TEXT NOT NULL, parent_id TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL, max_score DOUBLE PRECISION NOT NULL, taken_on TEXT NOT NULL)""",
    "payouts": """CREATE TABLE payouts (
        payout_id TEXT PRIMARY KEY, program_id TEXT NOT NULL, parent_id TEXT NOT NULL,
        amount_cents BIGINT NOT NULL, method TEXT NOT NULL, position BIGINT NOT NULL)""",
    "program_arms": """CREATE TABLE program_arms (
        program_id TEXT NOT NULL, arm TEXT NOT NULL, per_session_cents BIGINT NOT NULL,
        per_homework_cents BIGINT NOT NULL, per_assessment_cents BIGINT NOT NULL,
        assessment_threshold DOUBLE PRECISION NOT NULL, cap_cents BIGINT, payout TEXT NOT NULL,
        position BIGINT NOT NULL, PRIMARY KEY (program_id, arm))""",
    "arm_assignments": """CREATE TABLE arm_assignments (
        program_id TEXT NOT NULL, parent_id TEXT NOT NULL, arm TEXT NOT NULL, overridden BOOLEAN NOT NULL,
        position BIGINT NOT NULL, PRIMARY KEY (program_id, parent_id))""",
    "program_rules": """CREATE TABLE program_rules (
        program_id TEXT NOT NULL, position BIGINT NOT NULL, effective_from TEXT NOT NULL,
        min_attendance_rate DOUBLE PRECISION, min_homework_rate DOUBLE PRECISION, min_sessions_attended INTEGER,
        per_session_cents BIGINT, per_homework_cents BIGINT, per_assessment_cents BIGINT,
        assessment_threshold DOUBLE PRECISION, cap_cents BIGINT, payout TEXT, changes_completion BOOLEAN NOT NULL,
        changes_rewards BOOLEAN NOT NULL, PRIMARY KEY (program_id, position))""",
    "fund_moves": """CREATE TABLE fund_moves (
        move_id TEXT PRIMARY KEY, program_id TEXT NOT NULL, parent_id TEXT NOT NULL, kind TEXT NOT NULL,
        amount_cents BIGINT NOT NULL, position BIGINT NOT NULL)""",
}
CLUSTERED = {
    "program_parents", "enrolments", "attendance_records", "homework_records", "program_arms", "arm_assignments",
    "program_rules",
}
"""Tables stored in the order of their primary key on SQLite (WITHOUT ROWID): led by the
programme, so a programme's roll calls and homework sit together (a page's inserts touch few
B-tree pages, a recompute reads a contiguous range) and no separate index by programme is
kept. A session's programme never changes, so (programme, session, parent) is as unique as
(session, parent)."""
INDEXES = [
    "CREATE INDEX sessions_by_program ON sessions (program_id)",
    "CREATE INDEX participants_by_program ON session_participants (program_id)",
    "CREATE INDEX assessments_by_program ON assessments (program_id)",
    "CREATE INDEX payouts_by_program ON payouts (program_id)",
    "CREATE INDEX fund_moves_by_program ON fund_moves (program_id)",
]

UPSERT = {
    "program": """INSERT INTO programs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (program_id) DO NOTHING""",
    "program_parent": """INSERT INTO program_parents VALUES (?,?,?) ON CONFLICT (program_id, parent_id) DO NOTHING""",
    "enrolment": """INSERT INTO enrolments VALUES (?,?,?,?,NULL) ON CONFLICT (program_id, parent_id, position) DO NOTHING""",
    # The withdrawal closes the period opened last before it (idempotent, also within one page).
    "withdrawal": """UPDATE enrolments SET withdrawn_on = ? WHERE program_id = ? AND parent_id = ? AND position =
        (SELECT MAX(position) FROM enrolments WHERE program_id = ? AND parent_id = ? AND position < ?)""",
    "session": """INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (session_id) DO NOTHING""",
    "participant": """INSERT INTO session_participants VALUES (?,?,?) ON CONFLICT (session_id, parent_id) DO NOTHING""",
    "attendance": """INSERT INTO attendance_records VALUES (?,?,?,?)
        ON CONFLICT (program_id, session_id, parent_id) DO UPDATE SET status = excluded.status""",
    "held": """UPDATE sessions SET has_attendance = ? WHERE session_id = ?""",
    "homework": """INSERT INTO homework_records VALUES (?,?,?,?)
        ON CONFLICT (program_id, session_id, parent_id) DO UPDATE SET completed = excluded.completed""",
    "cancelled": """UPDATE sessions SET cancelled = ? WHERE session_id = ?""",
    "assessment": """INSERT INTO assessments VALUES (?,?,?,?,?,?) ON CONFLICT (assessment_id) DO NOTHING""",
    "payout": """INSERT INTO payouts VALUES (?,?,?,?,?,?) ON CONFLICT (payout_id) DO NOTHING""",
    # corrections run after the facts they correct (a page may hold both): a corrected score
    # replaces the old, a withdrawn assessment and a reversed payout stop counting at all
    "assessment_correction": """UPDATE assessments SET score = ?, max_score = ? WHERE assessment_id = ?""",
    "assessment_withdrawal": """DELETE FROM assessments WHERE assessment_id = ?""",
    "payout_reversal": """DELETE FROM payouts WHERE payout_id = ?""",
    "moved": """UPDATE sessions SET starts_at = ?, starts_utc = ?, session_date = ? WHERE session_id = ?""",
    "arm": """INSERT INTO program_arms VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (program_id, arm) DO NOTHING""",
    # An override replaces the lot's arm (a replayed assignment never undoes a later override).
    "assignment": """INSERT INTO arm_assignments VALUES (?,?,?,?,?) ON CONFLICT (program_id, parent_id)
        DO UPDATE SET arm = excluded.arm, overridden = excluded.overridden, position = excluded.position
        WHERE excluded.position >= arm_assignments.position""",
    "fund_move": """INSERT INTO fund_moves VALUES (?,?,?,?,?,?) ON CONFLICT (move_id) DO NOTHING""",
    "rules": """INSERT INTO program_rules VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (program_id, position) DO NOTHING""",
}
ORDER = list(UPSERT)


def topic(aggregate: type, event: str) -> str:
    """The stored topic of an aggregate's event (the classes are made by @event, unseen by mypy)."""
    return get_topic(getattr(aggregate, event))  # statements of a page run in this order; each keeps its events' order


@dataclass
class PageFacts:
    """The fact rows of one page of events, and what they touched: whole programmes (their
    rules, or a fact without a parent or session to pin it to), or single sessions and parents
    of a programme (a roll call changes one session's sittings; an enrolment, payout or
    assessment one parent's)."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {k: [] for k in UPSERT})
    touched: set[str] = field(default_factory=set)
    sessions: set[tuple[str, str]] = field(default_factory=set)  # (programme, session)
    parents: set[tuple[str, str]] = field(default_factory=set)  # (programme, parent)

    def programs(self) -> set[str]:
        """Every programme the page touched, wholly or in part."""
        return self.touched | {p for p, _ in self.sessions} | {p for p, _ in self.parents}

    def scopes(self) -> dict[str, "Scope"]:
        """The programmes touched only in part, with the sessions and parents touched."""
        out: dict[str, Scope] = {}
        for program, session in self.sessions:
            if program not in self.touched:
                out.setdefault(program, Scope()).sessions.add(session)
        for program, parent in self.parents:
            if program not in self.touched:
                out.setdefault(program, Scope()).parents.add(parent)
        return out

    def write(self, tx: Tx) -> None:
        """One executemany per table (statements run in ORDER; each keeps its events' order)."""
        for key in ORDER:
            tx.executemany(UPSERT[key], self.rows[key])


@dataclass
class Scope:
    """Part of a programme whose figures a page changed: these sessions (for every parent) and
    these parents (at every session). A parent's sitting at a session can only have changed
    when one of the two is in scope."""

    sessions: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)


def utc_text(moment: datetime) -> str:
    """A sortable instant (sessions are listed by their start, whatever their offset)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


# -- the events' state as stored (JSON, values tagged by eventsourcing's transcoder) ---------


def uid(value: Any) -> str:
    """A stored UUID ({"_type_": "uuid_hex", "_data_": hex}) in str(UUID)'s canonical form."""
    if isinstance(value, dict):
        h = value["_data_"]
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return str(value)


def day_text(value: Any) -> str:
    """A stored date as YYYY-MM-DD (date_iso's data is date.isoformat() already)."""
    return value["_data_"] if isinstance(value, dict) else _iso(value)


def plain(value: Any) -> Any:
    """A stored value with its transcoder tags undone (UUIDs as text, dates as ISO text)."""
    if isinstance(value, dict):
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            kind, data = value["_type_"], value["_data_"]
            if kind == "uuid_hex":
                return uid(value)
            if kind == "datetime_iso":
                return datetime.fromisoformat(data)
            if kind == "decimal_str":
                return Decimal(data)
            return data
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def number(value: Any) -> Any:
    return Decimal(value["_data_"]) if isinstance(value, dict) else value


Handler = Callable[["PageFacts", int, str, dict[str, Any]], None]
Event = tuple[int, str, str, dict[str, Any]]
"""(position, topic, originator id, state as stored: a JSON object, values still tagged)."""

SESSION_CACHE = 50_000
"""Sessions whose programme is remembered; beyond that the cache starts afresh (memory stays
flat however long the log; a forgotten session is looked up in the facts again)."""


class Ledger:
    """Turns events (their stored JSON state) into fact rows; knows which programme each
    session belongs to. Works on the stored state rather than decoded domain events: the
    projections need ids, dates, statuses and amounts only, so the cost of building event
    objects (and of opening personal fields) is saved."""

    def __init__(self) -> None:
        # A session's programme never changes, so this cache is safe across pages and processes.
        self.session_program: dict[str, str] = {}
        self.handlers: dict[str, Handler] = {
            topic(TrainingProgram, "Created"): self._program_created,
            topic(TrainingProgram, "ParentEnrolled"): self._enrolled,
            topic(TrainingProgram, "ParentWithdrawn"): self._withdrawn,
            topic(TrainingProgram, "PayoutRecorded"): self._payout,
            topic(Session, "Scheduled"): self._scheduled,
            topic(Session, "AttendanceRecorded"): self._attendance,
            topic(Session, "HomeworkRecorded"): self._homework,
            topic(Session, "Cancelled"): self._cancelled,
            topic(Parent, "AssessmentRecorded"): self._assessment,
            topic(Parent, "AssessmentCorrected"): self._assessment_corrected,
            topic(TrainingProgram, "PayoutReversed"): self._payout_reversed,
            topic(Session, "Moved"): self._moved,
            topic(TrainingProgram, "ArmsDefined"): self._arms,
            topic(TrainingProgram, "ArmAssigned"): self._assigned,
            topic(TrainingProgram, "ArmOverridden"): self._overridden,
            topic(TrainingProgram, "FundReleased"): self._fund_released,
            topic(TrainingProgram, "FundForfeited"): self._fund_forfeited,
            topic(TrainingProgram, "RulesChanged"): self._rules_changed,
        }
        self.scheduled_topic = topic(Session, "Scheduled")
        self.session_topics = {
            topic(Session, "AttendanceRecorded"), topic(Session, "HomeworkRecorded"), topic(Session, "Cancelled"),
            topic(Session, "Moved"),
        }

    @property
    def topics(self) -> set[str]:
        return set(self.handlers)

    def record(self, tx: Tx, events: list[Event]) -> PageFacts:
        """The facts of a page of events; looks up sessions scheduled earlier."""
        scheduled, known = self.scheduled_topic, self.session_program
        if len(known) > SESSION_CACHE:
            known.clear()
        session_topics = self.session_topics
        scheduled_here = {oid for _, t, oid, _ in events if t == scheduled}
        unknown = {
            oid for _, t, oid, _ in events
            if t in session_topics and oid not in known and oid not in scheduled_here
        }
        self._look_up_sessions(tx, unknown)
        page = PageFacts()
        handlers = self.handlers
        for position, topic_, oid, state in events:
            handlers[topic_](page, position, oid, state)
        page.rows["held"] = list(dict.fromkeys(page.rows["held"]))  # once per session is enough
        return page

    def _look_up_sessions(self, tx: Tx, session_ids: Iterable[str]) -> None:
        ids = list(session_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for session_id, program_id in tx.query(
                f"SELECT session_id, program_id FROM sessions WHERE session_id IN ({marks})", chunk
            ):
                self.session_program[session_id] = program_id

    # -- one handler per event type --------------------------------------------------------

    def _program_created(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        c, r = plain(e["completion"]), plain(e["rewards"])
        page.rows["program"].append((
            program, e["school"], e["kind"], day_text(e["starts_on"]),
            c["min_attendance_rate"], c["min_homework_rate"], c["min_sessions_attended"],
            r["per_session_cents"], r["per_homework_cents"], r["per_assessment_cents"],
            r["assessment_threshold"], r["cap_cents"], r["payout"], pos,
        ))
        page.touched.add(program)

    def _enrolled(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        parent = uid(e["parent_id"])
        page.rows["program_parent"].append((program, parent, pos))
        page.rows["enrolment"].append((program, parent, pos, day_text(e["enrolled_on"])))
        page.parents.add((program, parent))

    def _withdrawn(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        parent = uid(e["parent_id"])
        page.rows["withdrawal"].append((day_text(e["withdrawn_on"]), program, parent, program, parent, pos))
        page.parents.add((program, parent))

    def _payout(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        parent = uid(e["parent_id"])
        page.rows["payout"].append((uid(e["payout_id"]), program, parent, number(e["amount_cents"]), e["method"], pos))
        page.parents.add((program, parent))

    def _scheduled(self, page: PageFacts, pos: int, session: str, e: dict[str, Any]) -> None:
        program = uid(e["program_id"])
        self.session_program[session] = program
        starts_at = plain(e["starts_at"])
        if not isinstance(starts_at, datetime):
            starts_at = datetime.fromisoformat(starts_at)
        participants = e["participants"]
        page.rows["session"].append((
            session, program, starts_at.isoformat(), utc_text(starts_at), starts_at.date().isoformat(),
            e["homework"] is not None, participants is not None, False, False, pos,
        ))
        for parent in participants or ():
            page.rows["participant"].append((session, program, uid(parent)))
        page.sessions.add((program, session))

    def _attendance(self, page: PageFacts, pos: int, session: str, e: dict[str, Any]) -> None:
        program = self.session_program[session]
        page.rows["attendance"].append((session, program, uid(e["parent_id"]), e["status"]))
        page.rows["held"].append((True, session))
        page.sessions.add((program, session))

    def _homework(self, page: PageFacts, pos: int, session: str, e: dict[str, Any]) -> None:
        program = self.session_program[session]
        page.rows["homework"].append((session, program, uid(e["parent_id"]), bool(e["completed"])))
        page.sessions.add((program, session))

    def _cancelled(self, page: PageFacts, pos: int, session: str, e: dict[str, Any]) -> None:
        program = self.session_program[session]
        page.rows["cancelled"].append((True, session))
        page.sessions.add((program, session))

    def _moved(self, page: PageFacts, pos: int, session: str, e: dict[str, Any]) -> None:
        starts_at = plain(e["starts_at"])
        if not isinstance(starts_at, datetime):
            starts_at = datetime.fromisoformat(starts_at)
        page.rows["moved"].append((starts_at.isoformat(), utc_text(starts_at), starts_at.date().isoformat(), session))
        page.sessions.add((self.session_program[session], session))

    def _assessment(self, page: PageFacts, pos: int, parent: str, e: dict[str, Any]) -> None:
        program = uid(e["program_id"])
        page.rows["assessment"].append(
            (uid(e["assessment_id"]), program, parent, float(number(e["score"])), float(number(e["max_score"])),
             day_text(e["taken_on"]))
        )
        page.parents.add((program, parent))

    def _assessment_corrected(self, page: PageFacts, pos: int, parent: str, e: dict[str, Any]) -> None:
        assessment = uid(e["assessment_id"])
        if e["withdrawn"]:
            page.rows["assessment_withdrawal"].append((assessment,))
        else:
            page.rows["assessment_correction"].append(
                (float(number(e["score"])), float(number(e["max_score"])), assessment)
            )
        page.parents.add((uid(e["program_id"]), parent))

    def _payout_reversed(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        page.rows["payout_reversal"].append((uid(e["payout_id"]),))
        page.touched.add(program)  # the event names the payout, not its parent

    def _arms(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        for arm in plain(e["arms"]):
            r = arm["rewards"]
            page.rows["arm"].append((program, arm["name"], *(r[c] for c in REWARD_COLUMNS), pos))
        page.touched.add(program)

    def _assigned(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        parent = uid(e["parent_id"])
        page.rows["assignment"].append((program, parent, e["arm"], False, pos))
        page.parents.add((program, parent))

    def _overridden(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        parent = uid(e["parent_id"])
        page.rows["assignment"].append((program, parent, e["arm"], True, pos))
        page.parents.add((program, parent))

    def _fund_released(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        page.rows["fund_move"].append(
            (uid(e["move_id"]), program, uid(e["parent_id"]), "released", number(e["amount_cents"]), pos)
        )
        page.parents.add((program, uid(e["parent_id"])))

    def _fund_forfeited(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        page.rows["fund_move"].append(
            (uid(e["move_id"]), program, uid(e["parent_id"]), "forfeited", number(e["amount_cents"]), pos)
        )
        page.parents.add((program, uid(e["parent_id"])))

    def _rules_changed(self, page: PageFacts, pos: int, program: str, e: dict[str, Any]) -> None:
        c, r = plain(e["completion"]), plain(e["rewards"])
        page.rows["rules"].append((
            program, pos, day_text(e["effective_from"]),
            *(c[k] if c else None for k in COMPLETION_COLUMNS), *(r[k] if r else None for k in REWARD_COLUMNS),
            c is not None, r is not None,
        ))
        page.touched.add(program)


def _iso(day: date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


# -- reading one programme's facts back ------------------------------------------------------


@dataclass
class SessionFacts:
    """A session as far as the figures care: its date, whether held, homework, participants."""

    session_id: str
    starts_at: str
    starts_utc: str
    day: str
    has_homework: bool
    held: bool
    cancelled: bool
    participants: set[str] | None
    position: int


@dataclass
class ProgramFacts:
    """Everything the three views need to recompute one programme's rows."""

    program_id: str
    completion: CompletionRule
    rewards: RewardScheme
    parents: dict[str, int]  # parent -> position of first enrolment, in that order
    periods: dict[str, list[tuple[str, str | None]]]
    sessions: list[SessionFacts]  # in order of their start
    attendance: dict[tuple[str, str], str]
    homework: dict[tuple[str, str], bool]
    assessments: dict[str, list[DatedResult]]
    paid: dict[str, int]
    arm_schemes: dict[str, RewardScheme] = field(default_factory=dict)
    arms: dict[str, str] = field(default_factory=dict)  # parent -> arm
    fund: dict[str, dict[str, int]] = field(default_factory=dict)  # parent -> paid in/released/forfeited -> cents
    changes: tuple[RuleChange, ...] = ()  # the rules changed mid-year (RulesChanged), in the order recorded

    def scheme_for(self, parent: str) -> RewardScheme:
        """The parent's arm's reward scheme, else the programme's."""
        arm = self.arms.get(parent)
        return self.arm_schemes.get(arm, self.rewards) if arm is not None else self.rewards

    def counts_for(self, s: SessionFacts, parent: str) -> bool:
        """Whether a session counts for a parent (the rulebook's `counts_for`)."""
        return rules.counts_for(s.held, parent, s.day, s.participants, self.periods.get(parent, ()))

    def sitting(self, s: SessionFacts, parent: str) -> Sitting:
        """What a session recorded for a parent."""
        return Sitting(
            self.attendance.get((s.session_id, parent)), s.has_homework,
            self.homework.get((s.session_id, parent)) is True,
        )

    def rulebook_for(self, parent: str) -> Rulebook:
        """The rules the parent's figures follow over time (the aggregate's `rulebook_for`)."""
        return Rulebook(self.completion, self.scheme_for(parent), self.changes)

    def dated_sittings(self, parent: str) -> list[DatedSitting]:
        """The sessions that count for the parent, each with its date."""
        return [DatedSitting(s.day, self.sitting(s, parent)) for s in self.sessions if self.counts_for(s, parent)]

    def completed(self, parent: str, tally: Tally) -> bool:
        """Whether the parent completed the programme, by the rule in force on their closing day."""
        if not self.changes:  # one rule throughout: the tally is all it takes
            return self.completion.is_met(tally)
        return self.rulebook_for(parent).is_met(tally, self.dated_sittings(parent), self.assessments.get(parent, []))

    def earnings(self, parent: str, tally: Tally) -> Earnings:
        """What the parent earned, each part by the scheme in force on its day (docs/rules.md)."""
        book, results = self.rulebook_for(parent), self.assessments.get(parent, [])
        if not self.changes:  # one scheme throughout: the tally is all it takes
            return book.earned_throughout(tally, results)
        return book.earned(self.dated_sittings(parent), results)


COMPLETION_COLUMNS = ("min_attendance_rate", "min_homework_rate", "min_sessions_attended")
REWARD_COLUMNS = (
    "per_session_cents", "per_homework_cents", "per_assessment_cents", "assessment_threshold", "cap_cents", "payout",
)
RULE_COLUMNS = COMPLETION_COLUMNS + REWARD_COLUMNS


def load_program(tx: Tx, program_id: str) -> ProgramFacts | None:
    """One programme's current facts (None when its creation has not been seen)."""
    found = load_programs(tx, [program_id])
    return found[0] if found else None


def load_scope(tx: Tx, program_id: str, scope: Scope, rewards: bool = True) -> ProgramFacts | None:
    """The facts of part of a programme: its rules; the sessions in scope (every session when a
    parent is); the parents in scope (every parent when a session is), with their enrolment
    periods, assessments, payouts and arms; and the roll calls and homework of the sittings in
    scope. Enough to count those sittings and to write those parents' figures (without
    `rewards`: enough to count them, no assessments, payouts, arms or rule changes read)."""
    found = _load_chunk(tx, [program_id], scope, rewards)
    return found[0] if found else None


CHUNK = 500
"""Programmes per query (bound parameters stay well under SQLite's limit)."""


def load_programs(tx: Tx, program_ids: Iterable[str]) -> list[ProgramFacts]:
    """The current facts of these programmes, in the order given, skipping those whose creation
    has not been seen: twelve queries for up to CHUNK programmes, not twelve for each."""
    ids = list(program_ids)
    out: list[ProgramFacts] = []
    for i in range(0, len(ids), CHUNK):
        out.extend(_load_chunk(tx, ids[i:i + CHUNK]))
    return out


def _narrowed(*columns: tuple[str, Collection[str]]) -> tuple[str, list[str]]:
    """` AND (column IN (...) OR ...)` over the columns whose values are given, and its parameters
    (nothing when no column is narrowed)."""
    parts, params = [], []
    for column, values in columns:
        if values:
            parts.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(sorted(values))
    return (f" AND ({' OR '.join(parts)})", params) if parts else ("", [])


def _load_chunk(tx: Tx, ids: list[str], scope: Scope | None = None, rewards: bool = True) -> list[ProgramFacts]:
    marks = ",".join("?" * len(ids))
    where = f"program_id IN ({marks})"
    split = len(COMPLETION_COLUMNS) + 1
    settings = {
        row[0]: (CompletionRule(*row[1:split]), RewardScheme(*row[split:]))
        for row in tx.query(f"SELECT program_id, {', '.join(RULE_COLUMNS)} FROM programs WHERE {where}", ids)
    }
    if not settings:
        return []
    # A scope narrows the parents (unless a session is in it: then its sittings of every parent
    # count), the sessions (unless a parent is), and the records (to the sittings in scope).
    no_scope: tuple[str, list[str]] = ("", [])
    by_parent = _narrowed(("parent_id", scope.parents)) if scope and not scope.sessions else no_scope
    by_session = _narrowed(("session_id", scope.sessions)) if scope and not scope.parents else no_scope
    by_sitting = _narrowed(("session_id", scope.sessions), ("parent_id", scope.parents)) if scope else no_scope

    def query(sql: str, narrow: tuple[str, list[str]], tail: str = "") -> list[Any]:
        return tx.query(f"{sql} WHERE {where}{narrow[0]}{tail}", [*ids, *narrow[1]])

    parents: dict[str, dict[str, int]] = {}
    for program, p, pos in query("SELECT program_id, parent_id, position FROM program_parents", by_parent,
                                 " ORDER BY program_id, position"):
        parents.setdefault(program, {})[p] = int(pos)
    periods: dict[str, dict[str, list[tuple[str, str | None]]]] = {}
    for program, parent, on, off in query("SELECT program_id, parent_id, enrolled_on, withdrawn_on FROM enrolments",
                                          by_parent, " ORDER BY program_id, position"):
        periods.setdefault(program, {}).setdefault(parent, []).append((on, off))
    participants: dict[str, set[str]] = {}
    for session, parent in query("SELECT session_id, parent_id FROM session_participants", by_session):
        participants.setdefault(session, set()).add(parent)
    sessions: dict[str, list[SessionFacts]] = {}
    for program, sid, starts_at, utc, day, hw, restricted, att, cancelled, pos in query(
        "SELECT program_id, session_id, starts_at, starts_utc, session_date, has_homework, has_participants,"
        " has_attendance, cancelled, position FROM sessions", by_session, " ORDER BY program_id, starts_utc, position",
    ):
        sessions.setdefault(program, []).append(SessionFacts(
            session_id=sid, starts_at=starts_at, starts_utc=utc, day=day, has_homework=bool(hw),
            held=bool(att) and not bool(cancelled), cancelled=bool(cancelled),
            participants=participants.get(sid, set()) if restricted else None, position=pos,
        ))
    attendance: dict[str, dict[tuple[str, str], str]] = {}
    for program, s, p, status in query(
        "SELECT program_id, session_id, parent_id, status FROM attendance_records", by_sitting
    ):
        attendance.setdefault(program, {})[(s, p)] = status
    homework: dict[str, dict[tuple[str, str], bool]] = {}
    for program, s, p, done in query(
        "SELECT program_id, session_id, parent_id, completed FROM homework_records", by_sitting
    ):
        homework.setdefault(program, {})[(s, p)] = bool(done)
    if rewards:
        assessments, paid, fund, arm_schemes, arms = _load_rewards(tx, query, by_parent, where, ids)
    else:
        assessments, paid, fund, arm_schemes, arms = {}, {}, {}, {}, {}
    changes = _rule_changes(tx, where, ids) if rewards else {}
    return [
        ProgramFacts(
            program, *settings[program], parents.get(program, {}), periods.get(program, {}), sessions.get(program, []),
            attendance.get(program, {}), homework.get(program, {}), assessments.get(program, {}),
            paid.get(program, {}), arm_schemes.get(program, {}), arms.get(program, {}), fund.get(program, {}),
            tuple(changes.get(program, ())),
        )
        for program in ids if program in settings
    ]


def _load_rewards(tx: Tx, query: Callable[..., list[Any]], by_parent: tuple[str, list[str]], where: str,
                  ids: list[str]) -> tuple[Any, Any, Any, Any, Any]:
    """What the parents' rewards depend on besides their sittings: assessments, payouts, fund
    moves, the arms' schemes and who is in which arm."""
    assessments: dict[str, dict[str, list[DatedResult]]] = {}
    for program, parent, score, max_score, taken_on in query(
        "SELECT program_id, parent_id, score, max_score, taken_on FROM assessments", by_parent
    ):
        assessments.setdefault(program, {}).setdefault(parent, []).append(DatedResult(taken_on, score, max_score))
    paid: dict[str, dict[str, int]] = {}
    fund: dict[str, dict[str, dict[str, int]]] = {}
    for program, parent, method, total in query(
        "SELECT program_id, parent_id, method, SUM(amount_cents) FROM payouts", by_parent,
        " GROUP BY program_id, parent_id, method",
    ):
        paid.setdefault(program, {})[parent] = paid.get(program, {}).get(parent, 0) + int(total)
        fund.setdefault(program, {}).setdefault(parent, {})[method] = int(total)
    for program, parent, kind, total in query(
        "SELECT program_id, parent_id, kind, SUM(amount_cents) FROM fund_moves", by_parent,
        " GROUP BY program_id, parent_id, kind",
    ):
        fund.setdefault(program, {}).setdefault(parent, {})[kind] = int(total)
    arm_schemes: dict[str, dict[str, RewardScheme]] = {}
    for program, arm, *scheme in tx.query(
        f"SELECT program_id, arm, {', '.join(REWARD_COLUMNS)} FROM program_arms WHERE {where}", ids
    ):
        arm_schemes.setdefault(program, {})[arm] = RewardScheme(*scheme)
    arms: dict[str, dict[str, str]] = {}
    for program, parent, arm in query("SELECT program_id, parent_id, arm FROM arm_assignments", by_parent):
        arms.setdefault(program, {})[parent] = arm
    return assessments, paid, fund, arm_schemes, arms


def _rule_changes(tx: Tx, where: str, ids: list[str]) -> dict[str, list[RuleChange]]:
    """The programmes' rule changes, in the order recorded."""
    split = 3 + len(COMPLETION_COLUMNS)
    changes: dict[str, list[RuleChange]] = {}
    for row in tx.query(
        f"SELECT program_id, position, effective_from, {', '.join(RULE_COLUMNS)}, changes_completion, changes_rewards"
        f" FROM program_rules WHERE {where} ORDER BY program_id, position", ids
    ):
        completion = CompletionRule(*row[3:split]) if row[-2] else None
        rewards = RewardScheme(*row[split:-2]) if row[-1] else None
        changes.setdefault(row[0], []).append(RuleChange(row[2], completion, rewards))
    return changes


def create(tx: Tx) -> None:
    """Create the fact tables."""
    for ddl in TABLES.values():
        tx.execute(ddl)
    for ddl in INDEXES:
        tx.execute(ddl)
