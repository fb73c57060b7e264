"""Transparency, trust and regulation, computed: reliance that tracks reliability, and obligations met by evidence.

Introduced in ``notebooks/19-transparency-accountability.ipynb``. The lecture "Transparency and Accountability"
(Le Goues & Kaestner, CMU, CC BY 4.0) opens with Eslami et al. (2015): many Facebook users did not know that an
algorithm curated their news feed, and so could not question it. :func:`reliance_simulation` shows what knowing
buys: a user who knows that an algorithm decides can learn how reliable it is and rely on it accordingly; a user
who does not know takes every choice as given. :class:`Obligation` and :func:`compliance_table` check a system's
records against a regulation-like checklist, so that "we are compliant" becomes a table computed from evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "Obligation", "compliance_table", "reliance_simulation"]

NOTEBOOK = "19-transparency-accountability"

NO_EVIDENCE = "no evidence"


def reliance_simulation(reliabilities: Sequence[float], *, n_users: int = 200, n_rounds: int = 40,
                        own_accuracy: float = 0.7, seed: int = 0) -> pd.DataFrame:
    """Reliance on an algorithm, for users who know it decides and users who do not, per reliability.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``. Each user makes ``n_rounds`` choices; the
    algorithm's pick is right with probability ``reliability``, the user's own judgement with ``own_accuracy``.
    An *informed* user knows an algorithm picks, sees after each round whether its pick was right, and accepts
    the next pick when the share of right picks so far (with one imagined right and one wrong pick as a start)
    is at least ``own_accuracy``. An *unaware* user does not know there is a choice to question and accepts
    every pick.

    Returns
    -------
    pandas.DataFrame
        One row per (``reliability``, ``user``): ``reliance`` (share of picks accepted) and ``accuracy`` (share
        of right outcomes).

    Examples
    --------
    >>> table = reliance_simulation([0.4, 0.95], n_users=50, seed=1).set_index(["reliability", "user"])
    >>> bool(table.loc[(0.95, "informed"), "reliance"] > table.loc[(0.4, "informed"), "reliance"])
    True
    >>> float(table.loc[(0.4, "unaware"), "reliance"])
    1.0
    """
    if n_users < 1 or n_rounds < 1:
        raise InputError(f"n_users and n_rounds must be at least 1, got {n_users} and {n_rounds}.",
                         argument="n_users")
    rows = []
    rng = np.random.default_rng(seed)
    for reliability in reliabilities:
        if not 0.0 <= float(reliability) <= 1.0:
            raise InputError(f"every reliability must be between 0 and 1, got {reliability!r}.",
                             argument="reliabilities")
        algorithm_right = rng.random((n_users, n_rounds)) < reliability
        own_right = rng.random((n_users, n_rounds)) < own_accuracy
        seen_right = np.cumsum(algorithm_right, axis=1) - algorithm_right  # right picks seen before this round
        estimate = (seen_right + 1) / (np.arange(n_rounds) + 2)
        accepts = estimate >= own_accuracy
        informed = np.where(accepts, algorithm_right, own_right)
        rows.append({"reliability": float(reliability), "user": "informed", "reliance": float(accepts.mean()),
                     "accuracy": float(informed.mean())})
        rows.append({"reliability": float(reliability), "user": "unaware", "reliance": 1.0,
                     "accuracy": float(algorithm_right.mean())})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Obligation:
    """One duty of a regulation-like checklist, tested against one piece of evidence.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``.

    Examples
    --------
    >>> Obligation("log decisions", "decision_log", lambda log: len(log) > 0).test([1, 2])
    True
    """

    name: str
    """What the system must do, in one line."""
    evidence: str
    """Key of the evidence (in the mapping given to :func:`compliance_table`) the duty is checked against."""
    test: Callable[[Any], bool]
    """Returns True when the evidence shows the duty is met."""
    source: str = "regulation"
    """Who imposes it, e.g. ``"regulation"`` or ``"company pledge"``."""


def compliance_table(obligations: Iterable[Obligation], evidence: Mapping[str, Any]) -> pd.DataFrame:
    """Check every obligation against the system's records: met, not met, or no evidence.

    Introduced in ``notebooks/19-transparency-accountability.ipynb``. An obligation whose evidence is missing
    counts as not met: an auditor cannot accept "we do it, but kept no record".

    Returns
    -------
    pandas.DataFrame
        One row per obligation (index ``obligation``) with ``source``, ``evidence`` and ``status`` (``"met"``,
        ``"not met"`` or ``"no evidence"``), and a boolean ``met``.

    Examples
    --------
    >>> duties = [Obligation("log decisions", "log", lambda log: len(log) > 0),
    ...           Obligation("review appeals", "appeals", lambda a: all(a))]
    >>> compliance_table(duties, {"log": [1]})["status"].tolist()
    ['met', 'no evidence']
    """
    rows = []
    for duty in obligations:
        if not isinstance(duty, Obligation):
            raise InputError(f"compliance_table needs Obligation objects, got {type(duty).__name__}.",
                             argument="obligations")
        if duty.evidence not in evidence:
            status = NO_EVIDENCE
        else:
            status = "met" if bool(duty.test(evidence[duty.evidence])) else "not met"
        rows.append({"obligation": duty.name, "source": duty.source, "evidence": duty.evidence, "status": status,
                     "met": status == "met"})
    if not rows:
        raise InputError("obligations is empty; a checklist needs at least one obligation.", argument="obligations")
    return pd.DataFrame(rows).set_index("obligation")
