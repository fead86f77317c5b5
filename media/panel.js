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

  const chart = /** @type {any} */ (window).HelpChart;

  /** An SVG text node. */
  function label(text, attrs) {
    const t = svg('text', attrs);
    t.textContent = text;
    return t;
  }

  /** The unit of an axis ending at `hi` ms, with "log scale" said where it is one. */
  function unitText(axis, unit) {
    return unit.unit + (axis.log ? ', log scale' : '');
  }

  function bars() {
    const sec = el('section', { id: 'devices' }, el('h2', {}, 'Predicted latency per device'));
    if (!state.rows) return sec.append(el('p', { class: 'muted' }, 'Predicting…')), sec;
    const rows = state.rows.slice().sort((a, b) => (a.ms ?? Infinity) - (b.ms ?? Infinity));
    // Bars start at 0 on a linear axis; over more than a 20x spread (HAT: GPUs next to a Raspberry Pi) the
    // axis is logarithmic, else the fast devices would be slivers.
    const axis = chart.latencyAxis(rows.map((r) => r.ms), { zero: true, count: 5 });
    const unit = chart.unitFor(axis.hi);
    const grid = el('div', { class: 'bars' + (axis.log ? ' log' : '') });
    const kindOf = (r) => (r.origin === 'adapted' ? 'adapted' : r.primary ? 'primary' : 'table');
    for (const r of rows) {
      const bar = el('div', { class: 'bar ' + kindOf(r), title: `${r.label ?? r.name}: ${fmt(r.ms)} (${r.originText})` });
      bar.style.width = isFinite(r.ms) && r.ms > 0 ? `${Math.max(0.5, Math.min(100, 100 * axis.pos(r.ms)))}%` : '0';
      grid.append(
        el('div', { class: 'bar-name' + (r.primary ? ' primary' : ''), title: r.originText }, r.label ?? r.name),
        el('div', { class: 'bar-track' }, bar),
        el('div', { class: 'bar-value' + (r.error ? ' error' : ''), title: r.error || '' }, r.ms !== undefined ? fmt(r.ms) : '—'),
      );
    }
    // The axis under the bars: round ticks in the unit named at its end.
    const ticks = el('div', { class: 'bar-axis', 'aria-hidden': 'true' });
    for (const v of axis.ticks) {
      const t = el('span', {}, chart.tickLabel(v, unit.div));
      t.style.left = `${100 * axis.pos(v)}%`;
      ticks.append(t);
    }
    grid.append(el('div', {}), ticks, el('div', { class: 'bar-unit muted' }, unitText(axis, unit)));
    // The legend names only the kinds of bar drawn.
    const kinds = [['primary', 'primary'], ['table', 'built-in'], ['adapted', 'adapted']].filter(([k]) => rows.some((r) => kindOf(r) === k));
    const legend = el('div', { class: 'legend muted' }, ...kinds.map(([k, text]) => el('span', {}, el('span', { class: 'swatch ' + k }), text)));
    const spread = chart.positiveRange(rows.map((r) => r.ms));
    if (axis.log && spread) legend.append(el('span', { class: 'log-note' }, `log scale: the slowest is ${Math.round(spread.hi / spread.lo).toLocaleString('en-US')}× the fastest`));
    sec.append(legend, grid);
    return sec;
  }

  function histogram() {
    const sec = el('section', { id: 'histogram' }, el('h2', {}, 'Latency over the space'));
    // `name` is the device's key (sent back), `label` its name as shown (neutralised by the extension).
    const names = (state.rows || []).map((r) => ({ name: r.name, label: r.label ?? r.name }));
    const current = state.histLoading || (state.histogram && state.histogram.device);
    if (names.length) {
      const sel = el('select', { id: 'hist-device', 'aria-label': 'Device of the histogram' });
      for (const { name: n, label: shown } of names) {
        const o = el('option', { value: n }, shown);
        if (n === current) o.selected = true;
        sel.append(o);
      }
      sel.addEventListener('change', () => vscode.postMessage({ type: 'histogramDevice', device: sel.value }));
      sec.append(el('label', {}, 'Device ', sel));
    }
    if (state.histError) return sec.append(el('p', { class: 'error' }, state.histError)), sec;
    const h = state.histogram;
    if (!h || state.histLoading) return sec.append(el('p', { class: 'muted' }, 'Predicting the space…')), sec;
    // Margins: y ticks and title on the left, x ticks and title below, the marker's label above.
    const W = 560, H = 220, L = 52, R = 14, T = 20, B = 40;
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'Histogram of predicted latency' });
    const maxC = Math.max(...h.counts, 1);
    const yAxis = chart.linearAxis(0, maxC, 4, false);
    const y = (c) => H - B - yAxis.pos(c) * (H - B - T);
    const xAxis = chart.linearAxis(h.min, h.max, 6, true);
    const x = (v) => L + xAxis.pos(v) * (W - L - R);
    const unit = chart.unitFor(h.max);
    for (const c of yAxis.ticks) {
      s.append(svg('line', { class: 'grid', x1: L, y1: y(c), x2: W - R, y2: y(c) }));
      s.append(label(chart.countLabel(c), { x: L - 6, y: y(c) + 3, 'text-anchor': 'end' }));
    }
    const bw = (W - L - R) / h.counts.length;
    h.counts.forEach((c, i) => {
      const holds = h.current !== undefined && h.current >= h.edges[i] && (h.current < h.edges[i + 1] || i === h.counts.length - 1);
      const r = svg('rect', { class: 'hist-bar' + (holds ? ' current' : ''), x: L + i * bw + 0.5, y: y(c), width: Math.max(1, bw - 1), height: H - B - y(c) });
      const tip = svg('title', {});
      tip.textContent = `${fmt(h.edges[i])} – ${fmt(h.edges[i + 1])}: ${c.toLocaleString('en-US')} architecture${c === 1 ? '' : 's'}`;
      r.append(tip);
      s.append(r);
    });
    s.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
    s.append(svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    for (const v of xAxis.ticks) {
      s.append(svg('line', { class: 'axis', x1: x(v), y1: H - B, x2: x(v), y2: H - B + 4 }));
      s.append(label(chart.tickLabel(v, unit.div), { x: x(v), y: H - B + 15, 'text-anchor': 'middle' }));
    }
    s.append(label(`predicted latency (${unit.unit})`, { class: 'axis-title', x: L + (W - L - R) / 2, y: H - 6, 'text-anchor': 'middle' }));
    s.append(label('architectures', { class: 'axis-title', x: 12, y: T + (H - B - T) / 2, transform: `rotate(-90 12 ${T + (H - B - T) / 2})`, 'text-anchor': 'middle' }));
    if (h.current !== undefined) {
      const cx = x(h.current);
      s.append(svg('line', { class: 'marker', x1: cx, y1: T - 4, x2: cx, y2: H - B }));
      // The label goes on the side of the marker with room: right of it in the left half, else left of it.
      const right = cx < L + (W - L - R) / 2;
      s.append(label('this: ' + fmt(h.current), { class: 'marker-label', x: right ? cx + 4 : cx - 4, y: T - 8, 'text-anchor': right ? 'start' : 'end' }));
    }
    sec.append(s);
    const what = h.sampled ? `${h.count.toLocaleString('en-US')} architectures sampled with seed ${h.seed}` : `all ${h.count.toLocaleString('en-US')} architectures of the space`;
    const faster = h.fasterShare !== undefined ? chart.fasterPhrase(h.fasterShare, h.count) : '';
    sec.append(el('p', { class: 'muted', id: 'hist-summary' }, `${h.label ?? h.device}: ${what}; median ${fmt(h.median)}${faster ? '; ' + faster : ''}.`));
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
      const W = 300, H = 260, L = 50, R = 12, T = 10, B = 40;
      // One axis for both (the diagonal is "predicted = measured"), logarithmic over a wide spread.
      const axis = chart.latencyAxis(ser.samples.flatMap((p) => [p.measured, p.predicted]), { count: 4 });
      const unit = chart.unitFor(axis.hi);
      const sx = (v) => L + axis.pos(v) * (W - L - R);
      const sy = (v) => H - B - axis.pos(v) * (H - B - T);
      const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': `Predicted vs measured on ${ser.label ?? ser.device}` });
      for (const v of axis.ticks) {
        s.append(svg('line', { class: 'grid', x1: sx(v), y1: T, x2: sx(v), y2: H - B }));
        s.append(svg('line', { class: 'grid', x1: L, y1: sy(v), x2: W - R, y2: sy(v) }));
        s.append(label(chart.tickLabel(v, unit.div), { x: sx(v), y: H - B + 14, 'text-anchor': 'middle' }));
        s.append(label(chart.tickLabel(v, unit.div), { x: L - 5, y: sy(v) + 3, 'text-anchor': 'end' }));
      }
      s.append(svg('line', { class: 'diag', x1: sx(axis.lo), y1: sy(axis.lo), x2: sx(axis.hi), y2: sy(axis.hi) }));
      s.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
      s.append(svg('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
      for (const p of ser.samples) {
        const c = svg('circle', { class: 'dot', cx: sx(p.measured), cy: sy(p.predicted), r: 3 });
        const tip = svg('title', {});
        tip.textContent = `measured ${fmt(p.measured)}, predicted ${fmt(p.predicted)}`;
        c.append(tip);
        s.append(c);
      }
      const u = unitText(axis, unit);
      s.append(label(`measured (${u})`, { class: 'axis-title', x: L + (W - L - R) / 2, y: H - 8, 'text-anchor': 'middle' }));
      s.append(label(`predicted (${u})`, { class: 'axis-title', x: 12, y: T + (H - B - T) / 2, transform: `rotate(-90 12 ${T + (H - B - T) / 2})`, 'text-anchor': 'middle' }));
      const mape = ser.samples.reduce((a, p) => a + Math.abs(p.predicted - p.measured) / p.measured, 0) / ser.samples.length;
      sec.append(el('div', { class: 'scatter' }, el('strong', {}, ser.label ?? ser.device), el('span', { class: 'muted' }, ` · ${ser.samples.length} samples${ser.created ? ' · ' + ser.created.slice(0, 10) : ''} · mean error ${(100 * mape).toFixed(1)}% · dashed: predicted = measured`), s));
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

  // What a window reload restores the panel on (the extension's WebviewPanelSerializer gets it back).
  function saveState() {
    const t = state.target;
    vscode.setState({ target: t && { space: t.space, spec: t.spec, source: t.source }, histDevice: state.histogram ? state.histogram.device : undefined });
  }

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    switch (m && m.type) {
      case 'empty': Object.assign(state, { empty: m.message, target: undefined }); saveState(); break;
      case 'target':
        if (!state.target || state.target.spec !== m.spec || state.target.space !== m.space) Object.assign(state, { rows: undefined, histogram: undefined, samples: undefined });
        Object.assign(state, { empty: undefined, error: undefined, target: { space: m.space, spec: m.spec, source: m.source, caveats: Array.isArray(m.caveats) ? m.caveats : [], measurable: m.measurable !== false } });
        saveState();
        break;
      case 'error': state.error = m.message; break;
      case 'devices': state.rows = m.rows; break;
      case 'histogramLoading': Object.assign(state, { histLoading: m.device, histError: undefined }); break;
      case 'histogram': Object.assign(state, { histogram: m.histogram, histLoading: undefined, histError: undefined }); saveState(); break;
      case 'histogramError': Object.assign(state, { histError: m.message, histLoading: undefined }); break;
      case 'samples': state.samples = m.series; break;
      default: return;
    }
    render();
  });
  vscode.postMessage({ type: 'ready' });
})();
