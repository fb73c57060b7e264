"""Explanations that foster over-trust: a human-plus-model team, simulated with a planted reliance.

Introduced in ``notebooks/18-explainability.ipynb``. The lecture "Explainability and Interpretability" (Le Goues &
Kaestner, CMU, CC BY 4.0) reports that users are less likely to question a model when it comes with an
explanation, even an unreliable or inscrutable one (Stumpf et al., 2016; Ehsan et al., 2021, who compared three
explanation designs). :func:`simulate_team` turns that finding into numbers: a person with their own judgement
decides each case with the model's advice, and the explanation design only changes how often the person keeps
their own view when it disagrees with the model (the *question rate*).

With a binary decision the team's expected accuracy has a closed form, which the simulation recovers: on the
model's mistakes the team is right only when the person is right *and* questions the model (``h * q``); on the
model's right answers it is wrong only when the person is wrong and insists (``1 - (1 - h) * q``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "expected_team_accuracy", "simulate_team"]

NOTEBOOK = "18-explainability"

RATE_OUT_OF_RANGE = "{what} must be between 0 and 1, got {value!r}."


def _rate(value: Any, what: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise InputError(RATE_OUT_OF_RANGE.format(what=what, value=value), argument=what)
    return rate


def expected_team_accuracy(model_accuracy: float, human_accuracy: float, question_rate: float) -> dict[str, float]:
    """Expected accuracy of a person deciding with a model's advice, overall and on the model's mistakes.

    Introduced in ``notebooks/18-explainability.ipynb``. The person's own judgement is right with probability
    ``human_accuracy``, independently of the model; when it disagrees with the model the person keeps it with
    probability ``question_rate`` and follows the model otherwise.

    Examples
    --------
    >>> expected_team_accuracy(0.7, 0.6, 0.5)
    {'overall': 0.65, 'on model mistakes': 0.3, 'on model right answers': 0.8}
    """
    a = _rate(model_accuracy, "model_accuracy")
    h, q = _rate(human_accuracy, "human_accuracy"), _rate(question_rate, "question_rate")
    on_wrong, on_right = h * q, 1 - (1 - h) * q
    return {"overall": round(a * on_right + (1 - a) * on_wrong, 12), "on model mistakes": round(on_wrong, 12),
            "on model right answers": round(on_right, 12)}


def simulate_team(model_correct: Any, designs: Mapping[str, float], *, human_accuracy: float,
                  seed: int = 0) -> pd.DataFrame:
    """Simulate a person who decides every case with the model's advice, once per explanation design.

    Introduced in ``notebooks/18-explainability.ipynb``. The same cases and the same human judgements are used for
    every design, so the designs differ only in ``question_rate``: how often the person keeps their own
    judgement when it disagrees with the model.

    Parameters
    ----------
    model_correct : array of bool
        One entry per case: was the model right?
    designs : mapping of str to float
        Explanation design to its question rate (between 0 and 1).
    human_accuracy : float
        Probability that the person's own judgement is right, independent of the model.
    seed : int
        Seed for the person's judgements and for whether they question the model.

    Returns
    -------
    pandas.DataFrame
        One row per design: ``question rate``, ``followed the model`` (share of cases decided as the model said),
        ``team accuracy``, ``on model mistakes`` (share of the model's mistakes the team got right) and
        ``expected on mistakes`` (``human_accuracy * question_rate``, the planted truth).

    Examples
    --------
    >>> table = simulate_team([True] * 60 + [False] * 40, {"none": 0.8, "numbers": 0.2}, human_accuracy=0.7)
    >>> bool(table.loc["none", "on model mistakes"] > table.loc["numbers", "on model mistakes"])
    True
    """
    correct = np.asarray(model_correct, dtype=bool)
    if correct.ndim != 1 or len(correct) == 0:
        raise InputError("model_correct must be a non-empty one-dimensional array of True/False, one per case.",
                         argument="model_correct")
    if not designs:
        raise InputError("designs is empty; name at least one explanation design and its question rate.",
                         argument="designs")
    h = _rate(human_accuracy, "human_accuracy")
    rng = np.random.default_rng(seed)
    human_right = rng.random(len(correct)) < h
    questions = rng.random(len(correct))  # one draw per case, shared by all designs: only the rate differs
    rows = {}
    for name, rate in designs.items():
        q = _rate(rate, f"question rate of {name!r}")
        disagree = human_right != correct  # binary decision: they disagree exactly when one of them is wrong
        keeps_own = disagree & (questions < q)
        team_right = np.where(keeps_own, human_right, correct)
        rows[name] = {"question rate": q, "followed the model": float(np.mean(~keeps_own)),
                      "team accuracy": float(team_right.mean()),
                      "on model mistakes": float(team_right[~correct].mean()) if (~correct).any() else np.nan,
                      "expected on mistakes": h * q}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("explanation design")
