"""Reviewing a pipeline: test doubles for slow dependencies, static checks for pipeline smells, the ML Test Score.

Introduced in ``notebooks/10-ml-pipelines.ipynb``. The lecture "Automating and Testing ML Pipelines" (Le Goues &
Kaestner, CMU, CC BY 4.0) decouples the code under test from its dependencies with a driver and a stub, adds code
review and static analysis (automatic detection of problematic patterns from code structure) to testing, and
shows the ML Test Score of Breck et al. (2017), a rubric of 28 tests in four sections. Here a weather API has a
slow, flaky real version and a fake; a small ``ast`` checker (with pyflakes) reads a pipeline's source; and the
rubric is scored from evidence, not typed in.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["ML_TEST_RUBRIC", "Evidence", "FakeWeatherAPI", "MLTestScore", "SlowWeatherAPI", "ml_test_score",
           "repeat_test", "review_source"]


class SlowWeatherAPI:
    """A stand-in for a remote weather service: every call waits ``latency_s`` and fails at ``failure_rate``.

    Introduced in ``notebooks/10-ml-pipelines.ipynb`` as the dependency a unit test should not call.

    >>> api = SlowWeatherAPI(latency_s=0.0, failure_rate=0.0)
    >>> api.weather_on("2020-01-01") in {"sunny", "cloudy", "rain", "snow"}, api.calls
    (True, 1)
    """

    def __init__(self, *, latency_s: float = 0.02, failure_rate: float = 0.1, seed: int = 0) -> None:
        if latency_s < 0 or not 0 <= failure_rate <= 1:
            raise InputError("latency_s must be >= 0 and failure_rate in [0, 1].", argument="failure_rate")
        self.latency_s, self.failure_rate = latency_s, failure_rate
        self._rng = np.random.default_rng(seed)
        self.calls = 0

    def weather_on(self, date: str) -> str:
        """The weather on ``date`` (``YYYY-MM-DD``), after a network delay; raises ``ConnectionError`` at times."""
        self.calls += 1
        time.sleep(self.latency_s)
        if self._rng.random() < self.failure_rate:
            raise ConnectionError(f"weather service timed out for {date}")
        kinds = ("sunny", "cloudy", "rain", "snow")
        return kinds[sum(map(ord, date)) % len(kinds)]


@dataclass
class FakeWeatherAPI:
    """A fake weather service: answers from a dict at once and records what it was asked.

    Introduced in ``notebooks/10-ml-pipelines.ipynb``. Same method as :class:`SlowWeatherAPI`, so the pipeline
    cannot tell them apart; a date the test did not plan for raises ``KeyError``, which points at the test.

    >>> fake = FakeWeatherAPI({"2020-01-01": "snow"})
    >>> fake.weather_on("2020-01-01"), fake.asked
    ('snow', ['2020-01-01'])
    """

    answers: Mapping[str, str]
    """Date to weather, as the test plans it."""
    asked: list[str] = field(default_factory=list)
    """Dates the code under test asked for, in order."""

    def weather_on(self, date: str) -> str:
        """The planned weather on ``date``."""
        self.asked.append(date)
        return self.answers[date]


def repeat_test(test: Callable[[], object], *, times: int = 20) -> dict[str, float]:
    """Run ``test`` ``times`` times; count passes and failures and time the runs.

    Introduced in ``notebooks/10-ml-pipelines.ipynb``, to show that a test against a real dependency is slow
    and flaky while the same test against a fake is fast and repeatable.

    >>> repeat_test(lambda: None, times=3)["passed"]
    3
    """
    if times < 1:
        raise InputError("times must be at least 1.", argument="times")
    passed, start = 0, time.perf_counter()
    for _ in range(times):
        try:
            test()
        except Exception:  # noqa: BLE001 - a failing run is counted, not raised
            continue
        passed += 1
    seconds = time.perf_counter() - start
    return {"runs": times, "passed": passed, "failed": times - passed, "seconds per run": seconds / times}


_SMELLS = {
    "dropna without subset": "drops a row when *any* column is missing, including columns the model never uses",
    "errors='coerce'": "turns every value that fails to parse into NaN without a word",
    "get_dummies on raw values": "makes columns only for the values present, so train and test can differ",
    "chained indexing assignment": "writes into a temporary copy; the table does not change",
    "error swallowed": "an except clause that only passes hides failures",
}


class _SmellFinder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str, str]] = []
        self.function = "(module)"
        self.categorical = False

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer, outer_cat = self.function, self.categorical
        self.function = node.name
        self.categorical = any(isinstance(n, ast.Attribute | ast.Name) and getattr(n, "attr", getattr(n, "id", ""))
                               in {"Categorical", "CategoricalDtype"} for n in ast.walk(node))
        self.generic_visit(node)
        self.function, self.categorical = outer, outer_cat

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords}
        if name == "dropna" and "subset" not in keywords:
            self.found.append((node.lineno, self.function, "dropna without subset"))
        if isinstance(keywords.get("errors"), ast.Constant) and keywords["errors"].value == "coerce":
            self.found.append((node.lineno, self.function, "errors='coerce'"))
        if name == "get_dummies" and not self.categorical:
            self.found.append((node.lineno, self.function, "get_dummies on raw values"))
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute) and isinstance(
                    target.value.value, ast.Subscript):
                self.found.append((node.lineno, self.function, "chained indexing assignment"))
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if all(isinstance(statement, ast.Pass) for statement in node.body):
            self.found.append((node.lineno, self.function, "error swallowed"))
        self.generic_visit(node)


def review_source(source: str, *, pyflakes: bool = True) -> pd.DataFrame:
    """Static analysis of pipeline code: pipeline smells found in its syntax tree, plus pyflakes' findings.

    Introduced in ``notebooks/10-ml-pipelines.ipynb``. The smells (``dropna`` without ``subset``,
    ``errors="coerce"``, ``get_dummies`` in a function that declares no categories, assignment through chained
    indexing, an ``except`` that only passes) are patterns of the silent mistakes the lecture shows; pyflakes adds
    the general ones (unused imports and variables, undefined names). Nothing is run.

    Examples
    --------
    >>> code = "import os\\ndef clean(df):\\n    return df.dropna()\\n"
    >>> review_source(code)[["line", "function", "finding"]].values.tolist()
    [[3, 'clean', 'dropna without subset'], [1, '(module)', "'os' imported but unused"]]
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise InputError(f"source does not parse: {error.msg} (line {error.lineno}).", argument="source") from None
    finder = _SmellFinder()
    finder.visit(tree)
    rows = [{"line": line, "function": function, "tool": "smell check", "finding": smell, "why": _SMELLS[smell]}
            for line, function, smell in sorted(finder.found)]
    if pyflakes:
        from pyflakes.checker import Checker

        functions = {n.lineno: n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}

        def enclosing(line: int) -> str:
            starts = [start for start in functions if start <= line]
            return functions[max(starts)] if starts else "(module)"

        for message in sorted(Checker(tree).messages, key=lambda m: m.lineno):
            line = message.lineno
            rows.append({"line": line, "function": enclosing(line) if line not in functions else "(module)",
                         "tool": "pyflakes", "finding": message.message % message.message_args, "why": ""})
    return pd.DataFrame(rows, columns=["line", "function", "tool", "finding", "why"])


