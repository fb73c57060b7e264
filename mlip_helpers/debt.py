"""Finding technical debt of ML systems in code: hidden notebook state, dead paths, data flows, glue.

Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. The lecture
"Process and Technical Debt" (Le Goues & Kaestner, CMU, CC BY 4.0) follows
Sculley et al., "Hidden technical debt in machine learning systems" (NeurIPS
2015): glue code, pipeline jungles, dead experimental code paths and
undeclared consumers. The analyses here read source code with :mod:`ast`,
without running it, so they work on any small codebase given as
``{file name: source}``.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mlip_helpers.checker import Case, Exercise
from mlip_helpers.errors import InputError

__all__ = ["HOUSE_PRICE_CODEBASE", "NOTEBOOK", "dead_code", "dead_functions_exercise", "debt_quadrant_exercise",
           "file_flows", "is_idempotent_exercise", "is_idempotent_solution", "lecture_exercises", "ml_share",
           "plot_dataflow", "run_cells", "same_state", "undeclared_consumers"]

READERS = {"read_csv", "read_pickle", "read_json", "read_parquet", "read_table", "read_excel"}
WRITERS = {"to_csv", "to_pickle", "to_json", "to_parquet", "to_excel"}


def run_cells(cells: Sequence[str], order: Iterable[int], namespace: dict | None = None) -> dict:
    """Run notebook cells, given as source strings, in ``order`` in one namespace, as a kernel does.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. The
    namespace survives between cells, so the result can depend on which cells
    ran, how often and in which order: hidden state.

    Examples
    --------
    >>> cells = ["x = 1", "x = x * 10"]
    >>> run_cells(cells, [0, 1])["x"], run_cells(cells, [0, 1, 1])["x"]
    (10, 100)
    """
    namespace = {} if namespace is None else namespace
    for index in order:
        if not 0 <= index < len(cells):
            raise InputError(f"there is no cell {index}; cells are numbered 0 to {len(cells) - 1}.", argument="order")
        exec(compile(cells[index], f"<cell {index}>", "exec"), namespace)  # noqa: S102 - the author's own cells
    return namespace


def _parse(sources: Mapping[str, str]) -> dict[str, ast.Module]:
    trees = {}
    for name, source in sources.items():
        try:
            trees[name] = ast.parse(source, filename=name)
        except SyntaxError as error:
            raise InputError(f"{name} does not parse: {error.msg} (line {error.lineno}).", argument="sources") from None
    return trees


def _flags(tree: ast.Module) -> dict[str, Any]:
    """Module-level constants: ``USE_X = False``."""
    return {node.targets[0].id: node.value.value for node in tree.body
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)}


def _never_true(test: ast.expr, flags: Mapping[str, Any]) -> str | None:
    if isinstance(test, ast.Constant) and not test.value:
        return f"the condition is always {test.value!r}"
    if isinstance(test, ast.Name) and test.id in flags and not flags[test.id]:
        return f"{test.id} is always {flags[test.id]!r}"
    return None


def _live_names(nodes: Iterable[ast.AST], flags: Mapping[str, Any], dead: list) -> set[str]:
    """Names used by ``nodes``, skipping function bodies and branches that can never run."""
    used: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.If) and (why := _never_true(node.test, flags)):
            dead.append((node, why))
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        stack.extend(ast.iter_child_nodes(node))
    return used


def dead_code(sources: Mapping[str, str]) -> pd.DataFrame:
    """Functions that never run and branches that are never taken, found without running anything.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. Code runs
    if module-level code reaches it through calls or references; a branch
    never runs if its condition is a false constant or a module-level flag set
    to a false constant. A function used only inside dead code is dead too.

    Examples
    --------
    >>> code = "USE_B = False\\ndef a(): pass\\ndef b(): pass\\ndef c(): b()\\na()\\nif USE_B:\\n    c()"
    >>> dead_code({"m.py": code})[["kind", "name"]].values.tolist()
    [['branch never taken', 'USE_B'], ['function never runs', 'b'], ['function never runs', 'c']]
    """
    trees = _parse(sources)
    functions = {node.name: (module, node) for module, tree in trees.items() for node in tree.body
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    dead_branches: list = []
    flags = {module: _flags(tree) for module, tree in trees.items()}
    reached = set().union(*(_live_names(tree.body, flags[m], dead_branches) for m, tree in trees.items()))
    ever_named = {n.id for tree in trees.values() for n in ast.walk(tree) if isinstance(n, ast.Name)}
    todo = [name for name in reached if name in functions]
    live = set(todo)
    while todo:
        module, node = functions[todo.pop()]
        for name in _live_names(node.body, flags[module], dead_branches) & functions.keys() - live:
            live.add(name)
            todo.append(name)
    owner = {id(n): m for m, tree in trees.items() for n in ast.walk(tree)}
    rows = [{"module": owner[id(node)], "line": node.lineno, "kind": "branch never taken",
             "name": getattr(node.test, "id", ast.unparse(node.test)), "reason": why} for node, why in dead_branches]
    rows += [{"module": module, "line": node.lineno, "kind": "function never runs", "name": name,
              "reason": "used only by code that never runs" if name in ever_named else "never used"}
             for name, (module, node) in functions.items() if name not in live]
    table = pd.DataFrame(rows, columns=["module", "line", "kind", "name", "reason"])
    return table.drop_duplicates(["module", "line"]).sort_values(["kind", "module", "line"]).reset_index(drop=True)


def file_flows(sources: Mapping[str, str]) -> pd.DataFrame:
    """Which module reads and writes which file, from calls such as ``pd.read_csv("x.csv")`` and ``.to_csv``.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. The file
    is the first string literal among the call's positional arguments.

    Examples
    --------
    >>> file_flows({"a.py": "import pandas as pd\\npd.read_csv('in.csv').to_csv('out.csv')"}).values.tolist()
    [['a.py', 2, 'in.csv', 'read'], ['a.py', 2, 'out.csv', 'write']]
    """
    rows = []
    for module, tree in _parse(sources).items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            mode = "read" if name in READERS else "write" if name in WRITERS else None
            paths = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if mode and paths:
                rows.append({"module": module, "line": node.lineno, "file": paths[0], "mode": mode})
    table = pd.DataFrame(rows, columns=["module", "line", "file", "mode"])
    return table.sort_values(["module", "line", "mode"]).reset_index(drop=True)


def undeclared_consumers(flows: pd.DataFrame, declared: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """Reads of a file by a module that the file's documented interface does not list as a consumer.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``.
    ``declared`` maps each file to the modules allowed to read it; a file it
    does not mention has no declared consumers.

    Examples
    --------
    >>> flows = pd.DataFrame({"module": ["site.py", "ads.py"], "line": [3, 9], "file": ["out.csv", "out.csv"],
    ...                       "mode": ["read", "read"]})
    >>> undeclared_consumers(flows, {"out.csv": ["site.py"]})["module"].tolist()
    ['ads.py']
    """
    allowed = {file: set(modules) for file, modules in declared.items()}
    reads = flows[flows["mode"] == "read"]
    mask = [module not in allowed.get(file, set()) for module, file in zip(reads["module"], reads["file"])]
    return reads[mask].reset_index(drop=True)


def ml_share(sources: Mapping[str, str], library: str = "sklearn") -> pd.DataFrame:
    """Per module: simple statements, and how many of them use names imported from ``library``.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``: a rough
    measure of how little of an ML system is machine-learning code, the rest
    being glue, configuration and data plumbing.

    Examples
    --------
    >>> code = "from sklearn.linear_model import Ridge\\nimport json\\nm = Ridge()\\nx = json.dumps(1)"
    >>> ml_share({"t.py": code})
          statements  ml_statements  ml_share
    t.py           4              2       0.5
    """
    rows = {}
    for module, tree in _parse(sources).items():
        ml_names, imports = set(), []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == library:
                ml_names |= {alias.asname or alias.name for alias in node.names}
                imports.append(node)
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == library for a in node.names):
                ml_names |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.split(".")[0] == library}
                imports.append(node)
        statements = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)
                      and not isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.If, ast.For, ast.While, ast.With))]
        uses = [s for s in statements
                if s in imports or any(isinstance(n, ast.Name) and n.id in ml_names for n in ast.walk(s))]
        rows[module] = {"statements": len(statements), "ml_statements": len(uses),
                        "ml_share": len(uses) / len(statements) if statements else 0.0}
    return pd.DataFrame.from_dict(rows, orient="index")


def plot_dataflow(flows: pd.DataFrame, *, highlight: pd.DataFrame | None = None, ax: Any = None) -> Any:
    """Draw modules (boxes) and files (plain text) top to bottom along the data flow; ``highlight`` reads in red.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. Arrows
    that skip a level curve around the nodes in between.

    Examples
    --------
    >>> flows = file_flows({"a.py": "import pandas as pd\\npd.read_csv('in.csv').to_csv('out.csv')"})
    >>> plot_dataflow(flows).get_title()
    'Data flow: modules (boxes) and files'
    """
    import matplotlib.pyplot as plt

    edges = {(r.file, r.module) if r.mode == "read" else (r.module, r.file) for r in flows.itertuples()}
    red = set() if highlight is None else {(r.file, r.module) for r in highlight.itertuples()}
    nodes = sorted({n for edge in edges for n in edge})
    depth = dict.fromkeys(nodes, 0)
    for _ in nodes:  # longest path from a source; enough rounds for any acyclic graph
        for a, b in edges:
            depth[b] = max(depth[b], depth[a] + 1)
    layers: dict[int, list[str]] = {}
    for node in nodes:
        layers.setdefault(depth[node], []).append(node)
    where = {n: (2.0 * (i - (len(ns) - 1) / 2), -d) for d, ns in layers.items() for i, n in enumerate(ns)}
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4 * max(map(len, layers.values())) + 3, 0.45 * len(layers) + 0.8))
    for a, b in sorted(edges):
        bend = 0.0 if depth[b] - depth[a] == 1 else 0.5
        (xa, ya), (xb, yb) = where[a], where[b]
        ax.annotate("", (xb, yb + 0.22), (xa, ya - 0.22), arrowprops={  # from the bottom of a to the top of b
            "arrowstyle": "->", "color": "tab:red" if (a, b) in red else "tab:gray", "lw": 1.5,
            "shrinkA": 1, "shrinkB": 1, "connectionstyle": f"arc3,rad={bend}"})
    for node, (x, y) in where.items():
        box = {"boxstyle": "round", "facecolor": "white", "edgecolor": "black"} if node.endswith(".py") else None
        ax.text(x, y, node, ha="center", va="center", fontsize=8, bbox=box)
    ax.set_xlim(min(x for x, _ in where.values()) - 1.5, max(x for x, _ in where.values()) + 1.5)
    ax.set_ylim(-max(layers) - 0.5, 0.5)
    ax.set_axis_off()
    ax.set_title("Data flow: modules (boxes) and files")
    return ax


# --- the exercises of notebook 14 ------------------------------------------------------------------------------

NOTEBOOK = "14-process-and-technical-debt"
"""The lecture notebook whose exercises :func:`lecture_exercises` builds."""

HOUSE_PRICE_CODEBASE: Mapping[str, str] = MappingProxyType({
    "ingest.py": """import pandas as pd

