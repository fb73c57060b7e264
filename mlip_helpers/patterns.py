"""Design patterns and anti-patterns around a deployed model, each measured on simulated traffic.

Introduced in ``notebooks/07-deploying-a-model.ipynb``. The lecture "Deploying a Model" (Le Goues & Kaestner, CMU,
CC BY 4.0) separates the model from the business logic around it (after Yokoyama, 2019) and lists anti-patterns
such as glue code and undeclared consumers (after Sculley et al., 2015, and Washizaki et al., 2019). The helpers
here make each of them measurable: a guardrail with a fallback against a direct call to a model service that
sometimes fails or stalls; a consumer that reads raw scores behind the owner's back; and a business rule kept
outside the model against the same rule baked into the training labels.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from mlip_helpers.errors import InputError
from mlip_helpers.serving import FeatureEncoder

__all__ = ["RuleChange", "consumer_drift", "rule_change_experiment", "serve_with_guardrail"]


def _scores(values: object, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or len(array) == 0:
        raise InputError(f"{name} must be a non-empty one-dimensional array of scores.", argument=name)
    return array


def serve_with_guardrail(probabilities: object, labels: object, *, threshold: float = 0.3,
                         failure_rate: float = 0.02, slow_rate: float = 0.05, timeout_ms: float = 300.0,
                         fallback: bool = False, seed: int = 0) -> pd.DataFrame:
    """Serve the same predictions twice, by a direct call and behind a guardrail with a fallback.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``. Each request's model call takes a log-normal time
    (median 40 ms); a share ``slow_rate`` of calls stall for one to three seconds (a slow dependency) and a share
    ``failure_rate`` raise an error. The *direct call* passes errors and stalls on to the client. The *guardrail*
    waits at most ``timeout_ms`` and otherwise (or on an error) answers with the ``fallback`` decision, a rule
    that needs no model. A client is served well when it gets a correct answer within ``timeout_ms``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> labels = rng.random(2000) < 0.25
    >>> table = serve_with_guardrail(np.where(labels, 0.6, 0.1), labels, failure_rate=0.1, seed=0)
    >>> errors = table["error responses"]
    >>> float(errors["direct call"].round(1)), float(errors["guardrail + fallback"])
    (0.1, 0.0)
    >>> bool(table.loc["guardrail + fallback", "p99 latency (ms)"] <= 300)
    True
    """
    scores, truth = _scores(probabilities, "probabilities"), np.asarray(labels).astype(bool)
    if len(truth) != len(scores):
        raise InputError(f"probabilities has {len(scores)} entries but labels has {len(truth)}.", argument="labels")
    if not (0 <= failure_rate <= 1 and 0 <= slow_rate <= 1) or timeout_ms <= 0:
        raise InputError("failure_rate and slow_rate must lie in [0, 1] and timeout_ms must be positive.",
                         argument="failure_rate")
    rng = np.random.default_rng(seed)
    n = len(scores)
    latency = rng.lognormal(np.log(40), 0.4, n)
    slow = rng.random(n) < slow_rate
    latency[slow] = rng.uniform(1000, 3000, slow.sum())
    failed = rng.random(n) < failure_rate
    decision = scores >= threshold
    direct_ok = ~failed
    guarded_model = ~failed & (latency <= timeout_ms)
    guarded_decision = np.where(guarded_model, decision, fallback)
    guarded_latency = np.where(guarded_model, latency, np.minimum(latency, timeout_ms))
    rows = {
        "direct call": {
            "error responses": float(np.mean(failed)),
            "p99 latency (ms)": float(np.percentile(latency, 99)),
            "fallback answers": 0.0,
            "accuracy of answers": float(np.mean(decision[direct_ok] == truth[direct_ok])),
            "served well": float(np.mean(direct_ok & (latency <= timeout_ms) & (decision == truth))),
        },
        "guardrail + fallback": {
            "error responses": 0.0,
            "p99 latency (ms)": float(np.percentile(guarded_latency, 99)),
            "fallback answers": float(np.mean(~guarded_model)),
            "accuracy of answers": float(np.mean(guarded_decision == truth)),
            "served well": float(np.mean(guarded_decision == truth)),
        },
    }
    return pd.DataFrame(rows).T.rename_axis("pattern")


def consumer_drift(old_scores: object, new_scores: object, *, threshold: float) -> pd.DataFrame:
    """Flag rates before and after a model update, for the owner's declared interface and an undeclared consumer.

    Introduced in ``notebooks/07-deploying-a-model.ipynb`` (the anti-pattern *undeclared consumers*). The owner
    publishes a decision and, when the model changes, re-tunes its threshold so the share of flagged requests
    stays what the business agreed on. An undeclared consumer reads the raw score and applies the old
    ``threshold`` forever; nobody knows it exists, so nobody tells it about the update.

    Examples
    --------
    >>> old = np.arange(100) / 100  # scores 0.00 to 0.99
    >>> table = consumer_drift(old, old + 0.2, threshold=0.5)
    >>> table["flagged after"].round(2).tolist()  # declared: still half; the consumer: 70%
    [0.5, 0.7]
    """
    old, new = _scores(old_scores, "old_scores"), _scores(new_scores, "new_scores")
    if len(old) != len(new):
        raise InputError(f"old_scores has {len(old)} entries but new_scores has {len(new)}; score the same "
                         "requests with both models.", argument="new_scores")
    before = old >= threshold
    retuned = np.quantile(new, 1 - before.mean()) if before.any() else np.inf  # the same share flagged
    declared_after, consumer_after = new >= retuned, new >= threshold
    return pd.DataFrame({
        "threshold after": [float(retuned), float(threshold)],
        "flagged before": [float(before.mean())] * 2,
        "flagged after": [float(declared_after.mean()), float(consumer_after.mean())],
        "decisions changed": [float(np.mean(declared_after != before)), float(np.mean(consumer_after != before))],
    }, index=pd.Index(["declared interface", "undeclared consumer"], name="who reads the model"))


@dataclass(frozen=True)
class RuleChange:
    """The outcome of changing a business rule, with the rule outside the model and with it baked into labels."""

    table: pd.DataFrame
    """One row per design: share of the newly allowed and of the previously allowed requests offered the action,
    and what the change needed."""
    outside_model: LogisticRegression
    """The model trained on the plain outcome; the rule is applied to its decisions."""
    baked_model: LogisticRegression
    """The model trained on ``outcome and rule``: the old rule is inside its weights."""


def rule_change_experiment(train: pd.DataFrame, test: pd.DataFrame, *, column: str, old_allowed: Collection,
                           new_allowed: Collection, outcome: str = "late", threshold: float = 0.3) -> RuleChange:
    """Change a business rule once with the rule kept outside the model and once with it baked into the labels.

    Introduced in ``notebooks/07-deploying-a-model.ipynb``. The rule says for which values of ``column`` the
    business acts on a positive prediction (say, offer rebooking only on flights from some airports). Design
    *outside*: the model predicts ``outcome``; the rule is one line of business logic after it, so changing
    ``old_allowed`` to ``new_allowed`` changes that line and nothing else. Design *baked in*: the labels were
    ``outcome and column in old_allowed``, so the old rule lives in the model's weights and the new rule needs new
    labels and retraining; until then the newly allowed requests are still treated as if excluded. Both models
    use a :class:`~mlip_helpers.serving.FeatureEncoder` fitted on ``train``.

    Examples
    --------
    >>> from mlip_helpers.serving import load_flights
    >>> flights = load_flights(n_samples=3000, seed=0)
    >>> change = rule_change_experiment(flights[:2000], flights[2000:], column="origin",
    ...                                 old_allowed={"EWR", "JFK"}, new_allowed={"EWR", "JFK", "LGA"})
    >>> table = change.table
    >>> bool(table.loc["rule outside the model", "newly allowed offered"]
    ...      > table.loc["rule baked into labels", "newly allowed offered"])
    True
    """
    old, new = set(old_allowed), set(new_allowed)
    added = new - old
    if not added:
        raise InputError("new_allowed adds no value to old_allowed; a rule change must allow something new.",
                         argument="new_allowed")
    for name in (column, outcome):
        if name not in train.columns or name not in test.columns:
            raise InputError(f"column {name!r} is missing from train or test.", argument="column")
    encoder = FeatureEncoder.fit(train)
    x_train, x_test = encoder.transform(train), encoder.transform(test)
    outside = LogisticRegression(max_iter=1000).fit(x_train, train[outcome])
    baked_labels = train[outcome].astype(bool) & train[column].isin(old)
    baked = LogisticRegression(max_iter=1000).fit(x_train, baked_labels)
    newly = test[column].isin(added).to_numpy()
    outside_offer = (outside.predict_proba(x_test)[:, 1] >= threshold) & test[column].isin(new).to_numpy()
    baked_offer = baked.predict_proba(x_test)[:, 1] >= threshold  # no rule left to edit: it is in the labels

    def share(offer: np.ndarray, rows: np.ndarray) -> float:
        return float(offer[rows].mean()) if rows.any() else float("nan")

    table = pd.DataFrame({
        "newly allowed offered": [share(outside_offer, newly), share(baked_offer, newly)],
        "previously allowed offered": [share(outside_offer, test[column].isin(old).to_numpy()),
                                       share(baked_offer, test[column].isin(old).to_numpy())],
        "the change needs": ["edit one rule", "new labels and retraining"],
    }, index=pd.Index(["rule outside the model", "rule baked into labels"], name="design"))
    return RuleChange(table, outside, baked)
