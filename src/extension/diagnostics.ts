// Diagnostics on text that is almost a spec (core/spaces/nearSpecs.ts): an open document is read again
// help.updateDelayMs after its last edit, as the lenses are, and its near-misses become warnings in a
// "HELP" DiagnosticCollection with the space parser's message. Cleared when the document closes.
//
// The text is read in the chunks the spec index cut it into (no spec, and no near-miss, spans a cut line);
// a chunk whose text did not change since the last reading keeps its near-misses, so a keystroke in a
// large file costs about the chunk it changed.
import vscode = require('vscode');
import { dropOverlaps, findNearSpecs, NearSpec, shiftNear } from '../core/spaces/nearSpecs';
import { ScanBudget } from '../core/spaces/scanBudget';
import { neutraliseForDisplay } from '../core/text/safeText';
import { SpecIndex } from './specIndex';
import { Config } from './config';
import { perf } from './perf';

export const DIAGNOSTIC_SOURCE = 'HELP';

/** The near-misses of one version of a document. */
export interface ScannedNears {
  version: number;
  nears: NearSpec[];
}

export class SpecDiagnostics implements vscode.Disposable {
  readonly collection: vscode.DiagnosticCollection;
  private readonly scanned = new Map<string, ScannedNears>();
  /** Per document: the near-misses of each chunk text of its last reading (offsets within the chunk). */
  private readonly chunkMemo = new Map<string, Map<string, NearSpec[]>>();
  /** Files whose last reading stopped at the budget, with the reason logged. */
  private readonly cut = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[] = [];
  private startTimer?: NodeJS.Timeout;
  /** Chunks read by the last update (the rest came from memory), and how many there were. */
  lastScanned = 0;
  lastChunks = 0;

  constructor(
    private readonly index: SpecIndex,
    private readonly config: Config,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document, this.config.get(e.document).updateDelayMs);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      config.onDidChange(() => {
        for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      }),
    );
    // Documents open before activation raise no open event: read them after activate() returns.
    this.startTimer = setTimeout(() => {
      this.startTimer = undefined;
      for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    }, 0);
  }

  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    const key = doc.uri.toString();
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!doc.isClosed) this.update(doc);
      }, delayMs),
    );
  }

  /** The near-misses of the document's current version (read now if the last reading is older). */
  nears(doc: vscode.TextDocument): NearSpec[] {
    const hit = this.scanned.get(doc.uri.toString());
    if (hit && hit.version === doc.version) return hit.nears;
    return this.update(doc);
  }

  /** Reads the document and publishes its diagnostics. */
  update(doc: vscode.TextDocument): NearSpec[] {
    const key = doc.uri.toString();
    if (!this.index.eligible(doc)) {
      this.scanned.delete(key);
      this.chunkMemo.delete(key);
      this.collection.delete(doc.uri);
      return [];
    }
    const text = doc.getText();
    const budget = ScanBudget.forText(text.length);
    const specs = this.index.specs(doc);
    const starts = this.index.chunkOffsets(doc);
    const memo = this.chunkMemo.get(key);
    const next = new Map<string, NearSpec[]>();
    this.lastScanned = 0;
    this.lastChunks = starts.length;
    const nears = perf.time('nearSpecScan', () => {
      const all: NearSpec[] = [];
      for (let i = 0; i < starts.length; i++) {
        const chunk = text.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : text.length);
        let found = memo?.get(chunk) ?? next.get(chunk);
        if (found) next.set(chunk, found);
        else {
          // Past the budget, only chunks read before still count.
          if (!budget.ok) continue;
          found = findNearSpecs(chunk, [], budget);
          this.lastScanned++;
          // A chunk the budget cut is read again next time.
          if (budget.ok) next.set(chunk, found);
        }
        for (const n of found) all.push(shiftNear(n, starts[i]));
      }
      return dropOverlaps(all, specs);
    });
    this.chunkMemo.set(key, next);
    // Logged once per file and reason (not on every keystroke).
    if (budget.exceeded && this.cut.get(key) !== budget.exceeded) {
      this.log(`near-spec scan of ${neutraliseForDisplay(doc.uri.scheme === 'file' ? doc.uri.fsPath : key)} stopped early (${budget.exceeded}): malformed specs after that point get no diagnostic`);
    }
    if (budget.exceeded) this.cut.set(key, budget.exceeded);
    else this.cut.delete(key);
    this.scanned.set(key, { version: doc.version, nears });
    this.collection.set(doc.uri, nears.map((n) => toDiagnostic(doc, n)));
    return nears;
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.scanned.delete(key);
    this.chunkMemo.delete(key);
    this.cut.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subs) s.dispose();
    this.collection.dispose();
  }
}

export function toDiagnostic(doc: vscode.TextDocument, n: NearSpec): vscode.Diagnostic {
  const range = new vscode.Range(doc.positionAt(n.problemStart), doc.positionAt(n.problemEnd));
  // A warning, not an error: the text is only probably meant as a spec.
  const d = new vscode.Diagnostic(range, neutraliseForDisplay(n.message), vscode.DiagnosticSeverity.Warning);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = n.space;
  return d;
}