def load_listings():
    listings = pd.read_csv("listings.csv")
    listings[listings["Sale_Price"] > 0].to_csv("clean.csv", index=False)

load_listings()
""",
    "features.py": """import pandas as pd

USE_SATELLITE = False  # March experiment, switched off for the demo

def greenness(houses):
    return houses["Latitude"] * 0  # placeholder for an image model

def school_score(houses):
    return houses["Neighborhood"].str.len()  # tried in April, no gain

def build_features():
    houses = pd.read_csv("clean.csv")
    houses["age"] = houses["Year_Sold"] - houses["Year_Built"]
    if USE_SATELLITE:
        houses["green"] = greenness(houses)
    houses.to_csv("features.csv", index=False)

build_features()
""",
    "features_v2.py": """import math
import pandas as pd

def build_features_v2():
    houses = pd.read_csv("clean.csv")
    old = pd.read_csv("features.csv")
    houses["age"] = old["age"].clip(lower=0)
    houses["log_area"] = houses["Gr_Liv_Area"].map(math.log)
    houses.to_csv("features_v2.csv", index=False)

build_features_v2()
""",
    "train.py": """import json
import math
import pandas as pd
from sklearn.linear_model import LinearRegression

COLUMNS = ["log_area", "age", "Garage_Cars"]

