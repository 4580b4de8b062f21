// @ts-check
// Unit tests of widgets/layout.js: rows and group bands, lookups and keyboard moves.
import assert from "node:assert/strict";
import { test } from "node:test";

import { columns, contentTop, GAP, HEAD_H, Layout, PAD, scrollTopFor } from "../../widgets/layout.js";

test("columns fit the width", () => {
  assert.equal(columns(2 * PAD + 3 * 100 + 2 * GAP, 100), 3);
  assert.equal(columns(2 * PAD + 3 * 100 + 2 * GAP - 1, 100), 2);
  assert.equal(columns(10, 100), 1);
});

test("an ungrouped grid is one band of rows without headers", () => {
  const lay = new Layout({ n: 10, starts: null, cols: 4, size: 100 });
  assert.equal(lay.rowH, 100 + GAP);
  assert.equal(lay.total, PAD + 3 * lay.rowH + PAD - GAP);
  const items = lay.items(0, 1e9);
  assert.deepEqual(
    items.map((it) => (it.kind === "row" ? [it.first, it.last, it.top, it.aria] : it.kind)),
    [
      [0, 4, PAD, 1],
      [4, 8, PAD + lay.rowH, 2],
      [8, 10, PAD + 2 * lay.rowH, 3],
    ],
  );
  assert.deepEqual(
    lay.items(PAD + lay.rowH + 1, PAD + lay.rowH + 2).map((it) => it.kind === "row" && it.first),
    [4],
  );
});

test("groups get a header and start a new row", () => {
  const starts = Int32Array.of(0, 3, 4);
  const lay = new Layout({ n: 9, starts, cols: 2, size: 50 });
  const items = lay.items(0, 1e9);
  assert.deepEqual(
    items.map((it) => (it.kind === "head" ? `h${it.group}` : `${it.first}-${it.last}`)),
    ["h0", "0-2", "2-3", "h1", "3-4", "h2", "4-6", "6-8", "8-9"],
  );
  assert.deepEqual(
    items.map((it) => it.aria),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const h1 = items[3];
  assert.equal(h1.top, PAD + HEAD_H + 2 * lay.rowH);
  assert.equal(lay.tileTop(3), h1.top + HEAD_H);
  assert.equal(lay.groupOf(3), 1);
  assert.equal(lay.groupOf(8), 2);
  assert.equal(lay.count(2), 5);
});

test("a million rows in 100,000 groups lay out fast and look up by offset", () => {
  const n = 1_000_000;
  const g = 100_000;
  const starts = Int32Array.from({ length: g }, (_, i) => i * 10);
  const t0 = performance.now();
  const lay = new Layout({ n, starts, cols: 7, size: 128 });
  const built = performance.now() - t0;
  assert.ok(built < 500, `layout took ${built} ms`);
  const y = lay.tileTop(777_777);
  const items = lay.items(y, y + 600);
  const rows = items.filter((it) => it.kind === "row");
  assert.ok(rows.some((it) => it.kind === "row" && it.first <= 777_777 && 777_777 < it.last));
  assert.ok(items.length < 20, "only what the viewport shows");
  // the last group: rows [999990..999996] and [999997..999999]
  assert.equal(lay.indexAt(lay.tileTop(999_990), 2), 999_992);
  assert.equal(lay.indexAt(lay.tileTop(999_999), 2), 999_999);
  assert.equal(lay.indexAt(lay.tileTop(999_999), 6), 999_999, "clamped to the short row");
});

test("arrow keys move across rows and bands, keeping the column", () => {
  // groups of 5 and 3 rows, 3 columns: [0 1 2][3 4] | [5 6 7]
  const lay = new Layout({ n: 8, starts: Int32Array.of(0, 5), cols: 3, size: 50 });
  assert.equal(lay.move(1, "down"), 4);
  assert.equal(lay.move(2, "down"), 4, "the short row: its last tile");
  assert.equal(lay.move(4, "down"), 6, "into the next band, same column");
  assert.equal(lay.move(7, "down"), 7, "the last row stays");
  assert.equal(lay.move(7, "up"), 4, "back into the previous band's last row, clamped");
  assert.equal(lay.move(6, "up"), 4);
  assert.equal(lay.move(1, "up"), 1);
  assert.equal(lay.move(0, "left"), 0);
  assert.equal(lay.move(7, "right"), 7);
  assert.equal(lay.move(4, "right"), 5);
});

test("tall content maps onto the scroller and back", () => {
  const total = 50_000_000;
  const spacer = 10_000_000;
  const top = contentTop(total, spacer, 500, spacer - 500);
  assert.equal(top, total - 500, "the end of the scroller is the end of the content");
  assert.ok(Math.abs(scrollTopFor(total, spacer, 500, top) - (spacer - 500)) < 1e-6);
  assert.equal(contentTop(1000, 1000, 500, 123), 123);
});
