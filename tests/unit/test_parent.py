"""Parent: registration, children, assessments."""

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import InvalidGroupError, InvalidScoreError, UnknownChildError
from domain.parent import Parent


def register(**kw) -> Parent:
    args = dict(school="12AB", name="Fatima El Amrani", phone=None, email=None, language="nl",
                children=[("Sara", 3)], actor="trainer")
    args.update(kw)
    return Parent.register(**args)


def replay(agg):
    events = agg.collect_events()
    copy = None
    for e in events:
        copy = e.mutate(copy)
    return copy


def test_registering_records_the_parent_and_children_with_ids():
    p = register(children=[("Sara", 3), ("Adam", 8)])
    assert [c.name for c in p.children.values()] == ["Sara", "Adam"]
    assert len(set(p.children)) == 2
    assert [type(e).__name__ for e in p.collect_events()] == ["Registered"]


@pytest.mark.parametrize("group", [0, 9, -1])
def test_a_child_outside_groups_1_to_8_is_refused(group):
    with pytest.raises(InvalidGroupError):
        register(children=[("Sara", group)])
    p = register()
    with pytest.raises(InvalidGroupError):
        p.add_child(name="Adam", group=group, actor="trainer")
    assert len(p.collect_events()) == 1


def test_groups_1_and_8_are_accepted():
    p = register(children=[("A", 1), ("B", 8)])
    assert sorted(c.group for c in p.children.values()) == [1, 8]


def test_assessment_score_must_lie_between_zero_and_max():
    p = register()
    child = next(iter(p.children))
    for score, max_score in [(-1, 10), (11, 10), (1, 0)]:
        with pytest.raises(InvalidScoreError):
            p.record_assessment(program_id=uuid4(), child_id=child, name="Toets", score=score,
                                max_score=max_score, taken_on=date(2026, 10, 1), actor="t")
    for score in (0, 10):
        p.record_assessment(program_id=uuid4(), child_id=child, name="Toets", score=score,
                            max_score=10, taken_on=date(2026, 10, 1), actor="t")
    assert [a.score for a in p.assessments] == [0, 10]


def test_assessment_of_someone_elses_child_is_refused():
    p = register()
    with pytest.raises(UnknownChildError):
        p.record_assessment(program_id=uuid4(), child_id=uuid4(), name="Toets", score=1,
                            max_score=10, taken_on=date(2026, 10, 1), actor="t")


def test_replay_rebuilds_the_same_parent():
    p = register()
    p.add_child(name="Adam", group=5, actor="t")
    copy = replay(p)
    assert copy.children == p.children and copy.name == p.name and copy.version == p.version


def test_every_event_names_its_actor():
    p = register(actor="juf Ans")
    p.add_child(name="Adam", group=5, actor="meester Bas")
    assert [e.actor for e in p.collect_events()] == ["juf Ans", "meester Bas"]
