"""Lock files, a changed default, a cached pipeline and the culture simulation: planted truths recovered."""

from __future__ import annotations

from importlib import metadata

import numpy as np
import pytest

from mlip_helpers.devops import (CULTURES, binarize, compare_lock, freeze, parse_lock, parse_pipeline, run_pipeline,
                                 simulate_culture)
from mlip_helpers.errors import InputError


def test_parse_lock_reads_pins_and_skips_comments():
    text = "# env\n\nScikit_Learn == 1.5.2  # models\npandas==2.2.3\n"
    assert parse_lock(text) == {"scikit-learn": "1.5.2", "pandas": "2.2.3"}


@pytest.mark.parametrize("line", ["numpy>=2", "numpy==", "==2.0", "numpy"])
def test_parse_lock_names_a_line_without_an_exact_pin(line):
    with pytest.raises(InputError, match="line 2"):
        parse_lock(f"pandas==2.2.3\n{line}")


def test_freeze_round_trips_through_compare_lock():
    pins = parse_lock(freeze(["numpy", "pandas"]))
    assert pins["numpy"] == metadata.version("numpy")
    assert (compare_lock(pins)["status"] == "as locked").all()
    with pytest.raises(InputError, match="not installed"):
        freeze(["surely-not-a-package-xyz"])


def test_compare_lock_flags_each_kind_of_drift():
    table = compare_lock({"a": "1.0", "b": "2.0", "c": "3.0"}, {"a": "1.0", "b": "2.1"})
    assert table.set_index("package")["status"].to_dict() == {"a": "as locked", "b": "different version",
                                                              "c": "not installed"}


def test_binarize_default_changed_exactly_at_the_threshold():
    stars = np.array([1.0, 3.5, 4.0, 4.0, 4.5, 5.0])
    old, new = binarize(stars, version="1.9"), binarize(stars, version="2.0.1")
    assert old.tolist() == [False, False, True, True, True, True]
    assert (old & ~new).sum() == (stars == 4.0).sum() and not (new & ~old).any()
    assert binarize(stars, version="2.0", threshold=3.5).sum() == 4
    with pytest.raises(InputError, match="not a version number"):
        binarize(stars, version="latest")


PIPELINE = """
stages:
  load: {cmd: load, params: [n], outs: [data]}
  both: {cmd: both, deps: [data], outs: [low, high]}
  fit:  {cmd: fit, deps: [low], params: [k], outs: [model]}
"""


def test_pipeline_reruns_exactly_what_changed():
    calls = []

    def record(name, value):
        calls.append(name)
        return value

    functions = {"load": lambda n: record("load", list(range(n))),
                 "both": lambda data: record("both", (data[: len(data) // 2], data[len(data) // 2:])),
                 "fit": lambda low, k: record("fit", sum(low) * k)}
    stages, cache = parse_pipeline(PIPELINE), {}
    first = run_pipeline(stages, functions, {"n": 6, "k": 2}, cache)
    assert first.artifacts["model"] == (0 + 1 + 2) * 2 and first.artifacts["high"] == [3, 4, 5]
    assert run_pipeline(stages, functions, {"n": 6, "k": 2}, cache).log["status"].tolist() == ["cached"] * 3
    changed = run_pipeline(stages, functions, {"n": 6, "k": 3}, cache)
    assert changed.log["status"].tolist() == ["cached", "cached", "ran"] and changed.artifacts["model"] == 9
    assert calls == ["load", "both", "fit", "fit"]


@pytest.mark.parametrize("text, message", [
    ("stages: {fit: {cmd: fit, deps: [data], outs: [m]}}", "no earlier stage writes"),
    ("stages: {a: {cmd: a, outs: [x]}, b: {cmd: b, outs: [x]}}", "each artifact has one writer"),
    ("stages: {a: {outs: [x]}}", "has no cmd"),
    ("- a\n- b", "top-level 'stages:'"),
])
def test_parse_pipeline_rejects_pipelines_that_cannot_run(text, message):
    with pytest.raises(InputError, match=message):
        parse_pipeline(text)


def test_run_pipeline_names_missing_functions_and_params():
    stages = parse_pipeline("stages: {a: {cmd: a, params: [p], outs: [x]}}")
    with pytest.raises(InputError, match="not among the functions"):
        run_pipeline(stages, {}, {"p": 1}, {})
    with pytest.raises(InputError, match="needs the parameters"):
        run_pipeline(stages, {"a": lambda p: p}, {}, {})


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_hidden_incidents_grow_where_people_fear_blame(seed):
    blameless, blame = simulate_culture(CULTURES["blameless"], seed=seed), simulate_culture(CULTURES["blame"], seed=seed)
    assert blameless["reported"].sum() > blame["reported"].sum()
    assert blame["incidents"].sum() > 1.3 * blameless["incidents"].sum()


def test_culture_simulation_books_balance_and_checks_inputs():
    weeks = simulate_culture(1.0, weeks=30, teams=5, seed=4, fix_rate=1.0)
    assert (weeks["reported"] == weeks["incidents"]).all() and (weeks["fixed"] == weeks["reported"]).all()
    silent = simulate_culture(0.0, weeks=30, teams=5, seed=4)
    assert silent["reported"].sum() == 0 and silent["fixed"].sum() == 0
    with pytest.raises(InputError, match="probability"):
        simulate_culture(1.5)
