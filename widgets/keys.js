// @ts-check
// Keyboard: which action a key press means, and the focus/anchor state of the selection.
// Pure: no DOM.

/**
 * @typedef {"left"|"right"|"up"|"down"|"home"|"end"|"pageup"|"pagedown"|"toggle"|"open"
 *   |"close"|"prev"|"next"|"clear"|"select-all"|"leave"} Action
 * @typedef {{ action: Action, extend: boolean }} KeyCommand
 * @typedef {{ key: string, shiftKey: boolean, ctrlKey: boolean, metaKey: boolean }} KeyLike
 */

/** @type {Record<string, Action>} */
const GRID_KEYS = {
  ArrowLeft: "left",
  ArrowRight: "right",
  ArrowUp: "up",
  ArrowDown: "down",
  Home: "home",
  End: "end",
  PageUp: "pageup",
  PageDown: "pagedown",
  " ": "toggle",
  Spacebar: "toggle",
  Enter: "open",
  Escape: "clear",
};

/** @type {Record<string, Action>} */
const EXPANDED_KEYS = {
  ArrowLeft: "prev",
  ArrowRight: "next",
  Escape: "close",
  " ": "toggle",
  Spacebar: "toggle",
};

/**
 * The command a key press means, or null to let the page have it.
 * @param {KeyLike} e
 * @param {{ expanded: boolean, editing: boolean, onButton: boolean }} ctx `editing`: focus is
 *   in a text box or on a slider (they keep their keys); `onButton`: on a button (it keeps
 *   Space and Enter)
 * @returns {KeyCommand|null}
 */
export function keyCommand(e, ctx) {
  const extend = e.shiftKey;
  if (ctx.editing) return e.key === "Escape" ? { action: "leave", extend } : null;
  if (ctx.onButton && (e.key === " " || e.key === "Enter" || e.key === "Spacebar")) return null;
  if (ctx.expanded) {
    const action = EXPANDED_KEYS[e.key];
    return action ? { action, extend } : null;
  }
  if ((e.ctrlKey || e.metaKey) && (e.key === "a" || e.key === "A")) {
    return { action: "select-all", extend: false };
  }
  if (e.ctrlKey || e.metaKey) return null;
  const action = GRID_KEYS[e.key];
  return action ? { action, extend } : null;
}

/**
 * The focused tile and the anchor of shift-ranges.
 * @typedef {{ type: "toggle", index: number } | { type: "range", start: number, stop: number }} Press
 */
export class Cursor {
  constructor() {
    this.focus = -1;
    this.anchor = -1;
  }

  reset() {
    this.focus = -1;
    this.anchor = -1;
  }

  /**
   * A click or Space on tile `index` (`shift`: extend from the anchor).
   * @param {number} index
   * @param {boolean} shift
   * @returns {Press}
   */
  press(index, shift) {
    this.focus = index;
    if (shift && this.anchor >= 0 && this.anchor !== index) {
      return { type: "range", ...span(this.anchor, index) };
    }
    this.anchor = index;
    return { type: "toggle", index };
  }

  /**
   * Move the focus to `index`; with `extend`, the rows from the anchor to it are to be added.
   * @param {number} index
   * @param {boolean} extend
   * @returns {{ start: number, stop: number }|null}
   */
  moveTo(index, extend) {
    if (extend && this.anchor < 0) this.anchor = Math.max(this.focus, 0);
    this.focus = index;
    if (!extend) {
      this.anchor = index;
      return null;
    }
    return span(this.anchor, index);
  }
}

/** @param {number} a @param {number} b */
function span(a, b) {
  return { start: Math.min(a, b), stop: Math.max(a, b) + 1 };
}
