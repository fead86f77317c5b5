// Which devices a space's CodeLens, status bar and decorations show. Pure.
import type { DeviceInfo } from './protocol';

/**
 * The help.primaryDevices names that the space has (in setting order); when it has none of them, its first
 * 3 built-in devices. Adapted devices of the space (this machine, ...) always follow.
 */
export function primaryDevicesFor(primary: readonly string[], devices: readonly DeviceInfo[]): string[] {
  const names = new Set(devices.map((d) => d.name));
  let chosen = primary.filter((p, i) => names.has(p) && primary.indexOf(p) === i);
  if (chosen.length === 0) chosen = devices.filter((d) => d.origin !== 'adapted').slice(0, 3).map((d) => d.name);
  for (const d of devices) if (d.origin === 'adapted' && !chosen.includes(d.name)) chosen.push(d.name);
  return chosen;
}