ML_TEST_RUBRIC: dict[str, tuple[str, ...]] = {
    "data": ("Feature expectations are captured in a schema", "All features are beneficial",
             "No feature's cost is too much", "Features adhere to meta-level requirements",
             "The data pipeline has appropriate privacy controls", "New features can be added quickly",
             "All input feature code is tested"),
    "model": ("Model specs are reviewed and submitted", "Offline and online metrics correlate",
              "All hyperparameters have been tuned", "The impact of model staleness is known",
              "A simpler model is not better", "Model quality is sufficient on important data slices",
              "The model is tested for considerations of inclusion"),
    "infrastructure": ("Training is reproducible", "Model specs are unit tested",
                       "The ML pipeline is integration tested",
                       "Model quality is validated before serving", "The model is debuggable",
                       "Models are canaried before serving", "Serving models can be rolled back"),
    "monitoring": ("Dependency changes result in notification", "Data invariants hold for inputs",
                   "Training and serving are not skewed", "Models are not too stale",
                   "Models are numerically stable", "Computing performance has not regressed",
                   "Prediction quality has not regressed"),
}
"""The 28 tests of Breck et al.'s ML Test Score, seven per section; an item is named ``"section-N"`` (1 to 7)."""

_VERDICTS = ((0, "more of a research project than a productionized system"),
             (1, "not totally untested, but serious holes in reliability are possible"),
             (2, "a first pass at basic productionization; more investment may be needed"),
             (3, "reasonably tested; more of the tests and procedures may be automated"),
             (5, "strong automated testing and monitoring, appropriate for mission-critical systems"))


