"""The judge, seen from a grading worker: which cells run where, and the code that joins the two kernels.

In ``judge: separate`` mode a test cell never runs in the student's kernel. The student's kernel (sandboxed) runs
the answer cells, the student's own cells and the release's other cells; the judge kernel (outside the sandbox,
started by the worker) runs the release's set-up cells too, and the test cells. Before each test cell the judge
binds the names that cell uses and does not define itself; they come from the student's kernel as data or proxies
(`grader.grading.proxy`, `grader.grading.wire`). Hidden tests, expected values and reference functions stay in the judge.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from nbformat import NotebookNode

from grader.execution.execute import Judge
from grader.model.nbcells import is_test_cell
from grader.grading.restore import is_fixed

MODES = ("separate", "kernel")
AGENT = Path(__file__).with_name("agent.py")
BOOT = """def __mlip_boot(source):
    namespace = {"__name__": "mlip_agent"}
    exec(compile(source, "mlip-agent", "exec"), namespace)
    namespace["start"](get_ipython())
__mlip_boot(%r)
del __mlip_boot
"""
# the judge kernel serves one attempt after another: it is reset, moved to this attempt's folder and connected
PRELUDE = '__import__("grader.grading.proxy", fromlist=["fresh_start"]).fresh_start(get_ipython(), %r, %s)\n'



def cell_roles(nb: NotebookNode) -> dict[int, str]:
    """Code cell index -> ``judge`` for test cells, ``both`` for the release's fixed cells (set-up)."""
    roles = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if is_test_cell(cell):
            roles[i] = "judge"
        elif is_fixed(cell):
            roles[i] = "both"
    return roles


def names_used(source: str) -> list[str]:
    """The names a cell reads (at any depth) and does not bind itself, in order of first use.

    Names the cell binds (assignments, definitions, imports, loop and ``with`` targets) are the test's own, so
    they are never asked of the student's kernel: not even a hidden test's identifiers cross. A cell that does not
    parse gets a rough scan.
    """
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return list(dict.fromkeys(re.findall(r"[A-Za-z_]\w*", source)))
    bound = {"get_ipython"}  # IPython's own, also what magics become
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return [n for n in dict.fromkeys(names) if n not in bound]


def _connection(km) -> dict:
    info = km.get_connection_info()
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in info.items()}


def build(nb: NotebookNode, student_km, judge_km, judge_cwd: Path) -> Judge:
    """The judge for running ``nb``: roles, the agent for the student's kernel and the judge's bindings."""
    roles = cell_roles(nb)
    before = {i: f"__mlip_channel.bind({names_used(nb.cells[i].source)!r})" for i, r in roles.items()
              if r == "judge"}
    return Judge(km=judge_km, cwd=Path(judge_cwd), roles=roles,
                 student_prelude=BOOT % AGENT.read_text(encoding="utf-8"),
                 prelude=PRELUDE % (str(judge_cwd), json.dumps(_connection(student_km))), before=before)
