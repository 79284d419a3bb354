"""The programme service: the use cases of programme staff, in their words.

Every command loads the aggregates it needs, lets them check their rules, and saves the new
facts in one go. A concurrent edit of the same aggregate (another tablet, another thread,
another process) surfaces as eventsourcing's IntegrityError: the command is then re-run
against the fresh state, so nothing is lost and no client sees a crash."""

from __future__ import annotations

import random
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar, Unpack
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper

from adapters import deadline, transcodings
from adapters.keystore import KeyStore
from adapters.personal_data import PersonalDataMapper
from adapters.seed_vault import SeedVault
from application.actor import SYSTEM, Actor
from application.aggregate_cache import CACHE_SETTINGS, SNAPSHOT_EVERY, CachingRepository, detached, project
from application.clock import today
from application.corrections import Corrections
from application import trial
from application.directory import Directory
from application.name_index import NameIndex
from domain import participation
from domain.errors import ConcurrentEditError, NotFoundError
from domain.parent import Assessment, AssessmentResult, Child, Parent
from domain.session import Session
from domain.training_program import Payout, TrainingProgram

T = TypeVar("T")
MAX_ATTEMPTS = 40
EarnedCents = Callable[[TrainingProgram, UUID], int]
SavedListener = Callable[[int], None]


