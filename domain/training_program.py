"""The TrainingProgram aggregate: a programme run at one school, with its completion rule,
reward scheme, enrolments (and withdrawals) and the payouts made to parents."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    AlreadyEnrolledError,
    InvalidAmountError,
    InvalidDateError,
    InvalidSeriesLengthError,
    NotEnrolledError,
    NotFoundError,
    PayoutAlreadyReversedError,
    PayoutExceedsOutstandingError,
    ProgramClosedError,
    ProgramOpenError,
    RulesUnchangedError,
    SchoolMismatchError,
    TrialRulesFixedError,
    UnknownPayoutMethodError,
)
from domain import rules
from domain.limits import MAX_CENTS, MAX_WEEKS, MIN_WEEKS, PAYOUT_METHODS
from domain.rules import CompletionRule, RewardScheme, RuleChange, Rulebook
from domain.session import Session, ensure_session_time
from domain.templates import completion_rule, reward_scheme
from domain.trial import ArmRatio, ArmSetting, FundMove, Trial


@dataclass
class Enrolment:
    """One period in which a parent takes part: enrolled_on <= date < withdrawn_on."""

    parent_id: UUID
    child_id: UUID | None
    enrolled_on: date
    withdrawn_on: date | None = None
    reason: str | None = None
    child_ids: tuple[UUID, ...] = ()
    """Every child the parent takes part for; child_id is the first (its education fund, its trial stratum)."""


@dataclass(frozen=True)
class RecordedRuleChange:
    """A change of the programme's rules as recorded: the change, why, and who made it."""

    change: RuleChange
    reason: str
    actor: str


@dataclass(frozen=True)
class Payout:
    """Money paid to a parent, in cash or into the child's education fund."""

    id: UUID
    parent_id: UUID
    amount_cents: int
    method: str
    reversed: bool = False  # reversed (PayoutReversed): no longer counts as paid


