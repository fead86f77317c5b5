// The extension's view of the worker: devices per space and predicted milliseconds, cached by content
// (space + spec + device -> ms), so that the CodeLens, hover, panel, status bar and decorations share one
// cache and ask the worker only for what it has not answered yet.
import vscode = require('vscode');
import type { DeviceInfo, PredictResult, SpaceDevices } from '../worker/protocol';
import { WorkerClient, WorkerError } from './worker-client';
import { primaryDevicesFor } from '../core/devices/primary';
import { Config } from './config';

export interface Prediction {
  ms?: number;
  /** The prediction is at the device's floor: below anything measured there (shown as "≤"). */
  atFloor?: boolean;
  error?: string;
}

const MAX_CACHE = 20_000;

export class LatencyService implements vscode.Disposable {
  private readonly cache = new Map<string, Prediction>();
  private readonly devices = new Map<string, Promise<SpaceDevices>>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Devices were added or removed (adaptation, removal): cached values may be gone. */
  readonly onDidChange = this.emitter.event;
  private generation = 0;

  constructor(
    readonly worker: WorkerClient,
    private readonly config: Config,
  ) {}

  private key(space: string, spec: string, device: string): string {
    return `${space}\u0000${device}\u0000${spec}`;
  }

  /** The devices of a space (built-in + adapted), or why there are none. Cached until invalidate(). */
  spaceDevices(space: string): Promise<SpaceDevices> {
    let p = this.devices.get(space);
    if (!p) {
      p = this.worker.request<SpaceDevices[]>('devices', { space }).then(
        (r) => r[0] ?? { space, devices: [], error: `unknown space ${space}` },
        (e: WorkerError) => {
          // Worker trouble (not an answer about the space): ask again next time.
          this.devices.delete(space);
          return { space, devices: [], error: e.message, code: e.code === 'timeout' || e.code === 'exited' ? 'failed' : (e.code as SpaceDevices['code']) };
        },
      );
      this.devices.set(space, p);
    }
    return p;
  }

  /** The devices the lens, status bar and decorations show for a space. */
  async primary(space: string): Promise<{ devices: string[]; info: DeviceInfo[]; error?: string }> {
    const sd = await this.spaceDevices(space);
    if (sd.error) return { devices: [], info: [], error: sd.error };
    const names = primaryDevicesFor(this.config.get().primaryDevices, sd.devices);
    return { devices: names, info: names.map((n) => sd.devices.find((d) => d.name === n)!).filter(Boolean) };
  }

  cached(space: string, spec: string, device: string): Prediction | undefined {
    return this.cache.get(this.key(space, spec, device));
  }

  /** Fills the cache for specs x devices, asking the worker only for the missing pairs. Worker failures
   *  (timeouts, restarts) are thrown, not cached; per-device errors are cached. */
  async ensure(space: string, specs: readonly string[], devices: readonly string[], token?: vscode.CancellationToken): Promise<void> {
    const gen = this.generation;
    const missingSpecs = [...new Set(specs)].filter((s) => devices.some((d) => !this.cache.has(this.key(space, s, d))));
    if (missingSpecs.length === 0 || devices.length === 0) return;
    const r = await this.worker.request<PredictResult>('predict', { space, specs: missingSpecs, devices: [...devices] }, { token });
    if (gen !== this.generation) return;
    missingSpecs.forEach((spec, k) => {
      for (const d of devices) {
        const ms = r.ms[d]?.[k];
        const floor = r.floors?.[d] ?? 0;
        this.put(space, spec, d, ms !== undefined ? (floor > 0 && ms <= floor ? { ms, atFloor: true } : { ms }) : { error: r.errors[d] ?? 'no prediction' });
      }
    });
  }

  private put(space: string, spec: string, device: string, p: Prediction): void {
    const k = this.key(space, spec, device);
    this.cache.delete(k);
    this.cache.set(k, p);
    if (this.cache.size > MAX_CACHE) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** Every device of the space for one spec (the hover and the panel). */
  async allDevices(space: string, spec: string, token?: vscode.CancellationToken): Promise<{ info: DeviceInfo; prediction: Prediction }[]> {
    const sd = await this.spaceDevices(space);
    if (sd.error) throw new WorkerError(sd.error, sd.code ?? 'failed');
    const names = sd.devices.map((d) => d.name);
    await this.ensure(space, [spec], names, token);
    return sd.devices.map((info) => ({ info, prediction: this.cached(space, spec, info.name) ?? { error: 'no prediction' } }));
  }

  /** Forget devices and predictions (after adapting or removing a device, or new settings). */
  invalidate(): void {
    this.generation++;
    this.cache.clear();
    this.devices.clear();
    this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
