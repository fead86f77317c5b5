// The single edits between two architectures of a space, in words ("edge 1→2: nor_conv_3x3 → avg_pool_3x3",
// "layer 7: k5_e6 → k3_e6", "stage 2 depth 4 → 3"), counted as src/core/nas/nearest.ts counts edits. Pure (no
// vscode import): tested directly.
import { NB201_EDGES, parseNasBench201Cell } from '../core/spaces/nasbench201';
import { parseFbnetSpec } from '../core/spaces/fbnet';
import { OFA_BLOCKS, OFA_BLOCKS_PER_STAGE, OFA_STAGES, parseOfaSpec } from '../core/spaces/ofa';

export function describeEdits(space: string, from: string, to: string): string[] {
  if (space === 'nasbench201') {
    const a = parseNasBench201Cell(from).ops;
    const b = parseNasBench201Cell(to).ops;
    return NB201_EDGES.flatMap(([i, j], e) => (a[e] === b[e] ? [] : [`edge ${i}→${j}: ${a[e]} → ${b[e]}`]));
  }
  if (space === 'fbnet') {
    const a = parseFbnetSpec(from).ops;
    const b = parseFbnetSpec(to).ops;
    return a.flatMap((op, l) => (op === b[l] ? [] : [`layer ${l + 1}: ${op} → ${b[l]}`]));
  }
  if (space === 'ofa') {
    // As ofaEdits.distance: stage depths, resolution, and kernel/expansion of the blocks `to` runs.
    const a = parseOfaSpec(from);
    const b = parseOfaSpec(to);
    const out: string[] = [];
    for (let s = 0; s < OFA_STAGES; s++) if (a.d[s] !== b.d[s]) out.push(`stage ${s + 1} depth ${a.d[s]} → ${b.d[s]}`);
    for (let i = 0; i < OFA_BLOCKS; i++) {
      const s = Math.floor(i / OFA_BLOCKS_PER_STAGE);
      const j = i % OFA_BLOCKS_PER_STAGE;
      if (j >= b.d[s]) continue;
      if (a.ks[i] !== b.ks[i]) out.push(`block ${s + 1}.${j + 1} kernel ${a.ks[i]} → ${b.ks[i]}`);
      if (a.e[i] !== b.e[i]) out.push(`block ${s + 1}.${j + 1} expansion ${a.e[i]} → ${b.e[i]}`);
    }
    if (a.r !== b.r) out.push(`resolution ${a.r} → ${b.r}`);
    return out;
  }
  return [];
}
