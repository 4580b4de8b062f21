"""Drive a real JupyterLab / Notebook 7 with Debian's headless chromium (Playwright for Python).

Used by the browser tests and by ``benchmarks/grid_browser.py``; it has no relative imports so the
benchmark can load it by file path. What it does (see /work/shared/browser-testing.md):

- :class:`JupyterServer` starts ``jupyter lab`` or ``jupyter notebook`` on a free localhost port
  with every Jupyter directory isolated in a temp dir, waits for ``/api/status``, and stops it.
- :func:`launch_chromium` starts Debian's chromium through Playwright's ``executable_path``.
- :class:`NotebookPage` writes a notebook with nbformat, opens it, waits for a live kernel, runs
  all cells (failing with the traceback if one raises), and talks to the same kernel with a
  ``jupyter_client.BlockingKernelClient`` (``execute``, ``evaluate``, ``wait_for``).

Example::

    server = JupyterServer(tmp_path, app="lab").start()
    browser = launch_chromium(playwright)
    nb = NotebookPage(server, browser, "demo.ipynb", ["x = 1"]).open().run_all()
    assert nb.evaluate("x") == 1
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
_workspace_ids = itertools.count()
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class HarnessError(RuntimeError):
    """The server, browser or kernel did not reach the state a test waits for."""


def playwright_expect() -> Any:
    """Playwright's ``expect`` for a test module; without Playwright, skip the module (or fail
    it when the ``CI`` environment variable is set)."""
    try:
        from playwright.sync_api import expect
    except ImportError as exc:
        msg = f"playwright is not installed ({exc}): pip install '.[test]'"
        if os.environ.get("CI"):
            raise ImportError(msg) from exc
        import pytest

        pytest.skip(f"skipping browser tests: {msg}", allow_module_level=True)
    return expect


def find_chromium() -> str | None:
    """Return the path of Debian's chromium (``apt-get install chromium``), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_chromium(playwright: Any) -> Any:
    """Launch headless chromium found on PATH with the flags known to work on these machines."""
    path = find_chromium()
    if path is None:
        raise HarnessError("chromium not found on PATH: run `apt-get install -y chromium`")
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)


