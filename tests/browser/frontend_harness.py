"""Serve the grid in the other front ends for the browser tests: Voila, marimo, exported HTML.

What works on these machines is in /work/shared/browser-testing.md; the Jupyter side (chromium,
JupyterLab, Notebook 7) is :mod:`tests.browser.jupyter_harness`. Here:

- :class:`VoilaServer` serves one notebook with ``voila`` on a free 127.0.0.1 port;
- :class:`MarimoServer` runs one marimo app with ``marimo run --headless`` on a free port;
- :func:`execute_notebook` and :func:`export_html` write what ``jupyter nbconvert --to html
  --execute`` writes, with or without the widget state saved in the HTML;
- :func:`offline_page` opens a file:// page with every other request aborted, as a reader with
  no network sees it.

Each server isolates every directory it writes (Jupyter config, runtime and data, IPython,
marimo's XDG dirs) under the ``base_dir`` it is given, and is stopped with its process group.

Example::

    with VoilaServer(tmp_path, "examples/voila_review.ipynb") as voila:
        page.goto(voila.url())
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .jupyter_harness import REPO_ROOT, HarnessError, JupyterServer, free_port

# console noise of the front ends themselves (see browser-testing.md), not our errors: Voila's
# bundle failing to load Notebook 7's extension when notebook is installed beside it
KNOWN_NOISE = ("@jupyter-notebook/lab-extension", "RUNTIME-012")
_LOCAL = ("http://127.0.0.1:", "file://", "blob:", "data:")


def isolated_env(base: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a server or command whose every config/cache dir lives in ``base``."""
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(base / "jupyter-runtime"),
        JUPYTER_DATA_DIR=str(base / "jupyter-data"),
        JUPYTER_PLATFORM_DIRS="1",
        IPYTHONDIR=str(base / "ipython"),
        XDG_CONFIG_HOME=str(base / "xdg-config"),
        XDG_CACHE_HOME=str(base / "xdg-cache"),
        XDG_STATE_HOME=str(base / "xdg-state"),
        XDG_DATA_HOME=str(base / "xdg-data"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    )
    env.update(extra or {})
    return env


def page_errors(console: list[str]) -> list[str]:
    """Console errors and uncaught exceptions of a page, minus the front ends' own noise and
    failed loads of off-machine resources (there is no network here: fonts, CDNs)."""
    errors = []
    for line in console:
        if not line.startswith(("error:", "pageerror:")):
            continue
        if any(noise in line for noise in KNOWN_NOISE):
            continue
        where = line.rpartition(" @ ")[2]
        if "Failed to load resource" in line and not where.startswith(_LOCAL):
            continue
        errors.append(line)
    return errors


def watch_console(page: Any) -> list[str]:
    """Collect ``page``'s console messages (``"type: text @ url"``) and uncaught errors into a
    list (returned)."""
    lines: list[str] = []
    page.on("console", lambda m: lines.append(f"{m.type}: {m.text} @ {m.location.get('url', '')}"))
    page.on("pageerror", lambda e: lines.append(f"pageerror: {e}"))
    return lines


def review_tree(d: Path, n: int) -> Path:
    """A ``<label>/<image>`` tree of ``n`` of fo_lite's stand-in images in ``d`` (what the example
    apps read from ``FO_LITE_REVIEW_DIR``)."""
    from fo_lite.standin import make_image_classification_tree

    return Path(make_image_classification_tree(str(d / "tree"), n))


def label_sizes(tree: Path) -> dict[str, int]:
    """``{label: number of images}`` of a ``<label>/<image>`` tree, labels sorted."""
    return {p.name: len(list(p.iterdir())) for p in sorted(tree.iterdir()) if p.is_dir()}


