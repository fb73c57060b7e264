"""The site's own Sphinx extension: MathJax served from the site, plots' alt texts, code cells that fold.

- MathJax 3 comes from the ``sphinx-mathjax-offline`` package (a PyPI wheel that vendors it) and is copied into
  ``_static/mathjax``; ``mathjax_path`` points there, so a page with math loads nothing from a CDN.
- myst-nb's files for notebook outputs go to the build's working folder, not beside the site.
- Every plot a lecture made gets the alt text the figure describer wrote when it ran (see describe_figures.py and
  sources.py), matched by the image's sha256, which is also the name myst-nb gives the image file.
- myst-nb folds a cell marked ``hide-input`` or ``hide-cell`` into a ``<details>`` element. Here ordinary code
  starts open (the reader may fold it) and a solution starts folded; the summary's visible words are its
  accessible name (myst-nb's ``aria-label="Toggle hidden content"`` said less than the words on screen).
"""
from __future__ import annotations

import json
import shutil
from html import escape
from importlib import metadata
from pathlib import Path, PurePosixPath

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

MATHJAX_DIST = "sphinx-mathjax-offline"
MATHJAX_PARTS = ["tex-chtml.js", "a11y", "adaptors", "input", "output", "sre", "ui"]
"""The combined TeX-to-HTML bundle and the components it may load on demand (fonts, TeX packages, menu,
assistive MathML); MathJax's other bundles, its Node entry point and ``latest.js`` (which asks a CDN for the
newest version) are left out."""
MATHJAX_PATH = "mathjax/tex-chtml.js"
ALT_TEXTS = "_site/alt-texts.json"


def mathjax_source() -> Path:
    """The MathJax folder inside the installed ``sphinx-mathjax-offline`` wheel."""
    try:
        dist = metadata.distribution(MATHJAX_DIST)
    except metadata.PackageNotFoundError:
        raise RuntimeError(f"the {MATHJAX_DIST} package (MathJax for offline use) is missing: "
                           "pip install -e '.[site]'") from None
    return Path(dist.locate_file(f"{MATHJAX_DIST}/static/mathjax"))


def _use_local_mathjax(app, config):
    config.mathjax_path = MATHJAX_PATH


def _copy_mathjax(app, exc):
    """Copy MathJax into ``_static/mathjax`` once; later builds find the stamp and skip the 8 MB."""
    if exc is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    stamp = target / ".copied-from"
    version = metadata.version(MATHJAX_DIST)
    if stamp.is_file() and stamp.read_text() == version:
        return
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for part in MATHJAX_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, target / part)
        else:
            shutil.copyfile(src, target / part)
    stamp.write_text(version)


def _output_folder(app):
    """myst-nb writes a notebook's output files beside the site (``OUT/../jupyter_execute``); keep them with
    Sphinx's other working files instead."""
    folder = Path(app.doctreedir).parent / "jupyter_execute"
    app.env.mystnb_config = app.env.mystnb_config.copy(output_folder=str(folder.resolve()))


def _alt_texts(app, doctree):
    """Give every image of a notebook output its describer's alt text."""
    path = Path(app.srcdir) / ALT_TEXTS
    if not path.is_file():
        return
    alts = json.loads(path.read_text(encoding="utf-8"))
    for image in doctree.findall(nodes.image):
        stem = PurePosixPath(image.get("uri", "")).stem
        if stem in alts:
            image["alt"] = alts[stem]


class MarkFolds(SphinxPostTransform):
    """After myst-nb has wrapped hidden cells in fold nodes (its priority 199): a fold starts open, except in a
    solution cell. (myst-nb sets a fold's children without giving them a parent, so the visitor cannot look up.)"""

    default_priority = 250
    formats = ("html",)

    def run(self, **kwargs):
        from myst_nb.sphinx_ import HideCodeCellNode

        for cell in self.document.findall(nodes.container):
            if cell.get("nb_element") == "cell_code":
                for fold in cell.findall(HideCodeCellNode):
                    fold["open"] = "tag_solution" not in cell["classes"]


def visit_fold(self, node):
    classes = " ".join(["admonition", "hide", *node["classes"]])
    opened = " open" if node.get("open", True) else ""
    self.body.append(f'<details class="{classes}"{opened}>\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_fold(self, node):
    self.body.append("</details>\n")


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode

    app.add_node(HideCodeCellNode, override=True, html=(visit_fold, depart_fold))
    app.add_post_transform(MarkFolds)
    app.connect("config-inited", _use_local_mathjax)
    app.connect("builder-inited", _output_folder, priority=900)
    app.connect("doctree-read", _alt_texts)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
