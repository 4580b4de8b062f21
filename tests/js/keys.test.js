// @ts-check
// Unit tests of widgets/keys.js (key commands, focus and anchor) and the sidebar's pure parts.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Cursor, keyCommand } from "../../widgets/keys.js";
import { toggled, valueText } from "../../widgets/sidebar.js";

const grid = { expanded: false, editing: false, onButton: false };
/** @param {string} key @param {object} [mods] */
const key = (key, mods = {}) => ({ key, shiftKey: false, ctrlKey: false, metaKey: false, ...mods });

test("grid keys", () => {
  assert.deepEqual(keyCommand(key("ArrowDown"), grid), { action: "down", extend: false });
  assert.deepEqual(keyCommand(key("ArrowLeft", { shiftKey: true }), grid), {
    action: "left",
    extend: true,
  });
  assert.equal(keyCommand(key(" "), grid)?.action, "toggle");
  assert.equal(keyCommand(key("Enter"), grid)?.action, "open");
  assert.equal(keyCommand(key("Escape"), grid)?.action, "clear");
  assert.equal(keyCommand(key("a", { ctrlKey: true }), grid)?.action, "select-all");
  assert.equal(keyCommand(key("A", { metaKey: true, shiftKey: true }), grid)?.action, "select-all");
  assert.equal(keyCommand(key("c", { ctrlKey: true }), grid), null, "copy stays the browser's");
  assert.equal(keyCommand(key("x"), grid), null);
});

test("the expanded view, text boxes and buttons keep their own keys", () => {
  const expanded = { ...grid, expanded: true };
  assert.equal(keyCommand(key("ArrowRight"), expanded)?.action, "next");
  assert.equal(keyCommand(key("ArrowLeft"), expanded)?.action, "prev");
  assert.equal(keyCommand(key("Escape"), expanded)?.action, "close");
  assert.equal(keyCommand(key(" "), expanded)?.action, "toggle");
  assert.equal(keyCommand(key("ArrowDown"), expanded), null);
  const editing = { ...grid, editing: true };
  assert.equal(keyCommand(key("a", { ctrlKey: true }), editing), null);
  assert.equal(keyCommand(key("ArrowLeft"), editing), null);
  assert.equal(keyCommand(key("Escape"), editing)?.action, "leave");
  const onButton = { ...grid, onButton: true };
  assert.equal(keyCommand(key(" "), onButton), null);
  assert.equal(keyCommand(key("Enter"), onButton), null);
  assert.equal(keyCommand(key("ArrowRight"), onButton)?.action, "right");
});

test("clicks toggle and set the anchor; shift-clicks and shift-moves give ranges", () => {
  const c = new Cursor();
  assert.deepEqual(c.press(4, true), { type: "toggle", index: 4 }, "no anchor yet");
  assert.deepEqual(c.press(9, true), { type: "range", start: 4, stop: 10 });
  assert.deepEqual(c.press(2, true), { type: "range", start: 2, stop: 5 });
  assert.equal(c.moveTo(3, false), null);
  assert.equal(c.anchor, 3);
  assert.deepEqual(c.moveTo(4, true), { start: 3, stop: 5 });
  assert.deepEqual(c.moveTo(1, true), { start: 1, stop: 4 });
  c.reset();
  assert.deepEqual([c.focus, c.anchor], [-1, -1]);
  assert.deepEqual(c.moveTo(2, true), { start: 0, stop: 3 }, "from the top when nothing was focused");
});

test("sidebar values: text and toggling", () => {
  assert.deepEqual([null, true, false, "cat"].map(valueText), ["(none)", "True", "False", "cat"]);
  assert.deepEqual(toggled(["a"], "b"), ["a", "b"]);
  assert.deepEqual(toggled(["a", "b"], "a"), ["b"]);
  assert.deepEqual(toggled([], null), [null]);
});
