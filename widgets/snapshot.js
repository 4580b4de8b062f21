// @ts-check
// The saved snapshot: what a grid draws when no kernel answers it, as in a notebook saved with
// its widget state and opened without Jupyter (nbconvert's HTML, nbviewer). Python put the
// state and the first rows, thumbnails inline, in the `_snapshot` trait when it displayed the
// grid (fo_lite/session/snapshot.py).

import { dataUrl, fmt } from "./dom.js";
import { PageStore } from "./pages.js";

/** @typedef {import("./protocol.js").Model} Model */
/** @typedef {import("./protocol.js").GridState} GridState */
/** @typedef {import("./protocol.js").Snapshot} Snapshot */

// how long a display waits for a first message from Python before it draws the snapshot (a
// live kernel pushes the first page at once; a late answer still replaces the snapshot)
export const STATIC_WAIT_MS = 2000;

/** The saved snapshot's rows and header state, drawn while no kernel answers. */
export class StaticRows {
  /**
   * The snapshot's rows, in a page store of their own (its thumbnails become data: URLs).
   * @param {Snapshot} snap
   */
  constructor(snap) {
    const page = /** @type {import("./protocol.js").PageReply} */ (snap.page);
    this.rows = page.ids.length;
    this.px = snap.px;
    /** @type {GridState} what the header shows: the state when the snapshot was taken */
    this.state = { ...snap.state, grouped: false }; // no group starts were saved: flat rows
    this.store = new PageStore({ pageRows: Math.max(1, this.rows), client: "static", makeUrl: dataUrl });
    this.store.setVersion(page.version);
    this.store.receive(page, []);
  }

  /**
   * The model's snapshot, or null when it has none.
   * @param {Model} model
   */
  static of(model) {
    /** @type {Snapshot|undefined} */
    const snap = model.get("_snapshot");
    return snap && snap.page && snap.state ? new StaticRows(snap) : null;
  }

  /** What the header says while the snapshot is drawn. */
  status() {
    const { rows, state } = this;
    const which = rows < (state.length || 0) ? ` (the first ${fmt(rows)})` : "";
    return `static snapshot${which}: no kernel has answered; run the notebook for the live grid`;
  }

  /** Forget the snapshot's rows. */
  dispose() {
    this.store.dispose();
  }
}
