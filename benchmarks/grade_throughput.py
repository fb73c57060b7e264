"""Grading throughput: nbgrader's own autograde in sequence against `mlip grade` in both judge modes.

For each assignment (default: all of the kit's), the same N copies of its solution are graded by nbgrader
autograde and by `mlip grade --jobs J --judge M` for every J and M asked for, each in a fresh course; the script
prints wall seconds, submissions per minute, the ratio to nbgrader, and the overhead per submission beyond the
time the notebook's own cells take (measured by running the solution once), then one summary table.

    python benchmarks/grade_throughput.py [-n 12] [--assignment all | NAME ...] [--jobs 1 2] \
        [--judge separate kernel] [--sandbox bwrap]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(KIT))

from grader.records.course import Course, init_course  # noqa: E402
from grader.intake.submit import submit  # noqa: E402
from grader.records.ledger import Ledger  # noqa: E402
from grader.execution.execute import run_notebook  # noqa: E402
from grader.model.nbcells import read_notebook  # noqa: E402
from grader.authoring.release import release  # noqa: E402
from grader.authoring.submissions import solution_answers, write_submission  # noqa: E402

BIN = str(Path(sys.executable).parent)
ENV = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}


def make_course(root: Path, assignment: str, n: int) -> tuple[Path, list[Path]]:
    """A course with the assignment released and n solution submissions written out (not yet taken in)."""
    course = init_course(root / "course")
    rel = release(course, assignment, assignments_dir=KIT / "assignments")
    name = rel.notebooks[0]
    answers = solution_answers(read_notebook(course.source_dir(assignment) / name))
    subs = []
    for i in range(n):
        dest = root / "subs" / f"s{i:03d}" / name
        write_submission(course.release_dir(assignment) / name, answers, dest)
        # each copy differs by one character so every submission is its own attempt
        dest.write_text(dest.read_text().replace('"nbformat_minor"', f'"x_copy": {i}, "nbformat_minor"', 1))
        subs.append(dest)
    return course.root, subs


def cells_seconds(course: Path, assignment: str, name: str) -> float:
    """How long the solution's own cells take in one kernel (the part of grading no harness can avoid)."""
    nb = read_notebook(course / "source" / assignment / name)
    with tempfile.TemporaryDirectory() as tmp:
        for p in (course / "release" / assignment).iterdir():
            if p.suffix != ".ipynb":
                shutil.copy(p, tmp)
        out = run_notebook(nb, cwd=tmp, cell_timeout=300, notebook_timeout=900)
    return sum(c.seconds for c in out.cells)


def bench_nbgrader(root: Path, assignment: str, n: int) -> float:
    """nbgrader autograde, one process, submissions in sequence (its only mode)."""
    course, subs = make_course(root, assignment, n)
    subprocess.run(["nbgrader", "generate_assignment", assignment, "--force"], cwd=course, env=ENV, check=True,
                   capture_output=True)
    for sub in subs:
        dest = course / "submitted" / sub.parent.name / assignment
        dest.mkdir(parents=True)
        shutil.copy(sub, dest / sub.name)
        (dest / "timestamp.txt").write_text("2026-09-14 10:00:00.000000 UTC")
    start = time.monotonic()
    res = subprocess.run(["nbgrader", "autograde", assignment, "--create"], cwd=course, env=ENV,
                         capture_output=True, text=True)
    took = time.monotonic() - start
    if res.returncode != 0:
        raise SystemExit(f"nbgrader autograde failed:\n{res.stderr[-2000:]}")
    return took


