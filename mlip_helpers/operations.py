"""Service level objectives from a request log: percentiles, error budgets, burn rates and alerts.

Introduced in ``notebooks/12-planning-for-operations.ipynb``. The lecture
"Planning for Operations" (Le Goues & Kaestner, CMU, CC BY 4.0) states
quality requirements for operations as service level objectives (latency,
throughput, availability) with measures. Following Google's SRE books, an
availability objective of 99.9% leaves an *error budget* of 0.1% of the
requests, and an alert should page a person when the budget burns fast, not
whenever one minute looks bad. :func:`simulate_requests` plants an incident
(a bad model version on part of the traffic) and short harmless error bursts
at known times, so alert rules can be scored against the truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = [
    "ALERT_WEEKS", "NOTEBOOK", "AlertScore", "ErrorBudget", "RequestLog", "alert_rule_exercise",
    "alert_rule_solution", "burn_rate", "episodes", "error_budget", "error_budget_exercise", "incident_budget_exercise",
    "lecture_exercises",
    "score_alerts", "simulate_requests", "traffic_table",
]


@dataclass(frozen=True)
class RequestLog:
    """A simulated week of requests to a model-serving service, with the planted truth."""

    frame: pd.DataFrame
    """One row per request: ``time``, ``model_version``, ``latency_ms``, ``status`` (HTTP code) and ``ok``."""
    incident: tuple[pd.Timestamp, pd.Timestamp]
    """When the bad version went live and when it was rolled back."""
    blips: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]
    """Short bursts of errors from a flaky dependency: noise that should not page anyone."""
    stable_version: str
    """The model version that serves all traffic outside the incident."""
    bad_version: str
    """The canary version deployed at the start of the incident."""


def simulate_requests(n_requests: int = 200_000, *, days: int = 7, seed: int = 0,
                      start: str = "2026-03-02", incident_day: float = 4.6, incident_minutes: int = 45,
                      canary_share: float = 0.5, n_blips: int = 4) -> RequestLog:
    """A week of requests with daily traffic waves, a latency tail, rare errors and one planted incident.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. At
    ``incident_day`` (days after ``start``) version ``2.4.0`` takes
    ``canary_share`` of the traffic for ``incident_minutes``; a quarter of its
    requests fail and it is three times slower. ``n_blips`` error bursts of
    two minutes each (a fifth of requests fail) hit all traffic at other times.

    Examples
    --------
    >>> log = simulate_requests(2000, seed=1)
    >>> len(log.frame), log.bad_version, str(log.incident[0])
    (2000, '2.4.0', '2026-03-06 14:24:00')
    """
    if n_requests < 1 or days < 1 or not 0 < canary_share <= 1 or not 0 < incident_day < days:
        raise InputError("need n_requests >= 1, days >= 1, 0 < canary_share <= 1 and incident_day inside the "
                         f"period; got {n_requests}, {days}, {canary_share}, {incident_day}.", argument="n_requests")
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp(start)
    candidates = rng.random(4 * n_requests) * days  # thinning: busy afternoons, quiet nights
    busy = 0.25 + 0.75 * (0.5 + 0.5 * np.sin(2 * np.pi * (candidates % 1 - 0.375)))
    day_offsets = np.sort(candidates[rng.random(candidates.size) < busy][:n_requests])
    times = origin + pd.to_timedelta(np.round(day_offsets * 86400, 3), unit="s")
    n = len(times)
    latency = rng.lognormal(np.log(90), 0.45, n) * np.where(rng.random(n) < 0.01, rng.uniform(3, 8, n), 1)
    failed = rng.random(n) < 0.0003
    incident = (origin + pd.Timedelta(minutes=round(incident_day * 1440)),)
    incident += (incident[0] + pd.Timedelta(minutes=incident_minutes),)
    canary = (times >= incident[0]) & (times < incident[1]) & (rng.random(n) < canary_share)
    latency = np.where(canary, latency * 3, latency)
    failed |= canary & (rng.random(n) < 0.25)
    blips = []
    for minute in rng.choice(np.arange(60, days * 1440 - 60), size=n_blips * 4, replace=False):
        begin = origin + pd.Timedelta(minutes=int(minute))
        if len(blips) < n_blips and abs(begin - incident[0]) > pd.Timedelta(hours=6):
            blips.append((begin, begin + pd.Timedelta(minutes=2)))
    for begin, end in blips:
        failed |= (times >= begin) & (times < end) & (rng.random(n) < 0.2)
    status = np.where(failed, np.where(canary, 503, 502), 200)
    frame = pd.DataFrame({"time": times, "model_version": np.where(canary, "2.4.0", "2.3.1"),
                          "latency_ms": latency.round(1), "status": status, "ok": ~failed})
    return RequestLog(frame, incident, tuple(sorted(blips)), "2.3.1", "2.4.0")


def traffic_table(frame: pd.DataFrame, freq: str = "1min") -> pd.DataFrame:
    """Requests, failures, error rate and 99th-percentile latency per time bin (empty bins included).

    Introduced in ``notebooks/12-planning-for-operations.ipynb``: what a
    monitoring system such as Prometheus stores, one row per interval.

    Examples
    --------
    >>> t = traffic_table(simulate_requests(3000, seed=2).frame, "1D")
    >>> t.columns.tolist(), int(t["requests"].sum())
    (['requests', 'failed', 'error_rate', 'p99_ms'], 3000)
    """
    data = frame.set_index("time")
    grouped = data.assign(failed=~data["ok"].astype(bool)).resample(freq)
    table = pd.DataFrame({"requests": grouped["ok"].count(), "failed": grouped["failed"].sum().astype(int),
                          "p99_ms": grouped["latency_ms"].quantile(0.99)})
    table["error_rate"] = table["failed"] / table["requests"].where(table["requests"] > 0)
    return table[["requests", "failed", "error_rate", "p99_ms"]]


@dataclass(frozen=True)
class ErrorBudget:
    """How many failed requests an availability objective allows, and how many were used."""

    target: float
    """The availability objective, e.g. 0.999."""
    requests: int
    """Requests in the period."""
    allowed: float
    """Failures the objective allows: ``(1 - target) * requests``."""
    failed: int
    """Failures that happened."""

    @property
    def remaining(self) -> float:
        """Failures still allowed (negative once the objective is missed)."""
        return self.allowed - self.failed

    @property
    def spent(self) -> float:
        """Share of the budget used: 1.0 means exactly used up."""
        return self.failed / self.allowed

    @property
    def availability(self) -> float:
        """Share of requests that succeeded."""
        return 1 - self.failed / self.requests


def error_budget(ok: pd.Series | np.ndarray, target: float) -> ErrorBudget:
    """The error budget of a period from one success flag per request.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``.

    Examples
    --------
    >>> budget = error_budget(np.r_[np.ones(9990, bool), np.zeros(5, bool)], 0.999)
    >>> round(budget.allowed, 3), budget.failed, round(budget.spent, 3)
    (9.995, 5, 0.5)
    """
    if not 0 < target < 1:
        raise InputError(f"target must be a share between 0 and 1 (e.g. 0.999), got {target}.", argument="target")
    ok = np.asarray(ok, dtype=bool)
    if ok.size == 0:
        raise InputError("no requests: an error budget needs at least one.", argument="ok")
    return ErrorBudget(target, int(ok.size), (1 - target) * ok.size, int((~ok).sum()))


def burn_rate(table: pd.DataFrame, window: str, target: float) -> pd.Series:
    """How fast the error budget burns: the error rate over a trailing window divided by ``1 - target``.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. A burn rate
    of 1 uses up the budget exactly by the end of the period; Google's SRE
    workbook pages at 14.4 over one hour (2% of a 30-day budget gone).

    Examples
    --------
    >>> t = pd.DataFrame({"requests": [100, 100, 100], "failed": [0, 2, 0]},
    ...                  index=pd.date_range("2026-01-01", periods=3, freq="1min"))
    >>> burn_rate(t, "2min", 0.99).round(2).tolist()
    [0.0, 1.0, 1.0]
    """
    requests = table["requests"].rolling(window).sum()
    return table["failed"].rolling(window).sum() / requests.where(requests > 0) / (1 - target)


def episodes(firing: pd.Series) -> pd.DataFrame:
    """Runs of consecutive ``True`` in a boolean series indexed by time: one row per alert.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``.

    Examples
    --------
    >>> s = pd.Series([False, True, True, False, True], index=pd.date_range("2026-01-01", periods=5, freq="1min"))
    >>> episodes(s)["minutes"].tolist()
    [2, 1]
    """
    on = firing.fillna(False).astype(bool).to_numpy()
    edges = np.diff(np.r_[0, on.astype(int), 0])
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return pd.DataFrame({"start": firing.index[starts], "end": firing.index[stops - 1],
                         "minutes": stops - starts})


@dataclass(frozen=True)
class AlertScore:
    """How an alert rule did against the planted incident."""

    alerts: int
    """Alert episodes in the period: how often someone would have been paged."""
    true_alerts: int
    """Episodes that overlap the incident."""
    false_alerts: int
    """Episodes outside the incident: pages for noise."""
    delay_minutes: float
    """Minutes from the incident's start to the first true alert (NaN if missed)."""


