"""Fairness in numbers: group metrics via fairlearn, reweighing, a feedback loop, monitoring, model cards.

Introduced in ``notebooks/16-measuring-fairness.ipynb``. :func:`fairness_report`
wraps fairlearn's :class:`~fairlearn.metrics.MetricFrame` into one read-only
record with the rates of each group and the gaps between them;
:func:`flip_rate` tests anti-classification by swapping the protected
attribute; :func:`reweighing_weights` are Kamiran and Calders' weights. For
``notebooks/17-building-fair-products.ipynb``: :func:`simulate_credit_loop`,
:func:`monitor_parity`, :class:`ModelCard` and :func:`datasheet`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate, true_positive_rate

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "CreditLoop", "FairnessReport", "ModelCard", "datasheet", "equalized_odds_exercise",
           "equalized_odds_solution", "fairness_report", "flip_rate", "lecture_exercises", "monitor_parity",
           "perfect_parity_gap_exercise", "reweighing_weights", "simulate_credit_loop",
           "threshold_criterion_exercise"]


def _accuracy(y_true, y_pred) -> float:
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


@dataclass(frozen=True, eq=False)
class FairnessReport:
    """Rates per group of a binary decision (1 = the favourable outcome) and the gaps between groups."""

    by_group: pd.DataFrame
    """One row per group: ``count``, ``selection_rate``, ``tpr``, ``fpr``, ``accuracy``."""
    overall: pd.Series
    """The same rates over everybody."""

    @property
    def demographic_parity_difference(self) -> float:
        """Largest minus smallest selection rate (0 = group fairness)."""
        return float(np.ptp(self.by_group["selection_rate"]))

    @property
    def equalized_odds_difference(self) -> float:
        """The larger of the TPR gap and the FPR gap (0 = equalized odds)."""
        return float(max(np.ptp(self.by_group["tpr"]), np.ptp(self.by_group["fpr"])))

    def gaps(self) -> pd.Series:
        """Largest minus smallest value of every rate, across groups."""
        return (self.by_group.max() - self.by_group.min()).drop("count")


def fairness_report(y_true, y_pred, groups) -> FairnessReport:
    """Selection rate, TPR, FPR and accuracy per group, computed by fairlearn's ``MetricFrame``.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. Labels and
    decisions are 0/1 with 1 the outcome people want (a loan, a callback).

    Examples
    --------
    >>> report = fairness_report([1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 0], ["a", "a", "a", "b", "b", "b"])
    >>> report.by_group[["selection_rate", "tpr", "fpr"]].round(3).to_dict("index")
    {'a': {'selection_rate': 0.333, 'tpr': 0.5, 'fpr': 0.0}, 'b': {'selection_rate': 0.667, 'tpr': 1.0, 'fpr': 0.5}}
    >>> round(report.demographic_parity_difference, 3), report.equalized_odds_difference
    (0.333, 0.5)
    """
    y_true, y_pred, groups = (np.asarray(v) for v in (y_true, y_pred, groups))
    if not len(y_true) == len(y_pred) == len(groups):
        raise InputError(f"y_true, y_pred and groups have {len(y_true)}, {len(y_pred)} and {len(groups)} "
                         "entries; pass one of each per person.", argument="groups")
    metrics = {"count": count, "selection_rate": selection_rate, "tpr": true_positive_rate,
               "fpr": false_positive_rate, "accuracy": _accuracy}
    frame = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=groups)
    by_group = frame.by_group.astype(float).astype({"count": int}).rename_axis("group")
    return FairnessReport(by_group, frame.overall.astype(float))


def flip_rate(predict: Callable, X: pd.DataFrame, column: str, swap: Mapping) -> float:
    """Share of decisions that change when only the protected attribute is swapped.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. A model meets
    anti-classification (for this attribute) only if the share is 0; a model
    that never sees ``column`` gets 0 by construction, proxies or not.

    Examples
    --------
    >>> X = pd.DataFrame({"income": [1, 5, 9], "group": ["a", "b", "a"]})
    >>> flip_rate(lambda X: (X["income"] > 4).astype(int), X, "group", {"a": "b", "b": "a"})
    0.0
    >>> flip_rate(lambda X: (X["group"] == "a").astype(int), X, "group", {"a": "b", "b": "a"})
    1.0
    """
    swapped = X.copy()
    swapped[column] = X[column].map(lambda v: swap.get(v, v))
    return float(np.mean(np.asarray(predict(X)) != np.asarray(predict(swapped))))


def reweighing_weights(y, groups) -> np.ndarray:
    """Kamiran and Calders' reweighing: weight ``P(group) P(label) / P(group, label)`` per row.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. With these
    weights label and group are independent in the weighted training data.

    Examples
    --------
    >>> reweighing_weights([1, 1, 1, 0], ["a", "a", "b", "b"]).round(3).tolist()
    [0.75, 0.75, 1.5, 0.5]
    """
    frame = pd.DataFrame({"y": np.asarray(y), "g": np.asarray(groups)})
    p_g = frame["g"].map(frame["g"].value_counts(normalize=True))
    p_y = frame["y"].map(frame["y"].value_counts(normalize=True))
    p_gy = frame.groupby(["g", "y"])["y"].transform("size") / len(frame)
    return (p_g * p_y / p_gy).to_numpy()


@dataclass(frozen=True, eq=False)
class CreditLoop:
    """Rounds of lending in which each decision changes the applicant's next credit score."""

    rounds: pd.DataFrame
    """Per round and group: ``mean_score`` and ``approval_rate``, before that round's decisions."""
    initial_gap: float
    """Planted gap in mean score (group A minus group B) before the first round."""

    def gap(self, column: str = "mean_score") -> pd.Series:
        """Group A minus group B, per round."""
        wide = self.rounds.pivot(index="round", columns="group", values=column)
        return (wide["A"] - wide["B"]).rename(f"{column} gap")


