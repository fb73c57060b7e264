"""Designing tests for a model: a simulator with known truth, specification-based cases, coverage, a test suite.

Introduced in ``notebooks/05-model-testing.ipynb``. The lecture "Model Testing beyond Accuracy" (Le Goues &
Kaestner, CMU, CC BY 4.0) borrows software test-case design: specification-based ("black box") cases from
boundary values, equivalence classes and their combinations; coverage of the input space; simulation, where a
simulator knows the right answer for every input it generates; and automated evaluation, a test suite run as
code that reports every check. :func:`simulate_scenes` is the simulator, :func:`make_credit_applications` holds a
specification, :func:`boundary_cases` and :func:`partition_coverage` design and measure test cases, and
:func:`run_suite` runs :class:`ModelCheck` objects into one report.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["FOG", "LIGHT", "MIN_SCORE", "ModelCheck", "boundary_cases", "make_credit_applications",
           "partition_coverage", "partition_representatives", "run_suite", "simulate_scenes"]

LIGHT: Mapping[str, float] = MappingProxyType({"day": 1.0, "dusk": 0.6, "night": 0.3})
"""Light conditions of :func:`simulate_scenes` and the share of an obstacle's signal that each lets through."""
FOG: Mapping[str, float] = MappingProxyType({"clear": 0.0, "haze": 0.4, "fog": 0.8})
"""Fog conditions of :func:`simulate_scenes` and the share of the signal that each swallows."""
MIN_SCORE = 649
"""The lecture's sufficient condition for a denial: no loan for a credit score below 649."""


def simulate_scenes(*, n_per_condition: int = 200, seed: int = 0, light: Sequence[str] = tuple(LIGHT),
                    fog: Sequence[str] = tuple(FOG)) -> pd.DataFrame:
    """Generate sensor readings of road scenes under every light and fog condition, with the truth known.

    Introduced in ``notebooks/05-model-testing.ipynb``. Each scene has an ``obstacle`` (0/1, half of them) and
    two readings, ``contrast`` and ``edges``: the obstacle adds a signal of strength
    ``LIGHT[light] * (1 - FOG[fog])`` to each, plus sensor noise of scale 0.3. A model trained on clear days meets
    weaker signals at night and in fog; the simulator labels those scenes for free.

    Examples
    --------
    >>> scenes = simulate_scenes(n_per_condition=4, seed=0, light=["day", "night"], fog=["clear"])
    >>> scenes.groupby(["light", "fog"]).size().tolist(), sorted(scenes.columns)
    ([4, 4], ['contrast', 'edges', 'fog', 'light', 'obstacle', 'signal'])
    """
    if n_per_condition < 2:
        raise InputError(f"n_per_condition must be at least 2, got {n_per_condition}.", argument="n_per_condition")
    for given, known, what in ((light, LIGHT, "light"), (fog, FOG, "fog")):
        unknown = [c for c in given if c not in known]
        if unknown or not given:
            raise InputError(f"unknown {what} condition(s) {unknown}; choose from {list(known)}.", argument=what)
    rng = np.random.default_rng(seed)
    parts = []
    for lit, foggy in itertools.product(light, fog):
        obstacle = rng.permutation(np.arange(n_per_condition) % 2)
        signal = LIGHT[lit] * (1 - FOG[foggy])
        parts.append(pd.DataFrame({
            "light": lit, "fog": foggy, "signal": signal,
            "contrast": obstacle * signal + rng.normal(scale=0.3, size=n_per_condition),
            "edges": obstacle * signal + rng.normal(scale=0.3, size=n_per_condition),
            "obstacle": obstacle,
        }))
    return pd.concat(parts, ignore_index=True)


