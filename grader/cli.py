"""The `mlip` command: parses arguments and calls the library; defaults come from the functions."""
from __future__ import annotations

import argparse
import inspect
import os
import sys
from pathlib import Path

from .errors import MlipError, UsageError


def _default(fn, name):
    return inspect.signature(fn).parameters[name].default


def _course_arg(p):
    p.add_argument("--course", help="course folder (default: $MLIP_COURSE or the current folder)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from . import check, demo, grading, runner

    ap = argparse.ArgumentParser(prog="mlip", description="Machine Learning in Production course kit")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="the whole path on embedded defaults")
    p.add_argument("--dir", default=_default(demo.demo, "directory"))
    p.add_argument("--jobs", type=int, default=_default(demo.demo, "jobs"))

    p = sub.add_parser("run", help="run notebooks with parameters (papermill style)")
    p.add_argument("paths", nargs="+")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    p.add_argument("--jobs", type=int, default=_default(runner.run, "jobs"))
    p.add_argument("--out", default=_default(runner.run, "out"))
    p.add_argument("--scheduler", default=None)
    p.add_argument("--cell-timeout", type=float, default=_default(runner.run, "cell_timeout"))
    p.add_argument("--no-progress", action="store_true")

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
    p.add_argument("--cell-timeout", type=float, default=grading.Limits.cell_timeout)
    p.add_argument("--notebook-timeout", type=float, default=grading.Limits.notebook_timeout)
    p.add_argument("--sandbox", choices=["bwrap", "none"], default=_default(grading.grade, "sandbox"),
                   help="bwrap (default): each kernel in a bubblewrap sandbox; none: unconfined, said in every status")
    _course_arg(p)

    p = sub.add_parser("status", help="spec table and attempt history")
    p.add_argument("assignment")
    p.add_argument("--student")
    p.add_argument("--json", action="store_true")
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

    p = sub.add_parser("feedback", help="write feedback pages")
    p.add_argument("assignment")
    p.add_argument("--student")
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
    p.add_argument("--db-url", default=None)
    _course_arg(p)

    p = sub.add_parser("check", help="authoring check of an assignment")
    p.add_argument("assignment")
    p.add_argument("--assignments", default=None)
    p.add_argument("--jobs", type=int, default=_default(check.check, "jobs"))
    p.add_argument("--sandbox", choices=["bwrap", "none"], default=_default(check.check, "sandbox"))

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
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return _dispatch(args) or 0
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
    from . import commands

    return commands.dispatch(args)


if __name__ == "__main__":
    sys.exit(main())
