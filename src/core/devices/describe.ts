// What a device name means: its kind (GPU, CPU, phone, accelerator, FPGA) and the hardware in words, from
// the names of the built-in devices (weights/*-devices.json, HAT's tables in data/hat/latency):
// `titan_rtx_32` = Titan RTX GPU at batch 32, `wmt14ende_cpu_xeon` = Xeon CPU running the WMT'14 En-De model.
// Names HELP does not know (adapted and user devices) are kind "other" with no description. Pure.

export type DeviceKind = 'GPU' | 'CPU' | 'phone' | 'accelerator' | 'FPGA' | 'other';

/** The order kinds are listed in (hover groups, the CLI). */
export const DEVICE_KINDS: readonly DeviceKind[] = ['GPU', 'CPU', 'phone', 'accelerator', 'FPGA', 'other'];

export interface DeviceDescription {
  kind: DeviceKind;
  /** The hardware in words ("Titan RTX"), or '' for a name HELP does not know. */
  hardware: string;
  /** The batch size a GPU table was measured at. */
  batch?: number;
  /** HAT: the translation task whose model was measured ("WMT'14 En-De"). */
  task?: string;
  /** One phrase: "Titan RTX GPU at batch 32", or '' for a name HELP does not know. */
  text: string;
}

const HARDWARE: ReadonlyMap<string, { kind: DeviceKind; hardware: string }> = new Map(
  (
    [
      ['1080ti', 'GPU', 'GeForce GTX 1080 Ti'],
      ['2080ti', 'GPU', 'GeForce RTX 2080 Ti'],
      ['titan_rtx', 'GPU', 'Titan RTX'],
      ['titanx', 'GPU', 'Titan X'],
      ['titanxp', 'GPU', 'Titan Xp'],
      ['titan_xp', 'GPU', 'Titan Xp'],
      ['v100', 'GPU', 'Tesla V100'],
      ['gold_6226', 'CPU', 'Xeon Gold 6226'],
      ['gold_6240', 'CPU', 'Xeon Gold 6240'],
      ['silver_4114', 'CPU', 'Xeon Silver 4114'],
      ['silver_4210r', 'CPU', 'Xeon Silver 4210R'],
      ['xeon', 'CPU', 'Xeon'],
      ['raspi4', 'CPU', 'Raspberry Pi 4 ARM'],
      ['raspberrypi', 'CPU', 'Raspberry Pi ARM'],
      ['pixel2', 'phone', 'Pixel 2'],
      ['pixel3', 'phone', 'Pixel 3'],
      ['essential_ph_1', 'phone', 'Essential PH-1'],
      ['samsung_a50', 'phone', 'Samsung Galaxy A50'],
      ['samsung_s7', 'phone', 'Samsung Galaxy S7'],
      ['eyeriss', 'accelerator', 'Eyeriss'],
      ['fpga', 'FPGA', 'FPGA'],
    ] as const
  ).map(([name, kind, hardware]) => [name, { kind, hardware }]),
);

const HAT_TASKS: ReadonlyMap<string, string> = new Map([
  ['wmt14ende', "WMT'14 En-De"],
  ['wmt14enfr', "WMT'14 En-Fr"],
  ['wmt19ende', "WMT'19 En-De"],
  ['iwslt14deen', "IWSLT'14 De-En"],
]);

/** Longer names are not built-in devices (the longest is 26 characters): not looked at. */
const MAX_NAME = 64;

const OTHER: DeviceDescription = { kind: 'other', hardware: '', text: '' };

function kindWord(kind: DeviceKind): string {
  return kind === 'GPU' || kind === 'CPU' || kind === 'FPGA' ? kind : kind === 'other' ? '' : kind;
}

function phrase(hardware: string, kind: DeviceKind): string {
  const word = kindWord(kind);
  return word && hardware !== word ? `${hardware} ${word}` : hardware;
}

export function describeDevice(name: string): DeviceDescription {
  if (name.length > MAX_NAME) return OTHER;
  const exact = HARDWARE.get(name);
  if (exact) return { ...exact, text: phrase(exact.hardware, exact.kind) };
  // `<hardware>_<batch>`: the GPU tables.
  const cut = name.lastIndexOf('_');
  const tail = name.slice(cut + 1);
  if (cut > 0 && /^[1-9][0-9]{0,4}$/.test(tail)) {
    const hw = HARDWARE.get(name.slice(0, cut));
    if (hw && hw.kind === 'GPU') {
      const batch = Number(tail);
      return { ...hw, batch, text: `${phrase(hw.hardware, hw.kind)} at batch ${batch}` };
    }
  }
  // HAT: `<task>_<gpu|cpu>_<hardware>`.
  const parts = name.split('_');
  if (parts.length === 3 && (parts[1] === 'gpu' || parts[1] === 'cpu')) {
    const task = HAT_TASKS.get(parts[0]);
    const hw = HARDWARE.get(parts[2]);
    if (task && hw) return { ...hw, task, text: `${phrase(hw.hardware, hw.kind)}, ${task} model` };
  }
  return OTHER;
}

/**
 * Up to `count` devices that span kinds and hardware (the default primary devices of a space whose devices
 * help.primaryDevices does not name): one device per kind first (in DEVICE_KINDS order), then other
 * hardware, then the rest, each time preferring batch 1 and, for HAT, the task with the most devices (so the
 * values compare). Ties keep the given order.
 */
export function spanningDevices(names: readonly string[], count = 3): string[] {
  const described = names.map((name, order) => ({ name, order, d: describeDevice(name) }));
  const taskCount = new Map<string, number>();
  for (const { d } of described) if (d.task) taskCount.set(d.task, (taskCount.get(d.task) ?? 0) + 1);
  let bestTask: string | undefined;
  for (const [task, n] of taskCount) if (bestTask === undefined || n > taskCount.get(bestTask)!) bestTask = task;
  const rank = (x: (typeof described)[number]) => (x.d.batch !== undefined && x.d.batch !== 1 ? 1 : 0) + (x.d.task !== undefined && x.d.task !== bestTask ? 2 : 0);
  const ordered = [...described].sort((a, b) => rank(a) - rank(b) || a.order - b.order);
  const chosen: typeof described = [];
  const take = (ok: (x: (typeof described)[number]) => boolean) => {
    for (const x of ordered) if (chosen.length < count && !chosen.includes(x) && ok(x)) chosen.push(x);
  };
  for (const kind of DEVICE_KINDS) take((x) => x.d.kind === kind && !chosen.some((c) => c.d.kind === kind));
  take((x) => x.d.kind === 'other' || !chosen.some((c) => c.d.hardware === x.d.hardware));
  take(() => true);
  return chosen.map((x) => x.name);
}
