// @ts-check
// The grid's page cache and request state, one per model (shared by every display of a
// session). Pure: no DOM; image URLs are made and freed by functions it is given.

/** @typedef {import("./protocol.js").Incoming} Incoming */
/** @typedef {import("./protocol.js").PageReply} PageReply */
/** @typedef {import("./protocol.js").GroupHead} GroupHead */
/** @typedef {import("./protocol.js").Ack} Ack */

/**
 * @typedef {object} Row
 * @property {string} id
 * @property {string|null} label
 * @property {string|null} field
 * @property {string[]} tags
 * @property {boolean} selected
 * @property {string|null} url
 * @property {string|null} broken
 * @property {string|null} mark
 * @property {string|null} note
 */

/**
 * @typedef {{ start: number, rows: Row[] }} Page
 * @typedef {{ kind: string, slot?: string, version: number, page?: number,
 *             onReply?: (msg: any, buffers: any[]) => void }} Pending
 * @typedef {{ pages: Map<number, Page>, heads: Map<number, GroupHead>, starts?: Int32Array,
 *             failed: Set<number> }} Held
 */

export class PageStore {
  /**
   * @param {object} opts
   * @param {number} opts.pageRows rows per page request
   * @param {string} opts.client this front end's id (prefix of its request ids)
   * @param {(buffer: any, mime: string) => string} opts.makeUrl
   * @param {(url: string) => void} [opts.freeUrl] frees a URL makeUrl made (data: URLs: none)
   * @param {number} [opts.maxInflight] page requests awaiting an answer
   * @param {number} [opts.keepPages] pages kept on each side of the ranges drawn
   */
  constructor({ pageRows, client, makeUrl, freeUrl = () => {}, maxInflight = 2, keepPages = 6 }) {
    this.pageRows = pageRows;
    this.client = client;
    this.makeUrl = makeUrl;
    this.freeUrl = freeUrl;
    this.maxInflight = maxInflight;
    this.keepPages = keepPages;
    this.version = -1;
    /** @type {Map<number, Held>} what is held per version (the current one and newer) */
    this.held = new Map();
    /** @type {Held|null} the previous version's rows, shown until the current ones arrive */
    this.previous = null;
    /** @type {Map<string, Pending>} */
    this.pending = new Map();
    this.seq = 0;
    this.gestureSeq = 0;
    this.ackedSeq = 0;
    /** @type {string|null} */
    this.notice = null; // why the last gesture did nothing, or why a page failed
    // a reply came without the binary buffers it names (Colab's widget manager has dropped
    // them): ask for buffers as base64 text from now on
    this.inline = false;
  }

  /** A new request id. */
  nextId() {
    return `${this.client}:${++this.seq}`;
  }

  /** @param {number} version */
  _held(version) {
    let held = this.held.get(version);
    if (!held) {
      held = { pages: new Map(), heads: new Map(), failed: new Set() };
      this.held.set(version, held);
    }
    return held;
  }

  /**
   * Draw from `version` now and forget what older versions held. With `keepPrevious` (the
   * same rows in the same order, only their values may differ: tags, fields, decorations) the
   * rows drawn so far stay until the new version's pages replace them, so tiles do not flash
   * and a click meanwhile still names a sample.
   * @param {number} version
   * @param {boolean} [keepPrevious]
   */
  setVersion(version, keepPrevious = false) {
    if (version === this.version) return;
    const old = this.held.get(this.version);
    this._dropHeld(this.previous);
    this.previous = keepPrevious && old ? old : null;
    if (this.previous) this.held.delete(this.version);
    this.version = version;
    for (const [v, held] of this.held) {
      if (v < version) {
        this._dropHeld(held);
        this.held.delete(v);
      }
    }
  }

  /** @param {Held|null} held */
  _dropHeld(held) {
    if (held) for (const page of held.pages.values()) this._free(page);
  }

  /** @param {Page} page */
  _free(page) {
    for (const row of page.rows) if (row.url) this.freeUrl(row.url);
  }

  /** @param {number} index @returns {Row|undefined} */
  row(index) {
    const p = Math.floor(index / this.pageRows);
    const held = this.held.get(this.version);
    const page = (held && held.pages.get(p)) || (this.previous && this.previous.pages.get(p));
    return page ? page.rows[index - page.start] : undefined;
  }

  /** @param {number} start @returns {GroupHead|undefined} */
  head(start) {
    const held = this.held.get(this.version);
    return (held && held.heads.get(start)) || (this.previous && this.previous.heads.get(start)) || undefined;
  }

