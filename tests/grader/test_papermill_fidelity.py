"""`mlip run` agrees with papermill on papermill's own test notebooks (tests/fixtures/papermill/).

Papermill's side is recorded once for the pinned papermill into tests/fixtures/papermill/expected.json. When the pin
moves, re-record it (real papermill, real kernels) with:

    pytest tests/grader/test_papermill_fidelity.py --update-goldens

mlip's side runs every time, cases sharing options in one `mlip run --jobs 2` call. Compared per case: exit status,
every cell after parameterization (error banners included: type, source, tags, execution count, outputs' kinds) and
papermill's metadata (keys and values, times masked). The only differences allowed are the README's deliberate ones.
"""
from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

FX = Path(__file__).resolve().parents[1] / "fixtures" / "papermill"
NB = FX / "notebooks"
EXPECTED = FX / "expected.json"
BACKSLASH = r"do\ not\ crash"
PARSING = ["-f", "{fx}/parameters/example.yaml", "-y", "qux: [1, two]\nbar: 2019-01-01", "-p", "msg", '"Hello"',
           "-p", "foo", BACKSLASH, "-r", "baz", "4"]  # each kind overrides the one before, in papermill's order
GROUPS = [  # (options given alike to `papermill IN OUT ...` and `mlip run IN... --out DIR ...`, {case: notebook})
    (["--cwd", "{fx}/workdir"], {"cwd": "read_check", "blank_vscode": "blank-vscode", **{n: n for n in [
        "broken", "broken1", "broken2", "sysexit", "sysexit0", "sysexit1", "systemexit", "line_magic_error",
        "test_logging", "notimplemented_translator", "test_autosave", "result_no_exec", "test_notebooknode_io"]}}),
    (["-k", "python3", "--report-mode", "-p", "msg", "Hello", "-p", "var", "It works", "-p", "a", "0"],
     {"params": "simple_execute", "no_parameters_tag": "no_parameters", "complex_parameters": "complex_parameters",
      "kernel_option": "blank-vscode", "nb_version_4_4": "nb_version_4.4", "report_mode": "report_mode_test"}),
    (["--prepare-only", *PARSING], {"prepare_parsing": "simple_execute", "prepare_broken1": "broken1",
                                    "prepare_keyboard_interrupt": "keyboard_interrupt"}),
    (["--execution-timeout", "2"], {"cell_timeout": "keyboard_interrupt"}),
]
CASES = {case: (nb, opts) for opts, cases in GROUPS for case, nb in cases.items()}
DELIBERATE = {"cell_timeout"}  # README, "Running notebooks in batch": a timed-out cell is marked failed, with a banner

# What `mlip run` adds to papermill: limits, the output cap, a dead kernel's report, the notebook's folder as cwd.
EXTRAS = {
    "read_check": None,  # copied from the fixtures, with check.txt beside it
    "flood": ['print("x" * 300_000)'],
    "dies": ["import os\nos._exit(1)", "print('not reached')"],
    "sleepy": ["import time\ntime.sleep(2)", "time.sleep(30)", "print('not reached')"],
}


def options(case: str) -> list[str]:
    return [a.replace("{fx}", str(FX)) for a in CASES[case][1]]


def _mask(key: str, value):
    if key in ("start_time", "end_time", "duration"):
        return None if value is None else "<time>"
    if key in ("input_path", "output_path"):
        return Path(value).name if value else value
    return value


def digest(path: Path) -> dict | None:
    """What papermill and mlip must agree on in an executed notebook (None: no notebook was written)."""
    if not path.is_file():
        return None
    nb = json.loads(path.read_text())
    cells = []
    for c in nb["cells"]:
        kinds = []
        for o in c.get("outputs", []):
            kind = ":".join(filter(None, [o["output_type"], o.get("ename"), o.get("name")]))
            if not kinds or kinds[-1] != kind:  # how a stream is split into messages depends on timing
                kinds.append(kind)
        cells.append({"type": c["cell_type"], "source": "".join(c["source"]), "tags": c["metadata"].get("tags"),
                      "hidden": c["metadata"].get("jupyter", {}).get("source_hidden", False),
                      "count": c.get("execution_count"), "outputs": kinds,
                      "papermill": {k: _mask(k, v) for k, v in sorted(c["metadata"].get("papermill", {}).items())}})
    meta = nb["metadata"].get("papermill", {})
    return {"nbformat": [nb["nbformat"], nb["nbformat_minor"]], "cells": cells,
            "papermill": {k: _mask(k, v) for k, v in sorted(meta.items())}}


