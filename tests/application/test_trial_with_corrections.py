"""Trials beside the corrections and the coordinator's tools: a closed programme's trial takes no
command, a fund payout already released cannot be reversed (the fund never goes negative), bulk
enrolment allocates by lot like single enrolment, a withdrawn outcome measure leaves the report."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from adapters.config import StoreConfig
from application.evaluation import latest_scores
from application.intake import enroll_many
from application.trial import TrialService
from betrokken.system import open_service
from domain.errors import FundBalanceError, ProgramClosedError
from tests.application.test_trial import ARMS, SEED, run_trial


@pytest.fixture
def service(sqlite_store: StoreConfig):
    svc = open_service(sqlite_store)
    yield svc
    svc.close()


def test_a_closed_programmes_trial_takes_no_command_until_reopened(service) -> None:
    program_id, _ = run_trial(service, n=3)
    parent = service.program(program_id).enrolled_parents()[0]
    trials = TrialService(service)
    service.corrections.close_program(program_id, reason="afgerond", on=date(2026, 12, 1))
    before = service.recorder.max_notification_id()
    for command in (
        lambda: trials.change_arm(program_id, parent_id=parent, arm="control", override=True, reason="x"),
        lambda: trials.release_fund(program_id, parent_id=parent, amount_cents=1, evidence="mbo"),
        lambda: trials.forfeit_fund(program_id, parent_id=parent, amount_cents=1, reason="x"),
        lambda: trials.lock(program_id),
    ):
        with pytest.raises(ProgramClosedError):
            command()
    assert service.recorder.max_notification_id() == before
    service.corrections.reopen_program(program_id, reason="te vroeg")
    trials.lock(program_id)


def earned(service, program_id: UUID, parent: UUID) -> None:
    """One session attended: 500 cents earned in the fund arm."""
    held = service.schedule_session(program_id, title="Bijeenkomst",
                                    starts_at=datetime(2026, 9, 7, 19, tzinfo=timezone(timedelta(hours=2))))
    service.take_roll_call(held.id, [(parent, "present")])


def test_a_fund_payout_that_was_released_cannot_be_reversed(service) -> None:
    program_id, arms = run_trial(service, n=6)
    program = service.program(program_id)
    parent = next(p for p, arm in zip(program.enrolled_parents(), arms) if arm == "fund")
    earned(service, program_id, parent)
    payout = service.record_payout(program_id, parent_id=parent, amount_cents=500, method="education_fund").id
    TrialService(service).release_fund(program_id, parent_id=parent, amount_cents=400, evidence="inschrijving mbo")
    before = service.recorder.max_notification_id()
    with pytest.raises(FundBalanceError):
        service.corrections.reverse_payout(program_id, payout, reason="dubbel")
    assert service.recorder.max_notification_id() == before
    assert service.program(program_id).fund_in_cents(parent) == 500


def test_a_reversed_fund_payout_leaves_the_fund(service) -> None:
    program_id, arms = run_trial(service, n=6)
    parent = next(p for p, arm in zip(service.program(program_id).enrolled_parents(), arms) if arm == "fund")
    earned(service, program_id, parent)
    payout = service.record_payout(program_id, parent_id=parent, amount_cents=500, method="education_fund").id
    service.corrections.reverse_payout(program_id, payout, reason="dubbel")
    assert service.program(program_id).fund_in_cents(parent) == 0
    with pytest.raises(FundBalanceError):
        TrialService(service).release_fund(program_id, parent_id=parent, amount_cents=1, evidence="mbo")


def test_bulk_enrolment_allocates_by_lot_as_single_enrolment_does(service, tmp_path) -> None:
    program = service.create_program(school="12AB", name="Proef", kind="pact", starts_on=date(2026, 9, 1), arms=ARMS)
    TrialService(service).set_up_allocation(program.id, method="simple", seed=SEED)
    parents = [service.register_parent(school="12AB", name=f"Ouder {i}", children=[]).id for i in range(6)]
    allocated = enroll_many(service, program.id, parents).trial.arm_of
    assert set(allocated) == set(parents) and set(allocated.values()) <= {"cash", "fund", "control"}


def test_a_withdrawn_outcome_measure_leaves_the_report(service) -> None:
    program_id, _ = run_trial(service, n=1)
    parent_id = service.program(program_id).enrolled_parents()[0]
    child = next(iter(service.parent(parent_id).children))
    for moment, score in (("baseline", 40), ("post", 60)):
        service.record_assessment(parent_id, program_id=program_id, child_id=child, name="CITO", score=score,
                                  max_score=100, taken_on=date(2026, 10, 1), instrument="cito_lezen",
                                  domain="cognitive", moment=moment)
    post = service.parent(parent_id).assessments[-1]
    service.corrections.correct_assessment(parent_id, post.id, withdrawn=True, reason="verkeerd kind")
    scores, _ = latest_scores(service.parent(parent_id).assessments, program_id)
    assert scores == {("cito_lezen", "baseline"): 40}
