"""The exercises of the lecture on building fair products: a feedback loop's growth and a fairness-requirement check.

Introduced in ``notebooks/17-building-fair-products.ipynb``. The lecture "Building Fair Products" (Le Goues &
Kaestner, CMU, CC BY 4.0) writes a fairness goal down as a requirement (a criterion, the groups, a limit, where
it is measured) and checks it continuously after deployment. The feedback loop and the monitor are in
:mod:`mlip_helpers.fairness`; this module declares the notebook's exercises and simulates the lecture's
system-level measures, each with planted effects: collecting more data for an under-represented group, three
design mitigations (avoid unnecessary distinctions, suppress problematic outputs, keep humans in the loop), and
the organisational barriers at which fairness work stalls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sklearn.linear_model import LogisticRegression

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError
from mlip_helpers.fairness import CreditLoop, simulate_credit_loop
from mlip_helpers.responsible import group_accuracy_by_size

__all__ = ["NOTEBOOK", "REQUIREMENT_WEEKS", "collection_plans", "fairness_backlog", "human_review",
           "lecture_exercises", "score_gap_growth_exercise", "suppress_outputs", "unnecessary_distinction",
           "violates_exercise", "violates_solution", "where_work_stalls"]

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


def collection_plans(*, n_a: int = 2000, n_b: int = 60, budget: int = 1000, feature_noise_b: float = 0.0,
                     repeats: int = 3, seed: int = 0) -> pd.DataFrame:
    """Group B's accuracy before and after collecting ``budget`` more records, at random or for group B.

    Introduced in ``notebooks/17-building-fair-products.ipynb``. The data are
    :func:`mlip_helpers.responsible.make_two_rule_groups` (the groups follow different rules, one model for both):
    *before* trains on ``n_a`` and ``n_b`` records; *collect at random* adds ``budget`` records in the population's
    proportions; *collect for B* spends the whole budget on group B (oversampling where needed).

    Examples
    --------
    >>> table = collection_plans(n_a=500, n_b=20, budget=500, repeats=2)
    >>> table["n_b"].to_dict()
    {'before': 20, 'collect at random': 39, 'collect for B': 520}
    >>> bool(table.loc["collect for B", "accuracy_B"] > table.loc["before", "accuracy_B"])
    True
    """
    if int(budget) != budget or budget < 1:
        raise InputError(f"budget must be a whole number of at least 1, got {budget!r}.", argument="budget")
    extra_b = round(budget * n_b / (n_a + n_b))
    plans = {"before": (n_a, n_b), "collect at random": (n_a + budget - extra_b, n_b + extra_b),
             "collect for B": (n_a, n_b + budget)}
    rows = {plan: group_accuracy_by_size(n_a=a, sizes_b=[b], feature_noise_b=feature_noise_b, repeats=repeats,
                                         seed=seed).iloc[0] for plan, (a, b) in plans.items()}
    table = pd.DataFrame(rows).T
    table.insert(0, "n_a", [a for a, _ in plans.values()])
    return table.astype({"n_a": int, "n_b": int})


def unnecessary_distinction(*, n_samples: int = 4000, doctor_share: Mapping[str, float] | None = None,
                            signal: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Errors of a photo labeller that tells doctors from nurses, and of one that says "healthcare worker".

    Introduced in ``notebooks/17-building-fair-products.ipynb``, after the lecture's example. Each person's photo
    shows their role only weakly (``signal``) but their gender plainly; among the training photos men are mostly
    doctors and women mostly nurses (``doctor_share``). A logistic regression trained on half the photos labels the
    other half. The distinction it draws has errors that follow the stereotype; the coarser label has none.

    Examples
    --------
    >>> table = unnecessary_distinction(n_samples=2000, seed=1)
    >>> bool(table.loc[("doctor or nurse", "woman"), "doctors_called_nurse"]
    ...      > table.loc[("doctor or nurse", "man"), "doctors_called_nurse"])
    True
    >>> table.loc["healthcare worker", "error_rate"].tolist()
    [0.0, 0.0]
    """
    shares = dict(doctor_share or {"man": 0.7, "woman": 0.3})
    if set(shares) != {"man", "woman"} or not all(0 < v < 1 for v in shares.values()):
        raise InputError("doctor_share needs a share in (0, 1) for 'man' and 'woman'.", argument="doctor_share")
    rng = np.random.default_rng(seed)
    woman = rng.random(n_samples) < 0.5
    doctor = rng.random(n_samples) < np.where(woman, shares["woman"], shares["man"])
    X = np.column_stack([signal * doctor + rng.normal(size=n_samples), woman])
    train = np.arange(n_samples) < n_samples // 2
    said_doctor = LogisticRegression(solver="newton-cholesky").fit(X[train], doctor[train]).predict(X[~train])
    rows = {}
    for name, is_woman in (("man", False), ("woman", True)):
        mine = woman[~train] == is_woman
        truth, said = doctor[~train][mine], said_doctor[mine]
        rows[("doctor or nurse", name)] = {"error_rate": float((truth != said).mean()),
                                           "doctors_called_nurse": float((~said[truth]).mean()),
                                           "nurses_called_doctor": float(said[~truth].mean())}
        rows[("healthcare worker", name)] = dict.fromkeys(rows[("doctor or nurse", name)], 0.0)
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(["labels", "gender"]).sort_index()


