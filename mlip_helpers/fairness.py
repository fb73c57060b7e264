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

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate, true_positive_rate

from mlip_helpers.checker import Exercise
from mlip_helpers.errors import UNKNOWN_EXERCISE, ExerciseError, InputError

__all__ = ["CreditLoop", "FairnessReport", "ModelCard", "datasheet", "exercise", "fairness_report",
           "flip_rate", "monitor_parity", "reweighing_weights", "simulate_credit_loop"]


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


def _group_fpr(*, y_true, y_pred, groups, group) -> Exercise:
    report = fairness_report(y_true, y_pred, groups).by_group.loc[group]
    return Exercise.number(
        "group_fpr", report["fpr"], tolerance=1e-3,
        mistakes={report["tpr"]: "that is the true positive rate (approved among label 1); the FPR looks at "
                                 "applicants whose label is 0.",
                  report["selection_rate"]: "that is the selection rate over everybody in the group; keep only "
                                            "the applicants with label 0.",
                  1 - report["fpr"]: "that is the share *not* approved among label 0 (the true negative rate)."},
        hint=f"among group {group!r} applicants with label 0, what share did the model approve?")


def _perfect_parity_gap(*, data) -> Exercise:
    rates = data.base_rates
    return Exercise.number(
        "perfect_parity_gap", max(rates.values()) - min(rates.values()), tolerance=1e-6,
        mistakes={0.0: "0 is the equalized-odds gap of a perfect predictor (every TPR is 1, every FPR 0); its "
                       "selection rates still follow the base rates."},
        hint="a perfect predictor approves exactly the people with label 1 in each group.")


def _threshold_criterion() -> Exercise:
    options = ("anti-classification", "group fairness", "equalized odds")
    return Exercise.choice(
        "threshold_criterion", "anti-classification", options,
        mistakes={"group fairness": "group fairness is what the optimizer was told to reach; measure it and "
                                    "the selection rates are close.",
                  "equalized odds": "equalized odds was not the optimizer's target, so it may or may not hold; "
                                    "one criterion is broken by construction, whatever the data."},
        hint="the optimizer needs sensitive_features when it predicts. What does the flip test say?")


def _score_gap_growth(*, loop: CreditLoop) -> Exercise:
    gap = loop.gap()
    return Exercise.number(
        "score_gap_growth", gap.iloc[-1] - gap.iloc[0], tolerance=1e-3,
        mistakes={gap.iloc[-1]: "that is the gap in the last round; subtract the gap in round 0.",
                  loop.gap("approval_rate").iloc[-1] - loop.gap("approval_rate").iloc[0]:
                  "that is the change in the *approval-rate* gap; the question asks about mean scores."},
        hint="loop.gap() gives the score gap per round: last minus first.")


def _first_alarm(*, table: pd.DataFrame) -> Exercise:
    alarms = table.index[table["alarm"]]
    first = int(alarms.min()) if len(alarms) else -1
    return Exercise.number(
        "first_alarm", first, tolerance=0.5,
        mistakes={first + 1: "weeks are numbered from 0 in the log; give the week number as the table shows it.",
                  first - 1: "that week's gap is still within the limit; look for the first alarm = True."},
        hint="the first period whose alarm column is True.")


_EXERCISES = {"group_fpr": _group_fpr, "perfect_parity_gap": _perfect_parity_gap,
              "threshold_criterion": _threshold_criterion, "score_gap_growth": _score_gap_growth,
              "first_alarm": _first_alarm}


def exercise(name: str, **data) -> Exercise:
    """Build an exercise of the fairness notebooks (16 and 17) from the notebook's data.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. Pass the result
    to :func:`mlip_helpers.check`.

    Examples
    --------
    >>> ex = exercise("group_fpr", y_true=[1, 0, 0], y_pred=[1, 1, 0], groups=["a", "a", "a"], group="a")
    >>> ex.check(0.5).passed, ex.check(1.0).reason[:24]
    (True, 'that is the true positiv')
    """
    if name not in _EXERCISES:
        raise ExerciseError(UNKNOWN_EXERCISE.format(name=name, known=sorted(_EXERCISES)), name=name)
    return _EXERCISES[name](**data)
