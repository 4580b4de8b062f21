// @ts-check
// One display of the grid: lays out and draws the rows in view from the session's page store,
// follows the model and the store, and switches to the saved snapshot while no kernel answers.
// Its gestures are in gestures.js, its header and sidebar in panels.js.

import { activeElement, h } from "./dom.js";
import { Expanded } from "./expanded.js";
import { Gestures } from "./gestures.js";
import { Cursor } from "./keys.js";
import { columns, contentTop, FIELD_H, Layout, MAX_SCROLL_PX, PAD, scrollTopFor } from "./layout.js";
import { Panels } from "./panels.js";
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
const PUSH_WAIT_MS = 200; // how long a new display waits for the first rows Python pushes
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
    this.groupsAsked = -1;
    /** @type {{ key: string, layout: Layout } | null} */
    this.laid = null;
    /** @type {Int32Array|null} the last group starts known: drawn until a new version's come */
    this.lastStarts = null;
    /** @type {StaticRows|null} the saved snapshot, drawn while no kernel answers */
    this.static = null;
    this.disposed = false;

    const { min_tile: min, max_tile: max } = this.constants;
    this.panels = new Panels(this, { min, max }, (el.clientWidth || 1000) >= NARROW);
    this.gestures = new Gestures(this);
    const { gestures } = this;
    this.tiles = new TileView({
      press: (i, shift) => gestures.press(i, shift),
      open: (i) => gestures.doubleClick(i),
      groupAction: (start, action) =>
        this.send({ type: "group-action", version: this.state.version, start, action }),
    });
    this.expanded = new Expanded({
      model,
      store: this.store,
      slot: `detail:${this.id}`,
      length: () => this.state.length || 0,
      gesture: (content) => this.send(content),
      shown: (index) => gestures.onExpandedShown(index),
      closed: () => gestures.onExpandedClosed(),
    });
    this.root = h("div", "fol-root");
    const body = h("div", "fol-body");
    body.append(this.panels.sidebar.el, this.tiles.el);
    this.root.append(this.panels.header.el, body, this.expanded.el);
    el.append(this.root);

    this.draw = this.draw.bind(this);
    this.scheduleDraw = this.scheduleDraw.bind(this);
    this.onStore = this.onStore.bind(this);
    /** @type {Array<[string, Function]>} */
    this.listeners = [
      ["change:_state", () => this.onState()],
      ["change:tile_size", () => (this.panels.update(), this.scheduleDraw())],
      ["change:tile_field", this.scheduleDraw],
      ["change:expanded", () => this.expanded.follow()],
    ];
    for (const [event, fn] of this.listeners) model.on(event, fn);
    shared.views.add(this.onStore);
    this.tiles.el.addEventListener("scroll", this.scheduleDraw, { passive: true });
    this.tiles.el.addEventListener("focusin", (e) => gestures.onFocusIn(e));
    window.addEventListener("keydown", gestures.onKey, true);
    this.resize = new ResizeObserver(this.scheduleDraw);
    this.resize.observe(this.tiles.el);

    this.panels.update();
    this.askGroups();
    // Python pushes the first rows right after the display. Most often they came while the
    // module loaded (anywidget hands them over after render), else they are on their way: ask
    // only if they have not come in PUSH_WAIT_MS (Voila's page connects after the push)
    this.firstAsk = window.setTimeout(() => {
      for (const msg of this.store.requestPages(0, Math.min(1, this.state.length || 0))) {
        model.send(msg);
      }
    }, PUSH_WAIT_MS);
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
    window.removeEventListener("keydown", this.gestures.onKey, true);
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
    const least = this.panels.sidebarOpen && !this.static ? MIN_HEIGHT_WITH_SIDEBAR : 0;
    const content = Math.max(lay.total, lay.n ? lay.rowH : 40);
    const height = Math.max(least, Math.min(MAX_HEIGHT, content));
    tiles.el.style.height = `${height}px`;
    this.panels.sidebar.el.style.height = `${height}px`;
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
    this.panels.drawn(range[1] > range[0] && store.row(range[0]) !== undefined);
  }

  /** The first row drawn (0 before the first draw). */
  firstDrawn() {
    return this.shared.ranges.get(this.id)?.[0] ?? 0;
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

  // ---- gestures (sent here, made in gestures.js) ------------------------------------------
  /** Send a gesture to Python (none while the snapshot is drawn). @param {object} content */
  send(content) {
    if (this.static) return; // a picture: nobody to tell
    this.model.send(this.store.gesture(content));
    clearTimeout(this.ackTimer);
    this.ackTimer = window.setTimeout(() => this.panels.update(), ACK_WAIT_MS);
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
    this.panels.update();
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
    this.panels.showSidebar(false);
    this.root.classList.add("fol-static-mode");
    this.panels.update();
    this.scheduleDraw();
  }

  /** Python answered after all: draw the live rows. */
  goLive() {
    clearTimeout(this.staticTimer);
    if (!this.static) return;
    this.static.dispose();
    this.static = null;
    this.state = stateOf(this.model);
    this.panels.showSidebar(true);
    this.root.classList.remove("fol-static-mode");
    // whatever the snapshot showed, the live state is new to this view: start over on it
    this.cursor.reset();
    this.tiles.el.scrollTop = 0;
    this.groupsAsked = -1;
    this.askGroups();
    this.expanded.follow();
    this.panels.update();
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
    if (changed === "ack") this.panels.update();
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
