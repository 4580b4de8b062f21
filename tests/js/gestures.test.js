// @ts-check
// Unit tests of widgets/gestures.js: clicks and keys become cursor moves and gesture messages,
// against a stand-in display (the browser tests drive the real one).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Gestures } from "../../widgets/gestures.js";
import { Cursor } from "../../widgets/keys.js";
import { Layout } from "../../widgets/layout.js";

/**
 * A display of `n` rows in `cols` columns whose pages hold the rows of `ids` (by index).
 * @param {{ n?: number, cols?: number, ids?: Record<number, string> }} [opts]
 */
function display({ n = 20, cols = 4, ids = {} } = {}) {
  /** @type {object[]} */
  const sent = [];
  /** @type {any[]} */
  const calls = [];
  const lay = new Layout({ n, starts: null, cols, size: 100 });
  const root = { id: "root" };
  const view = {
    root,
    tiles: {
      el: { clientHeight: 2 * lay.rowH, focus: () => calls.push(["focus", "grid"]) },
      tile: (/** @type {number} */ i) => ({ focus: () => calls.push(["focus", i]) }),
    },
    expanded: {
      open: false,
      toggle: () => calls.push(["expanded-toggle"]),
      setOpen: (/** @type {string|null} */ id) => calls.push(["setOpen", id]),
      openIndex: (/** @type {number} */ i) => calls.push(["openIndex", i]),
      step: (/** @type {number} */ d) => calls.push(["step", d]),
    },
    store: {
      row: (/** @type {number} */ i) => (i in ids ? { id: ids[i], selected: false } : undefined),
    },
    cursor: new Cursor(),
    state: { version: 3, length: n },
    static: null,
    layout: () => lay,
    firstDrawn: () => 8,
    draw: () => calls.push(["draw"]),
    scheduleDraw: () => calls.push(["scheduleDraw"]),
    reveal: (/** @type {number} */ i) => calls.push(["reveal", i]),
    send: (/** @type {object} */ content) => sent.push(content),
  };
  const host = /** @type {import("../../widgets/gestures.js").GestureHost} */ (
    /** @type {unknown} */ (view)
  );
  return { view, sent, calls, gestures: new Gestures(host) };
}

/** @param {string} key @param {object} [mods] */
const cmd = (key, mods = {}) => ({ key, shiftKey: false, ctrlKey: false, metaKey: false, ...mods });

/**
 * A key press whose composed path starts at `target` and goes through `through`.
 * @param {string} key @param {object} mods @param {object[]} through @param {string} [tag]
 */
function keyEvent(key, mods, through, tag = "DIV") {
  const seen = { prevented: false, stopped: false };
  const e = {
    ...cmd(key, mods),
    composedPath: () => [{ tagName: tag }, ...through],
    preventDefault: () => (seen.prevented = true),
    stopPropagation: () => (seen.stopped = true),
  };
  return { e: /** @type {KeyboardEvent} */ (/** @type {unknown} */ (e)), seen };
}

test("a click toggles its row, named by id or, while its page is on its way, by index", () => {
  const { sent, calls, gestures, view } = display({ ids: { 2: "b" } });
  gestures.press(2, false);
  gestures.press(5, false);
  assert.deepEqual(sent, [
    { type: "toggle", version: 3, index: 2, id: "b" },
    { type: "toggle", version: 3, index: 5, id: null },
  ]);
  assert.equal(view.cursor.focus, 5);
  assert.deepEqual(calls.slice(-2), [["draw"], ["focus", 5]], "drawn, then the tile focused");
});

test("a shift-click adds the rows from the anchor", () => {
  const { sent, gestures } = display();
  gestures.press(6, false);
  gestures.press(2, true);
  assert.deepEqual(sent[1], { type: "range", version: 3, start: 2, stop: 7 });
});

test("a double-click undoes its first click's toggle and opens the row", () => {
  const { sent, calls, gestures } = display({ ids: { 3: "c" } });
  gestures.press(3, false);
  gestures.doubleClick(3);
  assert.deepEqual(sent, [
    { type: "toggle", version: 3, index: 3, id: "c" },
    { type: "toggle", version: 3, index: 3, id: "c" },
  ]);
  assert.deepEqual(calls.at(-1), ["setOpen", "c"]);
  gestures.doubleClick(3); // no toggle just before: opens only
  assert.equal(sent.length, 2);
});

test("opening a row whose page is not here asks by index; the snapshot opens nothing", () => {
  const { calls, gestures, view } = display({ n: 10 });
  gestures.openAt(7);
  assert.deepEqual(calls.at(-1), ["openIndex", 7]);
  gestures.openAt(10); // past the end: nothing
  assert.deepEqual(calls.at(-1), ["openIndex", 7]);
  view.static = /** @type {any} */ ({});
  gestures.openAt(1);
  assert.deepEqual(calls.at(-1), ["openIndex", 7]);
});

test("keys move the focus from the first row drawn; shift extends a range", () => {
  const { sent, calls, gestures, view } = display({ n: 20, cols: 4 });
  gestures.run({ action: "right", extend: false }); // no focus yet: from firstDrawn() = 8
  assert.equal(view.cursor.focus, 9);
  assert.deepEqual(calls.slice(-3), [["reveal", 9], ["draw"], ["focus", 9]]);
  gestures.run({ action: "down", extend: false });
  assert.equal(view.cursor.focus, 13);
  gestures.run({ action: "end", extend: true });
  assert.deepEqual(sent.at(-1), { type: "range", version: 3, start: 13, stop: 20 });
  gestures.run({ action: "pageup", extend: false }); // two rows up, same column
  assert.equal(view.cursor.focus, 11);
  gestures.run({ action: "home", extend: false });
  assert.equal(view.cursor.focus, 0);
  gestures.run({ action: "toggle", extend: false });
  assert.deepEqual(sent.at(-1), { type: "toggle", version: 3, index: 0, id: null });
  gestures.run({ action: "clear", extend: false });
  gestures.run({ action: "select-all", extend: false });
  assert.deepEqual(sent.slice(-2), [{ type: "clear" }, { type: "select-all" }]);
});

test("with the expanded view open, Space toggles its sample and the arrows step", () => {
  const { sent, calls, gestures, view } = display();
  view.expanded.open = true;
  gestures.run({ action: "toggle", extend: false });
  gestures.run({ action: "next", extend: false });
  gestures.run({ action: "close", extend: false });
  assert.deepEqual(calls, [["expanded-toggle"], ["step", 1], ["setOpen", null]]);
  assert.deepEqual(sent, []);
});

test("keys outside the grid, or in its text boxes, go on to the page", () => {
  const { sent, gestures, view } = display();
  const outside = keyEvent("Escape", {}, []);
  gestures.onKey(outside.e);
  assert.deepEqual(outside.seen, { prevented: false, stopped: false });
  const typing = keyEvent("a", { ctrlKey: true }, [view.root], "INPUT");
  gestures.onKey(typing.e);
  assert.deepEqual(typing.seen, { prevented: false, stopped: false });
  const inside = keyEvent("a", { ctrlKey: true }, [view.root]);
  gestures.onKey(inside.e);
  assert.deepEqual(inside.seen, { prevented: true, stopped: true });
  assert.deepEqual(sent, [{ type: "select-all" }]);
});
