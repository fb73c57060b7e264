"""Every committed notebook: stored clean, shaped as the house style asks, and running clean under `mlip run`."""
import json
import re
from pathlib import Path

import nbformat
import pytest

from mlip_helpers.claims import FALSE_MARK
from tests.notebooks import curriculum
from tests.notebooks.curriculum import RUNS

KIT = Path(__file__).resolve().parents[2]
LECTURES = sorted((KIT / "notebooks").glob("*.ipynb"))
ASSIGNMENTS = sorted((KIT / "assignments").glob("*/*.ipynb"))
ALL = LECTURES + ASSIGNMENTS
EXERCISE = re.compile(r"^answer = \.\.\.", re.MULTILINE)


def test_there_are_lecture_notebooks():
    assert len(LECTURES) >= 2


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert dirty == [], f"{path.name} has outputs in cells {dirty}; strip them before committing"


FIXTURES = sorted((KIT / "tests" / "fixtures").rglob("*.ipynb"))


def test_vendored_and_hostile_fixture_notebooks_are_stored_without_outputs():
    # a fixture with outputs from a run would test the stored outputs, not what the kit produces from the source
    assert len(FIXTURES) >= 50
    dirty = {}
    for path in FIXTURES:
        stored = json.loads(path.read_text())
        # nbformat 3 keeps its cells in worksheets (a hostile fixture is stored in that old format on purpose)
        cells = stored.get("cells") or [c for w in stored.get("worksheets", []) for c in w["cells"]]
        stained = [i for i, c in enumerate(cells) if c["cell_type"] == "code"
                   and (c.get("outputs") or c.get("execution_count") is not None or c.get("prompt_number"))]
        if stained:
            dirty[str(path.relative_to(KIT))] = stained
    assert dirty == {}, f"strip these fixtures' outputs before committing: {dirty}"


@pytest.mark.parametrize("path", LECTURES, ids=[p.name for p in LECTURES])
def test_lecture_code_fits_the_reading_width(path):
    # JupyterLab shows about 120 characters beside the table of contents; longer lines scroll sideways
    cells = nbformat.read(path, as_version=4).cells
    long = [(c.get("id"), len(line)) for c in cells if c.cell_type == "code"
            for line in c.source.splitlines() if len(line) > 120]
    assert long == [], f"{path.name}: code lines over 120 characters (cell id, length): {long}"


@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_has_one_parameters_cell_with_size_and_seed(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    assert re.search(r"^seed = \d+", tagged[0].source, re.MULTILINE)
    if path in LECTURES:  # a lecture runs small in CI and full in class
        assert re.search(r"^n_samples = \d+", tagged[0].source, re.MULTILINE)


@pytest.mark.parametrize("path", LECTURES, ids=[p.name for p in LECTURES])
def test_lecture_has_title_goals_exercises_and_takeaways(path):
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert "Learning goals" in cells[0].source and "CC BY 4.0" in cells[0].source
    exercises = [c for c in cells if c.cell_type == "code" and EXERCISE.search(c.source)]
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert len(exercises) >= 2 and len(solutions) == len(exercises)
    assert all("check(" in c.source for c in exercises + solutions)
    assert all(c.metadata["jupyter"]["source_hidden"] for c in solutions)
    assert "take away" in cells[-1].source.lower()
    for before, cell in zip(cells, cells[1:]):
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []) \
                and not cell.source.startswith("import") and "solution" not in cell.metadata.get("tags", []):
            assert before.cell_type == "markdown", f"code cell without a sentence before it:\n{cell.source[:200]}"


# Three runs of the whole curriculum (tests/notebooks/curriculum.py: seed 0 small, seeds 1 and 2 at default size),
# started in the background at collection. Every claim a lecture makes about its numbers (mlip_helpers.claims.claim)
# raises when that run's data contradict it, so a sentence written for one seed fails here instead of misleading a
# reader.
CLAIM = re.compile(r"\bclaim\(")


@pytest.fixture(scope="module")
def curriculum_runs():
    return curriculum.result


