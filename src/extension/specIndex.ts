// Which documents HELP reads (text files of the listed kinds, not excluded, not too large) and the specs in
// them, cached per document version. A new version is scanned in chunks (chunkedSpecs.ts): after an edit
// only the chunks it changed are read again, so a rescan of a large file stays a few milliseconds.
import * as path from 'path';
import vscode = require('vscode');
import { FoundSpec, specAt } from '../core/spaces/findSpecs';
import { ChunkedSpecFinder } from './chunkedSpecs';
import { perf } from './perf';
import { isExcluded } from './glob';
import { neutraliseForDisplay } from '../core/text/safeText';
import { Config } from './config';

export const SPEC_EXTENSIONS = ['.txt', '.py', '.md', '.json', '.jsonc', '.yaml', '.yml'];
export const SPEC_LANGUAGES = ['plaintext', 'python', 'markdown', 'json', 'jsonc', 'yaml'];

/** The document selector of the CodeLens and hover providers. */
export const SPEC_SELECTOR: vscode.DocumentSelector = [
  ...SPEC_LANGUAGES.map((language) => ({ language })),
  { pattern: `**/*.{${SPEC_EXTENSIONS.map((e) => e.slice(1)).join(',')}}` },
];

export class SpecIndex {
  private readonly cache = new Map<string, { version: number; specs: FoundSpec[]; finder: ChunkedSpecFinder }>();
  /** Files whose last scan stopped at the budget, with the reason logged (logged again only if it changes). */
  private readonly cut = new Map<string, string>();

  constructor(
    private readonly config: Config,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Logs, once per file and reason, that a scan of it stopped at its budget (`exceeded` undefined: it did
   *  not, and the next stop is logged again). */
  noteScan(file: string, exceeded: string | undefined): void {
    if (exceeded === undefined) {
      this.cut.delete(file);
      return;
    }
    if (this.cut.get(file) === exceeded) return;
    this.cut.set(file, exceeded);
    this.log(`spec scan of ${neutraliseForDisplay(file)} stopped early (${exceeded}): specs after that point are not shown`);
  }

  /** Whether a file path is one HELP reads (by extension and help.exclude). */
  eligiblePath(fsPath: string): boolean {
    if (!SPEC_EXTENSIONS.includes(path.extname(fsPath).toLowerCase())) return false;
    const rel = vscode.workspace.asRelativePath(fsPath, false);
    return !isExcluded(rel, this.config.get().exclude) && !isExcluded(fsPath, this.config.get().exclude);
  }

  eligible(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote') return false;
    const byExt = SPEC_EXTENSIONS.includes(path.extname(doc.uri.fsPath).toLowerCase());
    if (!byExt && !SPEC_LANGUAGES.includes(doc.languageId)) return false;
    const s = this.config.get();
    if (doc.uri.scheme !== 'untitled' && (isExcluded(vscode.workspace.asRelativePath(doc.uri, false), s.exclude) || isExcluded(doc.uri.fsPath, s.exclude))) return false;
    // Length in characters as a cheap stand-in for bytes (the offset of the end: no copy of the text).
    return doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end) <= s.maxFileSizeMB * 1024 * 1024;
  }

  /** The specs of a document (none for one HELP does not read). */
  specs(doc: vscode.TextDocument): FoundSpec[] {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.specs;
    const finder = hit?.finder ?? new ChunkedSpecFinder();
    const specs = this.eligible(doc) ? perf.time('specScan', () => finder.find(doc.getText())) : [];
    this.noteScan(doc.uri.scheme === 'file' ? doc.uri.fsPath : key, finder.lastExceeded);
    this.cache.set(key, { version: doc.version, specs, finder });
    return specs;
  }

  /** Where the chunks of the document's current text start (chunkedSpecs.ts): the near-miss diagnostics
   *  read the same chunks and keep what they found in those that did not change. */
  chunkOffsets(doc: vscode.TextDocument): readonly number[] {
    this.specs(doc);
    return this.cache.get(doc.uri.toString())?.finder.chunkOffsets ?? [0];
  }

  /** The spec under the cursor of an editor, else the editor's first spec. */
  current(editor: vscode.TextEditor | undefined): FoundSpec | undefined {
    if (!editor) return undefined;
    const specs = this.specs(editor.document);
    return specAt(specs, editor.document.offsetAt(editor.selection.active)) ?? specs[0];
  }

  forget(doc: vscode.TextDocument): void {
    this.cache.delete(doc.uri.toString());
  }

  /** Read every document again on next use (settings changed). The chunk memory stays: specs depend on the
   *  text only. */
  clear(): void {
    for (const e of this.cache.values()) e.version = NaN;
  }
}
