// The ONNX handler: inspect (recognise the architecture of a known space, summarise the model).
import { readOnnxFile } from '../../core/onnx/reader';
import { recogniseOnnx } from '../../core/onnx/recognise';
import { formatSummary, summariseOnnx } from '../../core/onnx/summary';
import { checkInputShapesValue } from '../../core/onnx/inputShapes';
import type { InspectParams, InspectResult } from '../protocol';
import { Ctx, WorkerError } from '../context';

/** An .onnx file: the architecture of a known space it is, or why not, and a summary of the model. Each
 *  step (read, recognise, summarise) runs without yielding; a cancellation (the client's timeout) is seen
 *  between them. The steps themselves are bounded by the file's size (core/onnx). */
export async function inspect(params: InspectParams, ctx: Ctx): Promise<InspectResult> {
  if (typeof params.path !== 'string' || params.path === '') throw new WorkerError('bad-request', '"path" must be an .onnx file path');
  const inputShapes = params.inputShapes === undefined ? {} : checkInputShapesValue(params.inputShapes, 'help.inputShapes');
  const model = readOnnxFile(params.path);
  // A glob may match models of other inputs: names the model lacks, or of another rank, are left out, and
  // the dims the model fixes are kept (the setting fills symbolic ones).
  const known: Record<string, number[]> = {};
  for (const i of model.inputs) {
    const given = Object.prototype.hasOwnProperty.call(inputShapes, i.name) ? inputShapes[i.name] : undefined;
    if (given && (!i.shape || i.shape.length === given.length)) known[i.name] = given.map((d, k) => (typeof i.shape?.[k] === 'number' && (i.shape[k] as number) >= 0 ? (i.shape[k] as number) : d));
  }
  await ctx.checkpoint();
  const r = recogniseOnnx(model);
  await ctx.checkpoint();
  const summarised = summariseOnnx(model, { inputShapes: known });
  await ctx.checkpoint();
  const summary = formatSummary(summarised).split('\n');
  return r.space ? { space: r.space, spec: r.spec, notes: r.notes, summary } : { reason: r.reason, summary };
}
