"""Blast radius through stolen credentials, model inversion against the truth, targeted poisoning."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from mlip_helpers.attacks import blast_radius, blast_radius_table, invert_class, targeted_poison
from mlip_helpers.errors import InputError

GRANTS = {"web": {"cache": "read", "credentials:db": "read"},
          "db": {"user table": "write", "cache": "write", "credentials:admin": "read"},
          "admin": {"config": "write"},
          "batch": {"cache": "read"}}


def test_blast_radius_follows_credentials_transitively_and_keeps_the_strongest_access():
    reached = blast_radius(GRANTS, "web")
    assert reached["cache"] == "write"  # read directly, write through the db's credentials
    assert reached["config"] == "write"  # web -> db -> admin
    assert blast_radius(GRANTS, "batch") == {"cache": "read"}


def test_blast_radius_table_counts_resources_without_credentials():
    table = blast_radius_table({"design": GRANTS}, sensitive={"user table", "config"}).set_index("component")
    assert table.loc["web", "resources reached"] == 3
    assert table.loc["web", "sensitive reached"] == "config, user table"
    assert table.loc["batch", "sensitive reached"] == "-"


def test_blast_radius_rejects_unknown_components_and_access():
    with pytest.raises(InputError, match="unknown component"):
        blast_radius(GRANTS, "mail")
    with pytest.raises(InputError, match="'read' or 'write'"):
        blast_radius({"a": {"x": "delete"}}, "a")


def _blobs(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.eye(4)[:3] * 0.8 + 0.1
    y = np.repeat(np.arange(3), 100)
    return np.clip(centres[y] + rng.normal(0, 0.1, (300, 4)), 0, 1), y


def test_inversion_recovers_each_class_centre_and_not_from_random_weights():
    X, y = _blobs()
    model = LogisticRegression().fit(X, y)
    for label in range(3):
        assert int(np.argmax(invert_class(model, label)[:3])) == label
    inverted = invert_class(model, 2)
    assert np.all((inverted >= 0) & (inverted <= 1))


def test_inversion_needs_a_known_label_and_a_multiclass_model():
    X, y = _blobs()
    with pytest.raises(InputError, match="not one of the model's classes"):
        invert_class(LogisticRegression().fit(X, y), 7)
    with pytest.raises(InputError, match="three or more classes"):
        invert_class(LogisticRegression().fit(X[y < 2], y[y < 2]), 0)


def test_three_poisoned_rows_flip_a_five_nearest_neighbour_target_and_two_do_not():
    X, y = _blobs(1)
    target = X[0]
    for n_poison, flips in [(2, False), (3, True)]:
        X_p, y_p = targeted_poison(X[1:], target, 2, n_poison, seed=0)
        knn = KNeighborsClassifier(5).fit(np.vstack([X[1:], X_p]), np.concatenate([y[1:], y_p]))
        assert (knn.predict(target[None])[0] == 2) == flips


def test_targeted_poison_checks_its_inputs():
    with pytest.raises(InputError, match="features like X"):
        targeted_poison(np.eye(3), [1.0, 0.0], 1, 2)
    with pytest.raises(InputError, match="0 or more"):
        targeted_poison(np.eye(3), [1.0, 0.0, 0.0], 1, -1)
    assert targeted_poison(np.eye(3), [1.0, 0.0, 0.0], 1, 0)[0].shape == (0, 3)
