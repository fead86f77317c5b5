// The time bound every hostile-input test asserts: generous (CI machines are loaded), but far below what
// the old code took on the same input.
import assert from 'node:assert/strict';

/** Runs `fn` and asserts it took under `maxMs`; returns its result. */
export function bounded<T>(what: string, maxMs: number, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  const ms = performance.now() - t0;
  assert.ok(ms < maxMs, `${what}: ${ms.toFixed(0)} ms (bound ${maxMs} ms)`);
  return out;
}

/** `bounded` in seconds, for the ONNX tests. */
export function within<T>(seconds: number, fn: () => T): T {
  return bounded('took', seconds * 1000, fn);
}
