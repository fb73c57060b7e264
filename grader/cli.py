"""The `mlip` command: parses arguments and calls the library.

Only the standard library is imported here, so `mlip --help` answers at once; each subcommand imports what it
needs when it runs (grader/commands.py). The defaults shown below are the library functions' own:
tests/grader/test_cli_options.py checks every entry of DEFAULTS against the function's signature.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

DEFAULTS = {
    ("grader.demo", "demo", "directory"): "build/demo-course",
    ("grader.demo", "demo", "jobs"): 2,
    ("grader.execution.runner", "run", "kernel"): None,
    ("grader.execution.runner", "run", "cwd"): None,
    ("grader.execution.runner", "run", "jobs"): 1,
    ("grader.execution.runner", "run", "out"): "build/runs",
    ("grader.execution.runner", "run", "cell_timeout"): 600,
    ("grader.execution.runner", "run", "notebook_timeout"): 1800,
    ("grader.execution.runner", "run", "start_timeout"): 60,
    ("grader.grading.batch", "grade", "jobs"): 1,
    ("grader.grading.batch", "grade", "sandbox"): "bwrap",
    ("grader.grading.batch", "Limits", "cell_timeout"): 30,
    ("grader.grading.batch", "Limits", "notebook_timeout"): 300,
    ("grader.authoring.check", "check", "jobs"): 2,
    ("grader.authoring.check", "check", "sandbox"): "bwrap",
    ("grader.outputs.similarity", "similarity", "threshold"): 0.5,
}
"""(module, function or class, parameter) -> default, as the library declares it (checked by a test)."""


def _default(module: str, fn: str, name: str):
    return DEFAULTS[(module, fn, name)]


def _number(kind, *, low, what: str, strict: bool = True):
    """An argparse type for a number above (or from) ``low``: `--jobs 0` is refused in one line."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not math.isfinite(value) or (value <= low if strict else value < low):
            raise argparse.ArgumentTypeError(f"{text} is impossible; give {what}")
        return value
    return parse


JOBS = _number(int, low=0, what="1 or more workers")
SECONDS = _number(float, low=0, what="a number of seconds above 0")


def SHARE(text: str) -> float:  # noqa: N802 (an argparse type, named like the others)
    """A share above 0 and at most 1."""
    value = _number(float, low=0, what="a share between 0 and 1, e.g. 0.5")(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"{text} is impossible; give a share between 0 and 1, e.g. 0.5")
    return value


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error: what was wrong and where to read more."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message}; see {self.prog} --help\n")


def _course_arg(p):
    p.add_argument("--course", help="course folder (default: $MLIP_COURSE or the current folder)")


def _db_arg(p):
    p.add_argument("--db-url", default=None,
                   help="ledger database (default: $MLIP_DB_URL, mlip.yml's db_url, else the course's SQLite file)")


RUN = "grader.execution.runner"
GRADE = "grader.grading.batch"
CHECK = "grader.authoring.check"

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


