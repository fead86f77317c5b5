// HELP's Table 4: latency-constrained NAS on NAS-Bench-201 with MetaD2A's candidates and HELP as the latency
// predictor, on three meta-test devices at three budgets each. For every setting: the architecture chosen
// with predicted latencies, its measured latency (from the device's table) and accuracy, and whether the
// measured latency breaks the budget. Pure: the caller supplies predictions and measurements
// (bench/nas-bench.ts does so from the bundled predictor and data/).
import { Candidate, selectWithinBudget } from './constrained';
import { searchBudget } from './margin';

export interface Table4Setting {
  device: string;
  budgets: number[];
}

/** The paper's devices and latency budgets (ms). */
export const TABLE4_SETTINGS: Table4Setting[] = [
  { device: 'titan_rtx_256', budgets: [18, 21, 25] },
  { device: 'gold_6226', budgets: [8, 11, 14] },
  { device: 'fpga', budgets: [4, 5, 6] },
];

export interface Table4Pick {
  spec: string;
  predicted_ms: number;
  measured_ms: number | null;
  accuracy: number | null;
  /** Measured latency above the budget (null when not measured). */
  violates: boolean | null;
}

export interface Table4Row {
  device: string;
  budget_ms: number;
  /** Candidates whose predicted latency fits. */
  feasible: number;
  /** The budget searched: the budget less the device's safety margin (margin.ts). */
  search_budget_ms: number;
  /** Ours: the most accurate candidate whose predicted latency fits the search budget. */
  pick: Table4Pick | null;
  /** Ours without the margin: the most accurate candidate whose predicted latency fits the budget. */
  noMargin: Table4Pick | null;
  /** HELP's rule: the most accurate of the first 3 fitting candidates in MetaD2A's order. */
  helpRule: Table4Pick | null;
  /** With measured latencies (a perfect predictor): the most accurate candidate that really fits. */
  oracle: Table4Pick | null;
}

export interface DeviceData {
  /** Predicted ms of every candidate, in candidate order. */
  predicted: number[];
  /** Measured ms of every candidate (null where unknown). */
  measured: (number | null)[];
  /** The device's estimated relative prediction error (margin.ts); 0 or absent: no margin. */
  margin?: number;
}

function toPick(c: Candidate & { predicted_ms: number; rank: number }, measured: (number | null)[], budget: number): Table4Pick {
  const m = measured[c.rank] ?? null;
  return { spec: c.spec, predicted_ms: c.predicted_ms, measured_ms: m, accuracy: c.accuracy ?? null, violates: m === null ? null : m > budget };
}

export function table4Rows(candidates: Candidate[], data: (device: string) => DeviceData, settings: Table4Setting[] = TABLE4_SETTINGS): Table4Row[] {
  const rows: Table4Row[] = [];
  for (const s of settings) {
    const d = data(s.device);
    // The oracle selects with the measured latencies (unknown ones never fit).
    const measuredOrInf = d.measured.map((m) => (m === null ? Infinity : m));
    for (const budget of s.budgets) {
      const searched = searchBudget(budget, d.margin ?? 0);
      const sel = selectWithinBudget(candidates, d.predicted, searched);
      const plain = selectWithinBudget(candidates, d.predicted, budget);
      const help = selectWithinBudget(candidates, d.predicted, budget, { firstFeasible: 3 });
      const oracle = selectWithinBudget(candidates, measuredOrInf, budget);
      rows.push({
        device: s.device,
        budget_ms: budget,
        search_budget_ms: searched,
        feasible: sel.feasible.length,
        pick: sel.best ? toPick(sel.best, d.measured, budget) : null,
        noMargin: plain.best ? toPick(plain.best, d.measured, budget) : null,
        helpRule: help.best ? toPick(help.best, d.measured, budget) : null,
        oracle: oracle.best ? { ...toPick(oracle.best, d.measured, budget), predicted_ms: d.predicted[oracle.best.rank] } : null,
      });
    }
  }
  return rows;
}

/** Share of rows whose pick's measured latency exceeds the budget (rows without a measurement excluded). */
export function violationRate(rows: Table4Row[], which: 'pick' | 'noMargin' | 'helpRule' = 'pick'): { violations: number; measured: number; rate: number } {
  const picks = rows.map((r) => r[which]).filter((p): p is Table4Pick => p !== null && p.violates !== null);
  const violations = picks.filter((p) => p.violates).length;
  return { violations, measured: picks.length, rate: picks.length ? violations / picks.length : 0 };
}

/** A spec inside a markdown table cell: cell strings contain "|", which must be escaped there. */
const code = (spec: string) => '`' + spec.replace(/\|/g, '\\|') + '`';
const f2 = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(2));

export function formatTable4Markdown(rows: Table4Row[]): string {
  const lines = [
    '| device | budget (searched) | architecture (ours) | predicted | measured | accuracy | violates | ours without margin: measured / accuracy | HELP rule (first 3 fitting): measured / accuracy | best that truly fits: accuracy |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const p = r.pick;
    const other = (h: Table4Pick | null) => (h ? `${f2(h.measured_ms)} ms${h.violates ? ' (**violates**)' : ''} / ${f2(h.accuracy)}%` : 'none fits');
    lines.push(
      `| ${r.device} | ${r.budget_ms} ms (${f2(r.search_budget_ms)}) | ${p ? code(p.spec) : 'none fits'} | ${p ? f2(p.predicted_ms) + ' ms' : ''} | ${p ? f2(p.measured_ms) + ' ms' : ''} | ` +
        `${p ? f2(p.accuracy) + '%' : ''} | ${p ? (p.violates === null ? 'n/a' : p.violates ? '**yes**' : 'no') : ''} | ` +
        `${other(r.noMargin)} | ${other(r.helpRule)} | ${r.oracle ? f2(r.oracle.accuracy) + '%' : 'none'} |`,
    );
  }
  const v = violationRate(rows);
  const vn = violationRate(rows, 'noMargin');
  const vh = violationRate(rows, 'helpRule');
  const acc = (which: 'pick' | 'noMargin' | 'helpRule' | 'oracle') => {
    const a = rows.map((r) => r[which]?.accuracy).filter((x): x is number => typeof x === 'number');
    return a.length ? (a.reduce((s, x) => s + x, 0) / a.length).toFixed(2) + '%' : 'n/a';
  };
  lines.push('');
  lines.push(
    `Budget violations (measured > budget): ours ${v.violations}/${v.measured} (${(100 * v.rate).toFixed(0)}%), without the margin ${vn.violations}/${vn.measured} (${(100 * vn.rate).toFixed(0)}%), ` +
      `HELP's rule ${vh.violations}/${vh.measured} (${(100 * vh.rate).toFixed(0)}%). Mean accuracy: ours ${acc('pick')}, without the margin ${acc('noMargin')}, HELP's rule ${acc('helpRule')}, best that truly fits ${acc('oracle')}.`,
  );
  return lines.join('\n');
}
