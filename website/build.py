"""`make site`: the lectures executed (or taken from the cache) and built into a static site with Sphinx.

    python -m website [--out build/site] [--jobs N] [--only 01 16 ...]

Steps, in order: read the lectures (lectures.py), execute what changed (execute.py), write the Sphinx sources
(sources.py), run Sphinx (conf.py, sphinxext.py). Exit status 0 when the site was built and every lecture ran, 1
when a lecture failed (the site is still written, the failure shown on its page) or Sphinx failed, 2 on bad usage.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from website.lectures import KIT, find_lectures, read_lecture

CONF_DIR = Path(__file__).resolve().parent


def build(*, out: Path = KIT / "build" / "site", work: Path = KIT / "build" / "site-work",
          cache: Path = KIT / "build" / "site-cache", notebooks: Path = KIT / "notebooks",
          only: list[str] | None = None, jobs: int = 0, quiet: bool = False) -> int:
    """Build the site into ``out``; return the exit status. ``only`` keeps the lectures whose file name starts
    with one of its entries (a smaller site, for tests); ``work`` holds Sphinx's sources and doctrees."""
    from website.execute import execute
    from website.sources import write_sources

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    started = time.monotonic()
    paths = find_lectures(notebooks)
    if only:
        # a bare number names one lecture: "04" is 04-model-correctness, not 04b-team-conflicts too
        paths = [p for p in paths if any(p.name.startswith(o + "-" if o.isdigit() else o) for o in only)]
    if not paths:
        print(f"error: no lecture notebooks found in {notebooks}"
              + (f" matching {' '.join(only)}" if only else ""), file=sys.stderr)
        return 2
    lectures = [read_lecture(p) for p in paths]
    runs = execute(lectures, cache=cache, jobs=jobs or os.cpu_count() or 1, progress=not quiet)
    ran = [r for r in runs if r.status != "cached"]
    say(f"lectures: {len(runs)}, {len(runs) - len(ran)} from the cache, {len(ran)} run "
        f"({time.monotonic() - started:.0f} s)")
    for r in runs:
        if r.failed:
            print(f"warning: {r.lecture.path.name}: {r.status}: {r.reason}", file=sys.stderr)
    changed = write_sources(runs, Path(work) / "src")
    say(f"sources: {len(changed)} changed")
    from sphinx.cmd.build import build_main

    args = ["-b", "html", "-c", str(CONF_DIR), "-d", str(Path(work) / "doctrees"), "-j", "auto",
            str(Path(work) / "src"), str(out)]
    status = build_main(args + (["-q"] if quiet else []))
    if status:
        print(f"error: Sphinx failed (exit {status}); see its messages above", file=sys.stderr)
        return 1
    say(f"site: {Path(out).resolve() / 'index.html'} ({time.monotonic() - started:.0f} s)")
    return 1 if any(r.failed for r in runs) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m website", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=build.__kwdefaults__["out"], help="the site's folder")
    parser.add_argument("--work", type=Path, default=build.__kwdefaults__["work"],
                        help="Sphinx's sources and doctrees (kept for the next, incremental build)")
    parser.add_argument("--cache", type=Path, default=build.__kwdefaults__["cache"],
                        help="executed lectures, by the hash of notebook, parameters and helper code")
    parser.add_argument("--jobs", type=int, default=0, help="lectures run at once (default: one per core)")
    parser.add_argument("--only", nargs="+", metavar="PREFIX", help="only the lectures whose file names start so (a bare number: that lecture only)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    return build(out=args.out, work=args.work, cache=args.cache, only=args.only, jobs=args.jobs, quiet=args.quiet)