def simulate_credit_loop(*, n_samples: int = 4000, n_rounds: int = 10, seed: int = 0, initial_gap: float = 0.5,
                         threshold: float = 0.0, gain: float = 0.3, loss: float = 0.6,
                         decay: float = 0.1) -> CreditLoop:
    """Simulate a lender whose decisions feed back into credit scores (after Liu et al., ICML 2018).

    Introduced in ``notebooks/17-building-fair-products.ipynb``. Scores start
    standard normal, group B's ``initial_gap`` lower. Each round everyone
    with a score of at least ``threshold`` gets a loan, the same rule for
    all; a borrower repays with probability ``1 / (1 + exp(-(2 s + 1)))`` and
    gains ``gain`` or, on default, loses ``loss``; a denied applicant loses
    ``decay``.

    Examples
    --------
    >>> loop = simulate_credit_loop(n_samples=2000, seed=0)
    >>> bool(loop.gap().iloc[-1] > 1.5 * loop.gap().iloc[0])
    True
    >>> bool(abs(simulate_credit_loop(n_samples=2000, initial_gap=0.0).gap().iloc[-1]) < 0.15)
    True
    """
    rng = np.random.default_rng(seed)
    group = np.where(rng.permutation(np.arange(n_samples) % 2 == 1), "B", "A")
    score = rng.normal(size=n_samples) - initial_gap * (group == "B")
    rows = []
    for step in range(n_rounds):
        approved = score >= threshold
        for g in ("A", "B"):
            rows.append((step, g, score[group == g].mean(), approved[group == g].mean()))
        repaid = rng.random(n_samples) < 1 / (1 + np.exp(-(2 * score + 1)))
        score = score + np.where(approved, np.where(repaid, gain, -loss), -decay)
    return CreditLoop(pd.DataFrame(rows, columns=["round", "group", "mean_score", "approval_rate"]),
                      initial_gap)


def monitor_parity(log: pd.DataFrame, *, max_gap: float, period: str = "week", group: str = "group",
                   decision: str = "approved") -> pd.DataFrame:
    """Selection rate per group in each period of a decision log, the gap, and an alarm above ``max_gap``.

    Introduced in ``notebooks/17-building-fair-products.ipynb``.

    Examples
    --------
    >>> log = pd.DataFrame({"week": [0, 0, 1, 1], "group": ["A", "B"] * 2, "approved": [1, 1, 1, 0]})
    >>> monitor_parity(log, max_gap=0.5)[["gap", "alarm"]].to_dict("list")
    {'gap': [0.0, 1.0], 'alarm': [False, True]}
    """
    rates = log.groupby([period, group])[decision].mean().unstack(group)
    rates["gap"] = rates.max(axis=1) - rates.min(axis=1)
    rates["alarm"] = rates["gap"] > max_gap
    return rates


def _markdown(frame: pd.DataFrame) -> str:
    cells = [[str(frame.index.name or "")] + [str(c) for c in frame.columns]]
    cells += [[str(i)] + [f"{v:.3f}" if isinstance(v, (float, np.floating)) else str(v) for v in row]
              for i, row in zip(frame.index, frame.itertuples(index=False))]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join([lines[0], "|" + " --- |" * len(cells[0]), *lines[1:]])


