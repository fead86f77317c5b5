// Types of chartScale.js (the webview script is plain JavaScript; the unit tests import it through these).
export interface Axis {
  log: boolean;
  lo: number;
  hi: number;
  ticks: number[];
  /** The domain [lo, hi] onto [0, 1]. */
  pos(v: number): number;
}
export const LOG_SPAN: number;
export function positiveRange(values: Iterable<unknown>): { lo: number; hi: number } | undefined;
export function wantsLog(values: Iterable<unknown>): boolean;
export function niceStep(span: number, count: number): number;
export function linearAxis(lo: number, hi: number, count?: number, fixed?: boolean): Axis;
export function logAxis(lo: number, hi: number): Axis;
export function latencyAxis(values: Iterable<unknown>, opts?: { log?: boolean; zero?: boolean; count?: number }): Axis;
export function unitFor(hi: number): { unit: 's' | 'ms'; div: number };
export function tickLabel(v: number, div?: number): string;
export function countLabel(n: number): string;
export function fasterPhrase(share: number | undefined, count: number): string;
