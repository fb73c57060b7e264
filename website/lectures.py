"""What a lecture notebook says about itself, read without running it: title, learning goals, helpers, cache key."""
from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

KIT = Path(__file__).resolve().parent.parent
HELPERS = "mlip_helpers"
RECIPE = "site-1"
"""Bumped when the way a lecture is executed for the site changes, so every cached copy is run again."""

_GOAL = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")
_MAGIC = re.compile(r"^\s*[%!]")


@dataclass(frozen=True)
class Lecture:
    """A lecture notebook as the site shows it."""

    path: Path
    title: str
    goals: tuple[str, ...]
    """Its learning goals, in its own Markdown, in order ("After this notebook you can ...")."""
    helpers: tuple[str, ...]
    """The helper modules its code imports, as dotted names (``mlip_helpers.fairness``), sorted."""
    helper_files: tuple[Path, ...] = field(default=(), repr=False)
    """Every helper source file its code can run: the imported modules and what they import, transitively."""

    @property
    def slug(self) -> str:
        return self.path.stem

    @property
    def number(self) -> str:
        """The lecture's number as its file name starts (``"07"``, or ``"04b"`` for a lecture placed after 04), or
        ``""``."""
        head = self.slug.split("-", 1)[0]
        return head if re.fullmatch(r"\d+[a-z]?", head) else ""

    def cache_key(self, parameters: dict | None = None, *, extra: bytes = b"") -> str:
        """sha256 of what its executed copy depends on: the notebook's bytes, the parameters, the helper code it
        can reach, and ``extra`` (the build's own recipe, such as the kernel's start-up code)."""
        h = hashlib.sha256()
        h.update(json.dumps({"recipe": RECIPE, "parameters": parameters or {}}, sort_keys=True).encode())
        h.update(hashlib.sha256(self.path.read_bytes()).digest())
        for f in self.helper_files:
            h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
        h.update(hashlib.sha256(extra).digest())
        return h.hexdigest()


def find_lectures(folder: Path = KIT / "notebooks") -> list[Path]:
    """The lecture notebooks in course order (their file names start with the lecture number)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))


def read_lecture(path: Path, helpers_dir: Path = KIT / HELPERS) -> Lecture:
    """Title and goals from the first Markdown cell; helpers from the imports of its code cells."""
    nb = nbformat.read(path, as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    title = next((ln[2:].strip() for ln in first.splitlines() if ln.startswith("# ")), path.stem)
    imported = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            imported |= _helper_imports(cell.source, helpers_dir)
    closure = helper_closure(imported, helpers_dir)
    shown = sorted(m for m in imported if m != HELPERS)
    return Lecture(Path(path), title, tuple(learning_goals(first)), tuple(shown), tuple(closure))


def learning_goals(markdown: str) -> list[str]:
    """The numbered list after "Learning goals", each item joined onto one line."""
    lines = markdown.splitlines()
    start = next((i for i, ln in enumerate(lines) if "learning goals" in ln.lower()), None)
    if start is None:
        return []
    goals: list[str] = []
    for ln in lines[start + 1:]:
        m = _GOAL.match(ln)
        if m:
            goals.append(m.group(2).strip())
        elif goals and ln.strip() and ln[:1].isspace():
            goals[-1] += " " + ln.strip()
        elif goals:
            break
    return goals


def _parse(source: str) -> ast.AST | None:
    code = "\n".join("" if _MAGIC.match(ln) else ln for ln in source.splitlines())
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def _helper_imports(source: str, helpers_dir: Path, package: str = HELPERS) -> set[str]:
    """Dotted names of the helper modules that ``source`` imports (the package itself included when used)."""
    tree = _parse(source)
    if tree is None:  # not Python a parser reads: fall back on the import lines
        return {m for m in re.findall(r"(?:from|import)\s+(mlip_helpers(?:\.\w+)?)", source)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == HELPERS}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative, inside the helper package
                module = ".".join(filter(None, [HELPERS, module]))
            if module.split(".")[0] != HELPERS:
                continue
            found.add(module)
            if module == HELPERS:  # `from mlip_helpers import fairness` names a module
                found |= {f"{HELPERS}.{a.name}" for a in node.names if (helpers_dir / f"{a.name}.py").is_file()}
    return {m for m in found if _module_file(m, helpers_dir)}


def _module_file(module: str, helpers_dir: Path) -> Path | None:
    parts = module.split(".")[1:]
    if not parts:
        return helpers_dir / "__init__.py"
    f = helpers_dir.joinpath(*parts).with_suffix(".py")
    return f if f.is_file() else None


def helper_closure(modules: set[str], helpers_dir: Path = KIT / HELPERS) -> list[Path]:
    """The helper files that importing ``modules`` runs: each of them, what they import, and the package's
    ``__init__`` (Python runs it before any submodule)."""
    if not modules:
        return []
    todo, seen = [HELPERS, *sorted(modules)], set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        f = _module_file(m, helpers_dir)
        if f is not None:
            todo += sorted(_helper_imports(f.read_text(encoding="utf-8"), helpers_dir) - seen)
    return sorted(f for f in (_module_file(m, helpers_dir) for m in seen) if f is not None)
