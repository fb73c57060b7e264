"""Hidden notebook state, dead code, file flows, undeclared consumers, ML share: small codebases with known answers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from mlip_helpers.debt import dead_code, file_flows, ml_share, plot_dataflow, run_cells, undeclared_consumers
from mlip_helpers.errors import InputError


def test_run_cells_keeps_state_between_cells_like_a_kernel():
    cells = ["total = 0", "total = total + step", "step = 5"]
    assert run_cells(cells, [0, 2, 1], {})["total"] == 5
    assert run_cells(cells, [0, 2, 1, 1, 1])["total"] == 15
    namespace = {"step": 1}
    assert run_cells(cells, [0, 1], namespace) is namespace and namespace["total"] == 1
    with pytest.raises(NameError):
        run_cells(cells, [1])
    with pytest.raises(InputError, match="no cell 3"):
        run_cells(cells, [3])


CODE = {
    "a.py": """FLAG = False
ON = True

def used():
    return helper()

def helper():
    return 1

def only_in_dead_branch():
    return deeper()

def deeper():
    return 2

def unused():
    return 3

def callback():
    return 4

if FLAG:
    only_in_dead_branch()
else:
    used()
if ON:
    run(callback)
if False:
    unused_too()
""",
    "b.py": """from a import used

def unused_too():
    if 0:
        return used()
    return None
""",
}


def test_dead_code_follows_calls_references_and_flags():
    table = dead_code(CODE)
    dead_functions = table[table["kind"] == "function never runs"].set_index("name")
    assert sorted(dead_functions.index) == ["deeper", "only_in_dead_branch", "unused", "unused_too"]
    assert dead_functions.loc["unused", "reason"] == "never used"
    assert dead_functions.loc["deeper", "reason"] == "used only by code that never runs"
    assert dead_functions.loc["unused_too", "module"] == "b.py"
    branches = table[table["kind"] == "branch never taken"]
    assert sorted(zip(branches["module"], branches["line"])) == [("a.py", 22), ("a.py", 28)]
    assert "FLAG is always False" in set(branches["reason"])


def test_dead_code_of_clean_code_is_empty_and_bad_code_is_reported():
    assert dead_code({"m.py": "def f():\n    return 1\n\nprint(f())\n"}).empty
    with pytest.raises(InputError, match="m.py does not parse"):
        dead_code({"m.py": "def f(:\n"})


FLOWS = {
    "ingest.py": "import pandas as pd\npd.read_csv('raw.csv').to_csv('clean.csv', index=False)\n",
    "train.py": "import pandas as pd\nm = fit(pd.read_csv('clean.csv'))\npd.to_pickle(m, 'model.pkl')\nprint('done')\n",
    "serve.py": "import pandas as pd\nmodel = pd.read_pickle('model.pkl')\nname = 'x.csv'\npd.read_csv(name)\n",
    "report.py": "import pandas as pd\npd.read_csv('clean.csv')\npd.read_pickle('model.pkl')\n",
}


def test_file_flows_reads_and_writes_with_literal_paths():
    flows = file_flows(FLOWS)
    assert flows.values.tolist() == [
        ["ingest.py", 2, "raw.csv", "read"], ["ingest.py", 2, "clean.csv", "write"],
        ["report.py", 2, "clean.csv", "read"], ["report.py", 3, "model.pkl", "read"],
        ["serve.py", 2, "model.pkl", "read"],  # a path in a variable is not seen: a limit of static analysis
        ["train.py", 2, "clean.csv", "read"], ["train.py", 3, "model.pkl", "write"],
    ]


def test_undeclared_consumers_are_reads_missing_from_the_interface():
    flows = file_flows(FLOWS)
    found = undeclared_consumers(flows, {"raw.csv": ["ingest.py"], "clean.csv": ["train.py"],
                                         "model.pkl": ("serve.py",)})
    assert list(zip(found["module"], found["file"])) == [("report.py", "clean.csv"), ("report.py", "model.pkl")]
    assert len(undeclared_consumers(flows, {})) == 5


def test_ml_share_counts_statements_that_use_the_library():
    code = ("import json\nimport sklearn.linear_model as lm\nfrom sklearn.tree import DecisionTreeClassifier as T\n"
            "def fit(x, y):\n    rows = json.loads(x)\n    return T().fit(rows, y)\nmodel = lm.Ridge()\n")
    table = ml_share({"m.py": code, "empty.py": ""})
    assert table.loc["m.py"].to_dict() == {"statements": 6, "ml_statements": 4, "ml_share": pytest.approx(4 / 6)}
    assert table.loc["empty.py", "statements"] == 0 and table.loc["empty.py", "ml_share"] == 0
    assert ml_share({"m.py": code}, library="json").loc["m.py", "ml_statements"] == 2


def test_plot_dataflow_draws_every_node_and_colours_highlighted_reads():
    flows = file_flows(FLOWS)
    highlight = undeclared_consumers(flows, {"raw.csv": ["ingest.py"], "clean.csv": ["train.py"],
                                             "model.pkl": ["serve.py"]})
    ax = plot_dataflow(flows, highlight=highlight)
    labels = {t.get_text() for t in ax.texts if t.get_text()}  # arrows are empty texts
    assert labels == {"raw.csv", "clean.csv", "model.pkl", "ingest.py", "train.py", "serve.py", "report.py"}
    colours = [a.arrow_patch.get_edgecolor() for a in ax.texts if hasattr(a, "arrow_patch") and a.arrow_patch]
    red = matplotlib.colors.to_rgba("tab:red")
    assert len(colours) == 7 and sum(c == red for c in colours) == 2
    plt.close(ax.figure)
