// The ONNX viewer's webview script: the model, its latency table, and a button to measure it.
// @ts-check
(function () {
  // @ts-ignore
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');
  const state = { name: '', model: undefined, unavailable: undefined, rows: undefined, latencyError: undefined, caveats: [], nasLabel: undefined, onnx: undefined, onnxError: undefined, measured: undefined };
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c !== undefined && c !== null) e.append(c);
    return e;
  }
  /** The onnx space's prediction on one device: latency with its error band, measured against it when
   *  measured, then where the time goes (kernel classes as bars, the 10 most expensive nodes). */
  function onnxDevice(d) {
    const box = el('div', { class: 'onnx-device' }, el('h3', {}, d.name));
    box.append(el('p', { class: 'onnx-predicted' }, 'predicted ', el('strong', { class: 'num' }, d.ms), ' ', el('span', { class: 'muted' }, d.band + ' (out-of-bag error)')));
    if (d.branches) box.append(el('p', { class: 'onnx-branches muted' }, d.branches));
    if (state.measured && d.rawMs > 0) {
      const off = Math.round((100 * (d.rawMs - state.measured.rawMs)) / state.measured.rawMs);
      box.append(el('p', { class: 'onnx-measured' }, 'measured on ' + state.measured.device + ': ', el('strong', { class: 'num' }, state.measured.ms), ' (fastest; median ' + state.measured.median + '); predicted ' + (off >= 0 ? '+' : '') + off + '%'));
    }
    if (d.classes.length) {
      const t = el('table', { class: 'onnx-classes' }, el('tr', {}, el('th', {}, 'kernel class'), el('th', {}, 'share'), el('th', {}, 'ms')));
      for (const c of d.classes) {
        const bar = el('meter', { min: '0', max: '1', value: String(Math.max(0, Math.min(1, c.share))) });
        t.append(el('tr', {}, el('td', {}, c.name), el('td', {}, bar, ' ' + Math.round(100 * c.share) + '%'), el('td', { class: 'num' }, c.ms)));
      }
      box.append(el('h4', {}, 'Where the time goes'), t);
    }
    if (d.top.length) {
      const t = el('table', { class: 'onnx-top' }, el('tr', {}, el('th', {}, 'node'), el('th', {}, 'operators'), el('th', {}, 'class'), el('th', {}, 'ms')));
      for (const k of d.top) t.append(el('tr', {}, el('td', {}, el('code', {}, k.name)), el('td', {}, k.ops), el('td', { class: 'muted' }, k.kernelClass), el('td', { class: 'num' }, k.ms)));
      box.append(el('h4', {}, 'Most expensive nodes'), t);
    }
    return box;
  }
  function onnxSection() {
    const title = 'Predicted latency' + (state.model && state.model.space ? ' (any-graph model)' : '');
    const sec = el('section', { id: 'onnx-latency' }, el('h2', {}, title));
    if (state.onnxError) sec.append(el('p', { class: 'error' }, state.onnxError));
    else if (!state.onnx) sec.append(el('p', { class: 'muted' }, 'Predicting…'));
    else {
      if (state.onnx.hint) sec.append(el('p', { class: 'notice', id: 'onnx-no-device' }, state.onnx.hint));
      for (const d of state.onnx.devices) sec.append(onnxDevice(d));
      for (const n of state.onnx.notes || []) sec.append(el('p', { class: 'muted' }, n));
      if (state.measured && !state.onnx.devices.length) sec.append(el('p', { class: 'onnx-measured' }, 'measured on ' + state.measured.device + ': ' + state.measured.ms + ' (fastest; median ' + state.measured.median + ')'));
    }
    return sec;
  }
  function render() {
    const b = el('button', { id: 'measure' }, 'Measure on this machine');
    b.addEventListener('click', () => vscode.postMessage({ type: 'measure' }));
    // A help.devices entry (a board through its command, which gets the model with its input sizes fixed).
    const onDevice = el('button', { id: 'measure-device', class: 'secondary' }, 'Measure on device…');
    onDevice.addEventListener('click', () => vscode.postMessage({ type: 'measure', pick: true }));
    app.replaceChildren(el('h1', {}, 'HELP · ', el('code', {}, state.name || 'ONNX model')), el('p', {}, b, ' ', onDevice));
    if (state.unavailable) {
      app.append(el('p', { class: 'notice', id: 'unavailable' }, state.unavailable));
    } else if (!state.model) {
      app.append(el('p', { class: 'muted' }, 'Reading the model…'));
    } else {
      const m = state.model;
      if (m.space && m.spec) app.append(el('h2', {}, 'Recognised architecture'), el('p', {}, 'Space ', el('code', {}, m.space)), el('code', { class: 'spec' }, m.spec));
      else app.append(el('h2', {}, 'Model'), el('p', { class: 'muted', id: 'not-recognised' }, 'Not an architecture of a HELP search space' + (m.reason ? ': ' + m.reason : '.')));
      // The architecture's caveats (dead code), as in the hover and the lens of the same cell in a text file.
      for (const c of state.caveats) app.append(el('p', { class: 'notice caveat onnx-caveat' }, '⚠ ' + c));
      if (m.notes && m.notes.length) for (const n of m.notes) app.append(el('p', { class: 'muted' }, n));
      if (m.summary && m.summary.length) {
        const ul = el('ul', {});
        for (const s of m.summary) ul.append(el('li', {}, s));
        app.append(el('h2', {}, 'Summary'), ul);
      }
      if (state.latencyError) app.append(el('p', { class: 'error' }, state.latencyError));
      if (state.rows) {
        const t = el('table', {}, el('tr', {}, el('th', {}, 'device'), el('th', {}, 'latency'), el('th', {}, 'origin')));
        for (const r of state.rows) t.append(el('tr', {}, el('td', {}, r.name), el('td', { class: 'num' }, r.ms), el('td', { class: 'muted' }, r.origin)));
        app.append(el('h2', {}, 'Predicted latency' + (state.nasLabel ? ' (' + state.nasLabel + ')' : '')), t);
        t.id = 'latency';
      }
      app.append(onnxSection());
    }
  }
  window.addEventListener('message', (ev) => {
    const m = ev.data || {};
    if (m.type === 'file') state.name = m.name;
    else if (m.type === 'unavailable') state.unavailable = m.message;
    else if (m.type === 'model') {
      state.model = m.model;
      state.caveats = Array.isArray(m.caveats) ? m.caveats : [];
      state.nasLabel = m.nasLabel;
    }
    else if (m.type === 'onnxLatency') {
      state.onnx = { devices: Array.isArray(m.devices) ? m.devices : [], notes: m.notes, hint: m.hint };
      state.onnxError = undefined;
    }
    else if (m.type === 'onnxLatencyError') state.onnxError = m.message;
    else if (m.type === 'measured') state.measured = m;
    else if (m.type === 'latency') state.rows = m.rows;
    else if (m.type === 'latencyError') state.latencyError = m.message;
    else return;
    render();
  });
  render();
  vscode.postMessage({ type: 'ready' });
})();
