"""The kit's papermill engine: papermill's execution with the kit's output cap and time limits.

`mlip run` calls ``papermill.execute_notebook(..., engine_name="mlip")``, so parameters, kernel choice,
error banners, run metadata and the verdict on ``sys.exit()`` are papermill's own. This engine adds what
papermill's ``nbclient`` engine lacks: a per-cell limit that fails the run at that cell (marked failed,
with an error output saying why), a whole-notebook limit, the per-cell output cap of `CappedClient`,
kernels on ipc sockets whose whole process group is killed at the end, and a working folder given to
the kernel rather than set with ``chdir`` (safe in threads).

Nothing is registered at import; `register` adds the engine to papermill's registry when `mlip run` runs.
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import time

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.log import logger

from grader.execution.execute import OUTPUT_LIMIT_CHARS, CappedClient, stop_kernel
from grader.execution.sandbox import thread_env

ENGINE_NAME = "mlip"
"""The name under which `register` puts `MlipEngine` in papermill's engine registry."""

CELL_TIMEOUT = "CellTimeoutError"
"""``ename`` of the error output written into a cell stopped by the per-cell limit."""
NOTEBOOK_TIMEOUT = "NotebookTimeoutError"
"""``ename`` of the error output written into the cell running when the notebook's limit ran out."""
DEAD_KERNEL = "DeadKernelError"
"""``ename`` of the error output written into the cell in which the kernel died."""


def register() -> None:
    """Add `MlipEngine` to papermill's engine registry as ``"mlip"`` (idempotent)."""
    papermill_engines.register(ENGINE_NAME, MlipEngine)


def _error_output(ename: str, evalue: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class LimitedClient(CappedClient, PapermillNotebookClient):
    """Papermill's notebook client with the kit's output cap, a per-cell and a whole-notebook time limit.

    Parameters
    ----------
    nb_man : papermill.engines.NotebookExecutionManager
        Papermill's record of the run; its callbacks write the per-cell metadata.
    cell_timeout : float
        Seconds one code cell may run.
    notebook_timeout : float
        Seconds all cells together may run.
    workdir : str or None
        Folder the kernel starts in (None: this process's current folder, as papermill does).
    env : dict or None
        Environment of the kernel process (None: this process's).
    **kwargs
        Passed to `CappedClient` and nbclient (``km``, ``kernel_name``, ``output_limit``, ...).
    """

    def __init__(self, nb_man, *, cell_timeout: float, notebook_timeout: float, workdir: str | None = None,
                 env: dict | None = None, **kwargs):
        super().__init__(nb_man, **kwargs)
        self.cell_timeout = cell_timeout
        self.notebook_timeout = notebook_timeout
        self.workdir = workdir
        self.env = env
        self.stopped = False

    def execute(self, **kwargs):
        """Run every cell in a fresh kernel; record the kernel's language unless the run was cut short."""
        self.reset_execution_trackers()
        start = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}  # kernel chatter is not output
        if self.workdir:
            start["cwd"] = self.workdir
        if self.env is not None:
            start["env"] = self.env
        with self.setup_kernel(**start, **kwargs):
            self.papermill_execute_cells()
            if not self.stopped:
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                self.set_widgets_metadata()
        return self.nb

    def papermill_execute_cells(self):
        """Run cells in order with papermill's callbacks; stop at the first error, timeout or dead kernel."""
        deadline = time.monotonic() + self.notebook_timeout
        for index, cell in enumerate(self.nb.cells):
            remaining = deadline - time.monotonic()
            by_notebook = remaining < self.cell_timeout
            self.timeout = max(1, math.ceil(min(self.cell_timeout, remaining)))
            try:
                self.nb_man.cell_start(cell, index)
                if cell.cell_type == "code" and remaining <= 0:
                    raise CellTimeoutError("the notebook's time was spent before this cell")
                self.execute_cell(cell, index)
            except CellExecutionError as exc:
                self.nb_man.cell_exception(cell, cell_index=index, exception=exc)
                break
            except CellTimeoutError as exc:
                if "IOPub" in str(exc):  # the reply came, its output did not (nbclient's iopub_timeout)
                    why = f"the cell finished but its output did not arrive within {self.iopub_timeout} s"
                    self._stop(cell, index, exc, CELL_TIMEOUT, why)
                elif by_notebook:
                    why = f"the notebook's time limit of {self.notebook_timeout:g} s was reached in this cell"
                    self._stop(cell, index, exc, NOTEBOOK_TIMEOUT, why)
                else:
                    why = f"the time limit of one cell of {self.cell_timeout:g} s was reached in this cell"
                    self._stop(cell, index, exc, CELL_TIMEOUT, why)
                break
            except DeadKernelError as exc:
                self._stop(cell, index, exc, DEAD_KERNEL, "the kernel died while running this cell")
                break
            finally:
                self.nb_man.cell_complete(cell, cell_index=index)

    def _stop(self, cell, index, exc, ename, evalue):
        self.stopped = True
        cell.setdefault("outputs", []).append(_error_output(ename, evalue))
        self.nb_man.cell_exception(cell, cell_index=index, exception=exc)


class MlipEngine(Engine):
    """Papermill engine that runs a notebook with `LimitedClient` in a kernel it owns and always stops."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, *, cell_timeout: float = 600,
                                 notebook_timeout: float = 1800, workdir: str | None = None,
                                 output_limit: int = OUTPUT_LIMIT_CHARS, threads: int = 0,
                                 start_timeout: float = 60, log_output: bool = False, stdout_file=None,
                                 stderr_file=None, **kwargs):
        """Execute ``nb_man.nb`` in a fresh ``kernel_name`` kernel started in ``workdir``.

        Parameters
        ----------
        nb_man : papermill.engines.NotebookExecutionManager
            Papermill's record of the run.
        kernel_name : str
            The kernel to start (papermill chose it: ``-k`` or the notebook's kernelspec).
        cell_timeout, notebook_timeout : float
            Seconds per code cell and for all cells together; the run fails at the cell that exceeds one.
        workdir : str or None
            Folder the kernel starts in.
        output_limit : int
            Characters of output kept per cell.
        threads : int
            Cap on numeric libraries' threads in the kernel (0: no cap).
        start_timeout : float
            Seconds to wait for the kernel to start.
        log_output, stdout_file, stderr_file
            Papermill's options for copying cell output to the log or to files.
        **kwargs
            Papermill's other engine arguments (``input_path``, ...), unused here.
        """
        sockets = tempfile.mkdtemp(prefix="mlip-k-")
        # ipc sockets: nothing listens on the network
        km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=f"{sockets}/kernel")
        env = {**os.environ, **thread_env(threads)} if threads else None
        try:
            client = LimitedClient(
                nb_man, km=km, kernel_name=kernel_name, cell_timeout=cell_timeout,
                notebook_timeout=notebook_timeout, workdir=workdir, env=env, output_limit=output_limit,
                allow_errors=False, interrupt_on_timeout=False, startup_timeout=start_timeout, log=logger,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            return client.execute()
        finally:
            stop_kernel(km)
            shutil.rmtree(sockets, ignore_errors=True)
