"""Experiments in production: A/B tests with power and a sample-ratio check, stable feature flags, canaries.

Introduced in ``notebooks/08-testing-in-production.ipynb``. The lecture
"Testing in Production" (Le Goues & Kaestner, CMU, CC BY 4.0) assigns users to
variants with a flag such as ``hash(user.id) % 100 < 10``, compares the
variants with a statistical test, and releases to a growing share of users
that is rolled back automatically when a quality measure degrades. The
simulators here plant an effect of known size (and, on request, a logging bug
that loses users) so that notebooks and tests know the truth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy import stats

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = [
    "NOTEBOOK",
    "canary_rule_exercise",
    "lecture_exercises",
    "sample_size_exercise",
    "srm_exercise",
    "ABData", "ABTestResult", "CanaryReport", "SRMResult", "TelemetryData",
    "bucket", "is_enabled", "power", "required_sample_size", "run_canary", "simulate_ab_test",
    "simulate_telemetry", "srm_check", "two_proportion_test",
]

_Z = NormalDist()

NOTEBOOK = "08-testing-in-production"
"""The lecture whose exercises this module declares (see :mod:`mlip_helpers.checker`)."""


def bucket(user_id: object, flag: str, *, buckets: int = 100) -> int:
    """Stable bucket ``0 .. buckets-1`` of a user for a flag: SHA-256 of ``"flag:user"``, same in every process.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. Python's
    built-in ``hash`` of a string changes with every interpreter start, so it
    must not decide who sees a feature. Salting with the flag name keeps
    different experiments independent.

    Examples
    --------
    >>> bucket("user-42", "one_click_checkout"), bucket("user-42", "one_click_checkout")
    (13, 13)
    """
    digest = hashlib.sha256(f"{flag}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % buckets


def is_enabled(user_id: object, flag: str, percent: float) -> bool:
    """Whether ``flag`` is on for ``user_id`` when it is rolled out to ``percent`` % of users.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. Raising the
    percentage only ever adds users: whoever had the feature keeps it.

    Examples
    --------
    >>> is_enabled("user-56", "one_click_checkout", 10), is_enabled("user-56", "one_click_checkout", 5)
    (True, False)
    """
    return bucket(user_id, flag, buckets=10_000) < percent * 100


@dataclass(frozen=True)
class ABTestResult:
    """Comparison of two conversion rates: difference, confidence interval and two-sided p-value."""

    n_a: int
    """Users in the control group A."""
    n_b: int
    """Users in the treatment group B."""
    rate_a: float
    """Conversion rate in A."""
    rate_b: float
    """Conversion rate in B."""
    difference: float
    """``rate_b - rate_a``."""
    ci_low: float
    """Lower end of the confidence interval of the difference (unpooled standard error)."""
    ci_high: float
    """Upper end of that interval."""
    z: float
    """Test statistic with the pooled standard error."""
    p_value: float
    """Two-sided p-value of "no difference"."""


def two_proportion_test(conversions_a: int, n_a: int, conversions_b: int, n_b: int, *,
                        confidence: float = 0.95) -> ABTestResult:
    """Two-proportion z-test of B against A, with a confidence interval of the difference.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. The p-value
    equals that of a chi-squared test of the 2x2 table without continuity
    correction.

    Examples
    --------
    >>> result = two_proportion_test(100, 1000, 130, 1000)
    >>> round(result.difference, 3), round(result.p_value, 4)
    (0.03, 0.0355)
    """
    if min(n_a, n_b) < 1 or not (0 <= conversions_a <= n_a and 0 <= conversions_b <= n_b):
        raise InputError("each group needs at least one user and 0 <= conversions <= users.", argument="n_a")
    rate_a, rate_b = conversions_a / n_a, conversions_b / n_b
    pooled = (conversions_a + conversions_b) / (n_a + n_b)
    se_pooled = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (rate_b - rate_a) / se_pooled if se_pooled > 0 else 0.0
    se = np.sqrt(rate_a * (1 - rate_a) / n_a + rate_b * (1 - rate_b) / n_b)
    half = _Z.inv_cdf(1 - (1 - confidence) / 2) * se
    diff = rate_b - rate_a
    return ABTestResult(int(n_a), int(n_b), float(rate_a), float(rate_b), float(diff), float(diff - half),
                        float(diff + half), float(z), float(2 * _Z.cdf(-abs(z))))


def power(base_rate: float, effect: float, n_per_group: int, *, alpha: float = 0.05) -> float:
    """Chance that the two-sided two-proportion test detects a true ``effect`` with ``n_per_group`` users each.

    Introduced in ``notebooks/08-testing-in-production.ipynb``.

    Examples
    --------
    >>> round(power(0.10, 0.02, 3841), 3)
    0.8
    """
    p1, p2 = base_rate, base_rate + effect
    pooled = (p1 + p2) / 2
    se0 = np.sqrt(2 * pooled * (1 - pooled) / n_per_group)
    se1 = np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n_per_group)
    z_crit = _Z.inv_cdf(1 - alpha / 2)
    return float(_Z.cdf((abs(effect) - z_crit * se0) / se1) + _Z.cdf((-abs(effect) - z_crit * se0) / se1))


def required_sample_size(base_rate: float, effect: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Users per group needed to detect ``effect`` (absolute change of a rate) with the given power.

    Introduced in ``notebooks/08-testing-in-production.ipynb``.

    Examples
    --------
    >>> required_sample_size(0.10, 0.02)
    3841
    """
    if effect == 0 or not 0 < base_rate < 1 or not 0 < base_rate + effect < 1:
        raise InputError("need 0 < base_rate < 1, a nonzero effect, and 0 < base_rate + effect < 1.",
                         argument="effect")
    p1, p2 = base_rate, base_rate + effect
    pooled = (p1 + p2) / 2
    z_a, z_b = _Z.inv_cdf(1 - alpha / 2), _Z.inv_cdf(power)
    n = (z_a * np.sqrt(2 * pooled * (1 - pooled)) + z_b * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / effect**2
    return int(np.ceil(n))


@dataclass(frozen=True)
class SRMResult:
    """Sample-ratio-mismatch check: are the group sizes what the assignment promised?"""

    counts: tuple[int, ...]
    """Observed users per group."""
    expected_shares: tuple[float, ...]
    """Shares the assignment should produce."""
    chi2: float
    """Chi-squared statistic of observed against expected counts."""
    p_value: float
    """Chance of a mismatch at least this large if assignment and logging work."""
    mismatch: bool
    """``p_value < threshold``: do not trust the experiment's other numbers."""


def srm_check(counts: Sequence[int], expected_shares: Sequence[float] = (0.5, 0.5), *,
              threshold: float = 0.001) -> SRMResult:
    """Chi-squared goodness-of-fit test of group sizes against the planned split.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. A strict
    threshold (0.001 is common) because a true mismatch is usually glaring.

    Examples
    --------
    >>> srm_check([5000, 5000]).mismatch, srm_check([5000, 4600]).mismatch
    (False, True)
    """
    observed = np.asarray(counts, dtype=float)
    shares = np.asarray(expected_shares, dtype=float)
    if observed.shape != shares.shape or not np.isclose(shares.sum(), 1):
        raise InputError("give one expected share per group, summing to 1.", argument="expected_shares")
    chi2, p = stats.chisquare(observed, shares * observed.sum())
    return SRMResult(tuple(int(c) for c in counts), tuple(float(s) for s in shares), float(chi2), float(p),
                     bool(p < threshold))


@dataclass(frozen=True, eq=False)
class ABData:
    """Simulated users of an A/B test with a planted effect (and optionally lost treatment users)."""

    users: pd.DataFrame
    """One row per *logged* user: ``user_id``, ``group`` ("A"/"B"), ``converted`` (bool)."""
    base_rate: float
    """True conversion rate under A."""
    effect: float
    """True change of the conversion rate under B (absolute)."""
    lost: int
    """Treatment users whose telemetry a planted bug dropped (only non-converters)."""


def simulate_ab_test(*, n_users: int = 10_000, base_rate: float = 0.10, effect: float = 0.015,
                     treatment_percent: float = 50, lose_share: float = 0.0, seed: int = 0) -> ABData:
    """Simulate an experiment: users get B by stable hashing, convert at a known rate per group.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. With
    ``lose_share > 0`` a logging bug drops that share of the treatment's
    non-converting users, which inflates B's rate and unbalances the groups.

    Examples
    --------
    >>> data = simulate_ab_test(n_users=1000, seed=1)
    >>> data.users.columns.tolist(), data.effect
    (['user_id', 'group', 'converted'], 0.015)
    """
    rng = np.random.default_rng(seed)
    ids = [f"user-{seed}-{i}" for i in range(n_users)]
    group = np.array(["B" if is_enabled(u, "experiment", treatment_percent) else "A" for u in ids])
    rate = np.where(group == "B", base_rate + effect, base_rate)
    converted = rng.random(n_users) < rate
    lost = (group == "B") & ~converted & (rng.random(n_users) < lose_share)
    users = pd.DataFrame({"user_id": ids, "group": group, "converted": converted})[~lost]
    return ABData(users.reset_index(drop=True), base_rate, effect, int(lost.sum()))


@dataclass(frozen=True, eq=False)
class TelemetryData:
    """Daily telemetry of a deployed model whose true error rate drifts up, seen only through proxies."""

    daily: pd.DataFrame
    """Per day: ``requests``, ``true_error_rate``, ``mistakes`` (unobserved), ``reports`` (observed)."""
    report_rate: float
    """Share of mistakes that users report: the proxy sees only these."""


def simulate_telemetry(*, n_days: int = 60, requests_per_day: int = 5000, error_start: float = 0.05,
                       error_end: float = 0.15, drift_day: int = 30, report_rate: float = 0.03,
                       seed: int = 0) -> TelemetryData:
    """Simulate a model whose error rate rises linearly after ``drift_day``; users report a few mistakes.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. The report
    count is a sparse, biased proxy: it understates the error rate by a
    factor ``1 / report_rate`` but follows its trend.

    Examples
    --------
    >>> t = simulate_telemetry(n_days=40, seed=1)
    >>> t.daily.shape, float(t.daily["true_error_rate"].iloc[0])
    ((40, 4), 0.05)
    """
    rng = np.random.default_rng(seed)
    day = np.arange(n_days)
    ramp = np.clip((day - drift_day) / max(n_days - 1 - drift_day, 1), 0, 1)
    true_rate = error_start + (error_end - error_start) * ramp
    mistakes = rng.binomial(requests_per_day, true_rate)
    reports = rng.binomial(mistakes, report_rate)
    daily = pd.DataFrame({"requests": requests_per_day, "true_error_rate": true_rate, "mistakes": mistakes,
                          "reports": reports}, index=pd.Index(day, name="day"))
    return TelemetryData(daily, report_rate)


def _one_sided_p(e_base: int, n_base: int, e_canary: int, n_canary: int, tolerance: float) -> float:
    """P-value of "the canary's error rate exceeds the baseline's by at most ``tolerance``"."""
    pooled = (e_base + e_canary) / (n_base + n_canary)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_base + 1 / n_canary))
    excess = e_canary / n_canary - e_base / n_base - tolerance
    if se == 0:
        return 0.0 if excess > 0 else 1.0
    return float(1 - _Z.cdf(excess / se))


