"""The effect report of a programme run as a trial (docs/evaluation.md): per instrument and arm
the baseline and post scores, the difference with the control arm, Cohen's d with its 95%
interval, Hedges' g and the toolkit's label; intention to treat (everyone allocated with a
post measure) beside per protocol (completers); the same by baseline subgroup; attrition and
cost per arm. Pseudonymous: no names, only counts and figures."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable
from uuid import UUID

from application.actor import SYSTEM, Actor
from application.effect_size import SMALL_GROUP, Summary, adjusted_difference, compare, gain_difference
from domain import participation
from domain.allocation import CONTROL
from domain.parent import Assessment
from domain.training_program import TrainingProgram

if TYPE_CHECKING:
    from application.programs import ProgramService

ALL = "all"
ABOVE, BELOW = "baseline_above_median", "baseline_at_or_below_median"


@dataclass
class Participant:
    """One allocated parent as the report sees them: arm, completion, scores per instrument and moment."""

    arm: str | None
    completed: bool
    withdrawn: bool
    paid_cents: int
    domains: dict[str, str | None] = field(default_factory=dict)  # instrument -> domain
    scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (instrument, moment) -> latest score


def latest_scores(assessments: Iterable[Assessment], program_id: UUID) -> tuple[dict[tuple[str, str], float], dict[str, str | None]]:
    """Each instrument's latest score per moment in the programme (by date taken), and its domain."""
    scores: dict[tuple[str, str], tuple[Any, float]] = {}
    domains: dict[str, str | None] = {}
    for a in assessments:
        if a.program_id != program_id or a.instrument is None or a.moment is None or a.withdrawn:
            continue
        key = (a.instrument, a.moment)
        if key not in scores or scores[key][0] <= a.taken_on:
            scores[key] = (a.taken_on, a.score)
        domains[a.instrument] = a.domain
    return {k: v for k, (_, v) in scores.items()}, domains


