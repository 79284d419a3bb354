"""What the staff's pickers offer: parents sorted by name with erased ones left out (nothing
left to pick them by), and children labelled with their group and marked with their parent, so
the enrolment form offers only the chosen parent's children."""

from __future__ import annotations

from typing import Any, Iterable
from uuid import UUID

from flask_babel import gettext as _

from application.actor import Actor
from application.programs import ProgramService
from domain.parent import Parent
from domain.training_program import TrainingProgram


def by_name(items: Iterable[Any]) -> list[Any]:
    """Parents, children or programmes in the order a person looks them up: by name, ignoring case."""
    return sorted(items, key=lambda item: (item.name.casefold(), str(item.id)))


def pickable_parents(service: ProgramService, actor: Actor, school: str) -> list[Parent]:
    """The school's parents a form may offer, sorted by name; erased parents left out."""
    at_school = service.directory.parents_of(frozenset({school}))  # not every school's parents
    return by_name(p for p in (service.parent(i, actor) for i in at_school) if not p.erased)


def not_enrolled(parents: list[Parent], program: TrainingProgram) -> list[Parent]:
    """The parents not (or no longer) enrolled in the programme."""
    return [p for p in parents if not program.current_enrolment(p.id)]


def child_label(child: Any) -> str:
    """A child as a picker shows it: name and group."""
    return f"{child.name} ({_('groep %(group)s', group=child.group)})"


def children_of(parents: list[Parent]) -> list[tuple[str, str, str]]:
    """Each parent's children as (child id, label, parent id), by parent and then by name."""
    return [(str(c.id), child_label(c), str(p.id)) for p in parents for c in by_name(p.children.values())]


def parent_of_children(parents: list[Parent]) -> dict[str, str]:
    """Which parent each offered child belongs to (child id -> parent id)."""
    return {str(c): str(p.id) for p in parents for c in p.children}


def chosen_parent(value: str | None) -> UUID | None:
    """The parent picked on a form, when the value is one."""
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
