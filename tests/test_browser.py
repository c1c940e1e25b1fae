"""The labs in a real browser: JupyterLab and Voilà, driven by Playwright for Python with Debian's Chromium.

What the headless widget tests cannot see: that the front end renders the lab (ipywidgets' JavaScript
is installed and matches the kernel side), that a slider moved with the keyboard reaches the kernel,
re-runs the model and sends back a new plot and summary, and that nothing shows an error or stderr.

Needs `/usr/bin/chromium` (`apt-get install -y chromium`; `.ci/run` installs it) and the pinned
`playwright` from the `dev` extra. Never `playwright install`: it downloads browsers; this test
launches the system Chromium. Recipe and timings: the shared reference, notebooks-nbval-widgets.md 3b/3c.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

CHROMIUM = pathlib.Path("/usr/bin/chromium")
ROOT = pathlib.Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "dashboards" / "labs.ipynb"
TOKEN = "labkit-browser-test"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium) to run the "
                "browser tests", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing: pip install -e '.[dev]'")
expect = sync_api.expect

# One tiny notebook per lab: the widget and nothing else (the numbered notebooks are slow and change).
# `slider` is the control the test moves, `presses` how many ArrowRight steps (each changes the run).
LABS = {
    "throttling": {"code": "import labkit.widgets as w\nw.throttling_lab()", "slider": "stage rate /s",
                   "start": "50.00", "presses": 4, "moved": "54.00"},
    "cache": {"code": "import labkit.widgets as w\nw.cache_lab()", "slider": "TTL (s)",
              "start": "60", "presses": 4, "moved": "80"},
}
# The first run imports the kit and runs the model in the kernel: allow for a slow, shared machine.
RENDER_MS = 180_000
UPDATE_MS = 120_000
STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook(code: str) -> dict:
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": "lab", "metadata": {}, "outputs": [],
                       "source": code}],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _hermetic_env(home: pathlib.Path) -> dict[str, str]:
    """The server's and kernel's environment: no user settings, workspaces, news toasts or ledgers."""
    settings = home / "settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(os.environ)
    for name in ("LABKIT_BACKEND", "LABKIT_ENDPOINT_URL", "LABKIT_ALLOW_AWS"):
        env.pop(name, None)
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"), LABKIT_HOME=str(home / "labkit"), MPLBACKEND="Agg",
               PYTHONUNBUFFERED="1")
    return env


class _Server:
    """A JupyterLab or Voilà process on 127.0.0.1; `stop()` ends exactly that process."""

    def __init__(self, args: list[str], cwd: pathlib.Path, env: dict[str, str], log: pathlib.Path, ready: str,
                 any_answer: bool = False):
        """Start `args` and poll `ready` until it answers 200 (or anything at all, with `any_answer`)."""
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(args, cwd=cwd, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)
        self.started = time.monotonic()
        deadline = self.started + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(ready, timeout=5) as response:
                    if response.status == 200:
                        break
            except urllib.error.HTTPError:
                if any_answer:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server not ready after 90 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        self.ready_seconds = time.monotonic() - self.started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._log_file.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    """A fresh browser context; a screenshot of the page at the end is left in the test's tmp_path."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.page_errors = page_errors  # type: ignore[attr-defined]
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page.requested = requested  # type: ignore[attr-defined]
    yield page
    try:
        page.screenshot(path=str(tmp_path / "page.png"))
    finally:
        context.close()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab serving temporary copies of one small notebook per lab (the UI marks notebooks dirty)."""
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "notebooks"
    root.mkdir()
    for name, lab in LABS.items():
        (root / f"{name}_widget.ipynb").write_text(json.dumps(_notebook(lab["code"]), indent=1))
    port = _free_port()
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}", "--expose-app-in-browser",
            "--ServerApp.open_browser=False", "--LabApp.news_url=None"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    server = _Server(args, root, _hermetic_env(home), home / "jupyterlab.log", f"{base}/api/status?token={TOKEN}")
    print(f"JupyterLab ready in {server.ready_seconds:.1f} s")
    yield base
    server.stop()


@pytest.fixture(scope="module", params=["labkit", "labkit-projector"])
def voila(tmp_path_factory, request):
    """Voilà serving a copy of dashboards/labs.ipynb with one of the kit's templates (as `make dashboard` and
    `make projector` do)."""
    home = tmp_path_factory.mktemp("voila")
    shutil.copy(DASHBOARD, home / "labs.ipynb")
    port = _free_port()
    args = [sys.executable, "-m", "voila", "labs.ipynb", "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
            f"--token={TOKEN}", f"--template={request.param}"]
    env = _hermetic_env(home)
    env["JUPYTER_PATH"] = str(ROOT / "dashboards" / "jupyter")
    base = f"http://127.0.0.1:{port}"
    # Voilà serving one notebook has no /api/status, and "/" would run the notebook: any answer (a 404
    # here) tells that the server is up.
    server = _Server(args, home, env, home / "voila.log", f"{base}/voila/ready",
                     any_answer=True)
    print(f"Voilà ready in {server.ready_seconds:.1f} s")
    yield base
    server.stop()


def _lab_view(page, slider_description: str):
    """The lab's slider, plot image and summary label (the Label right after the Image in the lab's VBox)."""
    slider = page.locator(".widget-slider", has_text=slider_description).first
    lab = page.locator(".widget-vbox", has=slider).filter(has=page.locator("img.widget-image")).last
    image = lab.locator("img.widget-image").first
    summary = image.locator("xpath=following-sibling::*[1]")
    return slider, image, summary


def _move_slider_and_check(page, slider, image, summary, lab: dict) -> dict[str, float]:
    """Press ArrowRight on the slider's handle; the readout, the plot and the summary must all change."""
    timings = {}
    expect(slider.locator(".widget-readout")).to_have_text(lab["start"])
    src_before = image.get_attribute("src")
    text_before = summary.inner_text()
    assert src_before and src_before.startswith(("blob:", "data:")), src_before
    assert text_before.strip() and not text_before.startswith("⚠"), text_before
    started = time.monotonic()
    handle = slider.locator(".noUi-handle")
    handle.click()
    for _ in range(lab["presses"]):
        handle.press("ArrowRight")
    expect(slider.locator(".widget-readout")).to_have_text(lab["moved"])
    # The kernel re-runs the model on the new value and sends a new PNG and summary back.
    expect(summary).not_to_have_text(text_before, timeout=UPDATE_MS)
    page.wait_for_function("([img, before]) => img.src !== before", arg=[image.element_handle(), src_before],
                           timeout=UPDATE_MS)
    timings["slider to new plot"] = time.monotonic() - started
    text_after = summary.inner_text()
    assert not text_after.startswith("⚠"), text_after
    # The whole summary is on the page, on a narrow screen too: it wraps instead of being clipped (issue 17).
    page.set_viewport_size({"width": 640, "height": 1000})
    assert summary.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), text_after
    return timings