def bench_mlip(root: Path, assignment: str, n: int, jobs: int, sandbox: str, judge: str) -> float:
    """mlip grade with `jobs` workers, from submission to recorded verdicts."""
    course, subs = make_course(root, assignment, n)
    ledger = Ledger(Course(course).default_db_url)
    try:
        for sub in subs:
            submit(Course(course), ledger, assignment, [sub], student=sub.parent.name, at="2026-09-14T10:00:00Z")
    finally:
        ledger.close()
    start = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "grader.cli", "grade", assignment, "--course", str(course),
                          "--jobs", str(jobs), "--sandbox", sandbox, "--judge", judge], env=ENV,
                         capture_output=True, text=True)
    took = time.monotonic() - start
    if res.returncode != 0 or f"graded {n} attempt(s) (0 with errors)" not in res.stdout:
        raise SystemExit(f"mlip grade failed:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    status = json.loads(subprocess.run([sys.executable, "-m", "grader.cli", "status", assignment, "--json",
                                        "--course", str(course)], env=ENV, capture_output=True, text=True).stdout)
    passed = sum(all(a["specs"].values()) for s in status["students"] for a in s["attempts"])
    if passed != n:
        raise SystemExit(f"only {passed} of {n} solutions passed every spec; the benchmark is not measuring grading")
    return took


def bench_assignment(tmp: Path, assignment: str, args) -> tuple[float, list[tuple[str, float]]]:
    """The cells' own seconds and (label, wall seconds) per runner for one assignment."""
    course, _ = make_course(tmp / "probe", assignment, 1)
    name = next((course / "release" / assignment).glob("*.ipynb")).name
    cells = cells_seconds(course, assignment, name)
    rows = []
    if not args.skip_nbgrader:
        rows.append(("nbgrader autograde (sequential)", bench_nbgrader(tmp / "nbgrader", assignment, args.n)))
    for judge in args.judge:
        for jobs in args.jobs:
            took = bench_mlip(tmp / f"mlip-{judge}-{jobs}", assignment, args.n, jobs, args.sandbox, judge)
            rows.append((f"mlip grade --jobs {jobs} --judge {judge}", took))
    return cells, rows


def print_table(assignment: str, n: int, cells: float, rows: list[tuple[str, float]]) -> None:
    """One assignment's rows: wall seconds, throughput, ratio to the first row and overhead per submission."""
    base = rows[0][1]
    print(f"\n{n} solution submissions of {assignment}; {os.cpu_count()} cores; "
          f"the notebook's own cells take {cells:.2f} s")
    print(f"{'runner':<40} {'wall s':>8} {'subs/min':>9} {'vs first':>9} {'s/sub':>7} {'overhead s/sub':>15}")
    for label, took in rows:
        per = took / n
        jobs = int(label.split("--jobs ")[1].split()[0]) if "--jobs" in label else 1
        overhead = per * jobs - cells
        print(f"{label:<40} {took:>8.1f} {60 * n / took:>9.1f} {base / took:>8.2f}x {per:>7.2f} {overhead:>15.2f}",
              flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=12, help="submissions per assignment (default 12)")
    ap.add_argument("--assignment", nargs="+", default=["all"], help="names, or all (default)")
    ap.add_argument("--jobs", type=int, nargs="+", default=sorted({1, os.cpu_count() or 1}))
    ap.add_argument("--judge", nargs="+", default=["separate", "kernel"], choices=["separate", "kernel"])
    ap.add_argument("--sandbox", default="bwrap", choices=["bwrap", "none"])
    ap.add_argument("--skip-nbgrader", action="store_true")
    args = ap.parse_args(argv)
    names = args.assignment
    if names == ["all"]:
        names = sorted(p.parent.name for p in (KIT / "assignments").glob("*/rubric.yml"))
    summary = []
    for assignment in names:
        with tempfile.TemporaryDirectory(prefix="mlip-bench-") as tmp:
            cells, rows = bench_assignment(Path(tmp), assignment, args)
        print_table(assignment, args.n, cells, rows)
        summary.append((assignment, cells, rows))
    labels = [label for label, _ in summary[0][2]]
    print(f"\nsummary: seconds per submission (ratio to the first column), {args.n} solutions each")
    print(f"{'assignment':<24} {'cells':>6} " + " ".join(f"{lb.replace('mlip grade ', ''):>26}" for lb in labels))
    for assignment, cells, rows in summary:
        base = rows[0][1]
        print(f"{assignment:<24} {cells:>6.2f} " + " ".join(
            f"{t / args.n:>17.2f} ({base / t:>4.2f}x)" for _, t in rows))


if __name__ == "__main__":
    main()
