// Source devices for spaces whose tables do not cover the space (FBNet, OFA: 5,000 sampled architectures).
// Transfer needs a source device's latency of *any* architecture a user writes, so each source device is
// summarised by a latency model fitted on its whole table: ridge regression on the space's additive
// features (per-layer op one-hots), which explains held-out architectures of most devices to Spearman
// 0.95-0.999 (FBNet). The predictor then uses these modelled latencies exactly like the measured ones of
// NAS-Bench-201's source bank (combine.ts).
import { applyLinear, fitRidge } from './linear';

export const SOURCE_MODEL_FORMAT = 'help-source-models';
/** Ridge strength relative to the table size: the tables have thousands of rows, so it only regularises
 *  op choices that are rare in a table. */
const SOURCE_MODEL_PENALTY = 1e-4;

export interface SourceModel {
  device: string;
  intercept: number;
  coef: number[];
}

export interface SourceModelsFile {
  format: typeof SOURCE_MODEL_FORMAT;
  space: string;
  models: SourceModel[];
}

export function fitSourceModel(device: string, features: number[][], latency: ArrayLike<number>): SourceModel {
  const f = fitRidge(features, Array.from(latency), features[0].map(() => SOURCE_MODEL_PENALTY), false);
  return { device, intercept: f.intercept, coef: f.coef };
}

export function sourceModelRow(models: SourceModel[], features: number[]): number[] {
  return models.map((m) => applyLinear(m, features));
}
