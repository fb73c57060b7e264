"""environment.yml (pinned, for conda users) and pyproject.toml (ranges, for pip) list the same packages."""
import re
import tomllib
from pathlib import Path

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
