// The near-miss finder (diagnostics on text that is almost a spec, issue 17 item 1) on hostile texts: brackets
// of one kind, endless cell-like runs, tens of thousands of near-misses of each space, a YAML list of a
// million op names. Each row scans the text once with the editor's default budget (ScanBudget.forText) and
// once without a budget, and reports wall time, the near-misses found and whether the budget stopped it.
//   node --import tsx bench/hostile/nearSpecs.ts [--quick]
import { findNearSpecs } from '../../src/core/spaces/nearSpecs';
import { ScanBudget, unlimited } from '../../src/core/spaces/scanBudget';

const quick = process.argv.includes('--quick');
const MB = quick ? 1 : 8;

const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const BAD_CELL = CELL.replace('nor_conv_3x3~0|+', 'nor_conv_5x5~0|+');
const OFA_BAD = `{"ks": [${Array(20).fill(9).join(',')}], "e": [${Array(20).fill(3).join(',')}], "d": [2,2,2,2,2], "r": 224}`;
const HAT_BAD = JSON.stringify({
  'encoder-embed-dim-subtransformer': 600,
  'decoder-embed-dim-subtransformer': 512,
  'encoder-ffn-embed-dim-all-subtransformer': [3072, 3072, 3072, 3072, 3072, 3072],
  'decoder-ffn-embed-dim-all-subtransformer': [2048],
  'encoder-layer-num-subtransformer': 6,
  'decoder-layer-num-subtransformer': 1,
  'encoder-self-attention-heads-all-subtransformer': [8, 8, 8, 8, 8, 8],
  'decoder-self-attention-heads-all-subtransformer': [8],
  'decoder-ende-attention-heads-all-subtransformer': [8],
  'decoder-arbitrary-ende-attn-all-subtransformer': [-1],
});

const fill = (unit: string) => unit.repeat(Math.ceil((MB * 1e6) / unit.length));

const inputs: [string, string][] = [
  ['"[" only', fill('[')],
  ['"(" only', fill('(')],
  ['"[\\"" (unclosed strings)', fill('["')],
  ['"(#\\n" (comments)', fill('(#\n')],
  ['one cell-like run', fill('|nor_conv_3x3~0|+')],
  ['malformed cells', fill(`${BAD_CELL}\n`)],
  ['FBNet lists of 21', fill(`${JSON.stringify(Array(21).fill('skip'))}\n`)],
  ['OFA configs, ks = 9', fill(`${OFA_BAD}\n`)],
  ['HAT configs, embed 600', fill(`${HAT_BAD}\n`)],
  ['YAML list of op names', `ops:\n${fill('  - k3_e1\n')}`],
  ['prose with pipes and tildes', fill('a | b + c ~ d | none~0 | skip_connect + e\n')],
];

console.log(`| input | size | budgeted ms | near-misses | stopped by | unbudgeted ms |`);
console.log(`|---|---|---|---|---|---|`);
for (const [what, text] of inputs) {
  const budget = ScanBudget.forText(text.length);
  let t0 = performance.now();
  const found = findNearSpecs(text, [], budget);
  const ms = performance.now() - t0;
  t0 = performance.now();
  findNearSpecs(text, [], unlimited());
  const free = performance.now() - t0;
  console.log(`| ${what} | ${(text.length / 1e6).toFixed(1)} MB | ${ms.toFixed(0)} | ${found.length} | ${budget.exceeded ?? '-'} | ${free.toFixed(0)} |`);
}
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
