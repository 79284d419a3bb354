"""The aggregate cache: what another process appended is applied, a refused command leaves it
untouched, and personal data erased elsewhere is not handed out from it."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from adapters.personal_data import ERASED
from application.aggregate_cache import CachingRepository
from betrokken.system import open_service
from domain.errors import AlreadyEnrolledError, ConcurrentEditError
from tests.application.conftest import CEST, Pact


def cached(service, aggregate_id) -> bool:
    try:
        service.repository.cache.get(aggregate_id)
    except KeyError:
        return False
    return True


def test_a_loaded_aggregate_is_cached_and_handed_out_as_a_copy(pact: Pact):
    svc = pact.service
    assert isinstance(svc.repository, CachingRepository)
    first = svc.program(pact.program_id)
    assert cached(svc, pact.program_id)
    first.enrolments[pact.parents[0]][0].reason = "in de kopie"  # what a caller does to its copy stays with it
    first.enrolments.clear()
    second = svc.program(pact.program_id)
    assert len(second.enrolments) == len(pact.parents)
    assert second.enrolments[pact.parents[0]][0].reason is None
    session = svc.session(pact.session_id)
    session.attendance[pact.parents[0]] = "present"
    assert svc.session(pact.session_id).attendance == {}
    parent = svc.parent(pact.parents[1])
    next(iter(parent.children.values())).__dict__["name"] = "Anders"
    assert [c.name for c in svc.parent(pact.parents[1]).children.values()] == ["Kind 1"]


def test_another_process_writes_are_fast_forwarded(store, pact: Pact):
    here = pact.service
    assert len(here.program(pact.program_id).enrolments) == 4  # cached here
    there = open_service(store)  # another process on the same store
    try:
        newcomer = there.register_parent(school="12AB", name="Nieuwe ouder").id
        there.enroll(pact.program_id, parent_id=newcomer, enrolled_on=date(2026, 9, 2))
        program = here.program(pact.program_id)
        assert newcomer in program.enrolments
        assert program.version == there.program(pact.program_id).version
        # A command here builds on the other process's event, not on the cached version.
        late = here.register_parent(school="12AB", name="Late ouder").id
        here.enroll(pact.program_id, parent_id=late, enrolled_on=date(2026, 9, 3))
        assert {newcomer, late} <= set(there.program(pact.program_id).enrolments)
    finally:
        there.close()


def test_a_refused_command_leaves_the_cache_as_stored(pact: Pact):
    svc = pact.service
    version = svc.program(pact.program_id).version
    with pytest.raises(AlreadyEnrolledError):
        svc.enroll(pact.program_id, parent_id=pact.parents[0], enrolled_on=date(2026, 9, 2))
    assert svc.program(pact.program_id).version == version
    extra = svc.register_parent(school="12AB", name="Extra").id
    svc.enroll(pact.program_id, parent_id=extra, enrolled_on=date(2026, 9, 2))
    assert svc.program(pact.program_id).version == version + 1


def test_personal_data_erased_by_another_process_is_not_served_from_the_cache(store, pact: Pact):
    here = pact.service
    parent_id = pact.parents[0]
    here.withdraw(pact.program_id, parent_id=parent_id, withdrawn_on=date(2026, 10, 1), reason="Verhuist naar Breda")
    assert here.parent(parent_id).name == "Ouder 0"  # both cached here, in clear
    assert here.program(pact.program_id).enrolments[parent_id][0].reason == "Verhuist naar Breda"
    there = open_service(store)
    try:
        there.erase_parent(parent_id, reason="verzoek van ouder")
    finally:
        there.close()
    here.keys.cache.clear()  # as when the key store's own short cache expires
    parent = here.parent(parent_id)
    assert parent.erased and parent.name == ERASED
    assert all(c.name == ERASED for c in parent.children.values())
    assert here.program(pact.program_id).enrolments[parent_id][0].reason == ERASED
    assert here.parent(pact.parents[1]).name == "Ouder 1"



class Note(Aggregate):
    """A kind of aggregate the cache knows nothing about (it might hold personal data)."""

    def __init__(self, text: str) -> None:
        self.text = text


def test_only_the_kinds_whose_personal_data_is_known_are_cached(pact: Pact):
    svc = pact.service
    note = Note("over een ouder")
    svc.save(note)
    assert svc.repository.get(note.id).text == "over een ouder"
    assert not cached(svc, note.id)
    svc.program(pact.program_id), svc.session(pact.session_id), svc.parent(pact.parents[0])
    assert all(cached(svc, i) for i in (pact.program_id, pact.session_id, pact.parents[0]))


def test_roll_calls_and_enrolments_on_one_programme_at_once_lose_nothing(store, pact: Pact):
    """Threads of two services take roll calls (borrowing the cached programme) while others
    enrol parents into it (changing it): no error, every enrolment stored and seen everywhere."""
    services = [pact.service, open_service(store)]
    svc = pact.service
    sessions = [s.id for s in svc.schedule_series(pact.program_id, title="Reeks", weeks=6,
                                                  first_starts_at=datetime(2026, 9, 14, 19, 30, tzinfo=CEST))]
    newcomers = [svc.register_parent(school="12AB", name=f"Nieuw {i}").id for i in range(12)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(sessions) + 3)

    def roll_caller(i: int) -> None:
        try:
            barrier.wait()
            for r in range(4):
                services[i % 2].take_roll_call(sessions[i], [(p, ("present", "absent")[r % 2]) for p in pact.parents])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def enroller(i: int) -> None:
        try:
            barrier.wait()
            for p in newcomers[i::3]:
                services[i % 2].enroll(pact.program_id, parent_id=p, enrolled_on=date(2026, 9, 1))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=roll_caller, args=(i,)) for i in range(len(sessions))]
    threads += [threading.Thread(target=enroller, args=(i,)) for i in range(3)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        services[1].close()
    assert errors == []
    fresh = open_service(store)
    try:
        for service in (svc, fresh):
            assert set(newcomers) <= set(service.program(pact.program_id).enrolments)
            for s in sessions:
                assert service.session(s).attendance == {p: "absent" for p in pact.parents}
    finally:
        fresh.close()


def test_an_enrolment_changes_the_cached_programme_in_place_and_a_failed_one_drops_it(pact: Pact, monkeypatch):
    svc = pact.service
    repository = svc.repository
    svc.enroll(pact.program_id, parent_id=svc.register_parent(school="12AB", name="Nul").id, enrolled_on=date(2026, 9, 2))
    kept = repository.cache.get(pact.program_id)
    first = svc.enroll(pact.program_id, parent_id=svc.register_parent(school="12AB", name="Een").id,
                       enrolled_on=date(2026, 9, 2))
    assert repository.cache.get(pact.program_id) is kept  # changed in place: no copy of it was cached
    assert first is not kept and first.enrolments == kept.enrolments  # the caller's answer is a copy
    svc.enroll(pact.program_id, parent_id=svc.register_parent(school="12AB", name="Twee").id, enrolled_on=date(2026, 9, 2))
    assert len(kept.enrolments) == len(first.enrolments) + 1  # the next enrolment left the answer as it was
    saved = kept.version
    # A save that fails after the programme was changed in place (another process got there
    # first, every time): the change is not kept in the cache.
    late = svc.register_parent(school="12AB", name="Laat").id
    monkeypatch.setattr("application.programs.MAX_ATTEMPTS", 2)
    monkeypatch.setattr(svc, "save", lambda *a, **k: (_ for _ in ()).throw(IntegrityError("conflict")))
    with pytest.raises(ConcurrentEditError):
        svc.enroll(pact.program_id, parent_id=late, enrolled_on=date(2026, 9, 2))
    assert not cached(svc, pact.program_id)
    monkeypatch.undo()
    program = svc.program(pact.program_id)
    assert late not in program.enrolments and program.version == saved
    svc.enroll(pact.program_id, parent_id=late, enrolled_on=date(2026, 9, 2))
    assert late in svc.program(pact.program_id).enrolments