class ProgramService(Application):
    """Register parents, run programmes, take roll calls and pay rewards."""

    name = "Betrokken"
    env = CACHE_SETTINGS  # the library's aggregate cache, fast-forwarded (application/aggregate_cache.py)
    snapshotting_intervals = SNAPSHOT_EVERY  # long histories load from a snapshot (the same module)

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        keys: KeyStore,
        earned_cents: EarnedCents | None = None,
        saved_listeners: Sequence[SavedListener] = (),
    ) -> None:
        """`earned_cents` says how much a parent has earned in a programme (the composition root
        passes the rewards projection; else it is worked out from the aggregates);
        `saved_listeners` are called with the last position after every successful save."""
        self.keys = keys  # before super().__init__, which builds the mapper
        super().__init__(env)
        self.directory = Directory(self)
        self.names = NameIndex(self)  # parents' names for search, programmes' for lists
        self.corrections = Corrections(self)  # application/corrections.py: rectification, closure
        self.seeds = SeedVault(keys)
        self.retries = 0
        self._stripes = [threading.Lock() for _ in range(64)]
        self.saved_listeners: list[SavedListener] = list(saved_listeners)
        self.earned_cents: EarnedCents = earned_cents or self._earned_from_aggregates

    # -- infrastructure ----------------------------------------------------------------------

    def construct_mapper(self) -> Mapper:
        """Personal fields are encrypted per parent (see adapters/personal_data.py)."""
        return PersonalDataMapper(self.construct_transcoder(), self.keys)

    def construct_repository(self) -> Repository:
        """The library's repository with its cache checked against erasures."""
        library = super().construct_repository()
        repository = CachingRepository(
            event_store=library.event_store, snapshot_store=library.snapshot_store,
            cache_maxsize=int(self.env.get(self.AGGREGATE_CACHE_MAXSIZE) or 0) or None,
            fastforward=library.fastforward, fastforward_skipping=library.fastforward_skipping,
            deepcopy_from_cache=library.deepcopy_from_cache,
        )
        repository.keys = self.keys
        repository.snapshot_every = dict(self.snapshotting_intervals)
        return repository

    def take_snapshot(self, aggregate_id: UUID, version: int | None = None, projector_func: Any = project) -> None:
        """A snapshot of the aggregate as it is now, from the cache (the library's would replay up to
        `version`); best effort, a failure never fails the save that asked for it."""
        repository = self.repository
        assert isinstance(repository, CachingRepository)
        repository.snapshot(aggregate_id)

    def close(self) -> None:
        super().close()
        self.keys.close()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcodings.register(transcoder)

    def _retrying(self, command: Callable[[], T], key: UUID) -> T:
        """Run a command on the aggregate `key`, re-running it against fresh state when another
        writer got there first. Commands on one aggregate take turns within this process (so
        its threads never conflict); other processes' writes are retried with jittered backoff."""
        with self._stripes[hash(key) % len(self._stripes)]:
            for attempt in range(MAX_ATTEMPTS):
                deadline.check()  # the turn may have come after the client gave up
                try:
                    return command()
                except IntegrityError:
                    self.retries += 1
                    time.sleep(random.uniform(0, min(0.05, 0.001 * 2**attempt)))
        raise ConcurrentEditError("the record kept changing while saving; reload and retry")

    def _save(self, *aggregates: Any) -> int:
        recordings = self.save(*aggregates)
        position = recordings[-1].notification.id if recordings else 0
        for listener in self.saved_listeners:
            listener(position)
        return position

    @contextmanager
    def _borrowed(self, cls: type[T], what: str, ident: UUID, *, change: bool = False) -> Iterator[T]:
        """The cached aggregate itself, to read (never change) inside the block: a check that costs
        the same however long its history (application/aggregate_cache.py). With `change`, to
        change and save inside the block (a refused or failed command drops it from the cache)."""
        repository = self.repository
        assert isinstance(repository, CachingRepository)
        try:
            with (repository.changing(ident) if change else repository.borrowed(ident)) as agg:
                if not isinstance(agg, cls):
                    raise NotFoundError(what, ident)
                yield agg
        except AggregateNotFoundError:
            raise NotFoundError(what, ident) from None

    def _get(self, cls: type[T], what: str, ident: UUID) -> T:
        try:
            agg: Aggregate = self.repository.get(ident)
        except AggregateNotFoundError:
            raise NotFoundError(what, ident) from None
        if not isinstance(agg, cls):
            raise NotFoundError(what, ident)
        return agg

    # -- reading (scoped to the actor's schools) -------------------------------------------

    def parent(self, parent_id: UUID, actor: Actor = SYSTEM) -> Parent:
        """A parent, if the actor may see their school."""
        p = self._get(Parent, "parent", parent_id)
        actor.ensure_may_see(p.school, "parent", parent_id)
        return p

    def program(self, program_id: UUID, actor: Actor = SYSTEM) -> TrainingProgram:
        """A programme, if the actor may see its school."""
        p = self._get(TrainingProgram, "programme", program_id)
        actor.ensure_may_see(p.school, "programme", program_id)
        return p

    def session(self, session_id: UUID, actor: Actor = SYSTEM) -> Session:
        """A session, if the actor may see its programme's school."""
        s = self._get(Session, "session", session_id)
        self._scoped_program_of(s, actor)
        return s

    def _scoped_program_of(self, session: Session, actor: Actor) -> TrainingProgram:
        program = self._get(TrainingProgram, "programme", session.program_id)
        actor.ensure_may_see(program.school, "session", session.id)
        return program

    def programs(self, actor: Actor = SYSTEM) -> list[TrainingProgram]:
        """The programmes of the actor's schools, oldest first."""
        return [self._get(TrainingProgram, "programme", i) for i in self.directory.programs_of(actor.schools)]

    def parents(self, actor: Actor = SYSTEM) -> list[Parent]:
        """The parents registered at the actor's schools, oldest first."""
        return [self._get(Parent, "parent", i) for i in self.directory.parents_of(actor.schools)]

    def sessions(self, program_id: UUID, actor: Actor = SYSTEM) -> list[Session]:
        """The sessions of a programme, in order of their start."""
        self.program(program_id, actor)
        found = [self._get(Session, "session", i) for i in self.directory.sessions_of(program_id)]
        return sorted(found, key=lambda s: s.starts_at)

    def _earned_from_aggregates(self, program: TrainingProgram, parent_id: UUID) -> int:
        """What the parent earned, counted from the aggregates by the rulebook."""
        sessions = [self._get(Session, "session", i) for i in self.directory.sessions_of(program.id)]
        assessments = self._get(Parent, "parent", parent_id).assessments
        return participation.earnings(program, sessions, assessments, parent_id).earned_cents

    # -- parents ---------------------------------------------------------------------------

    def register_parent(
        self,
        *,
        school: str,
        name: str,
        children: Iterable[tuple[str, int]] = (),
        phone: str | None = None,
        email: str | None = None,
        language: str | None = None,
        actor: Actor = SYSTEM,
    ) -> Parent:
        """Register a parent (and their children) at one of the actor's schools."""
        actor.ensure_may_see(school, "school", school)
        parent = Parent.register(
            school=school, name=name, phone=phone, email=email, language=language,
            children=list(children), actor=actor.name,
        )
        self._save(parent)
        return parent

    def add_child(self, parent_id: UUID, *, name: str, group: int, actor: Actor = SYSTEM) -> Child:
        """Add a child to a registered parent."""
        def command() -> Child:
            parent = self.parent(parent_id, actor)
            child = parent.add_child(name=name, group=group, actor=actor.name)
            self._save(parent)
            return child
        return self._retrying(command, parent_id)

    def record_assessment(
        self, parent_id: UUID, *, program_id: UUID, actor: Actor = SYSTEM, **result: Unpack[AssessmentResult]
    ) -> Assessment:
        """Record a child's (tussen)toets result within a programme the parent is enrolled in."""
        def command() -> Assessment:
            parent = self.parent(parent_id, actor)
            program = self.program(program_id, actor)
            program.ensure_open()
            program.ensure_was_enrolled(parent_id)
            assessment = parent.record_assessment(program_id=program_id, actor=actor.name, **result)
            self._save(parent)
            return assessment
        return self._retrying(command, parent_id)

    def erase_parent(self, parent_id: UUID, *, reason: str, actor: Actor = SYSTEM) -> Parent:
        """Erase a parent's personal data by destroying their key; the erasure itself is an event.
        Re-running it after a crash finishes the job (the key is destroyed again, no new event)."""
        def command() -> Parent:
            parent = self.parent(parent_id, actor)
            if parent.erase(reason=reason, actor=actor.name):
                self._save(parent)
            return parent
        parent = self._retrying(command, parent_id)
        self.keys.destroy(parent_id)
        return self.parent(parent_id, actor)

    # -- programmes ------------------------------------------------------------------------

    def create_program(
        self,
        *,
        school: str,
        name: str,
        kind: str,
        starts_on: date,
        completion: dict[str, Any] | None = None,
        rewards: dict[str, Any] | None = None,
        arms: list[dict[str, Any]] | None = None,
        actor: Actor = SYSTEM,
    ) -> TrainingProgram:
        """Start a programme at a school from its kind's template (a trial: with its arms)."""
        actor.ensure_may_see(school, "school", school)
        program = TrainingProgram.create(
            school=school, name=name, kind=kind, starts_on=starts_on,
            completion=completion, rewards=rewards, arms=arms, actor=actor.name,
        )
        self._save(program)
        return program

    def enroll(
        self,
        program_id: UUID,
        *,
        parent_id: UUID,
        child_id: UUID | None = None,
        enrolled_on: date | None = None,
        actor: Actor = SYSTEM,
        child_ids: list[UUID] | None = None,
    ) -> TrainingProgram:
        """Enrol a parent of the programme's school (optionally for one or more of their children)."""
        def command() -> TrainingProgram:
            with self._borrowed(TrainingProgram, "programme", program_id) as seen:
                actor.ensure_may_see(seen.school, "programme", program_id)
            with self._borrowed(Parent, "parent", parent_id) as parent:
                actor.ensure_may_see(parent.school, "parent", parent_id)
                for chosen in [*([child_id] if child_id is not None else []), *(child_ids or [])]:
                    parent.child(chosen)  # one of this parent's children, or refused
                parent_school = parent.school
            # Changed in place, not on a copy first: an enrolment costs the same at the 1,000th parent.
            with self._borrowed(TrainingProgram, "programme", program_id, change=True) as program:
                program.enroll(
                    parent_id=parent_id, parent_school=parent_school, child_id=child_id,
                    child_ids=child_ids or [], enrolled_on=enrolled_on or today(), actor=actor.name,
                )
                first = program.current_enrolment(parent_id)
                trial.allocate(self.seeds, program, parent, first.child_id if first else None, actor.name)  # a trial's next slot, if any
                self._save(program)
                # The caller gets its own containers, taken under the turn: the cached programme
                # changes in place under the next enrolment while this answer is still being read.
                return detached(program)
        return self._retrying(command, program_id)

    def withdraw(
        self,
        program_id: UUID,
        *,
        parent_id: UUID,
        reason: str,
        withdrawn_on: date | None = None,
        actor: Actor = SYSTEM,
    ) -> TrainingProgram:
        """Withdraw a parent from a date on; sessions from then on no longer count for them."""
        def command() -> TrainingProgram:
            program = self.program(program_id, actor)
            if not program.was_enrolled(parent_id):
                self.parent(parent_id, actor)  # an unknown parent (or one outside the actor's schools): 404
            program.withdraw(
                parent_id=parent_id, withdrawn_on=withdrawn_on or today(),
                reason=reason, actor=actor.name,
            )
            self._save(program)
            return program
        return self._retrying(command, program_id)

    def record_payout(
        self,
        program_id: UUID,
        *,
        parent_id: UUID,
        amount_cents: int,
        method: str,
        actor: Actor = SYSTEM,
    ) -> Payout:
        """Pay a parent what they earned, never more than is outstanding (also when two pay at once:
        what was paid comes from the programme being saved, so a racing payout forces a re-check)."""
        def command() -> Payout:
            program = self.program(program_id, actor)
            if not program.was_enrolled(parent_id):
                self.parent(parent_id, actor)  # an unknown parent (or one outside the actor's schools): 404
            program.ensure_was_enrolled(parent_id)  # before working out what they earned
            earned = self.earned_cents(program, parent_id)
            payout = program.record_payout(
                parent_id=parent_id, amount_cents=amount_cents, method=method,
                earned_cents=earned, actor=actor.name,
            )
            self._save(program)
            return payout
        return self._retrying(command, program_id)

    # -- sessions --------------------------------------------------------------------------

    def schedule_session(
        self,
        program_id: UUID,
        *,
        title: str,
        starts_at: datetime,
        location: str | None = None,
        homework: str | None = None,
        participants: list[UUID] | None = None,
        actor: Actor = SYSTEM,
    ) -> Session:
        """Schedule a group session, or a home visit when `participants` names the family."""
        return self.schedule_series(
            program_id, title=title, first_starts_at=starts_at, weeks=1, location=location,
            homework=homework, participants=participants, actor=actor,
        )[0]

    def schedule_series(
        self,
        program_id: UUID,
        *,
        title: str,
        first_starts_at: datetime,
        weeks: int,
        location: str | None = None,
        homework: str | None = None,
        participants: list[UUID] | None = None,
        actor: Actor = SYSTEM,
    ) -> list[Session]:
        """Schedule a weekly series of sessions in one go (numbered titles when more than one)."""
        sessions = self.program(program_id, actor).schedule_series(
            title=title, first_starts_at=first_starts_at, weeks=weeks, location=location,
            homework=homework, participants=participants, actor=actor.name,
        )
        self._save(*sessions)
        return sessions

    def take_roll_call(
        self, session_id: UUID, records: list[tuple[UUID, str]], *, actor: Actor = SYSTEM
    ) -> Session:
        """Record who was present, absent or excused (afgemeld); a different status is a correction."""
        def command() -> Session:
            session = self._get(Session, "session", session_id)
            with self._borrowed(TrainingProgram, "programme", session.program_id) as program:
                actor.ensure_may_see(program.school, "session", session.id)
                program.ensure_open()
                program.ensure_enrolled_on(session.date, [p for p, _ in records])
            session.record_attendance(records, actor=actor.name)
            self._save(session)
            return session
        return self._retrying(command, session_id)

    def record_homework(
        self, session_id: UUID, records: list[tuple[UUID, bool]], *, actor: Actor = SYSTEM
    ) -> Session:
        """Record who did this session's homework with their child."""
        def command() -> Session:
            session = self._get(Session, "session", session_id)
            with self._borrowed(TrainingProgram, "programme", session.program_id) as program:
                actor.ensure_may_see(program.school, "session", session.id)
                program.ensure_open()
                program.ensure_enrolled_on(session.date, [p for p, _ in records])
            session.record_homework(records, actor=actor.name)
            self._save(session)
            return session
        return self._retrying(command, session_id)

    def cancel_session(self, session_id: UUID, *, reason: str, actor: Actor = SYSTEM) -> Session:
        """Cancel a session that has no roll call yet."""
        def command() -> Session:
            session = self.session(session_id, actor)
            self._scoped_program_of(session, actor).ensure_open()
            session.cancel(reason=reason, actor=actor.name)
            self._save(session)
            return session
        return self._retrying(command, session_id)
