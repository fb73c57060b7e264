"""The simulated streaming product: planted truth, the product loop, and goal measures worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.systems import (
    LAYER_EXAMPLES,
    LAYERS,
    ProductRun,
    ctr_exercise,
    goal_measures,
    layers_exercise,
    make_catalog,
    pair_features,
    simulate_product,
)


@pytest.fixture(scope="module")
def catalog():
    return make_catalog(n_users=400, n_movies=60, seed=3)


def test_catalog_is_seeded_and_plants_a_negative_appeal_quality_link():
    a, b = make_catalog(n_users=50, n_movies=2000, seed=7), make_catalog(n_users=50, n_movies=2000, seed=7)
    assert np.array_equal(a.appeal, b.appeal) and np.array_equal(a.taste, b.taste)
    assert np.corrcoef(a.appeal, a.quality)[0, 1] == pytest.approx(-0.3, abs=0.06)
    assert np.std(a.thumbnail_score - a.appeal) == pytest.approx(0.3, abs=0.03)


def test_catalog_rejects_a_tiny_catalog():
    with pytest.raises(InputError):
        make_catalog(n_movies=3)


def test_click_probability_follows_appeal_and_enjoyment_follows_quality(catalog):
    users = np.zeros(catalog.n_movies, dtype=int)
    movies = np.arange(catalog.n_movies)
    clicks, enjoy = catalog.click_probability(users, movies), catalog.enjoy_probability(users, movies)
    taste = catalog.taste[0, catalog.genre]
    assert np.allclose(clicks, 1 / (1 + np.exp(-(-3.0 + 1.6 * catalog.appeal + 0.8 * taste))))
    assert np.allclose(enjoy, 1 / (1 + np.exp(-(0.2 + 1.6 * catalog.quality + 0.8 * taste))))
    assert np.corrcoef(clicks, catalog.quality)[0, 1] < np.corrcoef(clicks, catalog.appeal)[0, 1]
    assert np.all((0 < clicks) & (clicks < 1))
    taste0 = catalog.average_click_rate()
    assert np.allclose(taste0, 1 / (1 + np.exp(3.0 - 1.6 * catalog.appeal)))


def test_pair_features_are_what_the_model_may_see(catalog):
    users, movies = np.array([0, 1, 2]), np.array([5, 5, 9])
    X = pair_features(catalog, users, movies)
    assert np.array_equal(X[:, 0], catalog.thumbnail_score[movies])
    assert np.array_equal(X[:, 1], catalog.critic_score[movies])
    assert np.array_equal(X[:, 2], catalog.taste[users, catalog.genre[movies]])


def test_product_shows_the_top_scored_movies_and_viewers_who_leave_have_no_more_sessions(catalog):
    best = np.argsort(-catalog.quality)[:3]
    run = simulate_product(catalog, lambda u, m: catalog.quality[m], months=3, seed=1)
    s = run.sessions
    assert set(s.loc[s["clicked"], "movie"]) <= set(best)
    assert (s.loc[~s["clicked"], "movie"] == -1).all() and not (s["finished"] & ~s["clicked"]).any()
    for month in (2, 3):
        left = run.subscribed.query("month == @month - 1 and not renewed")["user"]
        assert not s.query("month == @month")["user"].isin(left).any()


def test_showing_good_movies_keeps_more_subscribers_than_showing_bad_ones(catalog):
    good = simulate_product(catalog, lambda u, m: catalog.quality[m] + catalog.appeal[m], seed=2)
    bad = simulate_product(catalog, lambda u, m: -catalog.quality[m], seed=2)
    assert goal_measures(good, model_auc=0.5)["organizational"] > goal_measures(bad, model_auc=0.5)["organizational"]


def test_goal_measures_by_hand():
    sessions = pd.DataFrame({"user": [0, 1, 2, 0, 1, 0], "month": [1, 1, 1, 2, 2, 3],
                             "clicked": [True, False, True, True, True, False],
                             "movie": [4, -1, 2, 3, 3, -1], "finished": [True, False, False, True, False, False]})
    subscribed = pd.DataFrame({"user": [0, 1, 2, 0, 1, 0], "month": [1, 1, 1, 2, 2, 3],
                               "renewed": [True, True, False, True, False, True]})
    measures = goal_measures(ProductRun(sessions, subscribed), model_auc=0.61)
    assert list(measures.index) == list(LAYERS)
    assert measures["organizational"] == pytest.approx(1 / 3)  # one of three first-month subscribers is left
    assert measures["leading indicator"] == pytest.approx(2 / 3)
    assert measures["system"] == pytest.approx(2 / 6)
    assert measures["user"] == pytest.approx(2 / 4)
    assert measures["model"] == 0.61


def test_layers_exercise_matches_its_examples_and_explains_the_proxy_mix_up():
    exercise = layers_exercise()
    assert list(exercise.expected) == [layer for _, layer in LAYER_EXAMPLES]
    assert set(exercise.expected) == set(LAYERS)
    swapped = ["model", "leading indicator", "user", "system", "organizational"]
    assert "proxy" in exercise.check(swapped).reason


def test_ctr_exercise_names_the_usual_mistakes():
    sessions = pd.DataFrame({"month": [1, 1, 1, 1, 1, 2, 2], "clicked": [True, True, True, True, False, False, False],
                             "finished": [True, False, False, False, False, False, False]})
    exercise = ctr_exercise(ProductRun(sessions, pd.DataFrame()), month=1)
    assert exercise.check(0.8).passed
    assert "month 1" in ctr_exercise(ProductRun(sessions, pd.DataFrame())).check(0.8).reason
    assert "all months" in exercise.check(4 / 7).reason
    assert "finished" in exercise.check(0.2).reason
    assert "divides" in exercise.check(0.8 / 3).reason


def test_team_skills_shapes_and_errors():
    from mlip_helpers.systems import AREAS, team_skills

    specialists = team_skills("specialists", members=4, depth=0.9)
    assert specialists.shape == (4, len(AREAS)) and specialists.to_numpy().sum() == pytest.approx(3.6)
    assert team_skills("t-shaped", breadth=0, depth=0.8).to_numpy().max() == 0.8  # floats, not truncated ints
    with pytest.raises(InputError, match="specialists"):
        team_skills("unicorns")
    with pytest.raises(InputError, match="probabilities"):
        team_skills("t-shaped", breadth=1.5)


def test_review_issues_recovers_planted_catch_rates_with_common_luck():
    from mlip_helpers.systems import review_issues, team_skills

    teams = {"specialists": team_skills("specialists", depth=0.9),
             "T-shaped": team_skills("t-shaped", depth=0.8, breadth=0.3)}
    caught = review_issues(teams, n_issues=60_000, seed=1)
    assert caught.loc["data", "specialists"] == pytest.approx(0.9, abs=0.02)
    assert caught.loc["ethics & law", "specialists"] == 0
    assert caught.loc["ethics & law", "T-shaped"] == pytest.approx(1 - 0.7 ** 4, abs=0.02)
    assert caught.loc["data", "T-shaped"] == pytest.approx(1 - 0.2 * 0.7 ** 3, abs=0.02)
    # the same luck: with no breadth a shallower team can never catch an issue the deeper one misses
    shallow = review_issues({"deep": team_skills("specialists", depth=0.9),
                             "shallow": team_skills("t-shaped", depth=0.8, breadth=0.0)}, n_issues=500, seed=2)
    assert (shallow["shallow"] <= shallow["deep"]).all()
    with pytest.raises(InputError, match="same members"):
        review_issues({"a": team_skills("specialists", members=2), "b": team_skills("specialists", members=3)})
