"""Attacks on ML models, small enough to watch: evasion, poisoning, model stealing; STRIDE tables.

Introduced in ``notebooks/21-security-privacy.ipynb``. The lecture "Security and
Privacy" (Le Goues & Kaestner, CMU, CC BY 4.0) separates attacks at inference
time (*evasion*: adversarial examples), at training time (*poisoning*: "3%
poisoning => 11% decrease in accuracy", Steinhardt et al. 2017) and on the
model as an asset (*stealing* by queries). The helpers here work on linear
scikit-learn classifiers, whose gradients and decision functions are exact, so
that each attack is a few lines of numpy. Privacy attacks are in
:mod:`mlip_helpers.privacy`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "RATE_LIMIT", "STRIDE", "StolenModel", "allow_solution", "evasion_curve", "extraction_curve",
           "fgsm", "flip_labels", "input_gradient", "lecture_exercises", "poisoning_curve",
           "queries_needed_exercise", "rate_limiter_exercise", "sphere_filter", "sphere_poison",
           "steal_linear_model", "stealing_category_exercise", "threat_table"]

STRIDE: Mapping[str, str] = MappingProxyType({
    "Spoofing": "authenticity",
    "Tampering": "integrity",
    "Repudiation": "non-repudiability",
    "Information disclosure": "confidentiality",
    "Denial of service": "availability",
    "Elevation of privilege": "authorization",
})
"""The six STRIDE threat categories and the security property each one violates."""


def _linear(model: Any) -> tuple[np.ndarray, np.ndarray]:
    if not (hasattr(model, "coef_") and hasattr(model, "intercept_")):
        raise InputError(f"{type(model).__name__} is not a fitted linear classifier (no coef_); fit a "
                         "LogisticRegression first.", argument="model")
    return np.atleast_2d(model.coef_), np.ravel(model.intercept_)


def input_gradient(model: Any, X: Any, y: Any) -> np.ndarray:
    """Gradient of the log loss with respect to each *input* of a fitted logistic regression.

    Introduced in ``notebooks/21-security-privacy.ipynb``. For two classes the
    gradient is ``(p - y) * w``; for more, ``(P - Y) @ W`` with ``P`` the softmax
    probabilities and ``Y`` the one-hot labels. An evasion attack follows it.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> bool(input_gradient(model, [[0.0]], [0])[0, 0] > 0)  # raising x raises the loss of a 0
    True
    """
    W, b = _linear(model)
    X = np.asarray(X, dtype=float)
    index = np.searchsorted(model.classes_, np.asarray(y))
    if W.shape[0] == 1:
        p = 1 / (1 + np.exp(-(X @ W[0] + b[0])))
        return (p - index)[:, None] * W[0]
    scores = X @ W.T + b
    P = np.exp(scores - scores.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(X)), index] -= 1
    return P @ W


def fgsm(model: Any, X: Any, y: Any, epsilon: float, *, clip: tuple[float, float] | None = None) -> np.ndarray:
    """Fast gradient sign method: move every feature by ``epsilon`` in the direction that hurts most.

    Introduced in ``notebooks/21-security-privacy.ipynb``. Each input changes by
    at most ``epsilon`` per feature (an L-infinity ball); ``clip`` keeps the
    result in the valid range, e.g. ``(0, 1)`` for pixel intensities.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> fgsm(model, [[1.0]], [0], 0.5).tolist()
    [[1.5]]
    """
    X = np.asarray(X, dtype=float)
    moved = X + epsilon * np.sign(input_gradient(model, X, y))
    return moved if clip is None else np.clip(moved, *clip)


def evasion_curve(model: Any, X: Any, y: Any, epsilons: Iterable[float], *,
                  clip: tuple[float, float] | None = None, seed: int = 0) -> pd.DataFrame:
    """Accuracy under the FGSM attack and under random noise of the same size, per ``epsilon``.

    Introduced in ``notebooks/21-security-privacy.ipynb``. The noise moves each
    feature by ``+epsilon`` or ``-epsilon`` at random: as large a change as the
    attack's, but not aimed.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    >>> evasion_curve(LogisticRegression().fit(X, y), X, y, [0.0, 2.0])["attacked"].tolist()
    [1.0, 0.0]
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    rng = np.random.default_rng(seed)
    rows = []
    for eps in epsilons:
        noisy = X + eps * rng.choice([-1.0, 1.0], size=X.shape)
        noisy = noisy if clip is None else np.clip(noisy, *clip)
        rows.append({"epsilon": eps, "attacked": np.mean(model.predict(fgsm(model, X, y, eps, clip=clip)) == y),
                     "random noise": np.mean(model.predict(noisy) == y)})
    return pd.DataFrame(rows)


