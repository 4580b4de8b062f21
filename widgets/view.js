// @ts-check
// One display of the grid: lays out and draws the rows in view from the session's page store,
// turns clicks and keys into gestures, and keeps header, sidebar and expanded view in step.

import { activeElement, h, imagesPainted } from "./dom.js";
import { Expanded } from "./expanded.js";
import { Header } from "./header.js";
import { Cursor, keyCommand } from "./keys.js";
import { columns, contentTop, FIELD_H, Layout, MAX_SCROLL_PX, PAD, scrollTopFor } from "./layout.js";
import { Sidebar } from "./sidebar.js";
import { STATIC_WAIT_MS, StaticRows } from "./snapshot.js";
import { TileView } from "./tiles.js";

/** @typedef {import("./protocol.js").Model} Model */
/** @typedef {import("./protocol.js").GridState} GridState */
/** @typedef {import("./protocol.js").Constants} Constants */
/** @typedef {import("./pages.js").PageStore} PageStore */
/** @typedef {{ store: PageStore, views: Set<(changed: string) => void>,
 *              ranges: Map<number, [number, number]>, heard: boolean }} Shared */

const MAX_HEIGHT = 560; // scroller height cap (px)
const MIN_HEIGHT_WITH_SIDEBAR = 320;
const NARROW = 640; // below this width the sidebar starts closed
const ACK_WAIT_MS = 700;
const DOUBLE_CLICK_MS = 800;
const PAINT_WAIT_MS = 400; // the sidebar's counts wait this long at most for the thumbnails
let viewCount = 0;

/** @param {Model} model @returns {GridState} */
export const stateOf = (model) => model.get("_state") || {};

export class GridView {
  /**
   * @param {Model} model
   * @param {HTMLElement} el
   * @param {Shared} shared
   */
  constructor(model, el, shared) {
    this.model = model;
    this.shared = shared;
    this.store = shared.store;
    this.id = ++viewCount;
    /** @type {Constants} */
    this.constants = model.get("_constants");
    this.cursor = new Cursor();
    this.state = stateOf(model);
    this.frame = 0;
    this.ackTimer = 0;
    this.sidebarOpen = (el.clientWidth || 1000) >= NARROW;
    this.sidebarVersion = -1;
    this.groupsAsked = -1;
    this.lastToggle = { index: -1, time: 0 };
    /** @type {{ key: string, layout: Layout } | null} */
    this.laid = null;
    /** @type {Int32Array|null} the last group starts known: drawn until a new version's come */
    this.lastStarts = null;
    /** @type {StaticRows|null} the saved snapshot, drawn while no kernel answers */
    this.static = null;
    this.disposed = false;

    const { min_tile: min, max_tile: max } = this.constants;
    this.header = new Header(
      {
        action: (a) => this.headerAction(a),
        tag: (tags, remove) => tags.length && this.send({ type: "tag", tags, remove }),
        size: (size) => this.setSize(size),
      },
      { min, max },
    );
    this.tiles = new TileView({
      press: (i, shift) => this.press(i, shift),
      open: (i) => this.doubleClick(i),
      groupAction: (start, action) =>
        this.send({ type: "group-action", version: this.state.version, start, action }),
    });
    this.sidebar = new Sidebar({
      filter: (field, values) => this.send({ type: "filter", field, values }),
      clear: () => this.send({ type: "clear-filters" }),
    });
    this.sidebar.el.hidden = !this.sidebarOpen;
    this.expanded = new Expanded({
      model,
      store: this.store,
      slot: `detail:${this.id}`,
      length: () => this.state.length || 0,
      gesture: (content) => this.send(content),
      shown: (index) => this.onExpandedShown(index),
      closed: () => this.onExpandedClosed(),
    });
    this.root = h("div", "fol-root");
    const body = h("div", "fol-body");
    body.append(this.sidebar.el, this.tiles.el);
    this.root.append(this.header.el, body, this.expanded.el);
    el.append(this.root);

    this.draw = this.draw.bind(this);
    this.scheduleDraw = this.scheduleDraw.bind(this);
    this.onKey = this.onKey.bind(this);
    this.onStore = this.onStore.bind(this);
    /** @type {Array<[string, Function]>} */
    this.listeners = [
      ["change:_state", () => this.onState()],
      ["change:tile_size", () => (this.updateHeader(), this.scheduleDraw())],
      ["change:tile_field", this.scheduleDraw],
      ["change:expanded", () => this.expanded.follow()],
    ];
    for (const [event, fn] of this.listeners) model.on(event, fn);
    shared.views.add(this.onStore);
    this.tiles.el.addEventListener("scroll", this.scheduleDraw, { passive: true });
    this.tiles.el.addEventListener("focusin", (e) => this.onFocusIn(e));
    window.addEventListener("keydown", this.onKey, true);
    this.resize = new ResizeObserver(this.scheduleDraw);
    this.resize.observe(this.tiles.el);

    this.updateHeader();
    this.askGroups();
    // the first rows are needed whatever the layout: ask (unless pushed) before the first
    // frame, but after this task: anywidget hands the model messages that came while its module
    // loaded (the pushed first page) only after render, and asking now would ask twice
    this.firstAsk = window.setTimeout(() => {
      for (const msg of this.store.requestPages(0, Math.min(1, this.state.length || 0))) {
        model.send(msg);
      }
    }, 0);
    this.scheduleDraw();
    this.expanded.follow();
    this.staticTimer = shared.heard ? 0 : window.setTimeout(() => this.goStatic(), STATIC_WAIT_MS);
  }

