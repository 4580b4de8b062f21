// @ts-check
// fo_lite dashboard grid (anywidget entry): wires the page store, the layout and the DOM parts.
//
// Python owns the truth (dataset, view, selection). initialize() makes one PageStore per model
// that takes every message Python sends (so a page pushed before the grid renders is kept);
// render() draws only the rows in view, asks for pages as it scrolls and reports gestures.
// Messages: fo_lite/session/messages.py, widgets/protocol.js, docs/protocol.md.

import { activeElement, h } from "./dom.js";
import { Expanded } from "./expanded.js";
import { Header } from "./header.js";
import { Cursor, keyCommand } from "./keys.js";
import { columns, contentTop, FIELD_H, Layout, MAX_SCROLL_PX, PAD, scrollTopFor } from "./layout.js";
import { PageStore } from "./pages.js";
import { Sidebar } from "./sidebar.js";
import { TileView } from "./tiles.js";

/** @typedef {import("./protocol.js").Model} Model */
/** @typedef {import("./protocol.js").GridState} GridState */
/** @typedef {import("./protocol.js").Constants} Constants */
/** @typedef {{ store: PageStore, views: Set<(changed: string) => void>,
 *              ranges: Map<number, [number, number]> }} Shared */

const MAX_HEIGHT = 560; // scroller height cap (px)
const MIN_HEIGHT_WITH_SIDEBAR = 320;
const NARROW = 640; // below this width the sidebar starts closed
const ACK_WAIT_MS = 700;
const DOUBLE_CLICK_MS = 800;

/**
 * Per model (by its session key: anywidget gives initialize and render different proxies of
 * one model), the store every display draws from.
 * @type {Map<string, Shared>}
 */
const shared = new Map();
let viewCount = 0;

/** @param {Model} model @returns {GridState} */
const stateOf = (model) => model.get("_state") || {};

/**
 * Once per model, before its messages arrive: the store every display of it draws from.
 * @param {{ model: Model }} ctx
 */
function initialize({ model }) {
  /** @type {Constants} */
  const constants = model.get("_constants");
  const store = new PageStore({
    pageRows: constants.page_rows,
    client: Math.random().toString(36).slice(2, 10),
    makeUrl: (buffer, mime) => URL.createObjectURL(new Blob([buffer], { type: mime })),
    freeUrl: (url) => URL.revokeObjectURL(url),
  });
  let drawn = stateOf(model);
  store.setVersion(drawn.version ?? 0);
  /** @type {Shared} */
  const self = { store, views: new Set(), ranges: new Map() };
  /** @param {any} msg @param {DataView[]} buffers */
  const onMessage = (msg, buffers) => {
    const changed = store.receive(msg, buffers || []);
    if (changed) for (const view of self.views) view(changed);
  };
  const onState = () => {
    const state = stateOf(model);
    const sameRows = state.view_serial === drawn.view_serial && state.length === drawn.length;
    store.setVersion(state.version, sameRows && state.grouped === drawn.grouped);
    drawn = state;
  };
  model.on("msg:custom", onMessage);
  model.on("change:_state", onState);
  shared.set(constants.session, self);
  return () => {
    model.off("msg:custom", onMessage);
    model.off("change:_state", onState);
    store.dispose();
    shared.delete(constants.session);
  };
}

