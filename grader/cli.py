"""The `mlip` command: parses arguments and calls the library; defaults come from the functions."""
from __future__ import annotations

import argparse
import inspect
import os
import sys
from pathlib import Path

from grader.model.errors import MlipError, UsageError


def _default(fn, name):
    return inspect.signature(fn).parameters[name].default


def _course_arg(p):
    p.add_argument("--course", help="course folder (default: $MLIP_COURSE or the current folder)")


RUN_EPILOG = """\
Each notebook goes through papermill's own execute_notebook with the kit's engine: parameters (-p -r -y -f -b),
the kernel (-k, else the notebook's kernelspec), --prepare-only, --report-mode, error banners, run metadata and
what counts as a failure (sys.exit() and sys.exit(0) are a clean stop) are papermill's.
Deliberate differences from papermill:
  - many notebooks at once (--jobs, --scheduler); executed copies go to --out DIR under their own names;
  - kernels start in each notebook's own folder, so relative data paths work from anywhere; papermill starts
    them in the current folder (give --cwd DIR to choose one folder for all);
  - time limits by default (--cell-timeout, --notebook-timeout); a cell over a limit is marked failed, gets
    an error output and papermill's error banner (papermill marks a timed-out cell completed, no banner);
  - a dead kernel is status "died" and exit 1 (papermill exits 138); exit 1 if any notebook failed.
"""


