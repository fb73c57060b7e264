"""AutoML falls for a leaking column, a learned rule errs only at its thresholds, goals map to roles."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.reflection import (
    REQUEST_TIME,
    account_rule,
    automl_search,
    learn_rule,
    learning_goals,
    lectures_by_role,
    liked_movies,
    random_accounts,
)


def accuracy(model, frame, columns):
    return float((model.predict(frame[columns]) == frame["liked"]).mean())


def test_liked_movies_plants_a_leak_that_vanishes_in_production():
    data = liked_movies(2000, seed=4)
    assert all(len(part) == 2000 for part in data.values())
    train = data["train"]
    assert (train["watched_to_end"] == train["liked"]).mean() == pytest.approx(0.9, abs=0.02)
    assert (data["production"]["watched_to_end"] == 0).all()
    assert train[["popularity", "liked"]].corr().iloc[0, 1] == pytest.approx(0, abs=0.06)  # no planted effect
    with pytest.raises(InputError):
        liked_movies(10)


def test_search_prefers_the_leak_and_loses_in_production():
    data = liked_movies(1500, seed=2)
    board = automl_search(data["train"], data["valid"], target="liked", seed=2)
    assert list(board["validation accuracy"]) == sorted(board["validation accuracy"], reverse=True)
    winner = board.attrs["models"][board.index[0]]
    assert "watched_to_end" in board.attrs["features"]
    clean = automl_search(data["train"], data["valid"], target="liked", features=list(REQUEST_TIME), seed=2)
    honest = clean.attrs["models"][clean.index[0]]
    assert board["validation accuracy"].iloc[0] > clean["validation accuracy"].iloc[0] + 0.05
    assert accuracy(honest, data["production"], list(REQUEST_TIME)) > \
        accuracy(winner, data["production"], board.attrs["features"]) + 0.05
    with pytest.raises(InputError, match="no column"):
        automl_search(data["train"], data["valid"], target="stars")


def test_account_rule_boundaries_and_learned_rule_errors_near_them():
    assert account_rule(np.array([30.0, 29.999, 30.0]), np.array([5, 5, 4])).tolist() == [True, False, False]
    tree = learn_rule(3000, label_noise=0.0, seed=5)
    fresh = random_accounts(5000, seed=6)
    wrong = tree.predict(fresh) != account_rule(fresh["age_days"], fresh["n_ratings"])
    near = (fresh["age_days"] - 30).abs().lt(3) | fresh["n_ratings"].isin([4, 5])
    assert wrong[~near].sum() == 0 and wrong.mean() < 0.01
    with pytest.raises(InputError):
        learn_rule(100, label_noise=0.6)


def test_learning_goals_are_read_from_the_first_cell(tmp_path):
    first = ("# T\n\n**Learning goals.** After this notebook you can\n\n1. train a model;\n2. deploy the\n"
             "   system.\n\n**Exercises** contain `answer = ...`.\n")
    for name, source in (("01-a", first), ("02-b", ["# U\n", "Learning goals\n", "1. interview a user.\n"])):
        notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": source}], "metadata": {},
                    "nbformat": 4, "nbformat_minor": 5}
        (tmp_path / f"{name}.ipynb").write_text(json.dumps(notebook))
    goals = learning_goals(tmp_path)
    assert goals.to_dict("list") == {"lecture": ["01-a", "01-a", "02-b"],
                                     "goal": ["train a model;", "deploy the system.", "interview a user."]}
    needs = lectures_by_role(goals)
    assert needs.loc["01-a"].tolist() == [1, 1, 0] and needs.loc["02-b"].tolist() == [0, 0, 1]
    with pytest.raises(InputError):
        learning_goals(tmp_path / "empty")


def test_the_course_has_goals_for_every_lecture():
    goals = learning_goals()
    assert goals.groupby("lecture").size().min() >= 1
    assert isinstance(lectures_by_role(goals), pd.DataFrame)


def test_wrong_calls_raise_input_errors():
    data = liked_movies(100, seed=0)
    with pytest.raises(InputError, match="missing"):
        automl_search(data["train"], data["valid"].drop(columns="genre_match"), target="liked")
    with pytest.raises(InputError, match="missing"):
        automl_search(data["train"], data["valid"], target="liked", features=["stars"])
    with pytest.raises(InputError, match="goal"):
        lectures_by_role(pd.DataFrame({"lecture": ["a"]}))
