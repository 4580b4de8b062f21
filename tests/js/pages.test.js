// @ts-check
// Unit tests of widgets/pages.js: the page store and its request state (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";

import { buffersWanted, fromBase64, PageStore } from "../../widgets/pages.js";

/** A store whose image URLs are counted, so leaks show. */
function makeStore(opts = {}) {
  const live = new Set();
  let n = 0;
  const store = new PageStore({
    pageRows: 10,
    client: "c",
    makeUrl: () => {
      const url = `blob:${++n}`;
      live.add(url);
      return url;
    },
    freeUrl: (url) => live.delete(url),
    ...opts,
  });
  return { store, live };
}

/**
 * A page reply of `count` rows from `start`, every row with a thumbnail buffer.
 * @param {number} version
 * @param {number} start
 * @param {number} count
 * @param {string|null} requestId
 */
function page(version, start, count, requestId = null) {
  const ids = Array.from({ length: count }, (_, i) => `id${start + i}`);
  return {
    msg: {
      type: "page",
      request_id: requestId,
      version,
      start,
      stop: start + count,
      length: 1000,
      ids,
      labels: ids.map((id) => `label ${id}`),
      fields: ids.map(() => null),
      tags: ids.map(() => ["t"]),
      selected: ids.map(() => false),
      thumbs: ids.map((_, i) => i),
      mimes: ids.map(() => "image/jpeg"),
      broken: ids.map(() => null),
      marks: ids.map(() => null),
      notes: ids.map(() => null),
      heads: start === 0 ? [{ start: 0, count: 5, text: "a", note: null, actions: [] }] : [],
    },
    buffers: ids.map(() => new DataView(new ArrayBuffer(4))),
  };
}

test("asks for each missing page once, at most maxInflight at a time", () => {
  const { store } = makeStore({ maxInflight: 2 });
  store.setVersion(3);
  const first = store.requestPages(0, 45);
  assert.deepEqual(
    first.map((m) => [m.type, m.version, m.start, m.stop]),
    [
      ["page", 3, 0, 10],
      ["page", 3, 10, 20],
    ],
  );
  assert.notEqual(first[0].request_id, first[1].request_id);
  assert.deepEqual(store.requestPages(0, 45), [], "both slots taken: nothing more");
  const { msg, buffers } = page(3, 0, 10, first[0].request_id);
  assert.equal(store.receive(msg, buffers), "rows");
  assert.deepEqual(
    store.requestPages(0, 45).map((m) => m.start),
    [20],
    "page 0 is here and page 1 on its way",
  );
});

test("rows, heads and tags come from the page of the version drawn", () => {
  const { store } = makeStore();
  store.setVersion(1);
  const [req] = store.requestPages(0, 1);
  const { msg, buffers } = page(1, 0, 10, req.request_id);
  store.receive(msg, buffers);
  const row = store.row(7);
  assert.ok(row);
  assert.equal(row.id, "id7");
  assert.equal(row.label, "label id7");
  assert.deepEqual(row.tags, ["t"]);
  assert.match(String(row.url), /^blob:/);
  assert.equal(store.head(0)?.text, "a");
  assert.equal(store.row(10), undefined);
});

test("a pushed page for a version not drawn yet waits for it; older versions are freed", () => {
  const { store, live } = makeStore();
  store.setVersion(1);
  const old = page(1, 0, 10);
  store.receive(old.msg, old.buffers);
  const pushed = page(2, 0, 10);
  assert.equal(store.receive(pushed.msg, pushed.buffers), null, "not drawn yet");
  assert.equal(store.row(0)?.id, "id0");
  assert.equal(live.size, 20);
  store.setVersion(2);
  assert.equal(store.row(3)?.id, "id3", "the pushed page is there without a request");
  assert.equal(live.size, 10, "version 1's image URLs were revoked");
  const stale = page(1, 10, 10);
  assert.equal(store.receive(stale.msg, stale.buffers), null);
  assert.equal(store.row(10), undefined, "a page of an older version is dropped");
});

test("a page already held is kept: its images are not made again", () => {
  const { store, live } = makeStore();
  store.setVersion(1);
  const pushed = page(1, 0, 10);
  store.receive(pushed.msg, pushed.buffers);
  const url = store.row(0)?.url;
  const [req] = store.requestPages(0, 20);
  assert.equal(req.start, 10, "page 0 is held: not asked");
  const again = page(1, 0, 10, store.nextId());
  assert.equal(store.receive(again.msg, again.buffers), null);
  assert.equal(store.row(0)?.url, url);
  assert.equal(live.size, 10);
});

