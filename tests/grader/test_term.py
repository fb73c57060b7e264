"""Running a term: extensions, accommodations and the roster change exactly the verdicts and tokens they should."""
import datetime as dt
import shutil

import pytest

from grader.cli import main
from grader.grading.batch import grade
from grader.intake.submit import submit
from grader.outputs.feedback import write_feedback
from grader.outputs.export import export
from grader.records import ledger as L
from grader.records.course import init_course
from grader.authoring.release import release
from grader.records.extensions import Adjustments, accommodate, extend
from grader.records.policy import apply_policy
from grader.records.roster import parse_roster
from grader.records.standing import assignment_status, format_table
from grader.model.errors import UsageError
from grader.model.rubric import Policy, Rubric, Spec

from ..conftest import FIXTURES, toy_submission

UTC = dt.timezone.utc
DUE = dt.datetime(2026, 9, 16, 3, 59, tzinfo=UTC)  # the toy rubric's 2026-09-15T23:59:00-04:00
OPENS = DUE - dt.timedelta(days=10)
HALF = {"square_answer": "def square(x):\n    return x * x", "mean_answer": "def mean(xs):\n    return 0"}


# --- the policy with a student's own deadlines (no kernels) ---------------------------------------------------

def _rubric():
    return Rubric("r", (Spec("s", 100, "s", tests=("t",)),), due=DUE, final=DUE + dt.timedelta(days=80),
                  policy=Policy())


def _att(i, when):
    return L.Attempt(i, "a1", "stu", i, f"{i:064d}", when, when, "submit", ("a.ipynb",), "pending", "")


def _ledger(tmp_path):
    return L.Ledger(f"sqlite:///{tmp_path / 'l.sqlite'}")


def test_a_late_day_inside_an_extension_is_free(tmp_path):
    led = _ledger(tmp_path)
    late = [_att(1, DUE + dt.timedelta(days=2, hours=1))]
    _, left = apply_policy(late, {"a1": _rubric()}, 8)
    assert left == 5  # three started late days without the extension
    extend(led, "a1", student="stu", days=3, reason="flu")
    own, notes = Adjustments.read(led).student_rubric(_rubric(), "a1", "stu", OPENS)
    terms, left = apply_policy(late, {"a1": own}, 8)
    assert own.due == DUE + dt.timedelta(days=3) and notes == ["extension: flu"]
    assert terms[1].kind == "first" and terms[1].tokens_spent == 0 and left == 8
    # one day past the extended due date is late again, by one day
    terms, left = apply_policy([_att(1, own.due + dt.timedelta(hours=1))], {"a1": own}, 8)
    assert terms[1].kind == "late" and terms[1].late_days == 1 and left == 7
    led.close()


def test_later_grants_replace_earlier_ones_field_by_field(tmp_path):
    led = _ledger(tmp_path)
    extend(led, "a1", student="stu", days=2)
    extend(led, "a1", student="stu", final="2027-01-10T12:00:00Z")
    extend(led, "a1", student="other", due="2026-09-20T12:00:00Z")
    adj = Adjustments.read(led)
    own, _ = adj.student_rubric(_rubric(), "a1", "stu", OPENS)
    assert own.due == DUE + dt.timedelta(days=2) and own.final == dt.datetime(2027, 1, 10, 12, tzinfo=UTC)
    assert adj.student_rubric(_rubric(), "a1", "other", OPENS)[0].due == dt.datetime(2026, 9, 20, 12, tzinfo=UTC)
    assert adj.student_rubric(_rubric(), "a1", "nobody", OPENS)[0] == _rubric()
    rows = led.rows(L.extensions)
    assert len(rows) == 3 and all(r.granted_by and r.granted_at for r in rows)  # appended, never updated
    led.close()


def test_a_time_factor_stretches_opening_to_due_and_extra_tokens_add(tmp_path):
    led = _ledger(tmp_path)
    accommodate(led, "stu", time_factor=1.5, reason="letter from disability services")
    accommodate(led, "stu", extra_tokens=2)
    adj = Adjustments.read(led)
    own, notes = adj.student_rubric(_rubric(), "a1", "stu", OPENS)
    assert own.due == DUE + dt.timedelta(days=5) and notes == ["accommodation: time factor 1.5"]
    assert adj.tokens_for("stu", 8) == 10 and adj.tokens_for("other", 8) == 8
    # unknown opening time: the factor is not guessed
    assert adj.student_rubric(_rubric(), "a1", "stu", None)[0].due == DUE
    led.close()


@pytest.mark.parametrize("kwargs, words", [
    ({}, "exactly one of"), ({"days": 0}, "1 or more"), ({"days": 1, "due": "2026-09-20"}, "exactly one of"),
    ({"due": "next week"}, "ISO-8601")])
