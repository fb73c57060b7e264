"""Mutants of an assignment's answer cells: small plausible wrong versions of the solution, each with a stable id.

The operators are libcst transformers, so a mutant keeps the cell's formatting and its diff shows one change.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

import libcst as cst

MUTANTS_VERSION = "2"
"""Changes whenever an operator changes, so that committed mutation reports go stale."""
MAX_PER_CELL = 24
"""Mutants kept per answer cell; when a cell has more, each operator keeps its share (deterministically)."""
OPERATORS = ("boundary", "negate", "constant", "arith", "default", "dropkw", "swap", "remove", "fitdata", "return")
_FLIP = {cst.LessThan: cst.LessThanEqual, cst.LessThanEqual: cst.LessThan, cst.GreaterThan: cst.GreaterThanEqual,
         cst.GreaterThanEqual: cst.GreaterThan}
_NEGATE = {cst.Equal: cst.NotEqual, cst.NotEqual: cst.Equal, cst.In: cst.NotIn, cst.NotIn: cst.In,
           cst.Is: cst.IsNot, cst.IsNot: cst.Is}
_ARITH = {cst.Add: cst.Subtract, cst.Subtract: cst.Add, cst.Multiply: cst.Divide, cst.Divide: cst.Multiply,
          cst.FloorDivide: cst.Divide}
_DISPLAY = {"print", "display"}
_KINDS = [("train", "test"), ("test", "train"), ("train", "val"), ("before", "after"), ("after", "before"),
          ("old", "new"), ("new", "old"), ("ref", "cur"), ("cur", "ref"), ("reference", "current"),
          ("current", "reference")]


@dataclass(frozen=True)
class Mutant:
    """One changed copy of an answer cell."""

    id: str
    """``cell:operator:hash``; the hash covers the changed code and its occurrence, not its line, so it survives
    edits elsewhere in the cell."""
    cell: str
    """grade_id of the answer cell."""
    operator: str
    """Which of ``OPERATORS`` made it."""
    source: str
    """The mutated cell."""
    diff: str
    """A unified diff from the solution cell."""


def _replace(module: cst.Module, target: cst.CSTNode, new: cst.CSTNode) -> cst.Module:
    class _Swap(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return new if original is target else updated
    return module.visit(_Swap())


class _Collect(cst.CSTVisitor):
    """Candidate changes: (operator, original node, replacement node)."""

    def __init__(self, names: set[str]):
        self.found: list[tuple[str, cst.CSTNode, cst.CSTNode]] = []
        self.names = names
        self.bound: list[set[str]] = [set()]

    def add(self, op, node, new):
        self.found.append((op, node, new))

    def visit_Comparison(self, node):
        for i, target in enumerate(node.comparisons):
            kind = type(target.operator)
            for op, table in (("boundary", _FLIP), ("negate", _NEGATE)):
                if kind in table:
                    swapped = target.with_changes(operator=table[kind]())
                    comps = list(node.comparisons)
                    comps[i] = swapped
                    self.add(op, node, node.with_changes(comparisons=comps))

    def visit_BinaryOperation(self, node):
        if type(node.operator) in _ARITH:
            self.add("arith", node, node.with_changes(operator=_ARITH[type(node.operator)]()))

    def visit_Integer(self, node):
        self.add("constant", node, cst.Integer(str(int(node.value.replace("_", ""), 0) + 1)))

    def visit_Float(self, node):
        value = float(node.value.replace("_", ""))
        self.add("constant", node, cst.Float(repr(value * 1.1 if value else 1.0)))

    def visit_Name(self, node):
        if node.value in ("True", "False"):
            self.add("constant", node, cst.Name("False" if node.value == "True" else "True"))

    def visit_FunctionDef(self, node):
        params = node.params
        for p in list(params.params) + list(params.kwonly_params):
            if p.default is not None and _reads(node.body, p.name.value):
                self.add("default", node, node.with_changes(body=_bind(node.body, p.name.value, p.default)))

    def visit_Call(self, node):
        if isinstance(node.func, cst.Name) and node.func.value in _DISPLAY:
            return False  # what a cell prints or shows is for the reader, not the tests
        args = list(node.args)
        for i, a in enumerate(args):
            if a.keyword is not None:
                rest = args[:i] + args[i + 1:]
                if rest:
                    rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                self.add("dropkw", node, node.with_changes(args=rest))
        pos = [i for i, a in enumerate(args) if a.keyword is None and not a.star]
        for i, j in zip(pos, pos[1:]):
            swapped = list(args)
            swapped[i] = args[i].with_changes(value=args[j].value)
            swapped[j] = args[j].with_changes(value=args[i].value)
            self.add("swap", node, node.with_changes(args=swapped))
        # .fit(X_train, y) -> .fit(X_test, y); the same for any call given a split by name (fit_blind(X_train, ...))
        for i, a in enumerate(args):
            if isinstance(a.value, cst.Name):
                for other in _siblings(a.value.value, self.names):
                    changed = list(args)
                    changed[i] = a.with_changes(value=cst.Name(other))
                    self.add("fitdata", node, node.with_changes(args=changed))

    def visit_SimpleStatementLine(self, node):
        if len(node.body) == 1 and _removable(node.body[0]):
            self.add("remove", node, node.with_changes(body=[cst.Pass()]))

    def visit_Return(self, node):
        if node.value is not None and not isinstance(node.value, (cst.Dict, cst.Tuple, cst.List)):
            value = node.value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]) \
                if isinstance(node.value, (cst.BinaryOperation, cst.BooleanOperation, cst.IfExp)) else node.value
            self.add("return", node, node.with_changes(value=cst.BinaryOperation(
                value, cst.Multiply(), cst.Float("1.01"))))


def _removable(stmt) -> bool:
    """Statements whose removal leaves no name undefined: calls for their effect, in-place updates."""
    if isinstance(stmt, cst.Expr):
        call = stmt.value
        return isinstance(call, cst.Call) and not (isinstance(call.func, cst.Name) and call.func.value in _DISPLAY)
    if isinstance(stmt, cst.AugAssign):
        return True
    if isinstance(stmt, cst.Assign):
        return all(isinstance(t.target, (cst.Subscript, cst.Attribute)) for t in stmt.targets)
    return False


def _reads(body, name: str) -> bool:
    found = []

    class _Find(cst.CSTVisitor):
        def visit_Name(self, node):
            if node.value == name:
                found.append(node)
    body.visit(_Find())
    return bool(found)


def _bind(body, name: str, default):
    class _Sub(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            return default.deep_clone() if original.value == name else updated

        def leave_Arg(self, original, updated):  # keep keywords (f(k=k) -> f(k=20)), never rename them
            return updated.with_changes(keyword=original.keyword)

        def leave_Attribute(self, original, updated):
            return updated.with_changes(attr=original.attr)
    return body.visit(_Sub())


def _siblings(name: str, names: set[str]) -> list[str]:
    out = []
    for a, b in _KINDS:
        if a in name:
            other = name.replace(a, b)
            if other in names and other not in out:
                out.append(other)
    return out


def names_in(source: str) -> set[str]:
    """Every identifier in ``source`` (for choosing a sibling variable); empty when it does not parse."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))


