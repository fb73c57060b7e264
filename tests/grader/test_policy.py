import datetime as dt

from grader.records.ledger import Attempt
from grader.records.policy import apply_policy, chain_points, started_days
from grader.model.rubric import Policy, Rubric, Spec

UTC = dt.timezone.utc
DUE = dt.datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
FINAL = dt.datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def rubric(**policy):
    return Rubric("r", (Spec("s", 100, "s", tests=("t",)),), due=DUE, final=FINAL, policy=Policy(**policy))


def att(i, when, assignment="a1", status="pending"):
    return Attempt(i, assignment, "stu", i, f"{i:064d}", when, when, "submit", ("a.ipynb",), status, "")


def test_started_days():
    assert started_days(dt.timedelta(seconds=1)) == 1
    assert started_days(dt.timedelta(days=1)) == 1
    assert started_days(dt.timedelta(days=1, seconds=1)) == 2
    assert started_days(dt.timedelta(0)) == 0


def test_on_time_and_free_resubmission_before_due():
    terms, left = apply_policy([att(1, DUE - dt.timedelta(days=2)), att(2, DUE - dt.timedelta(hours=1))],
                               {"a1": rubric()}, 8)
    assert [terms[i].kind for i in (1, 2)] == ["first", "resubmission"]
    assert left == 8 and all(t.counted for t in terms.values())


def test_late_first_submission_spends_one_token_per_started_day():
    terms, left = apply_policy([att(1, DUE + dt.timedelta(days=2, minutes=1))], {"a1": rubric()}, 8)
    assert terms[1].late_days == 3 and terms[1].tokens_spent == 3 and terms[1].penalty == 0
    assert left == 5


def test_late_without_enough_tokens_loses_15_percent_per_unpaid_day():
    terms, left = apply_policy([att(1, DUE + dt.timedelta(days=3, hours=1))], {"a1": rubric()}, 1)
    assert terms[1].late_days == 4 and terms[1].tokens_spent == 1
    assert abs(terms[1].penalty - 0.45) < 1e-9 and left == 0


def test_redo_after_due_costs_three_tokens_and_fails_without_them():
    attempts = [att(1, DUE - dt.timedelta(days=1)), att(2, DUE + dt.timedelta(days=5)),
                att(3, DUE + dt.timedelta(days=6))]
    terms, left = apply_policy(attempts, {"a1": rubric()}, 5)
    assert terms[2].kind == "redo" and terms[2].counted and terms[2].tokens_spent == 3
    assert not terms[3].counted and "only 2 are left" in terms[3].note
    assert left == 2


def test_resubmission_within_paid_late_days_is_free():
    attempts = [att(1, DUE + dt.timedelta(hours=30)), att(2, DUE + dt.timedelta(hours=40))]
    terms, left = apply_policy(attempts, {"a1": rubric()}, 8)
    assert terms[1].tokens_spent == 2 and terms[2].kind == "resubmission" and terms[2].tokens_spent == 0
    assert left == 6


def test_tokens_are_shared_across_assignments_in_time_order():
    attempts = [att(1, DUE + dt.timedelta(days=4, hours=1)), att(2, DUE + dt.timedelta(days=6), "a2")]
    terms, left = apply_policy(attempts, {"a1": rubric(), "a2": rubric()}, 8)
    assert terms[1].tokens_spent == 5 and terms[2].tokens_spent == 3 and terms[2].penalty > 0
    assert left == 0


def test_after_final_and_rejected_attempts_do_not_count():
    attempts = [att(1, FINAL + dt.timedelta(seconds=1)), att(2, DUE, status="rejected")]
    terms, left = apply_policy(attempts, {"a1": rubric()}, 8)
    assert not terms[1].counted and not terms[2].counted and left == 8


def test_regain_factor_counts_part_of_a_redos_gain():
    redo = apply_policy([att(1, DUE), att(2, DUE + dt.timedelta(days=3))], {"a1": rubric()}, 8)[0]
    assert chain_points([(redo[1], 80), (redo[2], 100)], 0.9) == 98.0
    assert chain_points([(redo[1], 80), (redo[2], 100)], 1.0) == 100.0
    assert chain_points([(redo[1], 80), (redo[2], 60)], 0.9) == 60.0
    assert chain_points([], 1.0) is None
