"""Snapshots of long histories: a programme or session loads from its latest snapshot as it would
from its events, a withdrawal's reason is sealed in it under the parent's key (and reads "gewist"
after an erasure), a snapshot of other domain code is not used, and a snapshot that can't be
taken never fails the command."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from adapters import snapshot_state
from adapters.personal_data import ERASED
from application.aggregate_cache import SNAPSHOT_EVERY
from application.history import History
from betrokken.system import open_service
from domain.parent import Parent
from domain.session import Session
from domain.training_program import TrainingProgram
from tests.application.conftest import CEST

EVERY = 5


@pytest.fixture(autouse=True)
def short_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot every 5 events, so a short history is a long one."""
    monkeypatch.setitem(SNAPSHOT_EVERY, TrainingProgram, EVERY)
    monkeypatch.setitem(SNAPSHOT_EVERY, Session, EVERY)


@pytest.fixture
def services(store):
    """Services on one store as separate processes would open them (each with its own cache)."""
    opened: list[Any] = []

    def open_one():
        opened.append(open_service(store))
        return opened[-1]

    yield open_one
    for svc in opened:
        svc.close()


def programme_with(svc, parents: int) -> tuple[UUID, list[UUID]]:
    program = svc.create_program(school="12AB", name="PACT", kind="pact", starts_on=date(2026, 9, 1))
    ids = [svc.register_parent(school="12AB", name=f"Ouder {i}").id for i in range(parents)]
    for p in ids:
        svc.enroll(program.id, parent_id=p, enrolled_on=date(2026, 9, 1))
    return program.id, ids


def versions(svc, aggregate_id: UUID) -> list[int]:
    return [s.originator_version for s in svc.snapshots.recorder.select_events(aggregate_id)]


def loaded_after(svc, aggregate_id: UUID, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[Any]]:
    """The aggregate loaded by a service that has not cached it, and the `gt` its events were read after."""
    store = svc.repository.event_store
    reads: list[Any] = []
    real = store.get

    def spy(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("originator_id") == aggregate_id:
            reads.append(kwargs.get("gt"))
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "get", spy)
    return svc.repository.get(aggregate_id), reads


def test_a_programme_loads_from_its_snapshot_as_from_its_events(services, monkeypatch: pytest.MonkeyPatch):
    here = services()
    program_id, parents = programme_with(here, 12)
    here.withdraw(program_id, parent_id=parents[3], withdrawn_on=date(2026, 9, 8), reason="Verhuisd naar Tilburg")
    assert versions(here, program_id) == [10]  # the one at 5 was deleted when the one at 10 was stored
    there = services()
    program, reads = loaded_after(there, program_id, monkeypatch)
    assert reads == [10]  # only the events after the snapshot were read
    replayed = there.repository.get(program_id, version=program.version)  # a past version: events alone
    assert vars(program) == vars(replayed)
    assert program.enrolments[parents[3]][0].reason == "Verhuisd naar Tilburg"


def test_a_session_with_attendance_keyed_by_parent_loads_from_its_snapshot(services, monkeypatch: pytest.MonkeyPatch):
    here = services()
    program_id, parents = programme_with(here, 3)
    session = here.schedule_session(program_id, title="Bijeenkomst", starts_at=datetime(2026, 9, 7, 19, 30, tzinfo=CEST),
                                 homework="Samen lezen")
    for status in ("present", "absent", "excused", "present", "absent"):
        here.take_roll_call(session.id, [(p, status) for p in parents])  # an event per parent
    here.record_homework(session.id, [(parents[0], True)])
    taken = versions(here, session.id)  # at the save that reached 15 events (3 a save); older ones deleted
    assert len(taken) == 1 and taken[-1] >= 15
    loaded, reads = loaded_after(services(), session.id, monkeypatch)
    assert reads == [taken[-1]] and loaded.homework_done == {parents[0]: True}
    assert loaded.attendance == {p: "absent" for p in parents}
    assert vars(loaded) == vars(here.repository.get(session.id, version=loaded.version))


def test_a_withdrawal_reason_is_sealed_in_the_snapshot_and_erased_with_the_parent(services, store, monkeypatch: pytest.MonkeyPatch):
    here = services()
    program_id, parents = programme_with(here, 2)
    here.withdraw(program_id, parent_id=parents[1], withdrawn_on=date(2026, 9, 8), reason="Verhuisd naar Tilburg")
    here.take_snapshot(program_id)
    head = here.program(program_id).version
    assert versions(here, program_id)[-1] == head
    stored = here.snapshots.recorder.select_events(program_id)
    assert stored and all(b"Tilburg" not in bytes(s.state) for s in stored)

    assert services().program(program_id).enrolments[parents[1]][0].reason == "Verhuisd naar Tilburg"
    here.erase_parent(parents[1], reason="verzoek van ouder")
    after, reads = loaded_after(services(), program_id, monkeypatch)  # through the snapshot taken before
    assert reads == [head]
    assert after.enrolments[parents[1]][0].reason == ERASED
    assert after.enrolments[parents[1]][0].withdrawn_on == date(2026, 9, 8)


def test_a_snapshot_of_other_domain_code_is_replaced_by_the_events(services, monkeypatch: pytest.MonkeyPatch):
    here = services()
    program_id, parents = programme_with(here, 6)
    assert versions(here, program_id) == [5]
    monkeypatch.setattr(snapshot_state, "shape", lambda: "another-shape")
    there = services()
    program, reads = loaded_after(there, program_id, monkeypatch)
    assert reads == [None]  # replayed from the first event
    assert set(program.enrolments) == set(parents)
    # The long replay left a snapshot of this code's shape, which the next load uses.
    assert versions(there, program_id) == [program.version]  # and the stale one went
    assert loaded_after(services(), program_id, monkeypatch)[1][-1] == program.version


def test_a_snapshot_that_cannot_be_taken_never_fails_the_command(services, monkeypatch: pytest.MonkeyPatch):
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the snapshot cannot be written")

    monkeypatch.setattr(snapshot_state, "encode", broken)
    here = services()
    program_id, parents = programme_with(here, 7)  # the 5th event asked for a snapshot
    assert versions(here, program_id) == []
    assert set(services().program(program_id).enrolments) == set(parents)


def test_parents_are_not_snapshotted(services):
    here = services()
    parent = here.register_parent(school="12AB", name="Ouder", children=[(f"Kind {i}", 3) for i in range(3)])
    for i in range(2 * EVERY):
        here.add_child(parent.id, name=f"Broertje {i}", group=4)
    assert isinstance(here.parent(parent.id), Parent)
    assert versions(here, parent.id) == []


def test_a_past_state_is_replayed_from_the_events_alone(services, monkeypatch: pytest.MonkeyPatch):
    here = services()
    program_id, _ = programme_with(here, 6)
    monkeypatch.setattr(here.snapshots, "get", lambda *a, **k: pytest.fail("a past state read a snapshot"))
    state = History(here).state_at(program_id, as_of=datetime.now(CEST) + timedelta(days=1))
    assert state["version"] == 7