def _run_parser(sub) -> None:
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
    p.add_argument("-k", "--kernel", default=_default(RUN, "run", "kernel"),
                   help="kernel for every notebook (default: each notebook's kernelspec)")
    p.add_argument("--cwd", default=_default(RUN, "run", "cwd"),
                   help="folder the kernels start in (default: each notebook's own folder; papermill: current)")
    p.add_argument("--prepare-only", action="store_true", help="inject parameters and write, run nothing")
    p.add_argument("--report-mode", action="store_true", help="hide code cells' inputs in the executed copies")
    p.add_argument("--jobs", type=JOBS, default=_default(RUN, "run", "jobs"),
                   help="notebooks run at once (default: %(default)s)")
    p.add_argument("--out", default=_default(RUN, "run", "out"), help="folder for the executed copies")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address: run on its workers")
    p.add_argument("--cell-timeout", "--execution-timeout", dest="cell_timeout", type=SECONDS,
                   default=_default(RUN, "run", "cell_timeout"), help="seconds per cell (default: %(default)g)")
    p.add_argument("--notebook-timeout", type=SECONDS, default=_default(RUN, "run", "notebook_timeout"),
                   help="seconds per notebook (default: %(default)g)")
    p.add_argument("--start-timeout", type=SECONDS, default=_default(RUN, "run", "start_timeout"),
                   help="seconds to wait for a kernel to start (default: %(default)g)")
    p.add_argument("--no-progress", "--no-progress-bar", dest="no_progress", action="store_true",
                   help="no progress bar (one is shown on a terminal only)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    ap = Parser(prog="mlip", description="Machine Learning in Production course kit")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("demo", help="the whole path on embedded defaults")
    p.add_argument("--dir", default=_default("grader.demo", "demo", "directory"),
                   help="folder for the demo course (default: %(default)s)")
    p.add_argument("--jobs", type=JOBS, default=_default("grader.demo", "demo", "jobs"),
                   help="attempts graded at once (default: %(default)s)")

    _run_parser(sub)

    pc = sub.add_parser("course", help="create or adopt a course folder")
    csub = pc.add_subparsers(dest="course_command", required=True, parser_class=Parser)
    p = csub.add_parser("init", help="create a new course folder")
    p.add_argument("dir", help="the folder to create")
    p.add_argument("--id", default=None, help="the course id nbgrader uses (default: the folder's name)")
    p = csub.add_parser("adopt", help="make an existing nbgrader course folder an mlip course, in place")
    p.add_argument("dir", help="the nbgrader course folder")
    _db_arg(p)

    p = sub.add_parser("rubric", help="rubric tools")
    rsub = p.add_subparsers(dest="rubric_command", required=True, parser_class=Parser)
    p = rsub.add_parser("draft", help="print a starting rubric.yml derived from the notebook's graded cells")
    p.add_argument("assignment", help="the assignment's folder name")
    p.add_argument("--assignments", default=None, help="folder of assignments (default: the kit's assignments/)")
    _course_arg(p)

    p = sub.add_parser("release", help="make the student version and freeze the rubric")
    p.add_argument("assignment", help="the assignment's folder name")
    p.add_argument("--due", help="due date (ISO-8601 time), overriding the rubric's")
    p.add_argument("--final", help="final deadline (ISO-8601 time), overriding the rubric's")
    p.add_argument("--assignments", default=None, help="folder of assignments (default: the kit's assignments/)")
    _course_arg(p)

    p = sub.add_parser("submit", help="take in one student's notebooks or folder")
    p.add_argument("assignment", help="a released assignment")
    p.add_argument("paths", nargs="+", metavar="PATH", help="the notebooks, or one folder")
    p.add_argument("--student", required=True, help="the student's id")
    p.add_argument("--at", default=None, help="submission time (ISO-8601; default: now)")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("collect", help="take in a folder of student folders or an LMS zip")
    p.add_argument("assignment", help="a released assignment")
    p.add_argument("source", help="a folder with one folder per student, or an LMS zip")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("grade", help="grade every pending attempt")
    p.add_argument("assignment", nargs="?", help="a released assignment (default: every one)")
    p.add_argument("--jobs", type=JOBS, default=_default(GRADE, "grade", "jobs"),
                   help="attempts graded at once (default: %(default)s)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address: grade on its workers")
    _db_arg(p)
    p.add_argument("--cell-timeout", type=SECONDS, default=None,
                   help="seconds a cell may run (default: the course's, e.g. nbgrader's Execute.timeout, "
                        f"else {_default(GRADE, 'Limits', 'cell_timeout'):g})")
    p.add_argument("--notebook-timeout", type=SECONDS, default=_default(GRADE, "Limits", "notebook_timeout"),
                   help="seconds a notebook may run (default: %(default)g)")
    p.add_argument("--sandbox", choices=["bwrap", "none"], default=_default(GRADE, "grade", "sandbox"),
                   help="bwrap (default): each kernel in a bubblewrap sandbox; none: unconfined, said in every status")
    p.add_argument("--judge", choices=["separate", "kernel"], default=None,
                   help="where test cells run (default: each rubric's `judge:`): separate, a judge outside the "
                        "sandbox; kernel, the student's kernel")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (one is shown on a terminal only)")
    _course_arg(p)

    p = sub.add_parser("status", help="spec table and attempt history")
    p.add_argument("assignment", help="a released assignment")
    p.add_argument("--student", help="one student only")
    p.add_argument("--json", action="store_true", help="print the status document as JSON")
    p.add_argument("--by-section", action="store_true", help="group the table by the roster's sections")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("extend", help="give one student more time on one assignment (recorded in the ledger)")
    p.add_argument("assignment", help="a released assignment")
    p.add_argument("--student", required=True, help="the student's id")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--days", type=JOBS, help="days added to the student's due date")
    g.add_argument("--due", help="the student's due date (ISO-8601 time)")
    g.add_argument("--final", help="the student's final deadline (ISO-8601 time)")
    p.add_argument("--reason", default="", help="why (kept in the ledger, shown to the course staff)")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("accommodate", help="a standing accommodation for one student, every assignment")
    p.add_argument("student", help="the student's id")
    p.add_argument("--time-factor", type=_number(float, low=1, what="a factor of 1 or more, e.g. 1.5", strict=False),
                   default=None, help="stretch the time from opening to due date (1.5: half as long again)")
    p.add_argument("--extra-tokens", type=_number(int, low=0, what="0 or more tokens", strict=False), default=None,
                   help="tokens on top of the course's")
    p.add_argument("--reason", default="", help="why (kept in the ledger, shown to the course staff)")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("roster", help="the course roster")
    rsub = p.add_subparsers(dest="roster_command", required=True, parser_class=Parser)
    p = rsub.add_parser("import", help="import a Canvas roster CSV or a student,name,email,section CSV")
    p.add_argument("file", help="the CSV file")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("mark", help="decide a manual spec")
    p.add_argument("assignment", help="a released assignment")
    p.add_argument("--student", required=True, help="the student's id")
    p.add_argument("--spec", required=True, help="the manual spec's id")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--pass", dest="passed", action="store_true", help="the spec holds")
    g.add_argument("--fail", dest="failed", action="store_true", help="the spec does not hold")
    p.add_argument("--comment", default="", help="what the student reads beside the verdict")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("feedback", help="write feedback pages (held ones say received and graded only)")
    p.add_argument("assignment", help="a released assignment")
    p.add_argument("--student", help="one student only")
    p.add_argument("--release", action="store_true", help="publish held feedback now (recorded with the time)")
    p.add_argument("--mode", choices=["immediate", "after_due", "manual"], default=None,
                   help="when students see verdicts, overriding rubric.yml's `feedback:` (recorded)")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("report", help="one HTML page for TAs: an assignment, or the whole course")
    p.add_argument("assignment", nargs="?", help="a released assignment (default: every released one)")
    p.add_argument("-o", "--output", default=None, help="the page to write (default: reports/ASSIGNMENT.html)")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("export", help="grades as CSV")
    p.add_argument("--format", choices=["canvas", "csv"], default="canvas",
                   help="canvas: a gradebook to import; csv: one row per student, assignment and spec")
    p.add_argument("-o", "--output", default=None, help="file to write (default: print)")
    p.add_argument("--all", action="store_true", help="include points whose feedback is still held")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("similarity", help="pairs of students whose answers match, for a person to judge")
    p.add_argument("assignment", help="a released assignment")
    p.add_argument("--threshold", type=SHARE,
                   default=_default("grader.outputs.similarity", "similarity", "threshold"),
                   help="list pairs whose answers overlap at least this much (default: %(default)g)")
    p.add_argument("-o", "--output", default=None, help="the page to write (default: reports/ASSIGNMENT-similarity.html)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (one is shown on a terminal only)")
    _db_arg(p)
    _course_arg(p)

    p = sub.add_parser("check", help="authoring check of an assignment")
    p.add_argument("assignment", help="the assignment's folder name")
    p.add_argument("--assignments", default=None, help="folder of assignments (default: the kit's assignments/)")
    p.add_argument("--jobs", type=JOBS, default=_default(CHECK, "check", "jobs"),
                   help="versions graded at once (default: %(default)s)")
    p.add_argument("--sandbox", choices=["bwrap", "none"], default=_default(CHECK, "check", "sandbox"),
                   help="bwrap (default): kernels in a bubblewrap sandbox; none: unconfined")
    p.add_argument("--mutants", action="store_true",
                   help="also grade mutants of the solution and report, per spec, those its tests let through "
                        "(writes mutants.json beside the rubric)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (one is shown on a terminal only)")

    p = sub.add_parser("validate", help="student side: run the visible tests of a notebook")
    p.add_argument("notebook", help="your notebook")
    p.add_argument("--assignment", default=None, help="the assignment (default: read from the notebook)")
    _course_arg(p)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `mlip` console command."""
    if argv is None and "jsonschema" not in sys.modules:
        # jsonschema compiles an RFC 3987 grammar at import (seconds) for the `iri` formats, which no notebook
        # schema uses; nbformat imports jsonschema, so every command that reads a notebook paid for it
        sys.modules.setdefault("rfc3987_syntax", None)
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
    from grader.model.errors import MlipError, UsageError

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