def _compiles(source: str) -> bool:
    try:
        compile(source, "<mutant>", "exec")
    except SyntaxError:
        return False
    return True


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:8]


def cell_mutants(cell: str, source: str, names: set[str] = frozenset(), limit: int = MAX_PER_CELL) -> list[Mutant]:
    """Mutants of one answer cell, at most ``limit``, in a deterministic order."""
    module = cst.parse_module(source)
    collect = _Collect(set(names) | names_in(source))
    module.visit(collect)
    by_op: dict[str, list[Mutant]] = {}
    seen: dict[tuple, int] = {}
    for op, node, new in collect.found:
        mutated = _replace(module, node, new).code
        if mutated == source or not _compiles(mutated):
            continue
        before, after = module.code_for_node(node), module.code_for_node(new)
        k = seen.get((op, before, after), 0)
        seen[(op, before, after)] = k + 1
        mid = f"{cell}:{op}:{_digest(op, before, after, str(k))}"
        diff = "".join(difflib.unified_diff((source + "\n").splitlines(True), (mutated + "\n").splitlines(True),
                                            "solution", mid, n=1))
        by_op.setdefault(op, []).append(Mutant(mid, cell, op, mutated, diff))
    return _bounded(by_op, limit)


def _bounded(by_op: dict[str, list[Mutant]], limit: int) -> list[Mutant]:
    """Round-robin over operators, each operator's mutants in a stable hash order, until ``limit``."""
    queues = [sorted(by_op[op], key=lambda m: m.id) for op in OPERATORS if op in by_op]
    out: list[Mutant] = []
    while len(out) < limit and any(queues):
        for q in queues:
            if q and len(out) < limit:
                out.append(q.pop(0))
    return sorted(out, key=lambda m: m.id)
