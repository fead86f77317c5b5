// What a user should know about a spec besides its predicted latency: properties of the architecture the
// latency tables show some runtimes exploit and the predictor does not model. Light (no predictor, no
// tables), so the editor's hover can ask.
import { NB201_EDGES, nasBench201LiveOps, parseNasBench201Cell } from './nasbench201';
import type { NasBench201Cell } from './nasbench201';

export interface SpecCaveat {
  /** A few words for the CodeLens ("no input→output path"). */
  short: string;
  text: string;
}

export function specCaveats(space: string, canonical: string): string[] {
  return specCaveatsWithShort(space, canonical).map((c) => c.text);
}

export function specCaveatsWithShort(space: string, canonical: string): SpecCaveat[] {
  if (space !== 'nasbench201') return [];
  let cell: NasBench201Cell;
  try {
    cell = parseNasBench201Cell(canonical);
  } catch {
    return [];
  }
  const live = nasBench201LiveOps(cell);
  const edge = (e: number) => `${cell.ops[e]} on edge ${NB201_EDGES[e][0]}→${NB201_EDGES[e][1]}`;
  if (!live.connected) {
    return [
      {
        short: 'no input→output path',
        text: 'no path from the cell input to its output: the cell outputs zeros whatever the input. Runtimes that remove dead code skip such networks almost entirely (0.01–0.2 ms on pixel3 and raspi4 in the NAS-Bench-201 tables); the predicted latencies assume the operations run.',
      },
    ];
  }
  // A dead skip costs nothing anywhere; only computing operations are worth a note.
  const dead = live.dead.filter((e) => cell.ops[e] !== 'skip_connect');
  if (dead.length === 0) return [];
  return [
    {
      short: `dead code (${dead.length} op${dead.length === 1 ? '' : 's'})`,
      text: `${dead.length === 1 ? 'an operation feeds' : `${dead.length} operations feed`} nothing that reaches the cell output (${dead.map(edge).join(', ')}): runtimes that remove dead code skip ${dead.length === 1 ? 'it' : 'them'}; the predicted latencies assume ${dead.length === 1 ? 'it runs' : 'they run'}.`,
    },
  ];
}
