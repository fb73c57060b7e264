"""Why requirements are hard, and how to gather them: simulated wearers of a fall-detecting watch.

Introduced in ``notebooks/02-requirements.ipynb``. The lecture "Gathering Requirements" (Le Goues & Kaestner, CMU,
CC BY 4.0) lists why understanding requirements is hard (customers do not know what they want, descriptions are
vague, engineers think they know), names elicitation techniques such as interviews and observation, prototyping
with a human playing the model ("Wizard of Oz"), and asks how much requirements work to do and when. Each is
simulated here on a population whose needs are planted (:data:`NEEDS`), so what a technique finds can be checked
against what is there. Every number in :data:`NEEDS` and in the cost scenario is an assumption made for teaching.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["NEEDS", "PHASE_COST", "NOTEBOOK", "elicit", "late_fix_costs", "requirements_effort", "stated_vs_actual",
           "wizard_of_oz"]

NOTEBOOK = "02-requirements"
"""The lecture that introduces this module."""

NEEDS = pd.DataFrame(
    {"prevalence": [0.9, 0.7, 0.6, 0.5, 0.5, 0.6],
     "stated": [4.8, 3.2, 2.0, 3.5, 4.2, 2.3],
     "effect": [0.2, 1.8, 0.9, 0.6, 0.1, 1.1],
     "interview": [0.8, 0.6, 0.0, 0.7, 0.8, 0.0],
     "observation": [0.0, 0.6, 0.8, 0.0, 0.0, 0.0]},
    index=pd.Index(["detects every fall", "few false calls", "cancel button easy to press", "battery lasts a week",
                    "location private from family", "comfortable to wear at night"], name="need"))
"""Planted needs of the watch's wearers: how many have each (``prevalence``), how important they *say* it is
(``stated``, mean on a 1-5 scale), how much falling short of it *actually* raises the log-odds that they stop
wearing the watch (``effect``), and the chance that a wearer who has it reveals it in an ``interview`` or while
being watched (``observation``, in daytime sessions)."""

PHASE_COST = pd.Series({"requirements": 1.0, "design": 3.0, "implementation": 8.0, "testing": 20.0,
                        "operation": 50.0}, name="days to fix")
"""Assumed cost in person-days of acting on one requirement, by the phase in which it is found (a common rule of
thumb in software engineering: the later, the costlier; the factors are ours)."""

_LATE_PHASES = pd.Series({"design": 0.3, "implementation": 0.3, "testing": 0.25, "operation": 0.15})


def stated_vs_actual(n_users: int, *, needs: pd.DataFrame = NEEDS, base_rate: float = -2.0,
                     seed: int = 0) -> pd.DataFrame:
    """A survey and a pilot on the same wearers: what they say matters, and what makes them stop wearing the watch.

    Introduced in ``notebooks/02-requirements.ipynb``. Each user rates every need (1-5, planted mean ``stated``
    plus noise); the pilot watch falls short of each need for a random half of the users, and each user quits with
    log-odds ``base_rate`` plus the planted ``effect`` of every need it fell short of. A logistic regression on the
    pilot recovers the effects from behaviour alone.

    Examples
    --------
    >>> table = stated_vs_actual(4000, seed=0)
    >>> table.sort_values("stated importance").index[-1], table["fitted effect"].idxmax()
    ('detects every fall', 'few false calls')
    """
    from sklearn.linear_model import LogisticRegression

    if n_users < 20:
        raise InputError(f"n_users must be at least 20 to fit the pilot, got {n_users}.", argument="n_users")
    rng = np.random.default_rng(seed)
    k = len(needs)
    ratings = np.clip(np.round(needs["stated"].to_numpy() + rng.normal(0, 0.8, (n_users, k))), 1, 5)
    short = rng.random((n_users, k)) < 0.5
    quit_ = rng.random(n_users) < 1 / (1 + np.exp(-(base_rate + short @ needs["effect"].to_numpy())))
    fitted = LogisticRegression(C=100.0).fit(short, quit_).coef_[0]
    return pd.DataFrame({"stated importance": ratings.mean(axis=0), "fitted effect": fitted,
                         "planted effect": needs["effect"].to_numpy()}, index=needs.index)


def elicit(method: str, *, n_sessions: int = 20, needs: pd.DataFrame = NEEDS, seed: int = 0) -> pd.Series:
    """How many of ``n_sessions`` participants reveal each need, by ``"interview"`` or ``"observation"``.

    Introduced in ``notebooks/02-requirements.ipynb``. Each participant has each need with its ``prevalence`` and
    reveals it with the method's planted chance: tacit needs (a button too small to press) never come up in an
    interview, and daytime observation never sees a fall or the night.

    Examples
    --------
    >>> found = elicit("observation", seed=1)
    >>> int(found["detects every fall"]), bool(found["cancel button easy to press"] >= 2)
    (0, True)
    """
    if method not in ("interview", "observation") or n_sessions < 1:
        raise InputError(f"method must be 'interview' or 'observation' and n_sessions >= 1; got {method!r}, "
                         f"{n_sessions}.", argument="method")
    rng = np.random.default_rng([seed, 0 if method == "interview" else 1])
    has = rng.random((n_sessions, len(needs))) < needs["prevalence"].to_numpy()
    reveals = rng.random((n_sessions, len(needs))) < needs[method].to_numpy()
    return pd.Series((has & reveals).sum(axis=0), index=needs.index, name=method)


def wizard_of_oz(n_participants: int, *, alarms_each: int = 4, window: float = 30.0, seed: int = 0) -> pd.DataFrame:
    """A Wizard-of-Oz pilot: a person plays the fall detector and raises false alarms; wearers' reactions are logged.

    Introduced in ``notebooks/02-requirements.ipynb``. No model exists yet: a staff member watching the pilot
    triggers ``alarms_each`` false alarms per participant. Planted reactions: participants under 75 cancel after
    a median of 8 seconds, those 75 or older after 22 seconds (log-normal, spread 0.6), and 10% of the older ones'
    alarms go unnoticed. One row per alarm: ``age_group``, ``seconds`` to cancel (inf if never),
    ``in_window`` (cancelled within ``window`` seconds, the specification's delay before calling for help).

    Examples
    --------
    >>> log = wizard_of_oz(400, seed=0)
    >>> log.groupby("age_group")["in_window"].mean().round(1).to_dict()
    {'75 or older': 0.6, 'under 75': 1.0}
    """
    if n_participants < 2 or alarms_each < 1 or window <= 0:
        raise InputError(f"need n_participants >= 2, alarms_each >= 1 and window > 0; got {n_participants}, "
                         f"{alarms_each}, {window}.", argument="n_participants")
    rng = np.random.default_rng(seed)
    older = np.repeat(np.arange(n_participants) % 2 == 1, alarms_each)
    seconds = np.exp(rng.normal(np.log(np.where(older, 22.0, 8.0)), 0.6))
    seconds[older & (rng.random(len(older)) < 0.1)] = np.inf
    return pd.DataFrame({"participant": np.repeat(np.arange(n_participants), alarms_each),
                         "age_group": np.where(older, "75 or older", "under 75"), "seconds": seconds,
                         "in_window": seconds <= window})


def requirements_effort(efforts, *, n_projects: int = 200, n_requirements: int = 30, seed: int = 0) -> pd.DataFrame:
    """Expected cost of a project by the days spent on requirements up front (a simulated scenario).

    Introduced in ``notebooks/02-requirements.ipynb``. Each project has ``n_requirements`` requirements; each needs
    a planted number of elicitation days (log-normal, median 8) to be found with 63% chance up front, found up front
    with chance ``1 - exp(-effort / difficulty)``. A requirement found up front costs :data:`PHASE_COST`
    ``["requirements"]``; a missed one surfaces in a later phase (design 30%, implementation 30%, testing 25%,
    operation 15%) and costs that phase's days. Total = effort + fixing costs, averaged over ``n_projects``.

    Examples
    --------
    >>> costs = requirements_effort([0, 20, 200], n_projects=50)
    >>> int(costs["total"].idxmin())
    20
    """
    efforts = np.asarray(efforts, dtype=float)
    if efforts.ndim != 1 or len(efforts) == 0 or (efforts < 0).any() or n_projects < 1 or n_requirements < 1:
        raise InputError("efforts must be a non-empty list of days >= 0, and n_projects, n_requirements >= 1.",
                         argument="efforts")
    rng = np.random.default_rng(seed)
    shape = (n_projects, n_requirements)
    difficulty = np.exp(rng.normal(np.log(8.0), 1.0, shape))
    luck = rng.random(shape)
    late_cost = rng.choice(PHASE_COST[_LATE_PHASES.index].to_numpy(), p=_LATE_PHASES.to_numpy(), size=shape)
    rows = []
    for effort in efforts:
        found = luck < 1 - np.exp(-effort / difficulty)
        fixing = np.where(found, PHASE_COST["requirements"], late_cost).sum(axis=1).mean()
        rows.append({"effort": effort, "found up front": found.mean(), "fixing": fixing, "total": effort + fixing})
    return pd.DataFrame(rows).set_index("effort").rename(index=lambda e: int(e) if float(e).is_integer() else e)


def late_fix_costs() -> pd.DataFrame:
    """The scenario's cost of one requirement by the phase in which it is found, relative to finding it early.

    Introduced in ``notebooks/02-requirements.ipynb``.

    Examples
    --------
    >>> float(late_fix_costs().loc["operation", "times the early cost"])
    50.0
    """
    share = pd.concat([pd.Series({"requirements": np.nan}), _LATE_PHASES])
    return pd.DataFrame({"days to fix": PHASE_COST, "times the early cost": PHASE_COST / PHASE_COST["requirements"],
                         "share of missed ones found here": share})
