"""Where work runs: a local process pool by default, Dask workers when a scheduler address is given."""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Iterable, Iterator

from grader.model.errors import MlipError


def map_unordered(fn: Callable, items: Iterable, *, jobs: int = 1, scheduler: str | None = None) -> Iterator:
    """Yield ``(item, result, error)`` for every item as workers finish; ``fn`` runs in another process.

    The caller (one process) records what comes back, so workers never write shared state.
    """
    items = list(items)
    if not items:
        return
    if scheduler:
        yield from _dask(fn, items, scheduler)
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(items))), mp_context=ctx,
                             initializer=die_with_parent) as pool:
        futures = {pool.submit(fn, item): item for item in items}
        try:
            for fut in as_completed(futures):
                exc = fut.exception()
                yield futures[fut], (None if exc else fut.result()), exc
        except BaseException:  # Ctrl-C, or the caller stopped early: start nothing new, wait for nothing
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def die_with_parent() -> None:
    """Ask Linux to kill this worker when the coordinator dies (even by SIGKILL), so no orphan grades on."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the coordinator was already gone before prctl took effect
            os._exit(1)


def _dask(fn: Callable, items: list, scheduler: str) -> Iterator:
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise MlipError("--scheduler needs dask.distributed; install it with `pip install distributed`") from None
    try:
        client = Client(scheduler, timeout=20)
    except OSError as exc:
        raise MlipError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start it or check the address")
    with client:
        futures = client.map(fn, items, pure=False)
        index = {f.key: item for f, item in zip(futures, items)}
        for fut in dask_completed(futures):
            exc = fut.exception() if fut.status == "error" else None
            yield index[fut.key], (None if exc else fut.result()), exc
