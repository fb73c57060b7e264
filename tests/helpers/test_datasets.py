"""Generators are seeded and sized, and the truth they plant is really there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.pipeline import make_pipeline

from mlip_helpers import datasets
from mlip_helpers.errors import DatasetError, InputError
from mlip_helpers.evaluation import accuracy


@pytest.fixture(scope="module")
def noisy():
    return datasets.make_noisy_slice_classification(n_samples=4000, seed=7)


def test_noisy_slice_data_is_seeded_and_sized():
    first = datasets.make_noisy_slice_classification(n_samples=300, seed=1)
    again = datasets.make_noisy_slice_classification(n_samples=300, seed=1)
    other = datasets.make_noisy_slice_classification(n_samples=300, seed=2)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert not first.frame.equals(other.frame)
    assert first.frame.shape == (300, 6)
    assert list(first.frame.columns) == ["x1", "x2", "x3", "x4", "region", "label"]


def test_flips_happen_only_in_the_weak_slice_at_the_planted_rate(noisy):
    region = noisy.frame["region"].to_numpy()
    inside = region == noisy.weak_slice
    assert not noisy.flipped[~inside].any()
    n = inside.sum()
    rate = noisy.flipped[inside].mean()
    assert abs(rate - noisy.noise_rate) < 4 * np.sqrt(noisy.noise_rate * (1 - noisy.noise_rate) / n)
    observed = noisy.frame["label"].to_numpy()
    np.testing.assert_array_equal(observed, np.where(noisy.flipped, 1 - noisy.clean_label, noisy.clean_label))


def test_region_shares_follow_the_declared_shares(noisy):
    shares = noisy.frame["region"].value_counts(normalize=True)
    for region, share in datasets.REGIONS.items():
        assert shares.get(region, 0) == pytest.approx(share, abs=0.02)


def test_any_model_does_worse_in_the_weak_slice_by_about_the_noise(noisy):
    X, y = noisy.frame[list(noisy.feature_names)], noisy.frame[noisy.target]
    pred = cross_val_predict(LogisticRegression(), X, y, cv=5)
    inside = (noisy.frame["region"] == noisy.weak_slice).to_numpy()
    acc_in, acc_out = accuracy(y[inside], pred[inside]), accuracy(y[~inside], pred[~inside])
    clean_in = accuracy(noisy.clean_label[inside], pred[inside])
    expected_in = clean_in * (1 - noisy.noise_rate) + (1 - clean_in) * noisy.noise_rate
    assert acc_out > 0.9 and clean_in > 0.9
    assert acc_in == pytest.approx(expected_in, abs=0.04)
    assert acc_out - acc_in > 0.15


@pytest.mark.parametrize("kwargs", [{"n_samples": 1}, {"n_samples": 2.5}, {"weak_slice": "mars"},
                                    {"noise_rate": 0.7}])
def test_noisy_slice_rejects_bad_arguments(kwargs):
    with pytest.raises(InputError):
        datasets.make_noisy_slice_classification(**kwargs)


def test_leakage_trap_is_balanced_noise():
    trap = datasets.make_leakage_trap(n_samples=101, n_features=30, seed=4)
    assert trap.X.shape == (101, 30) and trap.X.columns[0] == "f0000"
    assert trap.y.value_counts().to_dict() == {0: 51, 1: 50}
    assert trap.chance_accuracy == 0.5
    again = datasets.make_leakage_trap(n_samples=101, n_features=30, seed=4)
    pd.testing.assert_frame_equal(trap.X, again.X)


def test_leakage_trap_honest_cv_is_chance_and_leaky_cv_is_not():
    trap = datasets.make_leakage_trap(n_samples=200, n_features=2000, seed=0)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    selected = SelectKBest(f_classif, k=20).fit_transform(trap.X, trap.y)
    leaky = cross_val_score(LogisticRegression(), selected, trap.y, cv=folds).mean()
    honest = cross_val_score(make_pipeline(SelectKBest(f_classif, k=20), LogisticRegression()),
                             trap.X, trap.y, cv=folds).mean()
    assert abs(honest - 0.5) < 0.12
    assert leaky > 0.65
    assert leaky - honest > 0.15


def test_cancer_predictions_expand_the_lecture_table():
    actual, predicted = datasets.cancer_predictions()
    assert len(actual) == len(predicted) == 164
    assert np.sum((actual == "Grade 5") & (predicted == "Benign")) == 5
    assert np.sum((actual == "Benign") & (predicted == "Grade 3")) == 10
    assert round(float(np.mean(actual == predicted)), 3) == 0.707


@pytest.mark.parametrize("name, rows, target_kind", [
    ("breast_cancer", 569, "O"), ("wine", 178, "O"), ("iris", 150, "O"),
    ("digits", 1797, "i"), ("diabetes", 442, "f"),
])
def test_load_sklearn_returns_one_frame_with_target(name, rows, target_kind):
    frame = datasets.load_sklearn(name)
    assert len(frame) == rows and "target" in frame.columns
    kind = frame["target"].dtype.kind
    assert kind == target_kind or (target_kind == "O" and kind in "OUT")


def test_load_sklearn_names_the_classes_and_subsamples():
    cancer = datasets.load_sklearn("breast_cancer")
    assert cancer["target"].value_counts().to_dict() == {"benign": 357, "malignant": 212}
    small = datasets.load_sklearn("breast_cancer", n_samples=50, seed=3)
    assert len(small) == 50
    pd.testing.assert_frame_equal(small, datasets.load_sklearn("breast_cancer", n_samples=50, seed=3))
    assert len(datasets.load_sklearn("iris", n_samples=10_000)) == 150


def test_load_sklearn_unknown_name_says_what_exists():
    with pytest.raises(DatasetError, match="breast_cancer"):
        datasets.load_sklearn("titanic")


def test_load_reviews_reads_the_bundled_fine_food_reviews():
    reviews = datasets.load_reviews()
    assert list(reviews.columns) == ["text", "label", "product"]
    assert len(reviews) == 4000
    assert reviews["label"].value_counts().to_dict() == {"great": 2600, "other": 1400}
    assert reviews["text"].str.len().min() > 0


def test_load_reviews_samples_reproducibly():
    first = datasets.load_reviews(n_samples=123, seed=5)
    assert len(first) == 123
    pd.testing.assert_frame_equal(first, datasets.load_reviews(n_samples=123, seed=5))
    assert not first.equals(datasets.load_reviews(n_samples=123, seed=6))
