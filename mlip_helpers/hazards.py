"""Hazard analysis computed from a model of the system: unsafe control actions, their causes, and mitigations.

Introduced in ``notebooks/20-safety.ipynb``. The lecture "Safety" (Le Goues & Kaestner, CMU, CC BY 4.0) asks to
"apply hazard analysis to identify risks and requirements". STPA (System-Theoretic Process Analysis) looks at a
controller, here the toaster's model, and at the *control actions* it sends, here a toasting time, and asks in
which states each action is unsafe: provided when it causes a hazard, applied too long, stopped too soon.
:func:`hazard_table` turns such conditions into counts over a simulation of the system, attributes each hazard
to the candidate causes (a state of the system, such as a glitching sensor), and names the cause behind most
occurrences. :func:`mitigation_effect` counts the same hazards for alternative designs, so that a mitigation's
effect is measured rather than asserted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["NOTEBOOK", "STPA_GUIDE_WORDS", "hazard_table", "mitigation_effect"]

NOTEBOOK = "20-safety"

STPA_GUIDE_WORDS = ("not provided when needed", "provided, causing a hazard", "too early or too late",
                    "applied too long", "stopped too soon")
"""The four kinds of unsafe control action in STPA, the last split in two as the lecture's toaster needs it."""

Condition = Callable[[pd.DataFrame, np.ndarray], Any]


def _flags(condition: Condition, frame: pd.DataFrame, commands: np.ndarray, name: str) -> np.ndarray:
    flags = np.asarray(condition(frame, commands), dtype=bool)
    if flags.shape != (len(frame),):
        raise InputError(f"condition {name!r} must return one True/False per row ({len(frame)}), "
                         f"got shape {flags.shape}.", argument=name)
    return flags


def _commands(commands: Any, frame: pd.DataFrame) -> np.ndarray:
    values = np.asarray(commands, dtype=float)
    if values.shape != (len(frame),):
        raise InputError(f"commands must hold one value per row of the system's states ({len(frame)}), "
                         f"got shape {values.shape}.", argument="commands")
    return values


def hazard_table(states: pd.DataFrame, commands: Any, hazards: Mapping[str, Condition],
                 causes: Mapping[str, Callable[[pd.DataFrame], Any]]) -> pd.DataFrame:
    """Count each unsafe control action in a simulation and attribute it to candidate causes.

    Introduced in ``notebooks/20-safety.ipynb``.

    Parameters
    ----------
    states : pandas.DataFrame
        One row per simulated situation (sensor readings and hidden truth, such as the ideal time).
    commands : array
        The controller's action in each situation.
    hazards : mapping
        Name of an unsafe control action to ``condition(states, commands)``, True where it occurs.
    causes : mapping
        Name of a candidate cause to ``condition(states)``, True where the cause is present.

    Returns
    -------
    pandas.DataFrame
        One row per hazard: ``occurrences``, a column per cause (occurrences where that cause is present),
        ``unexplained`` (occurrences where no cause is) and ``main cause`` (the cause present in most
        occurrences; ``"-"`` when the hazard never occurs).

    Examples
    --------
    >>> states = pd.DataFrame({"glitch": [True, False, False], "ideal": [100.0, 100.0, 100.0]})
    >>> table = hazard_table(states, [500.0, 100.0, 300.0], {"too long": lambda s, c: c > 250},
    ...                      {"glitch": lambda s: s["glitch"]})
    >>> [str(value) for value in table.loc["too long"]]
    ['2', '1', '1', 'glitch']
    """
    values = _commands(commands, states)
    if not hazards or not causes:
        raise InputError("name at least one hazard and one candidate cause.", argument="hazards")
    present = {name: np.asarray(test(states), dtype=bool) for name, test in causes.items()}
    rows = {}
    for name, condition in hazards.items():
        occurs = _flags(condition, states, values, name)
        row: dict[str, Any] = {"occurrences": int(occurs.sum())}
        for cause, flags in present.items():
            row[cause] = int((occurs & flags).sum())
        row["unexplained"] = int((occurs & ~np.any(list(present.values()), axis=0)).sum())
        counts = {cause: row[cause] for cause in present}
        row["main cause"] = max(counts, key=counts.get) if row["occurrences"] and max(counts.values()) else "-"
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("unsafe control action")


def mitigation_effect(states: pd.DataFrame, designs: Mapping[str, Any],
                      hazards: Mapping[str, Condition]) -> pd.DataFrame:
    """Occurrences of every hazard under each design of the system, on the same simulated situations.

    Introduced in ``notebooks/20-safety.ipynb``.

    Parameters
    ----------
    states : pandas.DataFrame
        The simulated situations, shared by all designs.
    designs : mapping
        Name of a design to its commands (one per row of ``states``).
    hazards : mapping
        As in :func:`hazard_table`.

    Returns
    -------
    pandas.DataFrame
        Designs as rows, hazards as columns, occurrences as values.

    Examples
    --------
    >>> states = pd.DataFrame({"ideal": [100.0, 100.0]})
    >>> mitigation_effect(states, {"raw": [500.0, 90.0], "capped": [240.0, 90.0]},
    ...                   {"too long": lambda s, c: c > 250}).to_dict()
    {'too long': {'raw': 1, 'capped': 0}}
    """
    if not designs:
        raise InputError("designs is empty; name at least one design and its commands.", argument="designs")
    table = {design: {name: int(_flags(test, states, _commands(commands, states), name).sum())
                      for name, test in hazards.items()}
             for design, commands in designs.items()}
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("design")
