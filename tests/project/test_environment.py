"""environment.yml (pinned, for conda users) and pyproject.toml (ranges, for pip) list the same packages."""
import ast
import os
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import nbformat
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

KIT = Path(__file__).resolve().parents[2]


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, Requirement]:
    """Every requirement: the dependencies and all extras (an extra naming the kit itself, as ``test`` names
    ``mlip-course-kit[site]``, adds nothing of its own)."""
    data = tomllib.loads((KIT / "pyproject.toml").read_text())
    reqs = data["project"]["dependencies"] + [r for extra in data["project"]["optional-dependencies"].values()
                                              for r in extra]
    own = _canon(data["project"]["name"])
    return {_canon(Requirement(r).name): Requirement(r) for r in reqs if _canon(Requirement(r).name) != own}


def environment_pins() -> dict[str, str]:
    env = yaml.safe_load((KIT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep.get("pip", []):
                if "==" in line:
                    name, version = line.split("==")
                    pins[_canon(Requirement(name).name)] = version
        elif "=" in dep:
            name, version = dep.split("=", 1)
            if name not in ("python",):
                pins[_canon(name)] = version.lstrip("=")
    return pins


def test_same_packages_in_both_files():
    assert set(environment_pins()) == set(pyproject_requirements())


def test_every_pin_satisfies_its_range():
    reqs = pyproject_requirements()
    bad = {n: (v, str(reqs[n].specifier)) for n, v in environment_pins().items()
           if not reqs[n].specifier.contains(Version(v), prereleases=True)}
    assert bad == {}


def test_python_versions_agree():
    data = tomllib.loads((KIT / "pyproject.toml").read_text())
    env = yaml.safe_load((KIT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert Requirement("python" + data["project"]["requires-python"]).specifier.contains(python.split("=")[1])


# ---------------------------------------------------------------------------------------------------------------
# Every import resolves on a fresh install: a package the code imports must be declared in pyproject.toml or be
# required (directly or further down) by one that is. A package that happens to sit in a developer's venv is neither,
# and a fresh clone (CI) fails on it, as lecture 10's pyflakes once did.

CODE_DIRS = ("grader", "mlip_helpers", "website", "benchmarks", "tests")


def _imported_top_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def imports_by_place() -> dict[str, str]:
    """Top-level module name -> the first file importing it, over the kit's code and its notebooks' code cells."""
    found: dict[str, str] = {}
    sources = [(p, p.read_text()) for d in CODE_DIRS for p in sorted((KIT / d).rglob("*.py"))]
    notebooks = sorted((KIT / "notebooks").glob("*.ipynb")) + sorted((KIT / "assignments").rglob("*.ipynb"))
    for nb in notebooks:
        if ".ipynb_checkpoints" in nb.parts:
            continue
        cells = nbformat.read(nb, as_version=4).cells
        code = "\n".join(line for c in cells if c.cell_type == "code" for line in c.source.splitlines()
                         if not line.lstrip().startswith(("%", "!")))
        sources.append((nb, code))
    for path, source in sources:
        for name in _imported_top_names(source):
            found.setdefault(name, str(path.relative_to(KIT)))
    return found


def _local_names() -> set[str]:
    """Names the kit's own files and folders give to imports (tests import ``tests.notebooks.curriculum``)."""
    skip = {".venv", ".git", "build", "node_modules"}
    names = set()
    for folder, dirs, files in os.walk(KIT):
        dirs[:] = [d for d in dirs if d not in skip]
        names |= set(dirs) | {f[:-3] for f in files if f.endswith(".py")}
    return names


def _installed_closure(roots: set[str]) -> set[str]:
    """The distributions the given ones require, transitively, as installed (markers of extras not chosen skipped)."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(_canon(req.name))
    return seen


def test_every_imported_package_is_declared_or_required_by_a_declared_one():
    declared = set(pyproject_requirements())
    provided = _installed_closure(declared)
    distributions = metadata.packages_distributions()
    local = _local_names()
    missing = {}
    for name, where in imports_by_place().items():
        if name in sys.stdlib_module_names or name in local:
            continue
        dists = {_canon(d) for d in distributions.get(name, [])}
        if not dists & provided:
            missing[name] = f"{where} (installed from {sorted(dists) or 'nowhere'})"
    assert missing == {}, "declare these in pyproject.toml (and pin them in environment.yml): " + repr(missing)


def test_the_import_check_sees_an_undeclared_package():
    # the check above is only worth something if it would flag a package outside the declared closure
    assert "pyflakes" in imports_by_place()
    assert "pyflakes" in _installed_closure(set(pyproject_requirements()))
    assert "pyflakes" not in _installed_closure(set(pyproject_requirements()) - {"pyflakes"})
