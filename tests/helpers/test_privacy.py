"""Membership inference against scikit-learn's ROC, linkage against the planted truth, k-anonymity, Laplace noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score, roc_curve

from mlip_helpers.errors import InputError
from mlip_helpers.privacy import (
    k_anonymity,
    k_value_exercise,
    laplace_count,
    link_records,
    make_linkable_records,
    membership_inference,
    reidentified_exercise,
)


def test_membership_inference_matches_sklearn_roc():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    model = RandomForestClassifier(30, random_state=0).fit(X[:200], y[:200])
    result = membership_inference(model, X[:200], y[:200], X[200:], y[200:])
    labels = np.r_[np.ones(200), np.zeros(200)]
    scores = np.r_[result.member_confidence, result.nonmember_confidence]
    assert result.auc == pytest.approx(roc_auc_score(labels, scores))
    fpr, tpr, _ = roc_curve(labels, scores)
    assert result.advantage == pytest.approx(np.max(tpr - fpr))
    assert result.auc > 0.6  # fully grown trees overfit


def test_membership_inference_sees_nothing_in_a_model_that_ignores_its_data():
    from sklearn.dummy import DummyClassifier

    X, y = np.zeros((100, 1)), np.tile([0, 1], 50)
    model = DummyClassifier(strategy="prior").fit(X[:50], y[:50])
    result = membership_inference(model, X[:50], y[:50], X[50:], y[50:])
    assert result.auc == 0.5 and result.advantage == 0.0


def test_linkable_records_are_a_sample_of_the_public_list():
    data = make_linkable_records(n_samples=300, seed=4)
    assert len(data.public) == 1500 and len(data.released) == 300
    truth = data.public.set_index("name").loc[data.true_name, ["zip", "birth_date", "sex"]].reset_index(drop=True)
    assert truth.equals(data.released[["zip", "birth_date", "sex"]])
    assert make_linkable_records(n_samples=30, seed=1).released.equals(make_linkable_records(n_samples=30,
                                                                                             seed=1).released)
    with pytest.raises(InputError):
        make_linkable_records(n_samples=10, n_public=5)


def test_linkage_names_exactly_the_unique_matches_and_they_are_right():
    data = make_linkable_records(n_samples=500, n_zips=5, seed=2)
    quasi = ["zip", "birth_date", "sex"]
    linked = link_records(data.released, data.public, on=quasi)
    counts = data.public.groupby(quasi).size()
    expected = [counts[tuple(row)] for row in data.released[quasi].itertuples(index=False)]
    assert linked["candidates"].tolist() == expected
    named = linked["name"].notna().to_numpy()
    assert np.array_equal(named, linked["candidates"].to_numpy() == 1)
    assert (linked.loc[named, "name"].to_numpy() == data.true_name[named]).all()
    assert named.mean() > 0.9
    with pytest.raises(InputError):
        link_records(data.released, data.public, on=["zip", "name"])


def test_linkage_with_no_match():
    released = pd.DataFrame({"zip": ["99999"]})
    public = pd.DataFrame({"zip": ["15213"], "name": ["Ann"]})
    assert link_records(released, public, on=["zip"])[["candidates", "name"]].values.tolist() == [[0, None]]


def test_k_anonymity_grows_with_generalization():
    data = make_linkable_records(n_samples=500, seed=0)
    quasi = ["zip", "birth_date", "sex"]
    coarse = data.released.assign(zip=data.released["zip"].str[:3], birth_date=data.released["birth_date"].str[:3])
    assert k_anonymity(data.released, quasi) == 1
    assert k_anonymity(coarse, quasi) == coarse.groupby(quasi).size().min() > 1
    assert k_anonymity(pd.DataFrame({"a": [1, 1, 2, 2, 2]}), ["a"]) == 2


def test_laplace_noise_has_scale_one_over_epsilon():
    for epsilon in (0.1, 1.0, 4.0):
        noisy = laplace_count(50, epsilon, size=200_000, seed=1)
        assert np.mean(noisy) == pytest.approx(50, abs=5 / epsilon / 100)
        assert np.var(noisy) == pytest.approx(2 / epsilon**2, rel=0.03)
    with pytest.raises(InputError):
        laplace_count(1, 0.0)


def test_exercises():
    released = pd.DataFrame({"zip": ["1", "2", "3"]})
    public = pd.DataFrame({"zip": ["1", "2", "2", "3"], "name": ["a", "b", "c", "d"]})
    linked = link_records(released, public, on=["zip"])
    ex = reidentified_exercise(linked=linked, true_name=["a", "b", "x"])
    assert ex.kind == "count" and ex.check(1).passed and not ex.check(1 / 3).passed
    k = k_value_exercise(frame=pd.DataFrame({"z": ["a", "a", "b", "b", "b"]}), quasi_identifiers=["z"])
    assert k.check(2).passed and "largest" in k.check(3).reason


def test_opt_out_audit_tells_an_honouring_pipeline_from_one_that_ignores_opt_outs():
    from mlip_helpers.privacy import opt_out_audit
    from mlip_helpers.recommend import fit_biases

    ratings = pd.DataFrame({"userId": [1, 1, 2, 2, 3, 3], "movieId": [10, 11, 10, 11, 10, 11],
                            "rating": [5.0, 1.0, 4.0, 2.0, 1.0, 5.0]})

    def honours(frame):
        return fit_biases(frame[frame["userId"] != 3]).predict

    def ignores(frame):
        return fit_biases(frame).predict

    probe = ratings[ratings["userId"] != 3]
    assert opt_out_audit(honours, ratings, [3], probe) == 0.0
    assert opt_out_audit(ignores, ratings, [3], probe) > 0.1
    with pytest.raises(InputError, match="columns"):
        opt_out_audit(honours, ratings.drop(columns="rating"), [3], probe)