@contextmanager
def app_page(browser: Any, url: str) -> Iterator[tuple[Any, list[str]]]:
    """A page of ``url`` in a fresh browser context, with its console collected; closed after."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        console = watch_console(page)
        page.goto(url)
        yield page, console
    finally:
        context.close()


class AppServer:
    """A web app process on a free 127.0.0.1 port; ready when :attr:`ready_path` answers."""

    name = "app"
    ready_path = "/"

    def __init__(self, base_dir: Path, env: dict[str, str] | None = None) -> None:
        self.base = Path(base_dir)
        self.extra_env = dict(env or {})
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = self.base / f"{self.name}.log"
        self._log: Any = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, timeout: float = 60.0) -> AppServer:
        """Start the process and return self once :attr:`ready_path` answers with 200."""
        self.base.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.command(),
            env=isolated_env(self.base, self.extra_env),
            cwd=self.base,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url(self.ready_path), timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        self.stop()
        raise HarnessError(f"{self.name} not ready in {timeout}s:\n{self.log_tail()}")

    # the same lifecycle as the Jupyter servers': stop the process group (server and kernels)
    # and close the log (uses only proc, _log and log_path, which this class sets too)
    stop = JupyterServer.stop
    log_tail = JupyterServer.log_tail

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class VoilaServer(AppServer):
    """``voila NOTEBOOK`` on a free port; every page load runs the notebook in a new kernel."""

    name = "voila"
    ready_path = "/voila/static/voila.js"  # a static file: asking for it starts no kernel

    def __init__(self, base_dir: Path, notebook: Path, env: dict[str, str] | None = None) -> None:
        super().__init__(base_dir, env)
        self.notebook = Path(notebook).resolve()

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "voila",
            str(self.notebook),
            "--no-browser",
            f"--port={self.port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            f"--Voila.connection_dir_root={self.base}",
            "--show_tracebacks=True",
        ]


class MarimoServer(AppServer):
    """``marimo run APP --headless`` on a free port: the app's cells run when a page opens."""

    name = "marimo"

    def __init__(self, base_dir: Path, app: Path, env: dict[str, str] | None = None) -> None:
        super().__init__(base_dir, env)
        self.app = Path(app).resolve()

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "marimo",
            "-y",
            "run",
            str(self.app),
            "--headless",
            "--host=127.0.0.1",
            f"--port={self.port}",
        ]


def _nbconvert(args: list[str], cwd: Path, env_dir: Path, timeout: float) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", *args],
        env=isolated_env(env_dir),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise HarnessError(f"nbconvert {args} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def execute_notebook(notebook: Path, out_dir: Path, timeout: float = 180.0) -> Path:
    """Run every cell of ``notebook`` with ``jupyter nbconvert --to notebook --execute`` and
    return the executed copy; like ``--to html --execute``, it keeps the widgets' state in the
    notebook's metadata (nbconvert's default)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    name = notebook.stem + "-executed"
    args = ["--to", "notebook", "--execute", f"--output-dir={out_dir}", f"--output={name}"]
    _nbconvert([*args, str(notebook)], notebook.parent, out_dir / ".env", timeout)
    return out_dir / f"{name}.ipynb"


def export_html(executed: Path, out_dir: Path, *, widget_state: bool) -> Path:
    """What ``jupyter nbconvert --to html`` writes for an executed notebook (nbconvert's
    HTMLExporter, in this process), with the widget state it saved (as ``--to html --execute``
    writes it) or without (as ``--ExecutePreprocessor.store_widget_state=False`` writes it: the
    same outputs, no state)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    if not widget_state:
        nb.metadata.pop("widgets", None)
    elif "widgets" not in nb.metadata:
        raise HarnessError(f"{executed} holds no widget state")
    body, _ = HTMLExporter().from_notebook_node(nb)
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / (executed.stem + ("-state.html" if widget_state else "-nostate.html"))
    html.write_text(body, encoding="utf-8")
    return html


def offline_page(
    browser: Any, html: Path, viewport: dict | None = None
) -> tuple[Any, Any, list[str], list[str]]:
    """A new page showing ``html`` from file:// with every non-file request aborted (no network,
    no kernel); returns ``(context, page, console lines, aborted urls)``."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 1000})
    page = context.new_page()
    console = watch_console(page)
    aborted: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            aborted.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(html.as_uri())
    return context, page, console, aborted


# what a reader of an exported notebook sees of the dashboard: snapshots, decoded images, tiles
_JS_STATIC_VIEW = """
() => {
  const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  const snaps = [...document.querySelectorAll('.fol-snapshot')].filter(shown);
  const imgs = (root) => [...root.querySelectorAll('img')]
    .filter((i) => shown(i) && i.complete && i.naturalWidth > 0).length;
  const tiles = [...document.querySelectorAll('.fol-tile')].filter(shown);
  return {
    snapshots: snaps.length,
    snapshot_images: snaps.reduce((n, s) => n + imgs(s), 0),
    snapshot_text: snaps.map((s) => s.textContent).join('\\n'),
    tiles: tiles.length,
    painted_tiles: tiles.filter((t) => imgs(t) > 0).length,
    xss_images: document.querySelectorAll("img[src='x']").length,
  };
}
"""


def static_view(page: Any) -> dict:
    """Visible snapshots (``.fol-snapshot``), their decoded images and text, and the visible
    grid tiles with a decoded thumbnail, in an exported notebook's page."""
    return page.evaluate(_JS_STATIC_VIEW)
