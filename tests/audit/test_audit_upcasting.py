"""Schema evolution for real: events written by version 1 of a class load after the class
changed to version 2, through eventsourcing's `class_version` and `upcast_v1_v2`, on the same
sealed store (and the chain stays intact: upcasting never rewrites stored events)."""

from __future__ import annotations

import sys
import textwrap
import types
from typing import Iterator

import pytest
from eventsourcing import utils
from eventsourcing.application import Application

from adapters.verification import verify

MODULE = "betrokken_evolving_workshop"

# Version 1: a workshop is held with a duration in minutes.
V1 = '''
from eventsourcing.domain import Aggregate, event

class Workshop(Aggregate):
    @event("Planned")
    def __init__(self, title: str) -> None:
        self.title = title
        self.held = []

    @event("Held")
    def hold(self, minutes: int) -> None:
        self.held.append(minutes)
'''

# Version 2: the duration becomes `duration_minutes` and the event gains `location`.
# Old events are upcast when read; new ones are written as class_version 2.
V2 = '''
from eventsourcing.domain import Aggregate, event

class Workshop(Aggregate):
    @event("Planned")
    def __init__(self, title: str) -> None:
        self.title = title
        self.held = []

    class Held(Aggregate.Event):
        class_version = 2
        duration_minutes: int
        location: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["duration_minutes"] = state.pop("minutes")
            state["location"] = "onbekend"

        def apply(self, aggregate) -> None:
            aggregate.held.append((self.duration_minutes, self.location))

    def hold(self, duration_minutes: int, location: str) -> None:
        self.trigger_event(self.Held, duration_minutes=duration_minutes, location=location)
'''


def load(source: str) -> types.ModuleType:
    """Install a version of the module under one name, as a deployment of new code would."""
    forget()
    module = types.ModuleType(MODULE)
    sys.modules[MODULE] = module
    exec(textwrap.dedent(source), module.__dict__)
    return module


def forget() -> None:
    """Unload the module; resolved topics are cached per process, a new deploy starts without."""
    sys.modules.pop(MODULE, None)
    with utils._topic_cache_lock:
        for key in [k for k in utils._topic_cache if k.startswith(MODULE)]:
            del utils._topic_cache[key]


@pytest.fixture
def restore_modules() -> Iterator[None]:
    yield
    forget()


def test_version_1_events_load_after_the_event_class_changed(store, restore_modules):
    env = {**store.eventsourcing_env(), "CREATE_TABLE": "y"}
    v1 = load(V1)
    app = Application(env)
    workshop = v1.Workshop("Voorlezen met je kind")
    workshop.hold(90)
    app.save(workshop)
    before = bytes(app.recorder.select_events(workshop.id)[1].state)
    assert b"class_version" not in before
    app.close()

    v2 = load(V2)
    app = Application(env)
    loaded = app.repository.get(workshop.id)
    assert type(loaded) is v2.Workshop
    assert loaded.held == [(90, "onbekend")]
    held = list(app.events.get(workshop.id))[1]
    assert type(held).__qualname__ == "Workshop.Held"
    assert (held.duration_minutes, held.location) == (90, "onbekend")

    # New facts are written in the new shape, next to the old ones, and both replay.
    loaded.hold(60, "bibliotheek")
    app.save(loaded)
    assert app.repository.get(workshop.id).held == [(90, "onbekend"), (60, "bibliotheek")]
    assert b'"class_version":2' in bytes(app.recorder.select_events(workshop.id)[2].state)
    # The stored v1 event is untouched, so the chain still verifies.
    assert bytes(app.recorder.select_events(workshop.id)[1].state) == before
    assert verify(app.recorder).intact
    app.close()


def test_without_an_upcaster_the_old_events_no_longer_load(store, restore_modules):
    env = {**store.eventsourcing_env(), "CREATE_TABLE": "y"}
    v1 = load(V1)
    app = Application(env)
    workshop = v1.Workshop("Rekenen thuis")
    workshop.hold(45)
    app.save(workshop)
    app.close()

    load(V2.replace("class_version = 2", "class_version = 1"))
    app = Application(env)
    with pytest.raises(AttributeError, match="duration_minutes"):
        app.repository.get(workshop.id)
    app.close()