test("a failed page is not asked again until a new version, and leaves a notice", () => {
  const { store } = makeStore();
  store.setVersion(1);
  const [req] = store.requestPages(0, 1);
  const error = { type: "error", request_id: req.request_id, message: "disk on fire" };
  assert.equal(store.receive(error, []), "ack");
  assert.equal(store.notice, "disk on fire");
  assert.deepEqual(store.requestPages(0, 1), [], "no request storm");
  store.setVersion(2);
  assert.equal(store.requestPages(0, 1).length, 1, "a new version asks again");
});

test("replies to another front end's requests are ignored", () => {
  const { store } = makeStore();
  store.setVersion(1);
  const { msg, buffers } = page(1, 0, 10, "other:1");
  assert.equal(store.receive(msg, buffers), null);
  assert.equal(store.row(0), undefined);
});

test("a stale reply frees the slot so the page is asked again", () => {
  const { store } = makeStore();
  store.setVersion(1);
  const [req] = store.requestPages(0, 1);
  assert.equal(store.receive({ type: "stale", request_id: req.request_id, version: 2 }, []), "stale");
  store.setVersion(2);
  assert.deepEqual(
    store.requestPages(0, 1).map((m) => [m.version, m.start]),
    [[2, 0]],
  );
});

test("selection changes flip held rows; a reset asks flags for every held row", () => {
  const { store } = makeStore();
  store.setVersion(1);
  for (const start of [0, 10]) {
    const { msg, buffers } = page(1, start, 10);
    store.receive(msg, buffers);
  }
  const changed = store.receive(
    { type: "selection", count: 2, added: ["id3", "id12"], removed: [], reset: false, ack: null },
    [],
  );
  assert.equal(changed, "rows");
  assert.equal(store.row(3)?.selected, true);
  assert.equal(store.row(12)?.selected, true);
  assert.equal(
    store.receive({ type: "selection", count: 0, added: [], removed: [], reset: true, ack: null }, []),
    "reset",
  );
  const flags = store.requestFlags();
  assert.ok(flags);
  assert.deepEqual([flags.type, flags.start, flags.stop], ["flags", 0, 20]);
  const selected = Array.from({ length: 20 }, (_, i) => i === 15);
  const ids = Array.from({ length: 20 }, (_, i) => `id${i}`);
  store.receive({ type: "flags", request_id: flags.request_id, version: 1, start: 0, ids, selected }, []);
  assert.equal(store.row(3)?.selected, false);
  assert.equal(store.row(15)?.selected, true);
});

test("gestures are numbered and acknowledged; 'done' carries a notice", () => {
  const { store } = makeStore();
  const g = store.gesture({ type: "clear" });
  assert.deepEqual(g, { type: "clear", client: "c", seq: 1 });
  assert.equal(store.waiting(), true);
  const done = { type: "done", ack: { client: "c", seq: 1 }, message: "select samples first" };
  assert.equal(store.receive(done, []), "ack");
  assert.equal(store.waiting(), false);
  assert.equal(store.notice, "select samples first");
  store.gesture({ type: "toggle" });
  const selection = { type: "selection", count: 1, added: ["a"], removed: [], reset: false };
  store.receive({ ...selection, ack: { client: "c", seq: 2 } }, []);
  assert.equal(store.notice, null, "the next answer clears it");
  const other = { type: "done", ack: { client: "x", seq: 9 }, message: null };
  assert.equal(store.receive(other, []), null, "another front end's gesture");
});

test("request(): the newest request of a slot gets the reply", () => {
  const { store } = makeStore();
  store.setVersion(1);
  /** @type {string[]} */
  const got = [];
  const a = store.request("detail", { id: "a" }, () => got.push("a"), "detail:1");
  const b = store.request("detail", { id: "b" }, () => got.push("b"), "detail:1");
  const c = store.request("detail", { id: "c" }, () => got.push("c"), "detail:2");
  for (const m of [a, b, c]) store.receive({ type: "detail", request_id: m.request_id }, []);
  assert.deepEqual(got, ["b", "c"]);
});

test("groups arrive as little-endian int32 starts", () => {
  const { store } = makeStore();
  store.setVersion(4);
  assert.equal(store.starts(), undefined);
  const buf = new DataView(new ArrayBuffer(12));
  [0, 5, 70000].forEach((v, i) => buf.setInt32(4 * i, v, true));
  const msg = { type: "groups", request_id: null, version: 4, count: 3, starts: 0 };
  assert.equal(store.receive(msg, [buf]), "groups");
  assert.deepEqual([...(store.starts() || [])], [0, 5, 70000]);
});