def flip_labels(y: Any, share: float, *, seed: int = 0) -> np.ndarray:
    """Copy of ``y`` with a random ``share`` of the labels changed to another class.

    Introduced in ``notebooks/21-security-privacy.ipynb``. Exactly
    ``round(share * len(y))`` labels change; each gets a different class drawn
    at random.

    Examples
    --------
    >>> y = [0, 1] * 50
    >>> int((flip_labels(y, 0.03) != y).sum())
    3
    """
    y = np.asarray(y)
    if not 0 <= share <= 1:
        raise InputError(f"share must be between 0 and 1, got {share}.", argument="share")
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    flipped = y.copy()
    for i in rng.choice(len(y), int(round(share * len(y))), replace=False):
        flipped[i] = rng.choice(classes[classes != y[i]])
    return flipped


def sphere_poison(X: Any, y: Any, share: float, direction: Any, *, label: Any,
                  quantile: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Mislabelled training points crafted to pass an outlier filter (Steinhardt et al., 2017).

    Introduced in ``notebooks/21-security-privacy.ipynb``. Returns
    ``round(share * len(y))`` copies of one point labelled ``label``: it lies at
    the ``quantile`` of that class's distances from its centroid (so a filter
    that drops the farthest points keeps it), in the direction ``direction``
    from the centroid: for a linear model, the weight vector pointing to the
    *other* class, so the point sits deep in that class's region. In many
    dimensions that radius is large.

    Examples
    --------
    >>> X = [[0.0, 0.0], [0.0, 2.0], [4.0, 0.0], [4.0, 2.0]]
    >>> Xp, yp = sphere_poison(X, [0, 0, 1, 1], 0.5, [1.0, 0.0], label=0, quantile=1.0)
    >>> Xp.tolist(), yp.tolist()
    ([[1.0, 1.0], [1.0, 1.0]], [0, 0])
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    u = np.asarray(direction, dtype=float)
    u = u / np.linalg.norm(u)
    own = X[y == label]
    if len(own) == 0:
        raise InputError(f"no training point has label {label!r}.", argument="label")
    centre = own.mean(axis=0)
    radius = np.quantile(np.linalg.norm(own - centre, axis=1), quantile)
    k = int(round(share * len(y)))
    return np.tile(centre + radius * u, (k, 1)), np.full(k, label, dtype=y.dtype)


