// Text of the CodeLens, the hover's origin column, the status bar and the file decoration badge. Pure (no
// vscode import): tested directly.
import type { DeviceInfo } from './protocol';
import { neutraliseForDisplay } from '../core/text/safeText';

export interface LensEntry {
  device: string;
  ms?: number;
  error?: string;
  info?: DeviceInfo;
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
    return `adapted, ${info.samples} samples${date}`;
  }
  return info.origin === 'profile' ? 'built-in profile' : 'built-in table';
}

export const STALE_MARK = '…';

/**
 * `HELP  gold_6226 10.7 ms · pixel2 14.0 ms · this machine 3.1 ms (adapted, 20 samples)`; with `stale`
 * the last values stay and a trailing "…" says new ones are coming. A device that failed shows "—".
 */
export function formatLens(entries: readonly LensEntry[], opts: { stale?: boolean; error?: string } = {}): string {
  const tail = opts.stale ? ` ${STALE_MARK}` : '';
  // Device names come from settings and device files: escape sequences, controls and bidi neutralised.
  if (opts.error && entries.every((e) => e.ms === undefined)) return `HELP  ${neutraliseForDisplay(opts.error)}${tail}`;
  if (entries.length === 0) return `HELP  ${STALE_MARK}`;
  const parts = entries.map((e) => {
    const device = neutraliseForDisplay(e.device);
    if (e.ms === undefined) return `${device} ${e.error ? '—' : STALE_MARK}`;
    const adapted = e.info?.origin === 'adapted' ? ` (adapted, ${e.info.samples} samples)` : '';
    return `${device} ${formatMs(e.ms)}${adapted}`;
  });
  return `HELP  ${parts.join(' · ')}${tail}`;
}

/** A short (at most 2 characters) badge for a latency: "7", "42", ".3" (0.3 s), "2s", "9+" (9 s or more). */
export function latencyBadge(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'H';
  if (ms < 99.5) return String(Math.max(0, Math.round(ms)));
  if (ms < 950) return `.${Math.max(1, Math.round(ms / 100))}`;
  if (ms < 9500) return `${Math.round(ms / 1000)}s`;
  return '9+';
}

/** A worker error shortened for one line: first sentence, at most `max` characters. */
export function shortError(message: string, max = 80): string {
  const first = message.split('\n')[0].replace(/\s*\((built in|known):.*$/, '');
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