@dataclass(frozen=True, eq=False)
class CanaryReport:
    """Stage-by-stage log of a canary release and where it ended."""

    stages: pd.DataFrame
    """Per stage: ``share``, requests and errors of baseline and canary, ``p_value``, ``decision``."""
    outcome: str
    """``"promoted"`` (reached 100%) or ``"rolled back"``."""
    rolled_back_at: float | None
    """Canary share (percent) at which it was rolled back, if it was."""


def run_canary(*, baseline_error: float, canary_error: float, stages: Sequence[float] = (1, 5, 25, 50, 100),
               requests_per_stage: int = 20_000, alpha: float = 0.01, tolerance: float = 0.0,
               seed: int = 0) -> CanaryReport:
    """Roll a new version out stage by stage; roll back as soon as its error rate is significantly worse.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. At each stage
    ``share`` % of ``requests_per_stage`` go to the canary; a one-sided
    two-proportion test asks whether the canary's error rate exceeds the
    baseline's by more than ``tolerance``. Significant: roll back and stop.
    Otherwise the next, larger stage follows, up to 100%.

    Examples
    --------
    >>> run_canary(baseline_error=0.01, canary_error=0.03, seed=0).outcome
    'rolled back'
    >>> run_canary(baseline_error=0.01, canary_error=0.01, seed=0).outcome
    'promoted'
    """
    rng = np.random.default_rng(seed)
    rows, outcome, at = [], "promoted", None
    for share in stages:
        n_canary = max(int(round(requests_per_stage * share / 100)), 1)
        n_base = requests_per_stage - n_canary
        e_canary = int(rng.binomial(n_canary, canary_error))
        e_base = int(rng.binomial(n_base, baseline_error)) if n_base else 0
        p = _one_sided_p(e_base, n_base, e_canary, n_canary, tolerance) if n_base else float("nan")
        worse = n_base > 0 and p < alpha
        rows.append({"share": share, "baseline_requests": n_base, "baseline_errors": e_base,
                     "canary_requests": n_canary, "canary_errors": e_canary, "p_value": p,
                     "decision": "roll back" if worse else ("done" if share == stages[-1] else "expand")})
        if worse:
            outcome, at = "rolled back", float(share)
            break
    return CanaryReport(pd.DataFrame(rows).set_index("share"), outcome, at)


