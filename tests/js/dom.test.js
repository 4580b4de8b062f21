// @ts-check
// The pure helpers of widgets/dom.js (no DOM needed).
import assert from "node:assert/strict";
import { test } from "node:test";

import { dataUrl } from "../../widgets/dom.js";

test("dataUrl encodes the bytes of a view, an array or a buffer as base64", () => {
  assert.equal(dataUrl(new Uint8Array([0, 1, 2, 255]), "image/png"), "data:image/png;base64,AAEC/w==");
  const bytes = new Uint8Array([9, 9, 0, 1, 2, 255, 9]);
  const view = new DataView(bytes.buffer, 2, 4); // ipywidgets hands buffers over as DataViews
  assert.equal(dataUrl(view, "image/jpeg"), "data:image/jpeg;base64,AAEC/w==");
  assert.equal(dataUrl(new Uint8Array([0, 1, 2, 255]).buffer, "image/webp"), "data:image/webp;base64,AAEC/w==");
});

test("dataUrl encodes images larger than one chunk whole", () => {
  const big = new Uint8Array(50_000).map((_, i) => (i * 7919) % 256);
  const want = `data:image/jpeg;base64,${Buffer.from(big).toString("base64")}`;
  assert.equal(dataUrl(big, "image/jpeg"), want);
});
