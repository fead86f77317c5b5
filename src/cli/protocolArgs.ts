// The measurement protocol options measure, adapt-local and their onnx-space forms share (--warmup, --runs,
// --passes MIN[-MAX]).
import { Args } from './args';
import type { ProtocolOptions } from '../core/devices/measure';
import { SpecError } from '../core/spaces/space';

export function protocolFrom(args: Args): Partial<ProtocolOptions> {
  const p: Partial<ProtocolOptions> = {};
  if (args.has('warmup')) p.warmupRuns = args.int('warmup', 0, 0);
  if (args.has('runs')) {
    p.batchRuns = args.int('runs', 1, 1);
    p.maxBatchRuns = Math.max(p.batchRuns, 1000);
  }
  const passes = args.str('passes');
  if (passes !== undefined) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(passes);
    if (!m || +m[1] < 1 || (m[2] !== undefined && +m[2] < +m[1])) throw new SpecError(`--passes must be MIN or MIN-MAX (1 <= MIN <= MAX), got "${passes.slice(0, 40)}"`);
    p.minPasses = +m[1];
    p.maxPasses = m[2] !== undefined ? +m[2] : Math.max(+m[1], 2 * +m[1]);
  }
  return p;
}