def record_papermill(tmp: Path) -> dict:
    """Run the real papermill on every case; its exit status and executed notebook's digest."""
    import papermill

    def one(case):
        out = tmp / case / f"{CASES[case][0]}.ipynb"
        out.parent.mkdir()
        res = subprocess.run([sys.executable, "-m", "papermill", str(NB / f"{CASES[case][0]}.ipynb"), str(out),
                              "--no-progress-bar", *options(case)], cwd=tmp, capture_output=True, text=True,
                             timeout=300)
        return case, {"exit": res.returncode, "notebook": digest(out)}

    with ThreadPoolExecutor(2) as pool:
        cases = dict(pool.map(one, CASES))
    return {"papermill": papermill.__version__, "cases": cases}


def mlip_run(paths: list[Path], out: Path, opts: list[str]) -> tuple[subprocess.CompletedProcess, dict]:
    """One `mlip run --jobs 2` call; its process and its summary rows by notebook name."""
    res = subprocess.run([sys.executable, "-m", "grader.cli", "run", *map(str, paths), "--out", str(out),
                          "--jobs", "2", "--no-progress", *opts], capture_output=True, text=True, timeout=300)
    rows = {ln.split()[0]: ln.split(None, 3)[1:] for ln in res.stdout.splitlines()
            if ln.split()[:1] and ln.split()[0].endswith(".ipynb")}
    return res, rows


def write_extras(src: Path) -> None:
    """Notebooks for what `mlip run` adds to papermill (see EXTRAS)."""
    import nbformat

    src.mkdir()
    (src / "check.txt").write_text("exists")
    for name, cells in EXTRAS.items():
        nb = nbformat.read(NB / f"{name}.ipynb", 4) if cells is None else nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(c) for c in cells],
            metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
        nbformat.write(nb, src / f"{name}.ipynb")


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    """Every `mlip run` call of this module, two at a time: one per group of cases, then the extras."""
    tmp = tmp_path_factory.mktemp("mlip")
    work = [([NB / f"{nb}.ipynb" for nb in cases.values()], tmp / f"group{g}", [o.replace("{fx}", str(FX))
             for o in opts]) for g, (opts, cases) in enumerate(GROUPS)]
    write_extras(tmp / "extras")
    work.append(([tmp / "extras"], tmp / "extras-out", ["--cell-timeout", "20", "--notebook-timeout", "4"]))
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda w: mlip_run(*w), work))
    return [(res, rows, out) for (res, rows), (_, out, _) in zip(done, work)]


@pytest.fixture(scope="module")
def mlip(calls):
    results = {}
    for g, (_, cases) in enumerate(GROUPS):
        res, rows, out = calls[g]
        for c, nb in cases.items():
            results[c] = {"status": (rows.get(f"{nb}.ipynb") or [None])[0], "call": g, "call_exit": res.returncode,
                          "stderr": res.stderr, "notebook": digest(out / f"{nb}.ipynb")}
    return results


@pytest.fixture(scope="module")
def expected(request, tmp_path_factory):
    import papermill

    if request.config.getoption("--update-goldens") or not EXPECTED.is_file():
        EXPECTED.write_text(json.dumps(record_papermill(tmp_path_factory.mktemp("pm")), indent=1) + "\n")
    data = json.loads(EXPECTED.read_text())
    assert data["papermill"] == papermill.__version__, \
        "papermill's pin moved; re-record: pytest tests/grader/test_papermill_fidelity.py --update-goldens"
    return data["cases"]


def test_every_case_is_recorded(expected):
    assert set(expected) == set(CASES)
    assert {v["exit"] for v in expected.values()} == {0, 1}  # the suite holds both clean runs and failures


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(set(CASES) - DELIBERATE))
def test_mlip_run_matches_papermill(case, expected, mlip):
    pm, ours = expected[case], mlip[case]
    assert ours["status"] is not None, ours["stderr"]
    assert (ours["status"] not in ("ok", "prepared")) == (pm["exit"] != 0), ours["stderr"]
    assert ours["notebook"] == pm["notebook"]


