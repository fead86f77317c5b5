// The background process the extension forks (child_process.fork of dist/worker.js): it owns tfjs and
// the predictors so that the extension host never loads a model. Requests and replies are IPC messages
// {id, method, params} -> {id, result} | {id, error}.
import { loadPredictor, SpacePredictor } from '../core/predictor/load';
import { getSpace } from '../core/spaces/registry';

export interface WorkerRequest {
  id: number;
  method: 'devices' | 'predict' | 'ping';
  params?: { space?: string; devices?: string[]; specs?: unknown[] };
}

const predictors = new Map<string, SpacePredictor>();

async function predictorFor(space: string): Promise<SpacePredictor> {
  const name = getSpace(space).name;
  let p = predictors.get(name);
  if (!p) {
    p = await loadPredictor(name);
    predictors.set(name, p);
  }
  return p;
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.method) {
    case 'ping':
      return 'pong';
    case 'devices': {
      const p = await predictorFor(req.params?.space ?? 'nasbench201');
      return p.builtinDevices();
    }
    case 'predict': {
      const space = req.params?.space ?? 'nasbench201';
      const p = await predictorFor(space);
      const specs = (req.params?.specs ?? []).map((s) => p.space.canonical(s));
      const devices = req.params?.devices ?? p.builtinDevices().map((d) => d.name);
      const handles = devices.map((d) => p.resolve(d));
      const ms = p.predictOnDevices(handles, specs);
      return Object.fromEntries(devices.map((d, k) => [d, ms[k]]));
    }
    default:
      throw new Error(`unknown method ${(req as WorkerRequest).method}`);
  }
}

process.on('message', (msg: WorkerRequest) => {
  handle(msg).then(
    (result) => process.send?.({ id: msg.id, result }),
    (e) => process.send?.({ id: msg.id, error: (e as Error).message.split('\n')[0] }),
  );
});
