// A minimal in-process stand-in for the `vscode` module, enough to load and activate the bundled extension
// (dist/extension.js as esbuild builds it) for bench/editor-bench.ts: documents with versions, offsets and
// change events, configuration from package.json's defaults, registered providers and commands, and
// controllable timers. Anything else the extension touches is a no-op returning a disposable.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (l: Listener<T>, thisArg?: unknown, disposables?: { dispose(): void }[]) => {
    const f = thisArg ? l.bind(thisArg) : l;
    this.listeners.push(f);
    const d = { dispose: () => (this.listeners = this.listeners.filter((x) => x !== f)) };
    disposables?.push(d);
    return d;
  };
  fire(e?: T): void {
    for (const l of [...this.listeners]) l(e as T);
  }
  get size(): number {
    return this.listeners.length;
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
  isBefore(o: Position): boolean {
    return this.line < o.line || (this.line === o.line && this.character < o.character);
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c!, d!) : (b as Position);
  }
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static joinPath(u: Uri, ...parts: string[]): Uri {
    return new Uri(u.scheme, path.join(u.fsPath, ...parts));
  }
  static parse(s: string): Uri {
    return new Uri('file', s.replace(/^file:\/\//, ''));
  }
  get path(): string {
    return this.fsPath;
  }
  with(): Uri {
    return this;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export class MockDocument {
  version = 1;
  isClosed = false;
  readonly eol = 1;
  private lineStarts: number[] = [];
  constructor(
    readonly uri: Uri,
    readonly languageId: string,
    private text: string,
  ) {
    this.index();
  }
  get fileName(): string {
    return this.uri.fsPath;
  }
  get lineCount(): number {
    return this.lineStarts.length;
  }
  private index(): void {
    this.lineStarts = [0];
    for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }
  getText(range?: Range): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return new Position(lo, offset - this.lineStarts[lo]);
  }
  offsetAt(p: Position): number {
    if (p.line >= this.lineStarts.length) return this.text.length;
    const lineEnd = p.line + 1 < this.lineStarts.length ? this.lineStarts[p.line + 1] - 1 : this.text.length;
    return Math.min(this.lineStarts[p.line] + p.character, lineEnd);
  }
  lineAt(line: number | Position) {
    const l = typeof line === 'number' ? line : line.line;
    const start = this.lineStarts[l];
    const end = l + 1 < this.lineStarts.length ? this.lineStarts[l + 1] - 1 : this.text.length;
    const text = this.text.slice(start, end);
    return {
      lineNumber: l,
      text,
      range: new Range(l, 0, l, end - start),
      rangeIncludingLineBreak: new Range(l, 0, l + 1, 0),
      firstNonWhitespaceCharacterIndex: text.length - text.trimStart().length,
      isEmptyOrWhitespace: text.trim() === '',
    };
  }
  validatePosition(p: Position): Position {
    return this.positionAt(this.offsetAt(p));
  }
  getWordRangeAtPosition(): undefined {
    return undefined;
  }
  save(): Promise<boolean> {
    return Promise.resolve(true);
  }
  /** Replaces [offset, offset+length) by `insert` (what VS Code does before firing the change event; not
   *  part of the extension's time) and returns the content change. */
  apply(offset: number, length: number, insert: string) {
    const range = new Range(this.positionAt(offset), this.positionAt(offset + length));
    this.text = this.text.slice(0, offset) + insert + this.text.slice(offset + length);
    this.index();
    this.version++;
    return { range, rangeOffset: offset, rangeLength: length, text: insert };
  }
}

/** Timers the bench advances by hand (the extension's debounces), so that one run measures every update. */
export class FakeTimers {
  now = 0;
  private next = 1;
  private timers = new Map<number, { due: number; fn: () => void }>();
  private saved?: { st: typeof setTimeout; ct: typeof clearTimeout };
  install(): void {
    this.saved = { st: globalThis.setTimeout, ct: globalThis.clearTimeout };
    (globalThis as any).setTimeout = (fn: (...a: unknown[]) => void, ms = 0, ...args: unknown[]) => {
      const id = this.next++;
      this.timers.set(id, { due: this.now + Math.max(0, ms), fn: () => fn(...args) });
      return { id, unref() {}, ref() {}, hasRef: () => true, [Symbol.toPrimitive]: () => id };
    };
    (globalThis as any).clearTimeout = (h: { id?: number } | number | undefined) => {
      if (h === undefined || h === null) return;
      this.timers.delete(typeof h === 'number' ? h : (h.id as number));
    };
  }
  uninstall(): void {
    if (!this.saved) return;
    globalThis.setTimeout = this.saved.st;
    globalThis.clearTimeout = this.saved.ct;
  }
  /** Moves the clock on by `ms`, running every timer that falls due (in order). */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let best: [number, { due: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].due <= until && (!best || e[1].due < best[1].due)) best = e;
      if (!best) break;
      this.timers.delete(best[0]);
      this.now = best[1].due;
      best[1].fn();
    }
    this.now = until;
  }
  get pending(): number {
    return this.timers.size;
  }
}