@dataclass(frozen=True)
class ModelCard:
    """A model card (Mitchell et al., FAccT 2019) whose numbers come from an evaluation, not from memory."""

    name: str
    """Model name and version."""
    intended_use: str
    """What the model is for, and for whom."""
    out_of_scope: str
    """Uses it must not be put to."""
    training_data: str
    """Where the training data comes from."""
    report: FairnessReport
    """The evaluation on held-out data, per group."""
    fairness_goal: str
    """The negotiated fairness requirement, with its threshold."""
    caveats: tuple[str, ...] = ()
    """Known limitations and recommendations."""

    def to_markdown(self) -> str:
        """The card as Markdown, with the per-group table computed from ``report``."""
        gaps = ", ".join(f"{k} {v:.3f}" for k, v in self.report.gaps().items())
        parts = [f"## Model card: {self.name}", f"**Intended use.** {self.intended_use}",
                 f"**Out of scope.** {self.out_of_scope}", f"**Training data.** {self.training_data}",
                 f"**Fairness goal.** {self.fairness_goal}", "**Evaluation per group (held-out data).**",
                 _markdown(self.report.by_group), f"Gaps (largest minus smallest): {gaps}."]
        if self.caveats:
            parts.append("**Caveats.**\n" + "\n".join(f"- {c}" for c in self.caveats))
        return "\n\n".join(parts)


def datasheet(frame: pd.DataFrame, *, name: str, protected: str, label: str, motivation: str,
              collection: str, labelling: str) -> str:
    """A datasheet for a data set (Gebru et al., 2021) as Markdown, its composition computed from ``frame``.

    Introduced in ``notebooks/17-building-fair-products.ipynb``.

    Examples
    --------
    >>> data = pd.DataFrame({"race": ["x", "x", "y"], "ok": [1, 0, 1]})
    >>> sheet = datasheet(data, name="toy", protected="race", label="ok", motivation="m", collection="c",
    ...                   labelling="l")
    >>> "| x | 2 | 0.667 | 0.500 |" in sheet
    True
    """
    missing = [c for c in (protected, label) if c not in frame.columns]
    if missing:
        raise InputError(f"datasheet: columns {missing} are not in the data; it has {list(frame.columns)}.",
                         argument="protected")
    composition = frame.groupby(protected)[label].agg(rows="size", share="size", label_rate="mean")
    composition["share"] = composition["rows"] / len(frame)
    return "\n\n".join([
        f"## Datasheet: {name}", f"**Motivation.** {motivation}", f"**Collection.** {collection}",
        f"**Labelling.** {labelling}", f"**Composition.** {len(frame)} rows, {frame.shape[1]} columns; "
        f"missing values: {int(frame.isna().sum().sum())}. Rows and label rate (`{label}`) per `{protected}`:",
        _markdown(composition)])


def perfect_parity_gap_exercise(*, data) -> Exercise:
    """The ``perfect_parity_gap`` exercise of ``notebooks/16-measuring-fairness.ipynb``, from its data.

    Examples
    --------
    >>> from mlip_helpers.bias import make_base_rates
    >>> perfect_parity_gap_exercise(data=make_base_rates(n_samples=1000, seed=0)).check(0.2).passed
    True
    """
    rates = data.base_rates
    return Exercise.number(
        "perfect_parity_gap", max(rates.values()) - min(rates.values()), tolerance=1e-6, share=True,
        mistakes={0.0: "that is the equalized-odds gap of a perfect predictor (every TPR is 1, every FPR 0); its "
                       "selection rates still follow the base rates.",
                  max(rates.values()): "that is one group's selection rate; the parity difference compares the "
                                       "two groups' rates."},
        hint="a perfect predictor approves exactly the people whose label says approve, in each group.")


def threshold_criterion_exercise() -> Exercise:
    """The ``threshold_criterion`` exercise of ``notebooks/16-measuring-fairness.ipynb``, from its data.

    Examples
    --------
    >>> threshold_criterion_exercise().check("anti-classification").passed
    True
    """
    return Exercise.choice("threshold_criterion", "anti-classification", {
        "anti-classification": "its decision takes race as an input (sensitive_features at predict time), so the "
                               "flip test changes decisions.",
        "group fairness": "group fairness is what the optimizer was told to reach; measure it and the selection "
                          "rates are close.",
        "equalized odds": "equalized odds was not the optimizer's target, so it may or may not hold; one criterion "
                          "is broken by construction, whatever the data.",
    }, hint="the optimizer needs sensitive_features when it predicts. What does the flip test say?")


# --- build-it exercises of notebooks 16 and 17: a fairness metric, and a fairness-requirement check ----------------

def equalized_odds_solution(y_true: Any, y_pred: Any, groups: Any) -> float:
    """Worked solution: the largest gap between groups in true positive rate or in false positive rate.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``; fairlearn's
    ``equalized_odds_difference`` computes the same.

    Examples
    --------
    >>> equalized_odds_solution([1, 1, 0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 1, 0, 1, 1], list("aaaabbbb"))
    1.0
    """
    frame = pd.DataFrame({"y": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)})
    tpr = frame[frame["y"] == 1].groupby("g")["p"].mean()
    fpr = frame[frame["y"] == 0].groupby("g")["p"].mean()
    return float(max(tpr.max() - tpr.min(), fpr.max() - fpr.min()))


