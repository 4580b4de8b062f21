// A stand-in for the kernel, for browser tests of the grid without Jupyter: it mounts the
// bundled grid module inside a shadow root (as marimo does) with a fake anywidget model that
// answers page, groups and selection messages for `n` synthetic rows.
// Called from tests/browser/test_grid_shadow.py as: mountGrid(source, css, {n, groupSize}).
// Options for the saved-snapshot tests: `snapshot` (the first rows saved in `_snapshot`, as
// Python saves them), `silent` (every message held, as with no kernel, until __fake.wake(patch)
// answers them and sets the state), `flatFirst` (the state says "not grouped" until woken).
async ([source, css, opts]) => {
  const { n, groupSize } = opts;
  let silent = Boolean(opts.silent);
  const host = document.createElement("div");
  host.id = "host";
  host.style.width = "900px";
  document.body.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = css;
  const el = document.createElement("div");
  shadow.append(style, el);

  const listeners = new Map();
  const selected = new Set();
  const sent = [];
  const state = {
    version: 1, view_serial: 1, length: n, dataset_name: "fake", view: [], selected_count: 0,
    showing_selected: false, filtered: false, grouped: groupSize > 0, group_by: groupSize ? "g" : null,
  };
  if (opts.flatFirst) Object.assign(state, { grouped: false, group_by: null });
  const values = {
    _state: state, _constants: { session: "fake", page_rows: 60, max_page: 500, max_flags: 10000, min_tile: 48, max_tile: 512 },
    tile_size: 96, tile_field: null, expanded: null,
  };
  const emit = (event, ...args) => (listeners.get(event) || []).forEach((fn) => fn(...args));
  const held = []; // page requests answered later, while window.__fake.hold is set
  const reply = (msg, buffers = []) => setTimeout(() => emit("msg:custom", msg, buffers), 0);
  const setState = (patch) => {
    values._state = { ...values._state, ...patch };
    emit("change:_state");
  };
  const idAt = (i) => `id${String(i).padStart(7, "0")}`;
  const pageOf = (start, stop, requestId) => {
    const ids = [];
    for (let i = start; i < Math.min(stop, n); i++) ids.push(idAt(i));
    const none = ids.map(() => null);
    const heads = [];
    if (groupSize) {
      for (let s = Math.ceil(start / groupSize) * groupSize; s < start + ids.length; s += groupSize) {
        heads.push({ start: s, count: Math.min(groupSize, n - s), text: `group ${s / groupSize}`, note: null, actions: [] });
      }
    }
    return {
      type: "page", request_id: requestId, version: values._state.version, start,
      stop: start + ids.length, length: n, ids, labels: ids, fields: none, tags: ids.map(() => []),
      selected: ids.map((id) => selected.has(id)), thumbs: none, mimes: none,
      broken: ids.map(() => "no image here"), marks: none, notes: none, heads,
    };
  };
  if (opts.snapshot) values._snapshot = { state: { ...state }, page: pageOf(0, 24, 0), px: 64 };
  const answer = (msg) => {
    if (silent) {
      held.push(msg);
      return;
    }
    if (msg.type === "page" && window.__fake && window.__fake.hold) {
      held.push(msg); // as a busy kernel would: answered in order, later
      return;
    }
    sent.push(msg);
    if (msg.type === "page") {
      reply(pageOf(msg.start, msg.stop, msg.request_id));
    } else if (msg.type === "groups") {
      const count = groupSize ? Math.ceil(n / groupSize) : 0;
      const starts = new DataView(new ArrayBuffer(4 * count));
      for (let g = 0; g < count; g++) starts.setInt32(4 * g, g * groupSize, true);
      reply({ type: "groups", request_id: msg.request_id, version: values._state.version, count, starts: 0 }, [starts]);
    } else if (msg.type === "detail") {
      const index = msg.id === null ? msg.index : Number(msg.id.slice(2));
      reply({ type: "detail", request_id: msg.request_id, version: values._state.version,
              id: idAt(index), index, label: `label ${index}`, selected: selected.has(idAt(index)),
              fields: [["id", idAt(index)]], image: null, mime: null, broken: "no image here" });
    } else if (msg.type === "toggle" || msg.type === "range" || msg.type === "clear" || msg.type === "select-all") {
      const added = [];
      const removed = [];
      if (msg.type === "toggle") {
        const id = msg.id ?? idAt(msg.index);
        if (selected.delete(id)) removed.push(id);
        else { selected.add(id); added.push(id); }
      } else if (msg.type === "range") {
        for (let i = msg.start; i < msg.stop; i++) if (!selected.has(idAt(i))) { selected.add(idAt(i)); added.push(idAt(i)); }
      } else if (msg.type === "clear") {
        removed.push(...selected); selected.clear();
      }
      setState({ selected_count: selected.size });
      reply({ type: "selection", count: selected.size, added, removed, reset: false, ack: { client: msg.client, seq: msg.seq } });
    } else if (msg.client) {
      reply({ type: "done", ack: { client: msg.client, seq: msg.seq }, message: null });
    }
  };
  const model = {
    get: (name) => values[name],
    set: (name, value) => { values[name] = value; emit(`change:${name}`); },
    save_changes: () => {},
    on: (event, fn) => listeners.set(event, [...(listeners.get(event) || []), fn]),
    off: (event, fn) => listeners.set(event, (listeners.get(event) || []).filter((f) => f !== fn)),
    send: (msg) => answer(msg),
  };
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const grid = (await import(url)).default;
  grid.initialize({ model });
  grid.render({ model, el });
  window.__fake = { model, sent, selected, shadow, hold: false,
                    release: () => held.splice(0).forEach(answer),
                    wake: (patch) => { silent = false; setState(patch); held.splice(0).forEach(answer); } };
}
