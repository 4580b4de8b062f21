"""Proves the harness itself with a ten-line anywidget: a click reaches the kernel, a trait set
through the kernel client reaches the DOM. If this fails, the grid tests' failures are not the
grid's fault."""

from __future__ import annotations

import pytest

from .jupyter_harness import open_notebook, playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()

COUNTER = '''
import anywidget, traitlets

class Counter(anywidget.AnyWidget):
    _esm = """
    export default { render({ model, el }) {
      const b = document.createElement("button");
      b.className = "smoke";
      const show = () => { b.textContent = "count " + model.get("count"); };
      b.addEventListener("click", () => {
        model.set("count", model.get("count") + 1); model.save_changes(); });
      model.on("change:count", show); show(); el.appendChild(b);
    } }"""
    count = traitlets.Int(0).tag(sync=True)

w = Counter()
w
'''


def test_anywidget_round_trip(lab_server, browser):
    nb = open_notebook(lab_server, browser, "smoke.ipynb", [COUNTER])
    try:
        button = nb.page.locator("button.smoke")
        expect(button).to_have_text("count 0")
        button.click()
        button.click()
        assert nb.wait_for("w.count", lambda v: v == 2) == 2
        nb.execute("w.count = 41")
        expect(button).to_have_text("count 41")
        assert nb.dialogs == []
    finally:
        nb.close()
