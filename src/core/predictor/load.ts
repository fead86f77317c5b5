// One entry point for the CLI and the worker: the right predictor for a space, loading tfjs only for the
// spaces whose predictor is a HELP network.
import { getSpace } from '../spaces/registry';
import { loadTf } from './tf';
import { LatencyPredictor } from './service';
import { HatPredictor } from './transfer';

export type SpacePredictor = LatencyPredictor | HatPredictor;

export async function loadPredictor(spaceName: string, weightsFile?: string): Promise<SpacePredictor> {
  const space = getSpace(spaceName);
  if (space.predictor === 'hat-transfer') return HatPredictor.load(space, weightsFile);
  return LatencyPredictor.load(await loadTf(), space.name, weightsFile);
}
