// @ts-check
// The expanded view: one sample large (its image fitted to the panel by Python) and every
// field as text. It covers the grid; Left/Right move through the rows, Escape closes.

import { button, fmt, h } from "./dom.js";

/** @typedef {import("./protocol.js").DetailReply} DetailReply */

export class Expanded {
  /**
   * @param {object} on
   * @param {() => void} on.close
   * @param {(step: number) => void} on.step -1: previous row, +1: next
   * @param {() => void} on.toggle select or deselect the sample
   */
  constructor(on) {
    this.el = h("div", "fol-detail", { role: "dialog", "aria-label": "Sample", tabindex: "-1" });
    this.el.hidden = true;
    const head = h("div", "fol-detail-head");
    this.title = h("span", "fol-detail-title");
    this.where = h("span", "fol-detail-where");
    this.prev = button("expanded-prev", "\u2039", "Previous sample (Left)");
    this.next = button("expanded-next", "\u203a", "Next sample (Right)");
    this.select = button("expanded-select", "Select", "Select this sample (Space)");
    this.closeButton = button("close-detail", "Close", "Close (Escape)");
    this.prev.addEventListener("click", () => on.step(-1));
    this.next.addEventListener("click", () => on.step(1));
    this.select.addEventListener("click", () => on.toggle());
    this.closeButton.addEventListener("click", () => on.close());
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
  }

  /** Device pixels the image may fill (a fallback size while the panel has no layout). */
  mediaSize() {
    const ratio = globalThis.devicePixelRatio || 1;
    const w = this.media.clientWidth || 800;
    const hgt = this.media.clientHeight || 480;
    return { width: Math.round(w * ratio), height: Math.round(hgt * ratio) };
  }

  /**
   * Show the panel, waiting for a sample.
   * @param {string} title
   */
  open(title) {
    this.el.hidden = false;
    this.title.textContent = title;
    this._clearMedia();
    this.media.textContent = "Loading\u2026";
  }

  /**
   * @param {DetailReply} reply
   * @param {any[]} buffers
   * @param {number} length rows shown
   */
  show(reply, buffers, length) {
    this.id = reply.id;
    this.index = reply.index;
    this._clearMedia();
    this.title.textContent = reply.label || reply.id;
    this.where.textContent = reply.index >= 0 ? `${fmt(reply.index + 1)} / ${fmt(length)}` : "";
    this.prev.disabled = reply.index <= 0;
    this.next.disabled = reply.index < 0 || reply.index >= length - 1;
    this.setSelected(reply.selected);
    if (reply.image != null && buffers[reply.image]) {
      this.url = URL.createObjectURL(new Blob([buffers[reply.image]], { type: reply.mime || "" }));
      const img = /** @type {HTMLImageElement} */ (h("img", "fol-detail-img", { alt: "" }));
      img.src = this.url;
      this.media.append(img);
    } else {
      const broken = h("div", "fol-broken");
      broken.textContent = reply.broken || "no image";
      this.media.append(broken);
    }
    this.list.replaceChildren(
      ...reply.fields.map(([key, value]) => {
        const row = h("div", "fol-detail-row");
        const k = h("span", "fol-detail-key");
        k.textContent = String(key);
        const v = h("span", "fol-detail-value");
        v.textContent = String(value);
        row.append(k, v);
        return row;
      }),
    );
  }

  /** @param {boolean} selected */
  setSelected(selected) {
    this.select.textContent = selected ? "Deselect" : "Select";
    this.select.setAttribute("aria-pressed", String(selected));
  }

  /** @param {string} message */
  error(message) {
    this._clearMedia();
    this.list.replaceChildren();
    this.media.textContent = message;
  }

  close() {
    this.el.hidden = true;
    this.id = null;
    this.index = -1;
    this._clearMedia();
    this.list.replaceChildren();
  }

  _clearMedia() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = "";
    this.media.replaceChildren();
  }
}
