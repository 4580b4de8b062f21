"""The grid's colours: JupyterLab's dark theme, and VS Code's theme variables without JupyterLab's.

- JupyterLab Dark, set the way a user sets it: in the settings of this module's own JupyterLab
  (``@jupyterlab/apputils-extension/themes.jupyterlab-settings`` in its isolated
  ``JUPYTERLAB_SETTINGS_DIR``). The grid takes JupyterLab's colours, and every text stays
  readable: header, tiles, sidebar, group headers, status line and expanded view.
- VS Code gives notebook outputs its theme as ``--vscode-*`` variables and no ``--jp-*`` ones
  (microsoft/vscode#107985, microsoft/vscode-jupyter#7161). The grid, mounted with the fake
  kernel under VS Code's Dark+ colours on a page whose OS scheme is light, must take VS Code's
  colours (not its light fallback) and stay readable.

Readable means WCAG's contrast ratio between a text's colour and the colour actually behind it
(semi-transparent colours composited over what lies beneath; text drawn over a thumbnail is
measured over a white image, its worst case) is at least 4.5:1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fo_lite.session import esm

from .grid_data import N_SMALL, dashboard_cells
from .grid_page import Grid, count_text
from .jupyter_harness import JupyterServer, open_notebook, playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()

MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text
REPO = Path(__file__).resolve().parents[2]

# contrast of each visible element matching a selector, against what is painted behind it
_JS_CONTRAST = """
([selector, overWhite]) => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {  // top composited over an opaque colour
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
  };
  const parentOf = (el) => el.parentElement || (el.getRootNode() && el.getRootNode().host) || null;
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = parentOf(e)) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = overWhite || !layers.length || layers[layers.length - 1][3] < 1
      ? [255, 255, 255, 1] : layers.pop();
    while (layers.length) base = over(layers.pop(), base);
    return base;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const all = (root) => [...root.querySelectorAll(selector),
    ...[...root.querySelectorAll('*')].filter((e) => e.shadowRoot).flatMap((e) => all(e.shadowRoot))];
  return all(document)
    .filter((e) => e.getClientRects().length && e.textContent.trim() !== '')
    .map((e) => {
      const bg = behind(e);
      const fg = over(parse(getComputedStyle(e).color), bg);
      return { selector, text: e.textContent.trim().slice(0, 40),
               ratio: Math.round(ratio(fg, bg) * 100) / 100,
               fg: fg.map(Math.round).join(','), bg: bg.map(Math.round).join(',') };
    });
}
"""

HEADER = (".fol-title", ".fol-count", ".fol-size", ".fol-button")
TILES = (".fol-field", ".fol-broken")
OVER_IMAGES = (".fol-label", ".fol-tag")  # drawn over the thumbnail
SIDEBAR = (".fol-sb-name", ".fol-sb-label", ".fol-sb-count")  # .fol-sb-more shares sb-count's rule
GROUPS = (".fol-head-text", ".fol-head-count")
DETAIL = (".fol-detail-title", ".fol-detail-where", ".fol-detail-key", ".fol-detail-value")


def contrasts(page, selector: str, over_white: bool = False) -> list[dict]:
    found = page.evaluate(_JS_CONTRAST, [selector, over_white])
    assert found, f"no visible text matches {selector!r}"
    return found


def unreadable(page, selectors, over_white: bool = False) -> list[dict]:
    found = [c for s in selectors for c in contrasts(page, s, over_white)]
    return [f for f in found if f["ratio"] < MIN_CONTRAST]


@pytest.fixture(scope="module")
def dark_lab(tmp_path_factory, playwright_instance):
    server = JupyterServer(tmp_path_factory.mktemp("jupyterlab-dark"), app="lab")
    themes = server.settings_dir / "@jupyterlab" / "apputils-extension"
    themes.mkdir(parents=True, exist_ok=True)
    (themes / "themes.jupyterlab-settings").write_text(json.dumps({"theme": "JupyterLab Dark"}))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def dark(dark_lab, browser, image_set):
    cells = dashboard_cells(image_set.json_path, "dark_grid")
    cells[-1] = (
        'dataset.select(dataset.values("id")[:3]).tag_samples(["dup", "review"])\n'
        'session = fo.launch_dashboard(dataset=dataset, tile_field="filepath")'
    )
    nb = open_notebook(dark_lab, browser, "dark.ipynb", cells)
    try:
        expect(nb.page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
        grid = Grid(nb.page)
        expect(grid.count).to_have_text(count_text(N_SMALL, 0))
        expect(grid.root.locator(".fol-sb-count").first).to_be_visible()
        yield nb, grid
    finally:
        nb.close()


def test_grid_takes_jupyterlabs_dark_colours(dark):
    nb, grid = dark
    colours = grid.root.evaluate(
        """r => { const s = getComputedStyle(document.body);
             const probe = document.createElement('div');
             probe.style.background = 'var(--jp-layout-color1)'; document.body.append(probe);
             const want = getComputedStyle(probe).backgroundColor; probe.remove();
             return {root: getComputedStyle(r).backgroundColor, want,
                     layout: s.getPropertyValue('--jp-layout-color1').trim()}; }"""
    )
    assert colours["layout"], "JupyterLab's --jp-layout-color1 is not defined"
    assert colours["root"] == colours["want"], colours


def test_header_tiles_and_sidebar_are_readable_in_the_dark_theme(dark):
    nb, grid = dark
    page = nb.page
    problems = unreadable(page, HEADER + TILES + SIDEBAR)
    problems += unreadable(page, OVER_IMAGES, over_white=True)
    assert problems == [], problems


def test_pressed_filters_groups_status_and_detail_are_readable_in_the_dark_theme(dark):
    nb, grid = dark
    page = nb.page
    try:
        # a notice in the status line: tagging with nothing selected
        grid.root.locator('input[data-action="tag-input"]').fill("x")
        grid.root.locator('input[data-action="tag-input"]').press("Enter")
        expect(grid.root.locator(".fol-status")).to_have_text("select samples to tag first")
        problems = unreadable(page, [".fol-status"])
        # a pressed filter value, a pressed header button, group headers
        grid.root.locator(".fol-sb-field[data-path='tags'] .fol-sb-value").first.click()
        expect(grid.root.locator('.fol-sb-value[aria-pressed="true"]')).to_have_count(1)
        expect(grid.count).to_have_text(count_text(3, 0))
        grid.tile(0).click()
        grid.tile(1).click()
        nb.wait_for("len(session.selected)", lambda n: n == 2)
        grid.button("show-selected").click()
        expect(grid.button("show-selected")).to_have_attribute("aria-pressed", "true")
        nb.execute('session.group_by = "ground_truth.label"')
        expect(grid.root.locator(".fol-head").first).to_be_visible()
        problems += unreadable(page, ['[aria-pressed="true"]', *GROUPS])
        # the expanded view
        grid.tile(0).dblclick()
        expect(grid.detail).to_be_visible()
        expect(grid.root.locator(".fol-detail-row").first).to_be_visible()
        expect(grid.root.locator(".fol-detail-where")).not_to_be_empty()
        problems += unreadable(page, [*DETAIL, ".fol-detail .fol-button"])
        assert problems == [], problems
    finally:
        if grid.detail.is_visible():
            grid.button("close-detail").click()
        nb.execute("session.group_by = None\nsession.view = None\nsession.selected = []")


# VS Code's Dark+ theme colours as its notebook webview sets them on <html> (a subset)
VSCODE_DARK = {
    "--vscode-editor-background": "#1e1e1e",
    "--vscode-editor-foreground": "#d4d4d4",
    "--vscode-editorWidget-background": "#252526",
    "--vscode-descriptionForeground": "rgba(204, 204, 204, 0.7)",
    "--vscode-panel-border": "rgba(128, 128, 128, 0.35)",
    "--vscode-button-background": "#0e639c",
    "--vscode-button-foreground": "#ffffff",
    "--vscode-editorWarning-foreground": "#cca700",
    "--vscode-font-family": "system-ui, sans-serif",
}


def test_grid_takes_vscode_colours_where_jupyterlabs_are_missing(browser):
    """VS Code's variables win over the grid's own fallbacks (light here: the OS scheme)."""
    context = browser.new_context(viewport={"width": 1000, "height": 900}, color_scheme="light")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        style = "; ".join(f"{k}: {v}" for k, v in VSCODE_DARK.items())
        page.set_content(f'<!doctype html><html style="{style}"><body></body></html>')
        source = esm.bundle(REPO / "widgets" / "grid.js")
        css = (REPO / "widgets" / "grid.css").read_text()
        mount = (Path(__file__).parent / "fake_kernel.js").read_text()
        page.evaluate(mount, [source, css, {"n": 60, "groupSize": 20}])
        grid = Grid(page)
        expect(grid.tile(0)).to_have_attribute("data-id", "id0000000")
        colours = grid.root.evaluate(
            "r => [getComputedStyle(r).backgroundColor, getComputedStyle(r).color,"
            " getComputedStyle(r.querySelector('.fol-header')).backgroundColor]"
        )
        assert colours == ["rgb(30, 30, 30)", "rgb(212, 212, 212)", "rgb(37, 37, 38)"]
        grid.tile(1).click()
        grid.tile(2).click()
        expect(grid.selected_tiles).to_have_count(2)
        problems = unreadable(page, HEADER + (".fol-broken",) + GROUPS)  # no fields here
        problems += unreadable(page, OVER_IMAGES[:1], over_white=True)
        grid.tile(2).dblclick()
        expect(page.locator(".fol-detail-where")).to_have_text("3 / 60")
        problems += unreadable(page, DETAIL)
        assert problems == [], problems
        assert errors == [], errors
    finally:
        context.close()