  dispose() {
    this.disposed = true;
    clearTimeout(this.firstAsk);
    clearTimeout(this.staticTimer);
    if (this.static) this.static.dispose();
    for (const [event, fn] of this.listeners) this.model.off(event, fn);
    this.shared.views.delete(this.onStore);
    this.shared.ranges.delete(this.id);
    this.resize.disconnect();
    window.removeEventListener("keydown", this.onKey, true);
    cancelAnimationFrame(this.frame);
    clearTimeout(this.ackTimer);
    this.expanded.dispose();
  }

  // ---- layout and drawing ---------------------------------------------------------------
  tileSize() {
    const size = this.static ? this.static.px : Number(this.model.get("tile_size")) || 128;
    return Math.max(this.constants.min_tile, Math.min(this.constants.max_tile, size));
  }

  /** @returns {Layout} */
  layout() {
    const { state, store } = this;
    const size = this.tileSize();
    const fieldH = this.model.get("tile_field") ? FIELD_H : 0;
    const cols = columns(this.tiles.el.clientWidth || this.root.clientWidth || 800, size);
    const current = state.grouped ? store.starts() : null;
    if (current) this.lastStarts = current;
    // grouped and this version's bands not here yet: draw the last ones meanwhile (if they
    // fit), so a version bump that leaves the groups as they were keeps the scroll position
    const last = this.lastStarts;
    const fits = last !== null && last.length > 0 && last[last.length - 1] < state.length;
    const starts = current === undefined && fits ? last : current;
    const n = starts === undefined ? 0 : this.static ? this.static.rows : state.length || 0;
    const shape = starts ? `${starts.length}:${starts === current}` : "-";
    const key = `${n}:${cols}:${size}:${fieldH}:${state.version}:${shape}`;
    if (!this.laid || this.laid.key !== key) {
      this.laid = { key, layout: new Layout({ n, starts: starts || null, cols, size, fieldH }) };
    }
    return this.laid.layout;
  }

  scheduleDraw() {
    if (!this.frame) this.frame = requestAnimationFrame(this.draw);
  }

