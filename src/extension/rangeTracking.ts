// Carrying spec ranges through document edits (what keeps a CodeLens in place while typing). Pure.

export interface TrackedRange {
  start: number;
  end: number;
  /** Cleared when an edit touches the range: its value is stale. */
  fresh: boolean;
}

export interface TextChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

/**
 * Applies VS Code's content changes (in the order given) to offset ranges: edits before a range shift it,
 * edits inside it (or typing right at its end) stretch or shrink it and mark it not fresh; a range whose
 * whole text was replaced keeps its start; an insertion right at a range's start shifts it. In place.
 * Returns how many ranges were fresh before and are not now (their lenses are to be redrawn as stale);
 * `onTouch` is called for every range an edit touched.
 */
export function shiftRanges<T extends TrackedRange>(ranges: T[], changes: readonly TextChange[], onTouch?: (range: T) => void): number {
  let newlyStale = 0;
  for (const c of changes) {
    const from = c.rangeOffset;
    const to = c.rangeOffset + c.rangeLength;
    const delta = c.text.length - c.rangeLength;
    for (const t of ranges) {
      if (to <= t.start) {
        t.start += delta;
        t.end += delta;
      } else if (from < t.end || (from === t.end && c.rangeLength === 0)) {
        t.end = Math.max(t.start, t.end + delta);
        if (t.fresh) newlyStale++;
        t.fresh = false;
        onTouch?.(t);
      }
    }
  }
  return newlyStale;
}
