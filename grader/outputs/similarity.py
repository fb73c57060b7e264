"""`mlip similarity`: pairs of students whose answers match, for a person to judge.

Every student's latest counted attempt is reduced to its answer cells (nbgrader solution cells), the release's
starter code in those cells is boilerplate, and copydetect's winnowed fingerprints compare every pair: its
tokenizer turns names into placeholders and drops comments, and fingerprints do not depend on where code sits,
so renamed variables, changed comments and reordered functions still match. A pair at or above the threshold is
listed, with its matching regions side by side in one self-contained page (copydetect's own report loads a
stylesheet from the internet). The pairs are kept in the course's private folder so that status and the report
can point at them; no grade, verdict or feedback page ever changes because of them.
"""
from __future__ import annotations

import io
import itertools
import json
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path

from grader.model.nbcells import read_notebook
from grader.outputs.pages import html_page
from grader.records.course import Course, released_notebooks
from grader.records.ledger import Ledger, now_utc

K, WINDOW = 25, 1
"""copydetect's defaults: 25-character k-grams of the filtered code, every fingerprint kept."""


@dataclass(frozen=True)
class Pair:
    """Two students whose answers match; ``score`` is the larger share of either's code found in the other's."""

    a: str
    b: str
    score: float
    shares: tuple[float, float]
    """Share of a's code found in b's, and of b's in a's."""


@dataclass(frozen=True)
class SimilarityResult:
    """What `similarity` found: the pairs at or above the threshold, how many were compared, the page."""

    flagged: tuple[Pair, ...]
    pairs: int
    page: Path


def answer_code(nb_path: Path) -> str:
    """The code of a notebook's answer cells (nbgrader solution cells), one after another."""
    nb = read_notebook(nb_path)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code"
                       and c.get("metadata", {}).get("nbgrader", {}).get("solution"))


def _answers(course: Course, assignment: str, db_url: str | None) -> dict[str, str]:
    ledger = Ledger(db_url or course.default_db_url)
    try:
        latest = {a.student: a for a in ledger.attempts(assignment) if a.intake_status == "pending"}
    finally:
        ledger.close()
    names = released_notebooks(course, assignment)
    out = {}
    for sid, a in sorted(latest.items()):
        folder = course.store_dir(assignment, sid) / a.sha256[:16]
        out[sid] = "\n\n".join(answer_code(folder / n) for n in names if (folder / n).is_file())
    return out


def _fingerprint(code: str, boilerplate=None):
    from copydetect import CodeFingerprint

    return CodeFingerprint("answers.py", K, WINDOW, boilerplate=boilerplate, fp=io.StringIO(code))


def similarity(course: Course, assignment: str, *, threshold: float = 0.5, output: str | Path | None = None,
               db_url: str | None = None, progress=None) -> SimilarityResult:
    """Compare every pair of students' latest answers; write the page and the pairs; return what was found.

    ``progress`` (an `execution.progress.Progress`) counts the students as each is compared with those before.
    """
    from copydetect import compare_files

    course.require_released(assignment)
    answers = _answers(course, assignment, db_url)
    starter = "\n\n".join(answer_code(course.master_dir(assignment) / f"release-{n}")
                          for n in released_notebooks(course, assignment))
    boiler = list(_fingerprint(starter).hashes) if starter.strip() else []
    prints, flagged, views, n = {}, [], [], 0
    if progress is not None:
        progress.start(len(answers))
    for sid, code in answers.items():
        prints[sid] = _fingerprint(code, boiler)
        for other in list(prints)[:-1]:
            n += 1
            _, (s1, s2), (sl1, sl2) = compare_files(prints[other], prints[sid])
            score = float(max(s1, s2))
            if score >= threshold:
                flagged.append(Pair(other, sid, round(score, 3), (round(float(s1), 3), round(float(s2), 3))))
                views.append((flagged[-1], _marked(answers[other], sl1), _marked(code, sl2)))
        if progress is not None:
            progress.done(f"{sid}: compared with {len(prints) - 1} before")
    flagged.sort(key=lambda p: -p.score)
    views.sort(key=lambda v: -v[0].score)
    page = Path(output) if output else course.root / "reports" / f"{assignment}-similarity.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render(assignment, views, students=len(answers), pairs=n, threshold=threshold),
                    encoding="utf-8")
    course.similarity_file(assignment).parent.mkdir(parents=True, exist_ok=True)
    course.similarity_file(assignment).write_text(json.dumps(
        {"threshold": threshold, "run_at": now_utc().isoformat(), "page": str(page),
         "pairs": [asdict(p) for p in flagged]}, indent=1))
    return SimilarityResult(tuple(flagged), n, page)


def _marked(code: str, slices) -> str:
    """The code as HTML with the matching regions (copydetect's slices into the raw code) marked."""
    spans = sorted((int(s), int(e)) for s, e in zip(*slices)) if len(slices) and len(slices[0]) else []
    out, at = [], 0
    for start, end in spans:
        start = max(start, at)
        if end <= start:
            continue
        out += [escape(code[at:start]), f"<mark>{escape(code[start:end])}</mark>"]
        at = end
    out.append(escape(code[at:]))
    return "".join(out)


CSS = """
.pair{margin:1.2rem 0 2rem}.sides{display:flex;gap:.6rem;flex-wrap:wrap}
.sides>div{flex:1 1 22rem;min-width:0}.sides pre{background:#f6f6f9;padding:.6rem;overflow-x:auto;font-size:.82rem;
margin:.2rem 0;white-space:pre}mark{background:#ffe08a;color:inherit}
"""


def render(assignment: str, views: list, *, students: int, pairs: int, threshold: float) -> str:
    """The self-contained page: each flagged pair with both students' answers, matching regions marked."""
    parts = []
    for pair, left, right in views:
        parts.append(
            f"<section class=pair><h2>{escape(pair.a)} and {escape(pair.b)}: {pair.score:.0%}</h2>"
            f"<p class=muted>{pair.shares[0]:.0%} of {escape(pair.a)}'s answer code is found in "
            f"{escape(pair.b)}'s; {pair.shares[1]:.0%} of {escape(pair.b)}'s in {escape(pair.a)}'s.</p>"
            f"<div class=sides><div><h3>{escape(pair.a)}</h3><pre>{left}</pre></div>"
            f"<div><h3>{escape(pair.b)}</h3><pre>{right}</pre></div></div></section>")
    lead = (f"{students} students' latest answers, {pairs} pairs compared; {len(views)} at or above "
            f"{threshold:.0%}. Names, comments and order do not hide a match; the release's starter code is "
            "ignored. A high score is a reason to look, not a finding: grades are never changed by it.")
    body = (f"<header><p class=kicker>{escape(assignment)} \u00b7 similarity</p><h1>Similar answers</h1>"
            f"<p class=lead>{escape(lead)}</p></header>"
            + ("".join(parts) or "<p>No pair reaches the threshold.</p>"))
    return html_page(f"{assignment}: similar answers", body, css=CSS)
