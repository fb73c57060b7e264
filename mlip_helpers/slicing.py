"""Metrics per slice of the data, with support, and Wilson intervals for accuracy.

Introduced in ``notebooks/05-model-testing.ipynb``. The lecture's point (Le
Goues & Kaestner, CMU, CC BY 4.0, after Barash et al. 2019): a slice can
show low accuracy *and* low support, and a number computed from a handful
of rows deserves little confidence.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers._labels import label_pair
from mlip_helpers.errors import LENGTH_MISMATCH, InputError
from mlip_helpers.evaluation import accuracy

__all__ = ["plot_slices", "slice_metrics", "wilson_interval"]


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion of ``successes`` out of ``n``.

    Introduced in ``notebooks/05-model-testing.ipynb``. Unlike the textbook
    "p plus or minus 2 standard errors" it stays inside [0, 1] and is honest
    for small ``n`` and for proportions near 0 or 1.

    Examples
    --------
    >>> low, high = wilson_interval(8, 10)
    >>> round(low, 3), round(high, 3)
    (0.49, 0.943)
    """
    if n < 1 or not 0 <= successes <= n:
        raise InputError(f"need 0 <= successes <= n and n >= 1, got {successes} of {n}.",
                         argument="n")
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be between 0 and 1, got {confidence}.",
                         argument="confidence")
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def _groups_frame(groups: Any, n: int) -> pd.DataFrame:
    if isinstance(groups, pd.DataFrame):
        frame = groups.reset_index(drop=True)
    elif isinstance(groups, pd.Series):
        frame = groups.reset_index(drop=True).to_frame(name=groups.name or "slice")
    else:
        frame = pd.DataFrame({"slice": np.asarray(groups)})
    if len(frame) != n:
        raise InputError(LENGTH_MISMATCH.format(first="y_true", n_first=n, second="groups",
                                                n_second=len(frame)), argument="groups")
    return frame


def slice_metrics(
    y_true: Any, y_pred: Any, groups: Any, *,
    metric: Callable[[Any, Any], float] = accuracy, metric_name: str | None = None,
    min_support: int = 30, confidence: float | None = None,
) -> pd.DataFrame:
    """Compute a metric for every slice, with its support, flagging slices too small to trust.

    Introduced in ``notebooks/05-model-testing.ipynb``. ``groups`` gives each
    example's slice: a Series (its name labels the index), an array, or a
    DataFrame of several columns (slices are their combinations). Columns:
    ``support``, the metric, ``gap`` (slice minus overall), ``too_small``
    (support below ``min_support``) and, with ``confidence`` and the accuracy
    metric, a Wilson interval ``ci_low``/``ci_high``. Trustworthy slices come
    first, worst first; the too-small ones follow.

    Examples
    --------
    >>> table = slice_metrics([1, 1, 0, 0, 1], [1, 0, 0, 0, 1], ["a", "a", "b", "b", "b"],
    ...                       min_support=3)
    >>> table["accuracy"].to_dict(), table["too_small"].to_dict()
    ({'b': 1.0, 'a': 0.5}, {'b': False, 'a': True})
    """
    true, pred = label_pair(y_true, y_pred)
    name = metric_name or getattr(metric, "__name__", "metric")
    if confidence is not None and metric is not accuracy:
        raise InputError("confidence intervals are only computed for metric=accuracy; "
                         "pass confidence=None for other metrics.", argument="confidence")
    frame = _groups_frame(groups, len(true))
    keys = list(frame.columns)
    overall = metric(true, pred)
    rows = []
    for key, index in frame.groupby(keys, dropna=False, sort=True).indices.items():
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row |= {"support": len(index), name: metric(true[index], pred[index])}
        if confidence is not None:
            hits = int(np.sum(true[index] == pred[index]))
            row["ci_low"], row["ci_high"] = wilson_interval(hits, len(index), confidence=confidence)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["gap"] = table[name] - overall
    table["too_small"] = table["support"] < min_support
    table = table.sort_values(["too_small", name, "support"], ascending=[True, True, False],
                              kind="stable")
    return table.set_index(keys if len(keys) > 1 else keys[0])


def plot_slices(table: pd.DataFrame, *, metric: str = "accuracy", ax: Any = None) -> Any:
    """Bar chart of a :func:`slice_metrics` table: support in labels, small slices hatched.

    Introduced in ``notebooks/05-model-testing.ipynb``. Draws Wilson
    intervals as error bars when the table has them; returns the ``Axes``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_slices(slice_metrics([1, 0, 1], [1, 1, 1], ["a", "b", "b"], min_support=2))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['b (n=2)', 'a (n=1)']
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(6, 0.45 * len(table) + 1.2))[1]
    labels = [f"{' / '.join(map(str, k)) if isinstance(k, tuple) else k} (n={n})"
              for k, n in zip(table.index, table["support"])]
    values = table[metric].to_numpy(dtype=float)
    positions = np.arange(len(table))[::-1]
    error = None
    if {"ci_low", "ci_high"} <= set(table.columns):
        error = np.vstack([values - table["ci_low"].to_numpy(), table["ci_high"].to_numpy() - values])
        error = np.clip(error, 0, None)  # a Wilson bound of 1.0 can round a hair below a perfect accuracy
    small = table["too_small"].to_numpy(dtype=bool)
    for part, style in ((~small, {"color": "tab:blue"}),
                        (small, {"color": "lightgrey", "hatch": "//", "edgecolor": "grey",
                                 "label": "too small to trust"})):
        if part.any():
            ax.barh(positions[part], values[part], capsize=3, **style,
                    xerr=None if error is None else error[:, part])
    overall = float((table[metric] - table["gap"]).iloc[0])
    ax.axvline(overall, color="black", linestyle="--", linewidth=1, label=f"overall {overall:.3f}")
    ax.set_yticks(positions, labels)
    ax.set(xlabel=metric, xlim=(0, 1.05))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    return ax
