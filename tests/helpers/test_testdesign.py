"""The simulator's planted physics, the loan policy's specification, designed cases, coverage and the suite."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlip_helpers.errors import InputError
from mlip_helpers.testdesign import (
    FOG,
    LIGHT,
    MIN_SCORE,
    ModelCheck,
    boundary_cases,
    make_credit_applications,
    partition_coverage,
    partition_representatives,
    run_suite,
    simulate_scenes,
)


def test_simulator_plants_the_signal_of_each_condition():
    scenes = simulate_scenes(n_per_condition=2000, seed=1)
    assert len(scenes) == 2000 * len(LIGHT) * len(FOG)
    gap = scenes.groupby(["light", "fog"]).apply(
        lambda s: s.loc[s["obstacle"] == 1, "contrast"].mean() - s.loc[s["obstacle"] == 0, "contrast"].mean(),
        include_groups=False)
    for (light, fog), value in gap.items():
        assert value == pytest.approx(LIGHT[light] * (1 - FOG[fog]), abs=0.04)


def test_a_clear_day_detector_degrades_with_the_signal():
    field = simulate_scenes(n_per_condition=500, seed=0, light=["day"], fog=["clear"])
    model = LogisticRegression().fit(field[["contrast", "edges"]], field["obstacle"])
    scenes = simulate_scenes(n_per_condition=500, seed=1, light=["day", "night"], fog=["clear", "fog"])
    hits = (model.predict(scenes[["contrast", "edges"]]) == scenes["obstacle"]).groupby(
        [scenes["light"], scenes["fog"]]).mean()
    assert hits[("day", "clear")] > 0.95 and hits[("night", "fog")] < 0.6


@pytest.mark.parametrize("kwargs, message", [({"n_per_condition": 1}, "at least 2"),
                                             ({"light": ["noon"]}, "unknown light"),
                                             ({"fog": []}, "unknown fog")])
def test_simulator_checks_its_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        simulate_scenes(**kwargs)


def test_credit_policy_is_planted_and_noise_is_the_requested_share():
    clean = make_credit_applications(n_samples=5000, seed=2, label_noise=0.0)
    policy = ((clean["score"] >= MIN_SCORE) & (clean["debt_ratio"] < 0.4)).astype(int)
    assert (clean["approved"] == policy).all()
    noisy = make_credit_applications(n_samples=5000, seed=2, label_noise=0.1)
    assert (noisy["approved"] != policy).mean() == pytest.approx(0.1, abs=0.015)
    assert clean["score"].between(300, 850).all()


def test_credit_applications_check_their_arguments():
    with pytest.raises(InputError, match="at least 10"):
        make_credit_applications(n_samples=3)
    with pytest.raises(InputError, match="label_noise"):
        make_credit_applications(label_noise=0.5)


def test_boundary_cases_combine_every_offset_with_every_class():
    cases = boundary_cases("score", 649, offsets=(-1, 0, 1), others={"debt": [0.1, 0.5], "age": [30]})
    assert len(cases) == 6 and list(cases.columns) == ["score", "debt", "age"]
    assert sorted(set(cases["score"])) == [648, 649, 650]
    with pytest.raises(InputError, match="boundary column"):
        boundary_cases("score", 649, others={"score": [1]})
    with pytest.raises(InputError, match="at least one offset"):
        boundary_cases("score", 649, offsets=())


def test_partition_coverage_counts_rows_per_cell_including_empty_ones():
    rows = pd.DataFrame({"a": [0.5, 0.5, 1.5], "b": [0, 0, 0]})
    table = partition_coverage(rows, {"a": [0, 1, 2], "b": [0, 1, 2]}, min_rows=2)
    assert table["rows"].tolist() == [2, 0, 1, 0]
    assert table["covered"].tolist() == [True, False, False, False]
    assert partition_coverage(rows, {"a": [0, 1]})["rows"].tolist() == [2]  # 1.5 lies outside: not counted


@pytest.mark.parametrize("partitions, message", [({}, "at least one"), ({"z": [0, 1]}, "not in the frame"),
                                                 ({"a": [1, 0]}, "increasing")])
def test_partition_coverage_checks_its_partitions(partitions, message):
    with pytest.raises(InputError, match=message):
        partition_coverage(pd.DataFrame({"a": [0.5]}), partitions)


def test_representatives_cover_every_cell_of_their_partition():
    partitions = {"a": [0, 1, 2, 5], "b": [0, 10, 20]}
    reps = partition_representatives(partitions)
    assert len(reps) == 6
    assert partition_coverage(reps, partitions)["covered"].all()
    with pytest.raises(InputError, match="increasing"):
        partition_representatives({"a": [0]})


def test_run_suite_reports_each_check_for_each_model():
    X = np.arange(10)
    checks = [ModelCheck("mean", lambda p: float(np.mean(p(X))), at_least=0.2, at_most=0.8),
              ModelCheck("ones", lambda p: int(np.sum(p(X))), at_most=3)]
    report = run_suite({"zeros": lambda X: np.zeros(len(X)), "half": lambda X: (X >= 5).astype(int)}, checks)
    assert report["passed"].to_dict() == {("zeros", "mean"): False, ("zeros", "ones"): True,
                                          ("half", "mean"): True, ("half", "ones"): False}
    assert report.loc[("half", "mean"), "bound"] == ">= 0.2 and <= 0.8"


def test_checks_need_a_bound_and_suites_need_content():
    with pytest.raises(InputError, match="needs a bound"):
        ModelCheck("x", lambda p: 0.0)
    with pytest.raises(InputError, match="at least one model"):
        run_suite({}, [ModelCheck("x", lambda p: 0.0, at_most=1)])
