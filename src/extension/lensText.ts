// Text of the CodeLens, the hover's origin column, the status bar and the file decoration badge. Pure (no
// vscode import): tested directly.
import type { DeviceInfo } from '../worker/protocol';
import { neutraliseForDisplay } from '../core/text/safeText';

export interface LensEntry {
  device: string;
  ms?: number;
  /** At the device's floor: below anything measured there. */
  atFloor?: boolean;
  error?: string;
  info?: DeviceInfo;
}

/** A prediction at a device's floor is no latency but a bound: "≤0.03 ms" (below anything measured there). */
export function formatPrediction(ms: number, atFloor?: boolean): string {
  return atFloor ? `≤${formatMs(ms)}` : formatMs(ms);
}

/** Milliseconds as people read them: 0.42 ms, 10.7 ms, 1.25 s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** "built-in table", "built-in profile", "adapted, 20 samples, 2025-11-23". */
export function originText(info: DeviceInfo | undefined): string {
  if (!info) return '';
  if (info.origin === 'adapted') {
    const date = info.created ? `, ${info.created.slice(0, 10)}` : '';
    const band = typeof info.errorBand === 'number' && Number.isFinite(info.errorBand) ? `, ±${Math.round(info.errorBand * 100)}%` : '';
    return `adapted, ${info.samples} samples${date}${band}`;
  }
  return info.origin === 'profile' ? 'built-in profile' : 'built-in table';
}

export const STALE_MARK = '…';

export const CAVEAT_MARK = '⚠';

/**
 * `HELP  gold_6226 10.7 ms · pixel2 14.0 ms · this machine 3.1 ms`: short, so that it is not cut off beside
 * the panel (where a device comes from is in the hover). A caveat comes first: `HELP  ⚠ dead code (1 op) ·
 * ...`. With `stale` the last values stay and a trailing "…" says new ones are coming. A device that failed
 * shows "—".
 */
export function formatLens(entries: readonly LensEntry[], opts: { stale?: boolean; error?: string; caveat?: string } = {}): string {
  const tail = opts.stale ? ` ${STALE_MARK}` : '';
  const head = opts.caveat ? `HELP  ${CAVEAT_MARK} ${opts.caveat} · ` : 'HELP  ';
  // Device names come from settings and device files: escape sequences, controls and bidi neutralised.
  if (opts.error && entries.every((e) => e.ms === undefined)) return `HELP  ${neutraliseForDisplay(opts.error)}${tail}`;
  if (entries.length === 0) return `${head}${STALE_MARK}`;
  const parts = entries.map((e) => {
    const device = neutraliseForDisplay(e.device);
    if (e.ms === undefined) return `${device} ${e.error ? '—' : STALE_MARK}`;
    return `${device} ${formatPrediction(e.ms, e.atFloor)}`;
  });
  return `${head}${parts.join(' · ')}${tail}`;
}

/** The explorer and tab badge of a file with architectures: a clock face (U+25F7, in common UI fonts such as
 *  DejaVu Sans and Segoe UI Symbol, unlike the emoji stopwatch), which no one reads as a count of problems or
 *  changes (numbers such as "12" or ".2" were); the latencies are in its tooltip. */
export const LATENCY_BADGE = '◷';

/**
 * The tooltip of a file's badge: the space, which architecture, and each primary device with what it is
 * and the latency with its unit, the first marked as the one the status bar shows.
 * `HELP predicted latency, nasbench201 (first of 3 architectures): gold_6226 (Xeon Gold 6226 CPU) 10.7 ms · ...`
 */
export function decorationTooltip(space: string, entries: readonly { device: string; ms?: number; what?: string }[], count = 1): string {
  const more = count > 1 ? ` (first of ${count} architectures)` : '';
  const parts = entries.map((e) => {
    const what = e.what ? ` (${e.what})` : '';
    return `${neutraliseForDisplay(e.device)}${what} ${e.ms !== undefined ? formatMs(e.ms) : '—'}`;
  });
  return `HELP predicted latency, ${space}${more}: ${parts.join(' · ')}`;
}

/** How many adapted onnx devices an explorer tooltip lists (the rest are counted). */
export const MAX_TOOLTIP_ONNX_DEVICES = 8;

/** The explorer tooltip of an .onnx file's onnx-space predictions: the primary (first) adapted device, then
 *  the others, each with its out-of-bag error band; at most MAX_TOOLTIP_ONNX_DEVICES named. */
export function onnxDecorationTooltip(devices: readonly { name: string; ms: number; errorBand: number }[]): string {
  const parts = devices.slice(0, MAX_TOOLTIP_ONNX_DEVICES).map((d) => `${neutraliseForDisplay(d.name)} ${formatMs(d.ms)} ±${Math.round(d.errorBand * 100)}%`);
  const rest = devices.length - MAX_TOOLTIP_ONNX_DEVICES;
  return `HELP predicted latency, any ONNX model: ${parts.join(' · ')}${rest > 0 ? ` · and ${rest} more device${rest === 1 ? '' : 's'}` : ''}`;
}

/** A worker error shortened for one line: first sentence, at most `max` characters. */
export function shortError(message: string, max = 80): string {
  const first = message.split('\n')[0].replace(/\s*\((built in|known):.*$/, '');
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
