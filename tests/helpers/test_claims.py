"""A lecture's claim: printed with a tick when it holds; a false one stops the run, or is recorded in a sweep."""
import pytest

from mlip_helpers.claims import FALSE_MARK, ClaimError, claim


def test_a_true_claim_prints_its_sentence_with_the_numbers(capsys):
    claim(0.8 > 0.5, "AUC {auc:.2f} beats a coin flip", auc=0.8)
    assert capsys.readouterr().out == "\u2714 AUC 0.80 beats a coin flip\n"


def test_a_false_claim_stops_the_run_and_quotes_the_sentence(monkeypatch, capsys):
    monkeypatch.delenv("MLIP_CLAIMS", raising=False)
    with pytest.raises(ClaimError, match=r"AUC 0\.40 beats a coin flip.*seed and n_samples"):
        claim(0.4 > 0.5, "AUC {auc:.2f} beats a coin flip", auc=0.4)
    assert capsys.readouterr().out == ""


def test_record_mode_prints_a_false_claim_and_goes_on(monkeypatch, capsys):
    monkeypatch.setenv("MLIP_CLAIMS", "record")
    claim(0.4 > 0.5, "AUC {auc:.2f} beats a coin flip", auc=0.4)
    claim(True, "the next claim still runs")
    assert capsys.readouterr().out.splitlines() == [f"{FALSE_MARK} AUC 0.40 beats a coin flip",
                                                    "\u2714 the next claim still runs"]


def test_any_other_value_of_the_variable_still_raises(monkeypatch):
    monkeypatch.setenv("MLIP_CLAIMS", "1")
    with pytest.raises(ClaimError):
        claim(False, "never")
