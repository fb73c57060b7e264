"""Real scale-out: the ledger in a real PostgreSQL server and executions on real Dask workers."""
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.intake.submit import submit
from grader.records.ledger import Ledger

from ..conftest import make_toy_course, toy_submission

pytestmark = pytest.mark.slow
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd, **kw):
    runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*runner, *cmd], check=True, capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def postgres_url():
    if not PG_BIN:
        pytest.skip("PostgreSQL is not installed (make test installs Debian's postgresql when run as root)")
    bindir = Path(PG_BIN[-1])
    base = Path(tempfile.mkdtemp(prefix="mlip-pg-"))
    base.chmod(0o755)
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    _as_postgres(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
                 f"-k {sock} -p {port} -c listen_addresses=127.0.0.1", "start", timeout=60)
    try:
        _as_postgres(str(bindir / "createdb"), "-h", str(sock), "-p", str(port), "-U", "postgres", "mlip")
        yield f"postgresql://postgres@127.0.0.1:{port}/mlip"
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "stop"] if os.geteuid() == 0 else [str(bindir / "pg_ctl"), "-D", str(data), "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def dask_scheduler():
    port = _free_port()
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                              "--port", str(port), "--no-dashboard"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env)
    address = f"tcp://127.0.0.1:{port}"
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "2",
                               "--nthreads", "1", "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)
    try:
        from distributed import Client

        deadline = time.monotonic() + 90
        with Client(address, timeout=60) as client:
            while len(client.scheduler_info()["workers"]) < 2:
                assert time.monotonic() < deadline, "Dask workers did not start"
                time.sleep(0.5)
        yield address
    finally:
        for proc in (worker, sched):
            proc.terminate()
        for proc in (worker, sched):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def mlip(*args):
    out = subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_postgres_ledger_with_dask_workers(tmp_path, postgres_url, dask_scheduler):
    course = make_toy_course(tmp_path / "course")
    good = toy_submission(course, tmp_path / "good", solution=True)
    wrong = toy_submission(course, tmp_path / "wrong", {"square_answer": "def square(x):\n    return 2 * x",
                                                        "mean_answer": "def mean(xs):\n    return sum(xs) / len(xs)"})
    for student, path in (("ana", good), ("ben", wrong), ("cid", good)):
        mlip("submit", "toy", path, "--student", student, "--at", "2026-09-14T10:00:00Z",
             "--course", course.root, "--db-url", postgres_url)
    out = mlip("grade", "toy", "--course", course.root, "--db-url", postgres_url, "--scheduler", dask_scheduler)
    assert "graded 3 attempt(s)" in out
    doc = json.loads(mlip("status", "toy", "--json", "--course", course.root, "--db-url", postgres_url))
    verdicts = {s["student"]: s["attempts"][0]["specs"] for s in doc["students"]}
    assert verdicts == {"ana": {"square": True, "mean": True}, "ben": {"square": False, "mean": True},
                        "cid": {"square": True, "mean": True}}
    # everything lives in PostgreSQL: the course's own SQLite ledger stays empty
    local = Ledger(course.default_db_url)
    try:
        assert local.attempts() == []
    finally:
        local.close()
    # a second grade finds nothing left to do
    assert "graded 0 attempt(s)" in mlip("grade", "toy", "--course", course.root, "--db-url", postgres_url)


def test_postgres_ledger_keeps_one_attempt_per_content(tmp_path, postgres_url):
    course = make_toy_course(tmp_path / "course")
    good = toy_submission(course, tmp_path / "good", solution=True)
    ledger = Ledger(postgres_url)
    try:
        first = submit(course, ledger, "toy", [good], student="dora", at="2026-09-14T10:00:00Z")
        again = submit(course, ledger, "toy", [good], student="dora", at="2026-09-14T11:00:00Z")
        assert first.new and not again.new and ledger.url.startswith("postgresql+psycopg://")
        assert [a.number for a in ledger.attempts("toy", "dora")] == [1]
    finally:
        ledger.close()


def test_unreachable_database_is_a_clear_error(tmp_path):
    course = make_toy_course(tmp_path / "course")
    out = subprocess.run([sys.executable, "-m", "grader.cli", "status", "toy", "--course", str(course.root),
                          "--db-url", f"postgresql://nobody@127.0.0.1:{_free_port()}/none"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and out.stderr.startswith("mlip: cannot open the ledger at")
    assert out.stderr.count("\n") == 1
