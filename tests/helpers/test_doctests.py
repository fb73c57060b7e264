"""Every helper module's doctests pass, and every public helper points back to its lesson."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import matplotlib
import pytest

import mlip_helpers

matplotlib.use("Agg")

KIT = Path(__file__).resolve().parents[2]
MODULES = sorted(info.name for info in pkgutil.iter_modules(mlip_helpers.__path__))
PUBLIC_MODULES = [name for name in MODULES if not name.startswith("_") and name != "errors"]
NOTEBOOK = re.compile(r"``(notebooks/[\w.-]+\.ipynb)``")


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests_pass(name):
    module = importlib.import_module(f"mlip_helpers.{name}")
    outcome = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.failed == 0
    if name in PUBLIC_MODULES:
        assert outcome.attempted > 0, f"mlip_helpers.{name} has no doctest examples"


def test_package_lists_every_public_module():
    assert set(PUBLIC_MODULES) | {"errors", "check"} == set(mlip_helpers.__all__)


def public_functions():
    for name in PUBLIC_MODULES:
        module = importlib.import_module(f"mlip_helpers.{name}")
        for attribute in module.__all__:
            value = getattr(module, attribute)
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                yield f"{name}.{attribute}", value


@pytest.mark.parametrize("name, function", list(public_functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_public_helper_names_its_lecture_notebook_and_has_an_example(name, function):
    doc = inspect.getdoc(function) or ""
    found = NOTEBOOK.search(doc)
    assert found, f"{name}: docstring should name the notebook that introduces it"
    assert (KIT / found.group(1)).is_file(), f"{name}: {found.group(1)} does not exist"
    assert ">>>" in doc, f"{name}: docstring should carry a doctest example"
