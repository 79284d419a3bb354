"""The demo's trial: a PACT reward study at OBS De Regenboog, families allocated by lot
(stratified by the child's group) to a cash arm, an education-fund arm and a control arm,
with a CITO reading test before and after, and a modest effect planted in the post-test
(3 and 5 points on a scale whose SD is about 10: some 0.3 and 0.5 SD) so `make run` shows a filled report.

Like the rest of the demo it is written through the use cases only, and all randomness
comes from the demo builder's own `random.Random`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from application.trial import TrialService
from betrokken.demo_people import draw_family

if TYPE_CHECKING:
    from betrokken.demo import DemoBuilder, DemoSchool

TRIAL_SEED = "regenboog-pact-proef-2025"
"""The demo's allocation seed (revealed when the demo locks the trial; a real trial's seed is secret)."""
FAMILIES = 48
GROUPS = (3, 5)
REWARDS = {"per_session_cents": 500, "per_homework_cents": 250, "cap_cents": 5_000}
ARMS: list[dict[str, Any]] = [
    {"name": "cash", "rewards": {**REWARDS, "payout": "cash"}},
    {"name": "education_fund", "rewards": {**REWARDS, "payout": "education_fund"}},
    {"name": "control"},
]
PLANTED = {"cash": 3.0, "education_fund": 5.0, "control": 0.0}
"""Points added to the post-test by arm (the CITO scale here has an SD of about 10)."""
CITO = "cito_lezen"


def run_trial(builder: "DemoBuilder", school: "DemoSchool") -> None:
    """Register the trial's families, allocate them by lot, run six meetings, test before and after, pay, lock."""
    from betrokken.demo import first_weekday_on_or_after

    service, rng, actor = builder.service, builder.rng, builder.actor
    first = first_weekday_on_or_after(date(2025, 11, 3), school.weekday)
    program = service.create_program(
        school=school.brin, name=f"PACT-proef beloningen 2025-2026 – {school.name}", kind="pact", starts_on=first,
        rewards={**REWARDS, "payout": "cash"}, arms=ARMS, actor=actor,
    )
    builder.summary.programs["pact"] = builder.summary.programs.get("pact", 0) + 1
    trials = TrialService(service)
    trials.set_up_allocation(program.id, method="stratified_blocks", strata=["group"], block_sizes=[3, 6],
                             seed=TRIAL_SEED, actor=actor)
    parents = [builder.register(school.brin, draw_family(rng, groups=GROUPS)) for _ in range(FAMILIES)]
    baseline: dict[UUID, float] = {}
    for parent in parents:
        builder.enroll(program, parent, first - timedelta(days=14), GROUPS)
    program = service.program(program.id, actor)
    for parent in parents:
        baseline[parent.id] = min(100.0, max(0.0, round(rng.gauss(50, 10))))
        record(builder, program.id, parent.id, baseline[parent.id], "baseline", first - timedelta(days=7))
    sessions = builder.series(program, school, "PACT-proef bijeenkomst", first, 6, "Ouderkamer",
                              homework="Lees elke dag 20 minuten samen en vul de leeskaart in")
    leavers = rng.sample(parents, 3)  # one withdraws, two miss the post-test
    for i, session in enumerate(sessions):
        if i == 3:
            service.withdraw(program.id, parent_id=leavers[0].id, withdrawn_on=session.date,
                             reason="Verhuisd naar een andere gemeente", actor=actor)
        builder.roll_call(program, session)
        if i > 0:
            builder.homework(program, sessions[i - 1])
    builder.homework(program, sessions[-1])
    program = service.program(program.id, actor)
    for parent in parents:
        if parent in leavers:
            continue  # no post-test: attrition
        arm = program.trial.arm_of[parent.id]
        post = baseline[parent.id] + rng.gauss(4, 4) + PLANTED[arm]
        record(builder, program.id, parent.id, min(100.0, max(0.0, round(post))), "post", date(2026, 1, 22))
    pay(builder, program.id)
    trials.lock(program.id, actor=actor)


def record(builder: "DemoBuilder", program_id: UUID, parent_id: UUID, score: float, moment: str, on: date) -> None:
    """A CITO reading score of the enrolled child."""
    program = builder.service.program(program_id, builder.actor)
    child = program.enrolments[parent_id][0].child_id
    assert child is not None
    builder.service.record_assessment(
        parent_id, program_id=program_id, child_id=child,
        name=f"CITO Begrijpend lezen ({'begin' if moment == 'baseline' else 'midden'})", score=score,
        max_score=100, taken_on=on, instrument=CITO, domain="cognitive", moment=moment, actor=builder.actor,
    )
    builder.summary.assessments += 1


def pay(builder: "DemoBuilder", program_id: UUID) -> None:
    """Pay what each family in a paying arm earned: in cash, or into the child's education fund."""
    service = builder.service
    program = service.program(program_id, builder.actor)
    for parent_id in program.enrolled_parents():
        due = service.earned_cents(program, parent_id) - program.paid_cents(parent_id)
        if due <= 0:
            continue
        service.record_payout(program.id, parent_id=parent_id, amount_cents=due,
                              method=program.scheme_for(parent_id).payout, actor=builder.actor)
        builder.summary.payouts += 1
        builder.summary.paid_cents += due