def _run_all(page) -> None:
    """Run > Run All Cells, as a learner does; then make sure the cell did start (its prompt leaves "[ ]")."""
    prompt = page.locator(".jp-CodeCell .jp-InputPrompt").first
    prompt.click()  # the notebook becomes the current widget, which the Run menu acts on
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    # The menu item's command is runmenu:run-all, not notebook:run-all-cells.
    item = page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]')
    item.click()
    try:
        expect(prompt).not_to_have_text("[ ]:", timeout=10_000)
    except AssertionError:
        # Seen before the prompt click above: the menu acted on no notebook, and nothing ran.
        # The same command through the app (the server runs with --expose-app-in-browser).
        print("Run All from the menu did not start the cell; running it through window.jupyterapp")
        page.keyboard.press("Escape")
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        expect(prompt).not_to_have_text("[ ]:", timeout=10_000)


def _assert_offline(page) -> None:
    """Every request the page made went to 127.0.0.1 (or was a data:/blob: URL): a workshop room is often
    offline, and nothing the kit serves may depend on a CDN (issue 17)."""
    elsewhere = sorted({url for url in page.requested
                        if urllib.parse.urlsplit(url).scheme not in ("data", "blob")
                        and urllib.parse.urlsplit(url).hostname != "127.0.0.1"})
    assert not elsewhere, f"requests that left 127.0.0.1: {elsewhere}"


def _assert_no_errors(page) -> None:
    assert page.locator(f".jp-OutputArea-output{STDERR}, .jp-RenderedText{STDERR}").count() == 0, \
        page.locator(f".jp-OutputArea-output{STDERR}").all_inner_texts()
    body = page.locator("body").inner_text()
    for marker in ("Traceback", "Error displaying widget", "Failed to load model class", "Loading widget..."):
        assert marker not in body, f"{marker!r} on the page:\n{body[-2000:]}"
    widget_errors = [e for e in page.page_errors if "widget" in e.lower()]
    assert not widget_errors, widget_errors


@pytest.mark.parametrize("name", list(LABS))
def test_lab_widget_in_jupyterlab(jupyterlab, page, name):
    lab = LABS[name]
    started = time.monotonic()
    page.goto(f"{jupyterlab}/lab/tree/{name}_widget.ipynb?token={TOKEN}&reset")
    expect(page.locator(".jp-NotebookPanel").first).to_be_visible(timeout=60_000)
    expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first).to_be_visible(timeout=60_000)
    opened = time.monotonic() - started
    _run_all(page)
    slider, image, summary = _lab_view(page, lab["slider"])
    expect(image).to_be_visible(timeout=RENDER_MS)
    expect(summary).not_to_be_empty(timeout=RENDER_MS)
    rendered = time.monotonic() - started
    timings = _move_slider_and_check(page, slider, image, summary, lab)
    _assert_no_errors(page)
    _assert_offline(page)
    print(f"{name}: notebook open and kernel idle {opened:.1f} s, lab rendered {rendered:.1f} s, "
          f"slider to new plot {timings['slider to new plot']:.1f} s")


def test_dashboard_in_voila(voila, page):
    started = time.monotonic()
    page.goto(f"{voila}/?token={TOKEN}", timeout=RENDER_MS)
    for name, lab in LABS.items():
        slider, image, summary = _lab_view(page, lab["slider"])
        expect(image).to_be_visible(timeout=RENDER_MS)
        expect(summary).not_to_be_empty(timeout=RENDER_MS)
    rendered = time.monotonic() - started
    assert page.locator("img.widget-image").count() == len(LABS)
    lab = LABS["throttling"]
    slider, image, summary = _lab_view(page, lab["slider"])
    timings = _move_slider_and_check(page, slider, image, summary, lab)
    _assert_no_errors(page)
    _assert_offline(page)
    print(f"Voilà dashboard: rendered {rendered:.1f} s, slider to new plot {timings['slider to new plot']:.1f} s")
