"""Kernels started ahead of need: while a worker grades one attempt, the next attempt's kernel boots.

A slot is a scratch folder (working copy, home, ipc sockets) with a kernel already running in it, sandboxed
or not. The kernel is started before the attempt's files exist; they are copied into the bound working folder
when the attempt arrives, so nothing of one student is ever visible to another's kernel.
"""
from __future__ import annotations

import asyncio
import atexit
import itertools
import multiprocessing.util
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from grader.execution.execute import stop_kernel
from grader.execution.sandbox import (SandboxedKernelManager, SandboxSpec, give_to, kill_user, prepare_home,
                                      thread_env)

_counter = itertools.count()
_starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlip-warm")
_judge_starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlip-judge")
_judge_future: Future | None = None
_imports: tuple[str, ...] = ()
"""Modules the release's own cells import (learned from the attempt before); spares import them while they wait."""
_spare: tuple[SandboxSpec, Future] | None = None
_judge: "JudgeKernel | None" = None
JUDGE_USES = 200
"""Attempts one judge kernel grades before it is replaced by a fresh one."""


@dataclass
class Slot:
    """A scratch folder with a running kernel whose working directory is ``work``."""

    scratch: Path
    work: Path
    home: Path
    sockets: Path
    uid: int
    km: AsyncKernelManager


def _uid() -> int:
    # two kernels per worker can be alive at once (the running one and the spare); a user comes back only after
    # 64 more slots, and `discard` kills all its processes first (the process limit counts per user)
    return 200000 + (os.getpid() % 40000) * 64 + next(_counter) % 64


# imported by the spare kernel while it waits, before any student code: the libraries nearly every notebook of the
# course imports first, so their import time is spent on an idle core instead of in the attempt
WARMUP = """
import numpy, pandas
try:
    import sklearn.base, sklearn.model_selection
except ImportError:
    pass
"""


JUDGE_WARMUP = WARMUP + "import cloudpickle, msgpack, grader.grading.proxy\n"
MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def learn_imports(modules) -> None:
    """Let the next spare kernels import these modules too (the release's imports, never a student's)."""
    global _imports
    _imports = tuple(dict.fromkeys(m for m in modules if MODULE.match(m)))[:30]


def _warmup_code(base: str = WARMUP) -> str:
    extra = "".join(f"try:\n    import {m}\nexcept Exception:\n    pass\n" for m in _imports)
    return base + extra


async def _warm_up(km: AsyncKernelManager, code: str) -> None:
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        msg_id = kc.execute(code, silent=True, store_history=False)
        while True:
            reply = await kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
    finally:
        kc.stop_channels()


async def _start(km: AsyncKernelManager, work: Path, env: dict | None, code: str = WARMUP) -> None:
    extra = {"env": env} if env is not None else {}
    await km.start_kernel(cwd=str(work), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **extra)
    try:
        await _warm_up(km, code)
    except Exception:  # a kernel that cannot warm up still grades; the imports then happen in the attempt
        pass
    km._close_control_socket()  # made in this thread's event loop; the grading loop opens its own


@dataclass
class JudgeKernel:
    """The worker's judge: a kernel outside the sandbox that runs only the release's cells, kept warm between
    attempts (numpy, pandas and scikit-learn stay imported) and reset before each one (`judge.RESET`)."""

    scratch: Path
    work: Path
    km: AsyncKernelManager
    spec: SandboxSpec
    uses: int = 0
    suspect: bool = False
    """Its last attempt timed out or failed to start: check it answers before using it again."""


def _new_judge(spec: SandboxSpec) -> JudgeKernel:
    scratch = Path(tempfile.mkdtemp(prefix="mlip-judge-"))
    work, sockets = scratch / "work", scratch / "sockets"
    work.mkdir()
    sockets.mkdir(mode=0o700)
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
    env = {**os.environ, **thread_env(spec.threads), "NBGRADER_EXECUTION": "autograde"}
    try:
        asyncio.run(_start(km, work, env, _warmup_code(JUDGE_WARMUP)))
    except Exception:
        stop_kernel(km)
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return JudgeKernel(scratch, work, km, spec)


