"""`mlip run`: many notebooks with papermill's parameters, the grader's execution function and engine."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from papermill.cli import _resolve_type
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from .engine import map_unordered
from .errors import UsageError
from .execute import run_notebook
from .nbcells import read_notebook


@dataclass(frozen=True)
class RunJob:
    """One notebook to run: where it is, where its executed copy goes, its parameters and limits."""

    path: str
    out: str
    parameters: tuple[tuple[str, object], ...]
    cell_timeout: float
    notebook_timeout: float


@dataclass(frozen=True)
class RunSummary:
    """One row of the summary table."""

    notebook: str
    status: str
    seconds: float
    reason: str
    out: str


def parse_parameters(pairs: list[tuple[str, str]]) -> dict[str, object]:
    """Turn ``-p NAME VALUE`` strings into Python values as papermill does (int, float, bool, None, str)."""
    return {name: _resolve_type(value) for name, value in pairs}


def has_parameters_cell(nb) -> bool:
    """Whether a code cell is tagged ``parameters``."""
    return any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells if c.cell_type == "code")


def run_one(job: RunJob) -> RunSummary:
    """Parameterize and execute one notebook, write its executed copy; runs in a worker process."""
    src = Path(job.path)
    start = time.monotonic()
    try:
        nb = read_notebook(src)
    except Exception as exc:
        return RunSummary(src.name, "error", 0.0, str(exc), "")
    params = dict(job.parameters)
    if params:
        if not has_parameters_cell(nb):
            return RunSummary(src.name, "error", 0.0,
                              "no cell tagged `parameters`; tag one so -p values have a place to go", "")
        nb = load_notebook_node(str(src))  # papermill's reader adds the metadata its parameterizer expects
        nb = parameterize_notebook(nb, params, kernel_name="python3", language="python")
    outcome = run_notebook(nb, cwd=src.parent.resolve(), cell_timeout=job.cell_timeout,
                           notebook_timeout=job.notebook_timeout, allow_errors=False)
    Path(job.out).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(outcome.nb, job.out)
    stderr_cells = [r.index + 1 for r in outcome.cells if r.stderr]
    reason = outcome.reason
    if outcome.status == "ok" and stderr_cells:
        reason = f"wrote to stderr in cell(s) {stderr_cells[:5]} (warnings?)"
    return RunSummary(src.name, outcome.status, round(time.monotonic() - start, 2), reason, job.out)


def collect_notebooks(paths: list[str | Path]) -> list[Path]:
    """Expand folders into their notebooks (sorted), skipping checkpoints."""
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(x for x in p.glob("*.ipynb") if ".ipynb_checkpoints" not in x.parts)
        elif p.suffix == ".ipynb" and p.is_file():
            found.append(p)
        else:
            raise UsageError(f"{p}: not a notebook or a folder of notebooks")
    if not found:
        raise UsageError(f"no notebooks found in {', '.join(map(str, paths))}")
    return found


def run(paths: list[str | Path], *, parameters: dict | None = None, jobs: int = 1, out: str | Path = "build/runs",
        scheduler: str | None = None, cell_timeout: float = 600, notebook_timeout: float = 1800,
        progress: bool = True) -> list[RunSummary]:
    """Run notebooks with parameters in parallel; returns a summary row per notebook, in input order."""
    notebooks = collect_notebooks(paths)
    params = tuple((parameters or {}).items())
    jobs_list = [RunJob(str(p.resolve()), str(Path(out).resolve() / p.name), params, cell_timeout, notebook_timeout)
                 for p in notebooks]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs_list), unit="notebook", desc="mlip run")
    rows = {}
    for job, res, exc in map_unordered(run_one, jobs_list, jobs=jobs, scheduler=scheduler):
        rows[job.path] = res or RunSummary(Path(job.path).name, "error", 0.0, f"{type(exc).__name__}: {exc}", "")
        if bar:
            bar.update(1)
            bar.set_postfix_str(f"{rows[job.path].notebook}: {rows[job.path].status}")
    if bar:
        bar.close()
    return [rows[j.path] for j in jobs_list]


def format_summary(rows: list[RunSummary]) -> str:
    """The summary table `mlip run` prints."""
    width = max(len(r.notebook) for r in rows)
    lines = [f"{'notebook':<{width}}  status   seconds  note", "-" * (width + 30)]
    for r in rows:
        lines.append(f"{r.notebook:<{width}}  {r.status:<7} {r.seconds:>8.1f}  {r.reason}")
    return "\n".join(lines)
