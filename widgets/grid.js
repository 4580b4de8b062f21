// fo_lite dashboard grid: a virtualized thumbnail grid rendered by anywidget.
//
// Python owns the truth (dataset, view, selection). This module draws only the tiles in view
// (plus a margin), asks Python for pages of rows + thumbnails as it scrolls, and reports
// gestures (click, shift-click, keys, buttons) as small messages. The message protocol is
// documented in fo_lite/session/pages.py. All text from data goes through textContent.

/**
 * @typedef {{
 *   get(name: string): any,
 *   set(name: string, value: any): void,
 *   save_changes(): void,
 *   on(event: string, callback: Function): void,
 *   off(event?: string, callback?: Function): void,
 *   send(content: object, callbacks?: object, buffers?: ArrayBuffer[]): void,
 * }} Model
 * @typedef {{ id: string, label: string|null, field: string|null, selected: boolean,
 *             url: string|null, broken: string|null }} Row
 * @typedef {{ start: number, rows: Row[] }} Page
 * @typedef {{ size: number, fieldH: number, cols: number, rowH: number, n: number,
 *             total: number, spacerH: number, viewH: number }} Geometry
 */

const PAGE = 60; // rows per page request
const KEEP_PAGES = 6; // pages kept on each side of the visible ones
const MARGIN_ROWS = 2; // tile rows drawn above and below the viewport
const MAX_INFLIGHT = 2; // page requests awaiting an answer
const GAP = 6;
const PAD = 6;
const FIELD_H = 18;
const MAX_HEIGHT = 560; // scroller height cap (px)
const MAX_SCROLL_PX = 10_000_000; // taller content is mapped onto this many scroll pixels
const ACK_WAIT_MS = 700;
const SIZE_MIN = 48;
const SIZE_MAX = 512;

/** @param {number} n */
const fmt = (n) => n.toLocaleString("en-US");

/**
 * @param {string} tag
 * @param {string} [cls]
 * @param {Record<string, string>} [attrs]
 * @returns {HTMLElement}
 */
function h(tag, cls, attrs) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  return el;
}

/**
 * @param {number} n samples
 * @param {number} k selected
 */
function countText(n, k) {
  return `${fmt(n)} ${n === 1 ? "sample" : "samples"} \u00b7 ${fmt(k)} selected`;
}

/** The latest page Python pushed, per session (`_grid_key`), for grids rendered after it came. */
const pushedPages = new Map();

/**
 * Runs once per model, before any of its messages are handled: keep pushed pages for `render`.
 * @param {{ model: Model }} ctx
 */
function initialize({ model }) {
  const key = model.get("_grid_key");
  /** @param {any} msg @param {DataView[]} buffers */
  const keep = (msg, buffers) => {
    if (msg && msg.type === "page" && msg.request_id == null) {
      pushedPages.set(key, { msg, buffers });
    }
  };
  model.on("msg:custom", keep);
  return () => {
    model.off("msg:custom", keep);
    pushedPages.delete(key);
  };
}

