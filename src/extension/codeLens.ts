// The CodeLens above every spec: `HELP  gold_6226 10.7 ms · pixel2 14.0 ms · ...`.
//
// Lenses stay in place while typing: every provideCodeLenses answers at once, from the lenses of the last
// update with their ranges carried through the edits since (those an edit touched marked stale, "…");
// help.updateDelayMs after the last edit the document is scanned again and the values are filled from the
// cache or the worker. The first edit of a spec asks VS Code for the lenses again at once, and a lens that
// went stale is drawn stale at least once before its new values (see Tracked.staleUnseen).
import vscode = require('vscode');
import type { FoundSpec } from '../core/spaces/findSpecs';
import { formatLens, LensEntry, shortError, STALE_MARK } from './lensText';
import { specCaveatsWithShort, SpecCaveat } from '../core/spaces/caveats';
import { LatencyService } from './latency';
import { SpecIndex } from './specIndex';
import { Config } from './config';
import { shiftRanges } from './rangeTracking';
import { perf } from './perf';
import { performance } from 'perf_hooks';

export interface Tracked {
  space: string;
  spec: string;
  start: number;
  end: number;
  title: string;
  /** The title shows this spec's values (not those of the spec it replaced, nor none yet). */
  fresh: boolean;
  /** An edit made this lens stale and VS Code has not drawn it so yet. On a loaded machine VS Code's CodeLens
   *  debounce can outlast help.updateDelayMs, and the lens would jump from the old values to the new ones
   *  with no sign that they were being updated: so it is drawn stale once (the title it had then, with "…"),
   *  then asked for again. */
  staleUnseen?: string;
  /** What the user should know about the architecture (dead code), full text, for the tooltip. */
  caveat?: string;
  /** An edit touched the spec since the last scan. */
  touched?: boolean;
  /** The spec is being edited and is not a complete spec right now (e.g. half an operation name typed): its
   *  lens stays, stale, until the text is a spec again or a later scan finds it untouched. */
  editing?: boolean;
}

interface DocState {
  version: number;
  tracked: Tracked[];
  timer?: NodeJS.Timeout;
  /** Bumped by every update, so that a slow one does not overwrite a newer one. */
  run: number;
  /** When HELP started following the document, until its first values are shown (perf). */
  openedAt?: number;
  /** VS Code has asked for this document's lenses. Until it has, new values are not announced: every
   *  onDidChangeCodeLenses postpones VS Code's first request by its debounce, and that request will get them. */
  served?: boolean;
  /** Shown in an editor, its first lens request still to come (see fireChange). */
  awaitingSince?: number;
}

/** How long a newly shown document may hold back onDidChangeCodeLenses for others while VS Code's first
 *  lens request for it is due (its CodeLens debounce: 250 ms at least, longer after slow providers); a bound
 *  for editors that never ask (CodeLens off in that editor, diff views). */
export const FIRST_REQUEST_WAIT_MS = 1000;

const baseName = (doc: vscode.TextDocument) => doc.uri.path.slice(doc.uri.path.lastIndexOf('/') + 1);

export const PENDING_TITLE = `HELP  ${STALE_MARK}`;

/** Caveats by spec: every rescan (each pause in typing) asks for all lenses of the document again, and
 *  parsing a cell for its caveats costs about as much as finding it. Bounded: cleared when full. */
const caveatMemo = new Map<string, SpecCaveat | null>();
const CAVEAT_MEMO_SIZE = 8192;

function caveatOf(space: string, spec: string): SpecCaveat | undefined {
  const key = `${space}\n${spec}`;
  let c = caveatMemo.get(key);
  if (c === undefined) {
    if (caveatMemo.size >= CAVEAT_MEMO_SIZE) caveatMemo.clear();
    c = specCaveatsWithShort(space, spec)[0] ?? null;
    caveatMemo.set(key, c);
  }
  return c ?? undefined;
}

/** The lens title of a spec from the cache, or undefined when a value is missing. */
export function titleFromCache(latency: LatencyService, primary: { devices: string[]; info: { name: string }[]; error?: string; code?: string } | undefined, space: string, spec: string): string | undefined {
  if (!primary) return undefined;
  if (primary.error) return noDevicesTitle(space, primary.error, primary.code);
  const entries: LensEntry[] = [];
  for (const d of primary.devices) {
    const p = latency.cached(space, spec, d);
    if (!p) return undefined;
    entries.push({ device: d, ms: p.ms, atFloor: p.atFloor, error: p.error, info: primary.info.find((i) => i.name === d) as LensEntry['info'] });
  }
  return formatLens(entries, { caveat: caveatOf(space, spec)?.short });
}

