import * as fs from 'fs';
import { loadPredictor } from '../src/core/predictor/load';
import { LatencyPredictor } from '../src/core/predictor/service';
import { neutralScores } from '../src/core/devices/choose';
import { makeRng } from '../src/core/spaces/space';
import { mape, spearman } from '../src/core/eval/metrics';
async function main() {
  const j = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const r = j.results[0];
  const p = (await loadPredictor(r.space)) as LatencyPredictor;
  const refs = r.data.adapted.filter((s: any) => p.space.references.includes(s.arch));
  const C: { arch: string; measured: number }[] = r.data.eval;
  const meas = new Map(C.map((c) => [c.arch, c.measured]));
  const k = Number(process.argv[3] ?? 10);
  const quant = (order: number[]) => Array.from({ length: k }, (_, i) => order[Math.floor(((i + 0.5) / k) * order.length)]);
  const neutral = neutralScores(p, C.map((c) => c.arch));
  const byNeutral = C.map((_, i) => i).sort((a, b) => neutral[a] - neutral[b]);
  const prov = p.predict(p.open(p.adapt('prov', refs)), C.map((c) => c.arch));
  const byProv = C.map((_, i) => i).sort((a, b) => prov[a] - prov[b]);
  const strategies: Record<string, number[]> = {
    neutralQuantiles: quant(byNeutral),
    provisionalQuantiles: quant(byProv),
    neutralEvenRange: Array.from({ length: k }, (_, i) => { const t = neutral[byNeutral[0]] + ((i + 0.5) / k) * (neutral[byNeutral[byNeutral.length - 1]] - neutral[byNeutral[0]]); return byNeutral.reduce((b, x) => (Math.abs(neutral[x] - t) < Math.abs(neutral[b] - t) ? x : b), byNeutral[0]); }),
  };
  for (let s = 0; s < 10; s++) {
    const rng = makeRng(100 + s);
    const idx = C.map((_, i) => i).sort(() => rng() - 0.5).slice(0, k);
    strategies[`random${s}`] = idx;
  }
  const used = new Set(Object.values(strategies).flat());
  const E = C.filter((_, i) => !used.has(i));
  const truth = E.map((e) => e.measured);
  const evalWith = (extra: number[]) => {
    const samples = [...refs, ...extra.map((i) => ({ arch: C[i].arch, latency_ms: C[i].measured }))];
    const d = p.adapt('x', samples);
    const pred = p.predict(p.open(d), E.map((e) => e.arch));
    return { sp: spearman(pred, truth), mape: mape(pred, truth), kind: d.adaptation.combination.kind };
  };
  console.log(`eval on ${E.length} archs; refs only:`, evalWith([]));
  const rand: { sp: number; mape: number }[] = [];
  for (const [name, ex] of Object.entries(strategies)) {
    const e = evalWith(ex);
    if (name.startsWith('random')) rand.push(e);
    console.log(name.padEnd(22), e.sp.toFixed(4), e.mape.toFixed(2) + '%', e.kind);
  }
  console.log('random mean', (rand.reduce((a, b) => a + b.sp, 0) / rand.length).toFixed(4), (rand.reduce((a, b) => a + b.mape, 0) / rand.length).toFixed(2) + '%');
  // The HELP network's prediction for the adapted device only (the mapping aside)?
  void meas;
}
main();
