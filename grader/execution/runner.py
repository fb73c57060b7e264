"""`mlip run`: papermill's execution of many notebooks at once, with the kit's engine, limits and pool.

Each notebook goes through ``papermill.execute_notebook`` with the kit's engine (`grader.execution.pmengine`), so
parameters, kernel choice, error banners, run metadata and what counts as a failure are papermill's. This
module adds what papermill lacks: many notebooks, a process pool or Dask workers, time limits, a progress
bar and a summary table.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from grader.execution.engine import map_unordered
from grader.model.errors import UsageError

FAILED = ("error", "timeout", "died")
"""Statuses that make `mlip run` exit 1; ``ok`` and ``prepared`` (``--prepare-only``) do not."""


@dataclass(frozen=True)
class RunJob:
    """One notebook to run: where it is, where its executed copy goes, and how to run it."""

    path: str
    out: str
    parameters: dict = field(default_factory=dict)
    kernel: str | None = None
    """Kernel for the notebook; None: its kernelspec (papermill's rule)."""
    cwd: str = "."
    """Folder the kernel starts in."""
    prepare_only: bool = False
    report_mode: bool = False
    cell_timeout: float = 600
    notebook_timeout: float = 1800
    start_timeout: float = 60
    threads: int = 0
    """Cap on numeric libraries' threads in the kernel (0: none)."""


@dataclass(frozen=True)
class RunSummary:
    """One row of the summary table."""

    notebook: str
    status: str
    """``ok``, ``prepared``, ``error``, ``timeout`` or ``died``."""
    seconds: float
    reason: str
    out: str
    warnings: tuple[str, ...] = ()
    """Papermill's warnings for this notebook (no ``parameters`` cell, unknown parameter)."""


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record):
        if record.thread == self.thread and record.levelno == logging.WARNING:
            self.messages.append(record.getMessage())


@contextmanager
def papermill_warnings():
    """Collect the warnings papermill logs in this thread (and keep its log off our stderr)."""
    handler, log = _Collect(), logging.getLogger("papermill")
    log.addHandler(handler)
    try:
        yield handler.messages
    finally:
        log.removeHandler(handler)


def _failure(exc: Exception) -> tuple[str, str]:
    from jupyter_client.kernelspec import NoSuchKernel
    from papermill.exceptions import PapermillExecutionError

    from grader.execution.pmengine import CELL_TIMEOUT, DEAD_KERNEL, NOTEBOOK_TIMEOUT

    if isinstance(exc, PapermillExecutionError):
        where = f"cell {exc.cell_index + 1} (In [{exc.exec_count}])"
        value = (str(exc.evalue).strip().splitlines() or [""])[0][:200]
        if exc.ename in (CELL_TIMEOUT, NOTEBOOK_TIMEOUT):
            return "timeout", f"{where}: {value}"
        if exc.ename == DEAD_KERNEL:
            return "died", f"{where}: {value}"
        return "error", f"{where} raised {exc.ename}: {value}".rstrip(": ")
    if isinstance(exc, NoSuchKernel):
        return "error", (f"no kernel named {exc.args[0]!r} is installed (see `jupyter kernelspec list`); "
                         "install it or choose one with -k NAME")
    if isinstance(exc, ValueError) and "No kernel name found" in str(exc):
        return "error", "the notebook names no kernel in its metadata; choose one with -k NAME (e.g. -k python3)"
    if isinstance(exc, RuntimeError):  # nbclient's DeadKernelError or a kernel that never answered
        return "died", f"the kernel could not start or died ({str(exc).splitlines()[0][:160]})"
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return "error", f"{type(exc).__name__}: {first}".rstrip(": ")


def _stderr_cells(out: Path) -> list[int]:
    import nbformat

    nb = nbformat.read(out, as_version=4)
    return [i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in c.get("outputs", []))]


