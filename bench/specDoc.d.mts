// Types of bench/specDoc.mjs (plain JavaScript so that test/e2e/bench.mjs can import it too).

/**
 * A document of exactly `lines` lines holding `specs` specs of all four spaces (all found by findSpecs),
 * spread evenly among ordinary Python; specLines[i] is the 0-based first line of spec i. Deterministic.
 */
export function specDocument(opts?: { lines?: number; specs?: number; seed?: number }): { text: string; specLines: number[] };
