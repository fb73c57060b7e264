"""The one way a notebook is run: lecture batch runs and grading both call `run_notebook`."""
from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellControlSignal, CellExecutionError, CellTimeoutError, DeadKernelError
import nbformat
from nbformat import NotebookNode

OUTPUT_LIMIT_CHARS = 200_000
"""Text kept per cell; the rest of a flood of output is cut and noted."""


@dataclass(frozen=True)
class CellRun:
    """What happened to one code cell."""

    index: int
    status: str
    """``ok``, ``error``, ``timeout``, ``died`` (the kernel died in it) or ``not run``."""
    error: str = ""
    """``Name: value`` of the error, or why the cell did not run."""
    stderr: bool = False
    """The cell wrote to stderr (nbgrader scores such a test cell 0)."""
    seconds: float = 0.0


@dataclass(frozen=True)
class RunOutcome:
    """A notebook's run: the executed notebook, each code cell's fate, and one overall status."""

    nb: NotebookNode
    cells: tuple[CellRun, ...]
    status: str
    """``ok``; ``error`` (a cell raised and errors stop the run); ``timeout``; ``died``."""
    reason: str = ""
    seconds: float = 0.0
    by_index: dict = field(default_factory=dict, compare=False, repr=False)

    def cell(self, index: int) -> CellRun:
        """The run of the cell at ``index``."""
        return self.by_index[index]


class CappedClient(NotebookClient):
    """nbclient's client with a cap on what one cell's outputs may hold, and each cell's reply status kept."""

    def __init__(self, *args, output_limit: int = OUTPUT_LIMIT_CHARS, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_limit = output_limit
        self.used: dict[int, int] = {}
        self.cut: set[int] = set()
        self.late_stderr: set[int] = set()
        self.replies: dict[int, str] = {}

    def output(self, outs, msg, display_id, cell_index):
        """Keep outputs until the cell's limit, then one note; errors are always kept."""
        kind = msg["msg_type"]
        content = msg.get("content", {})
        if kind == "stream":
            size = len(content.get("text", ""))
        elif kind in ("display_data", "execute_result", "update_display_data"):
            size = sum(len(str(v)) for v in content.get("data", {}).values())
        else:
            size = 0
        used = self.used.get(cell_index, 0)
        if kind == "error" or used + size <= self.output_limit:
            self.used[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)
        if kind == "stream" and content.get("name") == "stderr":
            self.late_stderr.add(cell_index)
        if cell_index not in self.cut:
            self.cut.add(cell_index)
            outs.append(nbformat.v4.new_output(
                "stream", name="stdout", text=f"\n[output cut: more than {self.output_limit} characters]\n"))
        return None

    def _check_raise_for_error(self, cell, cell_index, exec_reply):
        if exec_reply is not None:
            self.replies[cell_index] = exec_reply.get("content", {}).get("status", "")
        return super()._check_raise_for_error(cell, cell_index, exec_reply)


def _error_of(cell: NotebookNode) -> tuple[str, bool]:
    err, stderr = "", False
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error" and not err:
            err = f"{out.get('ename', 'Error')}: {str(out.get('evalue', ''))[:200]}"
        elif out.get("output_type") == "stream" and out.get("name") == "stderr":
            stderr = True
    return err, stderr


def run_notebook(nb: NotebookNode, *, cwd: str | Path, cell_timeout: float = 30, notebook_timeout: float = 600,
                 kernel_name: str = "python3",
                 output_limit: int = OUTPUT_LIMIT_CHARS, km=None, judge: "Judge | None" = None) -> RunOutcome:
    """Execute ``nb`` in place in a fresh kernel started in ``cwd``.

    Each cell gets at most ``cell_timeout`` seconds and the whole notebook ``notebook_timeout``; a timed-out
    cell is interrupted and later cells still run until the notebook's time is spent, and a cell's error does not
    stop the run (nbgrader's semantics; `mlip run` is papermill's, in `pmengine`). With a ``judge``, the cells it
    names run in the judge's kernel instead (or in both), in notebook order, in lockstep with this one.
    """
    start = time.monotonic()
    deadline = start + notebook_timeout
    sockets = None
    if km is None:
        # ipc sockets: nothing listens on the network, and a kernel without a network still reaches its client
        sockets = tempfile.mkdtemp(prefix="mlip-k-")
        km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=f"{sockets}/kernel")
    try:
        return run_sync(_run)(nb, km, cwd, cell_timeout, notebook_timeout, kernel_name, output_limit, start,
                              deadline, judge)
    finally:
        stop_kernel(km)  # the judge's kernel belongs to the worker (`warm.take_judge`) and outlives the run
        if sockets:
            shutil.rmtree(sockets, ignore_errors=True)


