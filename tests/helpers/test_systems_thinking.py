"""The feedback loop (planted lock-in, exposure-aware estimates) and the value of interaction modes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.systems import make_catalog
from mlip_helpers.systems_thinking import (
    LoopRun,
    best_movies_exercise,
    feedback_loop,
    choose_mode_exercise,
    mode_values,
    plot_product,
)


@pytest.fixture(scope="module")
def catalog():
    return make_catalog(n_users=10, n_movies=200, seed=0)


def test_most_clicked_row_locks_in_its_first_movies(catalog):
    run = feedback_loop(catalog, rank_by="clicks", rounds=20, seed=0)
    assert (run.rounds["distinct_shown"] == 5).all()
    assert run.rounds["top_true_ctr"].nunique() == 1  # the same five movies in every round
    assert (run.shows > 3).sum() == 5  # nothing else was ever shown again after round 0
    assert run.rounds["top_true_ctr"].iloc[-1] < run.rounds["best_ctr"].iloc[0] - 0.05


def test_exposure_aware_estimates_with_exploration_find_the_best_movies(catalog):
    greedy = feedback_loop(catalog, rank_by="clicks", rounds=30, seed=0)
    exploring = feedback_loop(catalog, rank_by="rate", explore=0.1, rounds=30, seed=0)
    assert (exploring.shows > 3).all()  # exploration shows every movie again
    last = exploring.rounds.iloc[-1]
    assert last["top_true_ctr"] > greedy.rounds["top_true_ctr"].iloc[-1]
    assert last["top_true_ctr"] == pytest.approx(last["best_ctr"], abs=0.03)
    assert last["shown_true_ctr"] < last["top_true_ctr"]  # exploring costs clicks now


def test_loop_logs_every_impression_and_click(catalog):
    run = feedback_loop(catalog, rank_by="rate", rounds=4, views_per_round=500, seed=1)
    assert run.shows.sum() == 3 * catalog.n_movies + 4 * 500
    assert np.all(run.clicks <= run.shows)
    assert np.allclose(run.truth, catalog.average_click_rate())


def test_loop_rejects_unknown_ranking(catalog):
    with pytest.raises(InputError):
        feedback_loop(catalog, rank_by="stars")
    with pytest.raises(InputError):
        feedback_loop(catalog, explore=1.5)


def test_best_movies_exercise_counts_from_the_truth():
    truth = np.array([0.1, 0.9, 0.8, 0.7, 0.2])
    shows = np.array([50, 3, 40, 3, 3])
    exercise = best_movies_exercise(LoopRun(pd.DataFrame(), truth, np.zeros(5), shows), top=3)
    assert exercise.expected == 1
    assert exercise.check(1).passed
    assert "first round" in exercise.check(3).reason
    assert "every movie shown" in exercise.check(2).reason


def test_mode_values_by_hand():
    values = mode_values(np.array([True, False, True]), gain=2, wrong_action=3, prompt_cost=0.5, noticed=0.25)
    assert values.to_dict("list") == {"automate": [2, -3, 2], "prompt": [1.5, -0.5, 1.5],
                                      "organize": [0.5, 0.0, 0.5]}


def test_choose_mode_exercise_runs_a_rule_on_hidden_confidences():
    exercise = choose_mode_exercise()
    assert exercise.check(exercise.solution).passed
    assert "hidden case" in exercise.check(lambda p: "prompt").reason
    assert not exercise.check(lambda p: "automate" if p > 0.5 else "organize").passed


def test_plot_product_marks_the_ml_components():
    ax = plot_product()
    orange = [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None
              and t.get_bbox_patch().get_facecolor()[:3] == pytest.approx((0xF7 / 255, 0xC9 / 255, 0x9B / 255))]
    assert sorted(o.split("\n")[0] for o in orange) == ["ranking model", "training pipeline"]
    plt.close("all")


def test_intended_rule_and_examples_hold_the_planted_noise():
    from mlip_helpers.systems_thinking import intended_rule, rating_examples

    examples = rating_examples(50_000, noise=0.03, seed=4)
    assert examples["age"].between(13, 80).all()
    wrong = (examples["allowed"] != intended_rule(examples["age"], examples["min_age"])).mean()
    assert wrong == pytest.approx(0.03, abs=0.005)
    assert rating_examples(100, noise=0, seed=1)["allowed"].equals(
        pd.Series(intended_rule(rating_examples(100, noise=0, seed=1)["age"],
                                rating_examples(100, noise=0, seed=1)["min_age"]), name="allowed"))
    with pytest.raises(InputError):
        rating_examples(10, youngest=20, oldest=10)


def test_induced_rule_fits_the_examples_but_not_the_spec_away_from_them():
    from mlip_helpers.systems_thinking import induce_rule, induction_table, intended_rule, rating_examples

    examples = rating_examples(4000, seed=0)
    table = induction_table({"spec": intended_rule, "induced": induce_rule(examples.iloc[:2000])},
                            examples.iloc[2000:])
    assert table.loc["matches spec, younger viewers", "spec"] == 1.0
    assert table.loc["fits held-out examples", "spec"] == pytest.approx(0.97, abs=0.015)
    assert table.loc["fits held-out examples", "induced"] > 0.93
    assert table.loc["matches spec, younger viewers", "induced"] < 0.8
    with pytest.raises(InputError, match="empty"):
        induce_rule(examples.iloc[:0])
