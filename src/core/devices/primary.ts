// Which devices a space's CodeLens, status bar and decorations show, and `scan` predicts on by default. Pure.
import { spanningDevices } from './describe';

/**
 * The help.primaryDevices names that the space has (in setting order); when it has none of them, 3 built-in
 * devices that span device kinds and hardware (not one GPU at three batch sizes). Adapted devices of the
 * space (this machine, ...) always follow.
 */
export function primaryDevicesFor(primary: readonly string[], devices: readonly { name: string; origin: string }[]): string[] {
  const names = new Set(devices.map((d) => d.name));
  let chosen = primary.filter((p, i) => names.has(p) && primary.indexOf(p) === i);
  if (chosen.length === 0) chosen = spanningDevices(devices.filter((d) => d.origin !== 'adapted').map((d) => d.name), 3);
  for (const d of devices) if (d.origin === 'adapted' && !chosen.includes(d.name)) chosen.push(d.name);
  return chosen;
}
