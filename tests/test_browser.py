"""The suite in a real browser: JupyterLab from the project's venv, driven by headless Chromium.

Starts ``jupyter lab`` on a free local port with a random token, over a temporary
copy of ``notebooks/`` and ``exercises/`` (so running cells writes nothing into the
repository), opens the start page and the warm-up exercise, runs all cells through
the Run menu as a trainee would, and checks that no cell shows an error and that
an exercise ``check()`` shows its feedback. Screenshots go to ``tests/artifacts/``.

Chromium comes from the operating system's packages (``apt-get install chromium``,
which ``make browser-test`` does); Playwright's Python client drives it through
``executable_path`` and never downloads a browser. Without ``/usr/bin/chromium``
the test is skipped with a message that says how to run it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PROJECT
ARTIFACTS = PROJECT / "tests" / "artifacts"
CHROMIUM = Path(os.environ.get("OCLAB_CHROMIUM", "/usr/bin/chromium"))
JUPYTER = Path(sys.executable).with_name("jupyter")
SERVER_START_S = 90
RUN_ALL_S = 150

if os.environ.get("OCLAB_REQUIRE_BROWSER") and not CHROMIUM.exists():  # make browser-test: never skip
    raise RuntimeError(f"OCLAB_REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"browser test skipped: no Chromium at {CHROMIUM}; run `make browser-test` "
    "(installs Debian's chromium with apt, then runs this test)",
)

# JupyterLab settings for the run: render every cell (no virtual scrolling, so all prompts
# and outputs are in the page) and no news or update pop-ups over the notebook.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": '{"windowingMode": "none"}',
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        '{"fetchNews": "false", "checkForUpdates": false}',
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running JupyterLab over a throwaway copy of the notebooks; yields its base URL with token."""
    root = tmp_path_factory.mktemp("lab")
    work = root / "work"
    for folder in ("notebooks", "exercises"):
        shutil.copytree(PROJECT / folder, work / folder, ignore=shutil.ignore_patterns("output", ".ipynb_checkpoints"))
    (work / "data").symlink_to(PROJECT / "data", target_is_directory=True)  # notebooks read ../data
    settings = root / "settings"
    for name, text in SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    token = secrets.token_hex(16)
    port = _free_port()
    env = dict(os.environ)
    env.update(
        OCLAB_ATTEMPT_LOG="off",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        JUPYTER_CONFIG_DIR=str(root / "config"),
        JUPYTER_RUNTIME_DIR=str(root / "runtime"),
        JUPYTER_DATA_DIR=str(root / "data"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
        IPYTHONDIR=str(root / "ipython"),
    )
    # Kernels must come from the project's venv, whatever JUPYTER_DATA_DIR says.
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    log = (root / "server.log").open("w")
    server = subprocess.Popen(
        [
            str(JUPYTER), "lab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
            f"--ServerApp.token={token}", f"--ServerApp.root_dir={work}", "--ServerApp.port_retries=0",
            "--LabApp.news_url=", "--ServerApp.open_browser=False",
        ],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited with {server.returncode}:\n{(root / 'server.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer within {SERVER_START_S} s:\n{(root / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"{base}/lab/tree/{{path}}?token={token}"
    finally:
        # The server and its kernels run in their own process group: stop exactly that group.
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            timeout=60_000,
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _kernel_idle(lab: str, notebook: str) -> bool:
    """Whether the server has a session for ``notebook`` whose kernel is idle (REST API)."""
    import json

    base, _, query = lab.partition("/lab/tree/")
    token = re.search(r"token=([0-9a-f]+)", query).group(1)
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as response:
        sessions = json.load(response)
    return any(s.get("path") == notebook and (s.get("kernel") or {}).get("execution_state") == "idle" for s in sessions)


def _run_all_cells(lab: str, browser: object, notebook: str, screenshot: str) -> object:
    """Open ``notebook`` in JupyterLab, Run → Run All Cells, wait until every cell has run."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(lab.format(path=notebook), wait_until="domcontentloaded")
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible")
    # The kernel must be running before Run All. JupyterLab may ask which kernel to start:
    # accept its proposal (Python 3 from the project's venv), as a trainee would.
    deadline = time.monotonic() + SERVER_START_S
    while not _kernel_idle(lab, notebook):
        dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count() and dialog.first.is_visible():
            dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / f"no_kernel_{screenshot}"))
            pytest.fail(f"{notebook}: no idle kernel after {SERVER_START_S} s")
        time.sleep(0.5)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    prompts = panel.locator(".jp-CodeCell .jp-InputArea-prompt")
    count = prompts.count()
    assert count > 0
    deadline = time.monotonic() + RUN_ALL_S
    while True:
        texts = [t.strip() for t in prompts.all_inner_texts()]
        if len(texts) == count and all(re.fullmatch(r"\[\d+\]:", t) for t in texts):
            break
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / f"timeout_{screenshot}"))
            pytest.fail(f"{notebook}: cells still not run after {RUN_ALL_S} s: prompts {texts}")
        time.sleep(0.5)
    # Every cell that produces output has rendered it: the last one with an output area.
    last_output = panel.locator(".jp-CodeCell .jp-OutputArea-output").last
    last_output.wait_for(state="visible")
    last_output.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot))
    return page


def _error_outputs(page: object) -> list[str]:
    stderr = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).all_inner_texts()
    return [text for text in stderr if "Traceback" in text or re.search(r"\b\w+(Error|Exception)\b", text)]


def test_start_page_runs_in_the_browser_without_errors(lab: str, browser: object) -> None:
    page = _run_all_cells(lab, browser, "notebooks/00_start_here.ipynb", "browser_00_start_here.png")
    try:
        assert _error_outputs(page) == []
        outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
        text = "\n".join(outputs.all_inner_texts())
        # The cleaning report renders as a table, and the chart as an image.
        assert "lines in" in text and "kept" in text
        chart = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img")
        assert chart.count() >= 1
        chart.first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "browser_00_start_here_chart.png"))
    finally:
        page.close()


def test_exercise_checks_show_feedback_in_the_browser(lab: str, browser: object) -> None:
    page = _run_all_cells(lab, browser, "exercises/00_warm_up.ipynb", "browser_00_warm_up.png")
    try:
        assert _error_outputs(page) == []
        outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
        text = "\n".join(outputs.all_inner_texts())
        # Untouched notebook: each of the three checks says so, none raises.
        assert text.count("Not attempted") == 3, text[-2000:]
    finally:
        page.close()