  draw() {
    this.frame = 0;
    const { store, tiles, cursor } = this;
    const lay = this.layout();
    const least = this.sidebarOpen && !this.static ? MIN_HEIGHT_WITH_SIDEBAR : 0;
    const content = Math.max(lay.total, lay.n ? lay.rowH : 40);
    const height = Math.max(least, Math.min(MAX_HEIGHT, content));
    tiles.el.style.height = `${height}px`;
    this.sidebar.el.style.height = `${height}px`;
    this.root.style.setProperty("--fol-tile", `${this.tileSize()}px`);
    this.root.classList.toggle("fol-has-field", Boolean(this.model.get("tile_field")));
    const range = tiles.draw(lay, this.static ? this.static.store : store, cursor.focus);
    if (this.static) return; // nothing to ask: no kernel answers
    this.shared.ranges.set(this.id, range);
    store.evict([...this.shared.ranges.values()]);
    for (const msg of store.requestPages(range[0], range[1])) this.model.send(msg);
    // the focused tile came back after scrolling out of the DOM: give it the focus again
    const tile = tiles.tile(cursor.focus);
    if (tile && activeElement(this.root) === tiles.el) tile.focus({ preventScroll: true });
    const rowsDrawn = range[1] > range[0] && store.row(range[0]) !== undefined;
    if (this.sidebarOpen && this.sidebarVersion !== this.state.version && rowsDrawn) {
      this.requestSidebarAfterPaint();
    }
  }

  /** Scroll so that tile `index` is in view. @param {number} index */
  reveal(index) {
    const lay = this.layout();
    const el = this.tiles.el;
    const viewH = el.clientHeight;
    const spacer = Math.min(lay.total, MAX_SCROLL_PX);
    const top = contentTop(lay.total, spacer, viewH, el.scrollTop);
    const y = lay.tileTop(index);
    let target = top;
    if (y - lay.headH < top) target = y - lay.headH - PAD;
    else if (y + lay.rowH > top + viewH) target = y + lay.rowH - viewH + PAD;
    if (target !== top) el.scrollTop = scrollTopFor(lay.total, spacer, viewH, target);
  }

  // ---- gestures ---------------------------------------------------------------------------
  /** @param {object} content */
  send(content) {
    if (this.static) return; // a picture: nobody to tell
    this.model.send(this.store.gesture(content));
    clearTimeout(this.ackTimer);
    this.ackTimer = window.setTimeout(() => this.updateHeader(), ACK_WAIT_MS);
  }

  /** A click (or Space) on tile `index`. @param {number} index @param {boolean} shift */
  press(index, shift) {
    const version = this.state.version;
    const p = this.cursor.press(index, shift);
    if (p.type === "range") this.send({ type: "range", version, start: p.start, stop: p.stop });
    else {
      // a tile whose page is on its way is named by its index in the version drawn
      const row = this.store.row(index);
      this.send({ type: "toggle", version, index, id: row ? row.id : null });
      this.lastToggle = { index, time: performance.now() };
    }
    this.focusTile(index);
  }

  /** @param {number} index */
  doubleClick(index) {
    // the double-click's first click toggled this tile: undo it, opening selects nothing
    const { lastToggle } = this;
    if (lastToggle.index === index && performance.now() - lastToggle.time < DOUBLE_CLICK_MS) {
      const row = this.store.row(index);
      if (row) this.send({ type: "toggle", version: this.state.version, index, id: row.id });
      this.lastToggle = { index: -1, time: 0 };
    }
    this.openAt(index);
  }

  /** @param {number} index */
  openAt(index) {
    if (this.static) return;
    const row = this.store.row(index);
    this.cursor.focus = index;
    if (row) this.expanded.setOpen(row.id);
    else if (index >= 0 && index < (this.state.length || 0)) this.expanded.openIndex(index);
  }

  /** Draw now and give tile `index` the DOM focus. @param {number} index */
  focusTile(index) {
    this.draw();
    const tile = this.tiles.tile(index);
    if (tile) tile.focus({ preventScroll: true });
  }

  /** @param {number} index @param {boolean} extend */
  moveFocus(index, extend) {
    if (index < 0) return;
    const span = this.cursor.moveTo(index, extend);
    if (span) this.send({ type: "range", version: this.state.version, ...span });
    this.reveal(index);
    this.focusTile(index);
  }