def score_alerts(found: pd.DataFrame, incident: tuple[pd.Timestamp, pd.Timestamp]) -> AlertScore:
    """Count true and false alert episodes and the detection delay.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. An episode is
    true when it overlaps the incident window.

    Examples
    --------
    >>> found = pd.DataFrame({"start": pd.to_datetime(["2026-01-01 01:00", "2026-01-01 05:07"]),
    ...                       "end": pd.to_datetime(["2026-01-01 01:02", "2026-01-01 05:30"])})
    >>> score_alerts(found, (pd.Timestamp("2026-01-01 05:00"), pd.Timestamp("2026-01-01 05:45")))
    AlertScore(alerts=2, true_alerts=1, false_alerts=1, delay_minutes=7.0)
    """
    begin, end = incident
    hit = (found["start"] < end) & (found["end"] >= begin)
    first = found.loc[hit, "start"].min() if hit.any() else None
    delay = float("nan") if first is None else max(0.0, (first - begin) / pd.Timedelta(minutes=1))
    return AlertScore(len(found), int(hit.sum()), int((~hit).sum()), delay)


# --- the exercises of notebook 12 ------------------------------------------------------------------------------

NOTEBOOK = "12-planning-for-operations"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""

ALERT_WEEKS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("a week with a 45-minute incident", {"seed": 101, "incident_minutes": 45}),
    ("a week with a short incident on a small canary", {"seed": 102, "incident_minutes": 20, "canary_share": 0.3,
                                                       "incident_day": 2.15}),
    ("a week with a long incident on a tiny canary", {"seed": 103, "incident_minutes": 90, "canary_share": 0.2,
                                                     "incident_day": 5.9}),
    ("a quiet week: no incident, only harmless bursts", {"seed": 104, "incident_minutes": 0, "n_blips": 6}),
)
"""Hidden weeks of :func:`alert_rule_exercise`: what the week is, and the :func:`simulate_requests` arguments."""
ALERT_MAX_DELAY = 30
"""A rule must page within this many minutes of an incident's start."""
ALERT_MAX_FALSE = 1
"""A rule may page for noise at most this often in a week."""
_MISSED = (f"your rule did not page within {ALERT_MAX_DELAY} minutes of the incident's start, or not at all: users "
           "suffered unnoticed. A threshold that only a total outage reaches, or a window of many hours, reacts "
           "too late.")
