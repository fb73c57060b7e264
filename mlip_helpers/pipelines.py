"""Testing ML pipelines: the lecture's delivery-count data with planted traps, and small test runners.

Introduced in ``notebooks/10-ml-pipelines.ipynb``. The lecture "Automating and
Testing ML Pipelines" (Le Goues & Kaestner, CMU, CC BY 4.0) restructures a
notebook that predicts delivery counts into functions and tests them one by
one. :func:`make_delivery_data` produces such raw data, with the traps that make
wrangling mistakes silent: a mostly empty ``notes`` column, counts written
with thousands separators, known weekday effects. :func:`run_tests` runs plain
test functions in the notebook; :func:`run_pytest` runs test files with
pytest in a fresh process, as continuous integration would.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise

from mlip_helpers.errors import InputError

__all__ = [
    "WEEKDAY_EFFECT", "WEATHER_EFFECT", "DeliveryData", "PytestRun", "TestOutcome", "TestRun",
    "make_delivery_data", "run_pytest", "run_tests",
    "NOTEBOOK", "kept_days_exercise", "lecture_exercises", "which_level_exercise", "weather_test_exercise",
]

WEEKDAY_EFFECT = {"Monday": 150, "Tuesday": 100, "Wednesday": 80, "Thursday": 60, "Friday": 200,
                  "Saturday": -100, "Sunday": -300}
"""Planted change of the daily delivery count by weekday."""

WEATHER_EFFECT = {"sunny": 0, "cloudy": 40, "rain": 160, "snow": -220}
"""Planted change of the daily delivery count by weather."""

NOTEBOOK = "10-ml-pipelines"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""


@dataclass(frozen=True, eq=False)
class DeliveryData:
    """Raw daily delivery records as an export would deliver them, with the truth behind them."""

    frame: pd.DataFrame
    """Text columns as in a CSV: ``datetime`` (ISO date), ``weather``, ``temperature``, ``notes``
    (mostly empty) and ``delivery_count`` (text; from 1,000 on with a thousands separator)."""
    expected_count: np.ndarray
    """The noise-free count of each day: what a perfect model would predict."""
    count: np.ndarray
    """The true count of each day as a number."""


def make_delivery_data(*, n_days: int = 730, start: str = "2019-01-01", notes_share: float = 0.2,
                       noise: float = 40.0, seed: int = 0) -> DeliveryData:
    """Generate daily delivery counts driven by weekday, month and weather, formatted as a raw export.

    Introduced in ``notebooks/10-ml-pipelines.ipynb``. The count is 760 plus
    :data:`WEEKDAY_EFFECT`, :data:`WEATHER_EFFECT`, 250 in December, plus
    noise. Only ``notes_share`` of the days have a note; counts of 1,000 or
    more are written as ``"1,234"``.

    Examples
    --------
    >>> data = make_delivery_data(n_days=14, seed=0)
    >>> data.frame.columns.tolist()
    ['datetime', 'weather', 'temperature', 'notes', 'delivery_count']
    >>> data.frame["datetime"].iloc[0], int(data.count[0]) == int(data.frame["delivery_count"].iloc[0].replace(",", ""))
    ('2019-01-01', True)
    """
    if n_days < 1:
        raise InputError(f"n_days must be at least 1, got {n_days}.", argument="n_days")
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=n_days, freq="D")
    winter = dates.month.isin([12, 1, 2])
    weather = np.where(rng.random(n_days) < np.where(winter, 0.25, 0.0), "snow",
                       rng.choice(["sunny", "cloudy", "rain"], size=n_days, p=[0.5, 0.3, 0.2]))
    temperature = (12 - 12 * np.cos(2 * np.pi * (dates.day_of_year - 15) / 365) + rng.normal(0, 3, n_days)).round(1)
    expected = (760 + dates.day_name().map(WEEKDAY_EFFECT).to_numpy() + pd.Series(weather).map(WEATHER_EFFECT)
                .to_numpy() + np.where(dates.month == 12, 250, 0)).astype(float)
    count = np.maximum(np.round(expected + rng.normal(0, noise, n_days)), 0).astype(int)
    notes = np.where(rng.random(n_days) < notes_share,
                     rng.choice(["holiday staff", "truck repair", "new driver"], size=n_days), None)
    frame = pd.DataFrame({"datetime": dates.strftime("%Y-%m-%d"), "weather": weather, "temperature": temperature,
                          "notes": notes, "delivery_count": [f"{c:,}" for c in count]})
    return DeliveryData(frame, expected, count)


@dataclass(frozen=True)
class TestOutcome:
    """Result of one test function."""

    name: str
    """The function's name."""
    passed: bool
    """True when it returned without an exception."""
    message: str
    """Empty on success; else the exception type, its message and the failing line."""