def sphere_filter(X: Any, y: Any, *, quantile: float = 0.95, reference: tuple[Any, Any] | None = None) -> np.ndarray:
    """Data sanitization: keep the points within the ``quantile`` radius around their class centroid.

    Introduced in ``notebooks/21-security-privacy.ipynb``. Returns a boolean
    mask of the points to keep. Centroids and radii come from ``reference``, a
    small trusted ``(X, y)`` sample, when given, else from the data itself
    (which many copies of one poisoned point can then shift).

    Examples
    --------
    >>> sphere_filter([[0.0], [1.0], [2.0], [100.0]], [0, 0, 0, 0], quantile=0.75).tolist()
    [True, True, True, False]
    >>> sphere_filter([[1.5], [9.0]], [0, 0], quantile=1.0, reference=([[0.0], [2.0]], [0, 0])).tolist()
    [True, False]
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    X_ref, y_ref = (X, y) if reference is None else (np.asarray(reference[0], dtype=float), np.asarray(reference[1]))
    keep = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        own = X_ref[y_ref == label]
        centre = own.mean(axis=0)
        radius = np.quantile(np.linalg.norm(own - centre, axis=1), quantile)
        keep[y == label] = np.linalg.norm(X[y == label] - centre, axis=1) <= radius
    return keep


def poisoning_curve(fit: Callable[[Any, Any], Any], X_train: Any, y_train: Any, X_test: Any, y_test: Any, *,
                    shares: Sequence[float], attacks: Mapping[str, Callable[..., tuple]]) -> pd.DataFrame:
    """Test accuracy of a model retrained on poisoned data, for each attack and share of poison.

    Introduced in ``notebooks/21-security-privacy.ipynb``. ``fit(X, y)``
    returns a fitted model; each attack is called as ``attack(X, y, share)``
    and returns the poisoned training set ``(X, y)``. Columns: ``attack``,
    ``share``, ``accuracy`` and ``drop`` (clean accuracy minus accuracy).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    >>> none = {"none": lambda X, y, share: (X, y)}
    >>> poisoning_curve(LogisticRegression().fit, X, y, X, y, shares=[0.1], attacks=none)["drop"].tolist()
    [0.0]
    """
    y_test = np.asarray(y_test)
    clean = np.mean(fit(X_train, y_train).predict(X_test) == y_test)
    rows = []
    for name, attack in attacks.items():
        for share in shares:
            X_p, y_p = attack(X_train, y_train, share)
            accuracy = np.mean(fit(X_p, y_p).predict(X_test) == y_test)
            rows.append({"attack": name, "share": share, "accuracy": accuracy, "drop": clean - accuracy})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class StolenModel:
    """The weights of a linear model recovered from its answers to queries."""

    coef: np.ndarray
    """Recovered weights, one per feature."""
    intercept: float
    """Recovered intercept."""
    n_queries: int
    """How many queries the attack used."""

    def decision_function(self, X: Any) -> np.ndarray:
        """The recovered model's log-odds for the rows of ``X``."""
        return np.asarray(X, dtype=float) @ self.coef + self.intercept


def steal_linear_model(predict_proba: Callable[[np.ndarray], np.ndarray], n_features: int, *,
                       seed: int = 0) -> StolenModel:
    """Recover a logistic regression exactly from ``n_features + 1`` answers with confidences.

    Introduced in ``notebooks/21-security-privacy.ipynb``. After Tramer et al.
    (2016): each probability ``p`` reveals the log-odds ``log(p / (1 - p)) =
    w . x + b``, one linear equation per query; ``n_features + 1`` random
    queries give as many equations as unknowns.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> victim = LogisticRegression().fit([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]], [0, 0, 1, 1])
    >>> stolen = steal_linear_model(victim.predict_proba, 2)
    >>> stolen.n_queries, bool(np.allclose(stolen.coef, victim.coef_[0]))
    (3, True)
    """
    queries = np.random.default_rng(seed).normal(size=(n_features + 1, n_features))
    p = np.clip(np.asarray(predict_proba(queries))[:, -1], 1e-15, 1 - 1e-15)
    solution = np.linalg.solve(np.column_stack([queries, np.ones(n_features + 1)]), np.log(p / (1 - p)))
    return StolenModel(solution[:-1], float(solution[-1]), n_features + 1)


def extraction_curve(victim_predict: Callable[[Any], Any], queries: Any, make_surrogate: Callable[[], Any],
                     query_counts: Iterable[int], X_eval: Any) -> pd.DataFrame:
    """How often a surrogate trained on the victim's answers agrees with it, per number of queries.

    Introduced in ``notebooks/21-security-privacy.ipynb``. The attacker sends the
    first ``n`` rows of ``queries``, trains ``make_surrogate()`` on the labels
    that come back, and the agreement is measured on ``X_eval``.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X = np.arange(20.0).reshape(-1, 1)
    >>> victim = lambda X: (np.asarray(X)[:, 0] > 9).astype(int)
    >>> extraction_curve(victim, X[::-1], DecisionTreeClassifier, [20], X)["agreement"].tolist()
    [1.0]
    """
    queries = np.asarray(queries)
    target = np.asarray(victim_predict(X_eval))
    rows = []
    for n in query_counts:
        answers = np.asarray(victim_predict(queries[:n]))
        if len(np.unique(answers)) < 2:
            agreement = float(np.mean(target == answers[0]))
        else:
            agreement = float(np.mean(make_surrogate().fit(queries[:n], answers).predict(X_eval) == target))
        rows.append({"queries": n, "agreement": agreement})
    return pd.DataFrame(rows)


