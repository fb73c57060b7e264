"""An ML-enabled system decomposed into components: interfaces that hide a model, and the common components.

Introduced in ``notebooks/06-architecture.ipynb``. The lecture "Toward Architecture and Design" (Le Goues &
Kaestner, CMU, CC BY 4.0) decomposes a system into components with responsibilities and interfaces, hiding each
implementation behind its interface, and names the components most ML systems share: a model inference service,
an ML pipeline, monitoring, data sources and management, and a feature store. Here a fraud scorer sits behind a
one-method interface (:class:`ModelScorer`, used by :class:`PaymentService`), and :func:`run_system` wires a
feature store, a training pipeline, an inference service and a monitor together, recording every data flow.
:func:`explanation_size` counts what a person must read to follow one decision of a tree, forest or network.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["ModelScorer", "PaymentService", "SystemRun", "explanation_size", "make_transactions", "run_system"]

FEATURES = ("amount", "ratio_to_usual", "today_count")
"""Features the feature store computes for every transaction."""


@dataclass
class ModelScorer:
    """The scorer component's one public method, :meth:`score`; the model inside is its own business."""

    model: object
    """Any fitted classifier with ``predict_proba``; callers never touch it."""

    def score(self, X) -> np.ndarray:
        """Probability of fraud for every row of ``X``."""
        return np.asarray(self.model.predict_proba(np.asarray(X))[:, 1])


@dataclass
class PaymentService:
    """A caller that depends only on a scorer's interface: it sends a transaction to review above a threshold."""

    scorer: ModelScorer
    """Anything with ``score(X)``."""
    review_above: float = 0.5
    """Score above which a transaction is held for review."""

    def decide(self, X) -> np.ndarray:
        """``"review"`` or ``"approve"`` for every row of ``X``."""
        return np.where(self.scorer.score(X) > self.review_above, "review", "approve")


def make_transactions(*, n_cards: int = 300, n_days: int = 20, seed: int = 0, fraud_rate: float = 0.05,
                      drift_day: int = 14, drift_factor: float = 1.8) -> pd.DataFrame:
    """Card transactions over ``n_days`` days, with fraud planted and a shift in every amount from ``drift_day``.

    Introduced in ``notebooks/06-architecture.ipynb``. Each card has a usual amount; a legitimate transaction is
    near it, a fraudulent one (share ``fraud_rate``) about four times it. From ``drift_day`` on, every amount is
    ``drift_factor`` times larger (a holiday season), which a model trained before cannot know; monitoring should
    notice.

    Examples
    --------
    >>> t = make_transactions(n_cards=50, n_days=4, seed=0, drift_day=2)
    >>> sorted(t.columns), t["day"].nunique()
    (['amount', 'card', 'day', 'fraud'], 4)
    """
    if n_cards < 2 or n_days < 2:
        raise InputError(f"need at least 2 cards and 2 days, got {n_cards} and {n_days}.", argument="n_days")
    if not 0 < drift_day <= n_days:
        raise InputError(f"drift_day must lie in 1..{n_days}, got {drift_day}.", argument="drift_day")
    rng = np.random.default_rng(seed)
    usual = rng.lognormal(3.5, 0.6, n_cards)
    per_day = rng.poisson(2, size=(n_days, n_cards)) + 1
    card = np.concatenate([np.repeat(np.arange(n_cards), per_day[d]) for d in range(n_days)])
    day = np.repeat(np.arange(n_days), per_day.sum(axis=1))
    fraud = (rng.random(len(card)) < fraud_rate).astype(int)
    amount = usual[card] * rng.lognormal(0, 0.3, len(card)) * np.where(fraud == 1, 4.0, 1.0)
    amount = amount * np.where(day >= drift_day, drift_factor, 1.0)
    return pd.DataFrame({"card": card, "day": day, "amount": np.round(amount, 2), "fraud": fraud})


@dataclass
class _Flow:
    counts: Counter = field(default_factory=Counter)

    def send(self, source: str, target: str, what: str, records: int) -> None:
        self.counts[(source, target, what)] += int(records)

    def table(self) -> pd.DataFrame:
        rows = [{"from": s, "to": t, "what": w, "records": n} for (s, t, w), n in self.counts.items()]
        return pd.DataFrame(rows)


class _FeatureStore:
    """Computes features once per day from the raw transactions and serves the cached rows to every reader."""

    def __init__(self, transactions: pd.DataFrame, flow: _Flow) -> None:
        self._raw, self._flow, self._cache = transactions, flow, {}
        self.computed = 0

    def features(self, day: int, reader: str) -> pd.DataFrame:
        if day not in self._cache:
            today = self._raw[self._raw["day"] == day]
            history = self._raw[self._raw["day"] < day]
            self._flow.send("data source", "feature store", "raw transactions", len(today) + len(history))
            usual = history.groupby("card")["amount"].median()
            rows = today.assign(
                ratio_to_usual=(today["amount"] / today["card"].map(usual)).fillna(1.0),
                today_count=today.groupby("card")["card"].transform("size"))
            self._cache[day] = rows
            self.computed += 1
        rows = self._cache[day]
        self._flow.send("feature store", reader, "features", len(rows))
        return rows


