// @ts-check
// The virtualized grid: only the rows of tiles (and group headers) near the viewport exist in
// the DOM. role=grid > row > gridcell, with aria-selected on every tile.

import { activeElement, h, setText } from "./dom.js";
import { contentTop, GAP, MAX_SCROLL_PX, PAD } from "./layout.js";

/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./layout.js").Item} Item */
/** @typedef {import("./pages.js").PageStore} PageStore */
/** @typedef {import("./pages.js").Row} Row */

const MARGIN_ROWS = 2; // rows drawn above and below the viewport
const TAGS_SHOWN = 3; // chips on a tile; the rest as "+N"

export class TileView {
  /**
   * @param {object} on
   * @param {(index: number, shift: boolean) => void} on.press a click on a tile
   * @param {(index: number) => void} on.open a double-click on a tile
   * @param {(start: number, action: string) => void} on.groupAction a group header's button
   */
  constructor(on) {
    this.on = on;
    this.el = h("div", "fol-scroller", {
      tabindex: "0",
      role: "grid",
      "aria-multiselectable": "true",
      "aria-label": "Samples",
    });
    this.spacer = h("div", "fol-spacer", { role: "presentation" });
    this.empty = h("div", "fol-empty");
    this.empty.textContent = "No samples in this view";
    this.el.append(this.spacer, this.empty);
    /** @type {Map<string, HTMLElement>} */
    this.items = new Map();
    /** @type {Map<number, HTMLElement>} */
    this.tiles = new Map();
    this.el.addEventListener("click", (e) => this._click(e));
    this.el.addEventListener("dblclick", (e) => {
      const index = tileIndex(e);
      if (index >= 0) this.on.open(index);
    });
    this.el.addEventListener("mousedown", (e) => {
      if (e.shiftKey && tileIndex(e) >= 0) e.preventDefault(); // no text selection
    });
  }

  /** @param {MouseEvent} e */
  _click(e) {
    const target = /** @type {HTMLElement} */ (e.target);
    const action = target.closest && target.closest("[data-group-action]");
    if (action instanceof HTMLElement) {
      const head = /** @type {HTMLElement} */ (action.closest(".fol-head"));
      this.on.groupAction(Number(head.dataset.start), action.dataset.groupAction || "");
      return;
    }
    const index = tileIndex(e);
    if (index >= 0 && e.detail <= 1) this.on.press(index, e.shiftKey); // 2nd click: opens
  }

  /** @param {number} index */
  tile(index) {
    return this.tiles.get(index);
  }

  /**
   * Draw what the viewport shows; returns the tile indices drawn, [first, last).
   * @param {Layout} layout
   * @param {PageStore} store
   * @param {number} focus the focused tile (-1: none)
   * @returns {[number, number]}
   */
  draw(layout, store, focus) {
    const viewH = this.el.clientHeight;
    const spacerH = Math.min(layout.total, MAX_SCROLL_PX);
    this.spacer.style.height = `${spacerH}px`;
    this.empty.hidden = layout.n > 0;
    this.el.setAttribute("aria-rowcount", String(layout.items_count));
    this.el.setAttribute("aria-colcount", String(layout.cols));
    const scrollTop = this.el.scrollTop;
    const top = contentTop(layout.total, spacerH, viewH, scrollTop);
    const margin = MARGIN_ROWS * layout.rowH;
    const items = layout.items(top - margin, top + viewH + margin);
    const keep = new Set();
    let first = Infinity;
    let last = 0;
    for (const item of items) {
      const key = item.kind === "head" ? `h${item.group}` : `r${item.first}:${item.last}`;
      keep.add(key);
      let el = this.items.get(key);
      if (!el) {
        el = item.kind === "head" ? this._makeHead() : this._makeRow(item.first, item.last);
        this.items.set(key, el);
        this.spacer.append(el);
      }
      el.style.transform = `translateY(${scrollTop + item.top - top}px)`;
      el.setAttribute("aria-rowindex", String(item.aria));
      if (item.kind === "head") {
        this._fillHead(el, layout.starts[item.group], layout.count(item.group), store);
      } else {
        first = Math.min(first, item.first);
        last = Math.max(last, item.last);
        for (let i = item.first; i < item.last; i++) {
          fillTile(/** @type {HTMLElement} */ (this.tiles.get(i)), store.row(i), i === focus);
        }
      }
    }
    for (const [key, el] of this.items) {
      if (keep.has(key)) continue;
      const active = activeElement(el);
      if (active && el.contains(active)) this.el.focus({ preventScroll: true });
      for (const tile of el.querySelectorAll(".fol-tile")) {
        const index = Number(/** @type {HTMLElement} */ (tile).dataset.index);
        if (this.tiles.get(index) === tile) this.tiles.delete(index);
      }
      el.remove();
      this.items.delete(key);
    }
    return first < last ? [first, last] : [0, 0];
  }