def run_one(job: RunJob) -> RunSummary:
    """Run one notebook through ``papermill.execute_notebook`` with the kit's engine; runs in a worker."""
    import papermill

    from grader.execution.pmengine import ENGINE_NAME, register

    register()
    src, out = Path(job.path), Path(job.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    status, reason = ("prepared" if job.prepare_only else "ok"), ""
    with papermill_warnings() as warned:
        try:
            papermill.execute_notebook(
                str(src), str(out), parameters=dict(job.parameters), engine_name=ENGINE_NAME,
                prepare_only=job.prepare_only, kernel_name=job.kernel, progress_bar=False,
                report_mode=job.report_mode, start_timeout=job.start_timeout, workdir=job.cwd,
                cell_timeout=job.cell_timeout, notebook_timeout=job.notebook_timeout, threads=job.threads)
        except Exception as exc:
            status, reason = _failure(exc)
    if status == "ok" and out.is_file():
        stderr_cells = _stderr_cells(out)
        if stderr_cells:
            reason = f"wrote to stderr in cell(s) {stderr_cells[:5]} (warnings?)"
    warned = tuple(dict.fromkeys(warned))
    if warned and status in ("ok", "prepared"):
        reason = "; ".join(filter(None, [reason, *warned]))
    return RunSummary(src.name, status, round(time.monotonic() - start, 2), reason, str(out), warned)


def collect_notebooks(paths: list[str | Path]) -> list[Path]:
    """Expand folders into their notebooks (sorted), skipping checkpoints; names must not repeat."""
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
    names: dict[str, Path] = {}
    for p in found:
        if p.name in names and names[p.name].resolve() != p.resolve():
            raise UsageError(f"two notebooks are named {p.name} ({names[p.name]}, {p}); their executed copies "
                             "would overwrite each other in --out: run them in separate calls")
        names[p.name] = p
    return list({p.resolve(): p for p in found}.values())


def run(paths: list[str | Path], *, parameters: dict | None = None, jobs: int = 1, out: str | Path = "build/runs",
        scheduler: str | None = None, kernel: str | None = None, cwd: str | Path | None = None,
        prepare_only: bool = False, report_mode: bool = False, cell_timeout: float = 600,
        notebook_timeout: float = 1800, start_timeout: float = 60, progress: bool = True) -> list[RunSummary]:
    """Run notebooks with papermill's parameters in parallel; one summary row per notebook, in input order.

    Parameters
    ----------
    paths : list of str or Path
        Notebooks, or folders whose ``*.ipynb`` are all run.
    parameters : dict, optional
        Injected as papermill injects them (after the cell tagged ``parameters``, else at the top).
    jobs : int
        Notebooks run at once in a local process pool (ignored with ``scheduler``).
    out : str or Path
        Folder for the executed copies, one per notebook under its own name.
    scheduler : str, optional
        A Dask scheduler address; notebooks then run on its workers.
    kernel : str, optional
        Kernel for every notebook; default: each notebook's kernelspec.
    cwd : str or Path, optional
        Folder every kernel starts in; default: each notebook's own folder (papermill's: the current folder).
    prepare_only, report_mode : bool
        Papermill's ``--prepare-only`` (inject parameters, run nothing) and ``--report-mode`` (hide inputs).
    cell_timeout, notebook_timeout : float
        Seconds per code cell and per notebook; a run that exceeds either fails at that cell.
    start_timeout : float
        Seconds to wait for a kernel to start.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    list of RunSummary
    """
    if cell_timeout <= 0 or notebook_timeout <= 0 or start_timeout <= 0:
        raise UsageError("time limits must be positive numbers of seconds")
    if cwd is not None and not Path(cwd).is_dir():
        raise UsageError(f"--cwd {cwd}: no such folder")
    notebooks = collect_notebooks(paths)
    width = max(1, min(jobs, len(notebooks)))
    threads = max(1, (os.cpu_count() or 1) // width) if width > 1 and not scheduler else 0
    jobs_list = [RunJob(str(p.resolve()), str(Path(out).resolve() / p.name), dict(parameters or {}), kernel,
                        str(Path(cwd).resolve()) if cwd is not None else str(p.resolve().parent),
                        prepare_only, report_mode, cell_timeout, notebook_timeout, start_timeout, threads)
                 for p in notebooks]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs_list), unit="notebook", desc="mlip run")
    rows = {}
    # --prepare-only starts no kernel and runs no notebook code: no worker is worth its start-up
    done = ((job, run_one(job), None) for job in jobs_list) if prepare_only and not scheduler else \
        map_unordered(run_one, jobs_list, jobs=jobs, scheduler=scheduler)
    for job, res, exc in done:
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
        lines.append(f"{r.notebook:<{width}}  {r.status:<8}{r.seconds:>8.1f}  {r.reason}")
    return "\n".join(lines)