@dataclass(frozen=True)
class TestRun:
    """Outcomes of running a list of plain test functions."""

    outcomes: tuple[TestOutcome, ...]
    """One outcome per test, in the order run."""

    @property
    def n_passed(self) -> int:
        """Tests that passed."""
        return sum(o.passed for o in self.outcomes)

    @property
    def n_failed(self) -> int:
        """Tests that failed."""
        return len(self.outcomes) - self.n_passed

    def frame(self) -> pd.DataFrame:
        """One row per test: ``passed`` and ``message``, indexed by name."""
        return pd.DataFrame([o.__dict__ for o in self.outcomes]).set_index("name")

    def __str__(self) -> str:
        lines = [f"{'PASS' if o.passed else 'FAIL'}  {o.name}" + (f"\n      {o.message}" if o.message else "")
                 for o in self.outcomes]
        return "\n".join(lines + [f"-- {self.n_passed} of {len(self.outcomes)} tests pass"])


def run_tests(tests: Iterable[Callable[[], object]]) -> TestRun:
    """Call each test function, catching failures, and collect the outcomes (a pocket-sized pytest).

    Introduced in ``notebooks/10-ml-pipelines.ipynb``. An ``AssertionError``
    or any other exception fails the test; the message names the failing
    line so a notebook shows *why*.

    Examples
    --------
    >>> def test_ok():
    ...     assert 1 + 1 == 2
    >>> def test_broken():
    ...     assert [1, 2] == [2, 1], "order matters"
    >>> run = run_tests([test_ok, test_broken])
    >>> run.n_passed, run.n_failed, run.outcomes[1].message.splitlines()[0]
    (1, 1, 'AssertionError: order matters')
    """
    outcomes = []
    for test in tests:
        try:
            test()
        except Exception as error:  # noqa: BLE001 - a failing test is a result, not a crash
            frames = traceback.extract_tb(error.__traceback__)
            where = f"\n      at: {frames[-1].line}" if frames and frames[-1].line else ""
            text = f"{type(error).__name__}: {error}".rstrip(": ")
            outcomes.append(TestOutcome(test.__name__, False, text + where))
        else:
            outcomes.append(TestOutcome(test.__name__, True, ""))
    return TestRun(tuple(outcomes))


@dataclass(frozen=True)
class PytestRun:
    """What a pytest process reported."""

    returncode: int
    """0 when every test passed, 1 when some failed (what a CI job checks)."""
    output: str
    """pytest's report, as a terminal would show it."""


def run_pytest(files: Mapping[str, str], *, args: Iterable[str] = ("-q",), timeout: float = 120) -> PytestRun:
    """Write ``files`` (name to source) into a fresh folder and run pytest there in a new process.

    Introduced in ``notebooks/10-ml-pipelines.ipynb``. This is what a CI job
    does: check out the code, run the test command, pass or fail on its exit
    code. Nothing from the notebook's memory is visible to the tests.

    Examples
    --------
    >>> run = run_pytest({"test_math.py": "def test_add():\\n    assert 1 + 1 == 2\\n"})
    >>> run.returncode, "1 passed" in run.output
    (0, True)
    """
    with tempfile.TemporaryDirectory(prefix="mlip-pytest-") as folder:
        for name, source in files.items():
            (Path(folder) / name).write_text(source)
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", folder,
                   "--color=no", "-W", "ignore::DeprecationWarning", *args]
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=timeout)
    return PytestRun(done.returncode, (done.stdout + done.stderr).strip())


def kept_days_exercise(train: pd.DataFrame) -> Exercise:
    """Exercise: how many rows of ``train`` a ``dropna()`` over all columns keeps.

    Introduced in ``notebooks/10-ml-pipelines.ipynb``.

    Examples
    --------
    >>> frame = pd.DataFrame({"datetime": ["a", "b", "c"], "notes": [None, "x", None]})
    >>> kept_days_exercise(frame).check(3).reason[:28]
    'that is every training day: '
    """
    kept = len(train.dropna())
    mistakes = {len(train): "that is every training day: the buggy cleaning drops all rows with any missing value, "
                            "including a missing note.",
                len(train) - kept: "that is the number of days thrown away; the exercise asks for the days kept.",
                int(train["notes"].isna().sum()) if "notes" in train else -1:
                    "that counts the days *without* a note; those are the ones dropna throws away."}
    mistakes.pop(kept, None)
    return Exercise.count("days_kept_by_dropna", kept, mistakes=mistakes, hint="run the buggy clean_data on train.")


WEATHER_KINDS = ("sunny", "cloudy", "rain", "snow")


def _right_weather(df: pd.DataFrame) -> pd.DataFrame:
    weather = pd.Categorical(df["weather"], categories=list(WEATHER_KINDS))
    return pd.get_dummies(df.assign(weather=weather), columns=["weather"])


def _present_only(df: pd.DataFrame) -> pd.DataFrame:
    return pd.get_dummies(df, columns=["weather"])


def _misses_snow(df: pd.DataFrame) -> pd.DataFrame:
    weather = pd.Categorical(df["weather"], categories=["sunny", "cloudy", "rain"])
    return pd.get_dummies(df.assign(weather=weather), columns=["weather"]).assign(weather_snow=False)


