"""DevOps and MLOps as runnable things: lock files, dependency drift, a declared pipeline with caching, culture.

Introduced in ``notebooks/12-planning-for-operations.ipynb``. A container or a pinned environment exists so that the
code that worked on a laptop meets the same libraries in production; :func:`parse_lock` and :func:`compare_lock`
check an environment against its lock file, and :func:`binarize` plays a library whose default changed between
versions. :func:`parse_pipeline` and :func:`run_pipeline` run a declared stage list (as ``dvc.yaml`` or a CI file
does) and skip stages whose inputs did not change. :func:`simulate_culture` is a small simulation of blameless
post-mortems against blame.

>>> parse_lock("numpy==2.1.0  # numerics")
{'numpy': '2.1.0'}
"""

from __future__ import annotations

import hashlib
import pickle
import time
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import yaml

from mlip_helpers.errors import InputError

__all__ = ["CULTURES", "PipelineRun", "Stage", "binarize", "compare_lock", "freeze", "parse_lock", "parse_pipeline",
           "run_pipeline", "simulate_culture"]


def _normal(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def parse_lock(text: str) -> dict[str, str]:
    """The pins of a lock file: one ``name==version`` per line; ``#`` comments and blank lines are skipped.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. Names are normalised as pip does (lower case,
    ``_`` as ``-``). A line that pins nothing exactly raises :class:`~mlip_helpers.errors.InputError` naming it.

    >>> parse_lock('''# course environment
    ... scikit_learn==1.5.2
    ... pandas==2.2.3''')
    {'scikit-learn': '1.5.2', 'pandas': '2.2.3'}
    """
    pins: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise InputError(f"line {number} of the lock file, {line!r}, pins no exact version; write name==version.",
                             argument="text")
        pins[_normal(name)] = version.strip()
    return pins


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def freeze(names: list[str]) -> str:
    """A lock file pinning the versions of ``names`` installed here, as ``pip freeze`` writes it for them.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. A name that is not installed raises
    :class:`~mlip_helpers.errors.InputError`.

    >>> freeze(["numpy"]).startswith("numpy==")
    True
    """
    lines = []
    for name in names:
        version = _installed(name)
        if version is None:
            raise InputError(f"{name!r} is not installed here, so it cannot be frozen.", argument="names")
        lines.append(f"{_normal(name)}=={version}")
    return "\n".join(lines) + "\n"


def compare_lock(locked: Mapping[str, str], installed: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """Compare pins with an environment: one row per package with its status.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. ``installed`` maps package names to versions
    (``None``: missing); by default the versions installed in this Python environment are read with
    :mod:`importlib.metadata`. Status is ``"as locked"``, ``"different version"`` or ``"not installed"``.

    >>> compare_lock({"numpy": "1.0", "torch": "2.0"}, {"numpy": "2.1", "torch": None})["status"].tolist()
    ['different version', 'not installed']
    """
    rows = []
    for name, version in locked.items():
        have = installed.get(name) if installed is not None else _installed(name)
        status = "not installed" if have is None else "as locked" if have == version else "different version"
        rows.append({"package": name, "locked": version, "installed": have, "status": status})
    return pd.DataFrame(rows, columns=["package", "locked", "installed", "status"])


def binarize(stars: Any, *, version: str, threshold: float = 4.0) -> np.ndarray:
    """Turn star ratings into liked (True) or not, as the simulated library ``ratingtools`` of ``version`` does.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. Versions 1.x count a rating *at* the threshold
    as liked; version 2.0 changed that default to strictly above it (the release notes said so; the code calling
    it did not change). Same call, same data, different labels: the dependency drift behind "works on my machine".

    >>> binarize([3.5, 4.0, 4.5], version="1.9").tolist(), binarize([3.5, 4.0, 4.5], version="2.0").tolist()
    ([False, True, True], [False, False, True])
    """
    try:
        major = int(str(version).split(".")[0])
    except ValueError:
        raise InputError(f"version {version!r} is not a version number such as '1.9'.", argument="version") from None
    values = np.asarray(stars, dtype=float)
    return values >= threshold if major < 2 else values > threshold


@dataclass(frozen=True)
class Stage:
    """One stage of a declared pipeline, as a ``dvc.yaml`` stage."""

    name: str  #: the stage's name
    cmd: str  #: the function that runs it, looked up in the functions passed to :func:`run_pipeline`
    deps: tuple[str, ...] = ()  #: artifacts it reads
    params: tuple[str, ...] = ()  #: parameters it reads
    outs: tuple[str, ...] = ()  #: artifacts it writes


def parse_pipeline(text: str) -> list[Stage]:
    """Parse a YAML stage list (``stages: {name: {cmd, deps, params, outs}}``) and check that it can run in order.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. Every dependency must be written by an earlier
    stage, and no artifact may be written twice; otherwise :class:`~mlip_helpers.errors.InputError` says which.

    >>> [s.name for s in parse_pipeline('''stages:
    ...   load: {cmd: load, outs: [data]}
    ...   fit: {cmd: fit, deps: [data], outs: [model]}''')]
    ['load', 'fit']
    """
    spec = yaml.safe_load(text) or {}
    if not isinstance(spec, dict) or not isinstance(spec.get("stages"), dict):
        raise InputError("a pipeline needs a top-level 'stages:' mapping of stage names.", argument="text")
    stages, written = [], set()
    for name, body in spec["stages"].items():
        body = body or {}
        if "cmd" not in body:
            raise InputError(f"stage {name!r} has no cmd.", argument="text")
        stage = Stage(name, body["cmd"], *(tuple(body.get(k, ())) for k in ("deps", "params", "outs")))
        unknown = [d for d in stage.deps if d not in written]
        if unknown:
            raise InputError(f"stage {name!r} reads {unknown}, which no earlier stage writes.", argument="text")
        twice = [o for o in stage.outs if o in written]
        if twice:
            raise InputError(f"stage {name!r} writes {twice} again; each artifact has one writer.", argument="text")
        written.update(stage.outs)
        stages.append(stage)
    return stages


def _digest(value: Any) -> str:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        content = pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
        names = repr(list(value.columns) if isinstance(value, pd.DataFrame) else value.name).encode()
        return hashlib.sha256(content + names).hexdigest()
    return hashlib.sha256(pickle.dumps(value)).hexdigest()


@dataclass
class PipelineRun:
    """What one run of a pipeline did: per stage whether it ran or came from the cache, and the artifacts."""

    log: pd.DataFrame  #: one row per stage: stage, status ("ran" or "cached"), key (first 10 hex digits), seconds
    artifacts: dict[str, Any] = field(default_factory=dict)  #: every artifact by name


def run_pipeline(stages: list[Stage], functions: Mapping[str, Callable], params: Mapping[str, Any],
                 cache: dict) -> PipelineRun:
    """Run ``stages`` in order; skip a stage whose command, parameters and input contents are in ``cache``.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. A stage's cache key hashes its command's name,
    the values of its parameters and the content of its dependencies, so an unchanged stage is skipped and a
    change reruns exactly the stages downstream of it. A stage's function gets its deps and params as keyword
    arguments and returns one value per output (a tuple if several). ``cache`` is updated in place.

    >>> stages = parse_pipeline("stages: {double: {cmd: double, params: [x], outs: [y]}}")
    >>> cache = {}
    >>> run = run_pipeline(stages, {"double": lambda x: 2 * x}, {"x": 4}, cache)
    >>> run.artifacts["y"], run_pipeline(stages, {"double": lambda x: 2 * x}, {"x": 4}, cache).log["status"].tolist()
    (8, ['cached'])
    """
    artifacts: dict[str, Any] = {}
    rows = []
    for stage in stages:
        if stage.cmd not in functions:
            raise InputError(f"stage {stage.name!r} runs {stage.cmd!r}, which is not among the functions given.",
                             argument="functions")
        missing = [p for p in stage.params if p not in params]
        if missing:
            raise InputError(f"stage {stage.name!r} needs the parameters {missing}.", argument="params")
        key = _digest((stage.cmd, [(p, params[p]) for p in stage.params], [_digest(artifacts[d]) for d in stage.deps]))
        start = time.perf_counter()
        if key in cache:
            outputs, status = cache[key], "cached"
        else:
            result = functions[stage.cmd](**{d: artifacts[d] for d in stage.deps}, **{p: params[p] for p in stage.params})
            outputs = result if len(stage.outs) > 1 else (result,)
            cache[key], status = outputs, "ran"
        artifacts.update(zip(stage.outs, outputs))
        rows.append({"stage": stage.name, "status": status, "key": key[:10], "seconds": time.perf_counter() - start})
    return PipelineRun(pd.DataFrame(rows), artifacts)


CULTURES = {"blameless": 0.9, "blame": 0.3}  # share of incidents written up in a post-mortem (stated assumption)


def simulate_culture(report_rate: float, *, weeks: int = 52, teams: int = 20, seed: int = 0,
                     new_fault_rate: float = 0.3, trigger_rate: float = 0.1, fix_rate: float = 0.7) -> pd.DataFrame:
    """Weekly incidents of ``teams`` teams whose engineers report an incident with probability ``report_rate``.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. Stated assumptions: each team gains latent faults
    (new code, new data) at ``new_fault_rate`` per week; each latent fault causes an incident in a week with
    probability ``trigger_rate``; an incident that is reported gets a post-mortem whose action item removes its
    fault with probability ``fix_rate``; an unreported incident is patched over and its fault stays. Culture
    enters only through ``report_rate``: people who fear blame hide their incidents. Returns one row per week with
    ``incidents``, ``reported`` and ``fixed``, summed over the teams.

    >>> weeks = simulate_culture(0.9, weeks=4, teams=3, seed=1)
    >>> list(weeks.columns), len(weeks)
    (['incidents', 'reported', 'fixed'], 4)
    """
    if not 0 <= report_rate <= 1:
        raise InputError(f"report_rate must be a probability between 0 and 1, got {report_rate}.",
                         argument="report_rate")
    if weeks < 1 or teams < 1:
        raise InputError("weeks and teams must be at least 1.", argument="weeks")
    rng = np.random.default_rng(seed)
    faults = np.zeros(teams, dtype=int)
    rows = []
    for _ in range(weeks):
        faults += rng.poisson(new_fault_rate, teams)
        incidents = rng.binomial(faults, trigger_rate)
        reported = rng.binomial(incidents, report_rate)
        fixed = rng.binomial(reported, fix_rate)
        faults -= fixed
        rows.append({"incidents": int(incidents.sum()), "reported": int(reported.sum()), "fixed": int(fixed.sum())})
    return pd.DataFrame(rows, index=pd.RangeIndex(1, weeks + 1, name="week"))