@dataclass(frozen=True)
class SystemRun:
    """What :func:`run_system` observed: every data flow, the monitor's daily view, and feature consistency."""

    flows: pd.DataFrame
    """One row per (from, to, what) with the number of records that travelled."""
    daily: pd.DataFrame
    """Per served day: transactions, share sent to review, fraud caught, and whether the monitor alerted."""
    skew: float
    """Largest difference between a feature the pipeline trained on and the same feature the service used."""
    features_computed: int
    """Days whose features the feature store computed (each once, however many readers)."""
    alert_above: float
    """Share held for review above which the monitor alerts (``alert_factor`` times the training days' share)."""


def run_system(transactions: pd.DataFrame, *, train_days: int = 7, alert_factor: float = 2.0,
               review_above: float = 0.5, seed: int = 0) -> SystemRun:
    """Run the feature store, training pipeline, inference service and monitor over ``transactions`` day by day.

    Introduced in ``notebooks/06-architecture.ipynb``. The pipeline trains a logistic regression on the first
    ``train_days`` days' features from the feature store; the inference service scores every later day with
    features from the same store; the monitor alerts when the share of transactions sent to review exceeds
    ``alert_factor`` times the share on the training days. The pipeline also re-reads the features of the days
    served, so that any training/serving skew would show.

    Examples
    --------
    >>> run = run_system(make_transactions(n_cards=100, n_days=10, drift_day=8), train_days=5)
    >>> run.skew, run.features_computed, int(run.daily["alert"].sum()) > 0
    (0.0, 10, True)
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    days = sorted(transactions["day"].unique())
    if not 0 < train_days < len(days):
        raise InputError(f"train_days must lie in 1..{len(days) - 1}, got {train_days}.", argument="train_days")
    flow = _Flow()
    store = _FeatureStore(transactions, flow)
    train = pd.concat([store.features(d, "ML pipeline") for d in days[:train_days]])
    flow.send("data source", "ML pipeline", "fraud labels", len(train))
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(train[list(FEATURES)].to_numpy(), train["fraud"])
    flow.send("ML pipeline", "inference service", "trained model", 1)
    service = PaymentService(ModelScorer(model), review_above=review_above)
    baseline = float(np.mean(service.decide(train[list(FEATURES)]) == "review"))
    rows, skew = [], 0.0
    for day in days[train_days:]:
        served = store.features(day, "inference service")
        decision = service.decide(served[list(FEATURES)])
        flow.send("inference service", "monitoring", "decisions", len(served))
        reviewed = float(np.mean(decision == "review"))
        rows.append({"day": day, "transactions": len(served), "review_share": reviewed,
                     "fraud_caught": float(np.mean(decision[served["fraud"].to_numpy() == 1] == "review")),
                     "alert": reviewed > alert_factor * baseline})
        again = store.features(day, "ML pipeline")  # the pipeline reads the same day for the next training
        skew = max(skew, float(np.abs(again[list(FEATURES)].to_numpy() - served[list(FEATURES)].to_numpy()).max()))
    daily = pd.DataFrame(rows).set_index("day")
    flow.send("monitoring", "operators", "alerts", int(daily["alert"].sum()))
    return SystemRun(flow.table(), daily, skew, store.computed, alert_factor * baseline)


def explanation_size(model, X) -> np.ndarray:
    """How many numbers a person must read to follow each decision: nodes on its path, summed over a forest's trees.

    Introduced in ``notebooks/06-architecture.ipynb``. A decision tree explains a prediction by the nodes on one
    root-to-leaf path; a forest by one path in every tree; a neural network by all its weights and biases, since
    every one of them takes part in every prediction; a linear model by its coefficients. A pipeline counts its
    last step (earlier steps such as scaling are assumed readable).

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit([[0], [1], [2], [3]], [0, 0, 1, 1])
    >>> explanation_size(tree, [[0], [3]]).tolist()
    [2, 2]
    """
    last = model.steps[-1][1] if hasattr(model, "steps") else model
    X = np.asarray(X)
    if hasattr(model, "steps"):
        for _, step in model.steps[:-1]:
            X = step.transform(X)
    if hasattr(last, "tree_") or hasattr(last, "estimators_"):
        paths = last.decision_path(X)
        paths = paths[0] if isinstance(paths, tuple) else paths  # a forest also returns where each tree starts
        return np.asarray(paths.sum(axis=1)).ravel().astype(int)
    if hasattr(last, "coefs_"):
        count = sum(w.size for w in last.coefs_) + sum(b.size for b in last.intercepts_)
        return np.full(len(X), count)
    if hasattr(last, "coef_"):
        return np.full(len(X), np.size(last.coef_) + np.size(last.intercept_))
    raise InputError(f"do not know how to explain a {type(last).__name__}.", argument="model")

