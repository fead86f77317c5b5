// The ONNX viewer's webview script: the model, its latency table, and a button to measure it.
// @ts-check
(function () {
  // @ts-ignore
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');
  const state = { name: '', model: undefined, unavailable: undefined, rows: undefined, latencyError: undefined, caveats: [] };
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c !== undefined && c !== null) e.append(c);
    return e;
  }
  function render() {
    const b = el('button', { id: 'measure' }, 'Measure on this machine');
    b.addEventListener('click', () => vscode.postMessage({ type: 'measure' }));
    app.replaceChildren(el('h1', {}, 'HELP · ', el('code', {}, state.name || 'ONNX model')), el('p', {}, b));
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
        app.append(el('h2', {}, 'Predicted latency'), t);
        t.id = 'latency';
      }
    }
  }
  window.addEventListener('message', (ev) => {
    const m = ev.data || {};
    if (m.type === 'file') state.name = m.name;
    else if (m.type === 'unavailable') state.unavailable = m.message;
    else if (m.type === 'model') {
      state.model = m.model;
      state.caveats = Array.isArray(m.caveats) ? m.caveats : [];
    }
    else if (m.type === 'latency') state.rows = m.rows;
    else if (m.type === 'latencyError') state.latencyError = m.message;
    else return;
    render();
  });
  render();
  vscode.postMessage({ type: 'ready' });
})();