/** @param {{ model: Model, el: HTMLElement }} ctx */
function render({ model, el }) {
  /** @type {Constants} */
  const constants = model.get("_constants");
  if (!shared.has(constants.session)) initialize({ model });
  const { store, views, ranges } = /** @type {Shared} */ (shared.get(constants.session));
  const viewId = ++viewCount;
  const cursor = new Cursor();
  let state = stateOf(model);
  let frame = 0;
  let ackTimer = 0;
  let sidebarOpen = true;
  let sidebarVersion = -1;
  let groupsAsked = -1;
  let lastToggle = { index: -1, time: 0 };
  /** @type {{ key: string, layout: Layout } | null} */
  let laid = null;
  /** @type {Int32Array|null} the last group starts known: used until a new version's arrive */
  let lastStarts = null;

  const header = new Header(
    { action: onHeaderAction, tag: (tags, remove) => tags.length && send({ type: "tag", tags, remove }), size: setSize },
    { min: constants.min_tile, max: constants.max_tile },
  );
  const tiles = new TileView({ press, open: onDoubleClick, groupAction });
  const sidebar = new Sidebar({
    filter: (field, values) => send({ type: "filter", field, values }),
    clear: () => send({ type: "clear-filters" }),
  });
  const expanded = new Expanded({ close: () => setExpanded(null), step, toggle: toggleExpanded });
  const root = h("div", "fol-root");
  const body = h("div", "fol-body");
  body.append(sidebar.el, tiles.el);
  root.append(header.el, body, expanded.el);
  el.append(root);

  // ---- layout and drawing ---------------------------------------------------------------
  function tileSize() {
    const size = Number(model.get("tile_size")) || 128;
    return Math.max(constants.min_tile, Math.min(constants.max_tile, size));
  }

  /** @returns {Layout} */
  function layout() {
    const size = tileSize();
    const fieldH = model.get("tile_field") ? FIELD_H : 0;
    const cols = columns(tiles.el.clientWidth || el.clientWidth || 800, size);
    let starts = state.grouped ? store.starts() : null;
    if (starts) lastStarts = starts;
    // grouped, this version's bands not here yet: draw the last ones (or nothing) meanwhile, so
    // the scroll position survives a version bump that leaves the groups as they were
    const fits = lastStarts && lastStarts.length && lastStarts[lastStarts.length - 1] < state.length;
    if (starts === undefined && fits) starts = lastStarts;
    const n = starts === undefined ? 0 : state.length || 0;
    const key = `${n}:${cols}:${size}:${fieldH}:${state.version}:${starts ? starts.length : -1}:${starts === store.starts()}`;
    if (!laid || laid.key !== key) {
      laid = { key, layout: new Layout({ n, starts: starts || null, cols, size, fieldH }) };
    }
    return laid.layout;
  }

  function scheduleDraw() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function draw() {
    frame = 0;
    const lay = layout();
    const least = sidebarOpen ? MIN_HEIGHT_WITH_SIDEBAR : 0;
    const height = Math.max(least, Math.min(MAX_HEIGHT, Math.max(lay.total, lay.n ? lay.rowH : 40)));
    tiles.el.style.height = `${height}px`;
    sidebar.el.style.height = `${height}px`;
    root.style.setProperty("--fol-tile", `${tileSize()}px`);
    root.classList.toggle("fol-has-field", Boolean(model.get("tile_field")));
    const range = tiles.draw(lay, store, cursor.focus);
    ranges.set(viewId, range);
    store.evict([...ranges.values()]);
    for (const msg of store.requestPages(range[0], range[1])) model.send(msg);
    const tile = tiles.tile(cursor.focus);
    if (tile && activeElement(root) === tiles.el) tile.focus({ preventScroll: true });
    if (sidebarOpen && sidebarVersion !== state.version && store.row(0)) requestSidebar();
  }

  /** Scroll so that tile `index` is in view. @param {number} index */
  function reveal(index) {
    const lay = layout();
    const viewH = tiles.el.clientHeight;
    const spacer = Math.min(lay.total, MAX_SCROLL_PX);
    const top = contentTop(lay.total, spacer, viewH, tiles.el.scrollTop);
    const y = lay.tileTop(index);
    let target = top;
    if (y - lay.headH < top) target = y - lay.headH - PAD;
    else if (y + lay.rowH > top + viewH) target = y + lay.rowH - viewH + PAD;
    if (target !== top) tiles.el.scrollTop = scrollTopFor(lay.total, spacer, viewH, target);
  }

  // ---- gestures ---------------------------------------------------------------------------
  /** @param {object} content */
  function send(content) {
    model.send(store.gesture(content));
    clearTimeout(ackTimer);
    ackTimer = window.setTimeout(updateHeader, ACK_WAIT_MS);
  }

  /** A click (or Space) on tile `index`. @param {number} index @param {boolean} shift */
  function press(index, shift) {
    const version = state.version;
    const p = cursor.press(index, shift);
    if (p.type === "range") send({ type: "range", version, start: p.start, stop: p.stop });
    else {
      const row = store.row(index);
      if (!row) return; // not loaded yet: nothing to name
      send({ type: "toggle", version, index, id: row.id });
      lastToggle = { index, time: performance.now() };
    }
    draw();
    const tile = tiles.tile(index);
    if (tile) tile.focus({ preventScroll: true });
  }

  /** @param {number} index */
  function onDoubleClick(index) {
    // the double-click's first click toggled this tile: undo it, opening selects nothing
    if (lastToggle.index === index && performance.now() - lastToggle.time < DOUBLE_CLICK_MS) {
      const row = store.row(index);
      if (row) send({ type: "toggle", version: state.version, index, id: row.id });
      lastToggle = { index: -1, time: 0 };
    }
    openAt(index);
  }

  /** @param {number} start @param {string} action */
  function groupAction(start, action) {
    send({ type: "group-action", version: state.version, start, action });
  }

  /** @param {number} index @param {boolean} extend */
  function moveFocus(index, extend) {
    if (index < 0) return;
    const span = cursor.moveTo(index, extend);
    if (span) send({ type: "range", version: state.version, ...span });
    reveal(index);
    draw();
    const tile = tiles.tile(index);
    if (tile) tile.focus({ preventScroll: true });
  }

  /** @param {import("./keys.js").KeyCommand} cmd */
  function run(cmd) {
    const lay = layout();
    const at = cursor.focus >= 0 ? cursor.focus : ranges.get(viewId)?.[0] ?? 0;
    const a = cmd.action;
    if (a === "left" || a === "right" || a === "up" || a === "down") moveFocus(lay.move(at, a), cmd.extend);
    else if (a === "home") moveFocus(lay.n ? 0 : -1, cmd.extend);
    else if (a === "end") moveFocus(lay.n - 1, cmd.extend);
    else if (a === "pageup" || a === "pagedown") {
      const dy = (a === "pagedown" ? 1 : -1) * tiles.el.clientHeight;
      moveFocus(lay.n ? lay.indexAt(lay.tileTop(at) + dy, lay.column(at)) : -1, cmd.extend);
    } else if (a === "toggle") {
      if (!expanded.el.hidden) toggleExpanded();
      else if (lay.n) press(at, cmd.extend);
    } else if (a === "open") openAt(at);
    else if (a === "clear") send({ type: "clear" });
    else if (a === "select-all") send({ type: "select-all" });
    else if (a === "close") setExpanded(null);
    else if (a === "prev" || a === "next") step(a === "next" ? 1 : -1);
    else if (a === "leave") (tiles.tile(cursor.focus) || tiles.el).focus({ preventScroll: true });
  }

  /**
   * Keys pressed inside the grid. Listened for on the window in the capture phase: notebook
   * front ends (Notebook 7) take their shortcuts on the document before the grid would see
   * them; keys the grid does not use go on to the page.
   * @param {KeyboardEvent} e
   */
  function onKey(e) {
    const path = e.composedPath();
    if (!path.includes(root)) return;
    const target = /** @type {HTMLElement} */ (path[0]); // e.target is the host in a shadow root
    const tag = target.tagName;
    const cmd = keyCommand(e, {
      expanded: !expanded.el.hidden,
      editing: tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT",
      onButton: tag === "BUTTON",
    });
    if (!cmd) return;
    // keep the notebook's own shortcuts (Enter = edit, arrows = move cell, Ctrl+A) out of it
    e.preventDefault();
    e.stopPropagation();
    run(cmd);
  }

  // ---- expanded view ----------------------------------------------------------------------
  /** @param {string|null} id */
  function setExpanded(id) {
    if ((model.get("expanded") ?? null) === id) return;
    model.set("expanded", id);
    model.save_changes();
    onExpanded();
  }

  /** @param {number} index */
  function openAt(index) {
    const row = store.row(index);
    if (row) {
      cursor.focus = index;
      setExpanded(row.id);
    }
  }

  function onExpanded() {
    const id = model.get("expanded") ?? null;
    if (id === null) {
      if (!expanded.el.hidden) {
        expanded.close();
        root.classList.remove("fol-expanded-open");
        const tile = tiles.tile(cursor.focus);
        (tile || tiles.el).focus({ preventScroll: true });
      }
      return;
    }
    if (id === expanded.id && !expanded.el.hidden) return;
    expanded.open(id);
    root.classList.add("fol-expanded-open");
    expanded.el.focus({ preventScroll: true });
    requestDetail(id, null);
  }

  /** @param {string|null} id @param {number|null} index */
  function requestDetail(id, index) {
    const size = expanded.mediaSize();
    const msg = store.request("detail", { id, index, ...size }, onDetail, `detail:${viewId}`);
    model.send(msg);
  }

  /** @param {any} reply @param {DataView[]} buffers */
  function onDetail(reply, buffers) {
    if (expanded.el.hidden) return;
    if (reply.type === "error") {
      expanded.error(String(reply.message || "error"));
      return;
    }
    expanded.show(reply, buffers, state.length || 0);
    if (reply.index >= 0) {
      cursor.focus = reply.index;
      reveal(reply.index);
      scheduleDraw();
    }
    if ((model.get("expanded") ?? null) !== reply.id) {
      model.set("expanded", reply.id);
      model.save_changes();
    }
  }

  /** @param {number} delta */
  function step(delta) {
    const index = expanded.index + delta;
    if (expanded.index < 0 || index < 0 || index >= (state.length || 0)) return;
    expanded.index = index;
    requestDetail(null, index);
  }

  function toggleExpanded() {
    if (expanded.id !== null && expanded.index >= 0) {
      send({ type: "toggle", version: state.version, index: expanded.index, id: expanded.id });
    }
  }

  // ---- sidebar and header -----------------------------------------------------------------
  function requestSidebar() {
    sidebarVersion = state.version;
    sidebar.loading();
    const msg = store.request(
      "sidebar",
      {},
      (reply) => {
        if (reply.type === "sidebar") sidebar.show(reply, Boolean(state.filtered));
      },
      `sidebar:${viewId}`,
    );
    model.send(msg);
  }

  /** @param {string} action */
  function onHeaderAction(action) {
    if (action === "sidebar") {
      sidebarOpen = !sidebarOpen;
      sidebar.el.hidden = !sidebarOpen;
      updateHeader();
      scheduleDraw();
    } else send({ type: action });
  }

  /** @param {number} value */
  function setSize(value) {
    if (value !== model.get("tile_size")) {
      model.set("tile_size", value);
      model.save_changes();
      scheduleDraw();
    }
  }

  function updateHeader() {
    const waiting = store.waiting();
    root.dataset.version = String(state.version);
    root.classList.toggle("fol-waiting", waiting);
    header.update(state, {
      tileSize: tileSize(),
      sidebarOpen,
      status: waiting ? "waiting for the kernel\u2026" : store.notice || "",
    });
  }

  // ---- model events -----------------------------------------------------------------------
  function onState() {
    const before = state;
    state = stateOf(model);
    if (state.view_serial !== before.view_serial) {
      cursor.reset();
      tiles.el.scrollTop = 0;
    }
    if (state.version !== before.version) {
      askGroups();
      if (!expanded.el.hidden && expanded.id) requestDetail(expanded.id, null);
    }
    updateHeader();
    scheduleDraw();
  }

  function askGroups() {
    if (state.grouped && store.starts() === undefined && groupsAsked !== state.version) {
      groupsAsked = state.version;
      model.send(store.request("groups", {}));
    }
  }

  /** @param {string} changed */
  function onStore(changed) {
    if (changed === "reset") {
      const msg = store.requestFlags();
      if (msg) model.send(msg);
      return;
    }
    if (changed === "ack") updateHeader();
    if (changed === "rows" && !expanded.el.hidden) {
      const row = store.row(expanded.index);
      if (row && row.id === expanded.id) expanded.setSelected(row.selected);
    }
    scheduleDraw();
  }

  const listeners = /** @type {Array<[string, Function]>} */ ([
    ["change:_state", onState],
    ["change:tile_size", () => (updateHeader(), scheduleDraw())],
    ["change:tile_field", scheduleDraw],
    ["change:expanded", onExpanded],
  ]);
  for (const [event, fn] of listeners) model.on(event, fn);
  views.add(onStore);
  tiles.el.addEventListener("scroll", scheduleDraw, { passive: true });
  // the focus ring follows the DOM focus, however it got there (a click, a screen reader)
  tiles.el.addEventListener("focusin", (e) => {
    const tile = /** @type {HTMLElement} */ (e.target).closest(".fol-tile");
    const index = tile ? Number(/** @type {HTMLElement} */ (tile).dataset.index) : -1;
    if (index >= 0 && index !== cursor.focus) {
      cursor.moveTo(index, false);
      scheduleDraw();
    }
  });
  window.addEventListener("keydown", onKey, true);
  const resize = new ResizeObserver(scheduleDraw);
  resize.observe(tiles.el);

  if ((el.clientWidth || 1000) < NARROW) {
    sidebarOpen = false;
    sidebar.el.hidden = true;
  }
  updateHeader();
  askGroups();
  // the first rows are needed whatever the layout: ask now (unless pushed), not a frame later
  for (const msg of store.requestPages(0, Math.min(1, state.length || 0))) model.send(msg);
  scheduleDraw();
  onExpanded();

  return () => {
    for (const [event, fn] of listeners) model.off(event, fn);
    views.delete(onStore);
    ranges.delete(viewId);
    resize.disconnect();
    window.removeEventListener("keydown", onKey, true);
    cancelAnimationFrame(frame);
    clearTimeout(ackTimer);
    expanded.close();
  };
}

export default { initialize, render };
