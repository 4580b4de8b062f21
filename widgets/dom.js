// @ts-check
// Small DOM helpers. Text from data only ever goes through textContent.

/**
 * An element with a class and attributes.
 * @param {string} tag
 * @param {string} [cls]
 * @param {Record<string, string>} [attrs]
 * @returns {HTMLElement}
 */
export function h(tag, cls, attrs) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  return el;
}

/**
 * A button with text and a data-action.
 * @param {string} action
 * @param {string} text
 * @param {string} [title]
 * @returns {HTMLButtonElement}
 */
export function button(action, text, title) {
  const b = /** @type {HTMLButtonElement} */ (
    h("button", "fol-button", { type: "button", "data-action": action })
  );
  b.textContent = text;
  if (title) b.title = title;
  return b;
}

/**
 * Set text (hidden when empty), touching the DOM only when it changes.
 * @param {HTMLElement} node
 * @param {string|null|undefined} text
 */
export function setText(node, text) {
  const value = text == null ? "" : String(text);
  if (node.textContent !== value) node.textContent = value;
  node.hidden = value === "";
}

/**
 * The focused element as seen from `el`: inside a shadow root (marimo) document.activeElement
 * is the host, so ask the root `el` lives in.
 * @param {Node} el
 * @returns {Element|null}
 */
export function activeElement(el) {
  const root = /** @type {Document|ShadowRoot} */ (el.getRootNode());
  return root.activeElement || null;
}

/**
 * Whether the focus is inside `el`.
 * @param {HTMLElement} el
 */
export function hasFocus(el) {
  const active = activeElement(el);
  return active !== null && el.contains(active);
}

const CHUNK = 0x2000; // bytes per String.fromCharCode call

/**
 * A data: URL for image bytes. Thumbnails use these rather than blob: URLs: a blob and its URL
 * each take a round trip to the browser process (~1 ms a thumbnail on a busy machine, the
 * largest cost before the first paint), a data: URL none, and there is nothing to free.
 * @param {ArrayBuffer|ArrayBufferView} buffer
 * @param {string} mime
 */
export function dataUrl(buffer, mime) {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    text += String.fromCharCode.apply(null, /** @type {any} */ (bytes.subarray(i, i + CHUNK)));
  }
  return `data:${mime};base64,${btoa(text)}`;
}

/**
 * Resolves once every image in `el` is decoded (or has failed) and a frame has been painted
 * since, or after `maxMs` whatever happens (a hidden page paints no frames).
 * @param {HTMLElement} el
 * @param {number} maxMs
 * @returns {Promise<void>}
 */
export function imagesPainted(el, maxMs) {
  const images = [...el.querySelectorAll("img")];
  const decoded = Promise.allSettled(images.map((img) => img.decode()));
  /** @type {Promise<void>} */
  const painted = decoded.then(
    () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))),
  );
  return Promise.race([painted, new Promise((resolve) => setTimeout(resolve, maxMs))]).then(() => {});
}

/** @param {number} n */
export const fmt = (n) => n.toLocaleString("en-US");

/**
 * The header's counts, e.g. "1,000 samples · 3 selected".
 * @param {number} n
 * @param {number} k
 */
export function countText(n, k) {
  return `${fmt(n)} ${n === 1 ? "sample" : "samples"} \u00b7 ${fmt(k)} selected`;
}