def sample_size_exercise(base_rate: float, effect: float, *, alpha: float = 0.05, power: float = 0.8) -> Exercise:
    """Exercise: users per group to detect ``effect`` over ``base_rate`` (one user of rounding allowed).

    Introduced in ``notebooks/08-testing-in-production.ipynb``.

    Examples
    --------
    >>> exercise = sample_size_exercise(0.10, 0.01)
    >>> exercise.check(required_sample_size(0.10, 0.01)).passed, exercise.check(169).reason[:30]
    (True, 'the effect is the change of th')
    """
    expected = required_sample_size(base_rate, effect, alpha=alpha, power=power)
    candidates = [(2 * expected, "that is both groups together; the exercise asks per group."),
                  (required_sample_size(base_rate, base_rate + effect, alpha=alpha, power=power),
                   "the effect is the change of the rate, not the new rate."),
                  (required_sample_size(base_rate, effect, alpha=alpha, power=0.5),
                   "that sample finds the effect only half of the time; ask for the power the question names.")]
    return Exercise.number("users_per_group", expected, tolerance=1.0,
                           mistakes=[(v, t) for v, t in candidates if abs(v - expected) > 1],
                           hint="required_sample_size(base_rate, effect) is per group; the effect is the change.")


def srm_exercise(counts: Sequence[int], users: Any) -> Exercise:
    """Exercise: the sample-ratio p-value of ``counts`` against 50/50, compared with relative tolerance.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. ``users`` is the experiment's user table
    (``group``, ``converted``), for the mistake of testing conversions instead of counts.

    Examples
    --------
    >>> users = pd.DataFrame({"group": ["A"] * 60 + ["B"] * 40, "converted": [True, False] * 50})
    >>> exercise = srm_exercise([60, 40], users)
    >>> exercise.tolerance_kind, exercise.check(0).reason[:8]
    ('relative', 'too low.')
    """
    expected = srm_check(list(counts)).p_value
    per_group = users.groupby("group")["converted"].agg(["sum", "count"]).to_numpy().ravel()
    candidates = [(two_proportion_test(*per_group).p_value,
                   "that is the p-value of the conversion difference; the sample-ratio test compares the *numbers "
                   "of users* with an even split."),
                  (1 - expected, "that is one minus the p-value.")]
    return Exercise.number("srm_p_value", expected, relative=1e-3,
                           mistakes=[(v, t) for v, t in candidates if abs(v - expected) > 1e-3 * expected],
                           hint="chisquare(observed_counts) tests against equal expected counts by default.")


