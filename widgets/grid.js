// @ts-check
// fo_lite dashboard grid (anywidget entry): one page store per session, one GridView per display.
//
// Python owns the truth (dataset, view, selection). initialize() makes one PageStore per model
// that takes every message Python sends (so a page pushed before the grid renders is kept);
// render() draws only the rows in view, asks for pages as it scrolls and reports gestures.
// Messages: fo_lite/session/messages.py, widgets/protocol.js, docs/protocol.md.

import { dataUrl } from "./dom.js";
import { PageStore } from "./pages.js";
import { GridView, stateOf } from "./view.js";

// after a selection change settles, the front end sets `_selection` (marimo re-runs the cells
// that read the grid only when its front end changes a trait)
const ECHO_MS = 150;

/** @typedef {import("./protocol.js").Model} Model */
/** @typedef {import("./protocol.js").Constants} Constants */
/** @typedef {import("./view.js").Shared} Shared */

/**
 * Per model (by its session key: anywidget gives initialize and render different proxies of
 * one model), the store every display draws from.
 * @type {Map<string, Shared>}
 */
const shared = new Map();

/**
 * Once per model, before its messages arrive: the store every display of it draws from.
 * @param {{ model: Model }} ctx
 */
function initialize({ model }) {
  /** @type {Constants} */
  const constants = model.get("_constants");
  const store = new PageStore({
    pageRows: constants.page_rows,
    client: Math.random().toString(36).slice(2, 10),
    makeUrl: dataUrl,
  });
  let drawn = stateOf(model);
  store.setVersion(drawn.version ?? 0);
  /** @type {Shared} */
  const self = { store, views: new Set(), ranges: new Map(), heard: false };
  let echo = 0;
  /** @param {any} msg @param {DataView[]} buffers */
  const onMessage = (msg, buffers) => {
    if (!self.heard) {
      self.heard = true; // a kernel answers: views drawing the saved snapshot go live
      for (const view of self.views) view("live");
    }
    const changed = store.receive(msg, buffers || []);
    if (changed) for (const view of self.views) view(changed);
    if (msg && msg.type === "selection") {
      clearTimeout(echo);
      echo = window.setTimeout(() => {
        const old = model.get("_selection") || {};
        if (old.count === msg.count && old.revision === msg.revision) return;
        model.set("_selection", { count: msg.count, revision: msg.revision });
        model.save_changes();
      }, ECHO_MS);
    }
  };
  const onState = () => {
    const state = stateOf(model);
    const sameRows = state.view_serial === drawn.view_serial && state.length === drawn.length;
    store.setVersion(state.version, sameRows && state.grouped === drawn.grouped);
    drawn = state;
  };
  model.on("msg:custom", onMessage);
  model.on("change:_state", onState);
  shared.set(constants.session, self);
  return () => {
    clearTimeout(echo);
    model.off("msg:custom", onMessage);
    model.off("change:_state", onState);
    store.dispose();
    shared.delete(constants.session);
  };
}

/**
 * One display of the model (a notebook may show a session more than once).
 * @param {{ model: Model, el: HTMLElement }} ctx
 */
function render({ model, el }) {
  /** @type {Constants} */
  const constants = model.get("_constants");
  if (!shared.has(constants.session)) initialize({ model });
  const view = new GridView(model, el, /** @type {Shared} */ (shared.get(constants.session)));
  return () => view.dispose();
}

export default { initialize, render };
