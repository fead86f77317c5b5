// The contract every search space implements (one module per space).
// Nothing here imports vscode: the CLI, the worker and the tests share it.

/** A malformed or out-of-space spec. `message` is one line naming the problem. */
export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

/** A graph encoding for a GCN: `nodes` x `features` one-hot rows and a `nodes` x `nodes` adjacency. */
export interface GraphEncoding {
  nodes: number;
  features: number;
  /** Row-major nodes x features. */
  x: Float32Array;
  /** Row-major nodes x nodes; adj[i*nodes+j] = 1 when information flows from node j into node i
   *  (self loops included). */
  adj: Float32Array;
}

export type Rng = () => number;

/** A small deterministic PRNG (mulberry32) so that sampling and training are reproducible by seed. */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of `xs` in place (returned for chaining). */
export function shuffleInPlace<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

export interface SearchSpace<A> {
  /** The CLI name: nasbench201, fbnet, ofa, hat. */
  readonly name: string;
  /** Parse a SPEC (the textual or JSON form a user writes); throws SpecError. */
  parse(spec: unknown): A;
  /** The canonical SPEC string of an architecture (parse(format(a)) equals a). */
  format(arch: A): string;
  /** Uniformly random architectures. */
  sample(n: number, rng: Rng): A[];
}