@dataclass(frozen=True)
class Judge:
    """A second kernel, outside the student's sandbox, that runs the cells ``roles`` gives it."""

    km: object
    """The judge kernel's manager (started)."""
    cwd: Path
    roles: dict
    """Code cell index -> ``judge`` (only there) or ``both``; other cells run in the student's kernel."""
    student_prelude: str
    """Code run silently in the student's kernel before any cell (the grading agent)."""
    prelude: str
    """Code run silently in the judge before any cell (opens its channel to the student's kernel)."""
    before: dict
    """Code cell index -> code run silently in the judge just before that cell (binds the student's names)."""


def stop_kernel(km) -> None:
    """Kill the kernel and everything in its process group; no process outlives its run."""
    pgid = getattr(getattr(km, "provisioner", None), "pgid", None)
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # a kernel that is already gone is fine
        pass
    if pgid:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        run_sync(km.cleanup_resources)()
    except Exception:
        pass


async def _quiet(client, code: str, timeout: float) -> str:
    """Run harness code silently in ``client``'s kernel; the error it raised, or ''."""
    msg_id = client.kc.execute(code, silent=True, store_history=False)
    deadline = time.monotonic() + timeout
    while True:
        try:
            reply = await client.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:  # no reply in time: stop it, so the kernel is free for the next cell
            await _interrupt(client.km)
            return f"harness code took longer than {timeout:.0f} s"
        if reply["parent_header"].get("msg_id") == msg_id:
            content = reply["content"]
            return "" if content.get("status") == "ok" else f"{content.get('ename')}: {content.get('evalue')}"[:300]


