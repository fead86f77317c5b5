// The help.inputShapes setting: {glob: {input name: [dims]}}, the shapes of model inputs with symbolic or
// unknown dims, per model file. Pure (no vscode import). Every glob matching the file contributes, later
// ones overriding earlier ones per input; entries that are not shapes are left out (the worker checks the
// dims again).
import { globMatcher } from './glob';

const MAX_GLOBS = 200;
const MAX_DIMS = 64;

export function inputShapesFor(setting: unknown, path: string): Record<string, number[]> | undefined {
  if (!setting || typeof setting !== 'object' || Array.isArray(setting)) return undefined;
  const out: Record<string, number[]> = Object.create(null);
  let found = false;
  for (const [glob, shapes] of Object.entries(setting as Record<string, unknown>).slice(0, MAX_GLOBS)) {
    if (!shapes || typeof shapes !== 'object' || Array.isArray(shapes) || !globMatcher(glob)(path)) continue;
    for (const [name, dims] of Object.entries(shapes as Record<string, unknown>)) {
      if (!Array.isArray(dims) || dims.length > MAX_DIMS || !dims.every((d) => Number.isInteger(d) && d >= 1)) continue;
      out[name] = dims as number[];
      found = true;
    }
  }
  return found ? out : undefined;
}
