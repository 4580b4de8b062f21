// @ts-check
// Where every tile and group header sits: rows of tiles in bands, one band per group (a single
// band without a header when the grid is not grouped). Pure arithmetic, O(groups) to build and
// O(log groups) per lookup, so a million rows in a hundred thousand groups lay out at once.

export const GAP = 6; // between tiles
export const PAD = 6; // around the content
export const FIELD_H = 18; // the field line under a tile
export const HEAD_H = 30; // a group header
export const MAX_SCROLL_PX = 10_000_000; // taller content is mapped onto this many pixels

/**
 * @typedef {{ kind: "head", group: number, top: number, aria: number }
 *   | { kind: "row", group: number, row: number, first: number, last: number, top: number,
 *       aria: number }} Item
 * An item is a header (of group `group`) or a row of tiles (indices [first, last)); `top` is
 * its offset in the content and `aria` its 1-based row number among all items.
 */

/**
 * Tiles per row for a scroller `width` px wide.
 * @param {number} width
 * @param {number} size tile size
 */
export function columns(width, size) {
  return Math.max(1, Math.floor((width - 2 * PAD + GAP) / (size + GAP)));
}

export class Layout {
  /**
   * @param {object} opts
   * @param {number} opts.n rows
   * @param {Int32Array|null} opts.starts first row of each group (null: not grouped)
   * @param {number} opts.cols
   * @param {number} opts.size tile size
   * @param {number} [opts.fieldH] height of the line under tiles (0: none)
   */
  constructor({ n, starts, cols, size, fieldH = 0 }) {
    this.n = n;
    this.grouped = starts !== null;
    this.starts = starts && starts.length ? starts : Int32Array.of(0);
    this.cols = cols;
    this.tileH = size + fieldH;
    this.rowH = this.tileH + GAP;
    this.headH = this.grouped ? HEAD_H : 0;
    const groups = n ? this.starts.length : 0;
    this.groups = groups;
    this.bandTop = new Float64Array(groups + 1); // content offset of each band, then the end
    this.ariaFirst = new Float64Array(groups + 1); // items before each band
    let top = PAD;
    let aria = 0;
    for (let g = 0; g < groups; g++) {
      this.bandTop[g] = top;
      this.ariaFirst[g] = aria;
      const rows = Math.ceil(this.count(g) / cols);
      top += this.headH + rows * this.rowH;
      aria += rows + (this.grouped ? 1 : 0);
    }
    this.bandTop[groups] = top;
    this.ariaFirst[groups] = aria;
    this.total = groups ? top + PAD - GAP : 0;
    this.items_count = aria;
  }

  /** Rows in group `g`. @param {number} g */
  count(g) {
    const end = g + 1 < this.starts.length ? this.starts[g + 1] : this.n;
    return end - this.starts[g];
  }

  /** The group of row `index`. @param {number} index */
  groupOf(index) {
    return lastAtMost(this.starts, this.groups, index);
  }

  /** The band at content offset `y` (clamped). @param {number} y */
  bandAt(y) {
    return lastAtMost(this.bandTop, this.groups, y);
  }

  /**
   * Items that overlap content offsets [y0, y1), in order.
   * @param {number} y0
   * @param {number} y1
   * @returns {Item[]}
   */
  items(y0, y1) {
    /** @type {Item[]} */
    const out = [];
    if (!this.groups) return out;
    for (let g = this.bandAt(y0); g < this.groups && this.bandTop[g] < y1; g++) {
      const top = this.bandTop[g];
      if (this.grouped && top + this.headH > y0) {
        out.push({ kind: "head", group: g, top, aria: this.ariaFirst[g] + 1 });
      }
      const rowsTop = top + this.headH;
      const rows = Math.ceil(this.count(g) / this.cols);
      const r0 = Math.max(0, Math.floor((y0 - rowsTop) / this.rowH));
      const r1 = Math.min(rows, Math.ceil((y1 - rowsTop) / this.rowH));
      const start = this.starts[g];
      const end = start + this.count(g);
      for (let r = r0; r < r1; r++) {
        const first = start + r * this.cols;
        out.push({
          kind: "row",
          group: g,
          row: r,
          first,
          last: Math.min(end, first + this.cols),
          top: rowsTop + r * this.rowH,
          aria: this.ariaFirst[g] + (this.grouped ? 2 : 1) + r,
        });
      }
    }
    return out;
  }

  /** Content offset of the row holding tile `index`. @param {number} index */
  tileTop(index) {
    const g = this.groupOf(index);
    const r = Math.floor((index - this.starts[g]) / this.cols);
    return this.bandTop[g] + this.headH + r * this.rowH;
  }

  /**
   * The tile at content offset `y` in column `col` (a header gives its group's first row).
   * @param {number} y
   * @param {number} col
   */
  indexAt(y, col) {
    const g = this.bandAt(y);
    const rows = Math.ceil(this.count(g) / this.cols);
    const r = Math.min(rows - 1, Math.max(0, Math.floor((y - this.bandTop[g] - this.headH) / this.rowH)));
    return this._cell(g, r, col);
  }

  /** @param {number} g @param {number} r @param {number} col */
  _cell(g, r, col) {
    const first = this.starts[g] + r * this.cols;
    const end = this.starts[g] + this.count(g);
    return Math.min(first + col, end - 1);
  }

  /** Column of tile `index`. @param {number} index */
  column(index) {
    return (index - this.starts[this.groupOf(index)]) % this.cols;
  }

  /**
   * The tile a key moves to from `index`: "up"/"down" go row by row across bands (keeping the
   * column where the row is long enough), "left"/"right" one tile.
   * @param {number} index
   * @param {"up"|"down"|"left"|"right"} dir
   */
  move(index, dir) {
    if (!this.n) return -1;
    if (dir === "left") return Math.max(0, index - 1);
    if (dir === "right") return Math.min(this.n - 1, index + 1);
    const g = this.groupOf(index);
    const local = index - this.starts[g];
    const r = Math.floor(local / this.cols);
    const col = local % this.cols;
    const lastRow = Math.ceil(this.count(g) / this.cols) - 1;
    if (dir === "down") {
      if (r < lastRow) return Math.min(index + this.cols, this.starts[g] + this.count(g) - 1);
      return g + 1 < this.groups ? this._cell(g + 1, 0, col) : index;
    }
    if (r > 0) return index - this.cols;
    if (g === 0) return index;
    return this._cell(g - 1, Math.ceil(this.count(g - 1) / this.cols) - 1, col);
  }
}

/**
 * The last position g < n with sorted[g] <= value (0 when there is none).
 * @param {ArrayLike<number>} sorted
 * @param {number} n
 * @param {number} value
 */
function lastAtMost(sorted, n, value) {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Scroll offset -> content offset, when the content is taller than the scroller can be.
 * @param {number} total content height
 * @param {number} spacer scrollable height (<= MAX_SCROLL_PX)
 * @param {number} viewH
 * @param {number} scrollTop
 */
export function contentTop(total, spacer, viewH, scrollTop) {
  if (spacer >= total || spacer <= viewH) return scrollTop;
  return (scrollTop * (total - viewH)) / (spacer - viewH);
}

/**
 * Content offset -> scroll offset (the inverse of contentTop).
 * @param {number} total
 * @param {number} spacer
 * @param {number} viewH
 * @param {number} top
 */
export function scrollTopFor(total, spacer, viewH, top) {
  if (spacer >= total || spacer <= viewH) return top;
  return (top * (spacer - viewH)) / (total - viewH);
}
