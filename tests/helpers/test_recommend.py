"""The movie recommender: loading, split by time, damped means and biases by hand, shilling against brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers import recommend
from mlip_helpers.errors import InputError
from mlip_helpers.recommend import (
    BiasModel,
    ab_difference_exercise,
    bad_rows_count_exercise,
    damped_means,
    fit_biases,
    load_movielens,
    shilling_needed,
    temporal_split,
)


def test_load_movielens_offline_and_subset():
    full = load_movielens()
    assert len(full) == 100_004 and full["userId"].nunique() == 671
    assert full["timestamp"].is_monotonic_increasing
    subset = load_movielens(n_users=25, seed=2)
    assert subset["userId"].nunique() == 25 and subset.equals(load_movielens(n_users=25, seed=2))
    with pytest.raises(InputError):
        load_movielens(n_users=0)


def test_temporal_split_never_trains_on_the_future():
    frame = pd.DataFrame({"timestamp": np.random.default_rng(0).permutation(100), "rating": 1.0})
    train, test = temporal_split(frame, test_share=0.25)
    assert len(train) == 75 and len(test) == 25
    assert train["timestamp"].max() < test["timestamp"].min()
    with pytest.raises(InputError):
        temporal_split(frame, test_share=1.0)


def test_damped_means_by_hand_and_limits():
    frame = pd.DataFrame({"movieId": [1, 1, 2], "rating": [4.0, 5.0, 1.0]})
    overall = 10 / 3
    assert damped_means(frame, damping=2)[1] == pytest.approx((9 + 2 * overall) / 4)
    assert damped_means(frame, damping=0).to_dict() == {1: 4.5, 2: 1.0}
    assert np.allclose(damped_means(frame, damping=1e9), overall)


def test_bias_model_recovers_planted_biases():
    rng = np.random.default_rng(1)
    users, items = np.arange(60), np.arange(40)
    user_bias, item_bias = rng.normal(0, 0.5, 60), rng.normal(0, 0.8, 40)
    grid = pd.DataFrame([(u, i) for u in users for i in items], columns=["userId", "movieId"])
    grid["rating"] = 3.5 + user_bias[grid["userId"]] + item_bias[grid["movieId"]]
    model = fit_biases(grid, reg=0.0, n_iter=10)
    assert np.allclose(model.predict(grid), grid["rating"], atol=1e-6)
    assert np.allclose(model.item_bias.sort_index() - model.item_bias.mean(), item_bias - item_bias.mean(), atol=1e-6)
    unknown = pd.DataFrame({"userId": [999], "movieId": [999]})
    assert model.predict(unknown).tolist() == [pytest.approx(model.mean)]


def test_top_k_excludes_seen_movies():
    model = BiasModel(3.0, pd.Series({1: 0.0}), pd.Series({10: 1.0, 11: 0.5, 12: -1.0}))
    assert model.top_k(1, k=2) == [10, 11]
    assert model.top_k(1, k=2, seen={10, 99}) == [11, 12]


def test_regularization_shrinks_biases_of_rare_movies():
    frame = pd.DataFrame({"userId": [1, 2, 3, 1], "movieId": [7, 7, 7, 8], "rating": [5.0, 5.0, 5.0, 5.0]})
    frame = pd.concat([frame, pd.DataFrame({"userId": [4] * 5, "movieId": range(20, 25), "rating": 1.0})])
    model = fit_biases(frame, reg=5)
    assert model.item_bias[7] > model.item_bias[8] > 0


def test_shilling_needed_matches_brute_force():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"movieId": rng.integers(0, 60, 600), "rating": rng.integers(1, 11, 600) / 2})
    target = int(frame.groupby("movieId")["rating"].mean().idxmin())
    for damping in (0, 3, 10):
        def in_top(n):
            fakes = pd.DataFrame({"movieId": [target] * n, "rating": [5.0] * n})
            return target in damped_means(pd.concat([frame, fakes]), damping=damping).nlargest(5).index

        brute = next(n for n in range(2000) if in_top(n))
        assert shilling_needed(frame, target, k=5, damping=damping) == brute
    assert shilling_needed(frame, target, k=5, damping=10, max_fake=1) == 2  # not reachable: max_fake + 1


def test_exercises():
    class Result:
        rate_a, rate_b, p_value = 0.30, 0.32, 0.04

    ex = ab_difference_exercise(result=Result(), planted=0.015)
    assert ex.check(0.02).passed and "planted" in ex.check(0.015).reason and "A minus B" in ex.check(-0.02).reason

    class Report:
        bad_rows = (1, 2)
        violations = pd.DataFrame({"row": [1, 1, 2]})

    rows = bad_rows_count_exercise(report=Report())
    assert rows.check(2).passed and "violations" in rows.check(3).reason
    schema_check = recommend.bad_rows_exercise()
    assert schema_check.check(recommend.bad_rows_solution).passed
    range_only = schema_check.check(
        lambda batch: [i for i, r in enumerate(pd.to_numeric(batch["rating"], errors="coerce")) if not 0.5 <= r <= 5])
    assert not range_only.passed and "star values" in range_only.reason
