"""How long the whole curriculum takes under `mlip run notebooks/ --jobs N`, per seed, at the default size.

A student runs one lecture in seconds; a TA or CI runs all of them in batch. The goal (issue 13) is the whole
curriculum in under 5 minutes with `--jobs 2` on a 2-core machine. The script runs the curriculum once per seed,
prints the wall time of each run, the three slowest notebooks of each, and the machine's load before and after, so
a number measured on a busy machine can be told apart from one measured on a quiet one.

    python benchmarks/curriculum.py [--seeds 0 1 2] [--jobs 2] [--param n_samples 300]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 300


def run(seed: int, jobs: int, extra: list[str]) -> tuple[float, list[tuple[str, str, float]]]:
    """Wall seconds of one curriculum run, and (notebook, status, seconds) per notebook from its table."""
    mlip = str(Path(sys.executable).with_name("mlip"))
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        res = subprocess.run([mlip, "run", str(KIT / "notebooks"), "-p", "seed", str(seed), *extra,
                              "--jobs", str(jobs), "--out", out, "--no-progress"], capture_output=True, text=True)
        wall = time.perf_counter() - start
    rows = []
    for line in res.stdout.splitlines():
        parts = line.split()
        if parts and parts[0].endswith(".ipynb") and len(parts) >= 3:
            rows.append((parts[0], parts[1], float(parts[2])))
    return wall, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                    help="another parameter for every notebook, e.g. --param n_samples 300")
    args = ap.parse_args()
    extra = [x for name, value in args.param for x in ("-p", name, value)]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, --jobs {args.jobs}, load average before "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for seed in args.seeds:
        wall, rows = run(seed, args.jobs, extra)
        failed = [f"{name} {status}" for name, status, _ in rows if status != "ok"]
        slowest = sorted(rows, key=lambda r: -r[2])[:3]
        print(f"seed {seed}: {len(rows)} notebooks in {wall:.1f} s ({'within' if wall < GOAL_SECONDS else 'OVER'} "
              f"the {GOAL_SECONDS} s goal); slowest: {', '.join(f'{n} {s:.1f} s' for n, _, s in slowest)}"
              + (f"; NOT CLEAN: {', '.join(failed)}" if failed else ""))
    print(f"load average after {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
