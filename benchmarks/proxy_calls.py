"""Where the time of one proxied call goes: round trip, pickling the arguments, encoding and decoding the answer.

A student's kernel is started (unsandboxed, as `--sandbox none` would), the grading agent is booted in it, and
this process plays the judge: it calls a student function that returns its argument's first column as a boolean
Series, for DataFrames of growing size, and times each part on its own.

    python benchmarks/proxy_calls.py [--repeat 30]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(KIT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

from grader.grading import proxy, wire  # noqa: E402
from grader.grading.agent import Agent  # noqa: E402
from grader.grading.judge import AGENT, BOOT  # noqa: E402

STUDENT = "def flag(df):\n    return df.iloc[:, 0] > 0\n\ndef nothing():\n    return None\n"


def _ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args(argv)
    km = KernelManager(kernel_name="python3", transport="ipc", ip=f"/tmp/mlip-bench-{time.time_ns()}")
    km.start_kernel()
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        kc.execute_interactive(BOOT % AGENT.read_text() + "import pandas\n" + STUDENT, timeout=60)
        info = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in km.get_connection_info().items()}
        namespace: dict = {}
        channel = proxy.connect(info, namespace)
        channel.bind(["flag", "nothing"])
        print(f"median of {args.repeat} calls, milliseconds")
        print(f"{'call':<34} {'whole call':>10} {'pickle args':>12} {'encode answer':>14} {'decode answer':>14}")
        print(f"{'nothing() (round trip only)':<34} {_ms(namespace['nothing'], args.repeat):>10.2f}")
        rng = np.random.default_rng(0)
        for rows in (100, 10_000, 300_000):
            df = pd.DataFrame({"x": rng.normal(size=rows), "s": rng.choice(["a", "b"], rows)})
            answer = df["x"] > 0
            agent = Agent(shell=None)
            blob = agent.pack(agent.enc(answer))
            decode = wire.Decoder(lambda *a: None)
            whole = _ms(lambda: namespace["flag"](df), args.repeat)
            dumps = _ms(lambda: wire.dumps(df, channel.handle_id), args.repeat)
            encode = _ms(lambda: agent.pack(agent.enc(answer)), args.repeat)
            decoded = _ms(lambda: decode(wire.unpack(blob)), args.repeat)
            print(f"{f'flag(DataFrame of {rows:,} rows)':<34} {whole:>10.2f} {dumps:>12.2f} {encode:>14.2f} "
                  f"{decoded:>14.2f}")
        channel.close()
    finally:
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
