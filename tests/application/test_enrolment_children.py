"""A parent enrolled for more than one child: the enrolment holds them all (child_ids, the first
also in child_id), refuses another parent's child, survives a reopening, and an enrolment stored
before (one child_id) is read with that one child."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from adapters.config import StoreConfig
from application.programs import ProgramService
from betrokken.system import open_service
from domain.errors import UnknownChildError
from domain.training_program import TrainingProgram
from tests.helpers.api_client import Api, open_api


@pytest.fixture
def service(sqlite_store: StoreConfig):  # type: ignore[no-untyped-def]
    opened = open_service(sqlite_store)
    yield opened
    opened.close()


def test_a_parent_is_enrolled_for_two_of_their_children(service: ProgramService, sqlite_store: StoreConfig) -> None:
    program = service.create_program(school="12AB", name="Lezen", kind="pact", starts_on=date(2026, 9, 1))
    parent = service.register_parent(school="12AB", name="Ouder", children=[("Elif", 5), ("Can", 2), ("Ada", 7)])
    elif_, can, _ada = parent.children
    service.enroll(program.id, parent_id=parent.id, child_ids=[can, elif_], enrolled_on=date(2026, 9, 1))
    reopened = open_service(sqlite_store)
    try:
        enrolment = reopened.program(program.id).current_enrolment(parent.id)
        assert enrolment is not None
        assert enrolment.child_ids == (can, elif_) and enrolment.child_id == can
    finally:
        reopened.close()


def test_child_id_and_child_ids_together_name_each_child_once(service: ProgramService) -> None:
    program = service.create_program(school="12AB", name="Lezen", kind="pact", starts_on=date(2026, 9, 1))
    parent = service.register_parent(school="12AB", name="Ouder", children=[("Elif", 5), ("Can", 2)])
    elif_, can = parent.children
    service.enroll(program.id, parent_id=parent.id, child_id=elif_, child_ids=[elif_, can], enrolled_on=date(2026, 9, 1))
    enrolment = service.program(program.id).current_enrolment(parent.id)
    assert enrolment is not None and enrolment.child_ids == (elif_, can)


def test_another_parents_child_is_refused_and_nothing_is_recorded(service: ProgramService) -> None:
    program = service.create_program(school="12AB", name="Lezen", kind="pact", starts_on=date(2026, 9, 1))
    parent = service.register_parent(school="12AB", name="Ouder", children=[("Elif", 5)])
    other = service.register_parent(school="12AB", name="Buur", children=[("Noah", 3)])
    with pytest.raises(UnknownChildError):
        service.enroll(program.id, parent_id=parent.id, child_ids=[*parent.children, *other.children])
    assert service.program(program.id).current_enrolment(parent.id) is None


def test_an_enrolment_stored_with_one_child_id_is_read_with_that_child(service: ProgramService) -> None:
    program = service.create_program(school="12AB", name="Lezen", kind="pact", starts_on=date(2026, 9, 1))
    parent = service.register_parent(school="12AB", name="Ouder", children=[("Elif", 5)])
    (child,) = parent.children
    # A ParentEnrolled as version 1 wrote it: child_id only, no child_ids, no class_version.
    state = {"timestamp": program.modified_on, "parent_id": parent.id, "child_id": child,
             "enrolled_on": date(2026, 9, 1), "actor": "oud"}
    service.recorder.insert_events([StoredEvent(
        originator_id=program.id, originator_version=program.version + 1,
        topic=get_topic(TrainingProgram.ParentEnrolled), state=service.mapper.transcoder.encode(state),
    )])
    enrolment = service.program(program.id).current_enrolment(parent.id)
    assert enrolment is not None and enrolment.child_ids == (child,) and enrolment.child_id == child


def test_the_api_takes_child_ids_and_still_takes_child_id(sqlite_store: StoreConfig) -> None:
    api = open_api(sqlite_store)
    try:
        answers_child_ids(api)
    finally:
        api.app.extensions["betrokken"].close()


def answers_child_ids(api: Api) -> None:
    program = api.program()
    r = api.post("/parents", {"school": "12AB", "name": "Ouder", "children": [{"name": "Elif", "group": 5},
                                                                              {"name": "Can", "group": 2}]})
    parent, children = r.json["id"], [c["id"] for c in r.json["children"]]
    r = api.post(f"/programs/{program['id']}/enrollments", {"parent_id": parent, "child_ids": children})
    assert r.status_code == 201, r.json
    assert r.json["child_ids"] == children and r.json["child_id"] == children[0]
    single = api.parent(name="Tweede")
    r = api.post(f"/programs/{program['id']}/enrollments", {"parent_id": single["id"], "child_id": single["children"][0]["id"]})
    assert r.status_code == 201 and r.json["child_ids"] == [single["children"][0]["id"]]
    r = api.post(f"/programs/{program['id']}/enrollments", {"parent_ids": [parent], "child_ids": children})
    assert r.status_code == 422