def to_rows(frame):
    return json.loads(frame.to_json(orient="records"))

def to_matrix(rows):
    return [[row[column] for column in COLUMNS] for row in rows]

def train():
    rows = to_rows(pd.read_csv("features_v2.csv"))
    targets = [math.log(row["Sale_Price"]) for row in rows]
    model = LinearRegression().fit(to_matrix(rows), targets)
    pd.to_pickle(model, "model.pkl")

train()
""",
    "predict.py": """import pandas as pd

def predict():
    model = pd.read_pickle("model.pkl")
    houses = pd.read_csv("features_v2.csv")
    houses["estimate"] = model.predict(houses[["log_area", "age", "Garage_Cars"]].to_numpy())
    houses[["rownames", "estimate"]].to_csv("estimates.csv", index=False)

predict()
""",
    "website.py": """import pandas as pd

def show_estimates():
    return pd.read_csv("estimates.csv").set_index("rownames")

show_estimates()
""",
    "marketing_report.py": """import pandas as pd

def hot_neighbourhoods():
    estimates = pd.read_csv("estimates.csv")
    features = pd.read_csv("features_v2.csv")
    return features.assign(estimate=estimates["estimate"]).groupby("Neighborhood")["estimate"].mean()

hot_neighbourhoods()
""",
})
"""The housing team's seven modules in ``notebooks/14-process-and-technical-debt.ipynb``, by file name."""


