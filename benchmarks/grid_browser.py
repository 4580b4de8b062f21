"""Measure the dashboard grid in a real browser: JupyterLab 4 + Debian's headless chromium.

Usage (from the repo root)::

    python benchmarks/grid_browser.py [--sizes 1000,1000000] [--repeat 3] [--no-12mp]

It starts its own JupyterLab (isolated dirs, free port) with the harness of the browser tests
(``tests/browser/jupyter_harness.py``) and measures, timing in the page with
``requestAnimationFrame`` polls (the browser's clock) and, for kernel-side events, ``time.time()``
in the kernel against ``Date.now()`` in the page (same machine, same wall clock):

- first paint: from running the ``launch_dashboard`` cell to the first thumbnail painted, and to
  every thumbnail visible in the scroller painted (1k and 1M rows; synthetic rows whose filepaths
  repeat a few real JPEGs); each run starts once the grid before it has settled (sidebar counts
  drawn, kernel idle); the first run is cold (the front end's module not loaded yet);
- jump to the end of the 1M view: scrollTop set to the end -> the last tile's thumbnail painted;
- DOM tiles while scrolling the 1M view (a MutationObserver keeps the maximum);
- click-to-kernel: 3 tiles clicked -> a ``session.observe`` callback sees all 3 selected;
- ``session.view = dataset.view().take(10)`` -> 10 tiles with painted thumbnails;
- bytes on the wire per page of rows + thumbnails (Playwright websocket frame listener);
- thumbnails per second from 12-megapixel JPEGs (first paint of a grid of them);
- the expanded view of a 12-megapixel JPEG: Enter on a tile -> the fitted image painted, beside
  a by-hand floor in the same run (Pillow: open, draft, fit to the same size, encode);
- sidebar counts at 1M rows (label of 100 classes, tags, a string and a bool field, a float):
  in the page (sidebar opened -> counts drawn) and in the kernel, beside a by-hand pandas floor
  over the same values in the same run;
- front-end size (the module anywidget loads, as ``fo_lite.session.esm`` joins ``widgets/*.js``,
  + ``widgets/grid.css``, raw and gzipped).

The machine's load (``/proc/loadavg``) is recorded before and after: on a shared machine read
the ratios to the floors, not the absolute times.

Prints a table and writes ``benchmarks/results/grid_browser.json``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import importlib.util
import json
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BROWSER_TESTS = REPO / "tests" / "browser"


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, BROWSER_TESTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


harness = _load("jupyter_harness")
grid_page = _load("grid_page")
grid_data = _load("grid_data")

# targets from issue 5, item 5 and issue 10, item 8 (seconds / bytes)
TARGETS = {
    "first_paint_s": 0.3,
    "jump_to_end_s": 1.0,
    "click3_to_kernel_s": 0.1,
    "take10_repaint_s": 0.2,
    "expanded_12mp_s": 0.3,
    "sidebar_1m_s": 0.5,
    "frontend_bytes": 100_000,
}

# Run cell `index` and time, in the page, the first painted thumbnail and all visible ones painted
_JS_TIME_LAUNCH = """
async ([name, index, timeoutMs]) => {
  const app = window.jupyterapp;
  let w = null;
  for (const x of app.shell.widgets('main')) if (x.context && x.context.path === name) w = x;
  document.querySelectorAll('.fol-root').forEach(e => { e.dataset.benchOld = '1'; });
  app.shell.activateById(w.id);
  w.content.activeCellIndex = index;
  const t0 = performance.now();
  app.commands.execute('notebook:run-cell');
  return await new Promise(resolve => {
    let first = null;
    const tick = () => {
      const now = performance.now() - t0;
      const root = [...document.querySelectorAll('.fol-root')].find(e => !e.dataset.benchOld);
      if (root) {
        const sc = root.querySelector('.fol-scroller');
        const box = sc ? sc.getBoundingClientRect() : null;
        const tiles = [...root.querySelectorAll('.fol-tile')];
        const painted = t => { const i = t.querySelector('img.fol-thumb');
                               return i && i.complete && i.naturalWidth > 0; };
        const visible = box ? tiles.filter(t => { const r = t.getBoundingClientRect();
          return r.bottom > box.top && r.top < box.bottom; }) : [];
        if (first === null && tiles.some(painted)) first = now;
        if (visible.length > 0 && visible.every(painted)) {
          resolve({first_ms: first, all_visible_ms: now, visible: visible.length,
                   tiles: tiles.length});
          return;
        }
      }
      if (now > timeoutMs) { resolve({first_ms: first, timeout: true}); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""

# Set the scroller to `frac` of its height (null: leave it); time until tile `index` (if given) has painted,
# or until the visible tiles have all painted
_JS_TIME_JUMP = """
async ([frac, index, timeoutMs]) => {
  const root = document.querySelector('.fol-root');
  const sc = root.querySelector('.fol-scroller');
  const t0 = performance.now();
  if (frac !== null) sc.scrollTop = frac * (sc.scrollHeight - sc.clientHeight);
  return await new Promise(resolve => {
    const painted = t => { const i = t && t.querySelector('img.fol-thumb');
                           return !!(i && i.complete && i.naturalWidth > 0); };
    const tick = () => {
      const now = performance.now() - t0;
      let ok;
      if (index !== null) {
        ok = painted(root.querySelector(`.fol-tile[data-index="${index}"]`));
      } else {
        const box = sc.getBoundingClientRect();
        const vis = [...root.querySelectorAll('.fol-tile')].filter(t => {
          const r = t.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom; });
        ok = vis.length > 0 && vis.every(painted);
      }
      if (ok) { resolve({ms: now, tiles: root.querySelectorAll('.fol-tile').length}); return; }
      if (now > timeoutMs) { resolve({ms: null, timeout: true}); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""

# Start a poll that stores Date.now() in window.__benchDone once the grid shows `n` painted tiles
_JS_ARM_REPAINT = """
(n) => {
  window.__benchDone = null;
  const root = document.querySelector('.fol-root');
  const tick = () => {
    const tiles = [...root.querySelectorAll('.fol-tile')];
    const text = root.querySelector('.fol-count').textContent;
    const ok = text.startsWith(n + ' samples') && tiles.length === n && tiles.every(t => {
      const i = t.querySelector('img.fol-thumb'); return i && i.complete && i.naturalWidth > 0; });
    if (ok) { window.__benchDone = Date.now(); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""

_PAGE_RE = re.compile(rb'"type":\s*"page"')
_START_RE = re.compile(rb'"start":\s*(\d+)')
_STOP_RE = re.compile(rb'"stop":\s*(\d+)')


class WireLog:
    """Every websocket frame the page receives: (time, bytes, rows if it is a page reply)."""

    def __init__(self, page: Any) -> None:
        self.frames: list[tuple[float, int, int | None]] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._on_frame))

    def _on_frame(self, payload: Any) -> None:
        data = payload.encode() if isinstance(payload, str) else bytes(payload)
        rows = None
        if _PAGE_RE.search(data):
            start, stop = _START_RE.search(data), _STOP_RE.search(data)
            if start and stop:
                rows = int(stop.group(1)) - int(start.group(1))
        self.frames.append((time.monotonic(), len(data), rows))

    def mark(self) -> int:
        return len(self.frames)

    def pages_since(self, mark: int) -> list[tuple[int, int]]:
        return [(size, rows) for _, size, rows in self.frames[mark:] if rows]

    def bytes_since(self, mark: int) -> int:
        return sum(size for _, size, _ in self.frames[mark:])


def summarize(values: list[float]) -> dict:
    vals = [v for v in values if v is not None]
    if not vals:
        return {"runs": values, "min": None, "median": None}
    return {"runs": values, "min": min(vals), "median": statistics.median(vals)}


def dataset_cells(files: list[str], size: int) -> list[str]:
    """Rows repeating a few real JPEGs, labels of 100 classes; fields for the sidebar."""
    return [
        "import time\nimport fo_lite as fo\n"
        f"files = {files!r}\n"
        f"samples = [(files[i % len(files)], f'class_{{i % 100:02d}}') for i in range({size})]\n"
        f"dataset = fo.Dataset.from_image_classification_samples(samples, name='bench_{size}')\n"
        f"dataset.set_values('split', ['val' if i % 5 == 0 else 'train' for i in range({size})])\n"
        f"dataset.set_values('reviewed', [i % 3 == 0 for i in range({size})])\n"
        f"dataset.set_values('score', [(i * 7919 % 1000) / 1000 for i in range({size})])\n"
        f"dataset.set_values('tags', [['dup'] if i % 20 == 0 else [] for i in range({size})])",
        "session = fo.launch_dashboard(dataset=dataset)",
    ]


# True once the newest grid (if any) has what it asks for after display: its sidebar counts
_JS_SETTLED = """
() => {
  const roots = document.querySelectorAll('.fol-root');
  const root = roots[roots.length - 1];
  if (!root) return true;
  const side = root.querySelector('.fol-sidebar');
  return side.hidden || side.dataset.version === root.dataset.version;
}
"""


def settle(nb: Any) -> None:
    """Wait until the last grid shown has settled (sidebar counts drawn) and the kernel has
    answered everything: each run then starts, as a person's would, with an idle kernel, not
    behind the previous display's sidebar counts (~0.1 s of the kernel at 1M rows)."""
    nb.page.wait_for_function(_JS_SETTLED, timeout=60_000)
    nb.execute("pass")


def time_first_paint(nb: Any, repeat: int, wire: WireLog) -> tuple[dict, dict, list]:
    first, full, pages = [], [], []
    for _ in range(repeat):
        settle(nb)
        mark = wire.mark()
        r = nb.page.evaluate(_JS_TIME_LAUNCH, [nb.name, 1, 60_000])
        if r.get("timeout"):
            raise RuntimeError(f"grid never painted its thumbnails: {r}\n{nb.diagnostics()}")
        first.append(r["first_ms"] / 1000)
        full.append(r["all_visible_ms"] / 1000)
        pages += wire.pages_since(mark)
    return summarize(first), summarize(full), pages


def measure_size(server: Any, browser: Any, files: list[str], size: int, args: Any) -> dict:
    nb = harness.NotebookPage(server, browser, f"bench_{size}.ipynb", dataset_cells(files, size))
    wire = WireLog(nb.page)
    out: dict[str, Any] = {"rows": size}
    try:
        nb.open()
        t = time.perf_counter()
        nb.run_cell_at(0, timeout=600)
        out["dataset_build_s"] = round(time.perf_counter() - t, 3)
        first, full, pages = time_first_paint(nb, args.repeat, wire)
        out["first_thumbnail_s"], out["all_visible_thumbnails_s"] = first, full
        grid = grid_page.Grid(nb.page)
        out["tiles_after_launch"] = grid.stats()["total"]
        if pages:
            out["page_reply_bytes_mean"] = round(statistics.mean(s for s, _ in pages))
            out["page_rows_mean"] = round(statistics.mean(r for _, r in pages), 1)
            out["bytes_per_row"] = round(sum(s for s, _ in pages) / sum(r for _, r in pages))
        if size >= 100_000:
            out.update(measure_scroll(nb, grid, size, args.repeat, wire))
            out.update(measure_sidebar(nb, args.repeat))
        else:
            out.update(measure_clicks(nb, grid, args.repeat))
            out.update(measure_take10(nb, grid, size, args.repeat))
    finally:
        nb.close()
    return out


def measure_scroll(nb: Any, grid: Any, size: int, repeat: int, wire: WireLog) -> dict:
    page = nb.page
    grid.root.evaluate(
        """root => { window.__folMaxTiles = root.querySelectorAll('.fol-tile').length;
             new MutationObserver(() => { window.__folMaxTiles = Math.max(window.__folMaxTiles,
               root.querySelectorAll('.fol-tile').length); })
             .observe(root, {childList: true, subtree: true}); }"""
    )
    jumps, tiles_seen, mark = [], [], wire.mark()
    for _ in range(repeat):
        page.evaluate(_JS_TIME_JUMP, [0.0, None, 30_000])
        r = page.evaluate(_JS_TIME_JUMP, [1.0, size - 1, 30_000])
        jumps.append(None if r.get("timeout") else r["ms"] / 1000)
        tiles_seen.append(r.get("tiles"))
    middle = []
    for frac in (0.2, 0.4, 0.6, 0.8):
        r = page.evaluate(_JS_TIME_JUMP, [frac, None, 30_000])
        middle.append(None if r.get("timeout") else r["ms"] / 1000)
        tiles_seen.append(r.get("tiles"))
    grid.scroller.hover()
    for _ in range(10):
        page.mouse.wheel(0, 800)
        r = page.evaluate(_JS_TIME_JUMP, [None, None, 30_000])
        tiles_seen.append(r.get("tiles"))
    pages = wire.pages_since(mark)
    return {
        "jump_to_end_s": summarize(jumps),
        "jump_to_middle_s": summarize(middle),
        "dom_tiles_while_scrolling": {
            "max": page.evaluate("window.__folMaxTiles"),
            "samples": [t for t in tiles_seen if t is not None],
        },
        "scroll_page_replies": len(pages),
        "scroll_page_reply_bytes_mean": round(statistics.mean(s for s, _ in pages))
        if pages
        else None,
    }


def measure_clicks(nb: Any, grid: Any, repeat: int) -> dict:
    nb.execute(
        "import time as _bt\n_bench_t = []\n"
        "session.observe(lambda ch: _bench_t.append(_bt.time()) if len(ch['new']) >= 3 else None,"
        " names='selected')"
    )
    grid.root.evaluate(
        """root => root.addEventListener('pointerdown', () => {
             window.__benchClicks = window.__benchClicks || [];
             window.__benchClicks.push(Date.now()); }, true)"""
    )
    first_to_kernel, last_to_kernel = [], []
    for k in range(repeat):
        nb.page.evaluate("window.__benchClicks = []")
        # raw mouse clicks at precomputed centres: no per-click actionability waits in between
        boxes = [grid.tile(i).bounding_box() for i in (0, 1, 2)]
        for b in boxes:
            nb.page.mouse.click(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
        stamps = nb.wait_for("_bench_t", lambda v, k=k: len(v) > k, timeout=20)
        clicks = nb.page.evaluate("window.__benchClicks")
        first_to_kernel.append(stamps[k] - clicks[0] / 1000)
        last_to_kernel.append(stamps[k] - clicks[-1] / 1000)
        nb.execute("session.selected = []")
        grid_page.poll(lambda: grid.selected_tiles.count(), lambda n: n == 0, what="cleared")
    return {
        "click3_to_kernel_s": summarize(first_to_kernel),
        "last_click_to_kernel_s": summarize(last_to_kernel),
    }


def measure_take10(nb: Any, grid: Any, size: int, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        nb.page.evaluate(_JS_ARM_REPAINT, 10)
        t0 = nb.evaluate("[_bt.time(), setattr(session, 'view', dataset.view().take(10))][0]")
        nb.page.wait_for_function("window.__benchDone !== null", timeout=30_000)
        runs.append(nb.page.evaluate("window.__benchDone") / 1000 - t0)
        nb.execute("session.view = None")
        grid_page.poll(
            lambda: grid.count.text_content(),
            lambda t: t.startswith(f"{size:,} samples"),
            what="back to the whole dataset",
        )
    return {"take10_repaint_s": summarize(runs)}


# Time opening the (closed) sidebar until it shows the counts of `version`: the request, the
# counts in the kernel, the drawing
_JS_TIME_SIDEBAR = """
async ([version, timeoutMs]) => {
  const root = document.querySelector('.fol-root');
  const side = root.querySelector('.fol-sidebar');
  const toggle = root.querySelector('button[data-action="sidebar"]');
  const t0 = performance.now();
  toggle.click();
  return await new Promise(resolve => {
    const tick = () => {
      const now = performance.now() - t0;
      if (side.dataset.version === String(version) && side.querySelector('.fol-sb-field')) {
        resolve({ms: now, fields: side.querySelectorAll('.fol-sb-field').length}); return; }
      if (now > timeoutMs) { resolve({ms: null, timeout: true}); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""

# The kernel side of the sidebar beside a by-hand pandas floor over the same values
_PY_SIDEBAR = """
import collections, itertools, statistics, time as _t
import pandas as _pd
from fo_lite.session.sidebar import Filters, sidebar_fields
_cols = {f: dataset.values(f) for f in ("ground_truth.label", "split", "reviewed", "score", "tags")}
_frame = _pd.DataFrame({k: v for k, v in _cols.items() if k != "tags"})

def _floor():
    out = {c: _frame[c].value_counts(dropna=False) for c in ("ground_truth.label", "split", "reviewed")}
    out["score"] = (_frame["score"].min(), _frame["score"].max())
    out["tags"] = collections.Counter(itertools.chain.from_iterable(filter(None, _cols["tags"])))
    return out

def _median(fn, n):
    times = []
    for _ in range(n):
        t0 = _t.perf_counter(); fn(); times.append(_t.perf_counter() - t0)
    return statistics.median(times)

_bench_sidebar = {
    "kernel_s": _median(lambda: sidebar_fields(dataset, dataset, Filters(), "ground_truth"), REPEAT),
    "floor_s": _median(_floor, REPEAT),
}
"""


def measure_sidebar(nb: Any, repeat: int) -> dict:
    """Sidebar counts at this size: opened in the page, and kernel vs by-hand floor."""
    page_runs = []
    for _ in range(repeat):
        toggle = nb.page.locator('.fol-root button[data-action="sidebar"]')
        if toggle.get_attribute("aria-pressed") == "true":
            toggle.click()  # close it
        version = nb.evaluate("session._state['version']")
        nb.execute("session.refresh()")  # a new version: opening must count again
        nb.page.wait_for_function(
            "v => document.querySelector('.fol-root').dataset.version === String(v)",
            arg=version + 1,
        )
        r = nb.page.evaluate(_JS_TIME_SIDEBAR, [version + 1, 60_000])
        page_runs.append(None if r.get("timeout") else r["ms"] / 1000)
    nb.execute(_PY_SIDEBAR.replace("REPEAT", str(repeat)), timeout=600)
    kernel = nb.evaluate("_bench_sidebar")
    return {
        "sidebar_open_s": summarize(page_runs),
        "sidebar_kernel_s": round(kernel["kernel_s"], 4),
        "sidebar_floor_s": round(kernel["floor_s"], 4),
        "sidebar_kernel_over_floor": round(kernel["kernel_s"] / kernel["floor_s"], 2),
    }


# Focus tile `index` and press Enter there: time until the expanded image is painted
_JS_TIME_EXPAND = """
async ([index, timeoutMs]) => {
  const root = document.querySelector('.fol-root');
  const tile = root.querySelector(`.fol-tile[data-index="${index}"]`);
  tile.focus();
  const t0 = performance.now();
  tile.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, composed: true}));
  return await new Promise(resolve => {
    const tick = () => {
      const now = performance.now() - t0;
      const img = root.querySelector('.fol-detail-img');
      const where = root.querySelector('.fol-detail-where').textContent;
      if (img && img.complete && img.naturalWidth > 0 && where.startsWith(`${index + 1} /`)) {
        const media = img.parentElement;
        resolve({ms: now, width: img.naturalWidth, height: img.naturalHeight,
                 panel: [media.clientWidth, media.clientHeight, devicePixelRatio]}); return; }
      if (now > timeoutMs) { resolve({ms: null, timeout: true}); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""

# The same work by hand in the kernel: open, draft, fit to the same size, encode (quality 85)
_PY_FLOOR_EXPAND = """
import io, statistics, time as _t
from PIL import Image as _Image

def _fit(path, px):
    with _Image.open(path) as img:
        img.draft("RGB", (px, px))
        img.thumbnail((px, px))
        out = io.BytesIO()
        img.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue()

_floor_runs = []
for _p in PATHS:
    _t0 = _t.perf_counter(); _fit(_p, PX); _floor_runs.append(_t.perf_counter() - _t0)
_bench_floor = statistics.median(_floor_runs)
"""


def measure_expanded(nb: Any, paths: list[str], count: int) -> dict:
    """Enter on `count` different 12 MP tiles (each opened once: cold), beside the floor."""
    runs, sizes = [], []
    for index in range(count):
        r = nb.page.evaluate(_JS_TIME_EXPAND, [index, 60_000])
        if r.get("timeout"):
            raise RuntimeError(f"expanded view never painted tile {index}: {nb.diagnostics()}")
        runs.append(r["ms"] / 1000)
        sizes.append((r["width"], r["height"]))
        nb.page.keyboard.press("Escape")
        nb.wait_for("session.expanded", lambda v: v is None)
    w, h, ratio = r["panel"]
    px = min(max(-(-int(max(w, h) * ratio) // 128) * 128, 256), 4096)
    code = _PY_FLOOR_EXPAND.replace("PATHS", repr(paths[:count])).replace("PX", str(px))
    nb.execute(code, timeout=300)
    floor = nb.evaluate("_bench_floor")
    median = statistics.median(runs)
    return {
        "expanded_open_s": summarize(runs),
        "expanded_image_px": sizes[0],
        "expanded_floor_s": round(floor, 4),
        "expanded_over_floor": round(median / floor, 2),
    }


def make_big_jpegs(d: Path, n: int) -> list[str]:
    """``n`` 4000x3000 JPEGs (12 megapixels), smooth enough to stay ~1-2 MB each."""
    from PIL import Image, ImageDraw

    d.mkdir(parents=True, exist_ok=True)
    base = Image.linear_gradient("L").resize((4000, 3000))
    paths = []
    for i in range(n):
        img = Image.merge(
            "RGB", (base, base.rotate(90 * (i % 4)), Image.new("L", base.size, 40 * i % 256))
        )
        ImageDraw.Draw(img).ellipse((800 + 40 * i, 600, 2800 + 40 * i, 2400), fill=(200, 30, 90))
        path = d / f"big_{i:02d}.jpg"
        img.save(path, "JPEG", quality=85)
        paths.append(str(path))
    return paths


def measure_12mp(server: Any, browser: Any, files: list[str]) -> dict:
    cells = [
        "import fo_lite as fo\n"
        f"samples = [(p, f'photo-{{i}}') for i, p in enumerate({files!r})]\n"
        "dataset = fo.Dataset.from_image_classification_samples(samples, name='bench_12mp')",
        "session = fo.launch_dashboard(dataset=dataset)",
    ]
    nb = harness.NotebookPage(server, browser, "bench_12mp.ipynb", cells)
    try:
        nb.open().run_cell_at(0)
        r = nb.page.evaluate(_JS_TIME_LAUNCH, [nb.name, 1, 120_000])
        if r.get("timeout"):
            raise RuntimeError(f"12 MP grid never painted: {r}")
        secs = r["all_visible_ms"] / 1000
        return {
            "images": len(files),
            "visible_painted": r["visible"],
            "all_visible_painted_s": round(secs, 3),
            "thumbnails_per_s": round(r["visible"] / secs, 1),
            **measure_expanded(nb, files, min(6, len(files))),
        }
    finally:
        nb.close()


def frontend_size() -> dict:
    """Bytes of what the browser loads: the joined module and the CSS."""
    sys.path.insert(0, str(REPO))
    from fo_lite.session import esm

    files = {
        "module (widgets/*.js joined)": esm.bundle(REPO / "widgets" / "grid.js").encode(),
        "grid.css": (REPO / "widgets" / "grid.css").read_bytes(),
    }
    out: dict[str, Any] = {name: len(data) for name, data in files.items()}
    out["total_bytes"] = sum(len(d) for d in files.values())
    out["total_gzip_bytes"] = sum(len(gzip.compress(d)) for d in files.values())
    return out


def load() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def fmt(v: Any) -> str:
    if isinstance(v, dict) and "median" in v:
        if v["median"] is None:
            return "timeout"
        return f"{v['median'] * 1000:.0f} ms (min {v['min'] * 1000:.0f})"
    return str(v)


def print_table(res: dict) -> None:
    rows = []
    for size_key, r in res["sizes"].items():
        n = f"{int(size_key):,}"
        rows += [
            (f"first thumbnail painted, {n} rows", fmt(r["first_thumbnail_s"]), "< 300 ms"),
            (f"all visible thumbnails, {n} rows", fmt(r["all_visible_thumbnails_s"]), ""),
            (
                f"bytes per page reply, {n} rows",
                f"{r.get('page_reply_bytes_mean')} B "
                f"({r.get('page_rows_mean')} rows, {r.get('bytes_per_row')} B/row)",
                "",
            ),
        ]
        if "jump_to_end_s" in r:
            rows += [
                (f"jump to end painted, {n} rows", fmt(r["jump_to_end_s"]), "< 1 s"),
                (f"jump to middle painted, {n} rows", fmt(r["jump_to_middle_s"]), ""),
                ("max DOM tiles while scrolling", str(r["dom_tiles_while_scrolling"]["max"]), ""),
                (f"sidebar opened -> counts drawn, {n} rows", fmt(r["sidebar_open_s"]), "< 500 ms"),
                (
                    f"sidebar counts in the kernel, {n} rows",
                    f"{r['sidebar_kernel_s'] * 1000:.0f} ms (by-hand pandas "
                    f"{r['sidebar_floor_s'] * 1000:.0f} ms: {r['sidebar_kernel_over_floor']}x)",
                    "",
                ),
            ]
        if "click3_to_kernel_s" in r:
            rows += [
                ("3 clicks -> session.selected", fmt(r["click3_to_kernel_s"]), "< 100 ms"),
                ("last click -> session.selected", fmt(r["last_click_to_kernel_s"]), ""),
                ("take(10) repainted", fmt(r["take10_repaint_s"]), "< 200 ms"),
            ]
    if "twelve_mp" in res:
        t = res["twelve_mp"]
        rows.append(
            (
                "12 MP JPEG thumbnails / s",
                f"{t['thumbnails_per_s']} ({t['visible_painted']} "
                f"in {t['all_visible_painted_s']} s)",
                "",
            )
        )
        rows.append(
            (
                "12 MP JPEG: Enter -> expanded image painted",
                f"{fmt(t['expanded_open_s'])}; Pillow floor "
                f"{t['expanded_floor_s'] * 1000:.0f} ms ({t['expanded_over_floor']}x)",
                "< 300 ms",
            )
        )
    fe = res["frontend"]
    rows.append(
        (
            "front end (joined module + grid.css)",
            f"{fe['total_bytes']:,} B ({fe['total_gzip_bytes']:,} gz)",
            "< 100 KB",
        )
    )
    rows.append(
        (
            "machine load before / after (1 min)",
            f"{res['load_before'][0]} / {res['load_after'][0]}",
            "",
        )
    )
    w = max(len(r[0]) for r in rows)
    print(f"{'metric':<{w}}  {'value':<44}  target")
    for name, value, target in rows:
        print(f"{name:<{w}}  {value:<44}  {target}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="1000,1000000", help="comma-separated row counts")
    p.add_argument("--repeat", type=int, default=3, help="runs of each timed step")
    p.add_argument("--no-12mp", action="store_true", help="skip the 12-megapixel JPEG run")
    p.add_argument("--out", type=Path, default=HERE / "results" / "grid_browser.json")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="fol-grid-bench-"))
    images = grid_data.make_image_set(tmp / "images")
    files = images.good_files[:8]
    res: dict[str, Any] = {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "images": "96x96 JPEGs (tests/browser/grid_data.py), filepaths repeating 8 files",
        "repeat": args.repeat,
        "targets": TARGETS,
        "sizes": {},
        "load_before": load(),
    }
    with sync_playwright() as pw, harness.JupyterServer(tmp / "lab", app="lab") as server:
        browser = harness.launch_chromium(pw)
        try:
            for size in sizes:
                print(f"measuring {size:,} rows ...", file=sys.stderr)
                res["sizes"][str(size)] = measure_size(server, browser, files, size, args)
            if not args.no_12mp:
                print("measuring 12 MP JPEGs ...", file=sys.stderr)
                res["twelve_mp"] = measure_12mp(server, browser, make_big_jpegs(tmp / "big", 24))
        finally:
            browser.close()
    res["frontend"] = frontend_size()
    res["load_after"] = load()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2) + "\n")
    print_table(res)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
