"""Process models simulated in rework, and the technical-debt quadrant computed from a record of findings.

Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. The lecture ("Process and Technical Debt", Le Goues
& Kaestner, CMU, CC BY 4.0) contrasts waterfall, spiral and agile processes, model-first and product-first
projects, and places debts in Fowler's quadrant. :func:`simulate_process` and :func:`simulate_model_first` are
small simulations whose assumptions are stated in their docstrings; :func:`classify_debt` applies written rules
to evidence recorded about each debt, so the quadrant is computed, not asserted.

>>> simulate_process("agile", n_projects=3, seed=0)["process"].unique().tolist()
['agile']
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["HOUSE_PRICE_DEBTS", "PROCESSES", "classify_debt", "debt_quadrant", "simulate_model_first",
           "simulate_process"]

PROCESSES = ("waterfall", "spiral", "agile")


def simulate_process(process: str, *, n_projects: int = 400, items: int = 12, uncertainty: float = 0.3,
                     seed: int = 0) -> pd.DataFrame:
    """Effort of ``n_projects`` projects run under ``process``; one row per project.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. Stated assumptions: a project has ``items``
    work items of one unit each; item *i* carries a risk drawn uniformly from 0 to twice ``uncertainty`` (capped
    at 1), the chance that its requirement was misunderstood. A misunderstanding found ``d`` units of work after
    the item was built costs ``1 + 0.25 d`` units of rework (the item and what was built on it). *Waterfall*
    builds everything, then tests with the customer: ``d`` is the work left after the item. *Spiral* first
    prototypes the riskiest third at 0.3 units each, which finds their misunderstandings for 0.3 units, and
    builds the rest as waterfall does. *Agile* reviews with the customer after every sprint of two items
    (0.2 units of overhead per sprint), so ``d`` is at most one item. Columns: ``process``, ``overhead``,
    ``rework``, ``effort`` (items + overhead + rework).

    >>> calm = simulate_process("waterfall", n_projects=2, uncertainty=0.0)
    >>> calm["effort"].tolist()
    [12.0, 12.0]
    """
    if process not in PROCESSES:
        raise InputError(f"unknown process {process!r}; choose one of {PROCESSES}.", argument="process")
    if n_projects < 1 or items < 2:
        raise InputError("n_projects must be at least 1 and items at least 2.", argument="n_projects")
    rng = np.random.default_rng(seed)
    risk = np.minimum(rng.uniform(0, 2 * uncertainty, (n_projects, items)), 1.0)
    wrong = rng.random((n_projects, items)) < risk
    left_after = np.arange(items - 1, -1, -1, dtype=float)  # work built after each item, in build order
    if process == "waterfall":
        overhead = np.zeros(n_projects)
        rework = (wrong * (1 + 0.25 * left_after)).sum(axis=1)
    elif process == "spiral":
        risky = np.argsort(-risk, axis=1)[:, : items // 3]
        prototyped = np.zeros_like(wrong)
        np.put_along_axis(prototyped, risky, True, axis=1)
        overhead = np.full(n_projects, 0.3 * (items // 3))
        rework = (wrong & prototyped).sum(axis=1) * 0.3 + ((wrong & ~prototyped) * (1 + 0.25 * left_after)).sum(axis=1)
    else:
        sprints = int(np.ceil(items / 2))
        overhead = np.full(n_projects, 0.2 * sprints)
        within = np.tile([1.0, 0.0], sprints)[:items]  # the first item of a sprint has one item built after it
        rework = (wrong * (1 + 0.25 * within)).sum(axis=1)
    return pd.DataFrame({"process": process, "overhead": overhead, "rework": rework,
                         "effort": items + overhead + rework})


def simulate_model_first(order: str, *, n_projects: int = 400, decisions: int = 6, guess_right: float = 0.5,
                         change_rate: float = 0.1, seed: int = 0) -> pd.DataFrame:
    """Rework and time to the first demo of projects that build the model before or after the product's needs.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. Stated assumptions: the model embodies
    ``decisions`` choices the product constrains (inputs available when predicting, output form, latency, update
    cadence, cost of each error, explanations), each worth one unit of model work. *Model first* (``order=
    "model first"``) makes them before the needs are known; each guess is right with probability ``guess_right``
    and a wrong one, found at integration, costs 3 units (rebuild, retest, re-integrate). *Product first*
    (``"product first"``) spends 2 units eliciting the needs; a choice is then wrong only if the need changes
    later (probability ``change_rate``), also at 3 units. The first demo comes after the model work, plus the
    elicitation for product first. Columns: ``order``, ``wrong_choices``, ``rework``, ``first_demo``, ``effort``.

    >>> simulate_model_first("product first", n_projects=2, change_rate=0.0)["rework"].tolist()
    [0.0, 0.0]
    """
    orders = ("model first", "product first")
    if order not in orders:
        raise InputError(f"unknown order {order!r}; choose one of {orders}.", argument="order")
    if n_projects < 1 or decisions < 1:
        raise InputError("n_projects and decisions must be at least 1.", argument="n_projects")
    rng = np.random.default_rng(seed)
    p_wrong = 1 - guess_right if order == "model first" else change_rate
    wrong = rng.binomial(decisions, p_wrong, n_projects)
    upfront = 0.0 if order == "model first" else 2.0
    return pd.DataFrame({"order": order, "wrong_choices": wrong, "rework": 3.0 * wrong,
                         "first_demo": upfront + decisions, "effort": upfront + decisions + 3.0 * wrong})


HOUSE_PRICE_DEBTS: tuple[Mapping[str, object], ...] = (
    {"debt": "USE_SATELLITE flag left off", "when_taken": "comment: 'switched off for the demo'", "ticket": "",
     "review": "", "interest_hours": 6},
    {"debt": "features_v2.py bolted on", "when_taken": "commit: 'v2 for the demo, merge into features.py after launch'",
     "ticket": "HP-17, owner Sam, sprint 5", "review": "", "interest_hours": 3},
    {"debt": "notebook cell that can run twice", "when_taken": "", "ticket": "", "review": "", "interest_hours": 8},
    {"debt": "report reads intermediate features", "when_taken": "", "ticket": "",
     "review": "passed review against the team's checklist", "interest_hours": 2},
    {"debt": "school_score left in the code", "when_taken": "comment: 'tried in April, no gain'", "ticket": "",
     "review": "", "interest_hours": 4},
    {"debt": "JSON glue in train.py", "when_taken": "", "ticket": "",
     "review": "passed review against the team's checklist", "interest_hours": 2},
    {"debt": "greenness placeholder returns zeros", "when_taken": "comment: 'placeholder for an image model'",
     "ticket": "HP-9, owner Ana, next quarter", "review": "", "interest_hours": 1},
    {"debt": "no validation of listings.csv", "when_taken": "", "ticket": "", "review": "", "interest_hours": 9},
    {"debt": "model.pkl without data checksum", "when_taken": "commit: 'registry after launch'",
     "ticket": "HP-21, owner Sam, sprint 6", "review": "", "interest_hours": 2},
)
"""The housing team's record of debts in ``notebooks/14-process-and-technical-debt.ipynb``: what was written when
each was taken on, the repayment ticket, the review it passed, and the hours of interest paid per month since."""


def classify_debt(findings: Sequence[Mapping[str, object]] | pd.DataFrame) -> pd.DataFrame:
    """Place each debt in Fowler's quadrant by rules applied to its recorded evidence.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. Rules: a debt is *deliberate* when something
    was written down when it was taken on (``when_taken``: a comment, a commit message, a decision record), else
    *inadvertent*. A deliberate debt is *prudent* when a repayment ticket with an owner exists (``ticket``); an
    inadvertent one is prudent when the work passed a review against the team's practices (``review``), so the
    better design could only be learned later; otherwise *reckless*. Adds ``deliberate``, ``prudent`` and
    ``quadrant``.

    >>> classify_debt([{"debt": "flag", "when_taken": "TODO", "ticket": "", "review": ""}])["quadrant"].tolist()
    ['deliberate, reckless']
    """
    table = pd.DataFrame(findings).copy()
    missing = [c for c in ("debt", "when_taken", "ticket", "review") if c not in table.columns]
    if missing:
        raise InputError(f"the findings lack the evidence columns {missing}.", argument="findings")
    evidence = table[["when_taken", "ticket", "review"]].fillna("").astype(str).apply(lambda c: c.str.strip() != "")
    table["deliberate"] = evidence["when_taken"]
    table["prudent"] = np.where(table["deliberate"], evidence["ticket"], evidence["review"])
    table["quadrant"] = [f"{'deliberate' if d else 'inadvertent'}, {'prudent' if p else 'reckless'}"
                         for d, p in zip(table["deliberate"], table["prudent"])]
    return table


def debt_quadrant(classified: pd.DataFrame, value: str | None = None) -> pd.DataFrame:
    """The quadrant as a 2 x 2 table: count of debts, or the sum of ``value`` (e.g. hours of interest).

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. Rows deliberate / inadvertent, columns
    reckless / prudent, as Fowler draws it.

    >>> table = classify_debt([{"debt": "a", "when_taken": "x", "ticket": "T-1", "review": ""}])
    >>> int(debt_quadrant(table).loc["deliberate", "prudent"])
    1
    """
    if "quadrant" not in classified.columns:
        raise InputError("pass the result of classify_debt.", argument="classified")
    rows = np.where(classified["deliberate"], "deliberate", "inadvertent")
    columns = np.where(classified["prudent"], "prudent", "reckless")
    values = classified[value] if value is not None else pd.Series(1, index=classified.index)
    table = pd.crosstab(rows, columns, values=values, aggfunc="sum").fillna(0)
    table = table.reindex(index=["deliberate", "inadvertent"], columns=["reckless", "prudent"], fill_value=0)
    return table.rename_axis(index=None, columns=None)
