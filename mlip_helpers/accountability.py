"""Transparency and accountability: gaming a public model, routing to human review, an audit trail.

Introduced in ``notebooks/19-transparency-accountability.ipynb``. The lecture
"Transparency and Accountability" (Le Goues & Kaestner, CMU, CC BY 4.0) asks
whether an explanation lets people "hack" the system, how to design for human
oversight and appeal, and who is responsible when a model errs. The helpers
simulate strategic applicants against a linear scoring model whose weights are
public, measure what human review of uncertain cases buys, and keep a
hash-chained, append-only record of every decision so that later edits show.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "AuditRecord", "AuditTrail", "GamingResult", "first_break_exercise", "first_break_solution",
           "game_linear_model", "gamed_repayment_exercise", "gamed_share_exercise", "lecture_exercises",
           "make_strategic_applicants", "record_digest", "repay_probability", "review_tradeoff"]


def repay_probability(frame: pd.DataFrame) -> np.ndarray:
    """The planted truth of :func:`make_strategic_applicants`: probability of repaying, given the causes.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``. Only
    ``income``, ``debt`` and the hidden ``diligence`` enter; ``app_hours`` does
    not, so changing it changes nothing about repayment.

    Examples
    --------
    >>> repay_probability(pd.DataFrame({"income": [0.0], "debt": [0.5], "diligence": [0.0]})).tolist()
    [0.5]
    """
    income, debt, diligence = (frame[c].to_numpy(dtype=float) for c in ("income", "debt", "diligence"))
    score = 0.5 + 1.2 * income - 1.0 * debt + 1.5 * diligence
    return 1 / (1 + np.exp(-score))


def make_strategic_applicants(*, n_samples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Loan applicants whose repayment depends on income, debt and a hidden trait; app use is only a proxy.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``. Planted
    truth (:func:`repay_probability`): ``P(repay) = sigmoid(0.5 + 1.2 income -
    1.0 debt + 1.5 diligence)``. ``diligence`` is hidden from the bank;
    ``app_hours`` (time spent in the bank's budgeting app) is ``diligence`` plus
    noise, so it predicts repayment without causing it. Columns: ``income``,
    ``debt``, ``app_hours`` (standardized units), ``diligence`` (hidden: never a
    model input), ``p_repay`` and ``repaid`` (0/1).

    Examples
    --------
    >>> applicants = make_strategic_applicants(n_samples=5, seed=1)
    >>> list(applicants.columns)
    ['income', 'debt', 'app_hours', 'diligence', 'p_repay', 'repaid']
    """
    if n_samples < 1:
        raise InputError(f"n_samples must be at least 1, got {n_samples}.", argument="n_samples")
    rng = np.random.default_rng(seed)
    income, debt, diligence = rng.normal(size=(3, n_samples))
    frame = pd.DataFrame({"income": income, "debt": debt,
                          "app_hours": diligence + rng.normal(scale=0.5, size=n_samples), "diligence": diligence})
    frame["p_repay"] = repay_probability(frame)
    frame["repaid"] = (rng.random(n_samples) < frame["p_repay"].to_numpy()).astype(int)
    return frame


@dataclass(frozen=True)
class GamingResult:
    """Who moved which feature, at what cost, to cross a public decision threshold."""

    X_after: pd.DataFrame
    """The applicants' features after gaming (unchanged for those who did not move)."""
    feature: pd.Series
    """The feature each applicant changed, or missing."""
    cost: pd.Series
    """What the change cost each applicant (0 if none)."""
    accepted_before: np.ndarray
    """Accepted with the honest features."""
    accepted_after: np.ndarray
    """Accepted after gaming."""

    @property
    def flipped(self) -> np.ndarray:
        """Rejected before, accepted after: the applicants who gamed successfully."""
        return ~self.accepted_before & self.accepted_after

    def summary(self) -> pd.Series:
        """Acceptance rates and the share of applicants who gamed via each feature, in one Series."""
        used = self.feature[self.flipped].value_counts() / len(self.flipped)
        return pd.Series({"accepted before": self.accepted_before.mean(),
                          "accepted after": self.accepted_after.mean(),
                          "gamed": self.flipped.mean(), **{f"via {k}": v for k, v in used.items()}})


