"""The Parent aggregate: a parent (or carer) registered at a school, with their children and
the results of the children's assessments within programmes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, NotRequired, TypedDict, Unpack
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    AssessmentWithdrawnError, InvalidGroupError, InvalidOutcomeMeasureError, InvalidScoreError, NotFoundError,
    NothingToCorrectError, ParentErasedError, UnknownChildError,
)
from domain.limits import MAX_GROUP, MIN_GROUP


# How a personal field reads once its words are gone: destroyed on purpose (erasure, AVG), or
# unreadable because this store does not hold the parent's key (a log imported without its keys).
ERASED = "gewist"
UNREADABLE = "onleesbaar"


@dataclass(frozen=True)
class Child:
    """A child of the parent, in a primary-school year group (groep 1..8)."""

    id: UUID
    name: str
    group: int
    left_on: date | None = None  # set when the child left the school (groep 8 at the new school year)


class NewChild(TypedDict):
    """A child as the Registered event records it: its fresh id, name and group."""

    id: UUID
    name: str
    group: int


@dataclass(frozen=True)
class Assessment:
    """A (tussen)toets result of a child, recorded within a programme."""

    id: UUID
    program_id: UUID
    child_id: UUID
    name: str
    score: float
    max_score: float
    taken_on: date
    withdrawn: bool = False  # a withdrawn result no longer counts (AssessmentCorrected)
    instrument: str | None = None  # e.g. cito_lezen, sdq (None: recorded before outcome measures)
    domain: str | None = None  # cognitive | non_cognitive
    moment: str | None = None  # baseline | interim | post (None: unknown)

    @property
    def ratio(self) -> float:
        """The score as a fraction of the maximum (compared with the reward threshold)."""
        return self.score / self.max_score


class AssessmentResult(TypedDict):
    """What a (tussen)toets result says, as staff record it for a child."""

    child_id: UUID
    name: str
    score: float
    max_score: float
    taken_on: date
    instrument: NotRequired[str | None]
    domain: NotRequired[str | None]
    moment: NotRequired[str | None]


def check_group(group: int) -> None:
    """Primary school has year groups 1 to 8."""
    if not MIN_GROUP <= group <= MAX_GROUP:
        raise InvalidGroupError(f"group must be between {MIN_GROUP} and {MAX_GROUP}, not {group}", group=group)


DOMAINS = ("cognitive", "non_cognitive")
MOMENTS = ("baseline", "interim", "post")


def outcome_measure(instrument: str | None, domain: str | None, moment: str | None) -> dict[str, str | None]:
    """What an assessment measures and when: all optional (a result for rewards only needs none)."""
    if domain is not None and domain not in DOMAINS:
        raise InvalidOutcomeMeasureError(f"domain must be one of {', '.join(DOMAINS)}", domain=domain)
    if moment is not None and moment not in MOMENTS:
        raise InvalidOutcomeMeasureError(f"moment must be one of {', '.join(MOMENTS)}", moment=moment)
    if instrument is not None and not (0 < len(instrument) <= 40 and instrument.replace("_", "").isalnum()):
        raise InvalidOutcomeMeasureError("an instrument is a word of letters, digits and _ (e.g. cito_lezen)")
    return {"instrument": instrument, "domain": domain, "moment": moment}


class Parent(Aggregate):
    """A parent registered at a school (BRIN), taking part in one or more programmes."""

    # @event(...) makes these event classes at run time, from the method's signature; mypy can't
    # see them, so the ones read outside the aggregate are declared here for it alone.
    if TYPE_CHECKING:

        class Registered(Aggregate.Created):
            school: str
            name: str
            phone: str | None
            email: str | None
            language: str | None
            children: list[NewChild]
            actor: str

        class ChildAdded(Aggregate.Event):
            child_id: UUID
            name: str
            group: int
            actor: str

    @staticmethod
    def new_children(children: list[tuple[str, int]]) -> list[NewChild]:
        """Give each child a fresh id, after checking its group."""
        for _, group in children:
            check_group(group)
        return [{"id": uuid4(), "name": name, "group": group} for name, group in children]

    @classmethod
    def register(
        cls,
        *,
        school: str,
        name: str,
        phone: str | None,
        email: str | None,
        language: str | None,
        children: list[tuple[str, int]],
        actor: str,
    ) -> "Parent":
        """Register a parent and their children."""
        return cls(
            school=school,
            name=name,
            phone=phone,
            email=email,
            language=language,
            children=cls.new_children(children),
            actor=actor,
        )

    @event("Registered")
    def __init__(
        self,
        *,
        school: str,
        name: str,
        phone: str | None,
        email: str | None,
        language: str | None,
        children: list[NewChild],
        actor: str,
    ) -> None:
        self.school = school
        self.name = name
        self.phone = phone
        self.email = email
        self.language = language
        self.children: dict[UUID, Child] = {}
        for c in children:
            self.children[c["id"]] = Child(id=c["id"], name=c["name"], group=c["group"])
        self.assessments: list[Assessment] = []
        self.erased = False
        self.school_years: list[date] = []
        self.erasure_held_until: date | None = None
        self.erasure_hold: str | None = None  # why the request waits (outstanding_rewards, decision)

    def add_child(self, *, name: str, group: int, actor: str) -> Child:
        """Add a child to the family."""
        check_group(group)
        child_id = uuid4()
        self._child_added(child_id=child_id, name=name, group=group, actor=actor)
        return self.children[child_id]

    @event("ChildAdded")
    def _child_added(self, *, child_id: UUID, name: str, group: int, actor: str) -> None:
        self.children[child_id] = Child(id=child_id, name=name, group=group)

    def record_assessment(self, *, program_id: UUID, actor: str, **result: Unpack[AssessmentResult]) -> Assessment:
        """Record a child's test result within a programme (score in 0..max_score)."""
        self.child(result["child_id"])
        score, max_score = result["score"], result["max_score"]
        if max_score <= 0:
            raise InvalidScoreError("max_score must be greater than 0", max_score=max_score)
        if not 0 <= score <= max_score:
            raise InvalidScoreError(f"score must be between 0 and {max_score}, not {score}", score=score)
        measure = outcome_measure(result.get("instrument"), result.get("domain"), result.get("moment"))
        self._assessment_recorded(
            assessment_id=uuid4(), program_id=program_id, actor=actor, child_id=result["child_id"],
            name=result["name"], score=score, max_score=max_score, taken_on=result["taken_on"], **measure,
        )
        return self.assessments[-1]

    class AssessmentRecorded(Aggregate.Event):
        """A child's result; since version 2 also what it measures and when (outcome measures)."""

        class_version = 2
        assessment_id: UUID
        program_id: UUID
        child_id: UUID
        name: str
        score: float
        max_score: float
        taken_on: date
        instrument: str | None
        domain: str | None
        moment: str | None
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Recorded before outcome measures: instrument, domain and moment unknown."""
            state.update(instrument=None, domain=None, moment=None)

    @event(AssessmentRecorded)
    def _assessment_recorded(
        self,
        *,
        assessment_id: UUID,
        program_id: UUID,
        child_id: UUID,
        name: str,
        score: float,
        max_score: float,
        taken_on: date,
        instrument: str | None,
        domain: str | None,
        moment: str | None,
        actor: str,
    ) -> None:
        self.assessments.append(
            Assessment(
                assessment_id, program_id, child_id, name, score, max_score, taken_on,
                instrument=instrument, domain=domain, moment=moment,  # by name: other optional fields may precede
            )
        )

    def child(self, child_id: UUID) -> Child:
        """The parent's child with this id (refused when it is not theirs)."""
        try:
            return self.children[child_id]
        except KeyError:
            raise UnknownChildError(f"child {child_id} is not a child of this parent", child_id=str(child_id)) from None

    @property
    def unreadable(self) -> bool:
        """Whether some personal data of the parent cannot be read here: the key is missing, not destroyed."""
        own = (self.name, self.phone, self.email, self.language)
        return UNREADABLE in own or any(c.name == UNREADABLE for c in self.children.values())

    ERASED_FIELDS = ("name", "phone", "email", "language", "children.name", "withdrawal reasons", "message texts")

    def erase(self, *, reason: str, actor: str) -> bool:
        """Record that the parent's personal data is being erased (AVG); False when it already was."""
        if self.erased:
            return False
        self._erased(reason=reason, destroyed=list(self.ERASED_FIELDS), actor=actor)
        return True

    @event("Erased")
    def _erased(self, *, reason: str, destroyed: list[str], actor: str) -> None:
        self.erased = True
        self.erasure_held_until = None

    # -- corrections (AVG art. 16) -----------------------------------------------------------

    def _ensure_not_erased(self) -> None:
        if self.erased:
            raise ParentErasedError("this parent's personal data was erased; there is nothing left to correct")

    def correct_details(self, *, actor: str, **changes: str | None) -> bool:
        """Correct the parent's name, phone, e-mail or language; False when nothing differs.
        The old values stay in the history (the events before), readable to auditors only."""
        self._ensure_not_erased()
        if not changes:
            raise NothingToCorrectError("name at least one of name, phone, email, language")
        differ = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if not differ:
            return False
        self._details_corrected(
            name=differ.get("name"), phone=differ.get("phone"), email=differ.get("email"),
            language=differ.get("language"), corrected=sorted(differ), actor=actor,
        )
        return True

    @event("DetailsCorrected")
    def _details_corrected(
        self, *, name: str | None, phone: str | None, email: str | None, language: str | None,
        corrected: list[str], actor: str,
    ) -> None:
        values = {"name": name, "phone": phone, "email": email, "language": language}
        for field in corrected:
            setattr(self, field, values[field])

    def correct_child(self, child_id: UUID, *, name: str | None, group: int | None, actor: str) -> Child:
        """Correct a child's name or year group."""
        self._ensure_not_erased()
        child = self.child(child_id)
        if name is None and group is None:
            raise NothingToCorrectError("name at least one of name, group")
        if group is not None:
            check_group(group)
        if (name is None or name == child.name) and (group is None or group == child.group):
            return child
        self._child_corrected(
            child_id=child_id, name=None if name == child.name else name,
            group=None if group == child.group else group, actor=actor,
        )
        return self.children[child_id]

    @event("ChildCorrected")
    def _child_corrected(self, *, child_id: UUID, name: str | None, group: int | None, actor: str) -> None:
        old = self.children[child_id]
        self.children[child_id] = Child(
            id=child_id, name=old.name if name is None else name,
            group=old.group if group is None else group, left_on=old.left_on,
        )

    def start_school_year(self, *, on: date, actor: str) -> tuple[int, int]:
        """Move every child still at school up a group on `on`; groep 8 leaves. Once per date:
        running it again for the same (or an earlier) date changes nothing. (moved up, left)."""
        if self.erased or any(d >= on for d in self.school_years):
            return 0, 0
        staying = [c for c in self.children.values() if c.left_on is None]
        moved = [c.id for c in staying if c.group < MAX_GROUP]
        left = [c.id for c in staying if c.group >= MAX_GROUP]
        if not staying:
            return 0, 0
        self._school_year_started(on=on, moved_up=moved, left=left, actor=actor)
        return len(moved), len(left)

    @event("SchoolYearStarted")
    def _school_year_started(self, *, on: date, moved_up: list[UUID], left: list[UUID], actor: str) -> None:
        self.school_years.append(on)
        for cid in moved_up:
            c = self.children[cid]
            self.children[cid] = Child(id=cid, name=c.name, group=c.group + 1)
        for cid in left:
            c = self.children[cid]
            self.children[cid] = Child(id=cid, name=c.name, group=c.group, left_on=on)

    def assessment(self, assessment_id: UUID) -> Assessment:
        """The parent's assessment with this id (refused as unknown otherwise)."""
        for a in self.assessments:
            if a.id == assessment_id:
                return a
        raise NotFoundError("assessment", assessment_id)

    def correct_assessment(
        self, assessment_id: UUID, *, score: float | None, max_score: float | None, withdrawn: bool,
        reason: str, actor: str,
    ) -> Assessment:
        """Correct a result's score or maximum, or withdraw it (it then stops counting), with a reason."""
        a = self.assessment(assessment_id)
        if a.withdrawn:
            raise AssessmentWithdrawnError("this assessment was withdrawn", assessment_id=str(assessment_id))
        if score is None and max_score is None and not withdrawn:
            raise NothingToCorrectError("name at least one of score, max_score, withdrawn")
        new_score = a.score if score is None else score
        new_max = a.max_score if max_score is None else max_score
        if new_max <= 0:
            raise InvalidScoreError("max_score must be greater than 0", max_score=new_max)
        if not 0 <= new_score <= new_max:
            raise InvalidScoreError(f"score must be between 0 and {new_max}, not {new_score}", score=new_score)
        self._assessment_corrected(
            assessment_id=assessment_id, program_id=a.program_id, score=new_score, max_score=new_max,
            withdrawn=withdrawn, reason=reason, actor=actor,
        )
        return self.assessment(assessment_id)

    @event("AssessmentCorrected")
    def _assessment_corrected(
        self, *, assessment_id: UUID, program_id: UUID, score: float, max_score: float, withdrawn: bool,
        reason: str, actor: str,
    ) -> None:
        self.assessments = [
            replace(a, score=score, max_score=max_score, withdrawn=withdrawn) if a.id == assessment_id else a
            for a in self.assessments
        ]

    # -- erasure outcomes other than erased ----------------------------------------------------

    def hold_erasure(self, *, until: date, hold: str, reason: str, actor: str) -> None:
        """Record that an erasure request waits until a date (e.g. rewards still to pay out)."""
        self._erasure_held(until=until, hold=hold, reason=reason, actor=actor)

    @event("ErasureHeld")
    def _erasure_held(self, *, until: date, hold: str, reason: str, actor: str) -> None:
        self.erasure_held_until = until
        self.erasure_hold = hold

    def refuse_erasure(self, *, refusal: str, reason: str, actor: str) -> None:
        """Record that an erasure request was refused, and why."""
        self._erasure_refused(refusal=refusal, reason=reason, actor=actor)

    @event("ErasureRefused")
    def _erasure_refused(self, *, refusal: str, reason: str, actor: str) -> None:
        self.erasure_held_until = None

    def record_access_report(self, *, actor: str) -> None:
        """Record that everything held about the parent was produced for them (AVG art. 15)."""
        self._access_report_produced(actor=actor)

    @event("AccessReportProduced")
    def _access_report_produced(self, *, actor: str) -> None:
        pass
