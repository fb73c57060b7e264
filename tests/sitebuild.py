"""The course site built once per test session, from a few lectures, and served on 127.0.0.1.

The build is `make site`'s own (``python -m website``) with ``--only``: three lectures (with plots, tables, a
solution, several helpers) rather than all 23, so that it fits in `make test`. Executed lectures come from the
kit's cache (``build/site-cache``, keyed by notebook, parameters and helper code), so a session after `make site`
or an earlier session runs none of them again.
"""
from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parent.parent
SITE_LECTURES = ("01", "04", "16")


@dataclass
class BuiltSite:
    root: Path
    """The site's folder (``index.html`` and the rest)."""
    work: Path
    first: subprocess.CompletedProcess
    seconds: float

    def build_again(self) -> tuple[subprocess.CompletedProcess, float]:
        return _build(self.root, self.work)

    def pages(self) -> list[str]:
        """Every HTML page of the site, as paths relative to its root."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*.html")
                      if "_static" not in p.parts)


def _build(out: Path, work: Path) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "website", "--only", *SITE_LECTURES, "--out", str(out),
                          "--work", str(work), "--cache", str(KIT / "build" / "site-cache")],
                         cwd=KIT, capture_output=True, text=True, timeout=900)
    return res, time.monotonic() - start


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    base = tmp_path_factory.mktemp("site")
    res, seconds = _build(base / "site", base / "work")
    assert res.returncode == 0, f"python -m website failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return BuiltSite(base / "site", base / "work", res, seconds)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site served over HTTP on 127.0.0.1 (a random port), as a reader's browser would get it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_Quiet, directory=str(built_site.root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