  /** Group starts of the current version; undefined until they arrive. */
  starts() {
    const held = this.held.get(this.version);
    return held ? held.starts : undefined;
  }

  /**
   * Page requests (messages to send) so that rows [first, last) are loaded or on their way.
   * @param {number} first
   * @param {number} last
   * @returns {import("./protocol.js").PageRequest[]}
   */
  requestPages(first, last) {
    /** @type {import("./protocol.js").PageRequest[]} */
    const out = [];
    if (last <= first) return out;
    const held = this._held(this.version);
    let inflight = 0;
    const asked = new Set();
    for (const p of this.pending.values()) {
      if (p.kind === "page" && p.version === this.version) {
        inflight++;
        asked.add(p.page);
      }
    }
    const lastPage = Math.floor((last - 1) / this.pageRows);
    for (let p = Math.floor(first / this.pageRows); p <= lastPage; p++) {
      if (inflight >= this.maxInflight) break;
      if (held.pages.has(p) || asked.has(p) || held.failed.has(p)) continue;
      const request_id = this.nextId();
      this.pending.set(request_id, { kind: "page", version: this.version, page: p });
      const start = p * this.pageRows;
      out.push({
        type: /** @type {"page"} */ ("page"),
        request_id,
        version: this.version,
        start,
        stop: start + this.pageRows,
        inline: this.inline,
      });
      inflight++;
    }
    return out;
  }

  /**
   * A request other than a page (groups, flags, detail, sidebar). `onReply` gets the answer
   * unless a newer request with the same `slot` was made since.
   * @template {object} T
   * @param {string} kind
   * @param {T} fields
   * @param {(msg: any, buffers: any[]) => void} [onReply]
   * @param {string} [slot]
   */
  request(kind, fields, onReply, slot = kind) {
    for (const [id, p] of this.pending) if (p.slot === slot) this.pending.delete(id);
    const request_id = this.nextId();
    this.pending.set(request_id, { kind, slot, version: this.version, onReply });
    return { type: kind, request_id, version: this.version, ...fields };
  }

  /** Flags request for every row held (after a selection reset), or null. */
  requestFlags() {
    const held = this.held.get(this.version);
    if (!held || !held.pages.size) return null;
    let start = Infinity;
    let stop = 0;
    for (const page of held.pages.values()) {
      start = Math.min(start, page.start);
      stop = Math.max(stop, page.start + page.rows.length);
    }
    return this.request("flags", { start, stop });
  }

  /**
   * A gesture message (numbered, so its answer can be recognised).
   * @template {object} T
   * @param {T} content
   */
  gesture(content) {
    return { ...content, client: this.client, seq: ++this.gestureSeq };
  }

  /** Whether a gesture has not been answered yet. */
  waiting() {
    return this.ackedSeq < this.gestureSeq;
  }

  /**
   * Take in a message from Python. Returns what changed for the views: "rows" (pages, flags,
   * selection), "groups", "ack", "stale", "reply" (a registered callback ran), "inline" (a
   * reply lacked its buffers and was dropped: ask again, now inline) or null.
   * @param {any} msg
   * @param {any[]} buffers
   * @returns {string|null}
   */
  receive(msg, buffers) {
    if (!msg || typeof msg !== "object") return null;
    if (Array.isArray(msg.b64)) buffers = msg.b64.map(fromBase64);
    else if (buffersWanted(msg) > buffers.length) {
      this.inline = true;
      if (msg.request_id != null) this.pending.delete(msg.request_id);
      return "inline";
    }
    let changed = null;
    if (msg.ack && msg.ack.client === this.client) {
      this.ackedSeq = Math.max(this.ackedSeq, msg.ack.seq);
      this.notice = msg.type === "done" ? msg.message || null : null; // until the next answer
      changed = "ack";
    }
    if (msg.type === "selection") return this._selection(msg) || changed;
    if (msg.type === "done") return changed;
    if (msg.request_id == null) {
      if (msg.type === "page") return this._page(msg, buffers);
      if (msg.type === "groups") return this._groups(msg, buffers);
      return null;
    }
    const want = this.pending.get(msg.request_id);
    if (!want) return null; // another front end's request, or one replaced since
    this.pending.delete(msg.request_id);
    if (msg.type === "stale") return "stale";
    if (want.onReply) {
      want.onReply(msg, buffers);
      return "reply";
    }
    if (msg.type === "error") {
      // the header shows why; the page is not asked again until the next version
      if (want.page !== undefined) this._held(want.version).failed.add(want.page);
      this.notice = String(msg.message || "error");
      return "ack";
    }
    if (msg.type === "page") return this._page(msg, buffers);
    if (msg.type === "groups") return this._groups(msg, buffers);
    if (msg.type === "flags") return this._flags(msg);
    return null;
  }

