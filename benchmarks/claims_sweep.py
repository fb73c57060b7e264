"""Which lecture claims fail for seeds beyond those `make test` runs: the whole curriculum, claims recorded.

`make test` proves every claim for seeds 0, 1 and 2 (and seed 0 at n_samples 300). A student may pick any seed, so
this sweep runs all lectures for more seeds with ``MLIP_CLAIMS=record`` (a false claim prints a line starting with
``✘ FALSE CLAIM:`` instead of stopping the lecture), then lists every false claim with its seed, lecture and cell,
and counts the claims checked. It exits 1 when any claim was false or any lecture failed.

    python benchmarks/claims_sweep.py [--seeds 3 4 5 ...] [--jobs 2] [--param n_samples 300]

About 90 s per seed at `--jobs 2` on a 2-core machine.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from mlip_helpers.claims import FALSE_MARK

KIT = Path(__file__).resolve().parent.parent

TICK = "\u2714"


def sweep(seed: int, jobs: int, extra: list[str]) -> tuple[int, list[str], list[str]]:
    """(claims that held, false claims, failed lectures) of one curriculum run."""
    mlip = str(Path(sys.executable).with_name("mlip"))
    with tempfile.TemporaryDirectory() as out:
        res = subprocess.run([mlip, "run", str(KIT / "notebooks"), "-p", "seed", str(seed), *extra,
                              "--jobs", str(jobs), "--out", out, "--no-progress"], capture_output=True, text=True,
                             env={**os.environ, "MLIP_CLAIMS": "record"})
        held, false, failed = 0, [], []
        for path in sorted(Path(out).glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                if "claim(" not in cell.source:  # an exercise's check prints ticks too
                    continue
                text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
                held += sum(line.startswith(TICK) for line in text.splitlines())
                false += [f"seed {seed}  {path.name} cell {cell.get('id')}: {line[len(FALSE_MARK):].strip()}"
                          for line in text.splitlines() if line.startswith(FALSE_MARK)]
        failed = [line for line in res.stdout.splitlines() if ".ipynb" in line and " ok " not in line]
    return held, false, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[3, 4, 5, 6, 7])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="another parameter for every lecture, e.g. --param n_samples 300")
    args = parser.parse_args()
    extra = [x for name, value in args.param for x in ("-p", name, value)]
    all_false, all_failed, total = [], [], 0
    for seed in args.seeds:
        held, false, failed = sweep(seed, args.jobs, extra)
        total += held + len(false)
        all_false += false
        all_failed += failed
        print(f"seed {seed}: {held + len(false)} claims checked, {len(false)} false, {len(failed)} lectures failed",
              flush=True)
    for line in all_false + all_failed:
        print("  " + line)
    print(f"{len(args.seeds)} seeds, {total} claims checked, {len(all_false)} false")
    sys.exit(1 if all_false or all_failed else 0)


if __name__ == "__main__":
    main()