def threat_table(threats: Iterable[Sequence[str]]) -> pd.DataFrame:
    """A STRIDE threat model as a table: element, category, violated property, threat, mitigation.

    Introduced in ``notebooks/21-security-privacy.ipynb``. Each threat is
    ``(element, category, threat, mitigation)``; the category must be one of
    :data:`STRIDE`, and a threat without a mitigation is flagged ``open``.

    Examples
    --------
    >>> table = threat_table([("rating stream", "Tampering", "fake ratings", "")])
    >>> table[["property", "open"]].values.tolist()
    [['integrity', True]]
    """
    rows = []
    for element, category, threat, mitigation in threats:
        if category not in STRIDE:
            raise InputError(f"unknown STRIDE category {category!r}; use one of {list(STRIDE)}.",
                             argument="threats")
        rows.append({"element": element, "category": category, "property": STRIDE[category],
                     "threat": threat, "mitigation": mitigation, "open": not mitigation.strip()})
    return pd.DataFrame(rows)


def queries_needed_exercise(n_features: int) -> Exercise:
    """The ``queries_needed`` exercise of ``notebooks/21-security-privacy.ipynb``, from its data.

    Examples
    --------
    >>> queries_needed_exercise(30).check(31).passed
    True
    """
    return Exercise.count("queries_needed", n_features + 1, mistakes={
        n_features: "One short: the intercept is an unknown too, so one more equation is needed.",
        2 * n_features: "Each query with its confidence gives one full equation, not half of one.",
    }, hint="Count the unknowns of a logistic regression: one weight per feature, plus the intercept.")


def stealing_category_exercise() -> Exercise:
    """The ``stealing_category`` exercise of ``notebooks/21-security-privacy.ipynb``, from its data.

    Examples
    --------
    >>> stealing_category_exercise().check("Tampering").passed
    False
    """
    return Exercise.choice("stealing_category", "Information disclosure", {
        "Information disclosure": "The model's knowledge leaks: a loss of confidentiality, whatever the means.",
        "Tampering": "Stealing changes nothing in the model or its data; the attacker only learns from it.",
        "Denial of service": "The queries may load the service, but the harm is the copied model, a loss of "
                             "confidentiality.",
        "Spoofing": "Fake accounts may help to send the queries, but the threat itself is the model that leaks.",
        "Elevation of privilege": "Anyone may query the API; no one gains rights they should not have.",
        "Repudiation": "Denying an action is not the issue; the model's knowledge leaves the company.",
    }, hint="Ask which security property the attacker breaks; STRIDE maps each property to a category.")


# --- the exercises of notebook 21 (security; the privacy ones are in mlip_helpers.privacy) ---------------------

NOTEBOOK = "21-security-privacy"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""
RATE_LIMIT = (100, 3600.0)
"""The solution's limit: at most 100 served queries per client in any hour."""


def allow_solution(requests: pd.DataFrame) -> np.ndarray:
    """Worked solution: serve a query unless its client was served 100 times in the hour before it.

    Introduced in ``notebooks/21-security-privacy.ipynb``. ``requests`` has
    columns ``time`` (seconds, ascending) and ``client``; the result has one
    True (serve) or False (refuse) per row.

    Examples
    --------
    >>> log = pd.DataFrame({"time": [0.0, 1.0, 2.0], "client": ["a", "a", "b"]})
    >>> allow_solution(log).tolist()
    [True, True, True]
    """
    limit, window = RATE_LIMIT
    served: dict[Any, list[float]] = {}
    allowed = np.zeros(len(requests), dtype=bool)
    for i, (time, client) in enumerate(zip(requests["time"].to_numpy(), requests["client"].to_numpy())):
        recent = [t for t in served.get(client, []) if t > time - window]
        if len(recent) < limit:
            recent.append(time)
            allowed[i] = True
        served[client] = recent
    return allowed