def suppress_outputs(*, n_photos: int = 4000, offensive_rate: Mapping[str, float] | None = None,
                     animal_share: float = 0.05, animal_recall: float = 0.9, seed: int = 0) -> pd.DataFrame:
    """Offensive labels on photos of people, with and without suppressing the label, and what suppression costs.

    Introduced in ``notebooks/17-building-fair-products.ipynb``, after the lecture's example of a photo service
    that labelled Black people as gorillas. A share ``animal_share`` of photos show the animal; the labeller names
    it with probability ``animal_recall``. Photos of people get the animal's label with a planted probability per
    group (``offensive_rate``): higher for the group the training data under-represented. *Suppressing* the label
    never shows it: no offensive outputs, and no animal photos labelled either.

    Examples
    --------
    >>> table = suppress_outputs(n_photos=20000, seed=0)
    >>> table.loc["label suppressed"].tolist()
    [0, 0, 0]
    >>> bool(table.loc["label shown", "offensive: darker skin"] > table.loc["label shown", "offensive: lighter skin"])
    True
    """
    rates = dict(offensive_rate or {"lighter skin": 0.001, "darker skin": 0.01})
    if not all(0 <= v <= 1 for v in rates.values()) or not 0 < animal_share < 1 or not 0 <= animal_recall <= 1:
        raise InputError("rates, animal_share and animal_recall must be shares between 0 and 1.",
                         argument="offensive_rate")
    rng = np.random.default_rng(seed)
    animal = rng.random(n_photos) < animal_share
    group = rng.choice(list(rates), size=n_photos)
    wrong = ~animal & (rng.random(n_photos) < np.vectorize(rates.get)(group))
    named = animal & (rng.random(n_photos) < animal_recall)
    shown = {f"offensive: {g}": int((wrong & (group == g)).sum()) for g in rates}
    shown["animal photos labelled"] = int(named.sum())
    hidden = dict.fromkeys(shown, 0)
    return pd.DataFrame({"label shown": shown, "label suppressed": hidden}).T


def human_review(*, n_segments: int = 4000, error_rate: Mapping[str, float] | None = None, review_share: float = 0.2,
                 human_error: float = 0.03, seed: int = 0) -> pd.DataFrame:
    """Transcription errors per speaker group before and after humans check the least confident segments.

    Introduced in ``notebooks/17-building-fair-products.ipynb``, after the lecture's example of TV subtitles that
    humans check, especially for heavy dialects. The recogniser errs on a planted share of each group's segments
    (``error_rate``) and is less confident where it errs (confidence is normal with mean 1.5 when right, 0 when
    wrong). The ``review_share`` least confident segments go to a person, who leaves an error in ``human_error`` of
    them.

    Examples
    --------
    >>> table = human_review(n_segments=4000, seed=0)
    >>> bool((table["error_after"] < table["error_before"]).all())
    True
    >>> bool(table.loc["dialect", "reviewed"] > table.loc["standard", "reviewed"])
    True
    """
    rates = dict(error_rate or {"standard": 0.05, "dialect": 0.2})
    if not 0 <= review_share <= 1 or not 0 <= human_error <= 1 or not all(0 <= v <= 1 for v in rates.values()):
        raise InputError("review_share, human_error and error rates must be shares between 0 and 1.",
                         argument="review_share")
    rng = np.random.default_rng(seed)
    group = rng.choice(list(rates), size=n_segments)
    wrong = rng.random(n_segments) < np.vectorize(rates.get)(group)
    confidence = np.where(wrong, 0.0, 1.5) + rng.normal(size=n_segments)
    reviewed = np.zeros(n_segments, dtype=bool)
    reviewed[np.argsort(confidence)[:round(review_share * n_segments)]] = True
    after = np.where(reviewed, rng.random(n_segments) < human_error, wrong)
    frame = pd.DataFrame({"group": group, "error_before": wrong, "error_after": after, "reviewed": reviewed})
    return frame.groupby("group")[["error_before", "error_after", "reviewed"]].mean()


