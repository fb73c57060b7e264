"""Evidence that test cells really ran, and probes that notice a kernel tampered with by student code.

Before any student code runs, a harness cell records what the kernel looks like (IPython's input and AST
transformers, its run and traceback methods, sys.stdout/stderr/excepthook, the trace function, the built-ins and
the usual checking functions of numpy and pandas). Before every test cell a probe compares the kernel with that
record and prints what changed. Every test cell ends by printing a token derived from a secret of this attempt:
a test cell passes only if its token is in its output and the probe before it found nothing.
"""
from __future__ import annotations

import ast
import copy
import hashlib
import json
import secrets
from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode

from grader.model.nbcells import grade_id, is_test_cell

EVIDENCE = "mlip-evidence:"
PROBE_KEY = "mlip_probe"
HARNESS_TAG = "mlip-harness"

SETUP = r'''
def __mlip_setup():
    import builtins, json, math, sys
    # everything the probe uses is taken now, before student code runs, so replacing it later changes nothing
    getattr, vars, list, len, zip, isinstance, type, int, hasattr = (builtins.getattr, builtins.vars, builtins.list,
                                                          builtins.len, builtins.zip, builtins.isinstance,
                                                          builtins.type, builtins.int, builtins.hasattr)
    dumps, write, gettrace, getprofile = json.dumps, sys.stdout.write, sys.gettrace, sys.getprofile
    ip = get_ipython()
    # ipykernel swaps input() and the excepthook per request; an object is "replaced" only when both its
    # identity and its defining module and name differ from the record
    def same(a, b):
        if a is b:
            return True
        key = lambda f: (getattr(f, "__module__", None), getattr(f, "__qualname__", None), type(f))
        return key(a) == key(b) and key(a)[1] is not None
    watched = {("builtins", n): getattr(builtins, n) for n in dir(builtins) if not n.startswith("_")}
    watched[("math", "isclose")] = math.isclose
    modules = {"builtins": builtins, "math": math}
    try:
        import numpy, numpy.testing
        modules.update({"numpy": numpy, "numpy.testing": numpy.testing})
        for n in ("isclose", "allclose", "array_equal", "all", "any"):
            watched[("numpy", n)] = getattr(numpy, n)
        for n in dir(numpy.testing):
            if n.startswith("assert"):
                watched[("numpy.testing", n)] = getattr(numpy.testing, n)
    except ImportError:
        pass
    try:
        import pandas, pandas.testing
        modules["pandas.testing"] = pandas.testing
        for n in dir(pandas.testing):
            if n.startswith("assert"):
                watched[("pandas.testing", n)] = getattr(pandas.testing, n)
    except ImportError:
        pass
    shell = type(ip)
    methods = ("run_cell", "run_cell_async", "run_ast_nodes", "run_code", "transform_cell", "showtraceback",
               "_showtraceback", "showsyntaxerror", "should_run_async")
    base = {n: (getattr(shell, n, None), vars(ip).get(n)) for n in methods}
    # the compiler every cell goes through, and the path a report takes to the grader (session, streams)
    session = ip.kernel.session
    hooked = [(ip.compile, n) for n in ("ast_parse", "cache", "__call__", "reset_compiler_flags", "get_code_name",
                                         "format_code_name")]
    hooked += [(session, n) for n in ("send", "serialize", "sign", "msg", "deserialize")]
    hooked += [(sys.stdout, n) for n in ("write", "flush", "_flush")] + [(sys.stderr, n) for n in ("write", "flush")]
    hooked += [(ip.displayhook, n) for n in ("__call__", "write_output_prompt", "write_format_data")]
    hooked += [(ip.display_pub, "publish")]
    owners = {"compile": ip.compile, "session": session, "displayhook": ip.displayhook,
              "display_pub": ip.display_pub}
    parts = [(obj, n, getattr(type(obj), n, None), vars(obj).get(n) if hasattr(obj, "__dict__") else None)
             for obj, n in hooked]
    state = (sys.stdout, sys.stderr, sys.excepthook, list(ip.input_transformers_cleanup),
             list(ip.input_transformers_post), list(ip.ast_transformers), ip.input_transformer_manager,
             len(ip.events.callbacks["pre_run_cell"]), len(ip.events.callbacks["pre_execute"]))

    def probe(token):
        problems = []
        now = (sys.stdout, sys.stderr, sys.excepthook, list(ip.input_transformers_cleanup),
               list(ip.input_transformers_post), list(ip.ast_transformers), ip.input_transformer_manager,
               len(ip.events.callbacks["pre_run_cell"]), len(ip.events.callbacks["pre_execute"]))
        names = ("sys.stdout was replaced", "sys.stderr was redirected", "sys.excepthook was replaced",
                 "an IPython input transformer was installed", "an IPython input transformer was installed",
                 "an AST transformer was installed", "IPython's input transformer manager was replaced",
                 "a pre_run_cell hook was registered", "a pre_execute hook was registered")
        for name, a, b in zip(names, state, now):
            if (a != b if isinstance(a, (list, int)) else not same(a, b)) and name not in problems:
                problems.append(name)
        if gettrace() is not None or getprofile() is not None:
            problems.append("a trace or profile function was installed")
        now_owners = {"compile": ip.compile, "session": ip.kernel.session, "displayhook": ip.displayhook,
                      "display_pub": ip.display_pub}
        for name, obj in owners.items():
            if now_owners[name] is not obj:
                problems.append(f"IPython's {name} was replaced")
        for obj, n, cls_attr, own in parts:
            now_own = vars(obj).get(n) if hasattr(obj, "__dict__") else None
            # IPython wraps sys.stdout.write afresh for every cell (its tee), so instance methods compare by name
            if getattr(type(obj), n, None) is not cls_attr or not (now_own is own or same(now_own, own)):
                problems.append(f"{type(obj).__name__}.{n} was replaced (it carries cells or reports)")
        for n, (f, own) in base.items():
            if not same(getattr(shell, n, None), f) or not same(vars(ip).get(n), own):
                problems.append(f"IPython's {n} was replaced")
        for (mod, n), f in watched.items():
            if not same(getattr(modules.get(mod), n, f), f):
                problems.append(f"{mod}.{n} was replaced")
        write(dumps({"mlip_probe": token, "problems": problems}) + "\n")
    return probe
__mlip_probe = __mlip_setup()
del __mlip_setup
'''


