"""A real JupyterLab in a real browser, for the tests of the kit's widgets (issue #5).

The pieces, each usable alone (the tests and ``benchmarks/widget.py`` share them):

:class:`LabServer`
    A JupyterLab server of its own on 127.0.0.1, a random port and a random token, with its
    config, data, runtime, IPython and matplotlib folders in a temporary folder (the
    sys-prefix lab extensions stay visible), announcements and update checks off (nothing
    tries the network), the app exposed to the page as ``window.jupyterapp`` so tests can run
    JupyterLab commands. It is stopped by its PID (SIGTERM, then SIGKILL).
:func:`launch_chromium`
    Debian's Chromium (``/usr/bin/chromium``) driven by the python ``playwright`` package:
    headless, sandbox and GPU off, no network chatter, a temporary profile. Never a browser
    download.
:class:`NotebookPage`
    One notebook open in the lab: wait until its kernel exists, is connected and idle (the
    toolbar's idle indicator alone shows before the kernel exists), run cells, restart the
    kernel, save, reload, evaluate an expression in the kernel.
:class:`WidgetView`, :class:`LabellingView`
    One of the kit's widgets on the page, through the ``data-testid`` and ``data-token`` /
    ``data-ack`` / ``data-state`` hooks of its front end. A later widget (verification,
    operator replies, ratings) gets a subclass of :class:`WidgetView` like
    :class:`LabellingView` and reuses everything else.
:data:`LATENCY_PROBE`
    A script put in the page that measures, with ``performance.now()``, the time from a key
    press or click in a widget to the next item in the DOM, and to the next painted frame.

Nothing here is a test: ``conftest.py`` turns these pieces into fixtures.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Self

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "grading" / "tools"))

import make_labs  # noqa: E402  (the course tools' sandboxed environment)

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Generous: a cold start on a busy 2-core CI machine, next to another pytest worker.
SERVER_TIMEOUT_S = 90.0
KERNEL_TIMEOUT_S = 90.0
STEP_TIMEOUT_MS = 20_000


# --------------------------------------------------------------------------------------------
# What is there
# --------------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    """The Chromium executable: ``/usr/bin/chromium``, else ``chromium`` on PATH.

    ``$HIDDENWORK_CHROMIUM``, when set, is the only one tried (set it to a path that does not
    exist to see how the tests behave on a machine without Chromium).
    """
    chosen = os.environ.get("HIDDENWORK_CHROMIUM")
    candidates = [chosen] if chosen else [CHROMIUM, shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "the python package playwright is not installed (pip install -e '.[dev]' installs it)"
        )
    if find_chromium() is None:
        return (
            "Chromium is not installed: as root, `apt-get install -y chromium` "
            "(make test does it when it runs as root)"
        )
    return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

_SERVER_CONFIG = {
    "ServerApp": {"open_browser": False, "ip": "127.0.0.1"},
    "LabApp": {
        # No announcements feed, no update check: nothing from the lab tries the network.
        "news_url": None,
        "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
        # window.jupyterapp: lets tests run the lab's own commands (run cells, restart...).
        "expose_app_in_browser": True,
        # The extension manager would list extensions from PyPI: it only reads here.
        "extension_manager": "readonly",
    },
    "LanguageServerManager": {"autodetect": False},
}


_USER_SETTINGS: dict[str, dict[str, object]] = {
    "apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "notebook-extension:tracker": {"windowingMode": "none"},
}


def _process_table() -> dict[int, tuple[int, str]]:
    """PID -> (parent PID, start time) of every process (Linux ``/proc``; empty elsewhere)."""
    table: dict[int, tuple[int, str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            table[int(stat.parent.name)] = (int(fields[1]), fields[19])
        except (OSError, IndexError, ValueError):
            continue
    return table


def _descendants(pid: int) -> dict[int, str]:
    """The processes started by ``pid``, and by them: PID -> start time."""
    table = _process_table()
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, started) in table.items():
            if ppid == parent and child not in found:
                found[child] = started
                todo.append(child)
    return found


def _kill_if_same(pid: int, started: str) -> None:
    """SIGKILL ``pid`` if it is still the process that started at ``started``."""
    if _process_table().get(pid, (0, ""))[1] == started:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


# Starts `jupyter lab` with its arguments in the same process (same PID), after asking Linux to
# send it SIGTERM if the process that started it dies (PR_SET_PDEATHSIG): a test run killed
# from outside leaves no server behind. Elsewhere the request is skipped.
_LAUNCHER = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
except (OSError, AttributeError):
    pass
if os.getppid() != parent:
    sys.exit("the process that started this server is gone")
os.execv(sys.executable, [sys.executable, "-m", "jupyter", "lab", *sys.argv[2:]])
"""

