// Input shapes given by the user for models with symbolic or unknown input dims: `--input-shape
// name=1x3x224x224` (repeatable) in the CLI, or the help.inputShapes setting ({glob: {name: [dims]}}) in
// the editor. Parsed and checked against the model; a bad one is a SpecError naming it (exit 2).
import { SpecError } from '../spaces/space';
import type { OnnxModel } from './reader';
import { MAX_RANK } from './shapeInference';

export type InputShapes = Record<string, number[]>;

/** Largest dimension accepted (onnxruntime's own limit on a dim is far above what fits in memory). */
const MAX_DIM = 2 ** 31 - 1;
const MAX_ARG = 4096;

function checkDims(what: string, dims: unknown): number[] {
  if (!Array.isArray(dims)) throw new SpecError(`${what}: dims must be a list of integers`);
  if (dims.length > MAX_RANK) throw new SpecError(`${what}: ${dims.length} dims, over ${MAX_RANK}`);
  for (const d of dims) if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_DIM) throw new SpecError(`${what}: dim ${JSON.stringify(d)?.slice(0, 30)} is not a positive integer`);
  if (!Number.isSafeInteger(dims.reduce((a: number, b: number) => a * b, 1))) throw new SpecError(`${what}: too many elements`);
  return dims.slice() as number[];
}

/** `name=1x3x224x224` (or `name=1,3,224,224`) values of --input-shape; a name given twice is refused. */
export function parseInputShapeArgs(values: readonly string[]): InputShapes {
  const out: InputShapes = Object.create(null);
  for (const v of values) {
    const shown = JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v);
    if (v.length > MAX_ARG) throw new SpecError(`--input-shape ${shown}: longer than ${MAX_ARG} characters`);
    const eq = v.lastIndexOf('=');
    if (eq <= 0) throw new SpecError(`--input-shape ${shown}: expected NAME=DIMS, e.g. input=1x3x224x224`);
    const name = v.slice(0, eq);
    const text = v.slice(eq + 1);
    const parts = text.split(/[x,]/);
    if (!parts.every((p) => /^[0-9]{1,10}$/.test(p))) throw new SpecError(`--input-shape ${shown}: dims must be positive integers separated by x, e.g. 1x3x224x224`);
    if (Object.prototype.hasOwnProperty.call(out, name)) throw new SpecError(`--input-shape: input ${JSON.stringify(name)} given twice`);
    out[name] = checkDims(`--input-shape ${shown}`, parts.map(Number));
  }
  return out;
}

/** A setting's value for one model ({name: [dims]}), checked; `where` names the setting in messages. */
export function checkInputShapesValue(value: unknown, where: string): InputShapes {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SpecError(`${where}: expected {"input name": [dims]}`);
  const out: InputShapes = Object.create(null);
  for (const [k, dims] of Object.entries(value as Record<string, unknown>)) out[k] = checkDims(`${where} ${JSON.stringify(k.slice(0, 60))}`, dims);
  return out;
}

/** Checks that every given input is an input of the model with the declared rank and fixed dims. */
export function checkInputShapesFor(model: OnnxModel, shapes: InputShapes): void {
  for (const [name, dims] of Object.entries(shapes)) {
    const input = model.inputs.find((i) => i.name === name);
    const where = `${model.where}: --input-shape ${JSON.stringify(name.slice(0, 60))}`;
    if (!input) {
      const names = model.inputs.slice(0, 10).map((i) => JSON.stringify(i.name.slice(0, 60)));
      throw new SpecError(`${where}: the model has no such input (inputs: ${names.join(', ') || 'none'}${model.inputs.length > 10 ? ', ...' : ''})`);
    }
    if (!input.shape) continue;
    if (input.shape.length !== dims.length) throw new SpecError(`${where}: ${dims.length} dims, the model declares ${input.shape.length}`);
    input.shape.forEach((d, k) => {
      if (typeof d === 'number' && d >= 0 && d !== dims[k]) throw new SpecError(`${where}: dim ${k} is ${dims[k]}, the model fixes it at ${d}`);
    });
  }
}
