"""Equality against equity, and the legal tests a decision must pass: the four-fifths rule and protected inputs.

Introduced in ``notebooks/16-measuring-fairness.ipynb``, beside :mod:`mlip_helpers.fairness`. Equal *treatment*
applies one threshold to everybody; equal *outcomes* (equity) picks a threshold per group so that every group is
selected at the same rate. The US "four-fifths rule" of the Equal Employment Opportunity Commission flags
*disparate impact* when a group's selection rate is below 80% of the most selected group's; and US credit law (the
Equal Credit Opportunity Act) lists characteristics a lender may not use to decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["ECOA_PROTECTED", "FOUR_FIFTHS", "equality_vs_equity", "four_fifths", "protected_inputs"]

FOUR_FIFTHS = 0.8
"""Smallest ratio of a group's selection rate to the highest group's that the four-fifths rule accepts."""

ECOA_PROTECTED = ("race", "color", "religion", "national origin", "sex", "marital status", "age",
                  "receipt of public assistance")
"""Characteristics on which the US Equal Credit Opportunity Act forbids a lender to discriminate."""


def _arrays(*arrays, names: Sequence[str]) -> list[np.ndarray]:
    out = [np.asarray(a) for a in arrays]
    if len({len(a) for a in out}) != 1 or not len(out[0]):
        raise InputError(f"{', '.join(names)} need the same non-zero length, got {[len(a) for a in out]}.",
                         argument=names[-1])
    return out


def four_fifths(decisions, groups) -> pd.DataFrame:
    """Selection rate of each group, its ratio to the highest rate, and whether it passes the four-fifths rule.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. ``decisions`` are 0/1 (1 = selected, e.g. approved).

    Examples
    --------
    >>> table = four_fifths([1, 1, 1, 0, 1, 0, 0, 0], ["A", "A", "A", "A", "B", "B", "B", "B"])
    >>> table.to_dict("index")
    {'A': {'selection_rate': 0.75, 'impact_ratio': 1.0, 'passes': True}, 'B': {'selection_rate': 0.25, \
'impact_ratio': 0.3333333333333333, 'passes': False}}
    """
    decisions, groups = _arrays(decisions, groups, names=["decisions", "groups"])
    if not set(np.unique(decisions).tolist()) <= {0, 1}:
        raise InputError("decisions must be 0 (not selected) or 1 (selected).", argument="decisions")
    rates = pd.Series(decisions.astype(float)).groupby(groups).mean()
    if rates.max() == 0:
        raise InputError("nobody is selected, so no group's rate can be compared.", argument="decisions")
    ratio = rates / rates.max()
    return pd.DataFrame({"selection_rate": rates, "impact_ratio": ratio, "passes": ratio >= FOUR_FIFTHS})


def equality_vs_equity(scores, y_true, groups, *, threshold: float = 0.5) -> pd.DataFrame:
    """One threshold for all (equal treatment) against one per group with equal selection rates (equal outcomes).

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. *Equality* selects everybody whose score exceeds
    ``threshold``. *Equity* gives every group the selection rate that equality gives the whole population, by
    choosing each group's threshold at the matching quantile of its scores. For each policy and group the table
    shows the threshold, the selection rate, the true and false positive rates against ``y_true`` and the accuracy.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> group = np.repeat(["A", "B"], 500)
    >>> label = (rng.random(1000) < np.where(group == "A", 0.6, 0.3)).astype(int)
    >>> score = 1 / (1 + np.exp(-(2 * label - 1 + rng.normal(size=1000))))
    >>> table = equality_vs_equity(score, label, group)
    >>> table.loc["equality", "threshold"].tolist()
    [0.5, 0.5]
    >>> rates = table.loc["equity", "selection_rate"]
    >>> bool(abs(rates["A"] - rates["B"]) < 0.01), bool(table.loc[("equity", "B"), "threshold"] < 0.5)
    (True, True)
    """
    scores, y_true, groups = _arrays(scores, y_true, groups, names=["scores", "y_true", "groups"])
    if not 0 < threshold < 1:
        raise InputError(f"threshold must be between 0 and 1, got {threshold!r}.", argument="threshold")
    target = float((scores > threshold).mean())
    cutoffs = {"equality": {g: threshold for g in np.unique(groups)},
               "equity": {g: float(np.quantile(scores[groups == g], 1 - target)) for g in np.unique(groups)}}
    rows = {}
    for policy, cut in cutoffs.items():
        for g, t in cut.items():
            mine = groups == g
            chosen, label = scores[mine] > t, y_true[mine] == 1
            rows[(policy, g)] = {"threshold": t, "selection_rate": chosen.mean(),
                                 "tpr": chosen[label].mean() if label.any() else np.nan,
                                 "fpr": chosen[~label].mean() if (~label).any() else np.nan,
                                 "accuracy": (chosen == label).mean()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(["policy", "group"])


def protected_inputs(columns: Sequence[str], classes: Mapping[str, str],
                     protected: Sequence[str] = ECOA_PROTECTED) -> pd.DataFrame:
    """Which of a model's input columns are protected characteristics the law forbids it to use.

    Introduced in ``notebooks/16-measuring-fairness.ipynb``. ``classes`` says which characteristic a column
    records (``{"afam": "race"}``); a column it does not name records none. Each input gets its characteristic and
    ``may_use``: False when the characteristic is in ``protected``.

    Examples
    --------
    >>> table = protected_inputs(["income", "afam", "single"], {"afam": "race", "single": "marital status"})
    >>> table["may_use"].to_dict()
    {'income': True, 'afam': False, 'single': False}
    """
    unknown = sorted(set(classes) - set(columns))
    if unknown:
        raise InputError(f"classes names columns that are not inputs: {unknown}.", argument="classes")
    table = pd.DataFrame({"characteristic": [classes.get(c, "") for c in columns]},
                         index=pd.Index(list(columns), name="input"))
    table["may_use"] = ~table["characteristic"].isin(list(protected))
    return table
