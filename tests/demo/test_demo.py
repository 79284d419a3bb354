"""`betrokken demo`: it fills an empty store with the promised data set, refuses a filled one,
and `--if-empty` leaves a filled one alone; on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator
from uuid import uuid4

import pytest
from click.testing import CliRunner, Result

from adapters.config import StoreConfig
from betrokken.cli.main import cli
from betrokken.system import System, open_system
from domain.session import Session
from tests.oracle import figures


def new_database(server) -> str:
    """A fresh database on the test session's PostgreSQL server."""
    import psycopg

    name = f"betrokken_demo_{uuid4().hex[:12]}"
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.get_uri(database=name)


def run_demo(store: StoreConfig, *args: str) -> Result:
    """Run `betrokken demo` against the store, as a user would."""
    env = {"BETROKKEN_DATA_DIR": str(store.data_dir), "BETROKKEN_DATABASE_URL": store.database_url}
    return CliRunner().invoke(cli, ["demo", *args], env=env, catch_exceptions=False)


def event_count(store: StoreConfig) -> int:
    system = open_system(store)
    try:
        return system.service.recorder.max_notification_id() or 0
    finally:
        system.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StoreConfig, Result]]:
    """A store filled once by `betrokken demo` (per back end), with the command's output."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    url = new_database(request.getfixturevalue("postgres_server")) if request.param == "postgres" else None
    store = StoreConfig(data_dir=data_dir, database_url=url)
    yield store, run_demo(store)


@pytest.fixture
def demo(demo_store: tuple[StoreConfig, Result]) -> Iterator[System]:
    system = open_system(demo_store[0])
    yield system
    system.close()


def login_rows(output: str) -> dict[str, list[str]]:
    """The printed login table, by role: [role, login, schools, password, token]."""
    rows = [[c.strip() for c in line.split("|")] for line in output.splitlines() if line.count("|") == 4]
    return {r[0]: r for r in rows[1:]}


# -- the command --------------------------------------------------------------------------------

def test_the_demo_fills_an_empty_store_and_prints_a_working_login_per_role(demo_store, demo: System) -> None:
    store, result = demo_store
    assert result.exit_code == 0, result.output
    assert event_count(store) > 1000
    rows = login_rows(result.output)
    assert set(rows) == {"admin", "staff", "auditor", "analyst"}
    for role, (_, login, schools, password, token) in rows.items():
        by_password = demo.accounts.authenticate_password(login, password)
        by_token = demo.accounts.authenticate_token(token)
        assert by_password is not None and by_token is not None and by_token.role == role
        assert (by_token.schools is None) == (schools == "all")
    assert rows["staff"][2] != "all" and rows["auditor"][2] != "all"


def test_the_demo_refuses_a_store_that_already_holds_events(demo_store) -> None:
    store, _ = demo_store
    before = event_count(store)
    result = CliRunner().invoke(cli, ["demo"], env={"BETROKKEN_DATA_DIR": str(store.data_dir), "BETROKKEN_DATABASE_URL": store.database_url})
    assert result.exit_code != 0
    assert "already holds" in result.output
    assert event_count(store) == before


def test_if_empty_on_a_filled_store_does_nothing_and_says_so(demo_store) -> None:
    store, _ = demo_store
    before = event_count(store)
    result = run_demo(store, "--if-empty")
    assert result.exit_code == 0
    assert "nothing done" in result.output
    assert event_count(store) == before


def test_if_empty_on_an_empty_store_fills_it(store: StoreConfig) -> None:
    result = run_demo(store, "--if-empty")
    assert result.exit_code == 0, result.output
    assert event_count(store) > 1000


# -- the data set ---------------------------------------------------------------------------------

def test_several_schools_each_run_pact_and_pittige_jaren(demo: System) -> None:
    programs = demo.service.programs()
    schools = {p.school for p in programs}
    assert len(schools) >= 2
    for school in schools:
        kinds = {p.kind for p in programs if p.school == school}
        assert {"pact", "pittige_jaren"} <= kinds
    assert {p.kind for p in programs} >= {"real", "info_meetings"}
    for p in programs:
        if p.kind in ("pact", "pittige_jaren"):
            assert len(p.enrolments) >= 12


def test_parents_are_registered_with_children_in_groups_one_to_eight(demo: System) -> None:
    parents = demo.service.parents()
    assert len(parents) >= 36
    assert all(p.children and all(1 <= c.group <= 8 for c in p.children.values()) for p in parents)
    assert {p.language for p in parents} >= {"nl", "ar", "tr"}
    assert any(p.email is None for p in parents) and any(p.email for p in parents)


def test_sessions_were_held_in_dutch_evening_time_before_the_reference_date(demo: System) -> None:
    from betrokken.demo import REFERENCE_DATE

    for program in demo.service.programs():
        sessions = demo.service.sessions(program.id)
        assert any(s.held for s in sessions)
        assert all(s.date < REFERENCE_DATE and s.starts_at.utcoffset() is not None for s in sessions)
        if program.kind == "pact":
            assert all(s.has_homework for s in sessions)
            assert any(s.homework_done for s in sessions)
            assert all(s.starts_at.hour >= 19 for s in sessions)
        if program.kind == "real":
            visits = [s for s in sessions if s.participants is not None]
            assert visits and all(len(s.participants or []) == 1 for s in visits)
    statuses = Counter(
        status
        for program in demo.service.programs()
        for s in demo.service.sessions(program.id)
        for status in s.attendance.values()
    )
    assert statuses["present"] and statuses["absent"] and statuses["excused"]


def test_some_sessions_are_cancelled_and_have_no_roll_call(demo: System) -> None:
    cancelled = [s for p in demo.service.programs() for s in demo.service.sessions(p.id) if s.cancelled]
    assert cancelled and not any(s.attendance for s in cancelled)


def test_roll_call_corrections_are_further_attendance_events_for_the_same_parent(demo: System) -> None:
    app = demo.service
    recorded: Counter[tuple[object, object]] = Counter()
    position = 0
    while page := app.recorder.select_notifications(start=position, limit=1000, inclusive_of_start=False):
        for n in page:
            if n.topic.endswith("Session.AttendanceRecorded"):
                e = app.mapper.to_domain_event(n)
                recorded[(e.originator_id, e.parent_id)] += 1  # type: ignore[attr-defined]
        position = page[-1].id
    assert sum(1 for n in recorded.values() if n > 1) >= 3


def test_one_parent_joined_late_and_one_withdrew(demo: System) -> None:
    late = withdrawn = 0
    for program in demo.service.programs():
        first = min((s.date for s in demo.service.sessions(program.id)), default=None)
        for periods in program.enrolments.values():
            late += any(first is not None and e.enrolled_on > first for e in periods)
            withdrawn += any(e.withdrawn_on is not None for e in periods)
    assert late >= 1 and withdrawn >= 1


def test_tussentoets_results_fall_both_sides_of_the_reward_threshold(demo: System) -> None:
    rewarded = [p for p in demo.service.programs() if p.rewards.per_assessment_cents > 0]
    assert rewarded
    ratios = [
        a.ratio for parent in demo.service.parents() for a in parent.assessments if a.program_id == rewarded[0].id
    ]
    threshold = rewarded[0].rewards.assessment_threshold
    assert any(r >= threshold for r in ratios) and any(r < threshold for r in ratios)


def test_payouts_never_exceed_what_each_parent_earned(demo: System) -> None:
    service = demo.service
    paid_anyone = outstanding_anyone = False
    for program in service.programs():
        for parent_id in program.enrolled_parents():
            f = figures(service, program.id, parent_id)
            assert 0 <= f.paid_cents <= f.earned_cents
            if program.rewards.cap_cents is not None:
                assert f.earned_cents <= program.rewards.cap_cents
            paid_anyone |= f.paid_cents > 0
            outstanding_anyone |= f.outstanding_cents > 0
    assert paid_anyone and outstanding_anyone
    assert {p.rewards.payout for p in service.programs() if p.payouts} == {"cash", "education_fund"}


# -- determinism and scale ------------------------------------------------------------------------

def fingerprint(store: StoreConfig) -> list[object]:
    """What the demo made, without the ids and recording times that differ per run."""
    system = open_system(store)
    try:
        service = system.service
        names = {p.id: p.name for p in service.parents()}
        rows: list[object] = [(p.school, p.name, p.language, p.phone, sorted((c.name, c.group) for c in p.children.values())) for p in service.parents()]
        for program in service.programs():
            rows.append((program.school, program.kind, program.name, [names[p] for p in program.enrolments]))
            for s in service.sessions(program.id):
                rows.append((s.title, s.starts_at.isoformat(), s.cancelled, sorted((names[p], v) for p, v in s.attendance.items())))
            rows.append(sorted((names[p.parent_id], p.amount_cents) for p in program.payouts))
        return rows
    finally:
        system.close()


def test_the_same_seed_gives_the_same_data_set(tmp_path: Path) -> None:
    one, two, other = (StoreConfig(data_dir=tmp_path / n) for n in ("one", "two", "other"))
    assert run_demo(one, "--seed", "7").exit_code == 0
    assert run_demo(two, "--seed", "7").exit_code == 0
    assert run_demo(other, "--seed", "8").exit_code == 0
    assert fingerprint(one) == fingerprint(two)
    assert fingerprint(one) != fingerprint(other)


def test_parents_n_scales_up_over_more_schools_and_reports_events_per_second(tmp_path: Path) -> None:
    store = StoreConfig(data_dir=tmp_path / "big")
    result = run_demo(store, "--parents", "300")
    assert result.exit_code == 0, result.output
    assert "events/s" in result.output
    system = open_system(store)
    try:
        assert len(system.service.parents()) == 300
        programs = system.service.programs()
        assert len({p.school for p in programs}) > 3
        extra = [p for p in programs if p.school not in ("12AB", "34CD", "56EF")]
        for program in extra:
            for parent_id in program.enrolled_parents():
                f = figures(system.service, program.id, parent_id)
                assert f.paid_cents <= f.earned_cents
    finally:
        system.close()


def test_the_demo_holds_a_locked_trial_with_a_filled_effect_report(demo: System) -> None:
    from application.evaluation import Evaluation

    (trial,) = [p for p in demo.service.programs() if p.trial.arms]
    assert set(trial.trial.arms) == {"cash", "education_fund", "control"} and trial.trial.seed is not None
    assert all(p.method == trial.scheme_for(p.parent_id).payout for p in trial.payouts)
    report = Evaluation(demo.service).report(trial.id)
    assert {r["arm"] for r in report["results"]} == {"cash", "education_fund", "control"}
    assert all(r["cohens_d"] is not None for r in report["results"] if r["arm"] != "control")
    assert any(a["withdrawn"] for a in report["attrition"]) and report["costs"][2]["paid_cents"] == 0