_RUNNING: set[LabServer] = set()


@atexit.register
def _stop_all() -> None:  # a test run that ends abruptly still stops its servers
    for server in list(_RUNNING):
        server.stop()


class LabServer:
    """A JupyterLab server on 127.0.0.1 serving ``root``; use it as a context manager.

    Parameters
    ----------
    root : path
        The folder the lab shows (notebooks and the labels files live there).
    home : path, optional
        Where its config, runtime and log files go; a new temporary folder by default.
    """

    def __init__(self, root: Path, home: Path | None = None) -> None:
        self.root = Path(root)
        self._own_home = home is None
        self.home = Path(home) if home is not None else Path(tempfile.mkdtemp(prefix="hw-lab-"))
        self.port = 0
        self.token = secrets.token_hex(16)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.home / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = SERVER_TIMEOUT_S) -> LabServer:
        env = make_labs.sandbox_env(self.home)
        config_dir = Path(env["JUPYTER_CONFIG_DIR"])
        (config_dir / "jupyter_server_config.json").write_text(json.dumps(_SERVER_CONFIG))
        # User settings: no news, no update check, every cell drawn (not only the visible ones).
        user_settings = config_dir / "lab" / "user-settings" / "@jupyterlab"
        for plugin, values in _USER_SETTINGS.items():
            package, name = plugin.split(":")
            target = user_settings / package / f"{name}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        for attempt in range(3):  # the port may be taken between choosing and binding it
            self.port = free_port()
            log = self.log_path.open("ab")
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _LAUNCHER,
                    str(os.getpid()),
                    "--ServerApp.ip=127.0.0.1",
                    f"--ServerApp.port={self.port}",
                    "--ServerApp.port_retries=0",
                    f"--IdentityProvider.token={self.token}",
                    "--ServerApp.open_browser=False",
                    f"--ServerApp.root_dir={self.root}",
                    "--ServerApp.terminals_enabled=False",
                    *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
                ],
                cwd=self.root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
            _RUNNING.add(self)
            if self._wait_ready(timeout):
                return self
            self.stop()
            if attempt == 2:
                break
        raise RuntimeError(f"JupyterLab did not start; its log:\n{self.log()}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError, ValueError):
                status = self.api("GET", "/api/status")
                if isinstance(status, dict) and "started" in status:
                    return True
            time.sleep(0.2)
        return False

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]
        except OSError:
            return "(no log)"

    def api(self, method: str, path: str, body: object = None) -> Any:
        """Call the server's REST API with the token; returns the decoded JSON (or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def kernel_of(self, notebook: str) -> dict[str, Any] | None:
        """The kernel model (id, execution_state...) of the session of ``notebook``, if any."""
        for session in self.api("GET", "/api/sessions"):
            if session.get("path") == notebook and session.get("kernel"):
                return dict(session["kernel"])
        return None

    def lab_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?token={self.token}&reset"

    def stop(self) -> None:
        """Stop the server by its PID (SIGTERM, then SIGKILL), and any kernel it leaves.

        A clean shutdown stops the kernels; the kernels (each in a session of its own) that
        are still there after it, e.g. when the server had to be killed, are killed by PID.
        """
        proc, self.proc = self.proc, None
        _RUNNING.discard(self)
        if proc is None or proc.poll() is not None:
            return
        kernels = _descendants(proc.pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        for pid, started in kernels.items():  # the same processes, not reused PIDs
            _kill_if_same(pid, started)

    def close(self) -> None:
        self.stop()
        if self._own_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> LabServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def launch_chromium(profile: Path | None = None) -> Iterator[Any]:
    """A playwright ``Browser`` on Debian's Chromium, closed (and its profile removed) after."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError(unavailable_reason() or "no Chromium")
    own = profile is None
    folder = Path(tempfile.mkdtemp(prefix="hw-chromium-")) if profile is None else profile
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                # Playwright gives Chromium a new temporary profile (--user-data-dir) under
                # TMPDIR and removes it at close: here, under our own temporary folder.
                env={**os.environ, "HOME": str(folder), "TMPDIR": str(folder)},
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------------------------


