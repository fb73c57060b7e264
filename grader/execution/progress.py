"""Progress of a batch (grading, checking, similarity) as `mlip run` shows it: one progress library for all.

On a terminal, a tqdm bar on stderr with counts, rate and time left, the latest item beside it; anywhere else
(CI, a log, a pipe) one plain line per item on stdout, so a log reads as a list and nothing is redrawn.
"""
from __future__ import annotations

import os
import sys


class Progress:
    """Counts items as they finish; ``start(total)`` once the total is known, ``done(line)`` per item."""

    def __init__(self, desc: str, unit: str, *, bar: bool | None = None, stream=None, out=None):
        self.desc, self.unit = desc, unit
        self.stream = stream if stream is not None else sys.stderr
        self.out = out if out is not None else sys.stdout
        self.use_bar = _is_terminal(self.stream) if bar is None else bar
        self.total, self.count, self._bar = None, 0, None

    def start(self, total: int) -> None:
        """Begin counting ``total`` items."""
        self.total = total
        if self.use_bar and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self.desc, unit=self.unit, file=self.stream,
                             ncols=_size(self.stream, 0, 80), nrows=_size(self.stream, 1, 24))

    def done(self, line: str, *, problem: bool = False) -> None:
        """One item finished; ``line`` says which and how (a ``problem`` stays above the bar on a terminal)."""
        self.count += 1
        if self._bar is not None:
            self._bar.set_postfix_str(line[:60], refresh=False)
            self._bar.update(1)
            if problem:
                self._bar.write(line, file=self.stream)
        else:
            of = f"/{self.total}" if self.total else ""
            print(f"[{self.count}{of}] {line}", file=self.out, flush=True)

    def close(self) -> None:
        """Finish the bar (also after Ctrl-C: the terminal is left clean)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _size(stream, which: int, default: int) -> int:
    """The terminal's width (0) or height (1); ``default`` where it reports none (a new pseudo-terminal says 0,
    and tqdm then draws nothing)."""
    try:
        return os.get_terminal_size(stream.fileno())[which] or default
    except (AttributeError, ValueError, OSError):
        return default


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