  /** @param {import("./keys.js").KeyCommand} cmd */
  run(cmd) {
    const lay = this.layout();
    const { cursor, expanded } = this;
    const at = cursor.focus >= 0 ? cursor.focus : (this.shared.ranges.get(this.id)?.[0] ?? 0);
    const a = cmd.action;
    if (a === "left" || a === "right" || a === "up" || a === "down") {
      this.moveFocus(lay.move(at, a), cmd.extend);
    } else if (a === "home") this.moveFocus(lay.n ? 0 : -1, cmd.extend);
    else if (a === "end") this.moveFocus(lay.n - 1, cmd.extend);
    else if (a === "pageup" || a === "pagedown") {
      const dy = (a === "pagedown" ? 1 : -1) * this.tiles.el.clientHeight;
      this.moveFocus(lay.n ? lay.indexAt(lay.tileTop(at) + dy, lay.column(at)) : -1, cmd.extend);
    } else if (a === "toggle") {
      if (expanded.open) expanded.toggle();
      else if (lay.n) this.press(at, cmd.extend);
    } else if (a === "open") this.openAt(at);
    else if (a === "clear") this.send({ type: "clear" });
    else if (a === "select-all") this.send({ type: "select-all" });
    else if (a === "close") expanded.setOpen(null);
    else if (a === "prev" || a === "next") expanded.step(a === "next" ? 1 : -1);
    else if (a === "leave") (this.tiles.tile(cursor.focus) || this.tiles.el).focus();
  }

  /**
   * Keys pressed inside the grid. Listened for on the window in the capture phase: notebook
   * front ends (Notebook 7) take their shortcuts on the document before the grid would see
   * them; keys the grid does not use go on to the page.
   * @param {KeyboardEvent} e
   */
  onKey(e) {
    const path = e.composedPath();
    if (!path.includes(this.root)) return;
    const target = /** @type {HTMLElement} */ (path[0]); // e.target is the host in a shadow root
    const tag = target.tagName;
    const cmd = keyCommand(e, {
      expanded: this.expanded.open,
      editing: tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT",
      onButton: tag === "BUTTON",
    });
    if (!cmd) return;
    // keep the notebook's own shortcuts (Enter = edit, arrows = move cell, Ctrl+A) out of it
    e.preventDefault();
    e.stopPropagation();
    this.run(cmd);
  }

  /** The focus ring follows the DOM focus, however it got there. @param {FocusEvent} e */
  onFocusIn(e) {
    const tile = /** @type {HTMLElement} */ (e.target).closest(".fol-tile");
    const index = tile ? Number(/** @type {HTMLElement} */ (tile).dataset.index) : -1;
    if (index >= 0 && index !== this.cursor.focus) {
      this.cursor.moveTo(index, false);
      this.scheduleDraw();
    }
  }

  /** @param {number} index the row shown large (-1: not among the rows shown) */
  onExpandedShown(index) {
    this.root.classList.add("fol-expanded-open");
    if (index >= 0) {
      this.cursor.focus = index;
      this.reveal(index);
      this.scheduleDraw();
    }
  }

  onExpandedClosed() {
    this.root.classList.remove("fol-expanded-open");
    (this.tiles.tile(this.cursor.focus) || this.tiles.el).focus({ preventScroll: true });
  }

  // ---- sidebar and header -----------------------------------------------------------------
  /**
   * Ask for the counts once the thumbnails drawn are painted: at 1M rows the counts take the
   * kernel ~0.1 s of CPU, which the first paint should not share (benchmarks/README.md).
   */
  requestSidebarAfterPaint() {
    const version = (this.sidebarVersion = this.state.version);
    this.sidebar.loading();
    imagesPainted(this.tiles.el, PAINT_WAIT_MS).then(() => {
      if (this.disposed || this.sidebarVersion !== version) return; // a newer ask is waiting
      if (this.sidebarOpen && this.state.version === version) this.requestSidebar();
      else this.sidebarVersion = -1; // closed meanwhile: ask when it opens again
    });
  }