/** @param {{ model: Model, el: HTMLElement }} ctx */
function render({ model, el }) {
  const client = Math.random().toString(36).slice(2, 10);
  let requestSeq = 0;
  let gestureSeq = 0;
  let ackedSeq = 0;
  /** @type {Map<number, Page>} */
  const pages = new Map();
  /** @type {Map<string, Row>} */
  const rowsById = new Map();
  /** @type {Map<string, {page: number, version: number}>} */
  const inflight = new Map();
  /** @type {Set<number>} */
  const inflightPages = new Set();
  /** @type {Map<number, HTMLElement>} */
  const tiles = new Map();
  let anchor = -1;
  let focusIndex = -1;
  let range = { first: 0, last: 0 }; // tile indices drawn: [first, last)
  let frame = 0;
  let ackTimer = 0;
  let detailRequest = "";
  let detailUrl = "";
  let lastFocusEl = /** @type {HTMLElement|null} */ (null);
  let lastToggle = { index: -1, time: 0 };
  /** @type {{msg: any, buffers: DataView[]} | null} */
  let pushed = null; // a pushed page for a version not seen yet

  // ---- DOM skeleton -----------------------------------------------------------------------
  const root = h("div", "fol-root");
  const header = h("div", "fol-header");
  const title = h("span", "fol-title");
  const count = h("span", "fol-count", { "aria-live": "polite" });
  const status = h("span", "fol-status", { "aria-live": "polite" });
  const buttons = h("span", "fol-buttons");
  const btnAll = h("button", "fol-button", { "data-action": "select-all", type: "button" });
  btnAll.textContent = "Select all";
  btnAll.title = "Select every sample of the view";
  const btnClear = h("button", "fol-button", { "data-action": "clear", type: "button" });
  btnClear.textContent = "Clear";
  btnClear.title = "Clear the selection (Escape)";
  const btnShow = h("button", "fol-button", { "data-action": "show-selected", type: "button" });
  btnShow.title = "Show only the selected samples (sets session.view)";
  const sizeLabel = h("label", "fol-size");
  sizeLabel.textContent = "Size ";
  const slider = /** @type {HTMLInputElement} */ (
    h("input", "fol-slider", {
      type: "range",
      "data-action": "tile-size",
      min: String(SIZE_MIN),
      max: String(SIZE_MAX),
      step: "8",
      "aria-label": "Tile size",
    })
  );
  sizeLabel.append(slider);
  buttons.append(btnAll, btnClear, btnShow, sizeLabel);
  header.append(title, count, status, buttons);

  const scroller = h("div", "fol-scroller", {
    tabindex: "0",
    role: "listbox",
    "aria-multiselectable": "true",
    "aria-label": "Samples",
  });
  const spacer = h("div", "fol-spacer");
  const empty = h("div", "fol-empty");
  empty.textContent = "No samples in this view";
  scroller.append(spacer, empty);

  const detail = h("div", "fol-detail", { role: "dialog", "aria-label": "Sample details" });
  detail.hidden = true;
  const detailHead = h("div", "fol-detail-head");
  const detailTitle = h("span", "fol-detail-title");
  const btnClose = h("button", "fol-button", { "data-action": "close-detail", type: "button" });
  btnClose.textContent = "Close";
  btnClose.title = "Close (Escape)";
  detailHead.append(detailTitle, btnClose);
  const detailBody = h("div", "fol-detail-body");
  const detailMedia = h("div", "fol-detail-media");
  const detailList = h("div", "fol-detail-list");
  detailBody.append(detailMedia, detailList);
  detail.append(detailHead, detailBody);

  root.append(header, scroller, detail);
  el.append(root);

  // ---- geometry ---------------------------------------------------------------------------
  /** @returns {Geometry} */
  function geometry() {
    const size = Math.max(SIZE_MIN, Math.min(SIZE_MAX, Number(model.get("tile_size")) || 128));
    const fieldH = model.get("tile_field") ? FIELD_H : 0;
    const width = Math.max(scroller.clientWidth - 2 * PAD, size);
    const cols = Math.max(1, Math.floor((width + GAP) / (size + GAP)));
    const rowH = size + fieldH + GAP;
    const n = Number(model.get("_length")) || 0;
    const total = Math.ceil(n / cols) * rowH + 2 * PAD - (n ? GAP : 0);
    const spacerH = Math.min(total, MAX_SCROLL_PX);
    const viewH = scroller.clientHeight;
    return { size, fieldH, cols, rowH, n, total, spacerH, viewH };
  }

  /** Scroll offset -> offset into the (possibly taller) virtual content. */
  function virtualTop(/** @type {Geometry} */ g, /** @type {number} */ scrollTop) {
    if (g.spacerH >= g.total || g.spacerH <= g.viewH) return scrollTop;
    return (scrollTop * (g.total - g.viewH)) / (g.spacerH - g.viewH);
  }

  function scrollTopFor(/** @type {Geometry} */ g, /** @type {number} */ vTop) {
    if (g.spacerH >= g.total || g.spacerH <= g.viewH) return vTop;
    return (vTop * (g.spacerH - g.viewH)) / (g.total - g.viewH);
  }

  // ---- drawing ----------------------------------------------------------------------------
  function scheduleRender() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function draw() {
    frame = 0;
    const g = geometry();
    const height = Math.min(MAX_HEIGHT, Math.max(g.total, g.n ? g.rowH : 40));
    scroller.style.height = `${height}px`;
    spacer.style.height = `${g.spacerH}px`;
    empty.hidden = g.n > 0;
    root.style.setProperty("--fol-tile", `${g.size}px`);
    root.classList.toggle("fol-has-field", g.fieldH > 0);
    const scrollTop = scroller.scrollTop;
    const vTop = virtualTop(g, scrollTop);
    const viewH = g.viewH || height;
    const firstRow = Math.max(0, Math.floor((vTop - PAD) / g.rowH) - MARGIN_ROWS);
    const lastRow = Math.floor((vTop + viewH - PAD) / g.rowH) + MARGIN_ROWS;
    const first = Math.min(g.n, firstRow * g.cols);
    const last = Math.min(g.n, (lastRow + 1) * g.cols);
    range = { first, last };

    for (const [index, tile] of tiles) {
      if (index < first || index >= last) {
        if (tile === document.activeElement) scroller.focus({ preventScroll: true });
        tile.remove();
        tiles.delete(index);
      }
    }
    for (let i = first; i < last; i++) {
      let tile = tiles.get(i);
      if (!tile) {
        tile = makeTile(i);
        tiles.set(i, tile);
        spacer.append(tile);
      }
      const r = Math.floor(i / g.cols);
      const c = i % g.cols;
      const top = scrollTop + PAD + r * g.rowH - vTop;
      tile.style.transform = `translate(${PAD + c * (g.size + GAP)}px, ${top}px)`;
      fillTile(tile, i);
    }
    evictPages();
    pump();
  }

  /** @param {number} index */
  function makeTile(index) {
    const tile = h("div", "fol-tile fol-loading", {
      "data-index": String(index),
      role: "option",
      tabindex: "-1",
      "aria-selected": "false",
    });
    const media = h("div", "fol-media");
    const label = h("span", "fol-label");
    media.append(label);
    const field = h("div", "fol-field");
    tile.append(media, field);
    return tile;
  }

  /** @param {number} index */
  function rowAt(index) {
    const page = pages.get(Math.floor(index / PAGE));
    return page ? page.rows[index - page.start] : undefined;
  }

  /**
   * Bring a tile's content in line with its row (cheap when nothing changed).
   * @param {HTMLElement} tile
   * @param {number} index
   */
  function fillTile(tile, index) {
    const row = rowAt(index);
    const media = /** @type {HTMLElement} */ (tile.firstChild);
    const label = /** @type {HTMLElement} */ (media.lastChild);
    const field = /** @type {HTMLElement} */ (tile.lastChild);
    const focused = index === focusIndex;
    tile.classList.toggle("fol-focused", focused);
    tile.tabIndex = focused ? 0 : -1;
    if (!row) {
      if (tile.dataset.id !== undefined) {
        delete tile.dataset.id;
        delete tile.dataset.url;
        for (const old of media.querySelectorAll(".fol-thumb, .fol-broken")) old.remove();
        label.textContent = "";
        field.textContent = "";
      }
      tile.classList.add("fol-loading");
      tile.classList.remove("fol-selected");
      tile.setAttribute("aria-selected", "false");
      return;
    }
    tile.classList.remove("fol-loading");
    tile.classList.toggle("fol-selected", row.selected);
    tile.setAttribute("aria-selected", row.selected ? "true" : "false");
    if (tile.dataset.id === row.id && tile.dataset.url === (row.url || "")) {
      setText(field, row.field);
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
      media.insertBefore(img, label);
    } else {
      const broken = h("div", "fol-broken");
      broken.textContent = row.broken || "no image";
      media.insertBefore(broken, label);
    }
    setText(label, row.label);
    tile.title = row.label || "";
    setText(field, row.field);
  }

  /** @param {HTMLElement} node @param {string|null} text */
  function setText(node, text) {
    const value = text == null ? "" : String(text);
    if (node.textContent !== value) node.textContent = value;
    node.hidden = value === "";
  }

  function refreshTiles() {
    for (const [index, tile] of tiles) fillTile(tile, index);
  }

  function updateHeader() {
    const n = Number(model.get("_length")) || 0;
    const k = Number(model.get("_selected_count")) || 0;
    count.textContent = countText(n, k);
    const name = model.get("_dataset_name") || "";
    const stages = /** @type {Array<{_stage?: string}>} */ (model.get("_view") || []);
    const viewText = stages.map((s) => s._stage || "?").join(" \u203a ");
    title.textContent = name + (viewText ? ` \u2014 ${viewText}` : "");
    const showing = Boolean(model.get("_showing_selected"));
    btnShow.textContent = showing ? "Show all" : "Show selected";
    btnShow.setAttribute("aria-pressed", showing ? "true" : "false");
    slider.value = String(model.get("tile_size"));
  }

  // ---- pages ------------------------------------------------------------------------------
  function pump() {
    const firstPage = Math.floor(range.first / PAGE);
    const lastPage = Math.floor(Math.max(range.last - 1, range.first) / PAGE);
    if (range.last <= range.first) return;
    for (let p = firstPage; p <= lastPage && inflight.size < MAX_INFLIGHT; p++) requestPage(p);
  }

  /** Ask for page `p` unless it is here or on its way. @param {number} p */
  function requestPage(p) {
    if (pages.has(p) || inflightPages.has(p)) return;
    const version = model.get("_version");
    const requestId = `${client}:${++requestSeq}`;
    inflight.set(requestId, { page: p, version });
    inflightPages.add(p);
    const start = p * PAGE;
    model.send({ type: "page", request_id: requestId, version, start, stop: start + PAGE });
  }

  function evictPages() {
    const lo = Math.floor(range.first / PAGE) - KEEP_PAGES;
    const hi = Math.floor(range.last / PAGE) + KEEP_PAGES;
    for (const p of [...pages.keys()]) if (p < lo || p > hi) dropPage(p);
  }

  /** @param {number} p */
  function dropPage(p) {
    const page = pages.get(p);
    if (!page) return;
    for (const row of page.rows) {
      if (row.url) URL.revokeObjectURL(row.url);
      if (rowsById.get(row.id) === row) rowsById.delete(row.id);
    }
    pages.delete(p);
  }

  function dropAll() {
    for (const p of [...pages.keys()]) dropPage(p);
    inflight.clear();
    inflightPages.clear();
  }

  /**
   * @param {any} msg
   * @param {DataView[]} buffers
   */
  function onPage(msg, buffers) {
    if (msg.request_id == null && msg.type === "page") {
      onPushedPage(msg, buffers);
      return;
    }
    const want = inflight.get(msg.request_id);
    if (!want) return; // another display's request, or one from before a reset
    inflight.delete(msg.request_id);
    inflightPages.delete(want.page);
    if (msg.type === "stale" || msg.version !== model.get("_version")) {
      scheduleRender();
      return;
    }
    if (!pages.has(want.page)) storePage(want.page, msg, buffers); // else: pushed already
  }

  /**
   * A page Python sent unasked (a new view's first rows): take it if it is for the version
   * drawn, keep it for later if it is for one this grid has not seen yet.
   * @param {any} msg
   * @param {DataView[]} buffers
   */
  function onPushedPage(msg, buffers) {
    const version = Number(model.get("_version"));
    if (msg.start % PAGE !== 0) return;
    if (msg.version > version) pushed = { msg, buffers };
    else if (msg.version === version && !pages.has(msg.start / PAGE)) {
      storePage(msg.start / PAGE, msg, buffers);
    }
  }

  /**
   * @param {number} p
   * @param {any} msg
   * @param {DataView[]} buffers
   */
  function storePage(p, msg, buffers) {
    /** @type {Row[]} */
    const rows = msg.ids.map((/** @type {string} */ id, /** @type {number} */ i) => {
      const b = msg.thumbs[i];
      const url =
        b == null ? null : URL.createObjectURL(new Blob([buffers[b]], { type: msg.mimes[i] }));
      return {
        id,
        label: msg.labels[i],
        field: msg.fields[i],
        selected: Boolean(msg.selected[i]),
        url,
        broken: msg.broken[i],
      };
    });
    dropPage(p);
    pages.set(p, { start: msg.start, rows });
    for (const row of rows) rowsById.set(row.id, row);
    scheduleRender();
  }

  /** @param {any} msg */
  function onFlags(msg) {
    if (!inflight.delete(msg.request_id) || msg.version !== model.get("_version")) return;
    msg.ids.forEach((/** @type {string} */ id, /** @type {number} */ i) => {
      const row = rowAt(msg.start + i);
      if (row && row.id === id) row.selected = Boolean(msg.selected[i]);
    });
    refreshTiles();
  }

  /** @param {any} msg */
  function onSelection(msg) {
    if (msg.ack && msg.ack.client === client) {
      ackedSeq = Math.max(ackedSeq, msg.ack.seq);
      updateStatus();
    }
    if (msg.reset) {
      const starts = [...pages.values()].map((p) => p.start);
      if (!starts.length) return;
      const start = Math.min(...starts);
      const stop = Math.max(...[...pages.values()].map((p) => p.start + p.rows.length));
      const requestId = `${client}:${++requestSeq}`;
      const version = model.get("_version");
      inflight.set(requestId, { page: -1, version });
      model.send({ type: "flags", request_id: requestId, version, start, stop });
      return;
    }
    for (const id of msg.added || []) {
      const row = rowsById.get(id);
      if (row) row.selected = true;
    }
    for (const id of msg.removed || []) {
      const row = rowsById.get(id);
      if (row) row.selected = false;
    }
    refreshTiles();
  }

  /**
   * @param {any} msg
   * @param {DataView[]} buffers
   */
  function onMessage(msg, buffers) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "page" || msg.type === "stale") onPage(msg, buffers);
    else if (msg.type === "flags") onFlags(msg);
    else if (msg.type === "selection") onSelection(msg);
    else if (msg.type === "detail" && msg.request_id === detailRequest) showDetail(msg, buffers);
    else if (msg.type === "error") {
      if (msg.request_id === detailRequest) {
        detailList.replaceChildren();
        detailMedia.textContent = String(msg.message || "error");
      } else if (inflight.has(msg.request_id)) {
        const want = inflight.get(msg.request_id);
        inflight.delete(msg.request_id);
        if (want) inflightPages.delete(want.page);
        status.textContent = String(msg.message || "error");
      }
    }
  }

  // ---- gestures ---------------------------------------------------------------------------
  /** @param {object} content */
  function gesture(content) {
    const seq = ++gestureSeq;
    model.send({ ...content, client, seq });
    clearTimeout(ackTimer);
    ackTimer = window.setTimeout(updateStatus, ACK_WAIT_MS);
  }

  function updateStatus() {
    const waiting = ackedSeq < gestureSeq;
    root.classList.toggle("fol-waiting", waiting);
    status.textContent = waiting ? "waiting for the kernel\u2026" : "";
  }

  /** @param {number} index @param {boolean} shift */
  function toggleAt(index, shift) {
    const version = model.get("_version");
    if (shift && anchor >= 0 && anchor !== index) {
      const lo = Math.min(anchor, index);
      const hi = Math.max(anchor, index);
      gesture({ type: "range", version, start: lo, stop: hi + 1 });
      return;
    }
    const row = rowAt(index);
    if (!row) return; // not loaded yet: nothing to name
    anchor = index;
    gesture({ type: "toggle", version, index, id: row.id });
    lastToggle = { index, time: performance.now() };
  }

  /** @param {number} index @param {boolean} [scroll] */
  function setFocus(index, scroll) {
    const g = geometry();
    if (!g.n) return;
    focusIndex = Math.max(0, Math.min(g.n - 1, index));
    if (scroll) {
      const vTop = virtualTop(g, scroller.scrollTop);
      const rowTop = PAD + Math.floor(focusIndex / g.cols) * g.rowH;
      let target = vTop;
      if (rowTop < vTop) target = rowTop - PAD;
      else if (rowTop + g.rowH > vTop + g.viewH) target = rowTop + g.rowH - g.viewH + PAD;
      if (target !== vTop) scroller.scrollTop = scrollTopFor(g, target);
    }
    draw();
    const tile = tiles.get(focusIndex);
    if (tile) tile.focus({ preventScroll: true });
  }

  /** @param {Event} e */
  function tileOf(e) {
    const target = /** @type {HTMLElement} */ (e.target);
    const tile = target && target.closest ? target.closest(".fol-tile") : null;
    return tile ? Number(/** @type {HTMLElement} */ (tile).dataset.index) : -1;
  }

  /** @param {MouseEvent} e */
  function onClick(e) {
    const index = tileOf(e);
    if (index < 0 || e.detail > 1) return; // the second click of a double-click opens instead
    focusIndex = index;
    toggleAt(index, e.shiftKey);
    const tile = tiles.get(index);
    if (tile) tile.focus({ preventScroll: true });
    refreshTiles();
  }

  /** @param {MouseEvent} e */
  function onMouseDown(e) {
    if (e.shiftKey && tileOf(e) >= 0) e.preventDefault(); // no text selection on shift-click
  }

  /** @param {MouseEvent} e */
  function onDblClick(e) {
    const index = tileOf(e);
    if (index < 0) return;
    // the double-click's first click toggled this tile: undo it, opening changes no selection
    if (!e.shiftKey && lastToggle.index === index && performance.now() - lastToggle.time < 800) {
      toggleAt(index, false);
      lastToggle = { index: -1, time: 0 };
    }
    openDetail(index);
  }

  /** @param {KeyboardEvent} e */
  function onKey(e) {
    const target = /** @type {HTMLElement} */ (e.target);
    if (target && (target.tagName === "INPUT" || target.tagName === "BUTTON")) {
      if (e.key !== "Escape") return;
    }
    const g = geometry();
    const at = focusIndex >= 0 ? focusIndex : range.first;
    let handled = true;
    if (!detail.hidden) {
      if (e.key === "Escape") closeDetail();
      else handled = false;
    } else if (e.key === "ArrowRight") setFocus(at + 1, true);
    else if (e.key === "ArrowLeft") setFocus(at - 1, true);
    else if (e.key === "ArrowDown") setFocus(Math.min(at + g.cols, g.n - 1), true);
    else if (e.key === "ArrowUp") setFocus(at - g.cols < 0 ? at : at - g.cols, true);
    else if (e.key === "Home") setFocus(0, true);
    else if (e.key === "End") setFocus(g.n - 1, true);
    else if (e.key === "PageDown") setFocus(at + g.cols * Math.max(1, Math.floor(g.viewH / g.rowH)), true);
    else if (e.key === "PageUp") setFocus(at - g.cols * Math.max(1, Math.floor(g.viewH / g.rowH)), true);
    else if (e.key === " " || e.key === "Spacebar") {
      if (focusIndex < 0) setFocus(at, true);
      toggleAt(focusIndex, e.shiftKey);
    } else if (e.key === "Enter") {
      if (focusIndex < 0) setFocus(at, true);
      openDetail(focusIndex);
    } else if (e.key === "Escape") gesture({ type: "clear" });
    else handled = false;
    if (handled) {
      // keep JupyterLab's notebook shortcuts (Enter = edit, arrows = move cell) out of it
      e.preventDefault();
      e.stopPropagation();
    }
  }

  // ---- detail panel -----------------------------------------------------------------------
  /** @param {number} index */
  function openDetail(index) {
    const row = rowAt(index);
    if (!row) return;
    detailRequest = `${client}:${++requestSeq}`;
    lastFocusEl = tiles.get(index) || null;
    detailTitle.textContent = row.label || row.id;
    detailList.replaceChildren();
    clearDetailMedia();
    detailMedia.textContent = "Loading\u2026";
    detail.hidden = false;
    btnClose.focus({ preventScroll: true });
    model.send({
      type: "detail",
      request_id: detailRequest,
      version: model.get("_version"),
      id: row.id,
    });
  }

  function clearDetailMedia() {
    if (detailUrl) URL.revokeObjectURL(detailUrl);
    detailUrl = "";
    detailMedia.replaceChildren();
  }

  /**
   * @param {any} msg
   * @param {DataView[]} buffers
   */
  function showDetail(msg, buffers) {
    clearDetailMedia();
    if (msg.image != null && buffers[msg.image]) {
      detailUrl = URL.createObjectURL(new Blob([buffers[msg.image]], { type: msg.mime }));
      const img = /** @type {HTMLImageElement} */ (h("img", "fol-detail-img", { alt: "" }));
      img.src = detailUrl;
      detailMedia.append(img);
    } else {
      const broken = h("div", "fol-broken");
      broken.textContent = msg.broken || "no image";
      detailMedia.append(broken);
    }
    const rows = (msg.fields || []).map((/** @type {[string, string]} */ [key, value]) => {
      const row = h("div", "fol-detail-row");
      const k = h("span", "fol-detail-key");
      k.textContent = String(key);
      const v = h("span", "fol-detail-value");
      v.textContent = String(value);
      row.append(k, v);
      return row;
    });
    detailList.replaceChildren(...rows);
  }

  function closeDetail() {
    detail.hidden = true;
    detailRequest = "";
    clearDetailMedia();
    detailList.replaceChildren();
    if (lastFocusEl && lastFocusEl.isConnected) lastFocusEl.focus({ preventScroll: true });
    else scroller.focus({ preventScroll: true });
  }

  // ---- model events -----------------------------------------------------------------------
  function onVersion() {
    dropAll();
    if (pushed) {
      const { msg, buffers } = pushed;
      pushed = null;
      onPushedPage(msg, buffers);
    }
    updateHeader();
    refreshTiles();
    scheduleRender();
  }

  function onNewView() {
    anchor = -1;
    focusIndex = -1;
    scroller.scrollTop = 0;
    if (!detail.hidden) closeDetail();
  }

  function onSize() {
    slider.value = String(model.get("tile_size"));
    scheduleRender();
  }

  function onSlider() {
    const value = Number(slider.value);
    if (value !== model.get("tile_size")) {
      model.set("tile_size", value);
      model.save_changes();
      scheduleRender();
    }
  }

  const listeners = /** @type {Array<[string, Function]>} */ ([
    ["msg:custom", onMessage],
    ["change:_version", onVersion],
    ["change:_view_serial", onNewView],
    ["change:_selected_count", updateHeader],
    ["change:_showing_selected", updateHeader],
    ["change:_dataset_name", updateHeader],
    ["change:_view", updateHeader],
    ["change:_length", scheduleRender],
    ["change:tile_size", onSize],
    ["change:tile_field", scheduleRender],
  ]);
  for (const [event, fn] of listeners) model.on(event, fn);

  btnAll.addEventListener("click", () => gesture({ type: "select-all" }));
  btnClear.addEventListener("click", () => gesture({ type: "clear" }));
  btnShow.addEventListener("click", () => gesture({ type: "show-selected" }));
  btnClose.addEventListener("click", closeDetail);
  slider.addEventListener("input", onSlider);
  scroller.addEventListener("scroll", scheduleRender, { passive: true });
  scroller.addEventListener("click", onClick);
  scroller.addEventListener("mousedown", onMouseDown);
  scroller.addEventListener("dblclick", onDblClick);
  root.addEventListener("keydown", onKey);
  const resize = new ResizeObserver(scheduleRender);
  resize.observe(scroller);

  updateHeader();
  const early = pushedPages.get(model.get("_grid_key"));
  if (early) onPushedPage(early.msg, early.buffers);
  // the first page is needed whatever the layout: ask now (unless pushed), not a frame later
  if (Number(model.get("_length")) > 0) requestPage(0);
  scheduleRender();

  return () => {
    for (const [event, fn] of listeners) model.off(event, fn);
    resize.disconnect();
    cancelAnimationFrame(frame);
    clearTimeout(ackTimer);
    dropAll();
    clearDetailMedia();
  };
}

export default { initialize, render };
