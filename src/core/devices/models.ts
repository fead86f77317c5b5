// ONNX files of architectures to measure: written on first use (the project's writer, random weights of a
// fixed seed, batch 1) into a private temporary folder that is removed when the measurement ends.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeOnnxFor } from '../onnx/writer';
import { SpecError } from '../spaces/space';
import type { MeasureItem } from './measure';

import { isMeasurableSpace, MeasurableSpace, MEASURABLE_SPACES } from './measurable';

export { MEASURABLE_SPACES };
export type { MeasurableSpace };

export function checkMeasurable(space: string): MeasurableSpace {
  if (!isMeasurableSpace(space)) {
    throw new SpecError(`${space} architectures cannot be measured: HELP writes ONNX models for ${MEASURABLE_SPACES.join(', ')} only`);
  }
  return space as MeasurableSpace;
}

export class ModelFiles {
  readonly dir: string;
  private readonly files = new Map<string, string>();

  constructor(readonly space: MeasurableSpace) {
    // Only letters, digits, '-', '_', '.' and '/' in the paths handed to a device command.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-measure-'));
  }

  /** The ONNX file of a canonical spec, written on first request. */
  path(spec: string): string {
    let f = this.files.get(spec);
    if (!f) {
      f = path.join(this.dir, `arch-${String(this.files.size).padStart(4, '0')}.onnx`);
      fs.writeFileSync(f, writeOnnxFor(this.space, spec));
      this.files.set(spec, f);
    }
    return f;
  }

  items(specs: string[]): MeasureItem[] {
    return specs.map((arch) => ({ arch, model: () => this.path(arch) }));
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