test("pages far from every drawn range are evicted and their URLs freed", () => {
  const { store, live } = makeStore({ keepPages: 1 });
  store.setVersion(1);
  for (let p = 0; p < 10; p++) {
    const { msg, buffers } = page(1, p * 10, 10);
    store.receive(msg, buffers);
  }
  store.evict([[40, 50]]);
  assert.equal(store.row(35)?.id, "id35");
  assert.equal(store.row(55)?.id, "id55");
  assert.equal(store.row(25), undefined);
  assert.equal(store.row(65), undefined);
  assert.equal(live.size, 30);
  store.dispose();
  assert.equal(live.size, 0);
});

test("with the same rows, the previous version's rows show until the new pages come", () => {
  const { store, live } = makeStore();
  store.setVersion(1);
  for (const start of [0, 10]) {
    const { msg, buffers } = page(1, start, 10);
    store.receive(msg, buffers);
  }
  store.setVersion(2, true);
  assert.equal(store.row(3)?.id, "id3", "still drawn while version 2's page is on its way");
  assert.equal(store.head(0)?.text, "a");
  assert.deepEqual(
    store.requestPages(0, 20).map((m) => [m.version, m.start]),
    [
      [2, 0],
      [2, 10],
    ],
    "and asked again for the new version",
  );
  const fresh = page(2, 0, 10);
  fresh.msg.labels = fresh.msg.labels.map(() => "new");
  store.receive(fresh.msg, fresh.buffers);
  assert.equal(store.row(3)?.label, "new");
  assert.equal(store.row(13)?.label, "label id13", "page 1 of version 1 until its turn");
  assert.equal(live.size, 20, "the replaced page's URLs were freed");
  store.setVersion(3);
  assert.equal(store.row(13), undefined, "a new view keeps nothing");
  assert.equal(live.size, 0);
});

test("a reply without the buffers it names is dropped and asked again inline", () => {
  // Colab's widget manager has dropped custom messages' binary buffers
  const { store, live } = makeStore();
  store.setVersion(1);
  const [ask] = store.requestPages(0, 10);
  assert.equal(ask.inline, false, "binary buffers first");
  const { msg } = page(1, 0, 10, ask.request_id);
  assert.equal(store.receive(msg, []), "inline");
  assert.equal(store.row(0), undefined, "no row without its image");
  assert.equal(live.size, 0);
  const [again] = store.requestPages(0, 10);
  assert.deepEqual([again.start, again.inline], [0, true], "the page is asked again, inline");
  // Python answers with the bytes as base64 text and no buffers
  const inline = page(1, 0, 10, again.request_id).msg;
  /** @type {Array<[number[], string]>} */
  const made = [];
  store.makeUrl = (buffer, mime) => {
    made.push([[...buffer], mime]);
    return `blob:${made.length}`;
  };
  store.receive({ ...inline, b64: inline.ids.map(() => "/9j/4A==") }, []);
  assert.equal(store.row(9)?.url, "blob:10");
  assert.deepEqual(made[0], [[0xff, 0xd8, 0xff, 0xe0], "image/jpeg"]);
});

test("a pushed page without its buffers is dropped; groups and detail name theirs too", () => {
  const { store } = makeStore();
  store.setVersion(1);
  assert.equal(store.receive(page(1, 0, 10).msg, []), "inline");
  assert.equal(store.row(0), undefined);
  assert.equal(store.inline, true);
  const noImages = { ...page(1, 0, 10).msg, thumbs: Array(10).fill(null) };
  assert.equal(buffersWanted(noImages), 0, "broken images name no buffer");
  assert.equal(buffersWanted({ type: "groups", count: 0, starts: 0 }), 0);
  assert.equal(buffersWanted({ type: "groups", count: 3, starts: 0 }), 1);
  assert.equal(buffersWanted({ type: "detail", image: 0 }), 1);
  assert.equal(buffersWanted({ type: "detail", image: null }), 0);
  assert.equal(buffersWanted({ type: "selection" }), 0);
  const starts = new Uint8Array([0, 0, 0, 0, 5, 0, 0, 0]);
  const b64 = Buffer.from(starts).toString("base64");
  const ask = store.request("groups", { inline: store.inline });
  const reply = { type: "groups", request_id: ask.request_id, version: 1, count: 2, starts: 0 };
  store.receive({ ...reply, b64: [b64] }, []);
  assert.deepEqual([...(store.starts() || [])], [0, 5], "inline group starts read as int32");
  assert.deepEqual([...fromBase64("AAEC/w==")], [0, 1, 2, 255]);
});
