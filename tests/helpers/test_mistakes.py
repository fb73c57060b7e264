"""The door-closing log: planted deviation rates recovered, effects that follow from the controller, mitigations."""

from __future__ import annotations

import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.mistakes import GUIDE_WORDS, MITIGATIONS, door_log, hazop_table, mitigations_table


@pytest.fixture(scope="module")
def log():
    return door_log(400_000, seed=5)


def test_hazop_table_has_every_guide_word_and_recovers_planted_rates(log):
    table = hazop_table(log)
    assert list(table.index) == list(GUIDE_WORDS.index)
    for word in ["NO", "MORE", "AS WELL AS", "PART OF", "OTHER THAN", "EARLY", "LATE"]:
        assert table.loc[word, "observed rate"] == pytest.approx(table.loc[word, "planted rate"], rel=0.15), word
    # LESS also holds the misses of a blocked view: 0.02 + 0.02 * 0.4 among whole persons, minus overlaps
    assert 0.02 < table.loc["LESS", "observed rate"] < 0.03
    assert table.loc["REVERSE", "seen"] == 0


def test_effects_follow_from_the_controller(log):
    table = hazop_table(log)
    assert set(table.index[table["effect"] == "person trapped"]) == {"NO", "LESS", "PART OF", "OTHER THAN", "EARLY",
                                                                      "LATE"}
    assert table.loc["MORE", "effect"] == "delay" and table.loc["AS WELL AS", "effect"] == "none seen"
    # NO and LATE trap only where someone is there
    no = log[log["deviation"] == "NO"]
    assert (no["trapped"] == no["present"]).all()


def test_hazop_table_rejects_other_frames():
    with pytest.raises(InputError, match="door_log"):
        hazop_table(door_log(100).drop(columns="trapped"))


def test_door_log_rejects_bad_shares():
    with pytest.raises(InputError):
        door_log(100, person_share=1.5)


def test_mitigations_act_on_likelihood_or_impact(log):
    table = mitigations_table(log)
    alone = table.loc["model alone"]
    assert table.loc["containment", "trapped"] == alone["trapped"]
    assert table.loc["containment", "serious injuries"] == pytest.approx(
        alone["trapped"] * MITIGATIONS["serious_contained"], rel=0.3)
    assert alone["serious injuries"] == pytest.approx(alone["trapped"] * MITIGATIONS["serious_full_force"], rel=0.1)
    assert table.loc["doer-checker", "trapped"] < 0.3 * alone["trapped"]
    assert alone["trapped"] > table.loc["graceful degradation", "trapped"] > table.loc["doer-checker", "trapped"]
    assert table.loc["all three", "trapped"] <= table.loc["doer-checker", "trapped"]
    assert (table["delays"] >= alone["delays"]).all()


def test_a_perfect_checker_removes_every_trapping(log):
    perfect = mitigations_table(log, behaviour={"checker_sees_person": 1.0, "checker_sees_part": 1.0})
    assert perfect.loc["doer-checker", "trapped"] == 0


def test_mitigations_table_needs_the_draws():
    with pytest.raises(InputError, match="door_log"):
        mitigations_table(door_log(100).drop(columns="checker_luck"))
