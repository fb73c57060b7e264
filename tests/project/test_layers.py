"""grader/ reads as the data flow: each stage imports only the stages below it (DESIGN.md, "grader/ as it grows")."""
import ast
from pathlib import Path

import pytest

GRADER = Path(__file__).resolve().parents[2] / "grader"
# top to bottom; a module may import from its own package and from those after it
ORDER = ["(top)", "outputs", "authoring", "grading", "intake", "execution", "records", "model"]


def _package(path: Path) -> str:
    rel = path.relative_to(GRADER).parts
    return rel[0] if len(rel) > 1 else "(top)"


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grader"):
            parts = node.module.split(".")
            if len(parts) == 1:
                yield from (("(top)" if a.name in ("cli", "commands", "demo") else a.name, node.lineno)
                            for a in node.names)
            else:
                yield parts[1] if parts[1] in ORDER else "(top)", node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; use grader.<stage>.<module>")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("grader."):
                    yield alias.name.split(".")[1], node.lineno


MODULES = sorted(p for p in GRADER.rglob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GRADER)))
def test_a_stage_imports_only_stages_below_it(path):
    own = ORDER.index(_package(path))
    for stage, line in _imports(path):
        assert ORDER.index(stage) >= own, f"{path.relative_to(GRADER)}:{line} imports grader.{stage}, a stage above"


def test_no_stage_holds_more_than_a_reader_can_take_in():
    for stage in ORDER[1:]:
        assert len(list((GRADER / stage).glob("*.py"))) <= 12, stage


def test_paths_that_climb_out_of_grader_find_the_kit():
    # modules one level deeper after the regroup must still find the kit's own folders
    from grader import demo
    from grader.authoring import check
    from grader.execution import sandbox

    assert (demo.KIT / "assignments").is_dir() and (demo.KIT / "tests" / "fixtures" / "model-quality").is_dir()
    assert (sandbox.KIT / "mlip_helpers").is_dir()
    assert check.KIT_FIXTURES.is_dir()