_NOISY = (f"your rule paged more than {ALERT_MAX_FALSE} time for harmless two-minute bursts this week; people stop "
          "answering such pages. Ask whether the budget is burning fast over a longer window, not whether one "
          "minute looks bad.")


def alert_rule_solution(minutes: pd.DataFrame, target: float) -> pd.Series:
    """Worked solution: page while the burn rate is above 14.4 over the last hour and the last 5 minutes.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``.

    Examples
    --------
    >>> week = traffic_table(simulate_requests(5000, seed=3).frame)
    >>> alert_rule_solution(week, 0.999).dtype
    dtype('bool')
    """
    return (burn_rate(minutes, "60min", target) > 14.4) & (burn_rate(minutes, "5min", target) > 14.4)


def _score(firing: Any, minutes: pd.DataFrame, incident: tuple[pd.Timestamp, pd.Timestamp]) -> AlertScore:
    flags = pd.Series(np.asarray(firing, dtype=bool).reshape(-1), index=minutes.index)
    return score_alerts(episodes(flags), incident)


def _pages_in_time(minutes: pd.DataFrame, incident: tuple[pd.Timestamp, pd.Timestamp]) -> Callable[[Any], bool]:
    def accept(firing: Any) -> bool:
        score = _score(firing, minutes, incident)
        return score.true_alerts > 0 and score.delay_minutes <= ALERT_MAX_DELAY
    return accept


def _quiet_enough(minutes: pd.DataFrame, incident: tuple[pd.Timestamp, pd.Timestamp]) -> Callable[[Any], bool]:
    return lambda firing: _score(firing, minutes, incident).false_alerts <= ALERT_MAX_FALSE


def _every_bad_minute(minutes: pd.DataFrame, target: float) -> pd.Series:
    return minutes["error_rate"] > 0.05