@dataclass(frozen=True)
class Instrumented:
    """A notebook with harness cells added, and what to look for in its outputs."""

    nb: NotebookNode
    evidence: dict[str, str]
    """grade_id -> the token its test cell must print."""
    probes: dict[str, str]
    """grade_id -> the token of the probe that runs just before it."""
    originals: dict[str, str]
    """grade_id -> the test cell's source before the evidence line was added."""


def _harness_cell(source: str) -> NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": [HARNESS_TAG]})


def _with_evidence(source: str, token: str) -> str:
    line = f'print("{EVIDENCE}{token}")'
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source  # the cell fails to compile anyway; no evidence will appear
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        lines = source.splitlines()
        head = "\n".join(lines[: last.lineno - 1])
        expr = ast.get_source_segment(source, last.value) or "None"
        return f"{head}\n__mlip_last = ({expr})\n{line}\n__mlip_last"
    return f"{source}\n{line}"


def instrument(nb: NotebookNode, secret: str | None = None) -> Instrumented:
    """Add the set-up cell, a probe before each test cell and an evidence line at the end of each test cell."""
    secret = secret or secrets.token_hex(16)
    out = copy.deepcopy(nb)
    cells = [_harness_cell(SETUP)]
    evidence, probes, originals = {}, {}, {}
    for cell in out.cells:
        gid = grade_id(cell) if is_test_cell(cell) else None
        if gid:
            probes[gid] = hashlib.sha256(f"{secret}:probe:{gid}".encode()).hexdigest()[:20]
            evidence[gid] = hashlib.sha256(f"{secret}:ran:{gid}".encode()).hexdigest()[:20]
            cells.append(_harness_cell(f'__mlip_probe("{probes[gid]}")'))
            originals[gid] = cell.source
            cell.source = _with_evidence(cell.source, evidence[gid])
        cells.append(cell)
    out.cells = cells
    return Instrumented(out, evidence, probes, originals)


def _stdout(cell: NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


@dataclass(frozen=True)
class Verification:
    """What the harness found after the run."""

    tampered: dict[str, str]
    """grade_id -> why the test cannot be trusted (no evidence, or the probe before it found changes)."""
    flags: tuple[str, ...]
    """Reasons for a person to review the attempt."""


def verify(executed: NotebookNode, inst: Instrumented) -> Verification:
    """Check each test cell's evidence and the probe before it; drop harness cells and evidence lines."""
    tampered: dict[str, str] = {}
    flags: list[str] = []
    probe_seen: dict[str, list | None] = {}
    probe_ran: set[str] = set()
    for cell in executed.cells:
        if HARNESS_TAG in cell.metadata.get("tags", []) and cell.cell_type == "code":
            for gid, token in inst.probes.items():
                if token in cell.source and cell.get("execution_count") is not None:
                    probe_ran.add(gid)
            for line in _stdout(cell).splitlines():
                try:
                    doc = json.loads(line)
                except ValueError:
                    continue
                for gid, token in inst.probes.items():
                    if isinstance(doc, dict) and doc.get(PROBE_KEY) == token:
                        probe_seen[gid] = list(doc.get("problems") or [])
    for cell in executed.cells:
        gid = grade_id(cell) if is_test_cell(cell) else None
        if gid not in inst.evidence:
            continue
        problems = probe_seen.get(gid)
        if problems is None and gid not in probe_ran:
            continue  # the kernel died or time ran out before this test; its own verdict says so
        if problems is None:
            tampered[gid] = "the harness could not check the kernel before this test"
        elif problems:
            tampered[gid] = "the kernel was changed before this test: " + "; ".join(problems[:3])
            flags.extend(p for p in problems if p not in flags)
        ran = f"{EVIDENCE}{inst.evidence[gid]}" in _stdout(cell)
        errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if not ran and not errored and gid not in tampered:
            tampered[gid] = "this test did not run to its end, yet reported no error"
            flags.append(f"test cell {gid} did not run to its end, yet reported no error")
    if any(v.startswith("the harness could not") for v in tampered.values()):
        flags.append("the harness's kernel checks did not run (its probe was removed or neutralised)")
    return Verification(tampered, tuple(dict.fromkeys(flags)))


def clean(executed: NotebookNode, inst: Instrumented) -> NotebookNode:
    """The executed notebook without harness cells and evidence lines, as course staff should read it."""
    out = copy.deepcopy(executed)
    out.cells = [c for c in out.cells if HARNESS_TAG not in c.metadata.get("tags", [])]
    tokens = {f"{EVIDENCE}{t}" for t in inst.evidence.values()}
    for cell in out.cells:
        gid = grade_id(cell)
        if gid in inst.originals:
            cell.source = inst.originals[gid]
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and any(t in o.get("text", "") for t in tokens):
                o["text"] = "".join(ln for ln in o["text"].splitlines(True) if not any(t in ln for t in tokens))
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and not o.get("text"))]
    return out