class JupyterServer:
    """A ``jupyter lab`` (app="lab") or ``jupyter notebook`` (app="notebook") server for tests.

    Everything it writes lives under ``base_dir``; notebooks go in ``self.root_dir``.
    """

    def __init__(self, base_dir: Path, app: str = "lab") -> None:
        if app not in ("lab", "notebook"):
            raise ValueError(f"app must be 'lab' or 'notebook', not {app!r}")
        self.app = app
        self.base = Path(base_dir)
        self.root_dir = self.base / "root"
        self.runtime_dir = self.base / "runtime"
        self.settings_dir = self.base / "lab-settings"
        self.token = "fol-" + os.urandom(8).hex()
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = self.base / "server.log"

    # -- lifecycle -------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.base / "config"),
            JUPYTER_RUNTIME_DIR=str(self.runtime_dir),
            JUPYTER_DATA_DIR=str(self.base / "data"),
            IPYTHONDIR=str(self.base / "ipython"),
            JUPYTERLAB_SETTINGS_DIR=str(self.settings_dir),
            JUPYTERLAB_WORKSPACES_DIR=str(self.base / "workspaces"),
            JUPYTER_PLATFORM_DIRS="1",
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        )
        return env

    def _write_settings(self) -> None:
        apputils = self.settings_dir / "@jupyterlab" / "apputils-extension"
        apputils.mkdir(parents=True, exist_ok=True)
        (apputils / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        # render every cell (no lazy cell windowing), so outputs exist as soon as they run
        nb_ext = self.settings_dir / "@jupyterlab" / "notebook-extension"
        nb_ext.mkdir(parents=True, exist_ok=True)
        (nb_ext / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))

    def start(self, timeout: float = 60.0) -> JupyterServer:
        """Start the server and return self once ``/api/status`` answers."""
        for d in (self.root_dir, self.runtime_dir, self.base / "config"):
            d.mkdir(parents=True, exist_ok=True)
        self._write_settings()
        self.port = free_port()
        expose = "LabApp" if self.app == "lab" else "JupyterNotebookApp"
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab" if self.app == "lab" else "notebook",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--{expose}.expose_app_in_browser=True",
        ]
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            cmd, env=self._env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"jupyter {self.app} exited early:\n{self.log_tail()}")
            try:
                self.api("/api/status", timeout=2)
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        self.stop()
        raise HarnessError(f"jupyter {self.app} not ready in {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down) and wait for it to exit."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log.close()
        self.proc = None

    def __enter__(self) -> JupyterServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str, method: str = "GET", timeout: float = 10) -> Any:
        """Call the REST API with the token; return the decoded JSON (or None)."""
        req = urllib.request.Request(
            self.base_url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def notebook_url(self, name: str) -> str:
        """The URL that opens notebook ``name`` (a fresh lab workspace each time)."""
        if self.app == "lab":
            path = f"/lab/workspaces/fol{next(_workspace_ids)}/tree/{name}"
        else:
            path = f"/notebooks/{name}"
        return f"{self.base_url}{path}?token={self.token}"

    def session_for(self, name: str) -> dict | None:
        """The ``/api/sessions`` entry of notebook ``name``, or None."""
        for s in self.api("/api/sessions"):
            if s.get("path") == name or s.get("notebook", {}).get("path") == name:
                return s
        return None

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"


def write_notebook(path: Path, cells: list[str]) -> None:
    """Write a Python 3 notebook with one code cell per string."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nbformat.write(nb, str(path))


# JS run in the page: find our notebook panel through the app exposed by expose_app_in_browser
_JS_PANEL = """
(name) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === name) return w;
  }
  return null;
}
"""
_JS_KERNEL_READY = f"""
(name) => {{
  const w = ({_JS_PANEL})(name);
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!(k && w.sessionContext.isReady && k.connectionStatus === 'connected'
            && k.status === 'idle');
}}
"""
_JS_RUN_ALL = f"""
async (name) => {{
  const w = ({_JS_PANEL})(name);
  window.jupyterapp.shell.activateById(w.id);
  await window.jupyterapp.commands.execute('notebook:run-all-cells');
}}
"""
_JS_CELLS_STATE = f"""
(name) => {{
  const w = ({_JS_PANEL})(name);
  const k = w.sessionContext.session.kernel;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  for (const c of cells) {{
    for (const o of c.model.outputs.toJSON()) {{
      if (o.output_type === 'error') errors.push(o.ename + ': ' + o.evalue + '\\n'
          + (o.traceback || []).join('\\n').replace(/\\x1b\\[[0-9;]*m/g, ''));
    }}
  }}
  return {{done: cells.every(c => c.model.executionCount !== null) && k.status === 'idle',
          errors}};
}}
"""


_JS_ADD_AND_RUN_CELL = f"""
async ([name, code]) => {{
  const w = ({_JS_PANEL})(name);
  const app = window.jupyterapp;
  app.shell.activateById(w.id);
  const nb = w.content;
  nb.activeCellIndex = nb.widgets.length - 1;
  await app.commands.execute('notebook:insert-cell-below');
  nb.activeCell.model.sharedModel.setSource(code);
  await app.commands.execute('notebook:run-cell');
  return nb.widgets.length - 1;
}}
"""
_JS_RUN_CELL_AT = f"""
async ([name, index]) => {{
  const w = ({_JS_PANEL})(name);
  const app = window.jupyterapp;
  app.shell.activateById(w.id);
  w.content.activeCellIndex = index;
  w.content.widgets[index].model.executionCount = null;
  await app.commands.execute('notebook:run-cell');
}}
"""
_JS_CELL_STATE = f"""
([name, index]) => {{
  const w = ({_JS_PANEL})(name);
  const c = w.content.widgets[index];
  const errors = c.model.outputs.toJSON().filter(o => o.output_type === 'error')
    .map(o => o.ename + ': ' + o.evalue + '\\n'
         + (o.traceback || []).join('\\n').replace(/\\x1b\\[[0-9;]*m/g, ''));
  return {{done: c.model.executionCount !== null
                 && w.sessionContext.session.kernel.status === 'idle', errors}};
}}
"""


class KernelError(RuntimeError):
    """Code run through the kernel client raised; the message holds the traceback."""


class NotebookPage:
    """One notebook opened in a fresh browser page, plus a kernel client on its kernel."""

    def __init__(
        self, server: JupyterServer, browser: Any, name: str, cells: list[str], viewport=None
    ) -> None:
        self.server = server
        self.name = name
        write_notebook(server.root_dir / name, cells)
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 1000})
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("dialog", self._on_dialog)
        self.kc: Any = None
        self.kernel_id: str | None = None

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def diagnostics(self) -> str:
        """Recent browser console lines and server log, for failure messages."""
        return (
            "--- browser console (last 30) ---\n"
            + "\n".join(self.console[-30:])
            + "\n--- server log (last 20) ---\n"
            + self.server.log_tail(20)
        )

    # -- page ------------------------------------------------------------------------------
    def open(self, timeout: float = 60.0) -> NotebookPage:
        """Open the notebook and wait until its kernel is connected and idle."""
        self.page.goto(self.server.notebook_url(self.name))
        try:
            self.page.wait_for_function(_JS_KERNEL_READY, arg=self.name, timeout=timeout * 1000)
        except Exception as exc:
            raise HarnessError(f"kernel for {self.name} never became ready: {exc}\n") from exc
        session = self.server.session_for(self.name)
        if session is None:
            raise HarnessError(f"no /api/sessions entry for {self.name}")
        self.kernel_id = session["kernel"]["id"]
        self._connect_kernel_client()
        return self

    def run_all(self, timeout: float = 120.0) -> NotebookPage:
        """Run every cell from the page (as a person would) and wait until all have run."""
        self.page.evaluate(_JS_RUN_ALL, self.name)
        deadline = time.monotonic() + timeout
        while True:
            state = self.page.evaluate(_JS_CELLS_STATE, self.name)
            if state["errors"]:
                raise KernelError(f"a cell of {self.name} raised:\n" + "\n".join(state["errors"]))
            if state["done"]:
                return self
            if time.monotonic() > deadline:
                raise HarnessError(f"cells of {self.name} still running after {timeout}s")
            time.sleep(0.05)

    def run_cell(self, code: str, timeout: float = 60.0) -> None:
        """Add a cell at the end of the notebook, run it from the page, wait until it has run."""
        index = self.page.evaluate(_JS_ADD_AND_RUN_CELL, [self.name, code])
        self._wait_cell(index, timeout, repr(code))

    def run_cell_at(self, index: int, timeout: float = 120.0) -> None:
        """Run the existing cell ``index`` from the page and wait until it has run."""
        self.page.evaluate(_JS_RUN_CELL_AT, [self.name, index])
        self._wait_cell(index, timeout, f"#{index}")

    def _wait_cell(self, index: int, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            state = self.page.evaluate(_JS_CELL_STATE, [self.name, index])
            if state["errors"]:
                raise KernelError(f"cell {what} raised:\n" + "\n".join(state["errors"]))
            if state["done"]:
                return
            if time.monotonic() > deadline:
                raise HarnessError(f"cell {what} still running after {timeout}s")
            time.sleep(0.02)

    def close(self) -> None:
        """Close the page and the kernel client, and shut the notebook's kernel down."""
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        self.context.close()
        session = self.server.session_for(self.name) if self.server.proc else None
        if session is not None:
            self.server.api(f"/api/sessions/{session['id']}", method="DELETE")

    # -- kernel client ---------------------------------------------------------------------
    def _connect_kernel_client(self, timeout: float = 30.0) -> None:
        from jupyter_client import BlockingKernelClient

        conn = self.server.runtime_dir / f"kernel-{self.kernel_id}.json"
        deadline = time.monotonic() + timeout
        while not conn.exists():
            if time.monotonic() > deadline:
                raise HarnessError(f"kernel connection file {conn} never appeared")
            time.sleep(0.05)
        kc = BlockingKernelClient()
        kc.load_connection_file(str(conn))
        # shell only: IOPub would queue every widget message (thumbnails) for nothing
        kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        self.kc = kc
        self.execute("pass", timeout=timeout)

    def execute(
        self, code: str, timeout: float = 60.0, user_expressions: dict | None = None
    ) -> dict:
        """Run ``code`` in the notebook's kernel; return the reply content, raise on error."""
        msg_id = self.kc.execute(
            code,
            silent=False,
            store_history=False,
            allow_stdin=False,
            user_expressions=user_expressions or {},
        )
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HarnessError(f"kernel did not answer within {timeout}s: {code[:200]}")
            try:
                reply = self.kc.get_shell_msg(timeout=remaining)
            except Exception:  # queue.Empty
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            tb = _ANSI.sub("", "\n".join(content.get("traceback", [])))
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')}\n{tb}\n{code}")
        return content

    def evaluate(self, expr: str, timeout: float = 60.0) -> Any:
        """Return the value of a Python expression in the kernel (it must be JSON-able)."""
        content = self.execute(
            "", timeout, user_expressions={"v": f"__import__('json').dumps({expr})"}
        )
        out = content["user_expressions"]["v"]
        if out["status"] != "ok":
            raise KernelError(f"{out.get('ename')}: {out.get('evalue')} evaluating {expr!r}")
        return json.loads(ast.literal_eval(out["data"]["text/plain"]))

    def wait_for(
        self,
        expr: str,
        predicate: Callable[[Any], bool],
        timeout: float = 20.0,
        interval: float = 0.02,
    ) -> Any:
        """Poll ``expr`` in the kernel until ``predicate(value)``; return the value or fail."""
        deadline = time.monotonic() + timeout
        value = self.evaluate(expr)
        while not predicate(value):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"kernel: {expr} = {value!r} did not satisfy the condition within "
                    f"{timeout}s\n{self.diagnostics()}"
                )
            time.sleep(interval)
            value = self.evaluate(expr)
        return value


def open_notebook(server: JupyterServer, browser: Any, name: str, cells: list[str]) -> NotebookPage:
    """Write, open and run a notebook; close it again if anything on the way fails."""
    nb = NotebookPage(server, browser, name, cells)
    try:
        nb.open().run_all()
    except BaseException:
        nb.close()
        raise
    return nb