def write_notebook(path: Path, cells: Sequence[str]) -> Path:
    """A notebook of code cells (a python3 kernel) at ``path``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


_KERNEL_STATE_JS = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  const ctx = panel && panel.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  if (!kernel) return null;
  return {id: kernel.id, status: kernel.status, connection: kernel.connectionStatus,
          ready: ctx.isReady};
}"""


class NotebookPage:
    """One notebook open in JupyterLab, in its own browser page.

    Parameters
    ----------
    server : LabServer
    page : playwright Page
    notebook : str
        Its path relative to the server's root, e.g. ``"lab/labelling.ipynb"``.
    """

    def __init__(self, server: LabServer, page: Any, notebook: str) -> None:
        self.server = server
        self.page = page
        self.notebook = notebook
        self.console: list[str] = []
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda err: self.console.append(f"pageerror: {err}"))
        page.set_default_timeout(STEP_TIMEOUT_MS)

    # -- opening and waiting ----------------------------------------------------------------

    def open(self) -> NotebookPage:
        """Load the lab on the notebook and wait for its kernel (see :meth:`wait_kernel`)."""
        self.page.goto(self.server.lab_url(self.notebook), wait_until="domcontentloaded")
        self.wait_kernel()
        return self

    def reload(self) -> NotebookPage:
        """Reload the page (as F5 does) and wait for the kernel again."""
        self.page.reload(wait_until="domcontentloaded")
        self.wait_kernel()
        return self

    def wait_kernel(self, timeout: float = KERNEL_TIMEOUT_S) -> str:
        """Wait until the notebook's kernel exists, is connected and idle; returns its id.

        Three checks must agree: the page's session context has a kernel that is
        ``connected`` and ``idle`` (the toolbar's idle indicator alone also shows while no
        kernel exists yet), the server lists that kernel for this notebook as idle, and the
        notebook's execution indicator says idle.
        """
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell && "
            "window.jupyterapp.shell.currentWidget && "
            "window.jupyterapp.shell.currentWidget.sessionContext",
            timeout=timeout * 1000,
        )
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            state = self.page.evaluate(_KERNEL_STATE_JS)
            last = state
            if state and state["status"] == "idle" and state["connection"] == "connected":
                kernel = self.server.kernel_of(self.notebook)
                indicator = self.page.locator(
                    ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator"
                )
                if (
                    kernel is not None
                    and kernel["id"] == state["id"]
                    and kernel.get("execution_state") == "idle"
                    and indicator.count() > 0
                    and indicator.first.get_attribute("data-status") == "idle"
                ):
                    return str(state["id"])
                last = (state, kernel)
            time.sleep(0.1)
        raise TimeoutError(
            f"the kernel of {self.notebook} was not connected and idle after {timeout} s "
            f"(last seen: {last}); server log:\n{self.server.log()}"
        )

    # -- commands ---------------------------------------------------------------------------

    def command(self, name: str, args: dict[str, Any] | None = None) -> Any:
        """Run a JupyterLab command (as a menu item or shortcut would) and await its result."""
        return self.page.evaluate(
            "async ([name, args]) => { await window.jupyterapp.commands.execute(name, args); "
            "return true; }",
            [name, args or {}],
        )

    def n_cells(self) -> int:
        return int(
            self.page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.length")
        )

    def cell_sources(self) -> list[str]:
        return list(
            self.page.evaluate(
                "() => window.jupyterapp.shell.currentWidget.content.widgets"
                ".map(c => c.model.sharedModel.getSource())"
            )
        )

    def run_cells(self, stop: int | None = None) -> None:
        """Run the code cells from the first up to (not including) ``stop``; all by default.

        Cells run one at a time, in order, through the lab's own "run cell" action; an error
        in a cell raises with the cell's output.
        """
        total = self.n_cells()
        stop = total if stop is None else stop
        for index in range(stop):
            self.run_cell(index)

    def run_cell(self, index: int) -> None:
        """Run cell ``index`` and wait until the kernel has finished it."""
        result = self.page.evaluate(
            """async (index) => {
              const panel = window.jupyterapp.shell.currentWidget;
              const cell = panel.content.widgets[index];
              if (cell.model.type !== 'code') return {skipped: true};
              panel.content.activeCellIndex = index;
              panel.content.deselectAll();
              const ok = await window.jupyterapp.commands.execute('notebook:run-cell');
              const outputs = cell.model.outputs.toJSON();
              const errors = outputs.filter(o => o.output_type === 'error');
              return {ok, errors: errors.map(e => e.ename + ': ' + e.evalue + '\\n' +
                                             (e.traceback || []).join('\\n'))};
            }""",
            index,
        )
        if result.get("errors"):
            raise RuntimeError(f"cell {index} of {self.notebook} failed:\n{result['errors'][0]}")
        self.wait_kernel()

    def save(self) -> None:
        self.command("docmanager:save")
        self.page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty"
        )

    def restart_kernel(self) -> str:
        """Restart the kernel (no dialog) and wait for the new one; returns its id."""
        self.page.evaluate(
            "async () => { await window.jupyterapp.shell.currentWidget.sessionContext"
            ".session.kernel.restart(); }"
        )
        return self.wait_kernel()

    def kernel_eval(self, expression: str, code: str = "") -> str:
        """Run ``code`` in the notebook's kernel, outside the notebook; give ``repr(expression)``.

        Nothing appears in the notebook. Raises if the code or the expression fails.
        """
        reply = self.page.evaluate(
            """async ([code, expr]) => {
              const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
              const future = kernel.requestExecute({code, silent: false, store_history: false,
                                                    user_expressions: {out: expr}});
              const msg = await future.done;
              return msg.content;
            }""",
            [code, expression],
        )
        if reply.get("status") != "ok":
            raise RuntimeError(f"kernel code failed: {reply.get('ename')}: {reply.get('evalue')}")
        out = reply["user_expressions"]["out"]
        if out.get("status") != "ok":
            raise RuntimeError(f"kernel expression failed: {out.get('ename')}: {out.get('evalue')}")
        return str(out["data"]["text/plain"])

    def kernel_json(self, expression: str, code: str = "") -> Any:
        """Like :meth:`kernel_eval` for an expression that gives a JSON string."""
        import ast

        return json.loads(ast.literal_eval(self.kernel_eval(expression, code)))

    def screenshot(self, name: str, locator: Any | None = None) -> Path:
        """Save a PNG of ``locator`` (or the page) in ``tests/artifacts/``; returns its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        (locator if locator is not None else self.page).screenshot(path=str(path))
        return path


# --------------------------------------------------------------------------------------------
# Widgets
# --------------------------------------------------------------------------------------------

LATENCY_PROBE = """() => {
  if (window.__hwLatency) return;
  const probe = {start: null, kind: null, samples: []};
  window.__hwLatency = probe;
  // The moment of the person's action: the event's own time stamp (when the browser got the
  // input), taken in the capture phase on the window, before any handler of the page.
  const begin = (event) => {
    const target = event.target;
    if (!(target instanceof Element) || !target.closest('[data-hw-widget]')) return;
    probe.start = event.timeStamp;
    probe.kind = event.type;
  };
  window.addEventListener('keydown', begin, true);
  window.addEventListener('click', begin, true);
  const seen = new WeakMap();
  new MutationObserver((records) => {
    for (const record of records) {
      const root = record.target;
      if (!(root instanceof Element) || !root.hasAttribute('data-hw-widget')) continue;
      const token = root.getAttribute('data-token');
      if (seen.get(root) === token || probe.start === null) { seen.set(root, token); continue; }
      seen.set(root, token);
      const start = probe.start;
      const kind = probe.kind;
      probe.start = null;
      const dom = performance.now() - start;
      const sample = {kind, token, dom, painted: null};
      probe.samples.push(sample);
      // The next frame after the DOM changed: the new item is on screen by then.
      requestAnimationFrame(() => setTimeout(() => {
        sample.painted = performance.now() - start;
      }, 0));
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-token']});
}"""


class WidgetView:
    """One of the kit's widgets on the page: the ``index``-th element with ``TESTID``.

    The base of every widget's view class. It relies on the hooks each front end of the kit
    puts on its root element: ``data-testid``, ``data-token`` (the state shown; it changes
    when the next item is shown), ``data-ack`` (replies received, also for an action that
    changes nothing) and ``data-state`` (``busy`` while waiting for the kernel). Every action
    waits until the widget shows the kernel's reply, as a person waits to see the next item.
    """

    TESTID = ""
    KIND = "widget"  # the data-hw-widget mark, which the latency probe looks for

    def __init__(self, notebook: NotebookPage, index: int = 0) -> None:
        self.notebook = notebook
        self.page = notebook.page
        self.index = index
        self.root = self.page.get_by_test_id(self.TESTID).nth(index)

    def wait_shown(self, timeout_ms: int = STEP_TIMEOUT_MS) -> Self:
        """Wait until the widget is drawn, visible and ready for input."""
        self.root.wait_for(state="visible", timeout=timeout_ms)
        self.page.wait_for_function(
            '([id, i]) => { const r = document.querySelectorAll(`[data-testid="${id}"]`)[i];'
            " return r && r.dataset.token !== undefined && r.dataset.state !== 'busy'; }",
            arg=[self.TESTID, self.index],
            timeout=timeout_ms,
        )
        self.root.evaluate("(r, kind) => r.setAttribute('data-hw-widget', kind)", self.KIND)
        return self

    def part(self, testid: str) -> Any:
        return self.root.get_by_test_id(testid)

    @property
    def token(self) -> int:
        return int(self.root.get_attribute("data-token") or -1)

    @property
    def ack(self) -> int:
        return int(self.root.get_attribute("data-ack") or -1)

    @property
    def state(self) -> str:
        return str(self.root.get_attribute("data-state"))

    # -- acting --------------------------------------------------------------------------------

    def _wait_reply(self, token: int, ack: int, changes: bool) -> None:
        attribute = "token" if changes else "ack"
        before = token if changes else ack
        self.root.evaluate(
            """(root, [attribute, before, timeout]) => new Promise((resolve, reject) => {
              const done = () => Number(root.dataset[attribute]) !== before
                                 && root.dataset.state !== 'busy';
              if (done()) return resolve(true);
              const observer = new MutationObserver(() => {
                if (done()) { observer.disconnect(); clearTimeout(timer); resolve(true); }
              });
              const timer = setTimeout(() => {
                observer.disconnect();
                const a = document.activeElement;
                const where = a ? `${a.tagName}.${a.className} ${a.dataset.testid || ''}` : 'none';
                reject(new Error(`no reply from the widget (state ${root.dataset.state}, ` +
                                 `focus on ${where})`));
              }, timeout);
              observer.observe(root, {attributes: true});
            })""",
            [attribute, before, STEP_TIMEOUT_MS],
        )

    def click(self, locator: Any, changes: bool = True) -> None:
        """Click a control with the mouse and wait for the widget's reply."""
        token, ack = self.token, self.ack
        locator.click()
        self._wait_reply(token, ack, changes)

    def press(self, key: str, changes: bool = True) -> None:
        """Press a key where the focus is (it must be inside the widget) and wait for the reply."""
        if not self.focus_inside():
            where = self.page.evaluate(
                "() => { const a = document.activeElement;"
                " return a ? a.tagName + '.' + a.className : 'none'; }"
            )
            raise AssertionError(f"pressing {key!r}: the focus is not in the widget but on {where}")
        token, ack = self.token, self.ack
        self.page.keyboard.press(key)
        self._wait_reply(token, ack, changes)

    def focus_inside(self) -> bool:
        """Whether the keyboard focus is in the widget."""
        return bool(self.root.evaluate("(r) => r.contains(document.activeElement)"))

    def focused_testid(self) -> str | None:
        return self.page.evaluate(
            "() => document.activeElement && document.activeElement.getAttribute('data-testid')"
        )

    def screenshot(self, name: str) -> Path:
        return self.notebook.screenshot(name, self.root)


class LabellingView(WidgetView):
    """A :class:`hiddenwork.labelling.LabellingWidget` on the page (``hw-labelling``)."""

    TESTID = "hw-labelling"
    KIND = "labelling"

    @property
    def text(self) -> str:
        """The text item shown."""
        return str(self.part("hw-item-text").text_content())

    @property
    def position(self) -> str:
        """The position shown: "Item 3 of 8", or "All 8 items done"."""
        return str(self.part("hw-position").text_content())

    @property
    def status(self) -> str:
        return str(self.part("hw-status").text_content())

    def label_button(self, index: int) -> Any:
        return self.part(f"hw-label-{index}")


OpenNotebook = Callable[..., NotebookPage]
"""The type of the ``open_notebook`` fixture (see ``conftest.py``)."""


def read_events(path: Path) -> list[dict[str, Any]]:
    """The events of a labels file, one dict per line."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
