"""The Sphinx source folder of the site, written from the executed lectures and the helper package.

``SRC/index.md`` is the home page (the lectures in order, each with its learning goals, its notebook and its
helpers), ``SRC/lectures/`` the executed lectures prepared for reading, ``SRC/helpers/`` one page per helper module
a lecture imports, ``SRC/_notebooks/`` and ``SRC/_helpers/`` the files offered as downloads (a lecture as it is
committed, without outputs; a helper's source). Files are written only when their content changed, and files no
longer part of the site are removed, so Sphinx reads again only what changed. Nothing from ``assignments/`` is
read: solutions and hidden tests cannot reach the site.
"""
from __future__ import annotations

import ast
import base64
import hashlib
import json
import shutil
from pathlib import Path

import nbformat

from website.execute import Executed
from website.lectures import HELPERS, KIT, Lecture

ALT_TEXTS = "_site/alt-texts.json"
"""Alt text of every plot in the site's lectures, by the sha256 of the image (myst-nb names image files so)."""
PROMPTS = {
    "code": ("Show code", "Hide code"),
    "solution": ("Show the solution", "Hide the solution"),
}
FALLBACK_ALT = "A plot made by the code above; its figure has no title, labels or legend to describe it."


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write ``data`` unless the file already holds it (its time stamp then stays, and Sphinx skips it)."""
    data = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def helper_page_name(module: str) -> str:
    return module.split(".", 1)[1] if "." in module else "index"


def _links(lecture: Lecture, up: str) -> str:
    helpers = ", ".join(f"[{m}]({up}helpers/{helper_page_name(m)}.md)" for m in lecture.helpers)
    return helpers or "none"


def _figure_alt(output) -> str:
    plain = output.get("data", {}).get("text/plain", "")
    plain = "".join(plain) if isinstance(plain, list) else plain
    if plain and not plain.startswith("<Figure size"):
        return " ".join(plain.split())
    return FALLBACK_ALT


def prepare_lecture(run: Executed) -> tuple[nbformat.NotebookNode, dict[str, str]]:
    """The executed notebook made ready for reading, and the alt texts of its images.

    Every code cell is collapsible (shown by default), a solution is folded with its output, papermill's timing
    metadata is dropped, and a note after the title links the notebook file and the helpers it uses.
    """
    lec = run.lecture
    nb = nbformat.read(run.path, as_version=4)
    alts: dict[str, str] = {}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.cell_type != "code":
            continue
        tags = list(cell.metadata.get("tags", []))
        kind = "solution" if "solution" in tags else "code"
        tags.append("hide-cell" if kind == "solution" else "hide-input")
        cell.metadata["tags"] = tags
        show, hide = PROMPTS[kind]
        cell.metadata["mystnb"] = {**cell.metadata.get("mystnb", {}), "code_prompt_show": show,
                                   "code_prompt_hide": hide}
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                digest = hashlib.sha256(base64.b64decode("".join(png) if isinstance(png, list) else png))
                alts[digest.hexdigest()] = _figure_alt(output)
    note = (f"This page is the notebook `{lec.path.name}` run top to bottom with its default parameters. "
            f"{{download}}`Download the notebook <../_notebooks/{lec.path.name}>` to run it yourself in "
            f"JupyterLab, where the exercises check your answers. Helper modules it uses: {_links(lec, '../')}.")
    if run.failed:
        note += (f"\n\n**This run did not finish** ({run.status}): {run.reason or 'see the error below'}. "
                 "The outputs stop where it stopped.")
    box = f":::{{admonition}} This lecture as a notebook\n:class: {'warning' if run.failed else 'note'}\n{note}\n:::"
    first_md = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), -1)
    nb.cells.insert(first_md + 1, nbformat.v4.new_markdown_cell(box))
    for i, cell in enumerate(nb.cells):  # ids that stay the same from build to build
        cell["id"] = f"cell-{i}"
    return nb, alts


def home_page(runs: list[Executed]) -> str:
    """The home page: what the site is, then every lecture in order with its goals, notebook and helpers."""
    lines = [
        "# Machine Learning in Production",
        "",
        "The lecture notebooks of the *Machine Learning in Production* course kit, each run top to bottom with its "
        "default parameters. Read a lecture here, on any screen; to change its code and try its exercises, "
        "download the notebook and open it in JupyterLab (in the kit, `make lab` starts it with the course's "
        "environment). Code cells can be hidden with the *Hide code* button above each of them, and solutions "
        "stay folded until you open them. This site works offline: it loads nothing from the internet.",
        "",
        "## Lectures",
        "",
    ]
    for run in runs:
        lec = run.lecture
        number = f"{lec.number.lstrip('0') or '0'}. " if lec.number else ""
        lines += [f"### {number}[{lec.title}](lectures/{lec.slug}.ipynb)", ""]
        if lec.goals:
            lines += ["After this lecture you can", ""]
            lines += [f"{i}. {goal}" for i, goal in enumerate(lec.goals, 1)]
            lines.append("")
        lines += [f"Notebook: {{download}}`{lec.path.name} <_notebooks/{lec.path.name}>`. "
                  f"Helpers: {_links(lec, '')}.", ""]
        if run.failed:
            lines += [f"*This lecture's run did not finish: {run.status}.*", ""]
    lines += ["```{toctree}", ":hidden:", ":caption: Lectures", ":titlesonly:", "",
              *[f"lectures/{r.lecture.slug}" for r in runs], "```", ""]
    helpers = sorted({m for r in runs for m in r.lecture.helpers})
    if helpers:
        lines += ["```{toctree}", ":hidden:", ":caption: Helper modules", ":titlesonly:", "",
                  *[f"helpers/{helper_page_name(m)}" for m in helpers], "```", ""]
    return "\n".join(lines)


def _summary(node) -> str:
    doc = ast.get_docstring(node) or ""
    first = doc.strip().split("\n\n")[0]
    return " ".join(first.split()).replace("|", "\\|")


def helper_page(module: str, source: Path, used_by: list[Lecture]) -> str:
    """A helper module's page: its docstring, the lectures that use it, what it defines, and its source."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    name = source.name
    lines = [f"# {module}", ""]
    if doc:
        lines += ["```{eval-rst}", doc, "```", ""]
    used = ", ".join(f"[{lec.title}](../lectures/{lec.slug}.ipynb)" for lec in used_by)
    lines += [f"Used by the lectures: {used}.", "", f"{{download}}`Download {name} <../_helpers/{name}>`", ""]
    defined = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]
    if defined:
        lines += ["## What it defines", "", "| name | what it is for |", "|---|---|"]
        lines += [f"| `{n.name}` | {_summary(n) or ' '} |" for n in defined]
        lines.append("")
    lines += ["## Source", "", f"```{{literalinclude}} ../_helpers/{name}", ":language: python", "```", ""]
    return "\n".join(lines)