@pytest.fixture(scope="module")
def executed(curriculum_runs):
    return curriculum_runs("seed 0, n_samples 300")


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("key", list(RUNS))
def test_lectures_run_clean_under_mlip_run(curriculum_runs, key):
    res, _ = curriculum_runs(key)
    assert res.returncode == 0, res.stdout + res.stderr
    rows = [ln.split() for ln in res.stdout.splitlines() if ln.split() and ln.split()[0].endswith(".ipynb")]
    assert len(rows) == len(LECTURES)
    for row in rows:
        assert row[1] == "ok" and len(row) == 3, f"{key}: not clean: {' '.join(row)}"


@pytest.mark.parametrize("path", LECTURES, ids=[p.name for p in LECTURES])
def test_lecture_states_its_data_dependent_sentences_as_claims(path):
    cells = nbformat.read(path, as_version=4).cells
    claims = [c for c in cells if c.cell_type == "code" and CLAIM.search(c.source)]
    assert len(claims) >= 2, f"{path.name}: state at least two sentences about this run's numbers with claim()"


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("key", list(RUNS))
def test_every_claim_holds_and_is_shown(curriculum_runs, key):
    _, out = curriculum_runs(key)
    problems = []
    for path in LECTURES:
        nb = nbformat.read(out / path.name, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or not CLAIM.search(cell.source) or "def claim" in cell.source:
                continue
            text = "".join(o.get("text", "") for o in cell.get("outputs", []))
            errors = [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]
            if errors or "\u2714" not in text or FALSE_MARK in text:
                problems.append(f"{path.name} cell {cell.get('id')}: {errors or 'no claim printed'}")
    assert problems == [], f"{key}: " + "; ".join(problems)


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("path", LECTURES, ids=[p.name for p in LECTURES])
def test_lecture_output_plots_and_self_checks(executed, path):
    _, out = executed
    nb = nbformat.read(out / path.name, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 1, f"{path.name} drew no plot"
    for cell in nb.cells:
        text = "".join(o.get("text", "") for o in cell.get("outputs", []))
        if "solution" in cell.metadata.get("tags", []):
            assert "\u2714 correct" in text, f"{path.name}: a worked solution does not pass: {text[:300]}"
        elif cell.cell_type == "code" and EXERCISE.search(cell.source):
            assert "not answered yet" in text, f"{path.name}: an unanswered exercise says {text[:300]}"


def test_running_example_links_every_lecture_it_appears_in():
    """The movie recommender is the course's running example: each lecture that presents it links all the others."""
    link = re.compile(r"`(\d\d[a-z]?-[\w-]+)\.ipynb`")
    shown = {}
    for path in LECTURES:
        cells = nbformat.read(path, as_version=4).cells
        text = " ".join(c.source for c in cells if c.cell_type == "markdown"
                        and "running example" in c.source and "recommend" in c.source)
        if text:
            shown[path.stem] = set(link.findall(text))
    assert len(shown) >= 5, f"the recommender is presented in only {sorted(shown)}"
    missing = {stem: sorted(set(shown) - links - {stem}) for stem, links in shown.items()}
    assert not any(missing.values()), f"lectures that do not link the others presenting the recommender: {missing}"


def _helper_solutions():
    from mlip_helpers import exercises
    for lec in exercises.lectures():
        names = {e.solution.__name__ for e in lec.build().values() if e.kind == "code"
                 and getattr(e.solution, "__module__", "").startswith("mlip_helpers")}
        yield lec.notebook, sorted(names)


@pytest.mark.parametrize("stem, names", list(_helper_solutions()), ids=lambda v: v if isinstance(v, str) else "")
def test_build_it_answer_is_not_imported_before_its_exercise(stem, names):
    """A build-it exercise whose worked answer is a helper: the notebook's imports must not hand it to the student."""
    cells = nbformat.read(KIT / "notebooks" / f"{stem}.ipynb", as_version=4).cells
    first_exercise = next(i for i, c in enumerate(cells) if c.cell_type == "code" and EXERCISE.search(c.source))
    imports = " ".join(c.source for c in cells[:first_exercise] if c.cell_type == "code" and "import" in c.source)
    leaked = [n for n in names if re.search(rf"\b{n}\b", imports)]
    assert leaked == [], f"{stem} imports {leaked} before its exercises: that function is a build-it's answer"
