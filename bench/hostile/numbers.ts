// Numbers that cannot be right (issue 16, items 12 and 13), at full size:
//   1. every built-in device of NAS-Bench-201 over the whole space (15,625 cells), of FBNet and OFA over
//      random architectures (10,000; --quick 1,000): predictions <= 0 or non-finite (must be 0), predictions
//      at the device's floor (combine.ts latencyFloorMs), the smallest prediction, and the time;
//   2. one absurd reading at a reference or another sample, with 10, 20 or 30 samples: the outcome of
//      adaptation (refused naming the sample, or left out as a spike) and the range of the device's
//      predictions over 2,000 cells (must stay within the measured range's order of magnitude).
// `node --import tsx bench/hostile/numbers.ts [--quick]`
import { loadTf } from '../../src/core/predictor/tf';
import { LatencyPredictor } from '../../src/core/predictor/service';
import { deviceLatencyFloorMs } from '../../src/core/predictor/combine';
import { makeRng } from '../../src/core/spaces/space';
import { formatFbnetSpec, sampleFbnet } from '../../src/core/spaces/fbnet';
import { formatOfaSpec, sampleOfa } from '../../src/core/spaces/ofa';

const quick = process.argv.includes('--quick');
const RANDOM = quick ? 1000 : 10000;

async function main() {
  const tf = await loadTf();
  console.log('| space | architectures | devices | predictions <= 0 or non-finite | at the floor | smallest (ms) | time (s) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const space of ['nasbench201', 'fbnet', 'ofa']) {
    const t0 = performance.now();
    const p = LatencyPredictor.load(tf, space);
    const devices = p.builtinDevices();
    const handles = devices.map((d) => p.resolve(d.name));
    let ms: number[][];
    let count: number;
    if (p.space.index) {
      count = p.space.index.size;
      ms = p.predictIndicesOnDevices(handles, Array.from({ length: count }, (_, i) => i));
    } else {
      const specs = (space === 'fbnet' ? sampleFbnet(RANDOM, makeRng(1)).map(formatFbnetSpec) : sampleOfa(RANDOM, makeRng(1)).map(formatOfaSpec)).map((s) => p.space.canonical(s));
      count = specs.length;
      ms = p.predictOnDevices(handles, specs);
    }
    let bad = 0;
    let floored = 0;
    let smallest = Infinity;
    handles.forEach((h, j) => {
      const floor = deviceLatencyFloorMs(h);
      for (const v of ms[j]) {
        if (!(Number.isFinite(v) && v > 0)) bad++;
        else if (v <= floor) floored++;
        smallest = Math.min(smallest, v);
      }
    });
    console.log(`| ${space} | ${count} | ${devices.length} | ${bad} | ${floored} | ${smallest.toPrecision(3)} | ${((performance.now() - t0) / 1000).toFixed(1)} |`);
  }

  console.log('\n| device | samples | sample replaced | value (ms) | outcome | predictions over 2,000 cells (ms) |');
  console.log('|---|---|---|---|---|---|');
  const p = LatencyPredictor.load(tf, 'nasbench201');
  const cells = Array.from({ length: 2000 }, (_, i) => i * 7);
  for (const name of quick ? ['gold_6226'] : ['gold_6226', 'raspi4']) {
    const base = p.builtins.find((d) => d.name === name)!.samples;
    for (const n of [10, 20, 30]) {
      for (const at of [0, 5, 15]) {
        if (at >= n) continue;
        for (const v of [1e3, 1e6, 1e9, 1e200]) {
          const s = base.slice(0, n).map((x, k) => (k === at ? { ...x, latency_ms: v } : x));
          let outcome: string;
          let range = '';
          try {
            const dev = p.adapt('x', s, 'samples');
            const spikes = dev.adaptation.spikes?.length ?? 0;
            const pr = p.predictIndices(p.open(dev), cells);
            outcome = spikes ? `left out (${spikes} spike${spikes > 1 ? 's' : ''})` : 'accepted';
            range = `${Math.min(...pr).toPrecision(3)} .. ${Math.max(...pr).toPrecision(3)}`;
          } catch (e) {
            outcome = `refused: ${(e as Error).message.replace(/ \(\|[^)]*\)/, '').slice(0, 60)}...`;
          }
          console.log(`| ${name} | ${n} | ${at + 1}${at < 10 ? ' (reference)' : ''} | ${v} | ${outcome} | ${range} |`);
        }
      }
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
