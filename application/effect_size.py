"""Effect sizes in the toolkit's terms (docs/evaluation.md): Cohen's d of the post-test means
(arm minus control) over their pooled standard deviation (n-1 weighting), its 95% confidence
interval, Hedges' g, and the label klein / gemiddeld / groot. The arithmetic is scipy's and
numpy's; tests/unit/test_effect_size.py checks one fixture against a hand computation."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np
from scipy import special, stats

SMALL_GROUP = 10
"""Below this many per group a confidence interval says little (the report says so)."""


@dataclass(frozen=True)
class Summary:
    """n, mean and standard deviation (n-1) of a set of scores; mean/sd null when there are too few."""

    n: int
    mean: float | None
    sd: float | None

    @classmethod
    def of(cls, scores: Sequence[float]) -> "Summary":
        n = len(scores)
        mean = float(np.mean(scores)) if n else None
        sd = float(np.std(scores, ddof=1)) if n >= 2 else None
        return cls(n, mean, sd)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def label(d: float | None) -> str | None:
    """The toolkit's reading of |d|: klein (< 0.20), gemiddeld (0.20-0.40), groot (>= 0.40)."""
    if d is None:
        return None
    size = abs(d)
    return "klein" if size < 0.20 else "gemiddeld" if size < 0.40 else "groot"


def pooled_sd(arm: Sequence[float], control: Sequence[float]) -> float:
    """sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2 - 2))."""
    n1, n2 = len(arm), len(control)
    v1, v2 = np.var(arm, ddof=1), np.var(control, ddof=1)
    return float(math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)))


def hedges_correction(df: int) -> float:
    """The exact small-sample correction J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))."""
    return float(math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2))


@dataclass(frozen=True)
class Effect:
    """The comparison of an arm's post-test scores with the control arm's."""

    difference: float | None
    cohens_d: float | None
    ci95: list[float] | None
    hedges_g: float | None
    label: str | None
    p_value: float | None
    too_small: bool
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


NONE = Effect(None, None, None, None, None, None, True, "te weinig metingen voor een vergelijking")


def compare(arm: Sequence[float], control: Sequence[float]) -> Effect:
    """Cohen's d with its 95% interval (normal approximation of its standard error,
    sqrt((n1+n2)/(n1 n2) + d^2 / (2 (n1+n2)))), Hedges' g, the label and Student's t-test p."""
    n1, n2 = len(arm), len(control)
    if n1 < 2 or n2 < 2:
        return NONE
    difference = float(np.mean(arm) - np.mean(control))
    sd = pooled_sd(arm, control)
    if sd == 0:
        return Effect(difference, None, None, None, None, None, True, "geen spreiding in de scores: d is niet bepaald")
    d = difference / sd
    se = math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    z = float(stats.norm.ppf(0.975))
    g = d * hedges_correction(n1 + n2 - 2)
    p = float(stats.ttest_ind(arm, control, equal_var=True).pvalue)
    small = min(n1, n2) < SMALL_GROUP
    note = (f"groepen kleiner dan {SMALL_GROUP}: het betrouwbaarheidsinterval zegt weinig; lees Hedges' g"
            if small else None)
    return Effect(difference, d, [d - z * se, d + z * se], g, label(d), p, small, note)


def gain_difference(arm: Sequence[tuple[float, float]], control: Sequence[tuple[float, float]]) -> float | None:
    """Mean gain (post - baseline) of the arm minus the control's, over those measured at both moments."""
    if not arm or not control:
        return None
    return float(np.mean([p - b for b, p in arm]) - np.mean([p - b for b, p in control]))


def adjusted_difference(arm: Sequence[tuple[float, float]], control: Sequence[tuple[float, float]]) -> float | None:
    """The baseline-adjusted difference (ANCOVA): the arm's coefficient in the least-squares fit
    post = a + b * in_arm + c * baseline, over (baseline, post) pairs; None with too few pairs."""
    pairs = [(1.0, 1.0, b, p) for b, p in arm] + [(1.0, 0.0, b, p) for b, p in control]
    if len(arm) < 2 or len(control) < 2:
        return None
    design = np.array([row[:3] for row in pairs])
    outcome = np.array([row[3] for row in pairs])
    coefficients, _residuals, rank, _ = np.linalg.lstsq(design, outcome, rcond=None)
    return float(coefficients[1]) if rank == 3 else None