def _traffic(seed: int, attackers: int, attack_queries: int) -> pd.DataFrame:
    """A day of honest traffic (a few queries per client and hour, one bursty user) and an extraction attack."""
    rng = np.random.default_rng(seed)
    honest = [(t, f"user-{u}") for u in range(150) for t in rng.uniform(0, 86_400, rng.integers(5, 40))]
    burst_start = rng.uniform(0, 80_000)
    honest += [(burst_start + s, "user-burst") for s in np.sort(rng.uniform(0, 60, 40))]
    start = rng.uniform(0, 40_000)
    attack = [(start + i * attackers / 1.0 + rng.uniform(0, 0.5), f"bot-{i % attackers}")
              for i in range(attack_queries)]
    frame = pd.DataFrame(honest + attack, columns=["time", "client"]).sort_values("time", kind="stable")
    return frame.reset_index(drop=True)


def _stops(frame: pd.DataFrame) -> Callable[[Any], bool]:
    bots = frame["client"].str.startswith("bot-").to_numpy()

    def accept(out: Any) -> bool:
        allowed = np.asarray(out, dtype=bool).reshape(-1)
        return allowed.size == len(frame) and allowed[bots].mean() <= 0.1
    return accept


def _serves(frame: pd.DataFrame) -> Callable[[Any], bool]:
    honest = ~frame["client"].str.startswith("bot-").to_numpy()

    def accept(out: Any) -> bool:
        allowed = np.asarray(out, dtype=bool).reshape(-1)
        return allowed.size == len(frame) and allowed[honest].mean() >= 0.99
    return accept


def _global_limit(requests: pd.DataFrame) -> np.ndarray:
    times = requests["time"].to_numpy()
    counts = np.searchsorted(times, times, side="right") - np.searchsorted(times, times - 3600, side="right")
    return counts <= 100


def _per_minute(requests: pd.DataFrame) -> np.ndarray:
    minute = (requests["time"] // 60).astype(int)
    return (requests.groupby([requests["client"], minute]).cumcount() < 30).to_numpy()


_LEAKS = ("the extraction attack still got more than a tenth of its queries answered: thousands of queries spread "
          "over an hour pass a limit on short bursts. Limit what one client may ask over a longer window.")
_BLOCKS = ("your limiter refused more than one honest query in a hundred: count each client's queries on its own, "
           "and leave room for a short burst of a real user.")


def rate_limiter_exercise() -> Exercise:
    """Build-it: a rate limiter ``allow(requests)`` run on a hidden day of traffic with a model-extraction attack.

    Introduced in ``notebooks/21-security-privacy.ipynb``. It must refuse at
    least 90% of the attacker's queries and serve at least 99% of the honest
    ones, including a user who clicks quickly for a minute.

    Examples
    --------
    >>> rate_limiter_exercise().check(allow_solution).passed
    True
    """
    frame = _traffic(21, attackers=1, attack_queries=4000)
    return Exercise.code("rate limiter", cases=[
        Case("a day of honest traffic with one extraction attack: the honest users", (frame,), _serves(frame),
             _BLOCKS),
        Case("a day of honest traffic with one extraction attack: the attacker", (frame,), _stops(frame), _LEAKS),
    ], solution=allow_solution, mistakes={_global_limit: _BLOCKS, _per_minute: _LEAKS},
        hint="keep, per client, the times of its served queries, and count those within the last hour.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 1000, **_: Any) -> dict[str, Exercise]:
    """The security exercises of ``notebooks/21-security-privacy.ipynb``; none depends on the parameters.

    Examples
    --------
    >>> sorted(lecture_exercises())
    ['queries_needed', 'rate_limiter', 'stealing_category']
    """
    return {"queries_needed": queries_needed_exercise(30), "rate_limiter": rate_limiter_exercise(),
            "stealing_category": stealing_category_exercise()}
