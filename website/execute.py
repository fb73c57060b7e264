"""Executed lectures for the site: from the cache when nothing they depend on changed, else run by ``mlip run``.

An executed copy is cached as ``CACHE/<lecture>/<key>.ipynb``, ``key`` being the lecture's
:meth:`~website.lectures.Lecture.cache_key` (notebook, parameters, helper code, this build's kernel start-up code).
Lectures without a cached copy run together through :func:`grader.execution.runner.run`, the function behind
``mlip run``, in parallel. A lecture that fails is not cached (the next build runs it again); its executed copy, with
papermill's error banner, still goes into the site so the failure can be seen.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from website.lectures import Lecture

DESCRIBER = Path(__file__).with_name("describe_figures.py")


@dataclass(frozen=True)
class Executed:
    """A lecture's executed copy and how it was obtained."""

    lecture: Lecture
    path: Path
    status: str
    """``cached``, ``ok`` (run now) or what ``mlip run`` said went wrong (``error``, ``timeout``, ``died``)."""
    seconds: float = 0.0
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.status not in ("cached", "ok")


def cache_key(lecture: Lecture, parameters: dict | None = None) -> str:
    return lecture.cache_key(parameters, extra=DESCRIBER.read_bytes())


@contextmanager
def _ipython_profile(folder: Path):
    """``IPYTHONDIR`` set, for kernels started inside the block, to a profile whose start-up runs the describer."""
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DESCRIBER, startup / "50-mlip-site-describe-figures.py")
    before = os.environ.get("IPYTHONDIR")
    os.environ["IPYTHONDIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("IPYTHONDIR", None)
        else:
            os.environ["IPYTHONDIR"] = before


def _store(cache: Path, lecture: Lecture, key: str, executed: Path) -> Path:
    """Move an executed copy into the cache (atomically) and drop that lecture's older copies."""
    folder = cache / lecture.slug
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key}.ipynb"
    tmp = folder / f".{key}.tmp"
    shutil.copyfile(executed, tmp)
    os.replace(tmp, target)
    for old in folder.glob("*.ipynb"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def execute(lectures: list[Lecture], *, cache: Path, jobs: int = 2, parameters: dict | None = None,
            progress: bool = False) -> list[Executed]:
    """One executed copy per lecture, in order: cached ones as they are, the others run now with ``mlip run``."""
    cache = Path(cache)
    keys = {lec.slug: cache_key(lec, parameters) for lec in lectures}
    done: dict[str, Executed] = {}
    stale = []
    for lec in lectures:
        hit = cache / lec.slug / f"{keys[lec.slug]}.ipynb"
        if hit.is_file():
            done[lec.slug] = Executed(lec, hit, "cached")
        else:
            stale.append(lec)
    if stale:
        from grader.execution.runner import run

        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="runs-", dir=cache) as tmp:
            with _ipython_profile(Path(tmp) / "ipython"):
                rows = run([lec.path for lec in stale], parameters=parameters, jobs=jobs, out=Path(tmp) / "out",
                           progress=progress)
            if progress:
                from grader.execution.runner import format_summary

                print(format_summary(rows), flush=True)
            for lec, row in zip(stale, rows):
                out = Path(row.out) if row.out else None
                if row.status == "ok" and out and out.is_file():
                    path = _store(cache, lec, keys[lec.slug], out)
                elif out and out.is_file():  # failed: shown in the site, not cached
                    path = cache / lec.slug / "failed.ipynb"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(out, path)
                else:
                    path = lec.path  # nothing ran: the site shows the notebook without outputs
                done[lec.slug] = Executed(lec, path, row.status, row.seconds, row.reason)
    return [done[lec.slug] for lec in lectures]
