// The latency panel's chart arithmetic, kept free of the DOM so that it can be unit tested: linear and
// logarithmic axes with round ticks, the unit of a latency axis, tick labels, and the phrase saying how many
// architectures are predicted faster. The webview loads it before panel.js (as `HelpChart`); the tests
// require it (module.exports). Types: chartScale.d.ts.
// @ts-check
(function (root) {
  /** Latencies spanning more than this ratio are drawn on a log scale (a linear one leaves slivers). */
  const LOG_SPAN = 20;

  /** Smallest and largest finite positive value, or undefined when there is none. */
  function positiveRange(values) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return lo <= hi ? { lo, hi } : undefined;
  }

  /** Whether `values` (latencies) call for a log scale: they span more than LOG_SPAN times. */
  function wantsLog(values) {
    const r = positiveRange(values);
    return !!r && r.hi / r.lo > LOG_SPAN;
  }

  /** 1, 2 or 5 times a power of ten, near span / count. */
  function niceStep(span, count) {
    const raw = span / Math.max(1, count);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  }

  /** Decimals that print a multiple of `step` exactly (0.25 -> 2, 5 -> 0). */
  function decimalsOf(step) {
    return Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9)));
  }

  /**
   * A linear axis over [lo, hi]: round ticks (about `count`), the domain widened to the outer ticks unless
   * `fixed` (then only ticks inside it). pos(v) maps the domain onto [0, 1].
   */
  function linearAxis(lo, hi, count, fixed) {
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      lo = 0;
      hi = 1;
    }
    if (!(hi > lo)) {
      // One value: a range around it (not below 0 for values that are not).
      const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
      hi = lo + pad;
      lo = lo >= 0 ? Math.max(0, lo - pad) : lo - pad;
    }
    const step = niceStep(hi - lo, count || 5);
    const d = decimalsOf(step);
    const first = fixed ? Math.ceil(lo / step - 1e-9) : Math.floor(lo / step + 1e-9);
    const last = fixed ? Math.floor(hi / step + 1e-9) : Math.ceil(hi / step - 1e-9);
    const ticks = [];
    for (let k = first; k <= last && ticks.length < 50; k++) ticks.push(Number((k * step).toFixed(d)));
    const a = fixed ? { lo, hi } : { lo: Math.min(lo, ticks[0]), hi: Math.max(hi, ticks[ticks.length - 1]) };
    return { log: false, lo: a.lo, hi: a.hi, ticks, pos: (v) => (v - a.lo) / (a.hi - a.lo) };
  }

  /**
   * A log axis over [lo, hi] (both > 0), widened to whole decades: a tick per decade, and at 2 and 5 times
   * it when the range spans at most two decades.
   */
  function logAxis(lo, hi) {
    if (!(lo > 0 && Number.isFinite(lo))) lo = 1;
    if (!(hi >= lo && Number.isFinite(hi))) hi = lo;
    const d0 = Math.floor(Math.log10(lo) + 1e-9);
    // At most 12 decades (femtoseconds to hours): a bounded loop whatever the values.
    let d1 = Math.min(d0 + 12, Math.ceil(Math.log10(hi) - 1e-9));
    if (d1 <= d0) d1 = d0 + 1;
    const dense = d1 - d0 <= 2;
    const ticks = [];
    for (let d = d0; d <= d1; d++) {
      for (const m of dense ? [1, 2, 5] : [1]) {
        const v = m * Math.pow(10, d);
        if (d === d1 && m > 1) break;
        ticks.push(Number(v.toPrecision(6)));
      }
    }
    const a = Math.pow(10, d0);
    const b = Math.pow(10, d1);
    return { log: true, lo: a, hi: b, ticks, pos: (v) => (Math.log10(Math.max(v, a * 1e-3)) - d0) / (d1 - d0) };
  }

  /**
   * The axis of a set of latencies: logarithmic when they span more than LOG_SPAN times (unless `log` is
   * given), else linear from 0 (`zero`) or from round numbers around them.
   */
  function latencyAxis(values, opts) {
    const o = opts || {};
    const r = positiveRange(values);
    if (!r) return linearAxis(0, 1, o.count || 5, false);
    const log = o.log !== undefined ? !!o.log : r.hi / r.lo > LOG_SPAN;
    if (log) return logAxis(r.lo, r.hi);
    return linearAxis(o.zero ? 0 : r.lo, r.hi, o.count || 5, false);
  }

  /** The unit a latency axis reaching `hi` ms is labelled in: seconds from a second up. */
  function unitFor(hi) {
    return hi >= 1000 ? { unit: 's', div: 1000 } : { unit: 'ms', div: 1 };
  }

  /** A tick's label in the axis unit: no trailing zeros, at most 3 decimals ("0.05", "2.5", "120"). */
  function tickLabel(v, div) {
    const x = v / (div || 1);
    if (x === 0) return '0';
    const s = Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3);
    return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  }

  /** A count on an axis: 1258, 12.5k, 1.2M. */
  function countLabel(n) {
    if (n >= 1e6) return tickLabel(n, 1e6) + 'M';
    if (n >= 1e4) return tickLabel(n, 1e3) + 'k';
    return String(Math.round(n));
  }

  const plural = (n, one, many) => (n === 1 ? one : many);

  /**
   * How many of `count` architectures are predicted faster than this one (share: their fraction), reading
   * naturally at the extremes: "none", "only 3 of 15,625", "all but 2", "all", else a percentage.
   */
  function fasterPhrase(share, count) {
    if (typeof share !== 'number' || !(share >= 0) || !(share <= 1) || !(count > 0)) return '';
    const faster = Math.round(share * count);
    const fmt = (n) => n.toLocaleString('en-US');
    if (faster <= 0) return count === 1 ? 'it is not predicted faster than this one' : 'none of them is predicted faster than this one: it is the fastest';
    if (faster >= count) return count === 1 ? 'it is predicted faster than this one' : `all ${fmt(count)} are predicted faster than this one: it is the slowest`;
    const pct = 100 * (faster / count);
    if (pct < 0.05) return `only ${fmt(faster)} of them ${plural(faster, 'is', 'are')} predicted faster than this one`;
    if (pct >= 99.95) return `all but ${fmt(count - faster)} of them are predicted faster than this one`;
    return `${pct.toFixed(1)}% of them are predicted faster than this one`;
  }

  const api = { LOG_SPAN, positiveRange, wantsLog, niceStep, linearAxis, logAxis, latencyAxis, unitFor, tickLabel, countLabel, fasterPhrase };
  // @ts-ignore: CommonJS in the tests, a global in the webview
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.HelpChart = api;
})(typeof self !== 'undefined' ? self : this);