function noDevicesTitle(space: string, error: string, code?: string): string {
  if (code === 'no-weights' || /no trained weights/.test(error)) return `HELP  ${space}: latency prediction not available yet (no trained weights in this build)`;
  return `HELP  ${space}: ${shortError(error)}`;
}

/**
 * The lenses of a scan (`found`, in document order) and those of the last one (`old`) that an edit touched
 * and that are no spec right now (half typed): these stay, stale and not asked for values, so that the lens
 * does not vanish at every pause in typing. One pass over both lists.
 */
export function keepEdited(old: readonly Tracked[], found: Tracked[], docLength: number): Tracked[] {
  const kept: Tracked[] = [];
  let p = 0;
  for (const o of old) {
    if (!o.touched || o.end <= o.start || o.end > docLength) continue;
    while (p < found.length && found[p].end < o.start) p++;
    if (p < found.length && found[p].start <= o.end) continue;
    kept.push({ ...o, fresh: false, touched: false, editing: true });
  }
  if (kept.length === 0) return found;
  // Merge the two sorted lists.
  const all: Tracked[] = [];
  let i = 0;
  let j = 0;
  while (i < found.length || j < kept.length) {
    if (j >= kept.length || (i < found.length && found[i].start <= kept[j].start)) all.push(found[i++]);
    else all.push(kept[j++]);
  }
  return all;
}

