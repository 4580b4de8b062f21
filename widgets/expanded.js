// @ts-check
// The expanded view: one sample large (its image fitted to the panel by Python) and every
// field as text. It covers the grid; Left/Right move through the rows, Escape closes. The
// synced `expanded` trait (a sample id or null) says what is open, from either side.

import { button, fmt, h } from "./dom.js";

/** @typedef {import("./protocol.js").Model} Model */
/** @typedef {import("./protocol.js").DetailReply} DetailReply */
/** @typedef {import("./pages.js").PageStore} PageStore */

export class Expanded {
  /**
   * @param {object} ctx
   * @param {Model} ctx.model
   * @param {PageStore} ctx.store
   * @param {string} ctx.slot this display's request slot
   * @param {() => number} ctx.length rows shown
   * @param {(content: object) => void} ctx.gesture send a gesture
   * @param {(index: number) => void} ctx.shown a sample of row `index` is shown (-1: not shown)
   * @param {() => void} ctx.closed
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.el = h("div", "fol-detail", { role: "dialog", "aria-label": "Sample", tabindex: "-1" });
    this.el.hidden = true;
    const head = h("div", "fol-detail-head");
    this.title = h("span", "fol-detail-title");
    this.where = h("span", "fol-detail-where");
    this.prev = button("expanded-prev", "\u2039", "Previous sample (Left)");
    this.next = button("expanded-next", "\u203a", "Next sample (Right)");
    this.select = button("expanded-select", "Select", "Select this sample (Space)");
    this.closeButton = button("close-detail", "Close", "Close (Escape)");
    this.prev.addEventListener("click", () => this.step(-1));
    this.next.addEventListener("click", () => this.step(1));
    this.select.addEventListener("click", () => this.toggle());
    this.closeButton.addEventListener("click", () => this.setOpen(null));
    head.append(this.title, this.where, this.prev, this.next, this.select, this.closeButton);
    const body = h("div", "fol-detail-body");
    this.media = h("div", "fol-detail-media");
    this.list = h("div", "fol-detail-list");
    body.append(this.media, this.list);
    this.el.append(head, body);
    this.url = "";
    /** @type {string|null} the sample shown */
    this.id = null;
    this.index = -1;
    /** @type {{ id: string|null, index: number|null }|null} the last sample asked for */
    this.asked = null;
  }

  get open() {
    return !this.el.hidden;
  }

  /**
   * Open sample `id` (null: close) by setting the synced trait.
   * @param {string|null} id
   */
  setOpen(id) {
    const { model } = this.ctx;
    if ((model.get("expanded") ?? null) === id) return;
    model.set("expanded", id);
    model.save_changes();
    this.follow();
  }

  /** Follow the `expanded` trait (set here or by Python). */
  follow() {
    const id = this.ctx.model.get("expanded") ?? null;
    if (id === null) {
      if (this.open) {
        this._close();
        this.ctx.closed();
      }
      return;
    }
    if (id === this.id && this.open) return;
    this._loading(id);
    this.request(id, null);
  }

  /**
   * Open the sample at row `index` (its page not here yet, so its id is not known).
   * @param {number} index
   */
  openIndex(index) {
    this._loading("");
    this.index = index;
    this.request(null, index);
  }

  /** @param {string} title */
  _loading(title) {
    this.el.hidden = false;
    this.title.textContent = title;
    this._clearMedia();
    this.media.textContent = "Loading\u2026";
    this.el.focus({ preventScroll: true });
  }

  /**
   * Ask Python for a sample, by id or by row index, fitted to the panel.
   * @param {string|null} id
   * @param {number|null} index
   */
  request(id, index) {
    const { model, store, slot } = this.ctx;
    const ratio = globalThis.devicePixelRatio || 1;
    const width = Math.round((this.media.clientWidth || 800) * ratio);
    const height = Math.round((this.media.clientHeight || 480) * ratio);
    const fields = { id, index, width, height, inline: store.inline };
    this.asked = { id, index };
    model.send(store.request("detail", fields, (reply, buffers) => this._show(reply, buffers), slot));
  }

  /** Ask again for the sample last asked for (its reply was lost). */
  retry() {
    if (this.open && this.asked) this.request(this.asked.id, this.asked.index);
  }

  /** Ask again for the sample shown (its fields may have changed). */
  refresh() {
    if (this.open && this.id) this.request(this.id, null);
  }

  /** @param {number} delta -1: previous row, +1: next */
  step(delta) {
    const index = this.index + delta;
    if (this.index < 0 || index < 0 || index >= this.ctx.length()) return;
    this.index = index;
    this.request(null, index);
  }

  /** Select or deselect the sample shown. */
  toggle() {
    if (this.id !== null && this.index >= 0) {
      const version = this.ctx.model.get("_state").version;
      this.ctx.gesture({ type: "toggle", version, index: this.index, id: this.id });
    }
  }

  /** @param {any} reply @param {any[]} buffers */
  _show(reply, buffers) {
    if (!this.open) return;
    this._clearMedia();
    if (reply.type === "error") {
      this.list.replaceChildren();
      this.media.textContent = String(reply.message || "error");
      return;
    }
    /** @type {DetailReply} */
    const detail = reply;
    const length = this.ctx.length();
    this.id = detail.id;
    this.index = detail.index;
    this.title.textContent = detail.label || detail.id;
    this.where.textContent = detail.index >= 0 ? `${fmt(detail.index + 1)} / ${fmt(length)}` : "";
    this.prev.disabled = detail.index <= 0;
    this.next.disabled = detail.index < 0 || detail.index >= length - 1;
    this.setSelected(detail.selected);
    if (detail.image != null && buffers[detail.image]) {
      const blob = new Blob([buffers[detail.image]], { type: detail.mime || "" });
      this.url = URL.createObjectURL(blob);
      const img = /** @type {HTMLImageElement} */ (h("img", "fol-detail-img", { alt: "" }));
      img.src = this.url;
      this.media.append(img);
    } else {
      const broken = h("div", "fol-broken");
      broken.textContent = detail.broken || "no image";
      this.media.append(broken);
    }
    this.list.replaceChildren(
      ...detail.fields.map(([key, value]) => {
        const row = h("div", "fol-detail-row");
        const k = h("span", "fol-detail-key");
        k.textContent = String(key);
        const v = h("span", "fol-detail-value");
        v.textContent = String(value);
        row.append(k, v);
        return row;
      }),
    );
    const { model } = this.ctx;
    if ((model.get("expanded") ?? null) !== detail.id) {
      model.set("expanded", detail.id); // moved with the arrows: Python follows
      model.save_changes();
    }
    this.ctx.shown(detail.index);
  }

  /** @param {boolean} selected */
  setSelected(selected) {
    this.select.textContent = selected ? "Deselect" : "Select";
    this.select.setAttribute("aria-pressed", String(selected));
  }

  _close() {
    this.el.hidden = true;
    this.id = null;
    this.index = -1;
    this._clearMedia();
    this.list.replaceChildren();
  }

  /** Close without telling Python (nobody answers: the grid shows its saved snapshot). */
  hide() {
    if (this.open) this._close();
  }

  dispose() {
    this._close();
  }

  _clearMedia() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = "";
    this.media.replaceChildren();
  }
}