def write_sources(runs: list[Executed], src: Path, *, helpers_dir: Path = KIT / HELPERS) -> list[Path]:
    """Write the whole source folder; return the files that changed."""
    src = Path(src)
    wanted: dict[Path, bytes | str] = {}
    alts: dict[str, str] = {}
    for run in runs:
        nb, found = prepare_lecture(run)
        alts.update(found)
        wanted[src / "lectures" / f"{run.lecture.slug}.ipynb"] = nbformat.writes(nb) + "\n"
        wanted[src / "_notebooks" / run.lecture.path.name] = run.lecture.path.read_bytes()
    wanted[src / "index.md"] = home_page(runs)
    for module in sorted({m for r in runs for m in r.lecture.helpers}):
        file = helpers_dir / f"{helper_page_name(module)}.py"
        users = [r.lecture for r in runs if module in r.lecture.helpers]
        wanted[src / "_helpers" / file.name] = file.read_bytes()
        wanted[src / "helpers" / f"{helper_page_name(module)}.md"] = helper_page(module, file, users)
    wanted[src / ALT_TEXTS] = json.dumps(alts, indent=1, sort_keys=True)
    changed = [p for p, data in wanted.items() if write_if_changed(p, data)]
    for stale in [p for p in src.rglob("*") if p.is_file() and p not in wanted]:
        stale.unlink()
    for folder in sorted((p for p in src.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            shutil.rmtree(folder)
    return changed
