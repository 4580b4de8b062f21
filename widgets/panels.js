// @ts-check
// The header and the sidebar of one display: what the header says, what its buttons and the
// sidebar's values ask, and when the sidebar asks Python for its counts.

import { imagesPainted } from "./dom.js";
import { Header } from "./header.js";
import { Sidebar } from "./sidebar.js";

/** @typedef {import("./protocol.js").GridState} GridState */

const PAINT_WAIT_MS = 400; // the sidebar's counts wait this long at most for the thumbnails

/**
 * What the header and sidebar read and call on their display (a GridView).
 * @typedef {object} PanelsHost
 * @property {import("./protocol.js").Model} model
 * @property {import("./pages.js").PageStore} store
 * @property {HTMLElement} root
 * @property {import("./tiles.js").TileView} tiles
 * @property {GridState} state
 * @property {import("./snapshot.js").StaticRows|null} static the saved snapshot, if drawn
 * @property {boolean} disposed
 * @property {number} id
 * @property {() => number} tileSize
 * @property {() => void} scheduleDraw
 * @property {(content: object) => void} send
 */

export class Panels {
  /**
   * @param {PanelsHost} view
   * @param {{ min: number, max: number }} sizes the tile size slider's bounds
   * @param {boolean} sidebarOpen
   */
  constructor(view, sizes, sidebarOpen) {
    this.view = view;
    this.sidebarOpen = sidebarOpen;
    this.sidebarVersion = -1;
    this.header = new Header(
      {
        action: (a) => this.headerAction(a),
        tag: (tags, remove) => tags.length && view.send({ type: "tag", tags, remove }),
        size: (size) => this.setSize(size),
      },
      sizes,
    );
    this.sidebar = new Sidebar({
      filter: (field, values) => view.send({ type: "filter", field, values }),
      clear: () => view.send({ type: "clear-filters" }),
    });
    this.sidebar.el.hidden = !this.sidebarOpen;
  }

  /** The sidebar, if open, is `shown` (not while the snapshot is drawn). @param {boolean} shown */
  showSidebar(shown) {
    this.sidebar.el.hidden = !shown || !this.sidebarOpen;
  }

  /**
   * After a draw: ask for the counts of a version the open sidebar has not asked for yet.
   * @param {boolean} rowsDrawn rows are drawn (not only their placeholders)
   */
  drawn(rowsDrawn) {
    if (this.sidebarOpen && this.sidebarVersion !== this.view.state.version && rowsDrawn) {
      this.requestSidebarAfterPaint();
    }
  }

  /**
   * Ask for the counts once the thumbnails drawn are painted: at 1M rows the counts take the
   * kernel ~0.1 s of CPU, which the first paint should not share (benchmarks/README.md).
   */
  requestSidebarAfterPaint() {
    const { view } = this;
    const version = (this.sidebarVersion = view.state.version);
    this.sidebar.loading();
    imagesPainted(view.tiles.el, PAINT_WAIT_MS).then(() => {
      if (view.disposed || this.sidebarVersion !== version) return; // a newer ask is waiting
      if (this.sidebarOpen && view.state.version === version) this.requestSidebar();
      else this.sidebarVersion = -1; // closed meanwhile: ask when it opens again
    });
  }

  requestSidebar() {
    const { view } = this;
    this.sidebarVersion = view.state.version;
    this.sidebar.loading();
    const onReply = (/** @type {any} */ reply) => {
      if (reply.type === "sidebar") this.sidebar.show(reply, Boolean(view.state.filtered));
    };
    view.model.send(view.store.request("sidebar", {}, onReply, `sidebar:${view.id}`));
  }

  /** @param {string} action */
  headerAction(action) {
    if (action !== "sidebar") {
      this.view.send({ type: action });
      return;
    }
    this.sidebarOpen = !this.sidebarOpen;
    this.sidebar.el.hidden = !this.sidebarOpen;
    this.update();
    this.view.scheduleDraw();
  }

  /** @param {number} value */
  setSize(value) {
    const { model } = this.view;
    if (value !== model.get("tile_size")) {
      model.set("tile_size", value);
      model.save_changes();
      this.view.scheduleDraw();
    }
  }

  /** Show the state, the tile size and the status (waiting, a notice, the snapshot). */
  update() {
    const { root, store, state } = this.view;
    const waiting = store.waiting();
    root.dataset.version = String(state.version);
    root.classList.toggle("fol-waiting", waiting);
    this.header.update(state, {
      tileSize: this.view.tileSize(),
      sidebarOpen: this.sidebarOpen,
      status: this.view.static
        ? this.view.static.status()
        : waiting
          ? "waiting for the kernel\u2026"
          : store.notice || "",
    });
  }
}
