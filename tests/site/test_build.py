"""`make site`'s build, read as files: nothing fetched from elsewhere, nothing from assignments, incremental."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

KIT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

LOCAL_HOSTS = {"", "127.0.0.1", "localhost"}
# attributes through which a page loads something (an <a href> is a link a reader may follow, not a load)
LOADS = {("script", "src"), ("img", "src"), ("img", "srcset"), ("link", "href"), ("iframe", "src"),
         ("source", "src"), ("source", "srcset"), ("video", "src"), ("audio", "src"), ("embed", "src"),
         ("object", "data"), ("form", "action")}


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if (tag, name) in LOADS and value:
                self.loads += [v.strip().split(" ")[0] for v in value.split(",")] if name == "srcset" else [value]
        if tag == "img":
            self.images.append(attrs)


def _external(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme not in ("", "data", "blob") or parsed.netloc not in LOCAL_HOSTS


def test_the_site_has_a_home_page_the_lectures_their_helpers_and_search(built_site):
    root = built_site.root
    for page in ("index.html", "search.html", "searchindex.js", "lectures/01-introduction.html",
                 "lectures/04-model-correctness.html", "lectures/16-measuring-fairness.html",
                 "helpers/fairness.html", "_static/mathjax/tex-chtml.js"):
        assert (root / page).is_file(), page
    home = (root / "index.html").read_text(encoding="utf-8")
    assert home.index("Introduction: from models to systems") < home.index("Measuring fairness")
    assert "After this lecture you can" in home and "mlip_helpers.fairness" in home
    downloads = list((root / "_downloads").rglob("*.ipynb"))
    assert sorted(p.name for p in downloads) == ["01-introduction.ipynb", "04-model-correctness.ipynb",
                                                 "16-measuring-fairness.ipynb"]


def test_nothing_is_loaded_from_another_host(built_site):
    pages = list(built_site.root.rglob("*.html"))
    bad = {}
    for page in pages:
        refs = _Refs()
        refs.feed(page.read_text(encoding="utf-8"))
        away = [u for u in refs.loads if _external(u)]
        inline = re.findall(r"https?://[^\s\"'<>)]+", re.sub(r"<a\s[^>]*>", "", page.read_text(encoding="utf-8")))
        inline = [u for u in inline if _external(u) and "www.w3.org/" not in u]
        if away or inline:
            bad[str(page.relative_to(built_site.root))] = away + inline
    assert bad == {}, "pages refer to other hosts (only <a> links may)"
    for css in built_site.root.rglob("*.css"):
        urls = re.findall(r"(?:url\(|@import\s+)[\"']?([^\"')\s;]+)", css.read_text(encoding="utf-8"))
        assert [u for u in urls if _external(u)] == [], css
    conf = (built_site.root / "_static" / "documentation_options.js").read_text(encoding="utf-8")
    assert "http" not in conf
    assert not (built_site.root / "_static" / "mathjax" / "latest.js").exists(), "latest.js asks a CDN"


def test_no_assignment_source_reaches_the_site(built_site):
    markers = ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "### AUTOTEST", '"nbgrader"']
    names = {p.name for p in (KIT / "assignments").rglob("*") if p.is_file()}
    for f in built_site.root.rglob("*"):
        if f.is_file() and "mathjax" not in f.parts:
            assert f.name not in names, f"{f} is a file of assignments/"
            if f.suffix in (".html", ".ipynb", ".js", ".py", ".txt"):
                text = f.read_text(encoding="utf-8", errors="replace")
                assert not [m for m in markers if m in text], f"{f} holds assignment source"


def test_every_plot_has_an_alt_text_that_describes_it(built_site):
    alts = []
    for page in (built_site.root / "lectures").glob("*.html"):
        refs = _Refs()
        refs.feed(page.read_text(encoding="utf-8"))
        alts += [img.get("alt", "") for img in refs.images]
    assert len(alts) >= 3
    assert [a for a in alts if len(a.split()) < 4 or a.endswith(".png")] == []


def test_a_second_build_with_nothing_changed_runs_no_lecture_and_reads_no_page(built_site):
    res, seconds = built_site.build_again()
    assert res.returncode == 0, res.stderr[-2000:]
    assert "3 from the cache, 0 run" in res.stdout, res.stdout[-2000:]
    assert "sources: 0 changed" in res.stdout
    assert re.search(r"(no targets are out of date|0 source files that are out of date|0 added, 0 changed)",
                     res.stdout), res.stdout[-2000:]
    print(f"first build {built_site.seconds:.0f} s, second {seconds:.0f} s")