/** A `vscode` module object plus the handles the bench drives it with. */
export function createVscode(opts: { root: string; workspace: string; settings?: Record<string, unknown> }) {
  const pkg = JSON.parse(fs.readFileSync(path.join(opts.root, 'package.json'), 'utf8'));
  const defaults: Record<string, unknown> = {};
  for (const [k, v] of Object.entries<any>(pkg.contributes?.configuration?.properties ?? {})) defaults[k] = v.default;
  const settings = { ...defaults, ...(opts.settings ?? {}) };

  const ev = {
    changeText: new EventEmitter<unknown>(),
    openText: new EventEmitter<unknown>(),
    closeText: new EventEmitter<unknown>(),
    saveText: new EventEmitter<unknown>(),
    changeConfig: new EventEmitter<unknown>(),
    trust: new EventEmitter<unknown>(),
    activeEditor: new EventEmitter<unknown>(),
    visibleEditors: new EventEmitter<unknown>(),
    selection: new EventEmitter<unknown>(),
  };
  const codeLensProviders: { selector: unknown; provider: any }[] = [];
  const hoverProviders: { selector: unknown; provider: any }[] = [];
  const decorationProviders: any[] = [];
  const commands = new Map<string, (...a: unknown[]) => unknown>();
  const output: string[] = [];
  const textDocuments: MockDocument[] = [];
  let activeTextEditor: any;

  const disposable = () => ({ dispose() {} });
  /** Unknown members: callable no-ops returning disposables (and themselves for property chains). */
  const anything: any = new Proxy(function () {}, {
    get: (_t, p) => (p === 'dispose' ? () => {} : p === 'then' ? undefined : anything),
    apply: () => anything,
  });
  const ns = <T extends object>(o: T): T => new Proxy(o, { get: (t, p) => (p in t ? (t as any)[p] : anything) });

  const workspace = ns({
    textDocuments,
    isTrusted: true,
    workspaceFolders: [{ uri: Uri.file(opts.workspace), name: 'bench', index: 0 }],
    onDidChangeTextDocument: ev.changeText.event,
    onDidOpenTextDocument: ev.openText.event,
    onDidCloseTextDocument: ev.closeText.event,
    onDidSaveTextDocument: ev.saveText.event,
    onDidChangeConfiguration: ev.changeConfig.event,
    onDidGrantWorkspaceTrust: ev.trust.event,
    getConfiguration: (section?: string) => ({
      get: (key: string, def?: unknown) => {
        const full = section ? `${section}.${key}` : key;
        return full in settings ? settings[full] : def;
      },
      has: (key: string) => `${section}.${key}` in settings,
      inspect: () => undefined,
      update: () => Promise.resolve(),
    }),
    asRelativePath: (p: string | Uri) => {
      const f = typeof p === 'string' ? p : p.fsPath;
      return f.startsWith(opts.workspace + path.sep) ? f.slice(opts.workspace.length + 1) : f;
    },
    createFileSystemWatcher: () => ({ onDidChange: () => disposable(), onDidCreate: () => disposable(), onDidDelete: () => disposable(), dispose() {} }),
    fs: {
      stat: async (u: Uri) => ({ size: fs.statSync(u.fsPath).size, type: 1, ctime: 0, mtime: 0 }),
      readFile: async (u: Uri) => fs.readFileSync(u.fsPath),
    },
  });
  const window = ns({
    get activeTextEditor() {
      return activeTextEditor;
    },
    get visibleTextEditors() {
      return activeTextEditor ? [activeTextEditor] : [];
    },
    onDidChangeActiveTextEditor: ev.activeEditor.event,
    onDidChangeVisibleTextEditors: ev.visibleEditors.event,
    onDidChangeTextEditorSelection: ev.selection.event,
    createOutputChannel: (name: string) => ({ name, appendLine: (l: string) => output.push(l), append: (s: string) => output.push(s), show() {}, clear() {}, dispose() {} }),
    createStatusBarItem: () => ({ text: '', tooltip: '', show() {}, hide() {}, dispose() {} }),
    registerFileDecorationProvider: (provider: unknown) => (decorationProviders.push(provider), disposable()),
    showWarningMessage: async () => undefined,
    showInformationMessage: async () => undefined,
    showErrorMessage: async () => undefined,
  });
  const languages = ns({
    registerCodeLensProvider: (selector: unknown, provider: unknown) => (codeLensProviders.push({ selector, provider }), disposable()),
    registerHoverProvider: (selector: unknown, provider: unknown) => (hoverProviders.push({ selector, provider }), disposable()),
  });
  const vscodeCommands = ns({
    registerCommand: (id: string, fn: (...a: unknown[]) => unknown) => (commands.set(id, fn), { dispose: () => commands.delete(id) }),
    executeCommand: async (id: string, ...args: unknown[]) => commands.get(id)?.(...args),
  });

  const vscode = ns({
    EventEmitter,
    Position,
    Range,
    Uri,
    CodeLens: class {
      constructor(
        readonly range: Range,
        readonly command?: { title: string },
      ) {}
      get isResolved() {
        return !!this.command;
      }
    },
    Hover: class {
      constructor(
        readonly contents: unknown,
        readonly range?: Range,
      ) {}
    },
    MarkdownString: class {
      value = '';
      isTrusted: unknown;
      constructor(v?: string) {
        this.value = v ?? '';
      }
      appendMarkdown(s: string) {
        this.value += s;
        return this;
      }
      appendText(s: string) {
        this.value += s;
        return this;
      }
    },
    FileDecoration: class {
      constructor(
        readonly badge?: string,
        readonly tooltip?: string,
      ) {}
    },
    Disposable: class {
      static from(...ds: { dispose(): void }[]) {
        return { dispose: () => ds.forEach((d) => d.dispose()) };
      }
      constructor(private readonly f: () => void) {}
      dispose() {
        this.f();
      }
    },
    CancellationTokenSource: class {
      token = { isCancellationRequested: false, onCancellationRequested: () => disposable() };
      cancel() {
        this.token.isCancellationRequested = true;
      }
      dispose() {}
    },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    workspace,
    window,
    languages,
    commands: vscodeCommands,
  });

  // The bundle copies the module's own keys (esbuild's __toESM for `import * as vscode`): give the stand-in
  // every top-level value of the real API (from @types/vscode, ~190 names; copying them is part of the
  // activation cost), and every vscode.X the sources name.
  const names = new Set<string>();
  const dts = path.join(opts.root, 'node_modules', '@types', 'vscode', 'index.d.ts');
  if (fs.existsSync(dts)) for (const m of fs.readFileSync(dts, 'utf8').matchAll(/^\texport (?:namespace|class|enum|const|let|function) (\w+)/gm)) names.add(m[1]);
  const dir = path.join(opts.root, 'src', 'extension');
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/\bvscode\.([A-Za-z_]\w*)/g)) names.add(m[1]);
  }
  for (const n of names) if (!(n in (vscode as object))) (vscode as Record<string, unknown>)[n] = anything;

  return {
    vscode,
    ev,
    codeLensProviders,
    hoverProviders,
    decorationProviders,
    commands,
    output,
    settings,
    textDocuments,
    setActiveEditor(doc: MockDocument | undefined, offset = 0) {
      activeTextEditor = doc && { document: doc, selection: { active: doc.positionAt(offset) }, selections: [] };
      // As VS Code: the visible editors change, then the active one.
      ev.visibleEditors.fire(activeTextEditor ? [activeTextEditor] : []);
      ev.activeEditor.fire(activeTextEditor);
    },
    open(file: string, languageId: string, text: string): MockDocument {
      const doc = new MockDocument(Uri.file(file), languageId, text);
      textDocuments.push(doc);
      ev.openText.fire(doc);
      return doc;
    },
    close(doc: MockDocument): void {
      doc.isClosed = true;
      textDocuments.splice(textDocuments.indexOf(doc), 1);
      ev.closeText.fire(doc);
    },
  };
}

/** Makes `require('vscode')` return `vscode` from now on. */
/** The ExtensionContext activate() gets, with every storage folder under `dir`. */
export function extensionContext(dir: string) {
  const memento = () => ({ get: () => undefined, update: async () => {}, keys: () => [], setKeysForSync() {} });
  return {
    subscriptions: [] as { dispose(): void }[],
    extensionPath: dir,
    extensionUri: Uri.file(dir),
    globalStorageUri: Uri.file(path.join(dir, 'global')),
    storageUri: Uri.file(path.join(dir, 'storage')),
    logUri: Uri.file(path.join(dir, 'log')),
    globalState: memento(),
    workspaceState: memento(),
    extensionMode: 1,
    asAbsolutePath: (p: string) => path.join(dir, p),
  };
}

export function installVscode(vscode: unknown): void {
  const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const load = M._load;
  M._load = function (req: string, ...rest: unknown[]) {
    return req === 'vscode' ? vscode : load.call(this, req, ...rest);
  };
}
