"""Hazard analysis over a simulation: causes attributed, mitigations measured, wrong calls refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.hazards import STPA_GUIDE_WORDS, hazard_table, mitigation_effect

HAZARDS = {"too long": lambda s, c: c > 240, "too short": lambda s, c: c < 0.8 * s["ideal"]}
CAUSES = {"glitch": lambda s: s["glitch"], "frozen": lambda s: s["frozen"]}


def _states():
    return pd.DataFrame({"ideal": [100.0, 100.0, 200.0, 200.0, 100.0],
                         "glitch": [True, True, False, False, False],
                         "frozen": [False, False, True, True, False]})


def test_hazard_table_counts_occurrences_and_names_the_planted_cause():
    table = hazard_table(_states(), [900.0, 500.0, 120.0, 150.0, 300.0], HAZARDS, CAUSES)
    assert table.loc["too long", "occurrences"] == 3
    assert table.loc["too long", "glitch"] == 2 and table.loc["too long", "unexplained"] == 1
    assert table.loc["too long", "main cause"] == "glitch"
    assert table.loc["too short", "occurrences"] == 2 and table.loc["too short", "main cause"] == "frozen"


def test_a_hazard_that_never_occurs_has_no_main_cause():
    table = hazard_table(_states(), [100.0] * 5, {"too long": HAZARDS["too long"]}, CAUSES)
    assert table.loc["too long", "occurrences"] == 0 and table.loc["too long", "main cause"] == "-"


def test_mitigation_effect_measures_each_design_on_the_same_states():
    commands = np.array([900.0, 500.0, 120.0, 150.0, 100.0])
    table = mitigation_effect(_states(), {"raw": commands, "capped": np.minimum(commands, 240.0)}, HAZARDS)
    assert table.loc["raw", "too long"] == 2 and table.loc["capped", "too long"] == 0
    assert table.loc["capped", "too short"] == table.loc["raw", "too short"] == 2


def test_wrong_calls_raise_input_errors():
    with pytest.raises(InputError, match="one value per row"):
        hazard_table(_states(), [1.0, 2.0], HAZARDS, CAUSES)
    with pytest.raises(InputError, match="one True/False per row"):
        hazard_table(_states(), [1.0] * 5, {"bad": lambda s, c: True}, CAUSES)
    with pytest.raises(InputError, match="designs is empty"):
        mitigation_effect(_states(), {}, HAZARDS)
    assert len(STPA_GUIDE_WORDS) == 5