export class LensController implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly states = new Map<string, DocState>();
  private readonly primaries = new Map<string, { devices: string[]; info: { name: string }[]; error?: string; code?: string }>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];
  /** onDidChangeCodeLenses held back while a new editor waits for its first request, and its flush timer. */
  private heldChange?: string;
  private heldTimer?: NodeJS.Timeout;
  /** Fired after lens values changed (the status bar and decorations follow). */
  private readonly valuesEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidUpdateValues = this.valuesEmitter.event;

  constructor(
    private readonly latency: LatencyService,
    private readonly index: SpecIndex,
    private readonly config: Config,
  ) {
    this.subs.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      // A document is read, and its values asked for, as soon as an editor shows it, not when VS Code first
      // asks for its lenses (a debounce later): so the first lenses drawn already carry their values.
      vscode.window.onDidChangeVisibleTextEditors((editors) => this.prefetch(editors)),
      config.onDidChange(() => this.refreshAll()),
      latency.onDidChange(() => this.refreshAll()),
    );
    // Editors shown before activation (restored at startup) raise no visibility event: read them now, after
    // activate() returns (activation stays light), before VS Code's first lens request (a debounce later).
    // Otherwise that request would scan synchronously, and VS Code keeps how long a provider took in the
    // moving average that sets its CodeLens debounce for every file opened later.
    this.prefetchTimer = setTimeout(() => {
      this.prefetchTimer = undefined;
      this.prefetch(vscode.window.visibleTextEditors);
    }, 0);
  }

  private prefetchTimer?: NodeJS.Timeout;

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    return perf.time('provideCodeLenses', () => this.lenses(doc));
  }

  private lenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.config.get(doc).codeLensEnabled || !this.index.eligible(doc)) {
      this.forget(doc.uri);
      return [];
    }
    let st = this.states.get(doc.uri.toString());
    if (!st) st = this.track(doc);
    else if (st.version !== doc.version && !st.timer) this.schedule(doc, st);
    st.served = true;
    if (st.awaitingSince !== undefined) {
      st.awaitingSince = undefined;
      // After this reply has gone (the event would otherwise reach VS Code first).
      if (this.heldChange !== undefined) setTimeout(() => this.releaseHeld(), 0);
    }
    if (perf.tracing) perf.mark('lensRequest', `${baseName(doc)} ${st.tracked.filter((t) => t.fresh).length}/${st.tracked.length} with values`);
    let newValuesHeld = false;
    const lenses = st.tracked.map((t) => {
      // An empty range at the start of the spec's line: VS Code drops a lens whose non-empty range an edit
      // collapsed (replacing the whole spec), while an empty one survives every edit after it.
      const line = doc.positionAt(t.start).line;
      const range = new vscode.Range(line, 0, line, 0);
      // Only lenses whose spec an edit touched (or whose values are still coming) are stale.
      let shown = t.title;
      if (t.staleUnseen !== undefined && t.fresh) {
        shown = t.staleUnseen;
        newValuesHeld = true;
      }
      const stale = !t.fresh || t.staleUnseen !== undefined;
      t.staleUnseen = undefined;
      const title = stale && !shown.endsWith(STALE_MARK) ? `${shown} ${STALE_MARK}` : shown;
      if (t.editing) {
        return new vscode.CodeLens(range, {
          title,
          tooltip: 'HELP: this architecture is being edited; the latency is updated once it is a complete spec again.',
          command: 'help.showPanel',
          arguments: [{ uri: doc.uri.toString(), offset: t.start }],
        });
      }
      const caveat = t.caveat ? ` ⚠ ${t.caveat}` : '';
      return new vscode.CodeLens(range, {
        title,
        tooltip: `Predicted latency of this ${t.space} architecture (HELP); where each device's values come from is in the hover. Click for the latency panel.${caveat}`,
        command: 'help.showPanel',
        arguments: [{ uri: doc.uri.toString(), offset: t.start }],
      });
    });
    // Values that came while the stale lens was still to be drawn: asked for again after this reply.
    if (newValuesHeld) setTimeout(() => this.fireChange(`values after stale ${baseName(doc)}`), 0);
    return lenses;
  }

  /** Starts following a document: its specs now, their values from the cache or the worker. */
  private track(doc: vscode.TextDocument, shown = false): DocState {
    const now = performance.now();
    const st: DocState = { version: -1, tracked: [], run: 0, openedAt: now, awaitingSince: shown ? now : undefined };
    this.states.set(doc.uri.toString(), st);
    this.scan(doc, st, false);
    void this.fill(doc, st);
    return st;
  }

  private prefetch(editors: readonly vscode.TextEditor[]): void {
    if (perf.tracing) perf.mark('visibleEditors', editors.map((e) => baseName(e.document)).join(' '));
    for (const { document: doc } of editors) {
      if (this.states.has(doc.uri.toString())) continue;
      perf.time('lensPrefetch', () => {
        if (this.config.get(doc).codeLensEnabled && this.index.eligible(doc)) this.track(doc, true);
      });
    }
  }

  /** Carry the lens ranges through the edit, then update after the idle delay. */
  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    const st = this.states.get(e.document.uri.toString());
    if (!st || e.contentChanges.length === 0) return;
    const fresh = st.tracked.filter((t) => t.fresh);
    const newlyStale = shiftRanges(st.tracked, e.contentChanges, (t) => (t.touched = true));
    this.schedule(e.document, st);
    if (newlyStale === 0 || !st.served) return;
    for (const t of fresh) if (!t.fresh) t.staleUnseen = t.title;
    // Right away, not after the update delay: the lens of the spec being edited shows "…".
    this.fireChange(`stale ${baseName(e.document)}`);
  }

  private schedule(doc: vscode.TextDocument, st: DocState): void {
    if (st.timer) clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      if (doc.isClosed) return;
      perf.time('lensRescan', () => {
        this.scan(doc, st);
        void this.fill(doc, st);
      });
    }, this.config.get(doc).updateDelayMs);
  }

  /** Re-scan the document: specs found now, each with its cached value or the last value at its place. */
  private scan(doc: vscode.TextDocument, st: DocState, notify = true): void {
    const specs: FoundSpec[] = this.index.specs(doc);
    const old = st.tracked;
    // Both lists are in document order: the lens that was at a spec's place is found in one pass.
    let j = 0;
    st.tracked = specs.map((s) => {
      while (j < old.length && old[j].end < s.start) j++;
      const before = j < old.length && old[j].start <= s.end ? old[j] : undefined;
      const staleUnseen = before?.staleUnseen;
      const caveat = caveatOf(s.space, s.spec)?.text;
      const cachedTitle = titleFromCache(this.latency, this.primaries.get(s.space), s.space, s.spec);
      if (cachedTitle) return { space: s.space, spec: s.spec, start: s.start, end: s.end, title: cachedTitle, fresh: true, staleUnseen, caveat };
      return { space: s.space, spec: s.spec, start: s.start, end: s.end, title: before?.title ?? PENDING_TITLE, fresh: false, staleUnseen, caveat };
    });
    st.tracked = keepEdited(old, st.tracked, doc.getText().length);
    st.version = doc.version;
    if (notify) this.fireChange(`scan ${baseName(doc)}`);
  }

  /** Ask for the missing values of the current lenses, then show them. */
  private async fill(doc: vscode.TextDocument, st: DocState): Promise<void> {
    const run = ++st.run;
    const version = st.version;
    const spaces = [...new Set(st.tracked.filter((t) => !t.fresh && !t.editing).map((t) => t.space))];
    if (spaces.length === 0) return;
    const failures = new Map<string, string>();
    for (const space of spaces) {
      try {
        const prim = await this.latency.primary(space);
        const sd = await this.latency.spaceDevices(space);
        this.primaries.set(space, { ...prim, code: sd.code });
        if (prim.error) continue;
        const specs = st.tracked.filter((t) => t.space === space).map((t) => t.spec);
        await this.latency.ensure(space, specs, prim.devices);
      } catch (e) {
        failures.set(space, shortError((e as Error).message));
      }
    }
    if (run !== st.run || version !== st.version || doc.isClosed) return;
    perf.time('lensFill', () => this.showValues(doc, st, failures));
  }

  private showValues(doc: vscode.TextDocument, st: DocState, failures: Map<string, string>): void {
    for (const t of st.tracked) {
      if (t.fresh || t.editing) continue;
      const f = failures.get(t.space);
      const title = f ? `HELP  ${f}` : titleFromCache(this.latency, this.primaries.get(t.space), t.space, t.spec);
      if (title) {
        t.title = title;
        // A failure is shown as is and tried again on the next edit.
        t.fresh = true;
      }
    }
    if (st.openedAt !== undefined) {
      perf.recordSpan('openToLensValues', performance.now() - st.openedAt);
      st.openedAt = undefined;
    }
    if (perf.tracing) perf.mark('lensValuesReady', `${baseName(doc)}${st.served ? '' : ' (not asked for yet)'}`);
    if (st.served) this.fireChange(`values ${baseName(doc)}`);
    this.valuesEmitter.fire(doc.uri);
  }

  private refreshAll(): void {
    perf.time('lensRefreshAll', () => this.refreshAllNow());
  }

  private refreshAllNow(): void {
    this.primaries.clear();
    this.index.clear();
    for (const doc of vscode.workspace.textDocuments) {
      const st = this.states.get(doc.uri.toString());
      if (!st) continue;
      for (const t of st.tracked) t.fresh = false;
      this.scan(doc, st);
      void this.fill(doc, st);
    }
    this.fireChange('refresh all');
  }

  /** onDidChangeCodeLenses: VS Code asks every editor's lenses again, one debounce later. The event is one
   *  for all documents, and in an editor still waiting for its first lenses it restarts that debounce: so
   *  while a newly shown document awaits its first request, changes of others are held back (at most
   *  FIRST_REQUEST_WAIT_MS) and announced once it has been served. */
  private fireChange(why: string): void {
    const waitMs = this.holdFor();
    if (waitMs > 0) {
      perf.mark('lensChangeHeld', why);
      this.heldChange = why;
      if (!this.heldTimer) this.heldTimer = setTimeout(() => this.releaseHeld(), waitMs);
      return;
    }
    perf.mark('lensChangeEvent', why);
    this.emitter.fire();
  }

  /** How long the longest-waiting shown document may still hold events (0: none waits). */
  private holdFor(): number {
    const now = performance.now();
    let wait = 0;
    for (const st of this.states.values()) {
      if (st.awaitingSince === undefined) continue;
      const left = st.awaitingSince + FIRST_REQUEST_WAIT_MS - now;
      if (left > 0) wait = Math.max(wait, left);
      else st.awaitingSince = undefined;
    }
    return wait;
  }

  private releaseHeld(): void {
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    const why = this.heldChange;
    if (why === undefined) return;
    this.heldChange = undefined;
    this.fireChange(`${why} (held)`);
  }

  private forget(uri: vscode.Uri): void {
    const st = this.states.get(uri.toString());
    if (st?.timer) clearTimeout(st.timer);
    this.states.delete(uri.toString());
    if (st?.awaitingSince !== undefined && this.heldChange !== undefined) setTimeout(() => this.releaseHeld(), 0);
  }

  dispose(): void {
    for (const st of this.states.values()) if (st.timer) clearTimeout(st.timer);
    if (this.heldTimer) clearTimeout(this.heldTimer);
    if (this.prefetchTimer) clearTimeout(this.prefetchTimer);
    this.subs.forEach((s) => s.dispose());
    this.emitter.dispose();
    this.valuesEmitter.dispose();
  }
}
