// `node dist/cli.js inspect FILE.onnx [--json] [--input-shape NAME=DIMS ...]`: which architecture of a known space an ONNX model is, or,
// when it is none of them, a summary of the model. Unreadable or corrupt files throw a one-line OnnxError
// (a SpecError: the CLI exits with code 2).
import { checkInputShapesFor, InputShapes } from '../core/onnx/inputShapes';
import { readOnnxFile } from '../core/onnx/reader';
import { recogniseOnnx } from '../core/onnx/recognise';
import { formatSummary, summariseOnnx } from '../core/onnx/summary';
import { neutraliseForDisplay } from '../core/text/safeText';

const SPACE_TITLES: Record<string, string> = {
  nasbench201: 'NAS-Bench-201',
  fbnet: 'FBNet (HW-NAS-Bench)',
  ofa: 'OFA MobileNetV3',
};

/** What the CLI prints for `inspect` (without the trailing newline). `inputShapes`: shapes of inputs with
 *  symbolic or unknown dims (--input-shape), checked against the model. */
export async function inspectCommand(file: string, json: boolean, inputShapes: InputShapes = {}): Promise<string> {
  const model = readOnnxFile(file);
  checkInputShapesFor(model, inputShapes);
  const r = recogniseOnnx(model);
  const summary = summariseOnnx(model, { inputShapes });
  if (json) {
    return JSON.stringify({
      file,
      space: r.space,
      spec: r.spec,
      ...(r.space ? { notes: r.notes } : { reason: r.reason }),
      summary,
    });
  }
  if (r.space) {
    const lines = [`space: ${r.space} (${SPACE_TITLES[r.space]})`, `spec: ${r.spec}`];
    for (const n of r.notes) lines.push(`note: ${n}`);
    lines.push('', formatSummary(summary));
    return lines.join('\n');
  }
  return [`${neutraliseForDisplay(file)} lies outside the known spaces (${Object.keys(SPACE_TITLES).join(', ')}): ${r.reason}`, '', formatSummary(summary)].join('\n');
}
