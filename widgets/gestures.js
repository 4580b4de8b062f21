// @ts-check
// The gestures of one display: clicks, double-clicks and keys on the tiles and the expanded
// view become cursor moves and messages; the focus ring follows the DOM focus.

import { keyCommand } from "./keys.js";

/** @typedef {import("./protocol.js").GridState} GridState */
/** @typedef {import("./keys.js").Cursor} Cursor */
/** @typedef {import("./keys.js").KeyCommand} KeyCommand */

const DOUBLE_CLICK_MS = 800;

/**
 * What the gestures read and call on their display (a GridView).
 * @typedef {object} GestureHost
 * @property {HTMLElement} root
 * @property {import("./tiles.js").TileView} tiles
 * @property {import("./expanded.js").Expanded} expanded
 * @property {import("./pages.js").PageStore} store
 * @property {Cursor} cursor
 * @property {GridState} state
 * @property {import("./snapshot.js").StaticRows|null} static the saved snapshot, if drawn
 * @property {() => import("./layout.js").Layout} layout
 * @property {() => number} firstDrawn the first row drawn
 * @property {() => void} draw
 * @property {() => void} scheduleDraw
 * @property {(index: number) => void} reveal
 * @property {(content: object) => void} send
 */

export class Gestures {
  /** @param {GestureHost} view */
  constructor(view) {
    this.view = view;
    this.lastToggle = { index: -1, time: 0 };
    this.onKey = this.onKey.bind(this);
  }

  /** A click (or Space) on tile `index`. @param {number} index @param {boolean} shift */
  press(index, shift) {
    const { view } = this;
    const version = view.state.version;
    const p = view.cursor.press(index, shift);
    if (p.type === "range") view.send({ type: "range", version, start: p.start, stop: p.stop });
    else {
      // a tile whose page is on its way is named by its index in the version drawn
      const row = view.store.row(index);
      view.send({ type: "toggle", version, index, id: row ? row.id : null });
      this.lastToggle = { index, time: performance.now() };
    }
    this.focusTile(index);
  }

  /** @param {number} index */
  doubleClick(index) {
    const { view, lastToggle } = this;
    // the double-click's first click toggled this tile: undo it, opening selects nothing
    if (lastToggle.index === index && performance.now() - lastToggle.time < DOUBLE_CLICK_MS) {
      const row = view.store.row(index);
      if (row) view.send({ type: "toggle", version: view.state.version, index, id: row.id });
      this.lastToggle = { index: -1, time: 0 };
    }
    this.openAt(index);
  }

  /** @param {number} index */
  openAt(index) {
    const { view } = this;
    if (view.static) return;
    const row = view.store.row(index);
    view.cursor.focus = index;
    if (row) view.expanded.setOpen(row.id);
    else if (index >= 0 && index < (view.state.length || 0)) view.expanded.openIndex(index);
  }

  /** Draw now and give tile `index` the DOM focus. @param {number} index */
  focusTile(index) {
    this.view.draw();
    const tile = this.view.tiles.tile(index);
    if (tile) tile.focus({ preventScroll: true });
  }

  /** @param {number} index @param {boolean} extend */
  moveFocus(index, extend) {
    if (index < 0) return;
    const { view } = this;
    const span = view.cursor.moveTo(index, extend);
    if (span) view.send({ type: "range", version: view.state.version, ...span });
    view.reveal(index);
    this.focusTile(index);
  }

  /** @param {KeyCommand} cmd */
  run(cmd) {
    const { view } = this;
    const lay = view.layout();
    const { cursor, expanded } = view;
    const at = cursor.focus >= 0 ? cursor.focus : view.firstDrawn();
    const a = cmd.action;
    if (a === "left" || a === "right" || a === "up" || a === "down") {
      this.moveFocus(lay.move(at, a), cmd.extend);
    } else if (a === "home") this.moveFocus(lay.n ? 0 : -1, cmd.extend);
    else if (a === "end") this.moveFocus(lay.n - 1, cmd.extend);
    else if (a === "pageup" || a === "pagedown") {
      const dy = (a === "pagedown" ? 1 : -1) * view.tiles.el.clientHeight;
      this.moveFocus(lay.n ? lay.indexAt(lay.tileTop(at) + dy, lay.column(at)) : -1, cmd.extend);
    } else if (a === "toggle") {
      if (expanded.open) expanded.toggle();
      else if (lay.n) this.press(at, cmd.extend);
    } else if (a === "open") this.openAt(at);
    else if (a === "clear") view.send({ type: "clear" });
    else if (a === "select-all") view.send({ type: "select-all" });
    else if (a === "close") expanded.setOpen(null);
    else if (a === "prev" || a === "next") expanded.step(a === "next" ? 1 : -1);
    else if (a === "leave") (view.tiles.tile(cursor.focus) || view.tiles.el).focus();
  }

  /**
   * Keys pressed inside the grid. Listened for on the window in the capture phase: notebook
   * front ends (Notebook 7) take their shortcuts on the document before the grid would see
   * them; keys the grid does not use go on to the page.
   * @param {KeyboardEvent} e
   */
  onKey(e) {
    const path = e.composedPath();
    if (!path.includes(this.view.root)) return;
    const target = /** @type {HTMLElement} */ (path[0]); // e.target is the host in a shadow root
    const tag = target.tagName;
    const cmd = keyCommand(e, {
      expanded: this.view.expanded.open,
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
    const { cursor } = this.view;
    const tile = /** @type {HTMLElement} */ (e.target).closest(".fol-tile");
    const index = tile ? Number(/** @type {HTMLElement} */ (tile).dataset.index) : -1;
    if (index >= 0 && index !== cursor.focus) {
      cursor.moveTo(index, false);
      this.view.scheduleDraw();
    }
  }

  /** @param {number} index the row shown large (-1: not among the rows shown) */
  onExpandedShown(index) {
    const { view } = this;
    view.root.classList.add("fol-expanded-open");
    if (index >= 0) {
      view.cursor.focus = index;
      view.reveal(index);
      view.scheduleDraw();
    }
  }

  onExpandedClosed() {
    const { root, tiles, cursor } = this.view;
    root.classList.remove("fol-expanded-open");
    (tiles.tile(cursor.focus) || tiles.el).focus({ preventScroll: true });
  }
}