def _shifted(df: pd.DataFrame) -> pd.DataFrame:
    encoded = _right_weather(df)
    names = [f"weather_{k}" for k in WEATHER_KINDS]
    return encoded.rename(columns=dict(zip(names, names[1:] + names[:1])))[encoded.columns]


def _test_passed(out: object) -> bool:
    return not isinstance(out, BaseException)


_WRONGLY_FAILS = ("your test fails on a correct encoder: ask only for what the encoder must do (one True column per "
                  "weather kind, the same four columns whatever the data).")
_PRESENT_ONLY = ("your test passes an encoder that makes columns only for the weather present in the data: encode a "
                 "table with one kind of weather only and check that all four columns are there.")
_MISSES_SNOW = ("your test passes an encoder that silently encodes snow as all zeros: check the row of every kind, "
                "snow included.")
_SHIFTED = ("your test passes an encoder that flags the wrong column for each kind: check *which* column is True for "
            "a known kind, not only that some column is.")


def weather_test_exercise() -> Exercise:
    """Build-it exercise: a unit test ``test_weather_encoding(encode_weather)`` run against hidden encoders.

    Introduced in ``notebooks/10-ml-pipelines.ipynb``. The test must pass on the correct encoder and fail (raise)
    on three buggy ones.

    Examples
    --------
    >>> "only for the weather present" in weather_test_exercise().check(lambda encode: True).reason
    True
    """
    failing = (Exception,)
    cases = [Case("the correct encoder", (_right_weather,), _test_passed, _WRONGLY_FAILS, raises=failing),
             Case("an encoder built on the categories in the data", (_present_only,), lambda o: not _test_passed(o),
                  _PRESENT_ONLY, raises=failing),
             Case("an encoder that forgot a category", (_misses_snow,), lambda o: not _test_passed(o), _MISSES_SNOW,
                  raises=failing),
             Case("an encoder with shifted column names", (_shifted,), lambda o: not _test_passed(o), _SHIFTED,
                  raises=failing)]

    def worked(encode_weather) -> None:
        for kind in WEATHER_KINDS:
            encoded = encode_weather(pd.DataFrame({"weather": [kind]}))
            columns = sorted(c for c in encoded.columns if c.startswith("weather_"))
            assert columns == sorted(f"weather_{k}" for k in WEATHER_KINDS), f"columns {columns}"
            assert bool(encoded[f"weather_{kind}"].iloc[0]), f"{kind} not flagged"
            assert int(encoded[columns].astype(int).sum(axis=1).iloc[0]) == 1, f"{kind}: not exactly one column"

    def all_kinds_present(encode_weather) -> None:
        encoded = encode_weather(pd.DataFrame({"weather": list(WEATHER_KINDS)}))
        assert all(f"weather_{k}" in encoded.columns for k in WEATHER_KINDS)

    def one_kind_columns(encode_weather) -> None:
        encoded = encode_weather(pd.DataFrame({"weather": ["rain"]}))
        assert sum(c.startswith("weather_") for c in encoded.columns) == 4

    def too_strict(encode_weather) -> None:
        encoded = encode_weather(pd.DataFrame({"weather": ["rain"]}))
        assert list(encoded.columns) == ["weather_rain"]

    return Exercise.code("weather_unit_test", cases=cases, solution=worked, mistakes=[
        (lambda encode: True, _PRESENT_ONLY), (all_kinds_present, _PRESENT_ONLY), (one_kind_columns, _MISSES_SNOW),
        (too_strict, _WRONGLY_FAILS)],
        hint="encode a one-row table for each kind and check the columns and which one is True.")


def which_level_exercise() -> Exercise:
    """Exercise: the level of a test that runs several pipeline steps together in one process (integration).

    Introduced in ``notebooks/10-ml-pipelines.ipynb``.

    Examples
    --------
    >>> which_level_exercise().check("unit").reason[:22]
    'a unit test isolates o'
    """
    return Exercise.choice("test_level", "integration", {
        "unit": "a unit test isolates one function with a hand-made input; this one runs several steps together.",
        "integration": "Several steps together, in-process, on small data, with a property of the result checked.",
        "system": "a system test exercises the deployed product from outside; this one runs the steps in-process, "
                  "with no service started."}, hint="how many parts run, and is anything deployed?")


def lecture_exercises(*, seed: int = 0, n_samples: int = 730, **_: object) -> dict[str, Exercise]:
    """The exercises of ``notebooks/10-ml-pipelines.ipynb`` for its parameters, keyed by name.

    Examples
    --------
    >>> sorted(lecture_exercises())
    ['days_kept_by_dropna', 'test_level', 'weather_unit_test']
    """
    import io

    frame = make_delivery_data(n_days=n_samples, seed=seed).frame
    cut = int(len(frame) * 0.8)
    buffer = io.StringIO()
    frame.iloc[:cut].to_csv(buffer, index=False)
    train = pd.read_csv(io.StringIO(buffer.getvalue()))
    built = [kept_days_exercise(train), weather_test_exercise(), which_level_exercise()]
    return {exercise.name: exercise for exercise in built}