def game_linear_model(X: pd.DataFrame, coef: Mapping[str, float], intercept: float, *, costs: Mapping[str, float],
                      budget: float, threshold: float = 0.0, margin: float = 1e-6) -> GamingResult:
    """Best response of rejected applicants to a public linear score ``intercept + sum(coef * x)``.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``. Accepted
    means score >= ``threshold``. A rejected applicant who knows the weights
    (the explanation) can change any feature in ``costs`` at that cost per
    unit; the cheapest way to gain the missing score is to move the one feature
    with the lowest cost per point of score. They do it if it costs at most
    ``budget``.

    Examples
    --------
    >>> X = pd.DataFrame({"income": [0.0, -5.0], "app_hours": [0.0, 0.0]})
    >>> result = game_linear_model(X, {"income": 1.0, "app_hours": 0.5}, -1.0,
    ...                            costs={"income": 10.0, "app_hours": 1.0}, budget=3.0)
    >>> result.feature.tolist(), result.accepted_after.tolist()
    (['app_hours', None], [True, False])
    """
    unknown = [f for f in list(coef) + list(costs) if f not in X.columns]
    if unknown:
        raise InputError(f"features {unknown} are not columns of X ({list(X.columns)}).", argument="coef")
    weights = pd.Series(coef, dtype=float).reindex(X.columns, fill_value=0.0)
    score = X.to_numpy(dtype=float) @ weights.to_numpy() + intercept
    gap = np.maximum(threshold - score, 0.0) + margin
    movable = [f for f in costs if weights[f] != 0]
    per_point = {f: costs[f] / abs(weights[f]) for f in movable}
    after = X.copy()
    feature = pd.Series([None] * len(X), index=X.index, dtype=object)
    cost = pd.Series(0.0, index=X.index)
    if per_point:
        best = min(per_point, key=per_point.get)
        moves = (score < threshold) & (gap * per_point[best] <= budget)
        after.loc[moves, best] = X.loc[moves, best] + np.sign(weights[best]) * gap[moves] / abs(weights[best])
        feature[moves] = best
        cost[moves] = gap[moves] * per_point[best]
    new_score = after.to_numpy(dtype=float) @ weights.to_numpy() + intercept
    return GamingResult(after, feature, cost, score >= threshold, new_score >= threshold)


def review_tradeoff(proba: Any, y_true: Any, *, review_shares: Iterable[float], human_accuracy: float = 0.95,
                    seed: int = 0) -> pd.DataFrame:
    """Errors left when the least certain decisions go to a human reviewer, per share reviewed.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``. The model
    decides ``proba >= 0.5``; a share of cases closest to 0.5 goes to a person
    who is right with probability ``human_accuracy`` (one simulated draw per
    case, shared by all shares). Columns: ``reviewed`` (share), ``reviews``
    (cases), ``error_rate`` (of all decisions) and ``model_errors_left``.

    Examples
    --------
    >>> table = review_tradeoff([0.9, 0.6, 0.4, 0.1], [1, 0, 1, 0], review_shares=[0, 0.5],
    ...                         human_accuracy=1.0)
    >>> table["error_rate"].tolist()
    [0.5, 0.0]
    """
    proba, y_true = np.asarray(proba, dtype=float), np.asarray(y_true)
    if len(proba) != len(y_true):
        raise InputError(f"proba has {len(proba)} entries but y_true has {len(y_true)}.", argument="y_true")
    human_right = np.random.default_rng(seed).random(len(proba)) < human_accuracy
    model_right = (proba >= 0.5).astype(int) == y_true
    order = np.argsort(np.abs(proba - 0.5), kind="stable")
    rows = []
    for share in review_shares:
        reviewed = np.zeros(len(proba), dtype=bool)
        reviewed[order[:int(round(share * len(proba)))]] = True
        right = np.where(reviewed, human_right, model_right)
        rows.append({"reviewed": share, "reviews": int(reviewed.sum()), "error_rate": 1 - right.mean(),
                     "model_errors_left": int((~model_right & ~reviewed).sum())})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class AuditRecord:
    """One decision as it was made: who or what decided, on which inputs, why, chained to the one before."""

    index: int
    """Position in the trail, from 0."""
    timestamp: str
    """When the decision was made (ISO 8601)."""
    subject: str
    """Whom the decision is about (an application id)."""
    actor: str
    """What decided: a model version such as ``"model v3"`` or a reviewer such as ``"reviewer: J. Doe"``."""
    decision: str
    """The outcome, e.g. ``"approve"``, ``"deny"``, ``"overturned: approve"``."""
    inputs: str
    """The inputs the decision used, as sorted JSON."""
    reason: str
    """The explanation given to the subject."""
    previous_hash: str
    """``hash`` of the record before (64 zeros for the first)."""
    hash: str
    """SHA-256 of all the fields above: editing any of them breaks the chain."""


