"""Metrics and the confusion matrix, checked against scikit-learn and the lecture's numbers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as sk

from mlip_helpers.datasets import CANCER_CONFUSION, cancer_predictions
from mlip_helpers.errors import LENGTH_MISMATCH, InputError, LabelError, MlipHelpersError
from mlip_helpers.evaluation import (
    ConfusionMatrix,
    accuracy,
    confusion_matrix,
    f1_score,
    per_class_metrics,
    precision,
    recall,
)

LABEL_SETS = [(0, 1), ("spam", "ham"), ("a", "b", "c"), (1, 2, 3, 4)]


def random_labels(labels, n, seed):
    rng = np.random.default_rng(seed)
    return rng.choice(np.array(labels), n), rng.choice(np.array(labels), n)


@pytest.mark.parametrize("labels", LABEL_SETS)
@pytest.mark.parametrize("seed", range(5))
def test_confusion_matrix_is_sklearns_transposed(labels, seed):
    true, pred = random_labels(labels, 60, seed)
    ours = confusion_matrix(true, pred, labels=list(labels))
    np.testing.assert_array_equal(ours.array, sk.confusion_matrix(true, pred, labels=list(labels)).T)
    assert ours.labels == tuple(labels)
    assert ours.total == 60


@pytest.mark.parametrize("labels", LABEL_SETS)
@pytest.mark.parametrize("seed", range(5))
def test_metrics_match_sklearn(labels, seed):
    true, pred = random_labels(labels, 40, seed)
    assert accuracy(true, pred) == pytest.approx(sk.accuracy_score(true, pred))
    for positive in labels:
        options = dict(pos_label=positive, average="binary") if len(labels) == 2 else dict(
            labels=[positive], average="macro")
        assert precision(true, pred, pos_label=positive) == pytest.approx(
            sk.precision_score(true, pred, zero_division=0, **options))
        assert recall(true, pred, pos_label=positive) == pytest.approx(
            sk.recall_score(true, pred, zero_division=0, **options))
        assert f1_score(true, pred, pos_label=positive) == pytest.approx(
            sk.f1_score(true, pred, zero_division=0, **options))


def test_per_class_metrics_match_sklearn():
    true, pred = random_labels(("x", "y", "z"), 80, 11)
    table = per_class_metrics(true, pred)
    p, r, f, support = sk.precision_recall_fscore_support(true, pred, labels=["x", "y", "z"],
                                                          zero_division=0)
    np.testing.assert_allclose(table["precision"], p)
    np.testing.assert_allclose(table["recall"], r)
    np.testing.assert_allclose(table["f1"], f)
    assert table["support"].tolist() == support.tolist()
    assert table.index.tolist() == ["x", "y", "z"]


def test_lecture_cancer_matrix_has_accuracy_707():
    assert CANCER_CONFUSION.accuracy == pytest.approx((10 + 24 + 82) / 164)
    assert round(CANCER_CONFUSION.accuracy, 3) == 0.707
    assert CANCER_CONFUSION.total == 164


def test_lecture_cancer_matrix_per_class_values():
    assert CANCER_CONFUSION.recall("Grade 5") == pytest.approx(10 / 18)
    assert CANCER_CONFUSION.precision("Grade 3") == pytest.approx(24 / 37)
    assert CANCER_CONFUSION.recall("Grade 3") == pytest.approx(24 / 52)
    assert CANCER_CONFUSION.precision("Benign") == pytest.approx(82 / 109)
    assert CANCER_CONFUSION.recall("Benign") == pytest.approx(82 / 94)
    assert CANCER_CONFUSION.per_class()["support"].tolist() == [18, 52, 94]


def test_confusion_matrix_from_expanded_labels_equals_lecture_table():
    actual, predicted = cancer_predictions()
    rebuilt = confusion_matrix(actual, predicted, labels=list(CANCER_CONFUSION.labels))
    assert rebuilt == CANCER_CONFUSION
    assert accuracy(actual, predicted) == pytest.approx(CANCER_CONFUSION.accuracy)


def test_to_frame_rows_are_predicted_and_columns_actual():
    frame = confusion_matrix(["a", "a", "b"], ["b", "b", "b"]).to_frame()
    assert frame.index.name == "predicted" and frame.columns.name == "actual"
    assert frame.loc["b", "a"] == 2  # predicted b, actually a
    assert frame.loc["a", "b"] == 0


def test_default_label_order_is_sorted_and_includes_predicted_only_labels():
    cm = confusion_matrix(["b", "b"], ["a", "c"])
    assert cm.labels == ("a", "b", "c")


def test_label_missing_from_given_order_raises():
    with pytest.raises(LabelError) as info:
        confusion_matrix(["a", "b"], ["a", "c"], labels=["a", "b"])
    assert info.value.label == "c"


def test_length_mismatch_raises_with_message():
    with pytest.raises(InputError) as info:
        accuracy([1, 0, 1], [1, 0])
    assert str(info.value) == LENGTH_MISMATCH.format(first="y_true", n_first=3, second="y_pred",
                                                     n_second=2)
    assert isinstance(info.value, MlipHelpersError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", [[], np.zeros((2, 2))])
def test_empty_or_two_dimensional_labels_raise(bad):
    with pytest.raises(InputError):
        accuracy(bad, bad)


def test_unknown_pos_label_raises_label_error():
    with pytest.raises(LabelError) as info:
        precision(["a", "b"], ["a", "a"], pos_label="malignant")
    assert info.value.known == ("a", "b")


def test_zero_division_gives_zero():
    assert precision([1, 0], [0, 0], pos_label=1) == 0.0
    assert recall([0, 0], [1, 0], pos_label=1) == 0.0
    assert f1_score([0, 0], [0, 0], pos_label=0) == 1.0


def test_accepts_series_and_lists_alike():
    true = pd.Series(["x", "y", "x"], index=[10, 20, 30])
    assert accuracy(true, ["x", "x", "x"]) == pytest.approx(2 / 3)


@pytest.mark.parametrize("labels, counts", [
    (("a", "a"), ((1, 0), (0, 1))),
    (("a", "b"), ((1, 0, 0), (0, 1, 0))),
    (("a", "b"), ((1, -1), (0, 1))),
    (("a", "b"), ((1.5, 0), (0, 1))),
])
def test_confusion_matrix_validates_its_fields(labels, counts):
    with pytest.raises(InputError):
        ConfusionMatrix(labels=labels, counts=counts)


def test_confusion_matrix_is_frozen_and_hashable():
    cm = ConfusionMatrix(labels=(np.int64(0), np.int64(1)), counts=np.array([[1, 2], [3, 4]]))
    assert cm.labels == (0, 1) and type(cm.labels[0]) is int
    assert hash(cm) == hash(ConfusionMatrix(labels=(0, 1), counts=((1, 2), (3, 4))))
    with pytest.raises(AttributeError):
        cm.labels = ("x", "y")


def test_unknown_label_in_matrix_methods_raises():
    with pytest.raises(LabelError):
        CANCER_CONFUSION.recall("Grade 4")


def test_plot_annotates_every_cell():
    ax = CANCER_CONFUSION.plot()
    texts = sorted(int(t.get_text()) for t in ax.texts)
    assert texts == sorted(CANCER_CONFUSION.array.ravel().tolist())
    assert ax.get_xlabel() == "actual" and ax.get_ylabel() == "predicted"
    assert "0.707" in ax.get_title()
    plt.close("all")