def same_state(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two kernel namespaces hold the same names with equal values (tables and arrays compared by value).

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``; Python's
    ``__builtins__`` entry is ignored.

    Examples
    --------
    >>> same_state({"x": pd.DataFrame({"a": [1]})}, {"x": pd.DataFrame({"a": [1]})}), same_state({"x": 1}, {"x": 2})
    (True, False)
    """
    keys = set(a) - {"__builtins__"}
    if keys != set(b) - {"__builtins__"}:
        return False
    for key in keys:
        x, y = a[key], b[key]
        if isinstance(x, (pd.DataFrame, pd.Series)) or isinstance(y, (pd.DataFrame, pd.Series)):
            same = type(x) is type(y) and x.equals(y)
        elif isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            same = np.array_equal(x, y)
        else:
            same = bool(x == y)
        if not same:
            return False
    return True


def is_idempotent_solution(cell: str, namespace: Mapping[str, Any]) -> bool:
    """Worked solution: run the cell once and twice, each on a deep copy of ``namespace``, and compare.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``.

    Examples
    --------
    >>> is_idempotent_solution("y = x + 1", {"x": 1}), is_idempotent_solution("x = x + 1", {"x": 1})
    (True, False)
    """
    once = run_cells([cell], [0], copy.deepcopy(dict(namespace)))
    twice = run_cells([cell], [0, 0], copy.deepcopy(dict(namespace)))
    return same_state(once, twice)


def _shared_namespace(cell: str, namespace: dict) -> bool:
    return same_state(run_cells([cell], [0], namespace), run_cells([cell], [0, 0], namespace))


def _before_and_after(cell: str, namespace: dict) -> bool:
    return same_state(copy.deepcopy(namespace), run_cells([cell], [0], copy.deepcopy(namespace)))


_SHARED = ("your function calls this cell idempotent, yet a second run changes the state. Run each variant on its "
           "own deep copy of the namespace (copy.deepcopy): objects changed in place are shared otherwise.")
_FIRST_RUN = ("your function calls this cell not idempotent, yet a second run leaves the state as the first run left "
              "it. Compare the state after one run with the state after two, not with the state before any run.")


def is_idempotent_exercise() -> Exercise:
    """Build-it: ``is_idempotent(cell, namespace)``, run on hidden cells that do or do not survive a second run.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``. The case
    labels describe each cell in words, never its verdict.

    Examples
    --------
    >>> is_idempotent_exercise().check(is_idempotent_solution).passed
    True
    """
    cells = (
        ("a cell that computes a new variable from the data", "total = sum(values)", {"values": [3, 1, 4]},
         _FIRST_RUN),
        ("a cell that increments a counter", "count += 1", {"count": 0}, _SHARED),
        ("a cell that appends to a list in place", "values.append(len(values))", {"values": [3, 1]}, _SHARED),
        ("a cell that rescales a column of a table in place", "frame['price'] = frame['price'] / 1000",
         {"frame": pd.DataFrame({"price": [120_000.0, 95_000.0]})}, _SHARED),
        ("a cell that filters a raw table into a new one", "clean = raw[raw['price'] > 0].copy()",
         {"raw": pd.DataFrame({"price": [120_000.0, -1.0]})}, _FIRST_RUN),
    )
    cases = [Case(label, (cell, namespace), lambda out, truth=is_idempotent_solution(cell, namespace):
                  isinstance(out, (bool, np.bool_)) and bool(out) == truth, why)
             for label, cell, namespace, why in cells]
    return Exercise.code("idempotent cell", cases=cases, solution=is_idempotent_solution,
                         mistakes={_shared_namespace: _SHARED, _before_and_after: _FIRST_RUN},
                         hint="run_cells([cell], [0], ...) runs a cell once, run_cells([cell], [0, 0], ...) twice; "
                              "same_state compares two namespaces.")


def dead_functions_exercise(sources: Mapping[str, str]) -> Exercise:
    """Which functions of a codebase never run (as :func:`dead_code` finds them): a set of names.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``.

    Examples
    --------
    >>> dead_functions_exercise(HOUSE_PRICE_CODEBASE).check(["school_score", "greenness"]).passed
    True
    """
    dead = dead_code(sources)
    rows = dead[dead["kind"] == "function never runs"]
    expected = sorted(rows["name"])
    unused = sorted(rows.loc[rows["reason"] == "never used", "name"])
    mistakes = [(unused, "One function is never mentioned anywhere, but another is called only inside a branch whose "
                         "flag is always False: it never runs either."),
                (sorted(dead["name"]), "A flag is not a function: list the functions that never run, not the "
                                       "branch that is never taken.")]
    return Exercise.set("functions that never run", expected,
                        mistakes=[(m, why) for m, why in mistakes if sorted(m) != expected],
                        hint="Follow the calls from the module-level code; a branch behind a flag that is always "
                             "False never runs.")


def debt_quadrant_exercise() -> Exercise:
    """Fowler's quadrant for a known shortcut with a planned repayment: deliberate and prudent.

    Introduced in ``notebooks/14-process-and-technical-debt.ipynb``.

    Examples
    --------
    >>> debt_quadrant_exercise().check("inadvertent, prudent").passed
    False
    """
    return Exercise.choice("quadrant", "deliberate, prudent", {
        "deliberate, prudent": "The team knew it took a shortcut, weighed it, and planned the repayment.",
        "deliberate, reckless": "It was deliberate, but not reckless: the team weighed the shortcut and planned the "
                                "repayment. Reckless would be skipping the design with no plan to return to it.",
        "inadvertent, prudent": "Inadvertent debt is discovered afterwards ('now we know how we should have done "
                                "it'); this team chose the shortcut knowingly.",
        "inadvertent, reckless": "Nothing here happened by accident or out of ignorance: the team decided, and "
                                 "planned the repayment.",
    }, hint="Two questions: did they know they were taking a shortcut, and did they plan how to repay it?")


def lecture_exercises(*, seed: int = 0, n_samples: int = 2930, **_: Any) -> dict[str, Exercise]:
    """Every exercise of ``notebooks/14-process-and-technical-debt.ipynb``; none depends on the parameters.

    Examples
    --------
    >>> sorted(lecture_exercises())
    ['dead_functions', 'debt_quadrant', 'idempotent_cell']
    """
    return {"idempotent_cell": is_idempotent_exercise(),
            "dead_functions": dead_functions_exercise(HOUSE_PRICE_CODEBASE),
            "debt_quadrant": debt_quadrant_exercise()}
