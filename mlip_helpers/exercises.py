"""Finding every lecture's exercises: :func:`lectures` walks the package for ``lecture_exercises`` functions.

Introduced in ``notebooks/04-model-correctness.ipynb``. Each lecture module declares its exercises and a
``lecture_exercises(*, seed=0, **parameters)`` function that rebuilds them from the notebook's parameters (see
the guide in :mod:`mlip_helpers.checker`). Nothing registers itself at import time: :func:`lectures` imports
the package's modules when asked and collects the functions it finds.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from mlip_helpers.checker import Exercise

__all__ = ["Lecture", "lectures"]


@dataclass(frozen=True)
class Lecture:
    """The exercises one lecture module declares, and how to build them for a notebook's parameters."""

    module: str
    """Dotted name of the module, e.g. ``mlip_helpers.evaluation``."""
    notebook: str
    """Stem of the notebook that uses them (the module's ``NOTEBOOK``), e.g. ``04-model-correctness``."""
    build: Callable[..., dict[str, Exercise]]
    """The module's ``lecture_exercises``: keyword parameters (``seed``...) to exercises by name."""


def lectures() -> list[Lecture]:
    """Every module of :mod:`mlip_helpers` that declares lecture exercises, sorted by notebook.

    Introduced in ``notebooks/04-model-correctness.ipynb``; the proof test enumerates exercises with it.

    Examples
    --------
    >>> all(lecture.module.startswith("mlip_helpers.") for lecture in lectures())
    True
    """
    import mlip_helpers

    found = []
    for info in pkgutil.iter_modules(mlip_helpers.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"mlip_helpers.{info.name}")
        build_them = getattr(module, "lecture_exercises", None)
        if callable(build_them):
            found.append(Lecture(module.__name__, str(getattr(module, "NOTEBOOK", "")), build_them))
    return sorted(found, key=lambda lecture: (lecture.notebook, lecture.module))
