"""Three data models of one ratings workload: same answers, and the records each one must read."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mlip_helpers.datamodels import MODELS, build_stores, compare_queries
from mlip_helpers.errors import InputError


@pytest.fixture
def ratings() -> pd.DataFrame:
    # user 1 rates movies 10, 11, 12; user 2 rates 10; user 3 rates 10 and 12; times 1..6
    return pd.DataFrame({"userId": [1, 1, 2, 1, 3, 3], "movieId": [10, 11, 10, 12, 10, 12],
                         "title": ["A", "B", "A", "C", "A", "C"], "genres": ["Drama"] * 6,
                         "rating": [4.0, 3.0, 5.0, 2.0, 3.0, 1.0], "timestamp": [1, 2, 3, 4, 5, 6]})


def test_every_model_gives_the_same_answers(ratings):
    stores = build_stores(ratings)
    for query, argument, expected in [("ratings of a user", 1, 3), ("mean rating of a movie", 10, 4.0),
                                      ("ratings since a time", 4, 3)]:
        assert [stores.ask(model, query, argument).answer for model in MODELS] == [expected] * 3, query


def test_records_read_show_what_each_model_makes_easy(ratings):
    stores = build_stores(ratings)
    assert stores.ask("document", "ratings of a user", 1).records_read == 1  # one document per user
    assert stores.ask("log", "ratings of a user", 1).records_read == 6  # every line scanned
    assert stores.ask("relational", "ratings of a user", 1).records_read == 3  # the index finds the rows
    assert stores.ask("log", "ratings since a time", 5).records_read == 2  # time order: jump to the start
    assert stores.ask("document", "ratings since a time", 5).records_read == 3  # every document read


def test_a_rename_touches_one_row_but_every_embedded_copy(ratings):
    table = compare_queries(build_stores(ratings), {"rename a movie": (10, "A (1995)")})
    changed = dict(zip(table["model"], table["answer"]))
    assert changed == {"relational": 1, "document": 3, "log": 1}


def test_rename_is_seen_by_the_stores(ratings):
    stores = build_stores(ratings)
    stores.ask("relational", "rename a movie", (10, "New"))
    stores.ask("document", "rename a movie", (10, "New"))
    assert stores.db.execute("SELECT title FROM movies WHERE movie_id = 10").fetchone() == ("New",)
    assert {e["movie"]["title"] for d in stores.documents.values() for e in d["ratings"] if e["movie"]["id"] == 10} \
        == {"New"}
    stores.ask("log", "rename a movie", (10, "New title"))
    assert stores.ask("log", "ratings of a user", 1).answer == 3  # the rename event is not a rating


def test_numpy_ids_work_and_unknown_ids_give_empty_answers(ratings):
    stores = build_stores(ratings)
    user = ratings["userId"].to_numpy()[0]  # numpy integer, as pandas hands it out
    assert stores.ask("relational", "ratings of a user", user).answer == 3
    assert stores.ask("document", "ratings of a user", 99).answer == 0
    assert math.isnan(stores.ask("relational", "mean rating of a movie", 99).answer)


def test_storage_counts_bytes_of_each_model(ratings):
    sizes = build_stores(ratings).storage_bytes()
    assert set(sizes) == set(MODELS) and all(v > 0 for v in sizes.values())
    assert sizes["log"] == sum(len(f"{t} {u} {m} {r}") + 1 for u, m, r, t in
                               ratings[["userId", "movieId", "rating", "timestamp"]].itertuples(index=False))


def test_wrong_calls_raise_clear_errors(ratings):
    stores = build_stores(ratings)
    with pytest.raises(InputError, match="unknown data model"):
        stores.ask("graph", "ratings of a user", 1)
    with pytest.raises(InputError, match="unknown query"):
        stores.ask("log", "top movies", 1)
    with pytest.raises(InputError, match="lack the columns"):
        build_stores(ratings.drop(columns="title"))
    with pytest.raises(InputError, match="unknown queries"):
        compare_queries(stores, {"top movies": 1})
