"""One small function per subcommand: turn parsed arguments into a library call and print the result."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from grader.records.course import find_assignment_source, init_course, open_course
from grader.model.errors import UsageError


def _ledger(course, args):
    from grader.records.ledger import Ledger

    return Ledger(getattr(args, "db_url", None) or course.default_db_url)


def cmd_demo(args) -> int:
    from grader.demo import demo

    demo(args.dir, jobs=args.jobs)
    return 0


def cmd_run(args) -> int:
    from grader.execution.runner import FAILED, format_summary, run
    from grader.execution.runparams import collect_parameters

    parameters = collect_parameters(pairs=args.parameter, raw=args.raw, yaml_texts=args.yaml, files=args.file,
                                    base64_texts=args.base64)
    rows = run(args.paths, parameters=parameters, jobs=args.jobs, out=args.out, scheduler=args.scheduler,
               kernel=args.kernel, cwd=args.cwd, prepare_only=args.prepare_only, report_mode=args.report_mode,
               cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
               start_timeout=args.start_timeout, progress=not args.no_progress)
    for r in rows:
        for warning in r.warnings:
            print(f"mlip: {r.notebook}: {warning}", file=sys.stderr)
    print(format_summary(rows))
    failed = [r for r in rows if r.status in FAILED]
    if failed:
        print(f"mlip: {len(failed)} of {len(rows)} notebook(s) failed: {', '.join(r.notebook for r in failed)}",
              file=sys.stderr)
        return 1
    return 0


def cmd_course(args) -> int:
    if args.course_command == "adopt":
        from grader.authoring.adopt import adopt

        report = adopt(Path(args.dir), db_url=args.db_url)
        for line in report.lines:
            print(line)
        if report.failed:
            print(f"mlip: adopted {args.dir} except for what could not be registered: {'; '.join(report.failed)} "
                  "(see above)", file=sys.stderr)
            return 1
        return 0
    course = init_course(Path(args.dir), course_id=args.id)
    print(f"course {course.course_id} ready at {course.root}; next: mlip release ASSIGNMENT --course {args.dir}")
    return 0


def cmd_rubric(args) -> int:
    from grader.authoring.release import read_assignment
    from grader.model.rubric import draft_rubric, rubric_to_yaml

    try:
        course = open_course(args.course)
    except Exception:  # drafting works without a course too
        course = None
    src = find_assignment_source(course, args.assignment, Path(args.assignments) if args.assignments else None)
    names = sorted(p.name for p in src.glob("*.ipynb"))
    _, _, cells = read_assignment(src, args.assignment, names, course_root=course.root if course else None)
    print(rubric_to_yaml(draft_rubric(cells, title=args.assignment)), end="")
    return 0


def cmd_release(args) -> int:
    from grader.authoring.release import release

    course = open_course(args.course)
    rel = release(course, args.assignment, due=args.due, final=args.final, assignments_dir=args.assignments)
    auto, manual = len(rel.rubric.auto_specs), len(rel.rubric.manual_specs)
    print(f"released {rel.name} to {rel.release_dir}: {len(rel.notebooks)} notebook(s), {auto} automatic and "
          f"{manual} manual spec(s), {rel.rubric.max_points:g} points"
          + (" (rubric derived from the notebook)" if rel.rubric.derived else ""))
    return 0


def cmd_submit(args) -> int:
    from grader.intake.submit import submit

    course = open_course(args.course)
    ledger = _ledger(course, args)
    try:
        intake = submit(course, ledger, args.assignment, args.paths, student=args.student, at=args.at)
    finally:
        ledger.close()
    a = intake.attempt
    if not intake.new:
        print(f"{a.student}: same files as attempt {a.number} (sha256 {a.sha256[:12]}); nothing new recorded")
    elif a.intake_status == "rejected":
        print(f"mlip: {a.student} attempt {a.number} recorded but rejected: {a.reason}", file=sys.stderr)
        return 1
    else:
        print(f"{a.student}: attempt {a.number} of {a.assignment} taken in at {a.submitted_at.isoformat()} "
              f"(sha256 {a.sha256[:12]})")
    return 0


def cmd_collect(args) -> int:
    from grader.intake.collect import collect

    course = open_course(args.course)
    ledger = _ledger(course, args)
    try:
        intakes, problems = collect(course, ledger, args.assignment, args.source)
    finally:
        ledger.close()
    new = sum(i.new for i in intakes)
    print(f"collected {len(intakes)} submission(s): {new} new attempt(s), {len(intakes) - new} already known")
    for p in problems:
        print(f"  problem: {p}", file=sys.stderr)
    return 0


def cmd_grade(args) -> int:
    from grader.execution.progress import Progress
    from grader.grading.batch import Limits, grade

    course = open_course(args.course)
    cell_timeout = args.cell_timeout or course.cell_timeout or Limits.cell_timeout
    limits = Limits(min(cell_timeout, args.notebook_timeout), args.notebook_timeout)
    bar = Progress("mlip grade", "attempt", bar=False if args.no_progress else None)

    def one(a, o):
        bar.done(f"{a.assignment}/{a.student} #{a.number}: {o.status}{' (' + o.reason + ')' if o.reason else ''} "
                 f"{o.seconds:.1f} s", problem=o.status == "error")
    one.start = bar.start
    try:
        report = grade(course, args.assignment, jobs=args.jobs, scheduler=args.scheduler, db_url=args.db_url,
                       limits=limits, sandbox=args.sandbox, judge=args.judge, progress=one)
    except KeyboardInterrupt:
        bar.close()
        print(f"mlip: interrupted after {bar.count} of {bar.total or '?'} attempt(s); their results are recorded. "
              "Run the same command again to grade the rest", file=sys.stderr)
        return 130
    finally:
        bar.close()
    print(f"graded {report.graded} attempt(s) ({report.errors} with errors) in {report.seconds:.1f} s")
    for f in report.failures:
        print(f"mlip: {f}", file=sys.stderr)
    return 1 if report.failures else 0


def cmd_status(args) -> int:
    from grader.records.standing import assignment_status, format_table

    course = open_course(args.course)
    status = assignment_status(course, args.assignment, student=args.student, db_url=args.db_url)
    if args.student and not status.doc["students"]:
        raise UsageError(f"no attempts of {args.assignment} by {args.student!r}")
    print(json.dumps(status.to_dict(), indent=1) if args.json else format_table(status, by_section=args.by_section))
    return 0


def cmd_extend(args) -> int:
    from grader.records.extensions import extend

    course = open_course(args.course)
    course.require_released(args.assignment)
    ledger = _ledger(course, args)
    try:
        e = extend(ledger, args.assignment, student=args.student, days=args.days, due=args.due, final=args.final,
                   reason=args.reason)
    finally:
        ledger.close()
    what = (f"{e.days} more day(s)" if e.days else f"due {e.due.isoformat()}" if e.due
            else f"final deadline {e.final.isoformat()}")
    print(f"{e.student}: extension on {e.assignment} recorded ({what}; by {e.granted_by} at "
          f"{e.granted_at.isoformat()}); see mlip status {e.assignment} --student {e.student}")
    return 0


def cmd_accommodate(args) -> int:
    from grader.records.extensions import accommodate

    course = open_course(args.course)
    ledger = _ledger(course, args)
    try:
        a = accommodate(ledger, args.student, time_factor=args.time_factor, extra_tokens=args.extra_tokens,
                        reason=args.reason)
    finally:
        ledger.close()
    parts = ([f"time factor {a.time_factor:g}"] if a.time_factor is not None else []) + \
        ([f"{a.extra_tokens} extra token(s)"] if a.extra_tokens is not None else [])
    print(f"{a.student}: accommodation recorded ({', '.join(parts)}; by {a.granted_by} at "
          f"{a.granted_at.isoformat()}); it applies to every assignment")
    return 0


def cmd_roster(args) -> int:
    from grader.records.roster import import_roster

    course = open_course(args.course)
    ledger = _ledger(course, args)
    try:
        people = import_roster(ledger, args.file)
    finally:
        ledger.close()
    sections = sorted({p.section for p in people if p.section})
    print(f"roster: {len(people)} student(s)" + (f" in {len(sections)} section(s): {', '.join(sections)}"
                                                  if sections else "") + f" from {args.file}")
    return 0


def cmd_mark(args) -> int:
    from grader.records.marking import mark

    course = open_course(args.course)
    m = mark(course, args.assignment, student=args.student, spec=args.spec, passed=args.passed,
             comment=args.comment, db_url=args.db_url)
    print(f"{m.student}: {m.spec} marked {'pass' if m.passed else 'fail'} (attempt {m.attempt})")
    return 0


def cmd_feedback(args) -> int:
    from grader.outputs.feedback import write_feedback
    from grader.records import visibility

    course = open_course(args.course)
    course.require_released(args.assignment)
    if args.mode or args.release:
        ledger = _ledger(course, args)
        try:
            if args.mode:
                visibility.set_mode(ledger, args.assignment, args.mode)
                print(f"{args.assignment}: feedback mode set to {args.mode} (overrides rubric.yml)")
            if args.release:
                at = visibility.release(ledger, args.assignment)
                print(f"{args.assignment}: feedback released at {at.isoformat()}")
        finally:
            ledger.close()
    paths = write_feedback(course, args.assignment, student=args.student, db_url=args.db_url)
    held = sum("Feedback on the specifications appears here" in p.read_text(encoding="utf-8") for p in paths)
    print(f"wrote {len(paths)} feedback page(s) to {course.feedback_dir(args.assignment)}"
          + (f"; {held} held (received and graded only): release with mlip feedback {args.assignment} --release"
             if held else ""))
    return 0


def cmd_report(args) -> int:
    from grader.outputs.report import write_report

    course = open_course(args.course)
    path = write_report(course, args.assignment, output=args.output, db_url=args.db_url)
    print(f"wrote {path}")
    return 0


def cmd_export(args) -> int:
    from grader.outputs.export import export

    course = open_course(args.course)
    text = export(course, fmt=args.format, db_url=args.db_url, everything=args.all)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0


def cmd_similarity(args) -> int:
    from grader.execution.progress import Progress
    from grader.outputs.similarity import similarity

    course = open_course(args.course)
    with Progress("mlip similarity", "student", bar=False if args.no_progress else None, out=sys.stderr) as bar:
        result = similarity(course, args.assignment, threshold=args.threshold, output=args.output,
                            db_url=args.db_url, progress=bar)
    for pair in result.flagged:
        print(f"{pair.a}  {pair.b}  {pair.score:.0%}  (similar answers: a person should look)")
    print(f"{len(result.flagged)} of {result.pairs} pair(s) at or above {args.threshold:.0%}; wrote {result.page}")
    return 0


def cmd_check(args) -> int:
    from grader.authoring.check import check

    from grader.execution.progress import Progress

    # plain progress lines go to stderr: stdout stays the table a script reads
    with Progress("mlip check", "version", bar=False if args.no_progress else None, out=sys.stderr) as bar:
        report = check(args.assignment, assignments_dir=args.assignments, jobs=args.jobs, sandbox=args.sandbox,
                       progress=bar)
    strength = _mutants(args) if getattr(args, "mutants", False) else None
    width = max(len(k) for k in report.solution)
    fixtures = list(report.fixtures)
    print(f"judge: {report.mode} (verdicts below); every verdict was also taken in the other mode")
    print(f"{'spec':<{width}}  solution  blank" + ("  mutants killed" if strength else "")
          + "".join(f"  {f.removeprefix('fixture-')}" for f in fixtures))
    for k in report.solution:
        row = f"{k:<{width}}  {'pass' if report.solution[k] else 'FAIL':>8}  {'pass' if report.blank[k] else 'fail':>5}"
        if strength:
            row += f"  {strength[0].get(k, ''):>14}"
        for f in fixtures:
            row += f"  {('pass' if report.fixtures[f].get(k) else 'fail'):>{len(f.removeprefix('fixture-'))}}"
        print(row)
    for line in report.details:
        print(f"  {line}")
    for line in report.differences:
        print(f"  modes differ: {line}")
    for line in strength[1] if strength else ():
        print(line)
    problems = list(report.problems) + (strength[2] if strength else [])
    if problems:
        print(f"mlip: {args.assignment} is not ready: {'; '.join(problems)}", file=sys.stderr)
        return 1
    print(f"{args.assignment}: the solution passes every automatic spec, the blank release none, every fixture "
          "gets the verdicts it declares, and both judge modes agree")
    return 0


def _mutants(args) -> tuple[dict, list[str], list[str]]:
    """Run the mutation check: per-spec cells of the table, lines to print after it, and problems."""
    from grader.authoring.mutation import equivalents, mutation_check

    report = mutation_check(args.assignment, assignments_dir=args.assignments, jobs=args.jobs, sandbox=args.sandbox)
    marked = equivalents(Path(report.source))
    specs = report.by_spec(marked)
    cells = {k: f"{r['killed']}/{r['mutants'] - r['equivalent']} {r['score']:.0%}" for k, r in specs.items()}
    diffs = {m["id"]: m["diff"] for m in report.mutants}
    lines = [f"mutants: {len(report.mutants)} graded in {report.seconds:.0f} s, "
             f"{sum(m['killed'] for m in report.mutants)} killed, {len(set(marked) & set(diffs))} marked equivalent "
             f"in rubric.yml; report written to {report.source}/mutants.json"]
    problems = []
    for spec, row in specs.items():
        for mid in row["survivors"]:
            lines.append(f"  spec {spec!r}: mutant {mid} passes every automatic spec:\n{diffs[mid]}")
        if row["survivors"]:
            problems.append(f"spec {spec!r} lets {len(row['survivors'])} mutant(s) through (strengthen its tests, "
                            "or mark a mutant that changes nothing under equivalent_mutants in rubric.yml)")
    stale = sorted(set(marked) - set(diffs))
    if stale:
        lines.append(f"  rubric.yml marks mutants that no longer exist: {', '.join(stale)}")
    return cells, lines, problems


def cmd_validate(args) -> int:
    from grader.authoring.validate import validate

    report = validate(args.notebook)
    print(report.text)
    return 0 if report.ok else 1


def dispatch(args) -> int:
    """Call the function of the chosen subcommand."""
    return globals()[f"cmd_{args.command}"](args)