STAGES = ("raised", "prioritised", "funded", "done")
"""The stages a piece of fairness work passes, in order."""


def fairness_backlog(*, n_tasks: int = 400, seed: int = 0) -> pd.DataFrame:
    """A simulated tracker of fairness tasks in an organisation, with the lecture's barriers planted.

    Introduced in ``notebooks/17-building-fair-products.ipynb``. Each task was raised ``proactively`` by an engineer
    or in reaction to a ``complaint``, the ``media`` or a ``regulator``; it is or is not a required deliverable and
    has or has not an owner. The planted chances of passing each stage follow the lecture's barriers: proactive
    work is rarely prioritised (0.35 against 0.85), work that is not a required deliverable is rarely funded
    (0.4 against 0.8), and work nobody is accountable for is rarely finished (0.35 against 0.85).

    Examples
    --------
    >>> tasks = fairness_backlog(n_tasks=50, seed=0)
    >>> list(tasks.columns)
    ['trigger', 'required', 'owner', 'stage']
    >>> sorted(set(tasks["stage"])) <= sorted(STAGES)
    True
    """
    if int(n_tasks) != n_tasks or n_tasks < 1:
        raise InputError(f"n_tasks must be a whole number of at least 1, got {n_tasks!r}.", argument="n_tasks")
    rng = np.random.default_rng(seed)
    trigger = rng.choice(["proactive", "complaint", "media", "regulator"], p=[0.4, 0.3, 0.2, 0.1], size=n_tasks)
    required, owner = rng.random(n_tasks) < 0.4, rng.random(n_tasks) < 0.5
    passes = [np.where(trigger == "proactive", 0.35, 0.85), np.where(required, 0.8, 0.4), np.where(owner, 0.85, 0.35)]
    reached = np.zeros(n_tasks, dtype=int)
    going = np.ones(n_tasks, dtype=bool)
    for chance in passes:
        going &= rng.random(n_tasks) < chance
        reached += going
    return pd.DataFrame({"trigger": trigger, "required": required, "owner": owner,
                         "stage": np.array(STAGES)[reached]})


def where_work_stalls(tasks: pd.DataFrame) -> pd.DataFrame:
    """Share of fairness tasks finished, and the stage where unfinished ones stopped, by each barrier.

    Introduced in ``notebooks/17-building-fair-products.ipynb``; ``tasks`` as from :func:`fairness_backlog`.

    Examples
    --------
    >>> tasks = pd.DataFrame({"trigger": ["proactive", "media", "media"], "required": [False, True, True],
    ...                       "owner": [False, True, False], "stage": ["raised", "done", "funded"]})
    >>> where_work_stalls(tasks)["done"].to_dict()["proactive"]
    0.0
    """
    missing = {"trigger", "required", "owner", "stage"} - set(tasks.columns)
    if missing:
        raise InputError(f"tasks lacks the columns {sorted(missing)}.", argument="tasks")
    kind = {"proactive": tasks["trigger"] == "proactive", "reactive": tasks["trigger"] != "proactive",
            "required deliverable": tasks["required"], "not required": ~tasks["required"],
            "has an owner": tasks["owner"], "no owner": ~tasks["owner"]}
    rows = {}
    for name, mine in kind.items():
        part = tasks.loc[mine, "stage"]
        open_ = part[part != "done"]
        rows[name] = {"tasks": int(mine.sum()), "done": float((part == "done").mean()) if len(part) else np.nan,
                      "stalled most at": open_.mode().iloc[0] if len(open_) else ""}
    return pd.DataFrame.from_dict(rows, orient="index")
