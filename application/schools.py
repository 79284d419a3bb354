"""The register of schools: name, BRIN code and holiday region, so pages show names, not codes,
and a series can skip the holidays of the school's region."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError

from application.actor import SYSTEM, Actor
from application.programs import ProgramService
from domain.errors import SchoolExistsError
from domain.school import School, school_id


def register_school(service: ProgramService, *, brin: str, name: str, region: str, actor: Actor = SYSTEM) -> School:
    """Add a school to the register (a BRIN code once)."""
    actor.ensure_may_see(brin, "school", brin)
    if school_id(brin) in service.directory.schools_of(frozenset({brin})):
        raise SchoolExistsError(f"school {brin} is registered already", brin=brin)
    school = School.register(brin=brin, name=name, region=region, actor=actor.name)
    try:
        service._save(school)
    except IntegrityError:  # another process registered the same code (the same id) just now
        raise SchoolExistsError(f"school {brin} is registered already", brin=brin) from None
    return school


def schools(service: ProgramService, actor: Actor = SYSTEM) -> list[School]:
    """The registered schools the actor works for (every one for an admin), in order of registration."""
    return [service._get(School, "school", i) for i in service.directory.schools_of(actor.schools)]


def school_names(service: ProgramService, actor: Actor = SYSTEM) -> dict[str, str]:
    """BRIN code -> name, for the registered schools the actor sees (pages show names, not codes)."""
    return {s.brin: s.name for s in schools(service, actor)}


def region_of(service: ProgramService, brin: str) -> str | None:
    """The holiday region of a registered school; None when the code is not in the register."""
    found = service.directory.schools_of(frozenset({brin}))
    return service._get(School, "school", found[0]).region if found else None
