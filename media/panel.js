// The latency panel's webview script: renders what the extension posts; no network, no inline handlers.
// @ts-check
(function () {
  // @ts-ignore
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');
  const SVG = 'http://www.w3.org/2000/svg';
  /** @type {any} */
  const state = { target: undefined, rows: undefined, histogram: undefined, histError: undefined, histLoading: undefined, samples: undefined, error: undefined, empty: undefined };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== undefined && c !== null) e.append(c);
    return e;
  }
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }
  function fmt(ms) {
    if (ms === undefined || ms === null || !isFinite(ms)) return '—';
    if (ms >= 1000) return (ms / 1000).toFixed(2) + ' s';
    if (ms < 1) return ms.toFixed(2) + ' ms';
    return ms.toFixed(1) + ' ms';
  }

  function header() {
    const t = state.target;
    if (!t) return el('h1', {}, 'HELP latency');
    return el('div', {},
      el('h1', {}, 'HELP latency · ', el('code', {}, t.space)),
      t.source ? el('div', { class: 'muted' }, t.source) : null,
      el('code', { class: 'spec', title: t.spec }, t.spec),
      ...(t.caveats || []).map((c) => el('p', { class: 'notice caveat' }, '⚠ ', c)));
  }

  function bars() {
    const sec = el('section', { id: 'devices' }, el('h2', {}, 'Predicted latency per device'));
    if (!state.rows) return sec.append(el('p', { class: 'muted' }, 'Predicting…')), sec;
    const rows = state.rows.slice().sort((a, b) => (a.ms ?? Infinity) - (b.ms ?? Infinity));
    const max = Math.max(...rows.map((r) => (isFinite(r.ms) ? r.ms : 0)), 1e-9);
    const grid = el('div', { class: 'bars' });
    for (const r of rows) {
      const kind = r.origin === 'adapted' ? 'adapted' : r.primary ? 'primary' : 'table';
      const bar = el('div', { class: 'bar ' + kind, title: `${r.label ?? r.name}: ${fmt(r.ms)} (${r.originText})` });
      bar.style.width = isFinite(r.ms) ? `${Math.max(0.5, (100 * r.ms) / max)}%` : '0';
      grid.append(
        el('div', { class: 'bar-name' + (r.primary ? ' primary' : ''), title: r.originText }, r.label ?? r.name),
        el('div', { class: 'bar-track' }, bar),
        el('div', { class: 'bar-value' + (r.error ? ' error' : ''), title: r.error || '' }, r.ms !== undefined ? fmt(r.ms) : '—'),
      );
    }
    sec.append(
      el('div', { class: 'legend muted' },
        el('span', {}, el('span', { class: 'swatch primary' }), 'primary'),
        el('span', {}, el('span', { class: 'swatch table' }), 'built-in'),
        el('span', {}, el('span', { class: 'swatch adapted' }), 'adapted')),
      grid);
    return sec;
  }

  function histogram() {
    const sec = el('section', { id: 'histogram' }, el('h2', {}, 'Latency over the space'));
    // `name` is the device's key (sent back), `label` its name as shown (neutralised by the extension).
    const names = (state.rows || []).map((r) => ({ name: r.name, label: r.label ?? r.name }));
    const current = state.histLoading || (state.histogram && state.histogram.device);
    if (names.length) {
      const sel = el('select', { id: 'hist-device', 'aria-label': 'Device of the histogram' });
      for (const { name: n, label } of names) {
        const o = el('option', { value: n }, label);
        if (n === current) o.selected = true;
        sel.append(o);
      }
      sel.addEventListener('change', () => vscode.postMessage({ type: 'histogramDevice', device: sel.value }));
      sec.append(el('label', {}, 'Device ', sel));
    }
    if (state.histError) return sec.append(el('p', { class: 'error' }, state.histError)), sec;
    const h = state.histogram;
    if (!h || state.histLoading) return sec.append(el('p', { class: 'muted' }, 'Predicting the space…')), sec;
    const W = 560, H = 180, L = 36, B = 22, T = 8;
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'Histogram of predicted latency' });
    const maxC = Math.max(...h.counts, 1);
    const bw = (W - L - 4) / h.counts.length;
    const x = (v) => L + ((v - h.min) / (h.max - h.min || 1)) * (W - L - 4);
    h.counts.forEach((c, i) => {
      const hh = ((H - B - T) * c) / maxC;
      const holds = h.current !== undefined && h.current >= h.edges[i] && (h.current < h.edges[i + 1] || i === h.counts.length - 1);
      const r = svg('rect', { class: 'hist-bar' + (holds ? ' current' : ''), x: L + i * bw + 0.5, y: H - B - hh, width: Math.max(1, bw - 1), height: hh });
      const tip = svg('title', {});
      tip.textContent = `${fmt(h.edges[i])} – ${fmt(h.edges[i + 1])}: ${c}`;
      r.append(tip);
      s.append(r);
    });
    s.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - 4, y2: H - B }));
    for (const v of [h.min, (h.min + h.max) / 2, h.max]) {
      const t = svg('text', { x: x(v), y: H - 6, 'text-anchor': v === h.min ? 'start' : v === h.max ? 'end' : 'middle' });
      t.textContent = fmt(v);
      s.append(t);
    }
    const yl = svg('text', { x: 2, y: T + 8 });
    yl.textContent = String(maxC);
    s.append(yl);
    if (h.current !== undefined) {
      s.append(svg('line', { class: 'marker', x1: x(h.current), y1: T, x2: x(h.current), y2: H - B }));
      const t = svg('text', { x: Math.min(W - 60, x(h.current) + 4), y: T + 10 });
      t.textContent = 'this: ' + fmt(h.current);
      s.append(t);
    }
    sec.append(s);
    const what = h.sampled ? `${h.count.toLocaleString()} architectures sampled with seed ${h.seed}` : `all ${h.count.toLocaleString()} architectures of the space`;
    const pos = h.fasterShare !== undefined ? ` · ${(100 * h.fasterShare).toFixed(1)}% of them are predicted faster than this one` : '';
    sec.append(el('p', { class: 'muted' }, `${h.label ?? h.device}: ${what}; median ${fmt(h.median)}${pos}.`));
    return sec;
  }

  function samples() {
    const sec = el('section', { id: 'samples' }, el('h2', {}, 'Adapted devices: predicted vs measured'));
    if (!state.samples) return sec.append(el('p', { class: 'muted' }, '…')), sec;
    const series = state.samples.filter((s) => s.samples.length);
    if (!series.length) {
      // Only what can work: HELP writes models (to measure) for some spaces only.
      if (state.target && !state.target.measurable) return sec.append(el('p', { class: 'muted' }, `No adapted device: ${state.target.space} architectures cannot be measured (HELP writes ONNX models for nasbench201, fbnet and ofa only).`)), sec;
      const b = el('button', {}, 'Adapt to this machine');
      b.addEventListener('click', () => vscode.postMessage({ type: 'command', command: 'help.adaptLocal' }));
      sec.append(el('p', { class: 'muted' }, 'No adapted device for this space yet. ', b));
      return sec;
    }
    for (const ser of series) {
      const W = 260, H = 220, P = 34;
      const vals = ser.samples.flatMap((p) => [p.measured, p.predicted]);
      const lo = Math.min(...vals), hi = Math.max(...vals);
      const sc = (v) => P + ((v - lo) / (hi - lo || 1)) * (W - P - 8);
      const sy = (v) => H - P - ((v - lo) / (hi - lo || 1)) * (H - P - 8);
      const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': `Predicted vs measured on ${ser.label ?? ser.device}` });
      s.append(svg('line', { class: 'diag', x1: sc(lo), y1: sy(lo), x2: sc(hi), y2: sy(hi) }));
      s.append(svg('line', { class: 'axis', x1: P, y1: H - P, x2: W - 8, y2: H - P }));
      s.append(svg('line', { class: 'axis', x1: P, y1: 8, x2: P, y2: H - P }));
      for (const p of ser.samples) {
        const c = svg('circle', { class: 'dot', cx: sc(p.measured), cy: sy(p.predicted), r: 3 });
        const tip = svg('title', {});
        tip.textContent = `measured ${fmt(p.measured)}, predicted ${fmt(p.predicted)}`;
        c.append(tip);
        s.append(c);
      }
      const xl = svg('text', { x: W / 2, y: H - 8, 'text-anchor': 'middle' });
      xl.textContent = 'measured';
      const yl = svg('text', { x: 10, y: H / 2, transform: `rotate(-90 10 ${H / 2})`, 'text-anchor': 'middle' });
      yl.textContent = 'predicted';
      s.append(xl, yl);
      const mape = ser.samples.reduce((a, p) => a + Math.abs(p.predicted - p.measured) / p.measured, 0) / ser.samples.length;
      sec.append(el('div', {}, el('strong', {}, ser.label ?? ser.device), el('span', { class: 'muted' }, ` · ${ser.samples.length} samples${ser.created ? ' · ' + ser.created.slice(0, 10) : ''} · mean error ${(100 * mape).toFixed(1)}%`), s));
    }
    return sec;
  }

  function render() {
    app.replaceChildren();
    if (state.empty) {
      app.append(el('h1', {}, 'HELP latency'), el('p', { class: 'muted' }, state.empty));
      return;
    }
    app.append(header());
    if (state.error) {
      app.append(el('p', { class: 'notice' }, state.error));
      return;
    }
    app.append(bars(), histogram(), samples());
  }

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    switch (m && m.type) {
      case 'empty': Object.assign(state, { empty: m.message, target: undefined }); break;
      case 'target':
        if (!state.target || state.target.spec !== m.spec || state.target.space !== m.space) Object.assign(state, { rows: undefined, histogram: undefined, samples: undefined });
        Object.assign(state, { empty: undefined, error: undefined, target: { space: m.space, spec: m.spec, source: m.source, caveats: Array.isArray(m.caveats) ? m.caveats : [], measurable: m.measurable !== false } });
        break;
      case 'error': state.error = m.message; break;
      case 'devices': state.rows = m.rows; break;
      case 'histogramLoading': Object.assign(state, { histLoading: m.device, histError: undefined }); break;
      case 'histogram': Object.assign(state, { histogram: m.histogram, histLoading: undefined, histError: undefined }); break;
      case 'histogramError': Object.assign(state, { histError: m.message, histLoading: undefined }); break;
      case 'samples': state.samples = m.series; break;
      default: return;
    }
    render();
  });
  vscode.postMessage({ type: 'ready' });
})();
