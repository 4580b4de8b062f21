// @ts-check
// The sidebar: value counts and bounds of the rows shown; a click on a value filters on it
// (values of one field OR-ed, fields AND-ed; Python builds the view).

import { button, fmt, h } from "./dom.js";

/** @typedef {import("./protocol.js").SidebarReply} SidebarReply */
/** @typedef {import("./protocol.js").SidebarField} SidebarField */
/** @typedef {import("./protocol.js").Scalar} Scalar */

/** @param {Scalar} value */
export function valueText(value) {
  if (value === null) return "(none)";
  if (value === true) return "True";
  if (value === false) return "False";
  return String(value);
}

/**
 * The values a field filters on after a click on `value`.
 * @param {Scalar[]} active
 * @param {Scalar} value
 */
export function toggled(active, value) {
  return active.includes(value) ? active.filter((v) => v !== value) : [...active, value];
}

export class Sidebar {
  /**
   * @param {object} on
   * @param {(path: string, values: Scalar[]) => void} on.filter
   * @param {() => void} on.clear
   */
  constructor(on) {
    this.on = on;
    this.el = h("aside", "fol-sidebar", { "aria-label": "Filters" });
    this.clearButton = button("clear-filters", "Clear filters", "Show the view without filters");
    this.clearButton.addEventListener("click", () => on.clear());
    this.body = h("div", "fol-sb-body");
    this.el.append(this.clearButton, this.body);
    /** @type {SidebarField[]} */
    this.fields = [];
    this.body.addEventListener("click", (e) => this._click(e));
  }

  /** @param {MouseEvent} e */
  _click(e) {
    const target = /** @type {HTMLElement} */ (e.target);
    const b = target.closest && /** @type {HTMLElement|null} */ (target.closest(".fol-sb-value"));
    if (!b) return;
    const field = this.fields[Number(b.dataset.field)];
    const [value] = field.values[Number(b.dataset.value)];
    this.on.filter(field.path, toggled(field.active, value));
  }

  loading() {
    this.el.setAttribute("aria-busy", "true");
  }

  /**
   * @param {SidebarReply} reply
   * @param {boolean} filtered
   */
  show(reply, filtered) {
    this.el.removeAttribute("aria-busy");
    this.el.dataset.version = String(reply.version); // the counts are of this version
    this.fields = reply.fields;
    this.clearButton.hidden = !filtered;
    this.body.replaceChildren(...reply.fields.map((f, i) => section(f, i)));
  }
}

/** @param {SidebarField} field @param {number} i */
function section(field, i) {
  const el = h("div", "fol-sb-field", { "data-path": field.path });
  const name = h("div", "fol-sb-name");
  name.textContent = field.path;
  el.append(name);
  if (field.kind === "bounds") {
    const bounds = h("div", "fol-sb-bounds");
    const [lo, hi] = field.bounds || [null, null];
    bounds.textContent = `${lo ?? "?"} \u2013 ${hi ?? "?"}`;
    el.append(bounds);
    return el;
  }
  field.values.forEach(([value, count], j) => {
    const on = field.active.includes(value);
    const b = h("button", "fol-sb-value", {
      type: "button",
      "data-field": String(i),
      "data-value": String(j),
      "aria-pressed": String(on),
    });
    const label = h("span", "fol-sb-label");
    label.textContent = valueText(value);
    const n = h("span", "fol-sb-count");
    n.textContent = fmt(count);
    b.append(label, n);
    el.append(b);
  });
  if (field.more > 0) {
    const more = h("div", "fol-sb-more");
    more.textContent = `+${fmt(field.more)} more`;
    el.append(more);
  }
  return el;
}
