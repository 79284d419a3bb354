"""The lists staff and scripts page through: parents (searchable by name), programmes, and a
programme's sessions, within the caller's schools and optionally one school.

Parents and programmes are listed in the order they were registered or created (their place
in that order is their key); sessions by start, then by the order they were scheduled in. Only
the page's own records are loaded; the order and the school come from the directory, names
from the name index."""

from __future__ import annotations

from datetime import timezone
from uuid import UUID

from application.actor import Actor
from application.paging import Key, Page, window
from application.programs import ProgramService
from domain.session import Session

DEFAULT_PAGE = 50
PROGRAM_PAGE = 20
"""Programmes by default fewer a page: each answer carries its enrolments and payouts, and each
is loaded from its history (about 90 ms for 20 at 5,000 parents on a loaded machine)."""
MAX_PAGE = 500
PARENT_KEY: tuple[type, ...] = (int,)
PROGRAM_KEY: tuple[type, ...] = (int,)
SESSION_KEY: tuple[type, ...] = (str, int)


def scope(actor: Actor, school: str | None) -> frozenset[str] | None:
    """The schools a list covers: the caller's, narrowed to `school` when given (a school
    outside the caller's gives an empty list, revealing nothing)."""
    if school is None:
        return actor.schools
    return frozenset({school}) if actor.may_see(school) else frozenset()


def in_order(ids: list[UUID], everyone: list[UUID]) -> list[tuple[Key, UUID]]:
    """`ids` keyed by their place in `everyone` (the whole list, in order of creation)."""
    place = {pid: n for n, pid in enumerate(everyone)}
    return [((place[i],), i) for i in ids if i in place]


def parents_page(
    service: ProgramService, actor: Actor, *, limit: int = DEFAULT_PAGE, after: Key | None = None,
    before: Key | None = None, q: str | None = None, school: str | None = None,
) -> Page[UUID]:
    """The ids of a page of parents of the caller's schools, oldest first; with `q`, only those
    whose name contains it (case and accents ignored; erased parents never match)."""
    directory = service.directory
    ids = directory.parents_of(scope(actor, school))
    if q and q.strip():
        ids = service.names.matching(ids, q.strip())
    return window(in_order(ids, directory.parents_of(None)), limit, after, before)


def programs_page(
    service: ProgramService, actor: Actor, *, limit: int = PROGRAM_PAGE, after: Key | None = None,
    before: Key | None = None, school: str | None = None,
) -> Page[UUID]:
    """The ids of a page of programmes of the caller's schools, oldest first."""
    directory = service.directory
    ids = directory.programs_of(scope(actor, school))
    return window(in_order(ids, directory.programs_of(None)), limit, after, before)


def sessions_page(
    service: ProgramService, program_id: UUID, actor: Actor, *, limit: int = DEFAULT_PAGE,
    after: Key | None = None, before: Key | None = None,
) -> Page[Session]:
    """A page of a programme's sessions in order of their start (a programme has tens of them:
    all are read, the page is cut from them)."""
    sessions = service.sessions(program_id, actor)  # scoped: 404 outside the caller's schools
    scheduled = {sid: n for n, sid in enumerate(service.directory.sessions_of(program_id))}
    keyed: list[tuple[Key, Session]] = sorted(
        (((s.starts_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f"), scheduled.get(s.id, -1)), s)
         for s in sessions),
        key=lambda pair: pair[0],
    )
    return window(keyed, limit, after, before)