def _run_parser(sub, runner) -> None:
    p = sub.add_parser("run", help="run notebooks with parameters (papermill's execution, many at once)",
                       description="Run notebooks as papermill does, many at once, with limits and a summary table.",
                       epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, or folders of notebooks")
    p.add_argument("-p", "--parameters", "--parameter", dest="parameter", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"), help="a parameter; VALUE read as papermill reads it (int, float, "
                   "True/False/None, else text)")
    p.add_argument("-r", "--parameters-raw", "--parameters_raw", dest="raw", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"), help="a parameter kept as text")
    p.add_argument("-y", "--parameters-yaml", "--parameters_yaml", dest="yaml", action="append", default=[],
                   metavar="YAML", help="parameters as a YAML mapping")
    p.add_argument("-f", "--parameters-file", "--parameters_file", dest="file", action="append", default=[],
                   metavar="FILE", help="parameters from a YAML or JSON file")
    p.add_argument("-b", "--parameters-base64", "--parameters_base64", dest="base64", action="append", default=[],
                   metavar="BASE64", help="parameters as base64 of a YAML mapping")
    p.add_argument("-k", "--kernel", default=_default(runner.run, "kernel"),
                   help="kernel for every notebook (default: each notebook's kernelspec)")
    p.add_argument("--cwd", default=_default(runner.run, "cwd"),
                   help="folder the kernels start in (default: each notebook's own folder; papermill: current)")
    p.add_argument("--prepare-only", action="store_true", help="inject parameters and write, run nothing")
    p.add_argument("--report-mode", action="store_true", help="hide code cells' inputs in the executed copies")
    p.add_argument("--jobs", type=int, default=_default(runner.run, "jobs"))
    p.add_argument("--out", default=_default(runner.run, "out"), help="folder for the executed copies")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address: run on its workers")
    p.add_argument("--cell-timeout", "--execution-timeout", dest="cell_timeout", type=float,
                   default=_default(runner.run, "cell_timeout"), help="seconds per cell (default: %(default)g)")
    p.add_argument("--notebook-timeout", type=float, default=_default(runner.run, "notebook_timeout"),
                   help="seconds per notebook (default: %(default)g)")
    p.add_argument("--start-timeout", type=float, default=_default(runner.run, "start_timeout"),
                   help="seconds to wait for a kernel to start (default: %(default)g)")
    p.add_argument("--no-progress", "--no-progress-bar", dest="no_progress", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from grader.authoring import check
    from grader import demo
    from grader.grading import batch as grading
    from grader.execution import runner

    ap = argparse.ArgumentParser(prog="mlip", description="Machine Learning in Production course kit")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="the whole path on embedded defaults")
    p.add_argument("--dir", default=_default(demo.demo, "directory"))
    p.add_argument("--jobs", type=int, default=_default(demo.demo, "jobs"))

    _run_parser(sub, runner)

    pc = sub.add_parser("course", help="create or adopt a course folder")
    csub = pc.add_subparsers(dest="course_command", required=True)
    p = csub.add_parser("init")
    p.add_argument("dir")
    p.add_argument("--id", default=None)
    p = csub.add_parser("adopt", help="make an existing nbgrader course folder an mlip course, in place")
    p.add_argument("dir")
    p.add_argument("--db-url", default=None)

    p = sub.add_parser("rubric", help="rubric tools")
    rsub = p.add_subparsers(dest="rubric_command", required=True)
    p = rsub.add_parser("draft")
    p.add_argument("assignment")
    p.add_argument("--assignments", default=None)
    _course_arg(p)

    p = sub.add_parser("release", help="make the student version and freeze the rubric")
    p.add_argument("assignment")
    p.add_argument("--due")
    p.add_argument("--final")
    p.add_argument("--assignments", default=None)
    _course_arg(p)

    p = sub.add_parser("submit", help="take in one student's notebooks or folder")
    p.add_argument("assignment")
    p.add_argument("paths", nargs="+")
    p.add_argument("--student", required=True)
    p.add_argument("--at", default=None)
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("collect", help="take in a folder of student folders or an LMS zip")
    p.add_argument("assignment")
    p.add_argument("source")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("grade", help="grade every pending attempt")
    p.add_argument("assignment", nargs="?")
    p.add_argument("--jobs", type=int, default=_default(grading.grade, "jobs"))
    p.add_argument("--scheduler", default=None)
    p.add_argument("--db-url", default=None)
    p.add_argument("--cell-timeout", type=float, default=None,
                   help="seconds a cell may run (default: the course's, e.g. nbgrader's Execute.timeout, "
                        f"else {grading.Limits.cell_timeout:g})")
    p.add_argument("--notebook-timeout", type=float, default=grading.Limits.notebook_timeout)
    p.add_argument("--sandbox", choices=["bwrap", "none"], default=_default(grading.grade, "sandbox"),
                   help="bwrap (default): each kernel in a bubblewrap sandbox; none: unconfined, said in every status")
    p.add_argument("--judge", choices=["separate", "kernel"], default=None,
                   help="where test cells run (default: each rubric's `judge:`): separate, a judge outside the "
                        "sandbox; kernel, the student's kernel")
    _course_arg(p)

    p = sub.add_parser("status", help="spec table and attempt history")
    p.add_argument("assignment")
    p.add_argument("--student")
    p.add_argument("--json", action="store_true")
    p.add_argument("--by-section", action="store_true", help="group the table by the roster's sections")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("extend", help="give one student more time on one assignment (recorded in the ledger)")
    p.add_argument("assignment")
    p.add_argument("--student", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--days", type=int, help="days added to the student's due date")
    g.add_argument("--due", help="the student's due date (ISO-8601 time)")
    g.add_argument("--final", help="the student's final deadline (ISO-8601 time)")
    p.add_argument("--reason", default="")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("accommodate", help="a standing accommodation for one student, every assignment")
    p.add_argument("student")
    p.add_argument("--time-factor", type=float, default=None)
    p.add_argument("--extra-tokens", type=int, default=None)
    p.add_argument("--reason", default="")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("roster", help="the course roster")
    rsub = p.add_subparsers(dest="roster_command", required=True)
    p = rsub.add_parser("import", help="import a Canvas roster CSV or a student,name,email,section CSV")
    p.add_argument("file")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("mark", help="decide a manual spec")
    p.add_argument("assignment")
    p.add_argument("--student", required=True)
    p.add_argument("--spec", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--pass", dest="passed", action="store_true")
    g.add_argument("--fail", dest="failed", action="store_true")
    p.add_argument("--comment", default="")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("feedback", help="write feedback pages (held ones say received and graded only)")
    p.add_argument("assignment")
    p.add_argument("--student")
    p.add_argument("--release", action="store_true", help="publish held feedback now (recorded with the time)")
    p.add_argument("--mode", choices=["immediate", "after_due", "manual"], default=None,
                   help="when students see verdicts, overriding rubric.yml's `feedback:` (recorded)")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("report", help="one HTML page for TAs: an assignment, or the whole course")
    p.add_argument("assignment", nargs="?", help="a released assignment (default: every released one)")
    p.add_argument("-o", "--output", default=None, help="the page to write (default: reports/ASSIGNMENT.html)")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("export", help="grades as CSV")
    p.add_argument("--format", choices=["canvas", "csv"], default="canvas")
    p.add_argument("-o", "--output", default=None)
    p.add_argument("--all", action="store_true", help="include points whose feedback is still held")
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("check", help="authoring check of an assignment")
    p.add_argument("assignment")
    p.add_argument("--assignments", default=None)
    p.add_argument("--jobs", type=int, default=_default(check.check, "jobs"))
    p.add_argument("--sandbox", choices=["bwrap", "none"], default=_default(check.check, "sandbox"))
    p.add_argument("--mutants", action="store_true",
                   help="also grade mutants of the solution and report, per spec, those its tests let through "
                        "(writes mutants.json beside the rubric)")

    p = sub.add_parser("validate", help="student side: run the visible tests of a notebook")
    p.add_argument("notebook")
    p.add_argument("--assignment", default=None)
    _course_arg(p)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `mlip` console command."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    _bin = str(Path(sys.executable).parent)
    if _bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader of our output left early (`mlip status --json | head`): stop quietly
        _silence_stdout()
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the final flush at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        sys.stdout.flush()
        return int(exc.code or 0)
    try:
        code = _dispatch(args) or 0
        sys.stdout.flush()  # a closed pipe shows here, inside main, not as a traceback at exit
        return code
    except UsageError as exc:
        print(f"mlip: {exc}", file=sys.stderr)
        return 2
    except MlipError as exc:
        print(f"mlip: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mlip: interrupted; run the same command again to continue", file=sys.stderr)
        return 1


def _dispatch(args) -> int:
    from grader import commands

    return commands.dispatch(args)


if __name__ == "__main__":
    sys.exit(main())
