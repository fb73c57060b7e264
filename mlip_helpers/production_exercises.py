"""Exercises of the lectures on scaling, operations, provenance and process (notebooks 11 to 14).

Each function builds an :class:`~mlip_helpers.checker.Exercise` from the
notebook's data, so the expected answer stays out of the notebook's code and
every known mistake gets its explanation. Pass the result to
:func:`mlip_helpers.check` together with the student's answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Exercise
from mlip_helpers.debt import run_cells
from mlip_helpers.scaling import mean_of_pairs, sum_count_by

__all__ = ["combinable_statistic", "dead_functions", "debt_quadrant", "error_budget_count", "events_replayed",
           "incident_budget_share", "model_version", "not_idempotent_cell", "paging_rule", "pooled_mean",
           "same_checksum", "seed_disagreement"]


def pooled_mean(chunks: Sequence[pd.DataFrame], key: str, value: str, group: Any) -> Exercise:
    """The mean of ``value`` for ``group``, combined correctly from the chunks' partial results.

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> chunks = [pd.DataFrame({"k": ["a"] * 3, "v": [1.0, 1.0, 1.0]}), pd.DataFrame({"k": ["a"], "v": [5.0]})]
    >>> pooled_mean(chunks, "k", "v", "a").check(3.0).reason[:30]
    'That is the mean of the chunks'
    """
    pairs = [p[group] for p in (sum_count_by(c, key, value) for c in chunks) if group in p]
    return Exercise.number(f"pooled mean of {value} for {group}", mean_of_pairs(pairs), mistakes={
        float(np.mean([s / c for s, c in pairs])):
            "That is the mean of the chunks' means. Chunks hold different numbers of rows, so each chunk must "
            "send its sum and its count; divide the total sum by the total count.",
    }, hint="Add up the sums and the counts that sum_count_by emits for this key, then divide once.")


def combinable_statistic() -> Exercise:
    """Which statistic one small partial result per partition cannot give exactly (the median).

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> combinable_statistic().check("count").reason
    'Counts simply add up across partitions.'
    """
    return Exercise.choice("combinable statistic", "median", ["mean", "maximum", "count", "median"], mistakes={
        "mean": "The mean can be combined exactly: each partition sends (sum, count), as in exercise 1.",
        "maximum": "The largest of the partitions' maxima is the overall maximum: one number per partition suffices.",
        "count": "Counts simply add up across partitions.",
    }, hint="Try each statistic on the partitions and compare with the whole table.")


def events_replayed(target: int, every: int) -> Exercise:
    """How many events a rebuild after ``target`` events replays with a snapshot every ``every`` events.

    Introduced in ``notebooks/11-scaling-data.ipynb``.

    Examples
    --------
    >>> events_replayed(23_456, 5_000).check(23_456).passed
    False
    """
    return Exercise.number("events replayed", target % every, tolerance=0, mistakes={
        target: "That is a rebuild from the very beginning. The snapshot taken just before the target already "
                "holds the state up to that point; only the events after it are replayed.",
        every - target % every: "Replay runs forward, from the snapshot before the target, not back from the next one.",
    }, hint="The latest snapshot at or before the target covers a whole multiple of `every` events.")


def error_budget_count(n_requests: int, target: float) -> Exercise:
    """The number of failed requests that an availability objective allows.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``.

    Examples
    --------
    >>> exercise = error_budget_count(10_000, 0.999)
    >>> exercise.check(10).passed, exercise.check(9990).reason[:24]
    (True, 'That is how many request')
    """
    return Exercise.number("error budget", (1 - target) * n_requests, tolerance=0.5, mistakes={
        target * n_requests: "That is how many requests must succeed. The budget is the failures the objective "
                             "allows: the share 1 - target of all requests.",
        1 - target: "That is the allowed share of failures (as a fraction or a percentage); the exercise asks "
                    "for a number of requests: multiply the fraction 1 - target by the number of requests.",
    }, hint="An availability objective of 99.9% allows 0.1% of the requests to fail.")


def paging_rule(false_alerts: Mapping[str, int]) -> Exercise:
    """Which alert rule to page on (``"C"``, the burn rate), explaining the others by their false alerts.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``.

    Examples
    --------
    >>> paging_rule({"A": 24, "B": 4, "C": 0}).check("A").reason[:27]
    'Rule A fired 24 times for n'
    """
    return Exercise.choice("paging rule", "C", ["A", "B", "C"], mistakes={
        "A": f"Rule A fired {false_alerts['A']} times for noise this week. A single unlucky minute with few "
             "requests looks like an outage; people stop answering such pages.",
        "B": f"Rule B still fired {false_alerts['B']} times for short bursts that fixed themselves and spent "
             "little budget; a page should mean the budget is in danger.",
    }, hint="Count the false alerts and compare the delays in the table above.")


def incident_budget_share(ok_during: Any, allowed: float, failed_in_period: int) -> Exercise:
    """The share of the period's error budget that the failures during an incident used up.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``.

    Examples
    --------
    >>> incident_budget_share([True, False, False, True], allowed=4.0, failed_in_period=3).check(0.5).passed
    True
    """
    ok = np.asarray(ok_during, dtype=bool)
    failed = int((~ok).sum())
    return Exercise.number("incident's share of the budget", failed / allowed, tolerance=0.005, mistakes={
        float((~ok).mean()) if ok.size else -1.0:
            "That is the share of requests that failed during the incident. The budget is counted in failed "
            "requests over the whole period: divide the incident's failures by the budget.",
        failed / max(failed_in_period, 1): "That is the incident's share of all failures of the period; the "
                                           "question asks about the budget the objective allows.",
    }, hint="Count the failed requests during the incident and divide by the number the budget allows.")


def same_checksum() -> Exercise:
    """Which edit of a table keeps its checksum (writing it to CSV and reading it back).

    Introduced in ``notebooks/13-versioning-provenance.ipynb``. The options are
    in the exercise's ``options``.

    Examples
    --------
    >>> same_checksum().options[1]
    'write to CSV and read it back'
    """
    options = ["rename a column", "write to CSV and read it back", "store the whole numbers as decimals (1 -> 1.0)"]
    return Exercise.choice("same checksum", options[1], options, mistakes={
        options[0]: "The header is part of the content: a renamed column is a different table to every program "
                    "that reads it by name.",
        options[2]: "The text of 1.0 differs from the text of 1, and so does the checksum; a program may also "
                    "behave differently with floats.",
    }, hint="Try each edit and compare the checksums.")


def model_version(logged_version: int, latest_version: int) -> Exercise:
    """Which model version made a logged decision, warning against naming today's version.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``.

    Examples
    --------
    >>> model_version(1, 2).check(2).reason[:34]
    'That is the version serving today.'
    """
    return Exercise.number("model version", logged_version, tolerance=0, mistakes={
        latest_version: "That is the version serving today. The decision was made on the date in the log, by the "
                        "version the log recorded for it; models change between a decision and a complaint.",
    }, hint="The audit log records the model version next to every decision.")


def seed_disagreement(decisions: Any) -> Exercise:
    """Share of cases on which models trained with different seeds (rows of ``decisions``) disagree.

    Introduced in ``notebooks/13-versioning-provenance.ipynb``.

    Examples
    --------
    >>> seed_disagreement([[1, 0, 1, 0], [1, 1, 1, 0], [1, 0, 0, 0]]).check(0.5).passed
    True
    """
    d = np.asarray(decisions, dtype=bool)
    return Exercise.number("seed-dependent decisions", np.mean(d.any(axis=0) & ~d.all(axis=0)), mistakes={
        float(np.mean(d[0] != d[1])): "That compares only the first two models; with all of them, more cases fall "
                                      "on different sides of the threshold at least once.",
        float(np.mean(d.any(axis=0))): "That is the share denied by at least one model, including cases that all "
                                       "of them deny; count only those on which the models disagree.",
    }, hint="A case counts when its decisions are not all equal; divide by the number of cases.")


def not_idempotent_cell(cells: Sequence[str], namespace: Mapping[str, Any], result: str) -> Exercise:
    """Which cell changes ``result`` when it runs a second time (after a full run, then the cells below it again).

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. The answer
    is found by running the cells, not written down.

    Examples
    --------
    >>> not_idempotent_cell(["x = 1", "x = x + 1", "y = x * 10"], {}, "y").check(2).reason[:12]
    'Running cell'
    """
    everything = list(range(len(cells)))
    outcome = {k: run_cells(cells, everything + everything[k:], dict(namespace))[result] for k in everything}
    base = run_cells(cells, everything, dict(namespace))[result]
    changed = [k for k, value in outcome.items() if not np.isclose(value, base)]
    return Exercise.number("cell that is not idempotent", changed[0] if changed else -1, tolerance=0, mistakes={
        k: f"Running cell {k} twice leaves {result} as one run does ({base:,.6g}): it reads its inputs and "
           "overwrites its outputs without using its own earlier output." for k in everything if k not in changed
    }, hint="Look for a cell that reads a value and overwrites that same value.")


def dead_functions(dead: pd.DataFrame, n_defined: int) -> Exercise:
    """How many functions never run, from :func:`mlip_helpers.debt.dead_code`'s table.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``.

    Examples
    --------
    >>> table = pd.DataFrame({"kind": ["function never runs"] * 2, "reason": ["never used", "used only by code..."]})
    >>> dead_functions(table, 9).check(1).reason[:34]
    'One function is never mentioned an'
    """
    rows = dead[dead["kind"] == "function never runs"]
    unused = int((rows["reason"] == "never used").sum())
    return Exercise.number("functions that never run", len(rows), tolerance=0, mistakes={
        unused: "One function is never mentioned anywhere, but another is called only inside a branch whose "
                "flag is always False: it never runs either.",
        n_defined: "That is every function defined; most of them are called by the module-level code.",
    }, hint="Follow the calls from the module-level code; a branch behind a flag that is always False never runs.")


def debt_quadrant() -> Exercise:
    """Fowler's quadrant for a known shortcut with a planned repayment: deliberate and prudent.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``.

    Examples
    --------
    >>> debt_quadrant().check("inadvertent, prudent").passed
    False
    """
    kinds = ["deliberate, prudent", "deliberate, reckless", "inadvertent, prudent", "inadvertent, reckless"]
    return Exercise.choice("quadrant", kinds[0], kinds, mistakes={
        kinds[1]: "It was deliberate, but not reckless: the team weighed the shortcut and planned the repayment. "
                  "Reckless would be skipping the design with no plan to return to it.",
        kinds[2]: "Inadvertent debt is discovered afterwards ('now we know how we should have done it'); this "
                  "team chose the shortcut knowingly.",
        kinds[3]: "Nothing here happened by accident or out of ignorance: the team decided, and planned the repayment.",
    }, hint="Two questions: did they know they were taking a shortcut, and did they plan how to repay it?")