def make_credit_applications(*, n_samples: int = 1000, seed: int = 0, label_noise: float = 0.05) -> pd.DataFrame:
    """Loan applications whose planted policy approves when ``score >= 649`` and ``debt_ratio < 0.4``.

    Introduced in ``notebooks/05-model-testing.ipynb``. ``score`` is normal around 680 (sd 70, clipped to
    300..850), ``debt_ratio`` uniform in 0..0.8; a share ``label_noise`` of the ``approved`` labels is flipped,
    as past decisions are never perfectly consistent. The lecture's invariant, "low credit scores never get a
    loan", is the specification a model trained on these labels should meet.

    Examples
    --------
    >>> apps = make_credit_applications(n_samples=2000, seed=0, label_noise=0.0)
    >>> bool((apps.loc[apps["score"] < 649, "approved"] == 0).all())
    True
    """
    if n_samples < 10:
        raise InputError(f"n_samples must be at least 10, got {n_samples}.", argument="n_samples")
    if not 0 <= label_noise < 0.5:
        raise InputError(f"label_noise must lie in [0, 0.5), got {label_noise}.", argument="label_noise")
    rng = np.random.default_rng(seed)
    score = np.clip(np.round(rng.normal(680, 70, n_samples)), 300, 850).astype(int)
    debt = np.round(rng.uniform(0, 0.8, n_samples), 3)
    approved = ((score >= MIN_SCORE) & (debt < 0.4)).astype(int)
    flip = rng.random(n_samples) < label_noise
    return pd.DataFrame({"score": score, "debt_ratio": debt, "approved": np.where(flip, 1 - approved, approved)})


def boundary_cases(column: str, boundary: float, *, offsets: Sequence[float] = (-100, -10, -1, 0, 1, 10, 100),
                   others: Mapping[str, Sequence[object]] | None = None) -> pd.DataFrame:
    """Specification-based test cases: ``column`` at and around ``boundary``, combined with values of other columns.

    Introduced in ``notebooks/05-model-testing.ipynb``. Boundary value analysis puts cases just below, at and just
    above a boundary of the specification (where off-by-one mistakes live) and a few far away; ``others`` adds one
    representative per equivalence class of the other inputs, and every combination is tested (combinatorial
    testing).

    Examples
    --------
    >>> boundary_cases("score", 649, offsets=(-1, 0), others={"debt_ratio": [0.1, 0.5]})
       score  debt_ratio
    0    648         0.1
    1    648         0.5
    2    649         0.1
    3    649         0.5
    """
    if not offsets:
        raise InputError("give at least one offset from the boundary.", argument="offsets")
    others = dict(others or {})
    if column in others:
        raise InputError(f"{column!r} is the boundary column; do not list it in others.", argument="others")
    values = [np.asarray(boundary + np.asarray(offsets)).tolist()] + [list(v) for v in others.values()]
    return pd.DataFrame(list(itertools.product(*values)), columns=[column, *others])


def partition_coverage(frame: pd.DataFrame, partitions: Mapping[str, Sequence[float]], *,
                       min_rows: int = 1) -> pd.DataFrame:
    """How many rows of ``frame`` fall into each cell of an input partition, and whether that covers the cell.

    Introduced in ``notebooks/05-model-testing.ipynb``. ``partitions`` maps a column to the edges of its classes
    (``[a, b)`` intervals); the cells are every combination of classes. A cell is covered with at least
    ``min_rows`` rows. The share of covered cells is ``table["covered"].mean()``.

    Examples
    --------
    >>> rows = pd.DataFrame({"score": [500, 700, 710]})
    >>> partition_coverage(rows, {"score": [300, 649, 850]}, min_rows=2)
                rows  covered
    score
    [300, 649)     1    False
    [649, 850)     2     True
    """
    if not partitions:
        raise InputError("give at least one column to partition.", argument="partitions")
    missing = [c for c in partitions if c not in frame.columns]
    if missing:
        raise InputError(f"columns {missing} are not in the frame; it has {list(frame.columns)}.",
                         argument="partitions")
    classes = {}
    for column, edges in partitions.items():
        edges = list(edges)
        if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:])):
            raise InputError(f"the edges of {column!r} must be at least two increasing numbers, got {edges}.",
                             argument="partitions")
        labels = [f"[{a:g}, {b:g})" for a, b in zip(edges, edges[1:])]
        classes[column] = pd.Categorical(pd.cut(frame[column], edges, right=False, labels=labels),
                                         categories=labels)
    counts = pd.DataFrame(classes).value_counts(sort=False, dropna=True)
    index = pd.MultiIndex.from_product([c.categories for c in classes.values()], names=list(classes))
    rows = counts.reindex(index, fill_value=0).astype(int)
    table = pd.DataFrame({"rows": rows.to_numpy(), "covered": rows.to_numpy() >= min_rows}, index=index)
    if len(classes) == 1:
        table.index = table.index.get_level_values(0)
    return table


