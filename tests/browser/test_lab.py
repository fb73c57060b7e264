"""JupyterLab as `make lab` starts it: the course kernel, no nbgrader panels, a lecture run to the end from the UI."""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import KIT

LAB_CONFIG = KIT / "etc" / "jupyter"
LECTURE = "04-model-correctness.ipynb"
KERNEL_DISPLAY_NAME = "Python 3 (mlip)"


def test_make_lab_uses_the_course_settings_and_notebooks():
    """`make lab` (dry run) starts the venv's JupyterLab on notebooks/ with etc/jupyter on the config path."""
    if not any((Path(d) / "make").is_file() for d in os.environ.get("PATH", "").split(os.pathsep)):
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "-s", "lab"], cwd=KIT, capture_output=True, text=True, check=True).stdout
    recipe = out[out.index("JUPYTER_CONFIG_PATH"):]
    assert f'JUPYTER_CONFIG_PATH="{LAB_CONFIG}"' in recipe
    assert "jupyter lab" in recipe and f'--ServerApp.root_dir="{KIT / "notebooks"}"' in recipe
    server = json.loads((LAB_CONFIG / "jupyter_server_config.json").read_text())
    off = server["ServerApp"]["jpserver_extensions"]
    assert off and not any(off.values())
    page = json.loads((LAB_CONFIG / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader"] is True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _small_lecture(folder: Path) -> Path:
    """A copy of the lecture with its parameters set small, as a CI run would set them."""
    nb = json.loads((KIT / "notebooks" / LECTURE).read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    source = "".join(cell["source"])
    source = re.sub(r"^n_samples = \d+", "n_samples = 200", source, flags=re.M)
    cell["source"] = re.sub(r"^n_features = \d+", "n_features = 200", source, flags=re.M)
    (folder / LECTURE).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return folder / LECTURE


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a free localhost port with a token, configured like `make lab`; always stopped afterwards."""
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    _small_lecture(root / "notebooks")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(LAB_CONFIG), JUPYTER_RUNTIME_DIR=str(root / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"), JUPYTERLAB_SETTINGS_DIR=str(root / "settings"),
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root / 'notebooks'}"] + (["--allow-root"] if os.geteuid() == 0 else [])
    log = open(root / "server.log", "w+", encoding="utf-8")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("JupyterLab did not answer within 90 s")
            time.sleep(0.3)
        yield {"url": base, "token": token, "log": root / "server.log", "root": root}
    finally:
        _stop(proc, base, token)
        log.close()


def _stop(proc, base, token):
    """Ask the server to shut down (it stops its kernels), then make sure its whole process group is gone."""
    try:
        req = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST", data=b"")
        urllib.request.urlopen(req, timeout=5).close()
        proc.wait(timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
    proc.wait(timeout=10)


@pytest.mark.slow
def test_lecture_runs_to_the_end_from_the_menu_and_plots(lab, watched, screenshots):
    from playwright.sync_api import expect

    page = watched.page
    page.goto(f"{lab['url']}/lab/tree/{LECTURE}?token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    kernel = page.locator(".jp-NotebookPanel-toolbar .jp-KernelName, .jp-Toolbar-kernelName").first
    expect(kernel).to_have_text(KERNEL_DISPLAY_NAME, timeout=60_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator").first).to_have_attribute("data-status", "idle",
                                                                                      timeout=60_000)
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Run" in menus and "Nbgrader" not in menus, menus
    assert page.locator(".jp-Toolbar-item", has_text="Validate").count() == 0
    assert page.locator("[title='Create Assignment'], #create_assignment").count() == 0

    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    # done when every visible prompt holds an execution count (queued cells show [*]); a dialog ends the wait too
    try:
        page.wait_for_function(
            """() => {
                if (document.querySelector('.jp-Dialog')) return true;
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                    .map(p => p.textContent.trim()).filter(p => p);
                return prompts.length > 10 && prompts.every(p => /^\\[\\d+\\]:?$/.test(p));
            }""", timeout=120_000)
    except Exception:
        page.screenshot(path=screenshots / "jupyterlab-run-all-timeout.png")
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        traceback = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        pytest.fail(f"Run All did not finish in 120 s; prompts {prompts}; "
                    f"{traceback.first.inner_text()[:800] if traceback.count() else 'no error output'}")
    assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").first.inner_text()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()[:500]
    plots = page.locator(".jp-OutputArea-output img")
    assert plots.count() >= 3
    first = plots.first
    first.scroll_into_view_if_needed()
    assert page.evaluate("img => img.complete && img.naturalWidth > 100", first.element_handle())
    assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").first.inner_text()
    page.screenshot(path=screenshots / "jupyterlab-run-all.png")
    plots.last.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "jupyterlab-last-plot.png")
    assert watched.problems() == []
    remote = [u for u in watched.requests if not u.startswith(lab["url"]) and not u.startswith("data:")]
    assert remote == [], f"JupyterLab tried to reach {remote}"
    server_log = lab["log"].read_text(encoding="utf-8")
    assert "nbgrader" not in server_log.lower()
    assert "Traceback" not in server_log, server_log[-3000:]
