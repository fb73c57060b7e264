"""What the site reads from a lecture, the cache key of its executed copy, and the pages written from it."""
from __future__ import annotations

import base64
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from website.execute import Executed
from website.lectures import find_lectures, learning_goals, read_lecture
from website.sources import FALLBACK_ALT, home_page, prepare_lecture, write_sources

KIT = Path(__file__).resolve().parents[2]
LECTURES = find_lectures()


@pytest.mark.parametrize("path", LECTURES, ids=[p.name for p in LECTURES])
def test_every_lecture_gives_a_title_goals_and_helpers_that_exist(path):
    lec = read_lecture(path)
    assert lec.title and not lec.title.startswith("#")
    assert len(lec.goals) >= 2 and all(g and not g[0].isdigit() for g in lec.goals)
    for module in lec.helpers:
        assert (KIT / "mlip_helpers" / f"{module.split('.', 1)[1]}.py").is_file(), module
    assert KIT / "mlip_helpers" / "__init__.py" in lec.helper_files


def test_lectures_are_in_course_order():
    numbers = [read_lecture(p).number for p in LECTURES[:3]]
    assert numbers == sorted(numbers) and numbers[0] == "01"


def test_learning_goals_join_continued_lines_and_stop_after_the_list():
    md = textwrap.dedent("""\
        # Title

        **Learning goals.** After this notebook you can

        1. do one thing,
           over two lines;
        2. do *another*.

        The rest of the introduction.
        3. not a goal
        """)
    assert learning_goals(md) == ["do one thing, over two lines;", "do *another*."]
    assert learning_goals("# No goals here") == []


