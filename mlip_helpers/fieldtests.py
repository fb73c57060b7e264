"""Tests in the field: chaos experiments on a simulated serving stack, beta groups, and system versus model quality.

Introduced in ``notebooks/08-testing-in-production.ipynb``. The lecture "Testing in Production" (Le Goues &
Kaestner, CMU, CC BY 4.0) motivates beta tests (early releases to selected users, as for Windows 95) and chaos
experiments (Netflix's Simian Army: break parts of production on purpose and watch whether the system copes).
Every simulation here plants its truth: the faults, the users' types and the effect of a feature on each type,
the latency users tolerate. A notebook can then show the truth recovered, or show a measurement that misses it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["FAULTS", "beta_test", "chaos_experiment", "system_outcome"]

FAULTS = ("none", "feature store down", "feature store slow")
"""Faults :func:`chaos_experiment` can inject into its stack."""


def chaos_experiment(*, fault: str, fallback: bool, n_requests: int = 5000, blast_radius: float = 0.1,
                     slo_ms: float = 200.0, seed: int = 0) -> pd.DataFrame:
    """Inject a fault into a share of a simulated serving stack's traffic and compare it with the control group.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. Each request looks up features in a feature store
    (about 5 ms) and then runs the model (log-normal, median 20 ms). A random ``blast_radius`` share of requests
    forms the experiment group, in which ``fault`` is injected: ``"feature store down"`` (every lookup fails)
    or ``"feature store slow"`` (every lookup takes two seconds). Without a ``fallback`` a failed lookup is an
    error and a slow one is waited for; with it, the lookup times out after 50 ms and the model runs on default
    features, a *degraded* answer. The steady state is the share of requests answered without error within
    ``slo_ms``.

    Examples
    --------
    >>> table = chaos_experiment(fault="feature store down", fallback=False, seed=0)
    >>> float(table.loc["experiment", "answered within SLO"]), bool(table.loc["control", "answered within SLO"] > 0.99)
    (0.0, True)
    >>> chaos_experiment(fault="feature store down", fallback=True).loc["experiment", "degraded answers"]
    np.float64(1.0)
    """
    if fault not in FAULTS:
        raise InputError(f"unknown fault {fault!r}; choose one of {FAULTS}.", argument="fault")
    if not 0 < blast_radius < 1 or n_requests < 20:
        raise InputError("blast_radius must lie strictly between 0 and 1 and n_requests be at least 20.",
                         argument="blast_radius")
    rng = np.random.default_rng(seed)
    in_experiment = rng.random(n_requests) < blast_radius
    lookup_ms = rng.gamma(4.0, 1.25, n_requests)
    lookup_failed = rng.random(n_requests) < 0.0005  # the rare failure of a healthy store
    if fault == "feature store down":
        lookup_failed |= in_experiment
    elif fault == "feature store slow":
        lookup_ms = np.where(in_experiment, 2000.0 + lookup_ms, lookup_ms)
    model_ms = rng.lognormal(np.log(20), 0.3, n_requests)
    if fallback:
        degraded = lookup_failed | (lookup_ms > 50)
        total_ms = np.where(degraded, np.minimum(lookup_ms, 50.0), lookup_ms) + model_ms
        error = np.zeros(n_requests, dtype=bool)
    else:
        degraded = np.zeros(n_requests, dtype=bool)
        total_ms = lookup_ms + model_ms
        error = lookup_failed
    rows = {}
    for name, group in (("control", ~in_experiment), ("experiment", in_experiment)):
        rows[name] = {"requests": int(group.sum()),
                      "answered within SLO": float(np.mean(~error[group] & (total_ms[group] <= slo_ms))),
                      "errors": float(np.mean(error[group])),
                      "p95 latency (ms)": float(np.percentile(total_ms[group], 95)),
                      "degraded answers": float(np.mean(degraded[group]))}
    return pd.DataFrame(rows).T.rename_axis("group")


def beta_test(*, effects: Mapping[str, float], population_shares: Mapping[str, float],
              beta_shares: Mapping[str, float], base_rate: float = 0.6, n_beta: int = 2000,
              seed: int = 0) -> pd.DataFrame:
    """Run a beta test on self-selected volunteers and compare its verdict with the planted population effect.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. Users are of a few types; a new feature changes
    the chance that a user of each type is satisfied from ``base_rate`` by ``effects[type]``. The ``n_beta``
    volunteers are drawn with ``beta_shares`` of each type (enthusiasts volunteer more), and each is randomly
    shown the old or the new version. The table lists the lift the beta group measures, the same per-type lifts
    reweighted to the ``population_shares`` (post-stratification), and the planted lift in the population.

    Examples
    --------
    >>> table = beta_test(effects={"power": 0.2, "casual": -0.1}, population_shares={"power": 0.2, "casual": 0.8},
    ...                   beta_shares={"power": 0.8, "casual": 0.2}, seed=0)
    >>> round(float(table.loc["planted, whole population", "lift"]), 2)
    -0.04
    >>> bool(table.loc["beta group as measured", "lift"] > 0.05)
    True
    """
    types = sorted(effects)
    for name, shares in (("population_shares", population_shares), ("beta_shares", beta_shares)):
        if sorted(shares) != types or not np.isclose(sum(shares.values()), 1.0):
            raise InputError(f"{name} must give a share for each type {types}, adding up to 1.", argument=name)
    if n_beta < 4 * len(types):
        raise InputError(f"n_beta must be at least {4 * len(types)} so each type can see both versions.",
                         argument="n_beta")
    rng = np.random.default_rng(seed)
    kind = rng.choice(types, size=n_beta, p=[beta_shares[t] for t in types])
    new = rng.random(n_beta) < 0.5
    chance = base_rate + np.where(new, [effects[t] for t in kind], 0.0)
    satisfied = rng.random(n_beta) < np.clip(chance, 0, 1)

    def lift(rows: np.ndarray) -> tuple[float, float]:
        a, b = satisfied[rows & ~new], satisfied[rows & new]
        if len(a) == 0 or len(b) == 0:
            return float("nan"), float("nan")
        se = np.sqrt(a.mean() * (1 - a.mean()) / len(a) + b.mean() * (1 - b.mean()) / len(b))
        return float(b.mean() - a.mean()), float(se)

    everyone = np.ones(n_beta, dtype=bool)
    per_type = {t: lift(kind == t) for t in types}
    raw, raw_se = lift(everyone)
    reweighted = sum(population_shares[t] * per_type[t][0] for t in types)
    reweighted_se = float(np.sqrt(sum((population_shares[t] * per_type[t][1]) ** 2 for t in types)))
    planted = sum(population_shares[t] * effects[t] for t in types)
    return pd.DataFrame({
        "lift": [raw, reweighted, planted],
        "standard error": [raw_se, reweighted_se, 0.0],
    }, index=pd.Index(["beta group as measured", "beta group reweighted to the population",
                       "planted, whole population"], name="estimate"))


def system_outcome(models: Mapping[str, tuple[float, float]], *, n_users: int = 5000, patience_ms: float = 1000.0,
                   seed: int = 0) -> pd.DataFrame:
    """Simulate users of a product served by each model: offline accuracy against the outcome the system reaches.

    Introduced in ``notebooks/08-testing-in-production.ipynb``. ``models`` maps a name to ``(accuracy,
    latency_ms)``: the share of correct answers measured offline, and the time one answer takes. A user waits
    for an answer with probability ``exp(-latency / patience_ms)`` (a planted assumption: slower answers lose
    more users) and is helped when they waited *and* the answer was correct. Each model gets ``n_users`` users.

    Examples
    --------
    >>> table = system_outcome({"small": (0.80, 50), "large": (0.86, 800)}, seed=0)
    >>> table["offline accuracy"].idxmax(), table["users helped"].idxmax()
    ('large', 'small')
    """
    if not models:
        raise InputError("models is empty; give at least one name -> (accuracy, latency_ms).", argument="models")
    rng = np.random.default_rng(seed)
    rows = {}
    for name, (accuracy, latency_ms) in models.items():
        if not 0 <= accuracy <= 1 or latency_ms < 0:
            raise InputError(f"model {name!r}: accuracy must lie in [0, 1] and latency_ms be non-negative.",
                             argument="models")
        waited = rng.random(n_users) < np.exp(-latency_ms / patience_ms)
        correct = rng.random(n_users) < accuracy
        rows[name] = {"offline accuracy": accuracy, "latency (ms)": latency_ms,
                      "users who waited": float(waited.mean()), "users helped": float(np.mean(waited & correct))}
    return pd.DataFrame(rows).T.rename_axis("model")
