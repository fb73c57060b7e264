"""Conflicts in student teams: groupthink, social loafing, frustrations found in team records, a team policy.

Introduced in ``notebooks/04b-team-conflicts.ipynb``. The lecture "Navigating Conflicts in (Student) Teams"
(Le Goues & Kaestner, CMU, CC BY 4.0) names groupthink and social loafing as team issues, lists common sources of
frustration (priorities, ambition, ability, working style, communication) and states the course's golden rule:
do what you agreed to do by the time you agreed to, and if you cannot, seek help and communicate early. Each
function here turns one of those ideas into a small seeded simulation or a table computed from records, with
the assumptions as keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "TeamRecords", "commit_share_exercise", "frustration_table", "lecture_exercises",
           "missed_deadlines", "missed_deadlines_exercise", "simulate_groupthink", "simulate_loafing",
           "simulate_policy", "team_records"]


def _positive(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{name} must be a whole number >= 1, got {value!r}.", argument=name)


def simulate_groupthink(*, n_teams: int = 500, team_size: int = 5, n_options: int = 4, noise: float = 1.0,
                        conformity: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """How often a team picks the best of ``n_options``, deciding with or without independent first opinions.

    Introduced in ``notebooks/04b-team-conflicts.ipynb``. Every option has a true quality (planted, standard
    normal); every member sees each quality plus their own noise (sd ``noise``). *Independent*: each member writes
    their estimates down before the meeting and the team averages them. *Open discussion*: the first speaker
    talks, and every other member moves a share ``conformity`` of the way to the first speaker's view before the
    team averages. With ``conformity=0`` both ways are the same; with 1 the team decides on one person's view.

    Examples
    --------
    >>> runs = simulate_groupthink(n_teams=2000, conformity=0.9, seed=1)
    >>> rates = runs.groupby("process")["picked_best"].mean()
    >>> bool(rates["independent first"] > rates["open discussion"])
    True
    """
    _positive(n_teams, "n_teams"), _positive(team_size, "team_size")
    if n_options < 2:
        raise InputError(f"a decision needs at least 2 options, got {n_options!r}.", argument="n_options")
    if not 0 <= conformity <= 1:
        raise InputError(f"conformity is a share between 0 and 1, got {conformity!r}.", argument="conformity")
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=(n_teams, 1, n_options))
    seen = quality + rng.normal(scale=noise, size=(n_teams, team_size, n_options))
    swayed = (1 - conformity) * seen + conformity * seen[:, :1, :]
    swayed[:, 0, :] = seen[:, 0, :]
    best = quality[:, 0, :].argmax(axis=1)
    rows = []
    for process, views in (("independent first", seen), ("open discussion", swayed)):
        pick = views.mean(axis=1).argmax(axis=1)
        regret = quality[:, 0, :].max(axis=1) - quality[np.arange(n_teams), 0, pick]
        rows.append(pd.DataFrame({"team": np.arange(n_teams), "process": process, "picked_best": pick == best,
                                  "regret": regret}))
    return pd.concat(rows, ignore_index=True)


def simulate_loafing(*, sizes: tuple[int, ...] = (1, 2, 3, 4, 6, 8), n_teams: int = 200, loss: float = 0.4,
                     visible_loss: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """Effort per member by team size, when individual contributions are hidden or visible.

    Introduced in ``notebooks/04b-team-conflicts.ipynb``. The planted model (after the collective effort idea:
    people work less when their own part cannot be seen): a member of a team of ``n`` gives, on average,
    ``1 - loss * (1 - 1/n)`` of their solo effort when contributions are pooled and hidden, and
    ``1 - visible_loss * (1 - 1/n)`` when each contribution is visible (a commit log, named tasks). Individual
    effort varies around that mean (sd 0.15, clipped to 0..1.2).

    Examples
    --------
    >>> runs = simulate_loafing(sizes=(1, 8), n_teams=500)
    >>> means = runs.groupby(["visible", "size"])["effort"].mean().round(1)
    >>> float(means[(False, 8)]), float(means[(True, 8)])
    (0.6, 1.0)
    """
    _positive(n_teams, "n_teams")
    for size in sizes:
        _positive(size, "sizes")
    rng = np.random.default_rng(seed)
    frames = []
    for visible, share in ((False, loss), (True, visible_loss)):
        for size in sizes:
            mean = 1 - share * (1 - 1 / size)
            effort = np.clip(rng.normal(mean, 0.15, size=(n_teams, size)), 0, 1.2)
            frames.append(pd.DataFrame({"visible": visible, "size": size, "team": np.repeat(np.arange(n_teams), size),
                                        "effort": effort.ravel()}))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class TeamRecords:
    """A term of one student team's records, with the frustrations that were planted in them.

    Introduced in ``notebooks/04b-team-conflicts.ipynb``; :func:`team_records` builds one.
    """

    tasks: pd.DataFrame
    """One row per deliverable: ``member``, ``task``, ``due`` and ``done`` (NaT when never handed in)."""
    commits: pd.DataFrame
    """One row per commit: ``member`` and ``time``."""
    meetings: pd.DataFrame
    """One row per member and team meeting: ``member``, ``meeting`` (its date) and ``attended``."""
    planted: dict
    """Which member carries which planted pattern: ``late``, ``absent`` and ``last_minute``."""


def team_records(*, members: tuple[str, ...] = ("ana", "ben", "chen", "dana", "eli"), weeks: int = 12,
                 seed: int = 0) -> TeamRecords:
    """Simulate a term of a team's task list, commit log and meeting attendance, with three planted problems.

    Introduced in ``notebooks/04b-team-conflicts.ipynb``. Every member has one deliverable due each week (Friday
    17:00) and commits while working on it; meetings are on Mondays. Planted, after complaints quoted in the
    lecture: one member often hands in late and once not at all (``late``), one skips most meetings and commits
    little (``absent``), and one does all their work in the last hours before a deadline (``last_minute``). Every
    team also has one deliverable handed in exactly at its deadline, which is on time.

    Examples
    --------
    >>> records = team_records(seed=3)
    >>> sorted(records.planted), int(records.tasks["done"].isna().sum())
    (['absent', 'last_minute', 'late'], 1)
    """
    if len(members) < 4:
        raise InputError("a team needs at least 4 members for the three planted patterns.", argument="members")
    _positive(weeks, "weeks")
    rng = np.random.default_rng(seed)
    late, absent, last_minute = rng.permutation(len(members))[:3]
    start = pd.Timestamp("2026-01-12")  # a Monday
    tasks, commits, meetings = [], [], []
    for week in range(weeks):
        due = start + pd.Timedelta(days=7 * week + 4, hours=17)
        for i, member in enumerate(members):
            if i == late:
                delay = pd.Timedelta(hours=float(rng.choice([-6, 10, 30, 50]))) if week else pd.NaT
            else:
                delay = pd.Timedelta(hours=-float(rng.uniform(2, 60)))
            done = due + delay if delay is not pd.NaT else pd.NaT
            tasks.append((member, f"w{week + 1:02d}-{member}", due, done))
            n_commits = int(rng.poisson(1.0 if i == absent else 5.0))
            window = 8 if i == last_minute else 96
            hours = rng.uniform(0, window, size=n_commits)
            commits += [(member, due - pd.Timedelta(hours=float(h))) for h in hours]
            meetings.append((member, start + pd.Timedelta(days=7 * week, hours=18),
                             bool(rng.random() < (0.3 if i == absent else 0.95))))
    on_time = next(i for i in range(len(members)) if i != late)
    tasks[on_time] = (*tasks[on_time][:3], tasks[on_time][2])  # handed in at the deadline exactly: on time
    return TeamRecords(tasks=pd.DataFrame(tasks, columns=["member", "task", "due", "done"]),
                       commits=pd.DataFrame(commits, columns=["member", "time"]).sort_values("time",
                                                                                           ignore_index=True),
                       meetings=pd.DataFrame(meetings, columns=["member", "meeting", "attended"]),
                       planted={"late": members[late], "absent": members[absent],
                                "last_minute": members[last_minute]})


def missed_deadlines(tasks: pd.DataFrame) -> dict[str, int]:
    """Deliverables per member handed in after their deadline or never (``done`` missing); on the dot is on time.

    Introduced in ``notebooks/04b-team-conflicts.ipynb``. Every member of ``tasks`` appears, with 0 if they
    missed nothing.

    Examples
    --------
    >>> due = pd.Timestamp("2026-01-16 17:00")
    >>> tasks = pd.DataFrame({"member": ["a", "a", "b"], "due": [due] * 3,
    ...                       "done": [due, pd.NaT, due - pd.Timedelta(hours=1)]})
    >>> missed_deadlines(tasks)
    {'a': 1, 'b': 0}
    """
    missing = {"member", "due", "done"} - set(tasks.columns)
    if missing:
        raise InputError(f"tasks needs the columns {sorted(missing)}.", argument="tasks")
    missed = tasks["done"].isna() | (tasks["done"] > tasks["due"])
    return {str(m): int(n) for m, n in missed.groupby(tasks["member"]).sum().items()}


def frustration_table(records: TeamRecords) -> pd.DataFrame:
    """Per member: share of commits, share of commits in the last 12 hours before a deadline, meetings, misses.

    Introduced in ``notebooks/04b-team-conflicts.ipynb``: the lecture's sources of frustration (uneven
    contribution, deadline-driven work, absence, missed deadlines) as columns one can compute from the records.

    Examples
    --------
    >>> table = frustration_table(team_records(seed=0))
    >>> list(table.columns)
    ['commit share', 'last-12h share', 'meetings attended', 'deadlines missed']
    """
    commits = records.commits.copy()
    dues = np.sort(records.tasks["due"].unique())
    next_due = dues[np.searchsorted(dues, commits["time"].to_numpy())]
    commits["last 12h"] = (next_due - commits["time"].to_numpy()) <= np.timedelta64(12, "h")
    members = sorted(records.tasks["member"].unique())
    by_member = commits.groupby("member")
    return pd.DataFrame({
        "commit share": by_member.size().reindex(members, fill_value=0) / len(commits),
        "last-12h share": by_member["last 12h"].mean().reindex(members),
        "meetings attended": records.meetings.groupby("member")["attended"].mean().reindex(members),
        "deadlines missed": pd.Series(missed_deadlines(records.tasks)).reindex(members),
    }).rename_axis("member")


def simulate_policy(*, n_tasks: int = 500, p_trouble: float = 0.3, mean_delay: float = 3.0,
                    checkin_every: float | None = 2.0, p_speak_up: float = 0.9, help_share: float = 0.8,
                    work_days: float = 7.0, seed: int = 0) -> pd.DataFrame:
    """Late deliverables over a simulated term, with or without a check-in and escalation policy.

    Introduced in ``notebooks/04b-team-conflicts.ipynb``. Each deliverable has ``work_days`` until its deadline
    and a slack of 0 to 2 days. With probability ``p_trouble`` its owner hits trouble (another course, illness)
    on a uniform day, which costs an exponential delay with mean ``mean_delay`` days. Without a policy
    (``checkin_every=None``) the trouble surfaces at the deadline. With the policy, the team checks in every
    ``checkin_every`` days; at the first check-in after the trouble the owner speaks up with ``p_speak_up`` (the
    golden rule) and the team takes over ``help_share`` of the delay, but no more days than are left before the
    deadline: the earlier the check-in, the more it can absorb. A task is late when its delay exceeds its slack.

    Examples
    --------
    >>> without = simulate_policy(n_tasks=4000, checkin_every=None)["late"].mean()
    >>> with_policy = simulate_policy(n_tasks=4000, checkin_every=2.0)["late"].mean()
    >>> bool(with_policy < without)
    True
    """
    _positive(n_tasks, "n_tasks")
    if checkin_every is not None and checkin_every <= 0:
        raise InputError(f"check-ins must be a positive number of days apart, got {checkin_every!r}.",
                         argument="checkin_every")
    rng = np.random.default_rng(seed)
    trouble = rng.random(n_tasks) < p_trouble
    when = rng.uniform(0, work_days, n_tasks)
    delay = np.where(trouble, rng.exponential(mean_delay, n_tasks), 0.0)
    slack = rng.uniform(0, 2, n_tasks)
    spoke = np.zeros(n_tasks, dtype=bool)
    if checkin_every is not None:
        next_checkin = np.ceil(when / checkin_every) * checkin_every
        spoke = trouble & (next_checkin < work_days) & (rng.random(n_tasks) < p_speak_up)
        taken_over = np.minimum(help_share * delay, np.maximum(work_days - next_checkin, 0))
        delay = np.where(spoke, delay - taken_over, delay)
    return pd.DataFrame({"trouble": trouble, "escalated": spoke, "delay_days": delay, "late": delay > slack})


# --- the exercises of notebook 04b ------------------------------------------------------------------------------

NOTEBOOK = "04b-team-conflicts"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""


def commit_share_exercise(commits: pd.DataFrame, member: str) -> Exercise:
    """The ``commit share`` exercise of ``notebooks/04b-team-conflicts.ipynb``: one member's share of all commits.

    Examples
    --------
    >>> commits = pd.DataFrame({"member": ["a", "a", "b", "c"]})
    >>> commit_share_exercise(commits, "b").check(0.25).passed
    True
    """
    counts = commits["member"].value_counts()
    if member not in counts.index:
        raise InputError(f"{member!r} made no commits in this log.", argument="member")
    share = counts[member] / len(commits)
    mistakes = {float(counts[member]): "That is a count of commits; the question asks for a share of all commits.",
                counts[member] / counts.max(): "That compares with the busiest member; divide by all commits.",
                counts[member] / (len(commits) - counts[member]): "That divides by the others' commits only; divide "
                                                                  "by all commits, this member's included."}
    mistakes = {k: v for k, v in mistakes.items() if abs(k - share) > 1e-3}
    return Exercise.number("commit share", share, tolerance=1e-3, share=True, mistakes=mistakes,
                           hint="Count this member's rows in the commit log and divide by all rows.")


def _never_done_ignored(tasks: pd.DataFrame) -> dict[str, int]:
    late = tasks["done"] > tasks["due"]
    return {str(m): int(n) for m, n in late.groupby(tasks["member"]).sum().items()}


def _on_the_dot_late(tasks: pd.DataFrame) -> dict[str, int]:
    late = tasks["done"].isna() | (tasks["done"] >= tasks["due"])
    return {str(m): int(n) for m, n in late.groupby(tasks["member"]).sum().items()}


def _only_offenders(tasks: pd.DataFrame) -> dict[str, int]:
    return {m: n for m, n in missed_deadlines(tasks).items() if n}


_NEVER = "a deliverable never handed in (done is missing) is missed too; a comparison with NaT is False."
_DOT = "a deliverable handed in exactly at its deadline is on time: late means done after due."
_ZERO = "list every member, with 0 for those who missed nothing: a table of who is fine matters too."


def _dict_accept(expected: dict) -> Callable[[Any], bool]:
    def accept(out: Any) -> bool:
        try:
            return {str(k): int(v) for k, v in dict(out).items()} == expected
        except (TypeError, ValueError):
            return False
    return accept


def missed_deadlines_exercise() -> Exercise:
    """Build-it: ``missed_deadlines(tasks)`` run on hidden task lists; returns ``{member: number missed}``.

    Introduced in ``notebooks/04b-team-conflicts.ipynb``.

    Examples
    --------
    >>> missed_deadlines_exercise().check(missed_deadlines).passed
    True
    """
    due = pd.Timestamp("2026-02-06 17:00")
    hour = pd.Timedelta(hours=1)

    def frame(rows):
        return pd.DataFrame(rows, columns=["member", "due", "done"])

    worlds = (
        ("a deliverable never handed in", frame([("ana", due, pd.NaT), ("ana", due, due - hour),
                                                 ("ben", due, due + hour)]), _NEVER),
        ("a deliverable handed in at the deadline", frame([("ana", due, due), ("ana", due, due + hour),
                                                           ("ben", due, due + 5 * hour), ("ben", due, due)]), _DOT),
        ("a member who missed nothing", frame([("ana", due, due - hour), ("ben", due, due + hour),
                                               ("cy", due, due - 2 * hour)]), _ZERO),
    )
    cases = [Case(label, (tasks,), _dict_accept(missed_deadlines(tasks)), why) for label, tasks, why in worlds]
    return Exercise.code("missed deadlines", cases=cases, solution=missed_deadlines,
                         mistakes={_never_done_ignored: _NEVER, _on_the_dot_late: _DOT, _only_offenders: _ZERO},
                         hint="A task is missed when done is missing or later than due; group by member and sum.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 500, **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/04b-team-conflicts.ipynb``, rebuilt from its parameters.

    Examples
    --------
    >>> sorted(lecture_exercises())
    ['commit share', 'missed deadlines']
    """
    records = team_records(seed=seed)
    return {"commit share": commit_share_exercise(records.commits, records.planted["absent"]),
            "missed deadlines": missed_deadlines_exercise()}