def _digest(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


class AuditTrail:
    """An append-only, hash-chained log of decisions: no update, no delete, and edits are detectable.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``.

    Examples
    --------
    >>> trail = AuditTrail()
    >>> _ = trail.append("app-1", "model v1", "deny", {"income": 1.5}, reason="debt too high",
    ...                  timestamp="2024-04-01T10:00:00")
    >>> _ = trail.append("app-1", "reviewer: Kim", "overturned: approve", {}, reason="income verified",
    ...                  timestamp="2024-04-03T09:30:00")
    >>> len(trail), trail.verify(), trail.history("app-1")["decision"].tolist()
    (2, None, ['deny', 'overturned: approve'])
    """

    GENESIS = "0" * 64

    def __init__(self, records: Iterable[AuditRecord] = ()) -> None:
        self._records = list(records)

    @property
    def records(self) -> tuple[AuditRecord, ...]:
        """All records, oldest first (a tuple: the trail itself cannot be edited through it)."""
        return tuple(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def append(self, subject: str, actor: str, decision: str, inputs: Mapping[str, Any], *, reason: str = "",
               timestamp: str | None = None) -> AuditRecord:
        """Add one decision at the end and return its record."""
        fields = {"index": len(self._records), "subject": str(subject), "actor": str(actor),
                  "decision": str(decision), "reason": str(reason),
                  "timestamp": timestamp or pd.Timestamp.now(tz="UTC").isoformat(),
                  "inputs": json.dumps({k: _plain(v) for k, v in inputs.items()}, sort_keys=True),
                  "previous_hash": self._records[-1].hash if self._records else self.GENESIS}
        record = AuditRecord(**fields, hash=_digest(fields))
        self._records.append(record)
        return record

    def verify(self) -> int | None:
        """Index of the first record that was altered or is out of chain, or None if the trail is intact."""
        previous = self.GENESIS
        for position, record in enumerate(self._records):
            fields = {k: v for k, v in asdict(record).items() if k != "hash"}
            if record.index != position or record.previous_hash != previous or _digest(fields) != record.hash:
                return position
            previous = record.hash
        return None

    def to_frame(self) -> pd.DataFrame:
        """The trail as a table, one row per record."""
        return pd.DataFrame([asdict(r) for r in self._records]).set_index("index")

    def history(self, subject: str) -> pd.DataFrame:
        """Every record about one subject, oldest first: the decision and any appeal."""
        frame = self.to_frame()
        return frame[frame["subject"] == subject]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def gamed_share_exercise(result: GamingResult) -> Exercise:
    """The ``gamed_share`` exercise of ``notebooks/19-transparency-accountability.ipynb``, from its data.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [-1.0, 2.0, -1.0, -50.0]})
    >>> gamed_share_exercise(game_linear_model(X, {"a": 1.0}, 0.0, costs={"a": 1.0}, budget=2.0)).check(0.5).passed
    True
    """
    flipped = result.flipped
    return Exercise.number("gamed_share", flipped.mean(), tolerance=1e-9, share=True, mistakes={
        float(result.accepted_after.mean()): "That is the share accepted *after* gaming, which includes everyone "
                                             "accepted honestly before. Count only rejected-then-accepted.",
        float(flipped.sum()): "That is a count of applicants; the exercise asks for a share of all applicants.",
    }, hint="Use result.flipped, True for applicants rejected before and accepted after.")


def gamed_repayment_exercise(p_repay: Any, flipped: Any, believed: Any, accepted: Any) -> Exercise:
    """The ``gamed_repayment`` exercise of ``notebooks/19-transparency-accountability.ipynb``, from its data.

    Examples
    --------
    >>> exercise = gamed_repayment_exercise([0.9, 0.4, 0.3], [False, True, True], [0.9, 0.8, 0.8], [True, True, True])
    >>> exercise.check(0.35).passed
    True
    """
    p_repay, flipped = np.asarray(p_repay, dtype=float), np.asarray(flipped, dtype=bool)
    return Exercise.number("gamed_repayment", p_repay[flipped].mean(), tolerance=1e-6, share=True, mistakes={
        float(np.mean(np.asarray(believed)[flipped])): "That is what the *model* believes about them after they "
            "gamed it. Use the true probability p_repay: extra app hours do not make anyone repay.",
        float(p_repay[np.asarray(accepted, dtype=bool)].mean()): "That averages over everyone accepted after gaming, "
            "including honest applicants. Keep only the applicants who gamed.",
    }, hint="Average the true p_repay over the applicants in result.flipped.")


# --- the exercises of notebook 19 ------------------------------------------------------------------------------

NOTEBOOK = "19-transparency-accountability"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""


def record_digest(record: AuditRecord) -> str:
    """The hash a record *should* carry: SHA-256 of all its fields but ``hash``, as sorted JSON.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``.

    Examples
    --------
    >>> trail = AuditTrail()
    >>> record = trail.append("a", "model", "deny", {}, timestamp="2024-01-01T00:00:00")
    >>> record_digest(record) == record.hash
    True
    """
    return _digest({k: v for k, v in asdict(record).items() if k != "hash"})


def first_break_solution(records: Iterable[AuditRecord]) -> int | None:
    """Worked solution: the position of the first record that is altered or out of chain, or None.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``: a record
    must sit at its own index, carry the hash of the record before it, and
    match its own digest.

    Examples
    --------
    >>> trail = AuditTrail()
    >>> _ = [trail.append(str(i), "model", "deny", {}, timestamp="2024-01-01T00:00:00") for i in range(3)]
    >>> first_break_solution(trail.records), first_break_solution(trail.records[:1] + trail.records[2:])
    (None, 1)
    """
    previous = AuditTrail.GENESIS
    for position, record in enumerate(records):
        if record.index != position or record.previous_hash != previous or record_digest(record) != record.hash:
            return position
        previous = record.hash
    return None


def _own_hash_only(records: Iterable[AuditRecord]) -> int | None:
    for position, record in enumerate(records):
        if record_digest(record) != record.hash:
            return position
    return None


def _chain_only(records: Iterable[AuditRecord]) -> int | None:
    records = list(records)
    for position in range(1, len(records)):
        if records[position].previous_hash != records[position - 1].hash:
            return position
    return None


_REHASHED = ("the edited record carries a recomputed hash, so it checks out on its own; the record after it still "
             "stores the old hash as previous_hash. Check the chain, not only each record's own hash.")
_EDITED = ("a record was edited and its hash left as it was: the chain of stored hashes is intact, but the record no "
           "longer matches its own digest. Check each record's hash too.")
_GAP = ("a record is missing: compare each record's index with its position, and its previous_hash with the hash of "
        "the record before it.")
_INTACT = "this trail is intact: return None, not a position, when every record checks out."


def first_break_exercise() -> Exercise:
    """Build-it: ``first_break(records)``, an audit-trail verifier run on hidden trails, intact and forged.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``.

    Examples
    --------
    >>> first_break_exercise().check(first_break_solution).passed
    True
    """
    trail = AuditTrail()
    for i in range(8):
        trail.append(f"app-{i}", "model v2", "deny" if i % 3 else "approve", {"income": 30 + i},
                     reason="score below the bar" if i % 3 else "", timestamp=f"2024-05-0{1 + i % 9}T10:00:00")
    good = list(trail.records)

    def rehashed(index: int) -> list[AuditRecord]:
        flipped = "approve" if good[index].decision == "deny" else "deny"
        edited = dataclasses.replace(good[index], decision=flipped)
        return good[:index] + [dataclasses.replace(edited, hash=record_digest(edited))] + good[index + 1:]

    trails = (
        ("a forged record whose hash was recomputed", rehashed(3), _REHASHED),
        ("an edited record whose hash was left as it was",
         good[:5] + [dataclasses.replace(good[5], reason="manual review")] + good[6:], _EDITED),
        ("a record deleted from the middle", good[:2] + good[3:], _GAP),
        ("an intact trail", good, _INTACT),
        ("the first record forged", rehashed(0), _REHASHED),
    )
    cases = [Case(label, (records,), lambda out, e=first_break_solution(records): (out is None and e is None) or (
        e is not None and out is not None and not isinstance(out, bool) and int(out) == e), why)
             for label, records, why in trails]
    return Exercise.code("audit-trail verifier", cases=cases, solution=first_break_solution,
                         mistakes={_own_hash_only: _REHASHED, _chain_only: _EDITED},
                         hint="walk the records in order, remembering the hash of the one before; record_digest "
                              "gives the hash a record should carry.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 4000, budget: float = 1.0,
                      approval_probability: float = 0.7, **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/19-transparency-accountability.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=400))
    ['first_break', 'gamed_repayment', 'gamed_share']
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    applicants = make_strategic_applicants(n_samples=n_samples, seed=seed)
    train, test = train_test_split(applicants, test_size=0.5, random_state=seed)
    features = ["income", "debt", "app_hours"]
    bank = LogisticRegression().fit(train[features], train["repaid"])
    threshold = np.log(approval_probability / (1 - approval_probability))
    gaming = game_linear_model(test[features], dict(zip(features, bank.coef_[0])), bank.intercept_[0],
                               costs={"income": 10.0, "debt": 5.0, "app_hours": 0.5}, budget=budget,
                               threshold=threshold)
    p_repay_after = repay_probability(gaming.X_after.assign(diligence=test["diligence"].to_numpy()))
    believed = bank.predict_proba(gaming.X_after)[:, 1]
    return {"gamed_share": gamed_share_exercise(gaming),
            "gamed_repayment": gamed_repayment_exercise(p_repay_after, gaming.flipped, believed, gaming.accepted_after),
            "first_break": first_break_exercise()}