  /** @param {number} first @param {number} last */
  _makeRow(first, last) {
    const row = h("div", "fol-row", { role: "row" });
    row.style.left = `${PAD}px`;
    row.style.gap = `${GAP}px`;
    for (let i = first; i < last; i++) {
      const tile = h("div", "fol-tile fol-loading", {
        "data-index": String(i),
        role: "gridcell",
        tabindex: "-1",
        "aria-selected": "false",
        "aria-colindex": String(i - first + 1),
      });
      const media = h("div", "fol-media");
      const badges = h("span", "fol-badges");
      badges.append(h("span", "fol-mark"), h("span", "fol-note"));
      media.append(badges, h("span", "fol-tags"), h("span", "fol-label"));
      tile.append(media, h("div", "fol-field"));
      row.append(tile);
      this.tiles.set(i, tile);
    }
    return row;
  }

  _makeHead() {
    const head = h("div", "fol-head", { role: "row" });
    const cell = h("div", "fol-head-cell", { role: "rowheader" });
    cell.append(
      h("span", "fol-head-text"),
      h("span", "fol-head-count"),
      h("span", "fol-head-note"),
      h("span", "fol-head-actions"),
    );
    head.append(cell);
    return head;
  }

  /**
   * @param {HTMLElement} el
   * @param {number} start
   * @param {number} count
   * @param {PageStore} store
   */
  _fillHead(el, start, count, store) {
    el.dataset.start = String(start);
    const [text, countEl, note, actions] = /** @type {HTMLElement[]} */ ([
      ...(/** @type {HTMLElement} */ (el.firstChild).children),
    ]);
    const head = store.head(start);
    setText(text, head ? (head.text ?? "(none)") : "\u2026");
    setText(countEl, `${count.toLocaleString("en-US")}`);
    setText(note, head ? head.note : null);
    const wanted = head ? head.actions : [];
    if (actions.childElementCount !== wanted.length || actions.dataset.for !== String(start)) {
      actions.dataset.for = String(start);
      actions.replaceChildren(
        ...wanted.map(([id, label]) => {
          const b = h("button", "fol-button fol-head-action", {
            type: "button",
            "data-group-action": id,
          });
          b.textContent = label;
          return b;
        }),
      );
    }
  }
}

/** @param {Event} e */
function tileIndex(e) {
  const target = /** @type {HTMLElement} */ (e.target);
  const tile = target && target.closest ? target.closest(".fol-tile") : null;
  return tile ? Number(/** @type {HTMLElement} */ (tile).dataset.index) : -1;
}

/**
 * Bring a tile in line with its row (cheap when nothing changed).
 * @param {HTMLElement} tile
 * @param {Row|undefined} row
 * @param {boolean} focused
 */
function fillTile(tile, row, focused) {
  const media = /** @type {HTMLElement} */ (tile.firstChild);
  const [badges, tags, label] = /** @type {HTMLElement[]} */ ([...media.children].slice(-3));
  const field = /** @type {HTMLElement} */ (tile.lastChild);
  tile.classList.toggle("fol-focused", focused);
  tile.tabIndex = focused ? 0 : -1;
  tile.classList.toggle("fol-loading", !row);
  tile.classList.toggle("fol-selected", Boolean(row && row.selected));
  tile.setAttribute("aria-selected", row && row.selected ? "true" : "false");
  if (!row) {
    if (tile.dataset.id !== undefined) {
      delete tile.dataset.id;
      delete tile.dataset.url;
      for (const old of media.querySelectorAll(".fol-thumb, .fol-broken")) old.remove();
      for (const part of [label, field, ...badges.children]) {
        setText(/** @type {HTMLElement} */ (part), "");
      }
      fillTags(tags, []);
    }
    return;
  }
  setText(field, row.field);
  setText(/** @type {HTMLElement} */ (badges.firstChild), row.mark);
  setText(/** @type {HTMLElement} */ (badges.lastChild), row.note);
  fillTags(tags, row.tags);
  if (tile.dataset.id === row.id && tile.dataset.url === (row.url || "")) {
    setText(label, row.label);
    return;
  }
  tile.dataset.id = row.id;
  tile.dataset.url = row.url || "";
  for (const old of media.querySelectorAll(".fol-thumb, .fol-broken")) old.remove();
  if (row.url) {
    const img = /** @type {HTMLImageElement} */ (h("img", "fol-thumb", { alt: "" }));
    img.decoding = "async";
    img.draggable = false;
    img.src = row.url;
    media.prepend(img);
  } else {
    const broken = h("div", "fol-broken");
    broken.textContent = row.broken || "no image";
    media.prepend(broken);
  }
  setText(label, row.label);
  tile.title = row.label || "";
}

/** @param {HTMLElement} el @param {string[]} tags */
function fillTags(el, tags) {
  const key = tags.join("\u0000");
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  const shown = tags.slice(0, TAGS_SHOWN).map((t) => {
    const chip = h("span", "fol-tag");
    chip.textContent = t;
    return chip;
  });
  if (tags.length > TAGS_SHOWN) {
    const more = h("span", "fol-tag fol-tag-more");
    more.textContent = `+${tags.length - TAGS_SHOWN}`;
    shown.push(more);
  }
  el.replaceChildren(...shown);
  el.hidden = !tags.length;
}
