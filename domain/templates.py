"""Programme kinds with their default completion rule and reward scheme.

The defaults are Betrokken's starting points, drawn from the sources named per kind; staff
change them per programme (a programme stores its own copy, so changing a template later does
not change history)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from domain.errors import (
    InvalidRateError,
    InvalidRewardAmountError,
    InvalidSessionCountError,
    UnknownPayoutMethodError,
    UnknownProgramKindError,
)
from domain.limits import MAX_CENTS, MAX_SESSIONS, PAYOUT_METHODS
from domain.rules import CompletionRule, RewardScheme


@dataclass(frozen=True)
class ProgramTemplate:
    """A programme kind's defaults."""

    kind: str
    label: str
    completion: CompletionRule
    rewards: RewardScheme


PACT = ProgramTemplate(
    kind="pact",
    label="PACT (voorleestraining voor ouders)",
    completion=CompletionRule(min_attendance_rate=0.5, min_homework_rate=0.75),
    rewards=RewardScheme(),
)
"""PACT, parent reading training (toolkit "Hoe betrek je ouders bij het onderwijs?" §3.2).
Sources: UK PACT (Burgoyne et al., Nuffield/EEF: 30 weeks, five home reading sessions a week);
Chicago PACT (Mayer, Kalil et al.: 6 weeks, weekly reading goal). Training meetings are
sessions; the home reading until the next meeting is that meeting's homework, so homework
counts: attendance >= 0.5 and homework >= 0.75."""

PITTIGE_JAREN = ProgramTemplate(
    kind="pittige_jaren",
    label="Pittige Jaren (Incredible Years)",
    completion=CompletionRule(min_attendance_rate=0.5, min_homework_rate=0.0, min_sessions_attended=7),
    rewards=RewardScheme(),
)
"""Pittige Jaren, the Dutch Incredible Years (toolkit §3.3). Source: NJI databank: 14 weekly
sessions of 2 hours (18 with a diagnosed disorder), groups of 6-16 parents. No single
'completer' definition exists in the trials; Betrokken's visible default is at least 7 of 14
attended (>= 0.5), homework not required."""

REAL = ProgramTemplate(
    kind="real",
    label="REAL huisbezoeken",
    completion=CompletionRule(min_attendance_rate=0.75),
    rewards=RewardScheme(),
)
"""REAL home visits (toolkit §3.4). Source: REAL (Sheffield, ORIM framework; EEF trial): about
10 home visits and 5 group sessions over 12-18 months. A visit is a session whose
`participants` names one parent. Default: attendance >= 0.75."""

INFO_MEETINGS = ProgramTemplate(
    kind="info_meetings",
    label="Informatiebijeenkomsten ouders-school",
    completion=CompletionRule(min_attendance_rate=0.0, min_sessions_attended=2),
    rewards=RewardScheme(),
)
"""Parent-school information meetings (toolkit §2.2). Source: the Paris study "la mallette
des parents" (Avvisati et al.): three evening meetings two to three weeks apart, led by the
head. Default: at least 2 attended."""

CUSTOM = ProgramTemplate(
    kind="custom",
    label="Eigen programma",
    completion=CompletionRule(min_attendance_rate=0.5),
    rewards=RewardScheme(),
)
"""Anything else a school runs. Default: attendance >= 0.5."""

TEMPLATES: dict[str, ProgramTemplate] = {t.kind: t for t in (PACT, PITTIGE_JAREN, REAL, INFO_MEETINGS, CUSTOM)}
KINDS = tuple(TEMPLATES)


def template(kind: str) -> ProgramTemplate:
    """The template of a programme kind."""
    try:
        return TEMPLATES[kind]
    except KeyError:
        raise UnknownProgramKindError(f"unknown programme kind {kind!r}; choose one of {', '.join(KINDS)}") from None


def completion_rule(kind: str, overrides: dict[str, Any] | None) -> CompletionRule:
    """The kind's completion rule with the staff's own values laid over it."""
    rule = replace(template(kind).completion, **(overrides or {}))
    for name in ("min_attendance_rate", "min_homework_rate"):
        if not 0 <= getattr(rule, name) <= 1:
            raise InvalidRateError(f"{name} must be between 0 and 1", setting=name)
    if not 0 <= rule.min_sessions_attended <= MAX_SESSIONS:
        raise InvalidSessionCountError(f"min_sessions_attended must be between 0 and {MAX_SESSIONS}")
    return rule


def reward_scheme(kind: str, overrides: dict[str, Any] | None) -> RewardScheme:
    """The kind's reward scheme with the staff's own values laid over it."""
    scheme = replace(template(kind).rewards, **(overrides or {}))
    for name in ("per_session_cents", "per_homework_cents", "per_assessment_cents"):
        if not 0 <= getattr(scheme, name) <= MAX_CENTS:
            raise InvalidRewardAmountError(f"{name} must be between 0 and {MAX_CENTS}", setting=name)
    if scheme.cap_cents is not None and not 0 <= scheme.cap_cents <= MAX_CENTS:
        raise InvalidRewardAmountError(f"cap_cents must be between 0 and {MAX_CENTS} (or null for no cap)")
    if not 0 <= scheme.assessment_threshold <= 1:
        raise InvalidRateError("assessment_threshold must be between 0 and 1", setting="assessment_threshold")
    if scheme.payout not in PAYOUT_METHODS:
        raise UnknownPayoutMethodError(f"payout must be one of {', '.join(PAYOUT_METHODS)}")
    return scheme