def partition_representatives(partitions: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """One test case per cell of an input partition: the midpoint of each class, in every combination.

    Introduced in ``notebooks/05-model-testing.ipynb``: equivalence-class testing picks one representative per
    class, on the assumption that the model treats the members of a class alike.

    Examples
    --------
    >>> partition_representatives({"score": [300, 600, 850], "debt_ratio": [0, 0.5, 1]})
       score  debt_ratio
    0  450.0        0.25
    1  450.0        0.75
    2  725.0        0.25
    3  725.0        0.75
    """
    if not partitions:
        raise InputError("give at least one column to partition.", argument="partitions")
    mids = []
    for column, edges in partitions.items():
        edges = np.asarray(list(edges), dtype=float)
        if len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise InputError(f"the edges of {column!r} must be at least two increasing numbers, got {list(edges)}.",
                             argument="partitions")
        mids.append(((edges[:-1] + edges[1:]) / 2).tolist())
    return pd.DataFrame(list(itertools.product(*mids)), columns=list(partitions))


@dataclass(frozen=True)
class ModelCheck:
    """One automated check of a model: a measured number and the bound it must meet."""

    name: str
    """What is checked, in a few words."""
    measure: Callable[[Callable], float]
    """Computes the number from the model's predict function."""
    at_least: float | None = None
    """Lowest acceptable value, or ``None``."""
    at_most: float | None = None
    """Highest acceptable value, or ``None``."""

    def __post_init__(self) -> None:
        if self.at_least is None and self.at_most is None:
            raise InputError(f"check {self.name!r} needs a bound: give at_least or at_most.", argument="at_least")


def run_suite(predictors: Mapping[str, Callable], checks: Sequence[ModelCheck]) -> pd.DataFrame:
    """Run every check on every model: one report row per (model, check) with value, bound and verdict.

    Introduced in ``notebooks/05-model-testing.ipynb``: automated evaluation, the same suite run on every new
    model, as a unit-test suite runs on every commit.

    Examples
    --------
    >>> check = ModelCheck("share predicted 1", lambda predict: float(np.mean(predict([0, 1, 2]))), at_most=0.5)
    >>> run_suite({"always 1": lambda X: np.ones(len(X))}, [check])[["value", "bound", "passed"]]
                                 value   bound  passed
    model    check
    always 1 share predicted 1    1.0  <= 0.5   False
    """
    if not predictors or not checks:
        raise InputError("give at least one model and at least one check.", argument="checks")
    rows = []
    for model, predict in predictors.items():
        for check in checks:
            value = float(check.measure(predict))
            ok = (check.at_least is None or value >= check.at_least) and (check.at_most is None or value <= check.at_most)
            bound = " and ".join(b for b in (f">= {check.at_least:g}" if check.at_least is not None else "",
                                             f"<= {check.at_most:g}" if check.at_most is not None else "") if b)
            rows.append({"model": model, "check": check.name, "value": value, "bound": bound, "passed": bool(ok)})
    return pd.DataFrame(rows).set_index(["model", "check"])
