"""The sandbox a student's kernel runs in: bubblewrap, an unprivileged user, no network, resource limits.

The kernel sees the system's programs and libraries read-only, the Python environment read-only, the kit's
`mlip_helpers` read-only, its own working copy read-write, and nothing else: not the course folder, not the
gradebook or ledger, not `source/`, not other students' copies. It talks to its client over ipc sockets in a
folder bound into the sandbox, so it needs no network at all.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from grader.model.errors import MlipError

KIT = Path(__file__).resolve().parents[2]
GiB = 1024**3
PASSED_ENV = ("LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TZ")


@dataclass(frozen=True)
class SandboxSpec:
    """How a kernel is confined."""

    kind: str = "bwrap"
    """``bwrap`` (bubblewrap) or ``none`` (no confinement; must be asked for explicitly)."""
    memory_bytes: int = 2 * GiB
    """Address-space limit of every process in the sandbox."""
    cpu_seconds: int = 600
    """CPU time of each process."""
    max_processes: int = 128
    """Processes the sandbox's user may have at once (stops fork storms)."""
    max_file_bytes: int = 100 * 1024**2
    """Largest file a process may write."""
    max_open_files: int = 1024
    threads: int = 0
    """Threads numeric libraries may use in the kernel (0: their default); set so parallel kernels don't fight."""


@functools.lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """Whether bubblewrap is installed and can create namespaces here."""
    exe = shutil.which("bwrap")
    if not exe:
        return False
    try:
        res = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"],
                             capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return res.returncode == 0


def require(kind: str) -> None:
    """Raise a clear error when the requested sandbox cannot be used."""
    if kind not in ("bwrap", "none"):
        raise MlipError(f"unknown sandbox {kind!r}; use bwrap, or none to run student code unconfined")
    if kind == "bwrap" and not bwrap_works():
        raise MlipError(
            "bubblewrap (bwrap) is not installed or cannot create namespaces here; install the Debian package "
            "`bubblewrap`, or pass --sandbox none to grade without a sandbox (every attempt will say so)")


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")


def thread_env(threads: int) -> dict[str, str]:
    """Environment that caps numeric libraries' threads (empty when ``threads`` is 0)."""
    return {name: str(threads) for name in THREAD_VARS} if threads > 0 else {}


def _ancestors(path: Path) -> list[Path]:
    return [p for p in reversed(path.parents) if str(p) != "/"]


def _ro_binds() -> list[Path]:
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    helpers = KIT / "mlip_helpers"
    if helpers.is_dir():
        paths.add(helpers)
    return sorted(paths)


def bwrap_prefix(spec: SandboxSpec, *, uid: int, work: Path, home: Path, sockets: Path) -> list[str]:
    """The command that wraps a kernel's own command line."""
    args = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib64", "lib32"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    args += ["--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--tmpfs", "/dev/shm", "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[Path] = set()
    binds = [(p, p, "--ro-bind") for p in _ro_binds()]
    binds += [(work, work, "--bind"), (sockets, sockets, "--bind"), (home, Path("/home/student"), "--bind")]
    for _, target, _ in binds:
        for anc in _ancestors(target):
            if anc not in made and anc not in {Path("/usr"), Path("/etc"), Path("/tmp")}:
                args += ["--perms", "0755", "--dir", str(anc)]
                made.add(anc)
    for src, target, how in binds:
        args += [how, str(src), str(target)]
    args += ["--chdir", str(work), "--clearenv",
             "--setenv", "HOME", "/home/student", "--setenv", "USER", "student",
             "--setenv", "PATH", f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
             "--setenv", "MPLCONFIGDIR", "/home/student/.config/matplotlib",
             "--setenv", "IPYTHONDIR", "/home/student/.ipython",
             "--setenv", "JUPYTER_PLATFORM_DIRS", "1", "--setenv", "PYDEVD_DISABLE_FILE_VALIDATION", "1",
             "--setenv", "NBGRADER_EXECUTION", "autograde",  # as nbgrader autograde sets it
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "MPLBACKEND", "module://matplotlib_inline.backend_inline"]
    for name in PASSED_ENV:
        if os.environ.get(name):
            args += ["--setenv", name, os.environ[name]]
    for name, value in thread_env(spec.threads).items():
        args += ["--setenv", name, value]
    args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
             "--bounding-set=-all", "prlimit", f"--as={spec.memory_bytes}", f"--cpu={spec.cpu_seconds}",
             f"--nproc={spec.max_processes}", f"--fsize={spec.max_file_bytes}", f"--nofile={spec.max_open_files}",
             "--core=0", "--"]
    return args


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts inside the sandbox, as an unprivileged user."""

    def configure_sandbox(self, spec: SandboxSpec, *, uid: int, work: Path, home: Path, sockets: Path) -> None:
        """Set where the kernel lives and as whom; call before starting it."""
        self._sandbox = (spec, uid, work, home, sockets)
        self.connection_file = str(sockets / "kernel.json")

    @property
    def kernel_spec(self):
        """The kernel's spec, interrupted by message: a signal would stop bubblewrap, not the kernel."""
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    def format_kernel_cmd(self, extra_arguments=None):
        """The kernel's own command, wrapped by bubblewrap, setpriv and prlimit."""
        cmd = super().format_kernel_cmd(extra_arguments)
        spec, uid, work, home, sockets = self._sandbox
        os.chown(self.connection_file, uid, uid)
        return bwrap_prefix(spec, uid=uid, work=work, home=home, sockets=sockets) + cmd


def prepare_home(home: Path) -> None:
    """A fresh home for the sandbox user with matplotlib's font cache copied in (so nothing warns)."""
    (home / ".config" / "matplotlib").mkdir(parents=True, exist_ok=True)
    cache = _font_cache()
    if cache:
        shutil.copy(cache, home / ".config" / "matplotlib" / cache.name)


@functools.lru_cache(maxsize=1)
def _font_cache() -> Path | None:
    try:
        import matplotlib
        from matplotlib import font_manager  # noqa: F401  (building the cache is the point)
    except ImportError:
        return None
    found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return found[-1] if found else None


def give_to(uid: int, *paths: Path) -> None:
    """Make ``paths`` (recursively) belong to the sandbox user."""
    for root in paths:
        os.chown(root, uid, uid)
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                os.chown(os.path.join(dirpath, name), uid, uid, follow_symlinks=False)


def kill_user(uid: int, wait: float = 10.0) -> None:
    """Kill every process of the sandbox user and wait until they are gone.

    The process limit counts per user across the machine: a fork storm whose processes are still dying would
    leave the next kernel of the same user unable to start.
    """
    deadline = time.monotonic() + wait
    while True:
        left = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        left.append(int(entry.name))
                except OSError:
                    continue
        if not left or time.monotonic() > deadline:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.05)
