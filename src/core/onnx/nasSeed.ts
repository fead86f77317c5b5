// Seeding the `onnx` space's kernel costs from the bundled NAS latency tables (issue 15, item 2's lead):
// every table row is an architecture of NAS-Bench-201, FBNet or OFA measured on a real device, and the
// writer (writer.ts) builds that architecture's ONNX graph, so a device's per-class costs can be fitted on
// one space's rows and checked on another space's rows (cross-space: do the costs carry over to other
// graphs?). bench/nas-seed.ts runs the experiment; docs/research.md has the figures and the decision.
//
// The writer builds batch-1 graphs; the GPU tables are measured at batch 32/64/256. A kernel at batch B
// does B times the MACs and moves B times the activations, once: `batchedFeatures` scales each kernel that
// way (weights are read once) and recomputes its features with latency.ts's kernelFeatures, so the batch
// rule follows whatever features latency.ts defines.
import { writeOnnxFor } from './writer';
import { readOnnxBytes } from './reader';
import { Kernel } from './kernels';
import { fitCosts, modelCosts, summedFeatures } from './latency';
import { mape, spearman, withinTolerance } from '../eval/metrics';
import { describeDevice } from '../devices/describe';

export type NasSeedSpace = 'nasbench201' | 'fbnet' | 'ofa';
export const NAS_SEED_SPACES: readonly NasSeedSpace[] = ['nasbench201', 'fbnet', 'ofa'];

/** The summed cost features of a graph's kernels run at batch `batch` (the kernels are those of batch 1). */
export function batchedFeatures(kernels: readonly Kernel[], batch: number): number[] {
  if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError(`batch must be a positive integer, got ${batch}`);
  const scaled = kernels.map((k): Kernel => (batch === 1 ? k : { ...k, macs: k.macs * batch, bytesRead: k.bytesRead * batch, bytesWritten: k.bytesWritten * batch, reorderBytes: k.reorderBytes * batch, stridedReduceOutputs: k.stridedReduceOutputs * batch, im2colElements: k.im2colElements * batch }));
  return summedFeatures(scaled).features;
}

/** Cost features of a NAS-space architecture (a table row) at each of `batches`, from its ONNX export. */
export function nasArchitectureFeatures(space: NasSeedSpace, arch: unknown, batches: readonly number[]): Map<number, number[]> {
  const model = readOnnxBytes(writeOnnxFor(space, arch), `${space} architecture`);
  const { kernels } = modelCosts(model);
  return new Map(batches.map((b) => [b, batchedFeatures(kernels, b)]));
}

/** A device name as the tables of every space spell it (OFA writes `titan_xp`, the others `titanxp`). */
export function tableDeviceName(name: string): string {
  return name.replace(/^titan_xp(?=_|$)/, 'titanxp');
}

/** The batch a table was measured at: the `_N` suffix of the GPU tables, else 1. */
export function tableBatch(name: string): number {
  return describeDevice(name).batch ?? 1;
}

export interface TransferScores {
  n: number;
  /** Mean absolute percentage error, percent. */
  mape: number;
  /** Share within +-10%. */
  within10: number;
  spearman: number;
  /** RMS relative error (0.1: +-10%), the `errorBand` definition of onnx devices. */
  rmsRel: number;
  /** Geometric mean of predicted / measured: a scale the costs miss (> 1: predicted too slow). */
  ratio: number;
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, j) => s + v * b[j], 0);

export function scoreTransfer(pred: readonly number[], truth: readonly number[]): TransferScores {
  const rel = pred.map((p, i) => p / truth[i] - 1);
  const logRatio = pred.reduce((s, p, i) => s + Math.log(Math.max(p, 1e-12) / truth[i]), 0) / Math.max(1, pred.length);
  return { n: truth.length, mape: mape(pred, truth), within10: withinTolerance(pred, truth, 0.1), spearman: spearman(pred, truth), rmsRel: Math.sqrt(rel.reduce((s, r) => s + r * r, 0) / Math.max(1, rel.length)), ratio: Math.exp(logRatio) };
}

export interface FeatureRows {
  x: number[][];
  y: number[];
}

/** Fits costs on `train` (latency.ts's fitCosts) and scores them on `test`; with `scaleShots`, the
 *  predictions are first rescaled by the geometric mean measured/predicted ratio of those test rows (a
 *  per-device scale fitted on a few shots of the target) and scored on the remaining rows. */
export function fitAndScore(train: FeatureRows, test: FeatureRows, scaleShots = 0): TransferScores {
  const costs = fitCosts(train.x, train.y);
  const pred = test.x.map((r) => dot(r, costs));
  if (scaleShots <= 0) return scoreTransfer(pred, test.y);
  const k = Math.min(scaleShots, test.y.length - 1);
  const logScale = pred.slice(0, k).reduce((s, p, i) => s + Math.log(test.y[i] / Math.max(p, 1e-12)), 0) / k;
  return scoreTransfer(pred.slice(k).map((p) => p * Math.exp(logScale)), test.y.slice(k));
}

/** The pre-registered rule (fixed before the per-device figures were seen): a device may get seeded onnx
 *  predictions only when every leave-one-space-out direction (costs fitted on the device's other spaces,
 *  no measurement of the target space) has mean APE <= 15% and Spearman >= 0.9. */
export const SEED_RULE = { maxMape: 15, minSpearman: 0.9 } as const;

export function passesSeedRule(directions: readonly TransferScores[]): boolean {
  return directions.length > 0 && directions.every((d) => d.mape <= SEED_RULE.maxMape && d.spearman >= SEED_RULE.minSpearman);
}