def _notebook(path: Path, *sources: str, outputs=None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A lecture\n\n**Learning goals.** After this you can\n\n1. learn.")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    if outputs:
        nb.cells[-1].outputs = outputs
    nbformat.write(nb, path)
    return path


@pytest.fixture
def kit(tmp_path):
    """A small helper package (a imports b; c stands alone) and a lecture that imports a."""
    helpers = tmp_path / "mlip_helpers"
    helpers.mkdir()
    (helpers / "__init__.py").write_text('"""Helpers."""\n')
    (helpers / "a.py").write_text('"""A."""\nfrom .b import twice\n\ndef f(x):\n    """Twice x."""\n    return twice(x)\n')
    (helpers / "b.py").write_text("def twice(x):\n    return 2 * x\n")
    (helpers / "c.py").write_text("def unrelated():\n    return 0\n")
    nb = _notebook(tmp_path / "01-a-lecture.ipynb", "%matplotlib inline\nfrom mlip_helpers.a import f\nf(2)")
    return helpers, nb


def test_cache_key_follows_the_notebook_its_parameters_and_the_helper_code_it_reaches(kit):
    helpers, nb = kit
    lec = read_lecture(nb, helpers)
    assert lec.helpers == ("mlip_helpers.a",)
    assert [f.name for f in lec.helper_files] == ["__init__.py", "a.py", "b.py"]
    key = lec.cache_key()
    assert read_lecture(nb, helpers).cache_key() == key
    assert lec.cache_key({"n_samples": 300}) != key
    (helpers / "c.py").write_text("def unrelated():\n    return 1\n")
    assert read_lecture(nb, helpers).cache_key() == key, "a helper the lecture cannot reach changed its key"
    (helpers / "b.py").write_text("def twice(x):\n    return x + x\n")
    changed = read_lecture(nb, helpers).cache_key()
    assert changed != key, "a helper the lecture reaches through another changed, its key did not"
    _notebook(nb, "from mlip_helpers.a import f\nf(3)")
    assert read_lecture(nb, helpers).cache_key() != changed
    assert lec.cache_key(extra=b"other start-up code") != key


def _png(seed: int) -> str:
    return base64.b64encode(b"\x89PNG fake image " + bytes([seed])).decode()


def test_a_lecture_is_prepared_with_collapsible_code_a_folded_solution_and_alt_texts(kit, tmp_path):
    helpers, _ = kit
    plot = nbformat.v4.new_output("display_data", data={"image/png": _png(1), "text/plain": "Plot: \u201cRates\u201d"})
    bare = nbformat.v4.new_output("display_data", data={"image/png": _png(2),
                                                         "text/plain": "<Figure size 640x480 with 1 Axes>"})
    nb_path = _notebook(tmp_path / "02-plots.ipynb", "from mlip_helpers.a import f", "answer = f(1)",
                        outputs=[plot, bare])
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[1].metadata["tags"] = ["solution"]
    nbformat.write(nb, nb_path)
    run = Executed(read_lecture(nb_path, helpers), nb_path, "ok")
    prepared, alts = prepare_lecture(run)
    code = [c for c in prepared.cells if c.cell_type == "code"]
    assert "hide-cell" in code[0].metadata.tags and code[0].metadata.mystnb["code_prompt_show"] == "Show the solution"
    assert "hide-input" in code[1].metadata.tags and code[1].metadata.mystnb["code_prompt_hide"] == "Hide code"
    assert sorted(alts.values()) == [FALLBACK_ALT, "Plot: \u201cRates\u201d"]
    note = prepared.cells[1].source
    assert "{download}`Download the notebook <../_notebooks/02-plots.ipynb>`" in note
    assert "[mlip_helpers.a](../helpers/a.md)" in note


def test_home_page_lists_lectures_in_order_with_goals_notebook_and_helpers(kit, tmp_path):
    helpers, nb = kit
    other = _notebook(tmp_path / "02-next.ipynb", "import numpy")
    runs = [Executed(read_lecture(nb, helpers), nb, "cached"),
            Executed(read_lecture(other, helpers), other, "error", reason="cell 2 raised ValueError")]
    page = home_page(runs)
    first, second = page.index("### 1. [A lecture](lectures/01-a-lecture.ipynb)"), page.index("### 2. [A lecture]")
    assert first < second
    assert "1. learn." in page and "{download}`01-a-lecture.ipynb <_notebooks/01-a-lecture.ipynb>`" in page
    assert "Helpers: [mlip_helpers.a](helpers/a.md)." in page and "Helpers: none." in page
    assert "did not finish: error" in page


def test_sources_are_rewritten_only_when_they_change_and_stale_ones_go(kit, tmp_path):
    helpers, nb = kit
    src = tmp_path / "src"
    runs = [Executed(read_lecture(nb, helpers), nb, "cached")]
    first = write_sources(runs, src, helpers_dir=helpers)
    assert {p.relative_to(src).as_posix() for p in first} >= {
        "index.md", "lectures/01-a-lecture.ipynb", "helpers/a.md", "_helpers/a.py", "_notebooks/01-a-lecture.ipynb"}
    assert write_sources(runs, src, helpers_dir=helpers) == []
    (src / "lectures" / "99-gone.ipynb").write_text("{}")
    write_sources(runs, src, helpers_dir=helpers)
    assert not (src / "lectures" / "99-gone.ipynb").exists()
    helper_page = (src / "helpers" / "a.md").read_text()
    assert "| `f` | Twice x. |" in helper_page and "[A lecture](../lectures/01-a-lecture.ipynb)" in helper_page


def test_the_figure_describer_says_what_a_plot_shows():
    script = textwrap.dedent(f"""
        import matplotlib
        matplotlib.use("agg")
        import matplotlib.pyplot as plt
        from IPython.lib.pretty import pretty
        exec(open({str(KIT / 'website' / 'describe_figures.py')!r}).read(), {{}})
        fig, (left, right) = plt.subplots(1, 2)
        fig.suptitle("Two views")
        left.plot([0, 1, 2], [1, 3, 2], label="model")
        left.plot([0, 1, 2], [1, 1, 1], label="baseline")
        left.legend()
        left.set(title="Accuracy by month", xlabel="month", ylabel="accuracy")
        right.bar(["A", "B"], [0.2, 0.4])
        right.set_ylabel("selection rate")
        print(pretty(fig))
        print(pretty(plt.figure()))
        """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    described, empty = res.stdout.strip().splitlines()
    for words in ("Two views", "2 panels", "Accuracy by month", "2 lines", "\u201cmonth\u201d", "\u201caccuracy\u201d",
                  "legend: model, baseline", "2 bars", "(A, B)", "\u201cselection rate\u201d"):
        assert words in described, f"{words!r} not in {described!r}"
    assert empty == "Figure without axes"
