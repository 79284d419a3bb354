"""The report's statistics against a computation by hand (docs/evaluation.md)."""

from __future__ import annotations

import math

import pytest

from application.effect_size import Summary, adjusted_difference, compare, gain_difference, hedges_correction, label

ARM = [12.0, 14.0, 16.0, 18.0, 20.0]  # mean 16, sum of squares 40, variance 10
CONTROL = [10.0, 12.0, 14.0, 16.0]  # mean 13, sum of squares 20, variance 20/3


def test_cohens_d_and_its_interval_equal_the_hand_computation() -> None:
    pooled = math.sqrt((4 * 10 + 3 * (20 / 3)) / 7)  # n-1 weighting
    d = 3 / pooled
    se = math.sqrt(9 / 20 + d * d / (2 * 9))
    got = compare(ARM, CONTROL)
    assert got.difference == pytest.approx(3.0)
    assert got.cohens_d == pytest.approx(d) == pytest.approx(1.0247, abs=1e-4)
    assert got.ci95 == pytest.approx([d - 1.959964 * se, d + 1.959964 * se], abs=1e-5)
    # Hedges' g: J(7) is close to the well-known 1 - 3 / (4 df - 1)
    assert got.hedges_g == pytest.approx(d * hedges_correction(7))
    assert hedges_correction(7) == pytest.approx(1 - 3 / 27, abs=2e-3)
    assert got.label == "groot" and got.too_small is True and got.note


def test_summaries_use_n_minus_1() -> None:
    s = Summary.of(ARM)
    assert (s.n, s.mean, s.sd) == (5, 16.0, pytest.approx(math.sqrt(10)))
    assert Summary.of([7.0]) == Summary(1, 7.0, None) and Summary.of([]) == Summary(0, None, None)


@pytest.mark.parametrize("d,expected", [(0.0, "klein"), (0.199, "klein"), (-0.25, "gemiddeld"), (0.2, "gemiddeld"),
                                        (0.399, "gemiddeld"), (0.4, "groot"), (1.3, "groot"), (None, None)])
def test_the_toolkit_s_labels(d: float | None, expected: str | None) -> None:
    assert label(d) == expected


def test_groups_too_small_for_a_comparison_say_so() -> None:
    got = compare([5.0], CONTROL)
    assert got.cohens_d is None and got.too_small and got.note
    flat = compare([5.0, 5.0], [5.0, 5.0])
    assert flat.cohens_d is None and flat.difference == 0.0


def test_gain_and_baseline_adjusted_differences_by_hand() -> None:
    # the arm gained 5 and 7 (mean 6), the control 1 and 3 (mean 2): 4 more
    arm, control = [(10.0, 15.0), (20.0, 27.0)], [(12.0, 13.0), (18.0, 21.0)]
    assert gain_difference(arm, control) == pytest.approx(4.0)
    # post = a + b * arm + c * baseline fits exactly when every gain is the arm's shift plus a common slope
    exact_arm = [(b, 5 + 4 + 0.5 * b) for b in (10.0, 20.0, 30.0)]
    exact_control = [(b, 5 + 0.5 * b) for b in (12.0, 22.0, 28.0)]
    assert adjusted_difference(exact_arm, exact_control) == pytest.approx(4.0)
    assert adjusted_difference(exact_arm[:1], exact_control) is None