_ROLL_BACK_CLEAR = "a clear regression on plenty of traffic must be rolled back."
_KEEP_HEALTHY = "the canary is as good as the old version: continue; rolling back healthy releases stalls every release."
_NOT_EVIDENCE = ("a few errors in a handful of requests are no evidence: test whether the difference is significant "
                 "instead of comparing the raw rates.")
_SMALL_BUT_REAL = "with this much traffic even a small increase is significant: roll back."
_ONE_SIDED = "fewer errors than the old version is no reason to roll back: the test is one-sided."


def canary_rule_exercise() -> Exercise:
    """Build-it exercise: ``canary_decision(base_errors, base_requests, canary_errors, canary_requests)``.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. The rule returns ``"rollback"`` when the canary's
    error rate is higher and a two-proportion test gives p < 0.01, else ``"continue"``.

    Examples
    --------
    >>> exercise = canary_rule_exercise()
    >>> rate_rule = lambda be, bn, ce, cn: "rollback" if ce / cn > be / bn else "continue"
    >>> "no evidence" in exercise.check(rate_rule).reason
    True
    """
    def says(word: str):
        return lambda out: isinstance(out, str) and out.strip().lower() == word

    cases = [Case("a canary with three times the errors, 10,000 requests each", (100, 10_000, 300, 10_000),
                  says("rollback"), _ROLL_BACK_CLEAR),
             Case("a canary exactly as good as the old version", (100, 10_000, 100, 10_000), says("continue"),
                  _KEEP_HEALTHY),
             Case("a canary with one error in its first 20 requests", (100, 10_000, 1, 20), says("continue"),
                  _NOT_EVIDENCE),
             Case("a canary with 20% more errors on 400,000 requests each", (4_000, 400_000, 4_800, 400_000),
                  says("rollback"), _SMALL_BUT_REAL),
             Case("a canary with half the errors of the old version", (200, 10_000, 100, 10_000), says("continue"),
                  _ONE_SIDED)]

    def worked(base_errors: int, base_requests: int, canary_errors: int, canary_requests: int) -> str:
        test = two_proportion_test(base_errors, base_requests, canary_errors, canary_requests)
        return "rollback" if test.difference > 0 and test.p_value / 2 < 0.01 else "continue"

    return Exercise.code("canary_rule", cases=cases, solution=worked, mistakes=[
        (lambda be, bn, ce, cn: "continue", _ROLL_BACK_CLEAR),
        (lambda be, bn, ce, cn: "rollback" if ce / cn > be / bn else "continue", _NOT_EVIDENCE),
        (lambda be, bn, ce, cn: "rollback" if two_proportion_test(be, bn, ce, cn).p_value < 0.01 else "continue",
         _ONE_SIDED),
        (lambda be, bn, ce, cn: "rollback" if ce / cn > 1.5 * be / bn and two_proportion_test(be, bn, ce, cn).p_value
         < 0.02 else "continue", _SMALL_BUT_REAL)],
        hint="two_proportion_test(base_errors, base_requests, canary_errors, canary_requests) compares the rates.")


def lecture_exercises(*, seed: int = 0, n_samples: int = 20_000, base_rate: float = 0.10, effect: float = 0.015,
                      **_: Any) -> dict[str, Exercise]:
    """The exercises of ``notebooks/08-testing-in-production.ipynb`` for its parameters, keyed by name.

    Examples
    --------
    >>> sorted(lecture_exercises(n_samples=2000))
    ['canary_rule', 'srm_p_value', 'users_per_group']
    """
    broken = simulate_ab_test(n_users=n_samples, base_rate=base_rate, effect=effect, lose_share=0.1, seed=seed)
    counts = broken.users["group"].value_counts().reindex(["A", "B"])
    built = [sample_size_exercise(0.10, 0.01), srm_exercise(counts.tolist(), broken.users), canary_rule_exercise()]
    return {exercise.name: exercise for exercise in built}