  /** @param {PageReply} msg @param {any[]} buffers */
  _page(msg, buffers) {
    if (msg.version < this.version || msg.start % this.pageRows !== 0) return null;
    const p = msg.start / this.pageRows;
    const held = this._held(msg.version);
    // a page of one version never changes (selection changes patch it): keep the one drawn
    // (pushed, or asked for twice), so its images are not decoded again
    if (held.pages.has(p)) return null;
    /** @type {Row[]} */
    const rows = msg.ids.map((id, i) => {
      const b = msg.thumbs[i];
      return {
        id,
        label: msg.labels[i],
        field: msg.fields[i],
        tags: msg.tags[i] || [],
        selected: Boolean(msg.selected[i]),
        url: b == null || !buffers[b] ? null : this.makeUrl(buffers[b], msg.mimes[i] || ""),
        broken: msg.broken[i],
        mark: msg.marks[i],
        note: msg.notes[i],
      };
    });
    const stale = msg.version === this.version && this.previous && this.previous.pages.get(p);
    if (stale) {
      this._free(stale);
      this.previous?.pages.delete(p);
    }
    held.pages.set(p, { start: msg.start, rows });
    for (const head of msg.heads) held.heads.set(head.start, head);
    return msg.version === this.version ? "rows" : null;
  }

  /** @param {import("./protocol.js").GroupsReply} msg @param {any[]} buffers */
  _groups(msg, buffers) {
    if (msg.version < this.version) return null;
    const buffer = buffers[msg.starts];
    const starts = new Int32Array(msg.count);
    if (msg.count) {
      const view =
        buffer instanceof DataView
          ? buffer
          : new DataView(buffer.buffer || buffer, buffer.byteOffset || 0);
      for (let g = 0; g < msg.count; g++) starts[g] = view.getInt32(4 * g, true);
    }
    this._held(msg.version).starts = starts;
    return msg.version === this.version ? "groups" : null;
  }

  /** @param {import("./protocol.js").FlagsReply} msg */
  _flags(msg) {
    if (msg.version !== this.version) return null;
    msg.ids.forEach((id, i) => {
      const row = this.row(msg.start + i);
      if (row && row.id === id) row.selected = Boolean(msg.selected[i]);
    });
    return "rows";
  }

  /** @param {import("./protocol.js").SelectionChanged} msg */
  _selection(msg) {
    if (msg.reset) return "reset";
    const added = new Set(msg.added);
    const removed = new Set(msg.removed);
    if (!added.size && !removed.size) return null;
    for (const held of [...this.held.values(), ...(this.previous ? [this.previous] : [])]) {
      for (const page of held.pages.values()) {
        for (const row of page.rows) {
          if (added.has(row.id)) row.selected = true;
          else if (removed.has(row.id)) row.selected = false;
        }
      }
    }
    return "rows";
  }

  /**
   * Forget pages of the current version far from every range drawn.
   * @param {Array<[number, number]>} ranges [first, last) row ranges the views draw
   */
  evict(ranges) {
    const held = this.held.get(this.version);
    if (!held || !ranges.length) return;
    const keep = this.keepPages;
    const near = (/** @type {number} */ p) =>
      ranges.some(([first, last]) => {
        const lo = Math.floor(first / this.pageRows) - keep;
        const hi = Math.floor(Math.max(first, last - 1) / this.pageRows) + keep;
        return p >= lo && p <= hi;
      });
    for (const [p, page] of held.pages) {
      if (!near(p)) {
        this._free(page);
        held.pages.delete(p);
      }
    }
  }

  /** Forget everything (the model is closing). */
  dispose() {
    for (const held of this.held.values()) this._dropHeld(held);
    this._dropHeld(this.previous);
    this.previous = null;
    this.held.clear();
    this.pending.clear();
  }
}

/**
 * How many binary buffers a message from Python names (0 for messages without any).
 * @param {any} msg
 */
export function buffersWanted(msg) {
  if (msg.type === "page") {
    return msg.thumbs.reduce((/** @type {number} */ n, /** @type {number|null} */ b) =>
      b == null ? n : Math.max(n, b + 1), 0);
  }
  if (msg.type === "groups") return msg.count ? msg.starts + 1 : 0;
  if (msg.type === "detail") return msg.image == null ? 0 : msg.image + 1;
  return 0;
}

/**
 * The bytes of a base64 text (a buffer Python sent inline).
 * @param {string} text
 */
export function fromBase64(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
