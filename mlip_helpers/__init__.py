"""Small helpers that the mlip lecture and assignment notebooks import.

Each submodule holds one concern and names, in its docstrings, the lecture
notebook that introduces it:

- :mod:`~mlip_helpers.datasets` and :mod:`~mlip_helpers.textdata`: seeded
  synthetic data with planted truth, templated text, offline real data;
- :mod:`~mlip_helpers.evaluation`, :mod:`~mlip_helpers.confusion` and
  :mod:`~mlip_helpers.baselines`: metrics written out in numpy, baselines;
- :mod:`~mlip_helpers.slicing`: metrics per slice with support and intervals;
- :mod:`~mlip_helpers.invariants`: invariance, directional and capability tests;
- :mod:`~mlip_helpers.faulttree`: fault trees, minimal cut sets, top-event probability;
- :mod:`~mlip_helpers.serving`, :mod:`~mlip_helpers.experiments`, :mod:`~mlip_helpers.dataquality` and
  :mod:`~mlip_helpers.pipelines`: deployment, testing in production, data quality and pipeline tests;
- :mod:`~mlip_helpers.checker` and :mod:`~mlip_helpers.exercises`: the
  self-checking exercises; :func:`check` is available at the top level;
- :mod:`~mlip_helpers.errors`: the one error hierarchy.
"""

from mlip_helpers.checker import check

__all__ = [
    "baselines",
    "check",
    "checker",
    "confusion",
    "datasets",
    "errors",
    "evaluation",
    "exercises",
    "dataquality",
    "experiments",
    "faulttree",
    "pipelines",
    "serving",
    "invariants",
    "slicing",
    "textdata",
]