def test_impossible_extensions_are_refused(tmp_path, kwargs, words):
    led = _ledger(tmp_path)
    with pytest.raises(UsageError, match=words):
        extend(led, "a1", student="stu", **kwargs)
    assert led.rows(L.extensions) == []
    led.close()


@pytest.mark.parametrize("kwargs, words", [({}, "--time-factor F"), ({"time_factor": 0.5}, "from 1"),
                                           ({"extra_tokens": -1}, "0 or more")])
def test_impossible_accommodations_are_refused(tmp_path, kwargs, words):
    led = _ledger(tmp_path)
    with pytest.raises(UsageError, match=words):
        accommodate(led, "stu", **kwargs)
    led.close()


# --- the roster ------------------------------------------------------------------------------------------------

def test_plain_and_canvas_rosters():
    plain = parse_roster("student,name,email,section\nann,Ann A,ann@u.edu,L1\nben,Ben B,,L2\n")
    assert [(p.student, p.name, p.email, p.section) for p in plain] == [("ann", "Ann A", "ann@u.edu", "L1"),
                                                                         ("ben", "Ben B", "", "L2")]
    canvas = parse_roster("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section\n"
                          "    Points Possible,,,,\n"
                          "\"Lovelace, Ada\",1001,900123,ada,17-445 A\n"
                          "\"Student, Test\",1002,,,\n")
    assert [(p.student, p.name, p.section) for p in canvas] == [("ada", "Lovelace, Ada", "17-445 A")]


@pytest.mark.parametrize("text, words", [("", "is empty"), ("who,what\nx,y\n", "neither"),
                                         ("student,name\n,Nobody\n", "line 2"), ("student,name\n", "no students")])
def test_bad_rosters_say_what_to_fix(text, words):
    with pytest.raises(UsageError, match=words):
        parse_roster(text)


# --- end to end, graded in the sandbox -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def term(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    src = tmp / "src"
    shutil.copytree(FIXTURES / "toy", src / "toy")
    rubric = src / "toy" / "rubric.yml"
    rubric.write_text(rubric.read_text() + f"opens: {OPENS.isoformat()}\n")
    course = init_course(tmp / "course")
    release(course, "toy", assignments_dir=src)
    good = toy_submission(course, tmp / "good", solution=True)
    half = toy_submission(course, tmp / "half", HALF)
    roster = tmp / "roster.csv"
    roster.write_text("student,name,email,section\next,E X,,A\nnoext,N E,,B\nslow,S L,,A\nredo,R D,,B\n")
    assert main(["roster", "import", str(roster), "--course", str(course.root)]) == 0
    assert main(["extend", "toy", "--student", "ext", "--days", "3", "--reason", "flu",
                 "--course", str(course.root)]) == 0
    assert main(["extend", "toy", "--student", "redo", "--final", "2026-12-20T12:00:00Z",
                 "--course", str(course.root)]) == 0
    assert main(["accommodate", "slow", "--time-factor", "1.5", "--extra-tokens", "2", "--reason", "letter",
                 "--course", str(course.root)]) == 0
    led = L.Ledger(course.default_db_url)
    two_days_late, after_final = "2026-09-18T10:00:00Z", "2026-12-12T10:00:00Z"
    for sid in ("ext", "noext"):  # the same late work, with and without an extension
        submit(course, led, "toy", [good], student=sid, at=two_days_late)
    submit(course, led, "toy", [good], student="slow", at="2026-09-20T10:00:00Z")  # inside a 1.5 factor
    for sid in ("redo", "noredo"):  # on time, then a better redo after the final deadline
        submit(course, led, "toy", [half], student=sid, at="2026-09-10T10:00:00Z")
        submit(course, led, "toy", [good], student=sid, at=after_final)  # granted before: taken in
    led.close()
    report = grade(course, "toy", jobs=2)
    assert report.graded == 6 and report.errors == 0  # noredo's late redo is refused at intake
    return course


