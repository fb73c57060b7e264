"""Privacy attacks and defences: membership inference, re-identification by linkage, k-anonymity, noise.

Introduced in ``notebooks/21-security-privacy.ipynb``. A model can leak whether a
person was in its training data (*membership inference*, Shokri et al. 2017), and
a "de-identified" table can be joined with a public one on quasi-identifiers
(ZIP code, birth date, sex) to put names back on its rows (Sweeney 2002).
k-anonymity coarsens the quasi-identifiers until every combination is shared
by at least k rows; noise (the Laplace mechanism of differential privacy)
blurs what any single person changes. The synthetic records here have a
planted truth, so that every re-identification can be checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "QUASI_IDENTIFIERS", "LinkageData", "MembershipResult", "generalize", "k_anonymity",
           "k_value_exercise", "laplace_count", "lecture_exercises", "link_records", "make_linkable_records",
           "membership_inference", "opt_out_audit", "reidentified_exercise"]

QUASI_IDENTIFIERS = ("zip", "birth_date", "sex")
"""The columns that the released records and the public list share."""


@dataclass(frozen=True)
class MembershipResult:
    """How well the model's confidence tells training members from non-members."""

    auc: float
    """Probability that a random member gets a higher confidence than a random non-member (0.5: no leak)."""
    advantage: float
    """Best true-positive rate minus false-positive rate over all thresholds (0: no leak)."""
    member_confidence: np.ndarray
    """The model's probability of the true label, for each member."""
    nonmember_confidence: np.ndarray
    """The same, for each non-member."""


def _confidence(model: Any, X: Any, y: Any) -> np.ndarray:
    proba = model.predict_proba(X)
    index = np.searchsorted(model.classes_, np.asarray(y))
    return proba[np.arange(len(index)), index]


def membership_inference(model: Any, X_members: Any, y_members: Any,
                         X_nonmembers: Any, y_nonmembers: Any) -> MembershipResult:
    """Confidence-threshold membership inference: "high confidence in the true label means trained on it".

    Introduced in ``notebooks/21-security-privacy.ipynb``. An overfitted model
    is more confident on the rows it was trained on; the attacker needs only the
    model's probabilities and a person's record with its label (after Yeom et
    al., 2018).

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X, y = [[0], [1], [2], [3]], [0, 1, 0, 1]
    >>> model = DecisionTreeClassifier().fit(X[:2], y[:2])
    >>> result = membership_inference(model, X[:2], y[:2], X[2:], y[2:])
    >>> result.auc, result.advantage
    (0.75, 0.5)
    """
    inside = _confidence(model, X_members, y_members)
    outside = _confidence(model, X_nonmembers, y_nonmembers)
    # AUC as the Mann-Whitney statistic: pairs won, ties counted half
    wins = (inside[:, None] > outside[None, :]).mean() + 0.5 * (inside[:, None] == outside[None, :]).mean()
    thresholds = np.unique(np.r_[inside, outside])
    tpr = (inside[None, :] >= thresholds[:, None]).mean(axis=1)
    fpr = (outside[None, :] >= thresholds[:, None]).mean(axis=1)
    return MembershipResult(float(wins), float(np.max(tpr - fpr)), inside, outside)


@dataclass(frozen=True)
class LinkageData:
    """A 'de-identified' release, a public list with names, and the planted truth linking them."""

    released: pd.DataFrame
    """Patient records without names: quasi-identifiers and a sensitive ``diagnosis``."""
    public: pd.DataFrame
    """A public list (think: voter roll) with ``name`` and the same quasi-identifiers, for everyone."""
    true_name: np.ndarray
    """The name behind each released row (hidden from the attacker)."""