class Evaluation:
    """Builds the effect report of one programme from the aggregates."""

    def __init__(self, service: "ProgramService") -> None:
        self.service = service

    def participants(self, program: TrainingProgram) -> list[Participant]:
        sessions = [self.service.session(i) for i in self.service.directory.sessions_of(program.id)]
        out = []
        for parent_id in program.enrolled_parents():
            parent = self.service.parent(parent_id)
            scores, domains = latest_scores(parent.assessments, program.id)
            out.append(Participant(
                arm=program.trial.arm_of.get(parent_id),
                completed=participation.completed(program, sessions, parent.assessments, parent_id),
                withdrawn=program.current_enrolment(parent_id) is None,
                paid_cents=program.paid_cents(parent_id),
                domains=domains, scores=scores,
            ))
        return out

    def report(self, program_id: UUID, actor: Actor = SYSTEM) -> dict[str, Any]:
        """The report as the API answers it (see docs/evaluation.md for every field)."""
        program = self.service.program(program_id, actor)
        people = self.participants(program)
        arms: list[str | None] = [*program.trial.arms] or [None]
        control = CONTROL if CONTROL in program.trial.arms else arms[0]
        allocated = [p for p in people if p.arm is not None] if program.trial.arms else people
        instruments = sorted({i for p in allocated for (i, _m) in p.scores})
        results = [self._instrument_arm(allocated, i, arm, control) for i in instruments for arm in arms]
        warnings = []
        if program.trial.overridden:
            warnings.append(f"{len(program.trial.overridden)} toewijzing(en) met de hand overschreven door een beheerder")
        if program.trial.arms and len(allocated) < len(people):
            warnings.append(f"{len(people) - len(allocated)} ingeschreven ouder(s) zonder loting: niet meegeteld")
        if any(r["itt"]["too_small"] for r in results if r["arm"] != control):
            warnings.append(f"sommige groepen zijn kleiner dan {SMALL_GROUP}: het 95%-interval zegt dan weinig")
        allocation = program.trial.allocation
        return {
            "program_id": str(program.id), "control": control, "arms": [a for a in arms if a is not None],
            "allocation": None if allocation is None else {
                "method": allocation.method, "commitment": allocation.commitment,
                "locked": program.trial.seed is not None,
            },
            "overrides": len(program.trial.overridden), "flagged": bool(program.trial.overridden),
            "warnings": warnings,
            "attrition": [self._attrition(allocated, arm, instruments) for arm in arms],
            "costs": [self._costs(allocated, arm) for arm in arms],
            "results": results,
        }

    # -- parts ------------------------------------------------------------------------------

    @staticmethod
    def _attrition(people: list[Participant], arm: str | None, instruments: list[str]) -> dict[str, Any]:
        group = [p for p in people if p.arm == arm]
        with_post = [p for p in group if any((i, "post") in p.scores for i in instruments)]
        return {
            "arm": arm, "allocated": len(group), "with_post": len(with_post),
            "completers": sum(p.completed for p in group), "withdrawn": sum(p.withdrawn for p in group),
            "attrition_rate": (1 - len(with_post) / len(group)) if group else None,
        }

    @staticmethod
    def _costs(people: list[Participant], arm: str | None) -> dict[str, Any]:
        group = [p for p in people if p.arm == arm]
        paid = sum(p.paid_cents for p in group)
        completers = sum(p.completed for p in group)
        return {
            "arm": arm, "paid_cents": paid,
            "per_participant_cents": round(paid / len(group)) if group else None,
            "per_completer_cents": round(paid / completers) if completers else None,
        }

    def _instrument_arm(self, people: list[Participant], instrument: str, arm: str | None, control: str | None) -> dict[str, Any]:
        domain = next((p.domains[instrument] for p in people if instrument in p.domains), None)
        baselines = [p.scores[(instrument, "baseline")] for p in people if (instrument, "baseline") in p.scores]
        median = statistics.median(baselines) if baselines else None
        group = [p for p in people if p.arm == arm]
        itt = self._estimate(people, instrument, arm, control, lambda p: True)
        subgroups = []
        if median is not None:
            for name, keep in ((ABOVE, lambda s: s > median), (BELOW, lambda s: s <= median)):
                def inside(p: Participant, keep: Any = keep) -> bool:
                    base = p.scores.get((instrument, "baseline"))
                    return base is not None and bool(keep(base))
                subgroups.append({"subgroup": name, "baseline_median": median,
                                  "itt": self._estimate(people, instrument, arm, control, inside)})
        return {
            "instrument": instrument, "domain": domain, "arm": arm, "n_allocated": len(group),
            # the contract's headline figures: intention to treat, post-test
            "n": itt["n"], "mean": itt["post"]["mean"], "sd": itt["post"]["sd"],
            "baseline": itt["baseline"], "post": itt["post"],
            "difference": itt["difference"], "cohens_d": itt["cohens_d"], "ci95": itt["ci95"],
            "hedges_g": itt["hedges_g"], "label": itt["label"],
            "itt": itt,
            "per_protocol": self._estimate(people, instrument, arm, control, lambda p: p.completed),
            "subgroups": subgroups,
        }

    @staticmethod
    def _estimate(people: list[Participant], instrument: str, arm: str | None, control: str | None, keep: Any) -> dict[str, Any]:
        def scores(of: str | None, moment: str) -> list[float]:
            return [p.scores[(instrument, moment)] for p in people
                    if p.arm == of and keep(p) and (instrument, moment) in p.scores]
        def pairs(of: str | None) -> list[tuple[float, float]]:
            return [(p.scores[(instrument, "baseline")], p.scores[(instrument, "post")]) for p in people
                    if p.arm == of and keep(p) and (instrument, "baseline") in p.scores and (instrument, "post") in p.scores]
        post = scores(arm, "post")
        result: dict[str, Any] = {
            "n": len(post), "baseline": Summary.of(scores(arm, "baseline")).as_dict(),
            "post": Summary.of(post).as_dict(),
        }
        if arm == control:
            result.update(difference=None, cohens_d=None, ci95=None, hedges_g=None, label=None, p_value=None,
                          too_small=len(post) < SMALL_GROUP, note="de controlegroep",
                          gain_difference=None, baseline_adjusted_difference=None)
        else:
            result.update(compare(post, scores(control, "post")).as_dict())
            result.update(gain_difference=gain_difference(pairs(arm), pairs(control)),
                          baseline_adjusted_difference=adjusted_difference(pairs(arm), pairs(control)))
        return result


CSV_COLUMNS = (
    "instrument", "domain", "arm", "analysis", "subgroup", "n_allocated", "n", "baseline_n", "baseline_mean",
    "baseline_sd", "post_n", "post_mean", "post_sd", "difference", "cohens_d", "ci95_low", "ci95_high",
    "hedges_g", "label", "p_value", "too_small", "gain_difference", "baseline_adjusted_difference",
)


def csv_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's estimates flat, one row per instrument, arm, analysis and subgroup."""
    rows = []
    for r in report["results"]:
        parts = [("itt", ALL, r["itt"]), ("per_protocol", ALL, r["per_protocol"])]
        parts += [("itt", s["subgroup"], s["itt"]) for s in r["subgroups"]]
        for analysis, subgroup, e in parts:
            ci = e["ci95"] or [None, None]
            rows.append({
                "instrument": r["instrument"], "domain": r["domain"], "arm": r["arm"], "analysis": analysis,
                "subgroup": subgroup, "n_allocated": r["n_allocated"], "n": e["n"],
                **{f"baseline_{k}": e["baseline"][k] for k in ("n", "mean", "sd")},
                **{f"post_{k}": e["post"][k] for k in ("n", "mean", "sd")},
                "difference": e["difference"], "cohens_d": e["cohens_d"], "ci95_low": ci[0], "ci95_high": ci[1],
                "hedges_g": e["hedges_g"], "label": e["label"], "p_value": e["p_value"], "too_small": e["too_small"],
                "gain_difference": e["gain_difference"], "baseline_adjusted_difference": e["baseline_adjusted_difference"],
            })
    return rows
