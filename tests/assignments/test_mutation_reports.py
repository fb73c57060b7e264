"""Every assignment's committed mutation report (mutants.json, from `mlip check A --mutants`) is current and
its rubric kills every mutant that is not marked equivalent, each marked one with a reason. Fast: reads files.

Regenerate one with `mlip check A --mutants --jobs 2` (minutes per assignment; README, "For an instructor")."""
from pathlib import Path

import pytest
import yaml

from grader.authoring.mutation import REPORT_FILE, MutationReport, equivalents, plan, source_key

KIT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(p.parent.name for p in (KIT / "assignments").glob(f"*/{REPORT_FILE}"))


def test_the_strengthened_assignments_have_reports():
    assert "model-quality" in ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_report_is_current(assignment):
    src = KIT / "assignments" / assignment
    report = MutationReport.read(src / REPORT_FILE)
    assert report.key == source_key(src), (
        f"{assignment}/{REPORT_FILE} is stale (notebook, rubric or operators changed): "
        f"run `mlip check {assignment} --mutants`")
    planned = {m.id for _, m, _ in plan(src, yaml.safe_load((src / "rubric.yml").read_text()))}
    assert planned == {m["id"] for m in report.mutants}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_non_equivalent_mutant_is_killed(assignment):
    src = KIT / "assignments" / assignment
    report = MutationReport.read(src / REPORT_FILE)
    marked = equivalents(src)
    assert all(len(reason.split()) >= 5 for reason in marked.values()), "give each equivalent mutant a reason"
    assert set(marked) <= {m["id"] for m in report.mutants if not m["killed"]}, \
        "rubric.yml marks mutants as equivalent that do not exist or are killed"
    weak = {spec: row["survivors"] for spec, row in report.by_spec(marked).items() if row["survivors"]}
    assert weak == {}
