"""A vision model's mistakes at the train doors, logged: HAZOP guide words and mitigations measured on one log.

Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. The lecture "Planning for Mistakes" (Le Goues &
Kaestner, CMU, CC BY 4.0) names HAZOP, whose guide words (NO, MORE, LESS, AS WELL AS, PART OF, REVERSE, OTHER THAN,
EARLY, LATE) are applied to each component's outputs to find deviations, and mitigations such as mistake detection
with an independent checker (doer-checker), graceful degradation and containment. :func:`door_log` simulates door
closings in which the vision model's output deviates at planted rates; :func:`hazop_table` tabulates the deviations
by guide word with their effects, and :func:`mitigations_table` measures each mitigation on the same closings.
All rates are assumptions made for teaching, not measurements of any train.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlip_helpers.errors import InputError

__all__ = ["GUIDE_WORDS", "MITIGATIONS", "NOTEBOOK", "door_log", "hazop_table", "mitigations_table"]

NOTEBOOK = "03-planning-for-mistakes"
"""The lecture that introduces this module."""

GUIDE_WORDS = pd.DataFrame.from_records([
    ("NO", "no output reaches the door controller", "model process crashed", 0.005, "all"),
    ("MORE", "a person reported where there is none", "shadow or poster read as a person", 0.03, "empty"),
    ("LESS", "fewer persons reported than are there", "the model misses a person", 0.02, "person"),
    ("AS WELL AS", "the person and a phantom obstacle reported", "reflection in the door glass", 0.02, "person"),
    ("PART OF", "only part of a person in the doorway, not reported", "an arm or a bag strap", 0.2, "partial"),
    ("REVERSE", "'occupied' read as 'clear'", "inverted flag in the interface", 0.0, "all"),
    ("OTHER THAN", "a person reported as an object", "a child or a wheelchair user read as luggage", 0.01, "person"),
    ("EARLY", "the check ran before a person stepped in", "check too long before closing", 0.01, "person"),
    ("LATE", "the answer arrives after the doors start closing", "overloaded processor", 0.01, "all"),
], columns=["guide word", "deviation", "possible cause", "planted rate", "among"]).set_index("guide word")
"""HAZOP guide words applied to the vision model's output "persons in the doorway", with the planted rate of each
deviation among the closings named in ``among`` (all, empty doorways, a whole person, a partly present person)."""

MITIGATIONS = {"checker_sees_person": 0.97, "checker_sees_part": 0.5, "checker_false_alarm": 0.005,
               "steps_clear_when_slow": 0.95, "serious_full_force": 0.3, "serious_contained": 0.02}
"""Planted behaviour of the mitigations: an independent light beam (the checker) sees a whole or partly present
person, or fires on an empty doorway; a person steps clear of slowly closing doors; a trapping injures seriously with
full-force doors or with force-capped, soft-edged doors (containment)."""

_ORDER = ["NO", "LATE", "PART OF", "LESS", "OTHER THAN", "EARLY", "AS WELL AS", "MORE", "REVERSE"]


def door_log(n_closings: int, *, person_share: float = 0.3, partial_share: float = 0.15, blocked_share: float = 0.02,
             seed: int = 0) -> pd.DataFrame:
    """Simulate door closings, the vision model's deviations by guide word, and what the door controller did.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. A person is in the doorway in ``person_share`` of
    closings (partly in ``partial_share`` of those); the camera's view is blocked in ``blocked_share``, and a
    blocked view hides a present person with chance 0.4 (a LESS deviation). Other deviations follow
    :data:`GUIDE_WORDS`. The controller closes unless the model reports a person; a missing (NO) or late (LATE)
    answer counts as "clear". Columns: ``present``, ``partial``, ``blocked``, ``deviation`` ("" if none), ``closed``,
    ``trapped``, ``held_empty`` (doors held for nobody), and uniform draws used by :func:`mitigations_table`.

    Examples
    --------
    >>> log = door_log(20_000, seed=0)
    >>> by_word = log.groupby("deviation")["trapped"]
    >>> bool(by_word.any()["MORE"]), bool(by_word.all()["LESS"])
    (False, True)
    """
    if n_closings < 1 or not all(0 <= s <= 1 for s in (person_share, partial_share, blocked_share)):
        raise InputError(f"need n_closings >= 1 and shares in [0, 1]; got {n_closings}, {person_share}, "
                         f"{partial_share}, {blocked_share}.", argument="n_closings")
    rng = np.random.default_rng(seed)
    present = rng.random(n_closings) < person_share
    partial = present & (rng.random(n_closings) < partial_share)
    blocked = rng.random(n_closings) < blocked_share
    among = {"all": np.ones(n_closings, bool), "empty": ~present, "person": present & ~partial, "partial": partial}
    deviation = np.full(n_closings, "", dtype=object)
    deviation[blocked & present & ~partial & (rng.random(n_closings) < 0.4)] = "LESS"
    for word in _ORDER:
        rate, group = GUIDE_WORDS.loc[word, ["planted rate", "among"]]
        hit = (deviation == "") & among[group] & (rng.random(n_closings) < rate)
        deviation[hit] = word
    says_clear = ~present | np.isin(deviation, ["NO", "LATE", "PART OF", "LESS", "OTHER THAN", "EARLY", "REVERSE"])
    says_clear &= deviation != "MORE"
    return pd.DataFrame({"present": present, "partial": partial, "blocked": blocked, "deviation": deviation,
                         "closed": says_clear, "trapped": says_clear & present, "held_empty": ~says_clear & ~present,
                         "checker_luck": rng.random(n_closings), "step_luck": rng.random(n_closings),
                         "injury_luck": rng.random(n_closings)})


def hazop_table(log: pd.DataFrame) -> pd.DataFrame:
    """The HAZOP table of :func:`door_log`: per guide word, the deviation, its planted and observed rate, its effects.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. ``observed rate`` is the share of the closings named
    in ``among`` that show the deviation (LESS also counts the misses caused by a blocked view); ``trapped`` and
    ``held empty`` count closings with that deviation in which someone was trapped or the doors were held for nobody.

    Examples
    --------
    >>> table = hazop_table(door_log(50_000, seed=1))
    >>> int(table.loc["REVERSE", "seen"]), table.loc["MORE", "effect"], table.loc["LESS", "effect"]
    (0, 'delay', 'person trapped')
    """
    missing = {"present", "partial", "deviation", "trapped", "held_empty"} - set(log.columns)
    if missing:
        raise InputError(f"log lacks the columns {sorted(missing)}; pass the result of door_log().", argument="log")
    among = {"all": len(log), "empty": int((~log["present"]).sum()),
             "person": int((log["present"] & ~log["partial"]).sum()), "partial": int(log["partial"].sum())}
    table = GUIDE_WORDS.copy()
    grouped = log.groupby("deviation")
    table["seen"] = grouped.size().reindex(table.index, fill_value=0)
    table["observed rate"] = [table.loc[w, "seen"] / max(among[table.loc[w, "among"]], 1) for w in table.index]
    table["trapped"] = grouped["trapped"].sum().reindex(table.index, fill_value=0).astype(int)
    table["held empty"] = grouped["held_empty"].sum().reindex(table.index, fill_value=0).astype(int)
    table["effect"] = np.where(table["trapped"] > 0, "person trapped",
                               np.where(table["held empty"] > 0, "delay", "none seen"))
    return table


def mitigations_table(log: pd.DataFrame, *, per: int = 10_000, behaviour: dict[str, float] | None = None
                      ) -> pd.DataFrame:
    """Trapped passengers, serious injuries and delays per ``per`` closings, without and with each mitigation.

    Introduced in ``notebooks/03-planning-for-mistakes.ipynb``. On the same closings of :func:`door_log`:

    - **doer-checker**: an independent light beam (the checker) may veto the model's "clear"; it sees a whole person
      or part of one with :data:`MITIGATIONS`' chances and sometimes fires on an empty doorway (a delay);
    - **graceful degradation**: when trouble is *detectable* (no answer, a late one, a blocked view) the doors close
      slowly with a chime instead; a person steps clear with a planted chance, and every such closing is a delay;
    - **containment**: force-capped, soft-edged doors; trappings happen as before but rarely injure seriously.

    Examples
    --------
    >>> table = mitigations_table(door_log(100_000, seed=2))
    >>> bool(table.loc["containment", "trapped"] == table.loc["model alone", "trapped"])
    True
    """
    b = {**MITIGATIONS, **(behaviour or {})}
    if "checker_luck" not in log.columns:
        raise InputError("log lacks the mitigation draws; pass the result of door_log().", argument="log")
    present, partial, trapped = log["present"].to_numpy(), log["partial"].to_numpy(), log["trapped"].to_numpy()
    sees = np.where(partial, b["checker_sees_part"], b["checker_sees_person"])
    veto = np.where(present, log["checker_luck"] < sees, log["checker_luck"] < b["checker_false_alarm"])
    detectable = log["blocked"].to_numpy() | np.isin(log["deviation"], ["NO", "LATE"])
    steps_clear = log["step_luck"].to_numpy() < b["steps_clear_when_slow"]
    designs = {"model alone": (trapped, np.zeros(len(log), bool), False),
               "doer-checker": (trapped & ~veto, ~present & veto & log["closed"].to_numpy(), False),
               "graceful degradation": (trapped & ~(detectable & steps_clear), detectable, False),
               "containment": (trapped, np.zeros(len(log), bool), True)}
    designs["all three"] = (trapped & ~veto & ~(detectable & steps_clear),
                            designs["doer-checker"][1] | detectable, True)
    rows = {}
    for name, (caught, extra_delay, contained) in designs.items():
        injury = b["serious_contained" if contained else "serious_full_force"]
        serious = caught & (log["injury_luck"].to_numpy() < injury)
        rows[name] = {"trapped": caught.sum() * per / len(log), "serious injuries": serious.sum() * per / len(log),
                      "delays": (log["held_empty"].to_numpy() | extra_delay).sum() * per / len(log)}
    return pd.DataFrame(rows).T
