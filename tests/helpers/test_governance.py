"""Reliance that tracks reliability for informed users, and obligations checked against evidence."""

from __future__ import annotations

import numpy as np
import pytest

from mlip_helpers.errors import InputError
from mlip_helpers.governance import NO_EVIDENCE, Obligation, compliance_table, reliance_simulation


def test_informed_reliance_tracks_reliability_and_unaware_users_always_follow():
    table = reliance_simulation([0.4, 0.6, 0.8, 0.95], n_users=300, n_rounds=40, own_accuracy=0.7, seed=0)
    informed = table[table["user"] == "informed"].set_index("reliability")
    unaware = table[table["user"] == "unaware"].set_index("reliability")
    assert np.all(np.diff(informed["reliance"].to_numpy()) > 0)
    assert (unaware["reliance"] == 1.0).all()
    assert informed.loc[0.4, "accuracy"] == pytest.approx(0.7, abs=0.05)  # falls back on own judgement
    assert unaware.loc[0.4, "accuracy"] == pytest.approx(0.4, abs=0.02)  # the planted reliability
    assert informed.loc[0.95, "reliance"] > 0.9


def test_reliance_simulation_rejects_impossible_reliabilities_and_sizes():
    with pytest.raises(InputError, match="between 0 and 1"):
        reliance_simulation([1.2])
    with pytest.raises(InputError, match="at least 1"):
        reliance_simulation([0.5], n_users=0)


def test_compliance_table_reports_met_not_met_and_missing_evidence():
    duties = [Obligation("log", "log", lambda log: len(log) > 0, "pledge"),
              Obligation("monitor", "rate", lambda rate: rate >= 0.7),
              Obligation("assess", "assessment", lambda report: True)]
    table = compliance_table(duties, {"log": [1, 2], "rate": 0.65})
    assert table["status"].tolist() == ["met", "not met", NO_EVIDENCE]
    assert table["met"].tolist() == [True, False, False]
    assert table.loc["log", "source"] == "pledge" and table.loc["monitor", "source"] == "regulation"


def test_compliance_table_needs_obligations():
    with pytest.raises(InputError, match="empty"):
        compliance_table([], {})
    with pytest.raises(InputError, match="Obligation objects"):
        compliance_table(["log decisions"], {})