@pytest.mark.slow
def test_each_call_exits_1_exactly_when_one_of_its_notebooks_failed(mlip):
    for case, ours in mlip.items():
        failed = [c for c in mlip if mlip[c]["call"] == ours["call"] and mlip[c]["status"] in
                  ("error", "timeout", "died")]
        assert ours["call_exit"] == (1 if failed else 0), case


@pytest.mark.slow
def test_no_parameters_tag_warns_and_injects_at_the_top(mlip):
    ours = mlip["no_parameters_tag"]
    assert "no_parameters.ipynb: Input notebook does not contain a cell with tag 'parameters'" in ours["stderr"]
    assert ours["notebook"]["cells"][0]["tags"] == ["injected-parameters"]


@pytest.mark.slow
def test_cell_timeout_fails_the_run_at_that_cell_with_a_banner(expected, mlip):
    pm, ours = expected["cell_timeout"], mlip["cell_timeout"]
    assert pm["exit"] == 1 and ours["status"] == "timeout" and ours["call_exit"] == 1
    banner, cell = ours["notebook"]["cells"][0], ours["notebook"]["cells"][2]
    assert banner["tags"] == ["papermill-error-cell-tag"] and "In [1]" in banner["source"]
    assert cell["source"] == pm["notebook"]["cells"][0]["source"]
    assert cell["papermill"]["status"] == "failed" and cell["outputs"][-1] == "error:CellTimeoutError"
    assert ours["notebook"]["papermill"]["exception"] is True


@pytest.fixture(scope="module")
def extras(calls):
    import nbformat

    res, rows, out = calls[-1]
    return res, rows, {n: nbformat.read(out / f"{n}.ipynb", 4) for n in EXTRAS}


@pytest.mark.slow
def test_kernels_start_in_the_notebooks_own_folder_by_default(extras):
    _, rows, _ = extras
    assert rows["read_check.ipynb"][0] == "ok", rows


@pytest.mark.slow
def test_a_flood_of_output_is_cut_and_noted(extras):
    _, rows, nbs = extras
    text = "".join(o.get("text", "") for o in nbs["flood"].cells[0].outputs)
    assert rows["flood.ipynb"][0] == "ok" and "[output cut" in text and len(text) < 250_000


@pytest.mark.slow
def test_a_dead_kernel_is_reported_in_its_cell(extras):
    res, rows, nbs = extras
    assert rows["dies.ipynb"][0] == "died" and "cell 1" in rows["dies.ipynb"][2], rows
    cell = nbs["dies"].cells[2]  # after papermill's two banner cells
    assert cell.metadata.papermill.status == "failed" and cell.outputs[-1].ename == "DeadKernelError"
    assert res.returncode == 1


@pytest.mark.slow
def test_the_notebook_limit_stops_the_run_in_the_cell_that_spends_it(extras):
    _, rows, nbs = extras
    status, _, note = rows["sleepy.ipynb"]
    assert status == "timeout" and "cell 2" in note and "notebook's time limit of 4 s" in note, rows
    cells = [c for c in nbs["sleepy"].cells if c.cell_type == "code"]
    assert [c.metadata.papermill.status for c in cells] == ["completed", "failed", "pending"]
    assert cells[1].outputs[-1].ename == "NotebookTimeoutError" and cells[2].execution_count is None


def test_parameters_are_read_as_papermill_reads_them():
    import doctest

    from grader.execution import runparams
    from grader.model.errors import UsageError

    assert doctest.testmod(runparams).failed == 0
    got = runparams.collect_parameters(pairs=[("a", "1"), ("b", "x")], raw=[("a", "2")], yaml_texts=["b: [1]"])
    assert got == {"a": "2", "b": "x"}
    for bad in (dict(yaml_texts=["[1"]), dict(yaml_texts=["5"]), dict(files=["/nonexistent.yaml"]),
                dict(base64_texts=["not base64!"])):
        with pytest.raises(UsageError):
            runparams.collect_parameters(**bad)


def test_the_engine_is_registered_only_when_mlip_run_runs(monkeypatch):
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    import grader.cli
    import grader.execution.pmengine
    import grader.execution.runner

    grader.cli.build_parser()
    with pytest.raises(PapermillException):  # importing the kit registers nothing
        papermill_engines.get_engine("mlip")
    monkeypatch.setattr(papermill_engines, "_engines", dict(papermill_engines._engines))
    grader.execution.pmengine.register()  # what each `mlip run` worker does
    assert papermill_engines.get_engine("mlip") is grader.execution.pmengine.MlipEngine
