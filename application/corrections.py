"""Corrections (AVG art. 16, rectification) and a programme's closure, as use cases of the
programme service: each loads the aggregates, lets them decide, and saves the new fact with
its actor. Nothing is overwritten: the old values stay in the history, for auditors."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from application.actor import SYSTEM, Actor
from application.clock import today
from domain.parent import Assessment, Child, Parent
from domain.training_program import Payout, TrainingProgram

if TYPE_CHECKING:
    from application.programs import ProgramService

PARENT_FIELDS = ("name", "phone", "email", "language")


class Corrections:
    """The correcting commands, on the programme service's store (`service.corrections`)."""

    def __init__(self, service: "ProgramService") -> None:
        self.service = service

    def correct_parent(
        self, parent_id: UUID, *, changes: dict[str, str | None], actor: Actor = SYSTEM
    ) -> Parent:
        """Correct a parent's name, phone, e-mail or language (an erased parent: refused)."""
        unknown = set(changes) - set(PARENT_FIELDS)
        if unknown:
            raise ValueError(f"not a parent's detail: {', '.join(sorted(unknown))}")

        def command() -> Parent:
            parent = self.service.parent(parent_id, actor)
            if parent.correct_details(actor=actor.name, **changes):
                self.service._save(parent)
            return parent
        return self.service._retrying(command, parent_id)

    def correct_child(
        self, parent_id: UUID, child_id: UUID, *, name: str | None = None,
        group: int | None = None, actor: Actor = SYSTEM,
    ) -> Child:
        """Correct a child's name or year group."""
        def command() -> Child:
            parent = self.service.parent(parent_id, actor)
            version = parent.version
            child = parent.correct_child(child_id, name=name, group=group, actor=actor.name)
            if parent.version != version:
                self.service._save(parent)
            return child
        return self.service._retrying(command, parent_id)

    def start_school_year(self, school: str, *, on: date, actor: Actor = SYSTEM) -> tuple[int, int]:
        """The new school year at one school: every child a group up, groep 8 leaves; all its
        parents in one transaction. Once per date (again: nothing changes). (moved up, left)."""
        actor.ensure_may_see(school, "school", school)

        def command() -> tuple[int, int]:
            moved = left = 0
            changed = []
            for parent_id in self.service.directory.parents_of(frozenset({school})):
                parent = self.service._get(Parent, "parent", parent_id)
                m, lft = parent.start_school_year(on=on, actor=actor.name)
                if m or lft:
                    changed.append(parent)
                moved, left = moved + m, left + lft
            if changed:
                self.service._save(*changed)
            return moved, left
        return self.service._retrying(command, uuid5(NAMESPACE_URL, f"school-year:{school}"))

    def correct_assessment(
        self, parent_id: UUID, assessment_id: UUID, *, reason: str,
        score: float | None = None, max_score: float | None = None, withdrawn: bool = False,
        actor: Actor = SYSTEM,
    ) -> Assessment:
        """Correct or withdraw a result (with a reason); the reward figures follow."""
        def command() -> Assessment:
            parent = self.service.parent(parent_id, actor)
            self.service.program(parent.assessment(assessment_id).program_id, actor).ensure_open()
            corrected = parent.correct_assessment(
                assessment_id, score=score, max_score=max_score, withdrawn=withdrawn, reason=reason, actor=actor.name,
            )
            self.service._save(parent)
            return corrected
        return self.service._retrying(command, parent_id)

    def reverse_payout(
        self, program_id: UUID, payout_id: UUID, *, reason: str, actor: Actor = SYSTEM
    ) -> Payout:
        """Reverse a payout recorded by mistake (once); what is outstanding grows back by its amount."""
        def command() -> Payout:
            program = self.service.program(program_id, actor)
            payout = program.reverse_payout(payout_id, reason=reason, actor=actor.name)
            self.service._save(program)
            return payout
        return self.service._retrying(command, program_id)

    def close_program(
        self, program_id: UUID, *, reason: str, on: date | None = None, actor: Actor = SYSTEM
    ) -> TrainingProgram:
        """Close a programme: no more sessions, enrolments, roll calls or payouts; figures final."""
        def command() -> TrainingProgram:
            program = self.service.program(program_id, actor)
            program.close(on=on or today(), reason=reason, actor=actor.name)
            self.service._save(program)
            return program
        return self.service._retrying(command, program_id)

    def reopen_program(self, program_id: UUID, *, reason: str, actor: Actor = SYSTEM) -> TrainingProgram:
        """Reopen a closed programme (admins), with the reason."""
        def command() -> TrainingProgram:
            program = self.service.program(program_id, actor)
            program.reopen(reason=reason, actor=actor.name)
            self.service._save(program)
            return program
        return self.service._retrying(command, program_id)

    # -- erasure requests that do not end in an erasure (application/privacy.py decides) ---

    def hold_erasure(
        self, parent_id: UUID, *, until: date, hold: str, reason: str, actor: Actor = SYSTEM
    ) -> Parent:
        """Record that a parent's erasure request waits until a date, and why."""
        def command() -> Parent:
            parent = self.service.parent(parent_id, actor)
            parent.hold_erasure(until=until, hold=hold, reason=reason, actor=actor.name)
            self.service._save(parent)
            return parent
        return self.service._retrying(command, parent_id)

    def refuse_erasure(
        self, parent_id: UUID, *, refusal: str, reason: str, actor: Actor = SYSTEM
    ) -> Parent:
        """Record that a parent's erasure request was refused, and why."""
        def command() -> Parent:
            parent = self.service.parent(parent_id, actor)
            parent.refuse_erasure(refusal=refusal, reason=reason, actor=actor.name)
            self.service._save(parent)
            return parent
        return self.service._retrying(command, parent_id)

    def record_access_report(self, parent_id: UUID, *, actor: Actor = SYSTEM) -> Parent:
        """Record that everything held about a parent was produced (AVG art. 15)."""
        def command() -> Parent:
            parent = self.service.parent(parent_id, actor)
            parent.record_access_report(actor=actor.name)
            self.service._save(parent)
            return parent
        return self.service._retrying(command, parent_id)