class TrainingProgram(Aggregate):
    """A parental-engagement programme (PACT, Pittige Jaren, REAL, ...) at one school."""

    rule_changes: tuple[RecordedRuleChange, ...] = ()  # a class default: older snapshots have none

    # @event(...) makes these event classes at run time, from the method's signature; mypy can't
    # see them, so the ones read outside the aggregate are declared here for it alone.
    if TYPE_CHECKING:

        class Created(Aggregate.Created):
            school: str
            name: str
            kind: str
            starts_on: date
            completion: dict[str, Any]
            rewards: dict[str, Any]
            actor: str

        class ParentWithdrawn(Aggregate.Event):
            parent_id: UUID
            withdrawn_on: date
            reason: str
            actor: str

        class ArmAssigned(Aggregate.Event):
            parent_id: UUID
            arm: str
            stratum: str
            slot: int
            actor: str

    @classmethod
    def create(
        cls,
        *,
        school: str,
        name: str,
        kind: str,
        starts_on: date,
        completion: dict[str, Any] | None,
        rewards: dict[str, Any] | None,
        actor: str,
        arms: list[dict[str, Any]] | None = None,
    ) -> "TrainingProgram":
        """Start a programme from its kind's template, with the staff's own settings laid over it
        (and, for a trial, its arms: recorded as a second event, so a programme's Created keeps its shape)."""
        arm_settings = Trial.arm_settings(kind, arms) if arms else None  # checked before anything is recorded
        program = cls(
            school=school,
            name=name,
            kind=kind,
            starts_on=starts_on,
            completion=completion_rule(kind, completion).as_dict(),
            rewards=reward_scheme(kind, rewards).as_dict(),
            actor=actor,
        )
        if arm_settings:
            program._arms_defined(arms=arm_settings, actor=actor)
        return program

    @event("Created")
    def __init__(
        self,
        *,
        school: str,
        name: str,
        kind: str,
        starts_on: date,
        completion: dict[str, Any],
        rewards: dict[str, Any],
        actor: str,
    ) -> None:
        self.school = school
        self.name = name
        self.kind = kind
        self.starts_on = starts_on
        self.completion = CompletionRule(**completion)
        self.rewards = RewardScheme(**rewards)
        self.enrolments: dict[UUID, list[Enrolment]] = {}
        self.payouts: list[Payout] = []
        self.closed_on: date | None = None
        self.trial = Trial()  # arms, allocation and the education fund (domain/trial.py); empty if none

    # -- enrolment -------------------------------------------------------------------------

    def current_enrolment(self, parent_id: UUID) -> Enrolment | None:
        """The parent's open enrolment (not withdrawn), if any."""
        for e in self.enrolments.get(parent_id, []):
            if e.withdrawn_on is None:
                return e
        return None

    def enroll(
        self, *, parent_id: UUID, parent_school: str, child_id: UUID | None, enrolled_on: date, actor: str,
        child_ids: Iterable[UUID] = (),
    ) -> None:
        """Enrol a parent of the programme's school, for none, one or several of their children;
        a parent already enrolled cannot be enrolled twice."""
        children = list(dict.fromkeys([*([child_id] if child_id is not None else []), *child_ids]))
        self.ensure_open()
        if parent_school != self.school:
            raise SchoolMismatchError(
                "the parent is registered at another school than the programme's", parent_id=str(parent_id)
            )
        if self.current_enrolment(parent_id) is not None:
            raise AlreadyEnrolledError("this parent is already enrolled in the programme", parent_id=str(parent_id))
        for e in self.enrolments.get(parent_id, []):
            if e.withdrawn_on is not None and enrolled_on < e.withdrawn_on:
                raise InvalidDateError(
                    f"a re-enrolment must start on or after the last withdrawal ({e.withdrawn_on})",
                    enrolled_on=enrolled_on.isoformat(),
                )
        self._parent_enrolled(
            parent_id=parent_id, child_id=children[0] if children else None, child_ids=children,
            enrolled_on=enrolled_on, actor=actor,
        )

    class ParentEnrolled(Aggregate.Event):
        """A parent enrolled; since version 2 for any number of their children (child_ids), the
        first of them still in child_id, so readers of version 1 keep working."""

        class_version = 2
        parent_id: UUID
        child_id: UUID | None
        child_ids: list[UUID]
        enrolled_on: date
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Recorded when an enrolment named at most one child."""
            state["child_ids"] = [state["child_id"]] if state.get("child_id") is not None else []

    @event(ParentEnrolled)
    def _parent_enrolled(
        self, *, parent_id: UUID, child_id: UUID | None, child_ids: list[UUID], enrolled_on: date, actor: str
    ) -> None:
        self.enrolments.setdefault(parent_id, []).append(
            Enrolment(parent_id, child_id, enrolled_on, child_ids=tuple(child_ids)))

    def withdraw(self, *, parent_id: UUID, withdrawn_on: date, reason: str, actor: str) -> None:
        """Withdraw (uitschrijven) an enrolled parent from a date on; what was earned is kept."""
        self.ensure_open()
        current = self.current_enrolment(parent_id)
        if current is None:
            raise NotEnrolledError("this parent is not enrolled in the programme", parent_id=str(parent_id))
        if withdrawn_on < current.enrolled_on:
            raise InvalidDateError(
                f"withdrawn_on cannot be before the enrolment date ({current.enrolled_on})",
                withdrawn_on=withdrawn_on.isoformat(),
            )
        self._parent_withdrawn(parent_id=parent_id, withdrawn_on=withdrawn_on, reason=reason, actor=actor)

    @event("ParentWithdrawn")
    def _parent_withdrawn(self, *, parent_id: UUID, withdrawn_on: date, reason: str, actor: str) -> None:
        current = self.current_enrolment(parent_id)
        assert current is not None
        current.withdrawn_on = withdrawn_on
        current.reason = reason

    def enrolment_periods(self, parent_id: UUID) -> list[tuple[date, date | None]]:
        """The parent's enrolment periods as (enrolled_on, withdrawn_on), oldest first."""
        return [(e.enrolled_on, e.withdrawn_on) for e in self.enrolments.get(parent_id, [])]

    def is_enrolled_on(self, parent_id: UUID, day: date) -> bool:
        """Whether the parent was enrolled on that day."""
        return rules.is_enrolled_on(day, self.enrolment_periods(parent_id))

    def ensure_enrolled_on(self, day: date, parent_ids: Iterable[UUID]) -> None:
        """Refuse when any of these parents was not enrolled on that day."""
        missing = [str(p) for p in parent_ids if not self.is_enrolled_on(p, day)]
        if missing:
            raise NotEnrolledError(
                f"not enrolled in the programme on {day.isoformat()}: {', '.join(missing)}",
                parent_ids=missing,
            )

    def was_enrolled(self, parent_id: UUID) -> bool:
        """Whether the parent was ever enrolled (withdrawn or not)."""
        return parent_id in self.enrolments

    def ensure_was_enrolled(self, parent_id: UUID) -> None:
        """Refuse a parent who was never enrolled (their results and payouts belong elsewhere)."""
        if not self.was_enrolled(parent_id):
            raise NotEnrolledError("this parent was never enrolled in the programme", parent_id=str(parent_id))

    def enrolled_parents(self) -> list[UUID]:
        """Every parent ever enrolled, in order of first enrolment."""
        return list(self.enrolments)

    # -- payouts ---------------------------------------------------------------------------

    def paid_cents(self, parent_id: UUID) -> int:
        """What has been paid to the parent so far."""
        return sum(p.amount_cents for p in self.payouts if p.parent_id == parent_id and not p.reversed)

    def record_payout(
        self, *, parent_id: UUID, amount_cents: int, method: str, earned_cents: int, actor: str
    ) -> Payout:
        """Pay a parent part or all of what is outstanding (earned minus already paid)."""
        self.ensure_open()
        self.ensure_was_enrolled(parent_id)
        if not 0 < amount_cents <= MAX_CENTS:
            raise InvalidAmountError(f"amount_cents must be between 1 and {MAX_CENTS}", amount_cents=amount_cents)
        if method not in PAYOUT_METHODS:
            raise UnknownPayoutMethodError(f"method must be one of {', '.join(PAYOUT_METHODS)}", method=method)
        self.trial.ensure_payout_method(parent_id, method)
        outstanding = earned_cents - self.paid_cents(parent_id)
        if amount_cents > outstanding:
            raise PayoutExceedsOutstandingError(
                f"payout of {amount_cents} cents is more than the {max(outstanding, 0)} cents outstanding",
                outstanding_cents=max(outstanding, 0),
            )
        payout_id = uuid4()
        self._payout_recorded(payout_id=payout_id, parent_id=parent_id, amount_cents=amount_cents, method=method, actor=actor)
        return self.payouts[-1]

    @event("PayoutRecorded")
    def _payout_recorded(self, *, payout_id: UUID, parent_id: UUID, amount_cents: int, method: str, actor: str) -> None:
        self.payouts.append(Payout(payout_id, parent_id, amount_cents, method))

    # -- sessions --------------------------------------------------------------------------

    def schedule_series(
        self,
        *,
        title: str,
        first_starts_at: datetime,
        weeks: int,
        location: str | None,
        homework: str | None,
        participants: list[UUID] | None,
        actor: str,
    ) -> list[Session]:
        """Schedule a weekly series of this programme's sessions (numbered titles when more than
        one); a home visit's participants must have been enrolled."""
        self.ensure_open()
        if participants is not None:
            unknown = [str(p) for p in participants if not self.was_enrolled(p)]
            if unknown:
                raise NotEnrolledError(
                    f"participants not enrolled in the programme: {', '.join(unknown)}", parent_ids=unknown
                )
        if not MIN_WEEKS <= weeks <= MAX_WEEKS:
            raise InvalidSeriesLengthError(f"weeks must be between {MIN_WEEKS} and {MAX_WEEKS}", weeks=weeks)
        ensure_session_time(first_starts_at)  # before adding weeks to it (year 9999 would overflow)
        return [
            Session.schedule(
                program_id=self.id,
                title=title if weeks == 1 else f"{title} {i + 1}",
                starts_at=first_starts_at + timedelta(weeks=i),
                location=location, homework=homework, participants=participants, actor=actor,
            )
            for i in range(weeks)
        ]

    # -- closure and corrections -----------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether the programme is closed (its figures final)."""
        return self.closed_on is not None

    def ensure_open(self) -> None:
        """Refuse any command on a closed programme."""
        if self.closed:
            raise ProgramClosedError(
                f"the programme was closed on {self.closed_on}; an admin can reopen it", program_id=str(self.id)
            )

    def close(self, *, on: date, reason: str, actor: str) -> None:
        """Close the programme: no more sessions, enrolments, roll calls or payouts; figures final."""
        self.ensure_open()
        self._closed(closed_on=on, reason=reason, actor=actor)

    @event("Closed")
    def _closed(self, *, closed_on: date, reason: str, actor: str) -> None:
        self.closed_on = closed_on

    def reopen(self, *, reason: str, actor: str) -> None:
        """Reopen a closed programme (admins), with the reason."""
        if not self.closed:
            raise ProgramOpenError("the programme is not closed", program_id=str(self.id))
        self._reopened(reason=reason, actor=actor)

    @event("Reopened")
    def _reopened(self, *, reason: str, actor: str) -> None:
        self.closed_on = None

    def payout(self, payout_id: UUID) -> Payout:
        """The programme's payout with this id."""
        for p in self.payouts:
            if p.id == payout_id:
                return p
        raise NotFoundError("payout", payout_id)

    def reverse_payout(self, payout_id: UUID, *, reason: str, actor: str) -> Payout:
        """Reverse a payout recorded by mistake: it stops counting as paid (never twice, so what was
        paid never drops below zero)."""
        self.ensure_open()
        p = self.payout(payout_id)
        if p.reversed:
            raise PayoutAlreadyReversedError(
                "this payout was already reversed; that would reverse more than was paid", payout_id=str(payout_id)
            )
        if p.method == "education_fund":  # what was released or forfeited from the fund stays taken out
            self.trial.ensure_fund_holds(p.parent_id, p.amount_cents, self.fund_in_cents(p.parent_id))
        self._payout_reversed(
            payout_id=payout_id, parent_id=p.parent_id, amount_cents=p.amount_cents, reason=reason, actor=actor
        )
        return self.payout(payout_id)

    @event("PayoutReversed")
    def _payout_reversed(self, *, payout_id: UUID, parent_id: UUID, amount_cents: int, reason: str, actor: str) -> None:
        self.payouts = [replace(p, reversed=True) if p.id == payout_id else p for p in self.payouts]
    # -- trials: arms, allocation by lot, the education fund (rules in domain/trial.py) -----------

    def scheme_for(self, parent_id: UUID) -> RewardScheme:
        """The reward scheme a parent earns under: their arm's, else the programme's."""
        return self.trial.scheme_of(parent_id) or self.rewards

    @event("ArmsDefined")
    def _arms_defined(self, *, arms: list[ArmSetting], actor: str) -> None:
        self.trial.define(arms)

    def set_up_allocation(self, *, actor: str, seed: str, **settings: Any) -> None:
        """Set up allocation by lot; only the seed's commitment is recorded. Refused once anyone is allocated."""
        self.ensure_open()
        a = self.trial.allocation_for(seed=seed, **settings)
        self._allocation_set_up(
            method=a.method, strata=a.strata, block_sizes=a.block_sizes,
            ratios=[{"arm": arm, "ratio": r} for arm, r in a.ratios.items()], commitment=a.commitment, actor=actor,
        )

    @event("AllocationSetUp")
    def _allocation_set_up(
        self, *, method: str, strata: list[str], block_sizes: list[int], ratios: list[ArmRatio], commitment: str,
        actor: str,
    ) -> None:
        self.trial.set_allocation(method, strata, block_sizes, ratios, commitment)

    def allocate(self, *, parent_id: UUID, school: str, group: int | None, seed: str, actor: str) -> str | None:
        """Give a newly enrolled parent the next slot of their stratum (None when the programme allocates nobody)."""
        slot = self.trial.next_slot(parent_id, school=school, group=group, seed=seed)
        if slot is None:
            return None
        stratum, number, arm = slot
        self._arm_assigned(parent_id=parent_id, arm=arm, stratum=stratum, slot=number, actor=actor)
        return arm

    @event("ArmAssigned")
    def _arm_assigned(self, *, parent_id: UUID, arm: str, stratum: str, slot: int, actor: str) -> None:
        self.trial.assign(parent_id, arm, stratum, slot)

    def change_arm(self, *, parent_id: UUID, arm: str, override: bool, reason: str, actor: str) -> None:
        """Move a parent to another arm: refused, unless an admin overrides (recorded and flagged in reports)."""
        self.ensure_open()
        self.ensure_was_enrolled(parent_id)
        self.trial.ensure_may_move(parent_id, arm, override)
        self._arm_overridden(parent_id=parent_id, arm=arm, reason=reason, actor=actor)

    @event("ArmOverridden")
    def _arm_overridden(self, *, parent_id: UUID, arm: str, reason: str, actor: str) -> None:
        self.trial.override(parent_id, arm, reason)

    def lock_trial(self, *, seed: str, actor: str) -> None:
        """Lock the trial and reveal its seed, so anyone can re-derive every assignment."""
        self.ensure_open()
        self.trial.ensure_may_lock(seed)
        self._trial_locked(seed=seed, actor=actor)

    @event("TrialLocked")
    def _trial_locked(self, *, seed: str, actor: str) -> None:
        self.trial.seed = seed

    def fund_child(self, parent_id: UUID) -> UUID | None:
        """The child whose education fund a parent's fund payouts accrue to (the enrolment's child)."""
        periods = self.enrolments.get(parent_id, [])
        return periods[-1].child_id if periods else None

    def fund_in_cents(self, parent_id: UUID) -> int:
        """What was paid into the child's education fund."""
        return sum(p.amount_cents for p in self.payouts
                   if p.parent_id == parent_id and p.method == "education_fund" and not p.reversed)

    def release_fund(
        self, *, parent_id: UUID, amount_cents: int, evidence: str, released_on: date, actor: str
    ) -> FundMove:
        """Release (part of) the child's fund on evidence (enrolment in further education); never below zero."""
        self.ensure_open()
        self.ensure_was_enrolled(parent_id)
        self.trial.ensure_fund_holds(parent_id, amount_cents, self.fund_in_cents(parent_id))
        self._fund_released(
            move_id=uuid4(), parent_id=parent_id, child_id=self.fund_child(parent_id), amount_cents=amount_cents,
            evidence=evidence, released_on=released_on, actor=actor,
        )
        return self.trial.fund_moves[-1]

    @event("FundReleased")
    def _fund_released(
        self, *, move_id: UUID, parent_id: UUID, child_id: UUID | None, amount_cents: int, evidence: str,
        released_on: date, actor: str,
    ) -> None:
        self.trial.fund_moves.append(FundMove(move_id, parent_id, child_id, "released", amount_cents, evidence, released_on))

    def forfeit_fund(self, *, parent_id: UUID, amount_cents: int, reason: str, forfeited_on: date, actor: str) -> FundMove:
        """Forfeit (part of) the child's fund, with the reason; never below zero."""
        self.ensure_open()
        self.ensure_was_enrolled(parent_id)
        self.trial.ensure_fund_holds(parent_id, amount_cents, self.fund_in_cents(parent_id))
        self._fund_forfeited(
            move_id=uuid4(), parent_id=parent_id, child_id=self.fund_child(parent_id), amount_cents=amount_cents,
            reason=reason, forfeited_on=forfeited_on, actor=actor,
        )
        return self.trial.fund_moves[-1]

    @event("FundForfeited")
    def _fund_forfeited(
        self, *, move_id: UUID, parent_id: UUID, child_id: UUID | None, amount_cents: int, reason: str,
        forfeited_on: date, actor: str,
    ) -> None:
        self.trial.fund_moves.append(FundMove(move_id, parent_id, child_id, "forfeited", amount_cents, reason, forfeited_on))

    # -- rules that change mid-year (docs/rules.md) ------------------------------------------

    def rulebook_for_programme(self) -> Rulebook:
        """The programme's own rules over time: those it was created with and every change."""
        return Rulebook(self.completion, self.rewards, tuple(r.change for r in self.rule_changes))

    def rulebook_for(self, parent_id: UUID) -> Rulebook:
        """The rules a parent's figures follow over time: the programme's rules (in a trial, with
        the parent's arm's scheme) and every change from its effective date on (a trial has none)."""
        return Rulebook(self.completion, self.scheme_for(parent_id), tuple(r.change for r in self.rule_changes))

    def change_rules(
        self, *, effective_from: date, completion: dict[str, Any] | None, rewards: dict[str, Any] | None,
        reason: str, actor: str,
    ) -> RecordedRuleChange:
        """Replace the completion rule and/or the reward scheme from a date on (values not given
        are those in force on that date). Refused on a closed programme and in a trial."""
        self.ensure_open()
        if self.trial.arms:
            raise TrialRulesFixedError(
                "a trial's arms keep the reward scheme they were allocated under", program_id=str(self.id)
            )
        if effective_from < self.starts_on:
            raise InvalidDateError(
                f"effective_from cannot be before the programme starts ({self.starts_on})",
                effective_from=effective_from.isoformat(),
            )
        old_completion, old_rewards = self.rulebook_for_programme().in_force(effective_from)
        new_completion = completion_rule(self.kind, {**old_completion.as_dict(), **completion}) if completion else None
        new_rewards = reward_scheme(self.kind, {**old_rewards.as_dict(), **rewards}) if rewards else None
        new_completion = None if new_completion == old_completion else new_completion  # record what changes
        new_rewards = None if new_rewards == old_rewards else new_rewards
        if new_completion is None and new_rewards is None:
            raise RulesUnchangedError(
                f"the rules in force on {effective_from.isoformat()} are already these", program_id=str(self.id)
            )
        self._rules_changed(
            effective_from=effective_from,
            completion=new_completion.as_dict() if new_completion else None,
            rewards=new_rewards.as_dict() if new_rewards else None,
            reason=reason, actor=actor,
        )
        return self.rule_changes[-1]

    @event("RulesChanged")
    def _rules_changed(
        self, *, effective_from: date, completion: dict[str, Any] | None, rewards: dict[str, Any] | None,
        reason: str, actor: str,
    ) -> None:
        change = RuleChange(
            effective_from,
            CompletionRule(**completion) if completion else None,
            RewardScheme(**rewards) if rewards else None,
        )
        self.rule_changes = (*self.rule_changes, RecordedRuleChange(change, reason, actor))
