"""How long the `mlip` command takes to start: `--help`, `status` and `submit` on a released toy course.

Each command runs as its own process, as a TA runs it; the script prints, per command, the median and the best
wall-clock time and the median CPU time (user + system) of the process. CPU time is what the command itself costs;
wall time also shows how busy the machine is. Targets (issue 14): `mlip --help` under 0.3 s, `mlip status` and
`mlip submit` under 1 s.

    python benchmarks/startup.py [--repeat 7]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(KIT))


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``cmd`` (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs of each command (default: %(default)s)")
    args = ap.parse_args()
    from tests.conftest import make_toy_course, toy_submission

    mlip = str(Path(sys.executable).with_name("mlip"))
    with tempfile.TemporaryDirectory() as tmp:
        course = make_toy_course(Path(tmp) / "course")
        folders = [toy_submission(course, Path(tmp) / f"s{i}", {"square_answer": f"def square(x):\n    return x*{i}"})
                   for i in range(args.repeat + 1)]
        c = ["--course", str(course.root)]
        subprocess.run([mlip, "submit", "toy", str(folders[-1]), "--student", "warm", *c], check=True,
                       stdout=subprocess.DEVNULL)  # the ledger exists before anything is timed
        commands = {
            "mlip --help": lambda i: [mlip, "--help"],
            "mlip status toy": lambda i: [mlip, "status", "toy", *c],
            "mlip status toy --json": lambda i: [mlip, "status", "toy", "--json", *c],
            "mlip submit toy NB --student S": lambda i: [mlip, "submit", "toy", str(folders[i]), "--student", f"s{i}",
                                                          *c],
        }
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}, {args.repeat} runs each")
        print(f"{'command':<34} {'wall median':>12} {'wall best':>10} {'cpu median':>11}")
        for name, cmd in commands.items():
            runs = [timed(cmd(i)) for i in range(args.repeat)]
            walls, cpus = [w for w, _ in runs], [u for _, u in runs]
            print(f"{name:<34} {statistics.median(walls):>11.3f}s {min(walls):>9.3f}s {statistics.median(cpus):>10.3f}s")


if __name__ == "__main__":
    main()
