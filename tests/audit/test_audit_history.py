"""An aggregate's history and past states, scoped to the auditor's schools."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from application.actor import Actor
from application.history import History
from domain.errors import NotFoundError

AUDITOR_12AB = Actor(name="controller", role="auditor", schools=frozenset({"12AB"}))


def test_a_sessions_history_lists_each_fact_with_its_actor_and_data(story):
    found = History(story.service).events_of(story.session_id, AUDITOR_12AB)
    assert found["aggregate_id"] == str(story.session_id)
    events = found["events"]
    assert [e["type"] for e in events] == ["Session.Scheduled", "Session.AttendanceRecorded", "Session.AttendanceRecorded"]
    assert [e["version"] for e in events] == [1, 2, 3]
    assert all(e["actor"] == "system" for e in events)
    assert events[1]["data"] == {"parent_id": str(story.parent_id), "status": "absent"}
    assert events[2]["data"] == {"parent_id": str(story.parent_id), "status": "present"}
    assert events[0]["data"]["program_id"] == str(story.program_id)
    assert events[0]["data"]["starts_at"] == "2026-09-07T19:30:00+02:00"
    assert datetime.fromisoformat(events[0]["timestamp"]).tzinfo is not None


def test_a_programmes_history_shows_dates_as_iso_strings(story):
    events = History(story.service).events_of(story.program_id)["events"]
    assert [e["type"] for e in events] == ["TrainingProgram.Created", "TrainingProgram.ParentEnrolled"]
    assert events[0]["data"]["starts_on"] == "2026-09-01"
    assert events[1]["data"]["enrolled_on"] == "2026-09-01"


def test_a_past_version_shows_the_correction_before_it_was_made(story):
    history = History(story.service)
    before = history.state_at(story.session_id, version=2, actor=AUDITOR_12AB)
    now = history.state_at(story.session_id, actor=AUDITOR_12AB)
    assert before["version"] == 2 and now["version"] == 3
    assert before["state"]["attendance"] == {str(story.parent_id): "absent"}
    assert now["state"]["attendance"] == {str(story.parent_id): "present"}
    assert before["state"]["title"] == "Bijeenkomst 1"


def test_as_of_picks_the_last_version_recorded_by_then(story):
    history = History(story.service)
    events = history.events_of(story.session_id)["events"]
    second = datetime.fromisoformat(events[1]["timestamp"])
    at = history.state_at(story.session_id, as_of=second)
    assert at["version"] == 2
    assert history.state_at(story.session_id, as_of=second + timedelta(days=1))["version"] == 3


def test_as_of_before_creation_is_not_found(story):
    first = datetime.fromisoformat(History(story.service).events_of(story.session_id)["events"][0]["timestamp"])
    with pytest.raises(NotFoundError):
        History(story.service).state_at(story.session_id, as_of=first - timedelta(seconds=1))


def test_as_of_without_an_offset_is_dutch_time(story):
    # A naive moment one day ahead is certainly after every event, whatever the offset.
    moment = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)
    assert History(story.service).state_at(story.program_id, as_of=moment)["version"] == 2


@pytest.mark.parametrize("version", [0, 4, 99])
def test_a_version_that_does_not_exist_is_not_found(story, version):
    with pytest.raises(NotFoundError):
        History(story.service).state_at(story.session_id, version=version)


def test_unknown_ids_are_not_found(story):
    from uuid import uuid4

    with pytest.raises(NotFoundError):
        History(story.service).events_of(uuid4())
    with pytest.raises(NotFoundError):
        History(story.service).state_at(uuid4())


def test_aggregates_of_other_schools_do_not_exist_for_the_auditor(story):
    history = History(story.service)
    with pytest.raises(NotFoundError):
        history.events_of(story.other_parent_id, AUDITOR_12AB)
    with pytest.raises(NotFoundError):
        history.state_at(story.other_parent_id, version=1, actor=AUDITOR_12AB)
    elsewhere = Actor(name="x", role="auditor", schools=frozenset({"99ZZ"}))
    # A session belongs to its programme's school.
    with pytest.raises(NotFoundError):
        history.events_of(story.session_id, elsewhere)
    assert history.events_of(story.other_parent_id, elsewhere)["events"][0]["type"] == "Parent.Registered"