  requestSidebar() {
    this.sidebarVersion = this.state.version;
    this.sidebar.loading();
    const onReply = (/** @type {any} */ reply) => {
      if (reply.type === "sidebar") this.sidebar.show(reply, Boolean(this.state.filtered));
    };
    this.model.send(this.store.request("sidebar", {}, onReply, `sidebar:${this.id}`));
  }

  /** @param {string} action */
  headerAction(action) {
    if (action !== "sidebar") {
      this.send({ type: action });
      return;
    }
    this.sidebarOpen = !this.sidebarOpen;
    this.sidebar.el.hidden = !this.sidebarOpen;
    this.updateHeader();
    this.scheduleDraw();
  }

  /** @param {number} value */
  setSize(value) {
    if (value !== this.model.get("tile_size")) {
      this.model.set("tile_size", value);
      this.model.save_changes();
      this.scheduleDraw();
    }
  }

  updateHeader() {
    const waiting = this.store.waiting();
    this.root.dataset.version = String(this.state.version);
    this.root.classList.toggle("fol-waiting", waiting);
    this.header.update(this.state, {
      tileSize: this.tileSize(),
      sidebarOpen: this.sidebarOpen,
      status: this.static
        ? this.static.status()
        : waiting
          ? "waiting for the kernel\u2026"
          : this.store.notice || "",
    });
  }

  // ---- model and store events -------------------------------------------------------------
  onState() {
    if (this.static) {
      this.goLive(); // Python changed the state: a kernel is there after all
      return;
    }
    const before = this.state;
    this.state = stateOf(this.model);
    if (this.state.view_serial !== before.view_serial) {
      this.cursor.reset();
      this.tiles.el.scrollTop = 0;
    }
    if (this.state.version !== before.version) {
      this.askGroups();
      this.expanded.refresh();
    }
    this.updateHeader();
    this.scheduleDraw();
  }

  askGroups() {
    const { state, store } = this;
    if (state.grouped && store.starts() === undefined && this.groupsAsked !== state.version) {
      this.groupsAsked = state.version;
      this.model.send(store.request("groups", { inline: store.inline }));
    }
  }

  /** No message from Python yet: draw the snapshot saved with the widget state, if any. */
  goStatic() {
    if (this.shared.heard || this.static) return;
    this.static = StaticRows.of(this.model);
    if (this.static && !this.static.rows) {
      // an empty view asks Python nothing, so silence proves no absence: draw nothing static
      this.static.dispose();
      this.static = null;
    }
    if (!this.static) return;
    this.state = this.static.state;
    this.expanded.hide();
    this.sidebar.el.hidden = true;
    this.root.classList.add("fol-static-mode");
    this.updateHeader();
    this.scheduleDraw();
  }

  /** Python answered after all: draw the live rows. */
  goLive() {
    clearTimeout(this.staticTimer);
    if (!this.static) return;
    this.static.dispose();
    this.static = null;
    this.state = stateOf(this.model);
    this.sidebar.el.hidden = !this.sidebarOpen;
    this.root.classList.remove("fol-static-mode");
    // whatever the snapshot showed, the live state is new to this view: start over on it
    this.cursor.reset();
    this.tiles.el.scrollTop = 0;
    this.groupsAsked = -1;
    this.askGroups();
    this.expanded.follow();
    this.updateHeader();
    this.scheduleDraw();
  }

  /** @param {string} changed what the store took in (see PageStore.receive), or "live" */
  onStore(changed) {
    const { store, expanded } = this;
    if (changed === "live") {
      this.goLive();
      return;
    }
    if (changed === "reset") {
      const msg = store.requestFlags();
      if (msg) this.model.send(msg);
      return;
    }
    if (changed === "ack") this.updateHeader();
    if (changed === "inline") {
      // a reply lost its buffers and was dropped: ask again (pages: by drawing)
      this.groupsAsked = -1;
      this.askGroups();
      expanded.retry();
    }
    if (changed === "rows" && expanded.open) {
      const row = store.row(expanded.index);
      if (row && row.id === expanded.id) expanded.setSelected(row.selected);
    }
    this.scheduleDraw();
  }
}
