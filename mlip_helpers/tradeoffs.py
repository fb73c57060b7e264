"""Qualities of model choices measured side by side: accuracy, time, size, interpretability, cost and energy.

Introduced in ``notebooks/06-architecture.ipynb``. The lecture "Toward
Architecture and Design" (Le Goues & Kaestner, CMU, CC BY 4.0) asks to reason
about quality attributes early and to choose among alternatives with data:
constraints rule designs out, and among the rest the *Pareto front* holds the
designs that no other design beats on every quality at once.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "Qualities", "best_feasible_exercise", "dominates_exercise", "lecture_exercises", "feasible", "measure_qualities", "model_size",
           "n_parameters", "pareto_front", "pareto_exercise", "plot_tradeoff", "running_costs"]

NOTEBOOK = "06-architecture"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""


@dataclass(frozen=True)
class Qualities:
    """Measured qualities of one trained model."""

    name: str
    """Name of the model."""
    accuracy: float
    """Share of test examples predicted correctly."""
    train_seconds: float
    """Wall-clock seconds to fit the model once."""
    latency_ms: float
    """Median milliseconds to predict one example, as a service answering one request at a time would."""
    size_kb: float
    """Size of the pickled model in kilobytes."""
    parameters: int
    """Numbers a person would have to read to follow the model (see :func:`n_parameters`)."""


def model_size(model) -> int:
    """Bytes of the pickled model: what has to be stored, shipped and loaded.

    Introduced in ``notebooks/06-architecture.ipynb``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    >>> model_size(model) == len(pickle.dumps(model))
    True
    """
    return len(pickle.dumps(model))


def n_parameters(model) -> int:
    """Numbers a person would have to read to follow the model's decisions: a rough interpretability proxy.

    Introduced in ``notebooks/06-architecture.ipynb``. Coefficients of a linear
    model; nodes of a tree, summed over an ensemble's trees; weights and biases
    of a neural network; the stored training data of a nearest-neighbour model.
    A pipeline counts its last step.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> n_parameters(DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0]], [0, 1]))
    3
    """
    model = model.steps[-1][1] if hasattr(model, "steps") else model
    if hasattr(model, "tree_"):
        return int(model.tree_.node_count)
    if hasattr(model, "estimators_"):
        return int(sum(n_parameters(e) for e in np.ravel(model.estimators_)))
    if hasattr(model, "_predictors"):  # histogram gradient boosting
        return int(sum(len(p.nodes) for stage in model._predictors for p in stage))
    if hasattr(model, "coefs_"):
        return int(sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_))
    if hasattr(model, "coef_"):
        return int(np.size(model.coef_) + np.size(model.intercept_))
    if hasattr(model, "_fit_X"):
        return int(np.size(model._fit_X))
    raise InputError(f"do not know how to count the parameters of {type(model).__name__}.", argument="model")


def measure_qualities(name: str, model, X_train, y_train, X_test, y_test, *, n_latency: int = 50,
                      seed: int = 0) -> tuple[Qualities, object]:
    """Fit ``model`` and measure its qualities; returns them with the fitted model.

    Introduced in ``notebooks/06-architecture.ipynb``. Training time is one
    fit; latency is the median over ``n_latency`` predictions of single test
    rows, the situation of a service that answers one request at a time.
    Native thread pools are limited to one thread while measuring.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [0.1], [0.9]]); y = np.array([0, 1, 0, 1])
    >>> q, fitted = measure_qualities("lr", LogisticRegression(), X, y, X, y, n_latency=3)
    >>> q.accuracy, q.parameters, q.latency_ms > 0
    (1.0, 2, True)
    """
    from threadpoolctl import threadpool_limits

    X_test, y_test = np.asarray(X_test), np.asarray(y_test)
    rows = np.random.default_rng(seed).integers(len(X_test), size=n_latency)
    times = []
    with threadpool_limits(limits=1):  # one core, as running_costs assumes; also steadier timings
        start = time.perf_counter()
        model.fit(np.asarray(X_train), np.asarray(y_train))
        train_seconds = time.perf_counter() - start
        accuracy = float(np.mean(model.predict(X_test) == y_test))
        for row in rows:
            start = time.perf_counter()
            model.predict(X_test[row: row + 1])
            times.append(time.perf_counter() - start)
    return Qualities(name, accuracy, train_seconds, 1000 * float(np.median(times)), model_size(model) / 1024,
                     n_parameters(model)), model


def _table(qualities) -> pd.DataFrame:
    if isinstance(qualities, pd.DataFrame):
        return qualities
    return pd.DataFrame([asdict(q) for q in qualities]).set_index("name")


def pareto_front(table, *, maximize: Sequence[str] = (), minimize: Sequence[str] = ()) -> pd.Series:
    """Which rows no other row dominates (at least as good on every column, strictly better on one).

    Introduced in ``notebooks/06-architecture.ipynb``. ``table`` is a
    DataFrame (or a list of :class:`Qualities`); returns a boolean Series.

    Examples
    --------
    >>> t = pd.DataFrame({"accuracy": [0.9, 0.8, 0.85, 0.8], "latency_ms": [5.0, 1.0, 6.0, 2.0]},
    ...                  index=list("abcd"))
    >>> pareto_front(t, maximize=["accuracy"], minimize=["latency_ms"]).tolist()
    [True, True, False, False]
    """
    table = _table(table)
    if not maximize and not minimize:
        raise InputError("name at least one column to maximize or minimize.", argument="maximize")
    better = np.column_stack([table[c].to_numpy(float) for c in maximize]
                             + [-table[c].to_numpy(float) for c in minimize])
    dominated = [bool(np.any(np.all(better >= row, axis=1) & np.any(better > row, axis=1))) for row in better]
    return pd.Series(np.logical_not(dominated), index=table.index, name="pareto")


def feasible(table, *, at_most: Mapping[str, float] | None = None,
             at_least: Mapping[str, float] | None = None) -> pd.Series:
    """Which rows meet every constraint (``at_most``: upper bounds, ``at_least``: lower bounds).

    Introduced in ``notebooks/06-architecture.ipynb``.

    Examples
    --------
    >>> t = pd.DataFrame({"accuracy": [0.9, 0.8], "size_kb": [900.0, 10.0]}, index=["big", "small"])
    >>> feasible(t, at_most={"size_kb": 100}).tolist(), feasible(t, at_least={"accuracy": 0.85}).tolist()
    ([False, True], [True, False])
    """
    table = _table(table)
    ok = pd.Series(True, index=table.index, name="feasible")
    for column, bound in (at_most or {}).items():
        ok &= table[column] <= bound
    for column, bound in (at_least or {}).items():
        ok &= table[column] >= bound
    return ok


def running_costs(table, *, requests_per_day: float, retrains_per_year: float, watts: float = 15.0,
                  usd_per_cpu_hour: float = 0.05, kg_co2_per_kwh: float = 0.4) -> pd.DataFrame:
    """Yearly CPU hours, energy, money and CO2 of serving and retraining each model, from measured times.

    Introduced in ``notebooks/06-architecture.ipynb``. Assumes one CPU core
    busy at ``watts`` for the measured times, and that single-request latency
    is the CPU time a request costs; all three rates are assumptions to state.

    Examples
    --------
    >>> t = pd.DataFrame({"latency_ms": [1.0], "train_seconds": [3600.0]}, index=["m"])
    >>> running_costs(t, requests_per_day=3_600_000, retrains_per_year=1).loc["m"].round(3).tolist()
    [365.0, 1.0, 5.49, 18.3, 2.196]
    """
    table = _table(table)
    serve = table["latency_ms"] / 1000 * requests_per_day * 365 / 3600
    train = table["train_seconds"] * retrains_per_year / 3600
    kwh = (serve + train) * watts / 1000
    return pd.DataFrame({"serving_cpu_hours": serve, "training_cpu_hours": train, "kwh": kwh,
                         "usd": (serve + train) * usd_per_cpu_hour, "kg_co2": kwh * kg_co2_per_kwh})


def plot_tradeoff(table, x: str, y: str, *, front: pd.Series | None = None, ok: pd.Series | None = None,
                  logx: bool = True, ax=None):
    """Scatter two qualities, outline the Pareto ``front`` and grey out rows that are not ``ok`` (infeasible).

    Introduced in ``notebooks/06-architecture.ipynb``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"accuracy": [0.9, 0.8], "latency_ms": [5.0, 1.0]}, index=["a", "b"])
    >>> sorted(text.get_text() for text in plot_tradeoff(t, "latency_ms", "accuracy").texts)
    ['a', 'b']
    """
    import matplotlib.pyplot as plt

    table = _table(table)
    ok = pd.Series(True, index=table.index) if ok is None else ok
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.8))
    ax.scatter(table[x], table[y], c=["tab:blue" if o else "0.75" for o in ok], s=40, zorder=3)
    for name, row in table.iterrows():
        ax.annotate(name, (row[x], row[y]), textcoords="offset points", xytext=(5, 4), fontsize=8,
                    color="black" if ok[name] else "0.5")
    if front is not None and front.any():
        line = table[front].sort_values(x)
        ax.step(line[x], line[y], where="post", color="tab:orange", linewidth=1.5, label="Pareto front", zorder=2)
        ax.legend(fontsize=8)
    ax.set(xlabel=x, ylabel=y, xscale="log" if logx else "linear")
    return ax


def pareto_exercise(front, *, maximize: Sequence[str] = ("accuracy",),
                    minimize: Sequence[str] = ("latency_ms",)) -> Exercise:
    """Exercise: how many models are on the Pareto front?

    Introduced in ``notebooks/06-architecture.ipynb``. ``front`` is a boolean Series from :func:`pareto_front`,
    or the table of qualities itself (then the front of ``maximize`` against ``minimize`` is computed here).

    Examples
    --------
    >>> pareto_exercise(pd.Series([True, False, True])).check(3).reason[:28]
    'that counts every model; a m'
    """
    if isinstance(front, pd.DataFrame):
        front = pareto_front(front, maximize=maximize, minimize=minimize)
    expected = int(front.sum())
    mistakes = {len(front): "that counts every model; a model is off the front if another one is at least as "
                            "good on both qualities and better on one.",
                len(front) - expected: "that counts the models *off* the front (the dominated ones)."}
    mistakes.pop(expected, None)
    return Exercise.count("pareto_count", expected, mistakes=mistakes,
                          hint="for each model, look for another that is at least as accurate *and* at least as "
                               "fast, and better on one of the two.")


def best_feasible_exercise(table, ok, *, column: str = "accuracy") -> Exercise:
    """Exercise: which model that meets every constraint has the highest ``column``? Every other model is explained.

    Introduced in ``notebooks/06-architecture.ipynb``. ``ok`` is a boolean Series from :func:`feasible`, or the
    upper bounds themselves (``{"latency_ms": 1.0}``), applied here.

    Examples
    --------
    >>> t = pd.DataFrame({"accuracy": [0.9, 0.8, 0.7]}, index=["big", "mid", "small"])
    >>> exercise = best_feasible_exercise(t, pd.Series([False, True, True], index=t.index))
    >>> exercise.expected, exercise.check("big").reason[:24]
    ('mid', 'big is the most accurate')
    """
    table = _table(table)
    if isinstance(ok, Mapping):
        ok = feasible(table, at_most=ok)
    expected = table.loc[ok, column].idxmax()
    best = table[column].idxmax()
    options = {}
    for name in table.index:
        if name == expected:
            options[name] = "Rule out first, then optimise."
        elif name == best:
            options[name] = f"{name} is the most accurate overall, but it breaks a constraint; pick among the " \
                            "feasible models."
        elif not ok[name]:
            options[name] = f"{name} breaks a constraint (too slow or too large), so it is out whatever its {column}."
        else:
            options[name] = f"{name} meets both constraints, but another feasible model has a higher {column}."
    return Exercise.choice("best_feasible", expected, options,
                           hint=f"keep the feasible models, then take the highest {column}.")


def _pair(accuracy_a: float, latency_a: float, accuracy_b: float, latency_b: float) -> tuple:
    return ({"accuracy": accuracy_a, "latency_ms": latency_a}, {"accuracy": accuracy_b, "latency_ms": latency_b})


_DIRECTION = ("a model more accurate *and* faster dominates the other; check the direction of each comparison (higher "
              "accuracy is better, lower latency is better).")
_EQUAL = "two models with the same qualities do not dominate each other: one must be strictly better on one quality."
_TRADE_OFF = "a model that is more accurate but slower does not dominate: it must be at least as good on *both*."
_TIE_ONE = "at least as accurate and strictly faster is enough to dominate; strictness is needed on one quality only."


def _is(flag: bool):
    return lambda out: isinstance(out, (bool, np.bool_)) and bool(out) is flag


def dominates_exercise() -> Exercise:
    """Build-it exercise: ``dominates(a, b)`` for two models' qualities (``accuracy`` up, ``latency_ms`` down).

    Introduced in ``notebooks/06-architecture.ipynb``.

    Examples
    --------
    >>> exercise = dominates_exercise()
    >>> answer = lambda a, b: a["accuracy"] >= b["accuracy"] and a["latency_ms"] <= b["latency_ms"]
    >>> "equal qualities" in exercise.check(answer).reason
    True
    """
    cases = [Case("a model more accurate and faster than the other", _pair(0.95, 0.2, 0.90, 0.5), _is(True), _DIRECTION),
             Case("two models with equal qualities", _pair(0.9, 0.3, 0.9, 0.3), _is(False), _EQUAL),
             Case("a more accurate but slower model", _pair(0.95, 3.0, 0.90, 0.5), _is(False), _TRADE_OFF),
             Case("an equally accurate, faster model", _pair(0.9, 0.1, 0.9, 0.4), _is(True), _TIE_ONE),
             Case("a model less accurate and slower than the other", _pair(0.8, 2.0, 0.9, 0.2), _is(False),
                  _DIRECTION)]

    def worked(a, b) -> bool:
        at_least = a["accuracy"] >= b["accuracy"] and a["latency_ms"] <= b["latency_ms"]
        return bool(at_least and (a["accuracy"] > b["accuracy"] or a["latency_ms"] < b["latency_ms"]))

    return Exercise.code("dominates", cases=cases, solution=worked, mistakes=[
        (lambda a, b: a["accuracy"] >= b["accuracy"] and a["latency_ms"] >= b["latency_ms"], _DIRECTION),
        (lambda a, b: a["accuracy"] >= b["accuracy"] and a["latency_ms"] <= b["latency_ms"], _EQUAL),
        (lambda a, b: a["accuracy"] > b["accuracy"] or a["latency_ms"] < b["latency_ms"], _TRADE_OFF),
        (lambda a, b: a["accuracy"] > b["accuracy"] and a["latency_ms"] < b["latency_ms"], _TIE_ONE)],
        hint="at least as good on both qualities, and strictly better on at least one.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 10_000, **_: object) -> dict[str, Exercise]:
    """The exercises of ``notebooks/06-architecture.ipynb`` for its parameters, keyed by name.

    The proof test runs the six candidates of the notebook, measured here with few latency calls.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=600))
    ['best_feasible', 'dominates', 'pareto_count']
    """
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    X, y = make_classification(n_samples=n_samples, n_features=20, n_informative=8, n_redundant=4, weights=[0.8],
                               flip_y=0.02, class_sep=0.8, random_state=seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    candidates = {
        "logistic regression": make_pipeline(StandardScaler(), LogisticRegression()),
        "decision tree": DecisionTreeClassifier(max_depth=6, random_state=seed),
        "random forest": RandomForestClassifier(n_estimators=50, random_state=seed),
        "nearest neighbours": make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=15)),
        "gradient boosting": HistGradientBoostingClassifier(random_state=seed),
        "neural network": make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True,
                                                                        max_iter=300, random_state=seed)),
    }
    qualities = pd.DataFrame([vars(measure_qualities(name, model, X_train, y_train, X_test, y_test, n_latency=5,
                                                     seed=seed)[0]) for name, model in candidates.items()])
    qualities = qualities.set_index("name")
    ok = feasible(qualities, at_most={"latency_ms": 1.0, "size_kb": 100})
    front = pareto_front(qualities, maximize=["accuracy"], minimize=["latency_ms"])
    built = [best_feasible_exercise(qualities, ok), pareto_exercise(front), dominates_exercise()]
    return {exercise.name: exercise for exercise in built}