async def _run(nb, km, cwd, cell_timeout, notebook_timeout, kernel_name, output_limit, start, deadline, judge=None):
    client = CappedClient(nb, timeout=cell_timeout, kernel_name=kernel_name, allow_errors=True,
                          interrupt_on_timeout=True, record_timing=False, km=km, output_limit=output_limit,
                          resources={"metadata": {"path": str(cwd)}}, startup_timeout=60)
    judged = None
    if judge is not None:
        judged = CappedClient(copy.copy(nb), timeout=cell_timeout, kernel_name=kernel_name, allow_errors=True,
                              interrupt_on_timeout=True, record_timing=False, km=judge.km,
                              output_limit=output_limit, resources={"metadata": {"path": str(judge.cwd)}},
                              startup_timeout=60)
        judged.nb.cells = list(nb.cells)
    runs: list[CellRun] = []
    status, reason = "ok", ""
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    roles = judge.roles if judge else {}

    def skip_rest(after: int, why: str) -> None:
        for j, _ in code_cells:
            if j > after and all(r.index != j for r in runs):
                runs.append(CellRun(j, "not run", why))

    async def execute(i, cell, limit):
        role = roles.get(i, "student")
        if role == "student":
            await client.async_execute_cell(cell, i)
            return
        if judge.before.get(i):
            err = await _quiet(judged, judge.before[i], limit)
            if err:
                judge_problems.append(f"cell {i + 1}: {err}")
        if role == "judge":
            await judged.async_execute_cell(cell, i)
            return
        both = await asyncio.gather(client.async_execute_cell(cell, i),
                                    judged.async_execute_cell(copy.deepcopy(cell), i), return_exceptions=True)
        for res in both:
            if isinstance(res, BaseException):
                raise res
        err, _ = _error_of(judged.nb.cells[i])
        if err:
            judge_problems.append(f"set-up cell {i + 1} failed in the judge: {err}")

    judge_problems: list[str] = []
    try:
        async with contextlib.AsyncExitStack() as stack:
            # the kernel process's own chatter (banners, logging) is not cell output; keep it off our stderr
            await stack.enter_async_context(client.async_setup_kernel(
                cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if judged is not None:
                await stack.enter_async_context(judged.async_setup_kernel(
                    cwd=str(judge.cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                for who, code in ((client, judge.student_prelude), (judged, judge.prelude)):
                    err = await _quiet(who, code, 60)
                    if err:
                        raise RuntimeError(f"the grading harness could not start: {err}")
            for i, cell in code_cells:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    status, reason = "timeout", f"notebook time limit of {notebook_timeout:g} s reached"
                    skip_rest(i - 1, reason)
                    break
                limit = min(cell_timeout, remaining)
                client.timeout = max(1, int(limit + 0.999))
                if judged is not None:
                    judged.timeout = client.timeout
                t0 = time.monotonic()
                ran = judged if roles.get(i) == "judge" else client
                try:
                    await execute(i, cell, limit)
                except DeadKernelError:
                    runs.append(CellRun(i, "died", "the kernel died while running this cell",
                                        seconds=time.monotonic() - t0))
                    status, reason = "died", f"the kernel died in cell {i + 1}"
                    skip_rest(i, "the kernel had died")
                    break
                except CellTimeoutError:
                    if judged is not None and roles.get(i) == "judge":
                        await _interrupt(km)
                except (CellExecutionError, CellControlSignal):
                    pass
                took = time.monotonic() - t0
                err, stderr = _error_of(cell)
                stderr = stderr or i in ran.late_stderr
                if not err and ran.replies.get(i) == "error":
                    err = "Error: the cell failed but showed no traceback"
                if took >= limit - 0.05 and (err.startswith("KeyboardInterrupt") or not err):
                    runs.append(CellRun(i, "timeout", f"cell took longer than {limit:.0f} s", stderr, took))
                    if limit < cell_timeout:
                        status, reason = "timeout", f"notebook time limit of {notebook_timeout:g} s reached"
                        skip_rest(i, reason)
                        break
                    continue
                runs.append(CellRun(i, "error" if err else "ok", err, stderr, took))
                if judged is not None and roles.get(i) == "judge" and not await km.is_alive():
                    status, reason = "died", f"the kernel died while test cell {i + 1} called the student's code"
                    skip_rest(i, "the kernel had died")
                    break
    except DeadKernelError as exc:
        status, reason = "died", f"the kernel died ({str(exc)[:120]})"
        skip_rest(-1 if not runs else runs[-1].index, reason)
    except RuntimeError as exc:
        status, reason = "died", f"the kernel could not start or stopped answering ({str(exc)[:120]})"
        skip_rest(-1 if not runs else runs[-1].index, reason)
    if judged is not None and judged.kc is not None:
        judged.kc.stop_channels()
        judge.km._close_control_socket()  # made in this run's loop; the next run opens its own
    runs.sort(key=lambda r: r.index)
    if judge_problems and status == "ok":
        reason = "judge: " + "; ".join(judge_problems[:3])
    return RunOutcome(nb, tuple(runs), status, reason, time.monotonic() - start,
                      by_index={r.index: r for r in runs})


async def _interrupt(km) -> None:
    """Interrupt the student's kernel after a test cell that called into it ran out of time."""
    try:
        await km.interrupt_kernel()
    except Exception:  # a kernel that is gone needs no interrupt
        pass
