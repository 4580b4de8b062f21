// @ts-check
// The header: dataset and view, counts, the selection buttons, the tag box and the tile size.

import { button, countText, h } from "./dom.js";

/** @typedef {import("./protocol.js").GridState} GridState */

export class Header {
  /**
   * @param {object} on
   * @param {(action: string) => void} on.action a button: select-all, clear, show-selected,
   *   sidebar, clear-filters
   * @param {(tags: string[], remove: boolean) => void} on.tag
   * @param {(size: number) => void} on.size
   * @param {{ min: number, max: number }} sizes
   */
  constructor(on, sizes) {
    this.el = h("div", "fol-header");
    this.title = h("span", "fol-title");
    this.count = h("span", "fol-count", { "aria-live": "polite" });
    this.status = h("span", "fol-status", { "aria-live": "polite" });
    this.sidebar = button("sidebar", "Filters", "Show or hide the sidebar of value counts");
    this.all = button("select-all", "Select all", "Select every sample shown (Ctrl+A)");
    this.clear = button("clear", "Clear", "Clear the selection (Escape)");
    this.show = button("show-selected", "Show selected", "Show only the selected samples");
    for (const b of [this.sidebar, this.all, this.clear, this.show]) {
      b.addEventListener("click", () => on.action(b.dataset.action || ""));
    }
    this.tagInput = /** @type {HTMLInputElement} */ (
      h("input", "fol-tag-input", {
        type: "text",
        "data-action": "tag-input",
        placeholder: "tag",
        "aria-label": "Tags for the selected samples (comma separated)",
      })
    );
    this.tagAdd = button("tag", "Tag", "Add these tags to the selected samples");
    this.tagRemove = button("untag", "Untag", "Remove these tags from the selected samples");
    const tags = () => this.tagInput.value.split(",").map((t) => t.trim()).filter(Boolean);
    this.tagAdd.addEventListener("click", () => on.tag(tags(), false));
    this.tagRemove.addEventListener("click", () => on.tag(tags(), true));
    this.tagInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        on.tag(tags(), e.shiftKey);
      }
    });
    const tagBox = h("span", "fol-tagbox");
    tagBox.append(this.tagInput, this.tagAdd, this.tagRemove);
    const sizeLabel = h("label", "fol-size");
    sizeLabel.textContent = "Size ";
    this.slider = /** @type {HTMLInputElement} */ (
      h("input", "fol-slider", {
        type: "range",
        "data-action": "tile-size",
        min: String(sizes.min),
        max: String(sizes.max),
        step: "8",
        "aria-label": "Tile size",
      })
    );
    this.slider.addEventListener("input", () => on.size(Number(this.slider.value)));
    sizeLabel.append(this.slider);
    const buttons = h("span", "fol-buttons");
    buttons.append(this.all, this.clear, this.show, tagBox, sizeLabel);
    this.el.append(this.sidebar, this.title, this.count, this.status, buttons);
  }

  /**
   * @param {GridState} state
   * @param {{ tileSize: number, sidebarOpen: boolean, status: string }} view
   */
  update(state, view) {
    this.count.textContent = countText(state.length || 0, state.selected_count || 0);
    const stages = (state.view || []).map((s) => s._stage || "?").join(" \u203a ");
    const group = state.group_by ? ` \u2014 by ${state.group_by}` : "";
    this.title.textContent =
      (state.dataset_name || "") + (stages ? ` \u2014 ${stages}` : "") + group;
    const showing = Boolean(state.showing_selected);
    this.show.textContent = showing ? "Show all" : "Show selected";
    this.show.setAttribute("aria-pressed", String(showing));
    this.sidebar.setAttribute("aria-pressed", String(view.sidebarOpen));
    const none = !state.selected_count;
    this.tagAdd.disabled = none;
    this.tagRemove.disabled = none;
    if (this.slider.value !== String(view.tileSize)) this.slider.value = String(view.tileSize);
    this.status.textContent = view.status;
  }
}