@pytest.mark.slow
def test_extensions_and_accommodations_change_exactly_their_verdicts_and_tokens(term):
    s = {x["student"]: x for x in assignment_status(term, "toy").doc["students"]}
    # a late first submission inside the extension: on time, no token; without it: three started late days paid
    assert [a["status"] for a in s["ext"]["attempts"]] == ["graded"] and s["ext"]["tokens_left"] == 8
    assert "on time by the student's own due date" in s["ext"]["attempts"][0]["note"]
    assert [a["status"] for a in s["noext"]["attempts"]] == ["late"] and s["noext"]["tokens_left"] == 5
    assert s["ext"]["points"] == s["noext"]["points"] == 80
    # the time factor moves the due date 5 days (10 days x 1.5): on time; extra tokens count
    assert s["slow"]["attempts"][0]["kind"] == "first" and s["slow"]["tokens_left"] == 10
    assert s["slow"]["due"] == (DUE + dt.timedelta(days=5)).isoformat()
    # a later final deadline lets a redo count (3 tokens); without it the redo is not counted
    assert [a["status"] for a in s["redo"]["attempts"]] == ["graded", "graded"]
    assert s["redo"]["points"] == 80 and s["redo"]["tokens_left"] == 5
    assert [a["status"] for a in s["noredo"]["attempts"]] == ["graded", "rejected"]
    assert s["noredo"]["points"] == 40 and s["noredo"]["tokens_left"] == 8
    # verdicts themselves are the grader's, unchanged
    assert s["ext"]["specs"]["square"]["passed"] is True and s["noredo"]["specs"]["mean"]["passed"] is False
    # who, when and why are in the ledger and in status
    assert s["ext"]["extension"]["reason"] == "flu" and s["ext"]["extension"]["granted_by"]
    assert s["slow"]["accommodation"]["time_factor"] == 1.5 and s["slow"]["accommodation"]["reason"] == "letter"
    assert s["noext"]["extension"] is None and s["noext"]["deadline_notes"] == []


@pytest.mark.slow
def test_roster_gives_sections_and_lists_unknown_students(term):
    status = assignment_status(term, "toy")
    doc = status.doc
    assert doc["roster"] is True and doc["not_on_roster"] == ["noredo"]
    s = {x["student"]: x for x in doc["students"]}
    assert (s["ext"]["section"], s["ext"]["name"], s["ext"]["on_roster"]) == ("A", "E X", True)
    table = format_table(status, by_section=True)
    assert table.index("section A") < table.index("section B") < table.index("section (no section)")
    assert "noredo" in table.split("section (no section)")[1].splitlines()[3]
    assert "not on the roster: noredo" in table and "ext" in table.split("own deadlines")[1]
    rows = [r.split(",") for r in export(term, fmt="canvas").splitlines()]
    assert ["E X", "", "ext", "ext", "A", "80"] in rows


@pytest.mark.slow
def test_feedback_names_the_students_own_due_date(term):
    write_feedback(term, "toy")
    page = (term.feedback_dir("toy") / "ext.html").read_text()
    assert "Your due date: 2026-09-18 23:59 (extension: flu)" in page or "(extension: flu)" in page
    assert "Your due date" not in (term.feedback_dir("toy") / "noext.html").read_text()
    slow = (term.feedback_dir("toy") / "slow.html").read_text()
    assert "time factor 1.5" in slow and "<small>of 10</small>" in slow


@pytest.mark.slow
def test_report_lists_own_deadlines_sections_and_unknown_students(term):
    from grader.outputs.report import write_report

    page = write_report(term, "toy").read_text()
    own = page.split("Own deadlines and tokens")[1].split("</table>")[0]
    assert "ext" in own and "flu" in own and "slow" in own and "letter" in own and "(+2)" in own
    assert "noext" not in own
    assert "By section" in page and "Not on the roster: noredo" in page


from .test_scale_out import postgres_url  # noqa: E402,F401  (a real PostgreSQL server for this module)


def test_the_terms_tables_work_on_postgresql(tmp_path, postgres_url):  # noqa: F811
    import json as _json

    course = init_course(tmp_path / "course")
    release(course, "toy", assignments_dir=FIXTURES)
    db = ["--course", str(course.root), "--db-url", postgres_url]
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,email,section\npg1,P G,,S1\n")
    led = L.Ledger(postgres_url)
    submit(course, led, "toy", [toy_submission(course, tmp_path / "a")], student="pg1", at="2026-09-17T10:00:00Z")
    submit(course, led, "toy", [toy_submission(course, tmp_path / "b")], student="pg2", at="2026-09-10T10:00:00Z")
    led.close()
    assert main(["roster", "import", str(roster), *db]) == 0
    assert main(["extend", "toy", "--student", "pg1", "--days", "2", "--reason", "pg", *db]) == 0
    assert main(["accommodate", "pg1", "--extra-tokens", "1", *db]) == 0
    assert main(["feedback", "toy", "--mode", "manual", "--release", *db]) == 0
    doc = assignment_status(course, "toy", db_url=postgres_url).doc
    s = {x["student"]: x for x in doc["students"]}
    assert s["pg1"]["extension"]["days"] == 2 and s["pg1"]["tokens_total"] == 9 and s["pg1"]["section"] == "S1"
    assert s["pg1"]["attempts"][0]["kind"] == "first"  # inside the extension: not late
    assert doc["not_on_roster"] == ["pg2"] and doc["feedback"]["mode"] == "manual" and doc["feedback"]["released_at"]
    assert _json.dumps(doc)  # the status document stays JSON