@dataclass(frozen=True)
class Evidence:
    """One test or documented procedure, and the rubric items it covers."""

    name: str
    """The test's name."""
    items: tuple[str, ...]
    """Rubric items it covers, such as ``"data-7"``."""
    passed: bool
    """Whether it passes now; a failing test earns nothing."""
    automated: bool = True
    """Run automatically (for example by CI: 1 point) or by hand with documented results (half a point)."""


@dataclass(frozen=True, eq=False)
class MLTestScore:
    """The rubric scored from evidence."""

    items: pd.DataFrame
    """One row per rubric item: ``section``, ``test``, ``points`` and the ``evidence`` that earned them."""

    @property
    def sections(self) -> pd.Series:
        """Points per section (0 to 7)."""
        return self.items.groupby("section", sort=False)["points"].sum()

    @property
    def score(self) -> float:
        """The final score: the *smallest* section total, since a gap anywhere is a gap."""
        return float(self.sections.min())

    @property
    def verdict(self) -> str:
        """Breck et al.'s reading of the final score."""
        if self.score > 5:
            return "exceptional levels of automated testing and monitoring"
        return next(text for bound, text in _VERDICTS if self.score <= bound)


def ml_test_score(evidence: Iterable[Evidence]) -> MLTestScore:
    """Score the ML Test Score rubric from evidence: 1 point per item covered by a passing automated test,
    half a point if only by a manual one, the final score the minimum over the four sections.

    Introduced in ``notebooks/10-ml-pipelines.ipynb``.

    Examples
    --------
    >>> result = ml_test_score([Evidence("test_encoders", ("data-7",), passed=True),
    ...                         Evidence("test_quality", ("infrastructure-3", "infrastructure-4"), passed=True),
    ...                         Evidence("dashboard review", ("monitoring-7",), passed=True, automated=False)])
    >>> result.sections.tolist(), result.score
    ([1.0, 0.0, 2.0, 0.5], 0.0)
    """
    points: dict[str, float] = {}
    earned_by: dict[str, list[str]] = {}
    known = {f"{section}-{i}" for section, tests in ML_TEST_RUBRIC.items() for i in range(1, len(tests) + 1)}
    for record in evidence:
        for item in record.items:
            if item not in known:
                raise InputError(f"unknown rubric item {item!r} in {record.name!r}; items are named like "
                                 "'data-7' (section, then 1 to 7).", argument="evidence")
            if record.passed:
                points[item] = max(points.get(item, 0.0), 1.0 if record.automated else 0.5)
                earned_by.setdefault(item, []).append(record.name)
    rows = [{"item": f"{section}-{i}", "section": section, "test": text, "points": points.get(f"{section}-{i}", 0.0),
             "evidence": ", ".join(earned_by.get(f"{section}-{i}", []))}
            for section, tests in ML_TEST_RUBRIC.items() for i, text in enumerate(tests, start=1)]
    return MLTestScore(pd.DataFrame(rows).set_index("item"))