def make_linkable_records(*, n_samples: int = 1000, n_public: int | None = None, n_zips: int = 20,
                          seed: int = 0) -> LinkageData:
    """Synthetic patient records and a public voter list of a town with ``n_zips`` ZIP codes.

    Introduced in ``notebooks/21-security-privacy.ipynb``. The town has
    ``n_public`` people (default ``5 * n_samples``); ``n_samples`` of them are
    patients. Birth dates span 1940-2005, so ZIP code, birth date and sex
    together single out almost everybody.

    Examples
    --------
    >>> data = make_linkable_records(n_samples=50, seed=1)
    >>> len(data.released), len(data.public), sorted(data.released.columns)
    (50, 250, ['birth_date', 'diagnosis', 'sex', 'zip'])
    """
    if n_samples < 1:
        raise InputError(f"n_samples must be at least 1, got {n_samples}.", argument="n_samples")
    n_public = 5 * n_samples if n_public is None else n_public
    if n_public < n_samples:
        raise InputError("the public list must cover every patient: n_public >= n_samples.", argument="n_public")
    rng = np.random.default_rng(seed)
    days = rng.integers(0, (pd.Timestamp("2005-12-31") - pd.Timestamp("1940-01-01")).days, n_public)
    public = pd.DataFrame({
        "name": [f"person_{i:05d}" for i in range(n_public)],
        "zip": [f"152{z:02d}" for z in rng.integers(0, n_zips, n_public)],
        "birth_date": (pd.Timestamp("1940-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
        "sex": rng.choice(["F", "M"], n_public),
    })
    patients = np.sort(rng.choice(n_public, n_samples, replace=False))
    released = public.iloc[patients][list(QUASI_IDENTIFIERS)].reset_index(drop=True)
    released["diagnosis"] = rng.choice(["flu", "diabetes", "asthma", "depression", "HIV"], n_samples,
                                       p=[0.4, 0.25, 0.2, 0.1, 0.05])
    return LinkageData(released, public, public["name"].to_numpy()[patients])


def link_records(released: pd.DataFrame, public: pd.DataFrame, *,
                 on: Sequence[str] = QUASI_IDENTIFIERS) -> pd.DataFrame:
    """Join a release with a public list on quasi-identifiers: a name wherever exactly one person matches.

    Introduced in ``notebooks/21-security-privacy.ipynb``. Returns the released
    rows with ``candidates`` (how many public people share the row's
    quasi-identifiers) and ``name`` (the match when ``candidates == 1``, else
    missing).

    Examples
    --------
    >>> released = pd.DataFrame({"zip": ["15213", "15217"], "diagnosis": ["flu", "HIV"]})
    >>> public = pd.DataFrame({"zip": ["15213", "15217", "15217"], "name": ["Ann", "Bo", "Cy"]})
    >>> link_records(released, public, on=["zip"])[["candidates", "name"]].values.tolist()
    [[1, 'Ann'], [2, None]]
    """
    on = list(on)
    missing = [c for c in on if c not in released.columns or c not in public.columns]
    if missing:
        raise InputError(f"columns {missing} are not in both tables; link on shared columns.", argument="on")
    groups = public.groupby(on, dropna=False)["name"].agg(candidates="size", name="first").reset_index()
    linked = released.merge(groups, on=on, how="left", validate="many_to_one")
    linked["candidates"] = linked["candidates"].fillna(0).astype(int)
    linked["name"] = linked["name"].astype(object).where(linked["candidates"] == 1, None)
    return linked


def k_anonymity(frame: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """The k of k-anonymity: the size of the smallest group of rows sharing all quasi-identifiers.

    Introduced in ``notebooks/21-security-privacy.ipynb``. A table is
    k-anonymous when every row looks like at least k - 1 others.

    Examples
    --------
    >>> k_anonymity(pd.DataFrame({"zip": ["152**", "152**", "153**"]}), ["zip"])
    1
    """
    return int(frame.groupby(list(quasi_identifiers), dropna=False).size().min())


def laplace_count(true_count: float, epsilon: float, *, size: int | None = None, seed: int = 0) -> Any:
    """A count released with Laplace noise of scale ``1 / epsilon`` (epsilon-differential privacy).

    Introduced in ``notebooks/21-security-privacy.ipynb``. Adding or removing one
    person changes a count by at most 1, so noise of scale ``1 / epsilon`` hides
    any single person's contribution; smaller ``epsilon`` means more noise.

    Examples
    --------
    >>> noisy = laplace_count(100, epsilon=0.5, size=20_000, seed=0)
    >>> round(float(np.mean(np.abs(noisy - 100))), 1)  # mean absolute error = 1 / epsilon
    2.0
    """
    if epsilon <= 0:
        raise InputError(f"epsilon must be positive, got {epsilon}.", argument="epsilon")
    return true_count + np.random.default_rng(seed).laplace(0.0, 1.0 / epsilon, size)


def reidentified_exercise(linked: pd.DataFrame, true_name: Any) -> Exercise:
    """The ``reidentified`` exercise of ``notebooks/21-security-privacy.ipynb``, from its data.

    Examples
    --------
    >>> released = pd.DataFrame({"zip": ["1", "2", "3"]})
    >>> public = pd.DataFrame({"zip": ["1", "2", "2", "3"], "name": ["a", "b", "c", "d"]})
    >>> reidentified_exercise(link_records(released, public, on=["zip"]), ["a", "b", "x"]).check(1).passed
    True
    """
    named = linked["name"].notna().to_numpy()
    right = named & (linked["name"].to_numpy(dtype=object) == np.asarray(true_name, dtype=object))
    expected = int(right.sum())
    mistakes = {int((linked["candidates"] <= 2).sum()): "Two candidates is not a re-identification: count rows with "
                                                        "exactly one matching person.",
                len(linked): "Not every record has a unique match; count those with exactly one candidate.",
                int(named.sum()) - expected if named.sum() > expected else -1:
                    "That counts the wrong names: compare linked names with the planted truth."}
    return Exercise.count("reidentified", expected,
                          mistakes={k: v for k, v in mistakes.items() if k != expected and k >= 0},
                          hint="A record is re-identified when exactly one public person shares its quasi-identifiers.")


def k_value_exercise(frame: pd.DataFrame, quasi_identifiers: Sequence[str]) -> Exercise:
    """The ``k_value`` exercise of ``notebooks/21-security-privacy.ipynb``, from its data.

    Examples
    --------
    >>> k_value_exercise(pd.DataFrame({"z": ["a", "a", "b", "b", "b"]}), ["z"]).check(2).passed
    True
    """
    sizes = frame.groupby(list(quasi_identifiers), dropna=False).size()
    mistakes = {int(len(sizes)): "That is the number of groups, not the size of the smallest.",
                int(sizes.max()): "That is the largest group; k-anonymity is limited by the *smallest* one."}
    mistakes.pop(int(sizes.min()), None)
    return Exercise.count("k_value", int(sizes.min()), mistakes=mistakes,
                           hint="Group the rows by all quasi-identifiers together and take the smallest group size.")


NOTEBOOK = "21-security-privacy"
"""The lecture notebook whose privacy exercises :func:`lecture_exercises` builds (the others: security)."""
QUASI_IDENTIFIERS = ["zip", "birth_date", "sex"]
"""The columns the released records share with the public list in the notebook."""


def generalize(frame: pd.DataFrame, zip_digits: int, date: str) -> pd.DataFrame:
    """Coarsen quasi-identifiers: keep ``zip_digits`` of the ZIP code and the day, year or decade of birth.

    Introduced in ``notebooks/21-security-privacy.ipynb``.

    Examples
    --------
    >>> generalize(pd.DataFrame({"zip": ["15213"], "birth_date": ["1984-03-07"]}), 3, "year").iloc[0].tolist()
    ['152**', '1984']
    """
    keep = {"day": 10, "year": 4, "decade": 3}[date]
    return frame.assign(zip=frame["zip"].str[:zip_digits].str.ljust(5, "*"), birth_date=frame["birth_date"].str[:keep])


def lecture_exercises(*, seed: int = 0, n_samples: int = 1000, **_: Any) -> dict[str, Exercise]:
    """The privacy exercises of ``notebooks/21-security-privacy.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=200))
    ['k_value', 'reidentified']
    """
    town = make_linkable_records(n_samples=n_samples, seed=seed)
    linked = link_records(town.released, town.public, on=QUASI_IDENTIFIERS)
    return {"reidentified": reidentified_exercise(linked, town.true_name),
            "k_value": k_value_exercise(generalize(town.released, 3, "decade"), QUASI_IDENTIFIERS)}


def opt_out_audit(pipeline: Callable[[pd.DataFrame], Any], ratings: pd.DataFrame, opted_out: Any,
                  probe: pd.DataFrame, *, user: str = "userId", rating: str = "rating") -> float:
    """Largest change in the pipeline's predictions when the opted-out users' ratings are changed: 0 if honoured.

    Introduced in ``notebooks/21-security-privacy.ipynb`` (consent and control). A black-box audit of a training
    pipeline: train it twice, once on ``ratings`` and once with every rating of the ``opted_out`` users mirrored
    (``max + min - rating``), and compare the predictions on ``probe``. A pipeline that honours the opt-outs
    never looks at those ratings, so nothing changes; one that uses them shifts its predictions.

    Examples
    --------
    >>> frame = pd.DataFrame({"userId": [1, 1, 2], "rating": [1.0, 2.0, 5.0]})
    >>> mean_model = lambda r: (lambda probe: np.full(len(probe), r["rating"].mean()))
    >>> honouring = lambda r: mean_model(r[r["userId"] != 2])
    >>> opt_out_audit(honouring, frame, [2], frame), round(opt_out_audit(mean_model, frame, [2], frame), 3)
    (0.0, 1.333)
    """
    if user not in ratings or rating not in ratings:
        raise InputError(f"ratings needs the columns {user!r} and {rating!r}.", argument="ratings")
    mine = ratings[user].isin(list(opted_out))
    mirrored = ratings.copy()
    low, high = ratings[rating].min(), ratings[rating].max()
    mirrored.loc[mine, rating] = low + high - ratings.loc[mine, rating]
    before = np.asarray(pipeline(ratings)(probe), dtype=float)
    after = np.asarray(pipeline(mirrored)(probe), dtype=float)
    return float(np.abs(before - after).max()) if len(before) else 0.0