def take_judge(spec: SandboxSpec) -> JudgeKernel:
    """The worker's judge kernel, with an empty working folder; a fresh one if it died or served its turn."""
    global _judge
    judge = _judge
    # a judge whose last attempt ran out of time may still be busy: only then is it asked to prove it is idle
    if judge is not None and (judge.spec != spec or judge.uses >= JUDGE_USES or not run_sync(judge.km.is_alive)()
                              or (judge.suspect and not run_sync(_responsive)(judge.km))):
        _drop_judge()
        judge = None
    if judge is None:
        prepare_judge(spec)
        global _judge_future
        future, _judge_future = _judge_future, None
        judge = _judge = future.result()
    for old in judge.work.iterdir():  # empty, but keep the folder: it is the judge's working directory
        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    judge.uses += 1
    judge.suspect = False
    return judge


def prepare_judge(spec: SandboxSpec) -> None:
    """Start the worker's judge in the background (beside the first student kernel) if it has none."""
    global _judge_future
    if _judge is None and _judge_future is None:
        _judge_future = _judge_starter.submit(_new_judge, spec)


async def _responsive(km: AsyncKernelManager) -> bool:
    """Whether the kernel is alive and idle (answers a kernel_info request within seconds)."""
    if not await km.is_alive():
        return False
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=5)
        return True
    except Exception:
        return False
    finally:
        kc.stop_channels()


def _drop_judge() -> None:
    global _judge
    if _judge is not None:
        stop_kernel(_judge.km)
        shutil.rmtree(_judge.scratch, ignore_errors=True)
        _judge = None


def new_slot(spec: SandboxSpec) -> Slot:
    """Make a scratch folder and start a kernel in it (sandboxed unless ``spec.kind`` is ``none``)."""
    scratch = Path(tempfile.mkdtemp(prefix="mlip-slot-"))
    scratch.chmod(0o755)
    work, home, sockets = scratch / "work", scratch / "home", scratch / "sockets"
    for d in (work, home, sockets):
        d.mkdir()
    uid = _uid()
    if spec.kind == "bwrap":
        prepare_home(home)
        km = SandboxedKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
        km.configure_sandbox(spec, uid=uid, work=work, home=home, sockets=sockets)
        give_to(uid, work, home, sockets)
    else:
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
    env = {**os.environ, **thread_env(spec.threads), "NBGRADER_EXECUTION": "autograde"} if spec.kind == "none" else None
    try:
        asyncio.run(_start(km, work, env, _warmup_code()))
    except Exception:
        stop_kernel(km)
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Slot(scratch, work, home, sockets, uid, km)


def take_slot(spec: SandboxSpec) -> Slot:
    """A slot with a running kernel: the spare if one is ready, else a new one; then start the next spare."""
    global _spare
    slot = None
    if _spare is not None:
        spare_key, future = _spare
        _spare = None
        try:
            slot = future.result(timeout=180)
        except Exception:
            slot = None
        if slot is not None and (spare_key != spec or not slot.km.has_kernel):
            discard(slot)
            slot = None
    if slot is None:
        slot = _starter.submit(new_slot, spec).result()
    _spare = (spec, _starter.submit(new_slot, spec))
    return slot


def discard(slot: Slot) -> None:
    """Stop the slot's kernels (and all they started) and remove its folder."""
    stop_kernel(slot.km)
    if isinstance(slot.km, SandboxedKernelManager):
        kill_user(slot.uid)
    shutil.rmtree(slot.scratch, ignore_errors=True)


def _drop_spare() -> None:
    global _spare
    if _spare is not None:
        _, future = _spare
        _spare = None
        try:
            discard(future.result(timeout=180))
        except Exception:
            pass


# worker processes of a multiprocessing pool end with os._exit, which skips atexit; Finalize runs there too
atexit.register(_drop_spare)
atexit.register(_drop_judge)
multiprocessing.util.Finalize(None, _drop_spare, exitpriority=10)
multiprocessing.util.Finalize(None, _drop_judge, exitpriority=10)