def _only_outages(minutes: pd.DataFrame, target: float) -> pd.Series:
    return minutes["error_rate"] > 0.5


def alert_rule_exercise(*, target: float = 0.999, n_requests: int = 200_000) -> Exercise:
    """Build-it: an alert rule ``page(minutes, target)`` scored on hidden simulated weeks.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. The rule sees
    a week's minute table (:func:`traffic_table`) and returns one True/False per
    minute. On every hidden week it must page for the incident within
    :data:`ALERT_MAX_DELAY` minutes and page for noise at most
    :data:`ALERT_MAX_FALSE` times.

    Examples
    --------
    >>> exercise = alert_rule_exercise(n_requests=20_000)
    >>> exercise.check(lambda minutes, target: minutes["error_rate"] > 0.05).passed
    False
    """
    cases = []
    for label, arguments in ALERT_WEEKS:
        week = simulate_requests(n_requests, **arguments)
        minutes = traffic_table(week.frame, "1min")
        if week.incident[1] > week.incident[0]:
            cases.append(Case(f"{label}, the incident", (minutes, target), _pages_in_time(minutes, week.incident),
                              _MISSED))
        cases.append(Case(f"{label}, the noise", (minutes, target), _quiet_enough(minutes, week.incident), _NOISY))
    return Exercise.code("alert rule", cases=cases, solution=alert_rule_solution,
                         mistakes={_every_bad_minute: _NOISY, _only_outages: _MISSED},
                         hint="burn_rate(minutes, window, target) tells how fast the budget burns over a window.")


def error_budget_exercise(n_requests: int, target: float) -> Exercise:
    """The number of failed requests that an availability objective allows in a period.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``. The budget
    ``(1 - target) * n_requests`` need not be whole, so it is a number.

    Examples
    --------
    >>> exercise = error_budget_exercise(10_000, 0.999)
    >>> exercise.check(10).passed, exercise.check(9990).reason[:24]
    (True, 'That is how many request')
    """
    allowed = (1 - target) * n_requests
    return Exercise.number("error budget", allowed, relative=1e-6, mistakes={
        target * n_requests: "That is how many requests must succeed. The budget is the failures the objective "
                             "allows: the share 1 - target of all requests.",
        1 - target: "That is the allowed share of failures; the exercise asks for a number of requests: multiply "
                    "it by the number of requests.",
        100 * (1 - target): "That is the allowed share of failures as a percentage; the exercise asks for a number "
                            "of requests.",
    }, hint="An availability objective of 99.9% allows 0.1% of the requests to fail.")


def incident_budget_exercise(ok_during: Any, allowed: float, failed_in_period: int) -> Exercise:
    """The share of the period's error budget that the failures during an incident used up.

    Introduced in ``notebooks/12-planning-for-operations.ipynb``.

    Examples
    --------
    >>> incident_budget_exercise([True, False, False, True], allowed=4.0, failed_in_period=3).check(0.5).passed
    True
    """
    ok = np.asarray(ok_during, dtype=bool)
    failed = int((~ok).sum())
    expected = failed / allowed
    mistakes = {float((~ok).mean()) if ok.size else -1.0:
                "That is the share of requests that failed during the incident. The budget is counted in failed "
                "requests over the whole period: divide the incident's failures by the budget.",
                failed / max(failed_in_period, 1): "That is the incident's share of all failures of the period; the "
                                                   "question asks about the budget the objective allows.",
                float(failed): "That is the number of failed requests; divide it by the budget."}
    return Exercise.number("incident's share of the budget", expected, relative=1e-3, mistakes={
        k: v for k, v in mistakes.items() if abs(k - expected) > 1e-3 * abs(expected)},
        hint="Count the failed requests during the incident and divide by the number the budget allows.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 200_000, availability_target: float = 0.999,
                      **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/12-planning-for-operations.ipynb``, built for the notebook's parameters.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=2000))
    ['alert_rule', 'error_budget', 'incident_budget']
    """
    requests = simulate_requests(n_samples, seed=seed)
    log = requests.frame
    begin, end = requests.incident
    during = log[(log["time"] >= begin) & (log["time"] < end)]
    budget = error_budget(log["ok"], availability_target)
    return {"error_budget": error_budget_exercise(len(log), availability_target),
            "alert_rule": alert_rule_exercise(target=availability_target),
            "incident_budget": incident_budget_exercise(during["ok"], budget.allowed, budget.failed)}
