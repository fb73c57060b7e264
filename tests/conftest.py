"""Shared test set-up: the venv's tools on PATH, a released toy course, helpers to build submissions."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files instead of comparing")


def pytest_collection_finish(session):
    """Start the curriculum's seeded runs in the background when a collected test needs them (see
    tests/notebooks/curriculum.py): they overlap the rest of the suite instead of adding to it."""
    if any("curriculum_runs" in getattr(item, "fixturenames", ()) for item in session.items):
        from tests.notebooks import curriculum
        alone = all("tests/notebooks/" in item.nodeid or item.nodeid.startswith("notebooks/")
                    for item in session.items)
        curriculum.start(jobs=2 if alone else 1)  # both cores when nothing else runs beside them


def pytest_sessionfinish(session):
    if "tests.notebooks.curriculum" in sys.modules:
        sys.modules["tests.notebooks.curriculum"].stop()


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


def make_toy_course(root: Path, judge: str | None = None):
    """A fresh course at ``root`` with the toy assignment released (its test cells run as ``judge`` says)."""
    import shutil

    from grader.records.course import init_course
    from grader.authoring.release import release

    course = init_course(root)
    source = FIXTURES
    if judge is not None:
        source = Path(root).parent / f"toy-{judge}"
        shutil.copytree(FIXTURES / "toy", source / "toy")
        rubric = source / "toy" / "rubric.yml"
        rubric.write_text(rubric.read_text(encoding="utf-8") + f"judge: {judge}\n", encoding="utf-8")
    release(course, "toy", assignments_dir=source)
    return course


@pytest.fixture
def toy_course(tmp_path):
    """A fresh course with the toy assignment released."""
    return make_toy_course(tmp_path / "course")


def toy_submission(course, folder: Path, answers: dict[str, str] | None = None, *, solution: bool = False) -> Path:
    """Write a toy notebook filled with ``answers`` (or the solution) into ``folder``."""
    from grader.model.nbcells import read_notebook
    from grader.authoring.submissions import solution_answers, write_submission

    if solution:
        answers = solution_answers(read_notebook(FIXTURES / "toy" / "toy.ipynb"))
    return write_submission(course.release_dir("toy") / "toy.ipynb", answers or {}, folder / "toy.ipynb")


# the course site, built once per session for the tests that read it (tests/site, tests/browser/test_site.py)
from .sitebuild import built_site, site_url  # noqa: E402,F401
