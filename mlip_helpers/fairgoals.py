"""The exercises of the lecture on building fair products: a feedback loop's growth and a fairness-requirement check.

Introduced in ``notebooks/17-building-fair-products.ipynb``. The lecture "Building Fair Products" (Le Goues &
Kaestner, CMU, CC BY 4.0) writes a fairness goal down as a requirement (a criterion, the groups, a limit, where
it is measured) and checks it continuously after deployment. The simulations and the monitor themselves are in
:mod:`mlip_helpers.fairness`; this module declares the notebook's exercises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.fairness import CreditLoop, simulate_credit_loop

__all__ = ["NOTEBOOK", "REQUIREMENT_WEEKS", "lecture_exercises", "score_gap_growth_exercise", "violates_exercise",
           "violates_solution"]

NOTEBOOK = "17-building-fair-products"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""


def score_gap_growth_exercise(loop: CreditLoop) -> Exercise:
    """How much the gap in mean credit score grew from the first to the last round of the feedback loop.

    Introduced in ``notebooks/17-building-fair-products.ipynb``.

    Examples
    --------
    >>> loop = simulate_credit_loop(n_samples=500, seed=0)
    >>> score_gap_growth_exercise(loop).check(loop.gap().iloc[-1] - loop.gap().iloc[0]).passed
    True
    """
    gap = loop.gap()
    expected = float(gap.iloc[-1] - gap.iloc[0])
    approval = loop.gap("approval_rate")
    mistakes = {float(gap.iloc[-1]): "that is the gap in the last round; subtract the gap in round 0.",
                float(approval.iloc[-1] - approval.iloc[0]): "that is the change in the *approval-rate* gap; the "
                                                             "question asks about mean scores.",
                float(gap.iloc[0] - gap.iloc[-1]): "that is the first gap minus the last; the growth is last minus "
                                                   "first."}
    return Exercise.number("score_gap_growth", expected, tolerance=1e-3,
                           mistakes={k: v for k, v in mistakes.items() if abs(k - expected) > 2e-3},
                           hint="loop.gap() gives the score gap per round: last minus first.")


def violates_solution(week: pd.DataFrame, max_gap: float, min_decisions: int) -> bool:
    """Worked solution: whether a week's decisions break "approval rates within ``max_gap``".

    Introduced in ``notebooks/17-building-fair-products.ipynb``. A week in which
    some group has fewer than ``min_decisions`` decisions is not judged.

    Examples
    --------
    >>> week = pd.DataFrame({"group": ["A"] * 50 + ["B"] * 50, "approved": [1] * 40 + [0] * 10 + [1] * 20 + [0] * 30})
    >>> violates_solution(week, 0.1, 30)
    True
    """
    by_group = week.groupby("group")["approved"].agg(["mean", "size"])
    if (by_group["size"] < min_decisions).any():
        return False
    return bool(by_group["mean"].max() - by_group["mean"].min() > max_gap)


def _week(counts: Mapping[str, tuple[int, int]]) -> pd.DataFrame:
    """A shuffled week of decisions from (approved, decisions) per group."""
    rows = [(g, int(i < approved)) for g, (approved, n) in counts.items() for i in range(n)]
    frame = pd.DataFrame(rows, columns=["group", "approved"])
    return frame.sample(frac=1, random_state=17).reset_index(drop=True)


_MISSED = ("the requirement is broken this week and your check did not say so: compare every pair of groups, the "
           "largest approval rate against the smallest.")
_TOO_FEW = ("a group has too few decisions this week to judge its rate; the requirement says such a week is not "
            "judged (no violation).")
_COUNTS = ("the requirement holds this week, yet your check reports a violation: compare approval *rates* (the mean "
           "of approved per group), not counts.")
REQUIREMENT_WEEKS: tuple[tuple[str, dict[str, tuple[int, int]], str], ...] = (
    ("two groups, close approval rates", {"A": (300, 500), "B": (140, 250)}, _COUNTS),
    ("two groups, far apart", {"A": (300, 500), "B": (110, 250)}, _MISSED),
    ("three groups: each close to the first, far from each other", {"A": (300, 500), "B": (136, 200),
                                                                     "C": (104, 200)}, _MISSED),
    ("a group with too few decisions to judge", {"A": (300, 500), "B": (2, 10)}, _TOO_FEW),
    ("groups of very different sizes, close rates", {"A": (450, 900), "B": (55, 100)}, _COUNTS),
)
"""Hidden weeks of :func:`violates_exercise`: what the week is, (approved, decisions) per group, the likely mistake."""


def _against_first(week: pd.DataFrame, max_gap: float, min_decisions: int) -> bool:
    rates = week.groupby("group")["approved"].mean()
    return bool((rates - rates.iloc[0]).abs().max() > max_gap)


def _any_size(week: pd.DataFrame, max_gap: float, min_decisions: int) -> bool:
    rates = week.groupby("group")["approved"].mean()
    return bool(rates.max() - rates.min() > max_gap)


def _counts(week: pd.DataFrame, max_gap: float, min_decisions: int) -> bool:
    sizes = week.groupby("group").size()
    approved = week.groupby("group")["approved"].sum() / len(week)
    return bool(sizes.min() >= min_decisions and approved.max() - approved.min() > max_gap)


def violates_exercise(*, max_gap: float = 0.1, min_decisions: int = 30) -> Exercise:
    """Build-it: ``violates(week, max_gap, min_decisions)``, a fairness-requirement check run on hidden weeks.

    Introduced in ``notebooks/17-building-fair-products.ipynb``. The hidden
    weeks (:data:`REQUIREMENT_WEEKS`) have two and three groups, a group with
    too few decisions, and groups of very different sizes.

    Examples
    --------
    >>> violates_exercise().check(violates_solution).passed
    True
    """
    cases = []
    for label, counts, why in REQUIREMENT_WEEKS:
        week = _week(counts)
        expected = violates_solution(week, max_gap, min_decisions)
        cases.append(Case(label, (week, max_gap, min_decisions),
                          lambda out, e=expected: isinstance(out, (bool, np.bool_)) and bool(out) == e, why))
    mistakes: dict[Callable, str] = {_against_first: _MISSED, _any_size: _TOO_FEW, _counts: _COUNTS}
    return Exercise.code("fairness requirement check", cases=cases, solution=violates_solution, mistakes=mistakes,
                         hint="week.groupby('group')['approved'].agg(['mean', 'size']) gives each group's rate and "
                              "number of decisions.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 4000, n_rounds: int = 10, max_gap: float = 0.1,
                      **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/17-building-fair-products.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=400))
    ['score_gap_growth', 'violates']
    """
    loop = simulate_credit_loop(n_samples=n_samples, n_rounds=n_rounds, seed=seed, initial_gap=0.5)
    return {"score_gap_growth": score_gap_growth_exercise(loop), "violates": violates_exercise(max_gap=max_gap)}