def _odds_case(rates: Mapping[str, tuple[int, int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, decisions and groups from (positives found, positives, negatives approved, negatives) per group."""
    y, p, g = [], [], []
    for group, (tp, pos, fp, neg) in rates.items():
        y += [1] * pos + [0] * neg
        p += [1] * tp + [0] * (pos - tp) + [1] * fp + [0] * (neg - fp)
        g += [group] * (pos + neg)
    return np.array(y), np.array(p), np.array(g, dtype=object)


ODDS_CASES: tuple[tuple[str, dict[str, tuple[int, int, int, int]]], ...] = (
    ("two groups whose true positive rates differ most", {"A": (45, 50, 10, 50), "B": (30, 50, 8, 50)}),
    ("two groups whose false positive rates differ most", {"A": (40, 50, 5, 50), "B": (38, 50, 20, 50)}),
    ("three groups, the largest gap between the second and the third",
     {"A": (40, 50, 10, 50), "B": (45, 50, 12, 50), "C": (33, 50, 9, 50)}),
    ("equal selection rates, unequal error rates", {"A": (40, 50, 10, 50), "B": (25, 50, 25, 50)}),
    ("groups of very different sizes", {"big": (160, 200, 60, 600), "small": (6, 10, 3, 10)}),
)
"""Hidden cases of :func:`judge_equalized_odds`, as (found, positives, false approvals, negatives) per group."""


def _tpr_only(y_true: Any, y_pred: Any, groups: Any) -> float:
    frame = pd.DataFrame({"y": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)})
    tpr = frame[frame["y"] == 1].groupby("g")["p"].mean()
    return float(tpr.max() - tpr.min())


def _selection_gap(y_true: Any, y_pred: Any, groups: Any) -> float:
    rates = pd.Series(np.asarray(y_pred)).groupby(np.asarray(groups)).mean()
    return float(rates.max() - rates.min())


def _first_two_groups(y_true: Any, y_pred: Any, groups: Any) -> float:
    frame = pd.DataFrame({"y": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)})
    tpr = frame[frame["y"] == 1].groupby("g")["p"].mean()
    fpr = frame[frame["y"] == 0].groupby("g")["p"].mean()
    return float(max(abs(tpr.iloc[0] - tpr.iloc[1]), abs(fpr.iloc[0] - fpr.iloc[1])))


_ODDS_WHY = (
    "true positive rates differ most here, and your result is not their gap: the TPR of a group is the share "
    "approved among its applicants with label 1.",
    "false positive rates differ most here: equalized odds asks for equal TPRs *and* equal FPRs, so report the "
    "larger of the two gaps.",
    "with more than two groups, the gap is the largest rate minus the smallest, whichever groups they belong to.",
    "selection rates are equal here, error rates are not: equalized odds compares TPRs and FPRs, not approvals.",
    "groups of very different sizes: compute each group's rates on its own rows, then compare the rates.",
)


def equalized_odds_exercise() -> Exercise:
    """Build-it: ``equalized_odds(y_true, y_pred, groups)`` from scratch, run on hidden labelled decisions.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. Each hidden case
    targets one mistake: comparing only TPRs, only two groups, selection rates,
    or pooling groups of different sizes.

    Examples
    --------
    >>> equalized_odds_exercise().check(equalized_odds_solution).passed
    True
    """
    cases = []
    order = (3, 0, 1, 2, 4)  # each known mistake fails its own case first
    for (label, rates), why in ((ODDS_CASES[i], _ODDS_WHY[i]) for i in order):
        y, p, g = _odds_case(rates)
        expected = equalized_odds_solution(y, p, g)
        cases.append(Case(label, (y, p, g), lambda out, e=expected: abs(float(out) - e) <= 1e-9, why))
    return Exercise.code("equalized odds difference", cases=cases, solution=equalized_odds_solution,
                         mistakes={_tpr_only: _ODDS_WHY[1], _selection_gap: _ODDS_WHY[3],
                                   _first_two_groups: _ODDS_WHY[2]},
                         hint="Per group: TPR = mean of y_pred where y_true == 1, FPR = mean of y_pred where "
                              "y_true == 0.")


NOTEBOOK = "16-measuring-fairness"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""


def lecture_exercises(*, seed: int = 0, n_samples: int = 4000, **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/16-measuring-fairness.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=400))
    ['equalized_odds', 'perfect_parity_gap', 'threshold_criterion']
    """
    from mlip_helpers.bias import make_base_rates

    base = make_base_rates(n_samples=n_samples, seed=seed, rate_a=0.5, rate_b=0.3)
    return {"equalized_odds": equalized_odds_exercise(), "threshold_criterion": threshold_criterion_exercise(),
            "perfect_parity_gap": perfect_parity_gap_exercise(data=base)}
