"""Label arrays: conversion and validation shared by the metric modules (private)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.errors import (
    EMPTY,
    LENGTH_MISMATCH,
    NOT_ONE_DIMENSIONAL,
    UNKNOWN_LABEL,
    InputError,
    LabelError,
)


def as_labels(y: Any, what: str = "labels") -> np.ndarray:
    """Return ``y`` as a one-dimensional numpy array, or raise :class:`InputError`."""
    array = y.to_numpy() if isinstance(y, (pd.Series, pd.Index)) else np.asarray(y)
    if array.ndim != 1:
        raise InputError(NOT_ONE_DIMENSIONAL.format(what=what, shape=array.shape), argument=what)
    return array


def label_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return true and predicted labels as arrays of equal, non-zero length."""
    true, pred = as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred")
    if len(true) != len(pred):
        message = LENGTH_MISMATCH.format(
            first="y_true", n_first=len(true), second="y_pred", n_second=len(pred)
        )
        raise InputError(message, argument="y_pred")
    if len(true) == 0:
        raise InputError(EMPTY.format(what="y_true"), argument="y_true")
    return true, pred


def plain(value: Any) -> Any:
    """Turn a numpy scalar into the matching Python scalar; leave anything else."""
    return value.item() if isinstance(value, np.generic) else value


def sorted_labels(*arrays: np.ndarray) -> tuple:
    """All distinct labels of the arrays, sorted (by ``repr`` when types mix)."""
    seen = {plain(v) for array in arrays for v in array.tolist()}
    try:
        return tuple(sorted(seen))
    except TypeError:
        return tuple(sorted(seen, key=repr))


def require_label(label: Any, true: np.ndarray, pred: np.ndarray, what: str = "pos_label") -> None:
    """Raise :class:`LabelError` unless ``label`` occurs in ``true`` or ``pred``."""
    known = sorted_labels(true, pred)
    if plain(label) not in known:
        raise LabelError(UNKNOWN_LABEL.format(what=what, label=label, known=list(known)),
                         label=label, known=known)
