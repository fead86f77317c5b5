// A small stand-in for the `vscode` module, enough for the extension modules that tests load in plain Node:
// import this file before them and `require('vscode')` returns `vscode` below. UI calls go to the `ui`
// script (input box, quick pick, messages), documents are MockDocuments, and applyEdit edits them.
import Module from 'node:module';

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}

export class Selection extends Range {
  get active(): Position {
    return this.end;
  }
}

export class CodeActionKind {
  static readonly Empty = new CodeActionKind('');
  static readonly QuickFix = new CodeActionKind('quickfix');
  static readonly Refactor = new CodeActionKind('refactor');
  static readonly RefactorRewrite = new CodeActionKind('refactor.rewrite');
  static readonly Source = new CodeActionKind('source');
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other: CodeActionKind): boolean {
    return this.value === '' || other.value === this.value || other.value.startsWith(`${this.value}.`);
  }
  intersects(other: CodeActionKind): boolean {
    return this.contains(other) || other.contains(this);
  }
}

export class CodeAction {
  command?: { command: string; title: string; arguments?: unknown[] };
  disabled?: { reason: string };
  isPreferred?: boolean;
  constructor(
    readonly title: string,
    readonly kind?: CodeActionKind,
  ) {}
}

export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };

export class Diagnostic {
  source?: string;
  code?: string | number;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity = DiagnosticSeverity.Error,
  ) {}
}

/** Every DiagnosticCollection created, by name: uri string -> diagnostics. */
export const diagnosticCollections = new Map<string, Map<string, Diagnostic[]>>();

export interface MockUri {
  scheme: string;
  fsPath: string;
  path: string;
  toString(): string;
}

export const Uri = {
  parse(s: string): MockUri {
    const fsPath = s.replace(/^file:\/\//, '');
    return { scheme: s.slice(0, s.indexOf(':')), fsPath, path: fsPath, toString: () => s };
  },
  file(p: string): MockUri {
    return Uri.parse(`file://${p}`);
  },
};

export class WorkspaceEdit {
  readonly edits: { uri: MockUri; range: Range; text: string }[] = [];
  replace(uri: MockUri, range: Range, text: string): void {
    this.edits.push({ uri, range, text });
  }
}

export class MockDocument {
  version = 1;
  readonly uri: MockUri;
  constructor(
    path: string,
    private text: string,
    readonly languageId = 'plaintext',
  ) {
    this.uri = Uri.file(path);
  }
  getText(range?: Range): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  offsetAt(p: Position): number {
    const lines = this.text.split('\n');
    let off = 0;
    for (let l = 0; l < p.line && l < lines.length; l++) off += lines[l].length + 1;
    return Math.min(this.text.length, off + p.character);
  }
  positionAt(offset: number): Position {
    const before = this.text.slice(0, Math.max(0, Math.min(offset, this.text.length)));
    const line = before.split('\n').length - 1;
    return new Position(line, before.length - (before.lastIndexOf('\n') + 1));
  }
  /** Replaces [start, end) (offsets), as an edit in the editor would. */
  edit(start: number, end: number, text: string): void {
    this.text = this.text.slice(0, start) + text + this.text.slice(end);
    this.version++;
  }
}

export interface Message {
  kind: 'info' | 'warning' | 'error';
  text: string;
  items: string[];
}

/** What the user does, per test: set these, read the records. */
export const ui = {
  inputBox: async (_opts: any): Promise<string | undefined> => undefined,
  quickPick: async (_items: any[], _opts: any): Promise<any> => undefined,
  /** The button a message's user presses (default: none). */
  answer: (_m: Message): string | undefined => undefined,
  messages: [] as Message[],
  status: [] as string[],
  progress: [] as { options: any; reports: any[] }[],
  /** Cancel the progress notification as soon as it shows. */
  cancelProgress: false,
  applyEditResult: true,
  reset(): void {
    ui.inputBox = async () => undefined;
    ui.quickPick = async () => undefined;
    ui.answer = () => undefined;
    ui.messages = [];
    ui.status = [];
    ui.progress = [];
    ui.cancelProgress = false;
    ui.applyEditResult = true;
    window.activeTextEditor = undefined;
    workspace.textDocuments = [];
  },
};

function message(kind: Message['kind']) {
  return async (text: string, ...items: unknown[]) => {
    const m: Message = { kind, text, items: items.filter((i): i is string => typeof i === 'string') };
    ui.messages.push(m);
    return ui.answer(m);
  };
}

export class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  readonly event = (l: (e: T) => void) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(e?: T): void {
    for (const l of [...this.listeners]) l(e as T);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class CodeLens {
  constructor(
    readonly range: unknown,
    readonly command?: { title: string; command: string; arguments?: unknown[] },
  ) {}
}

/** Editor and document events the tests fire. */
export const events = {
  visibleEditors: new EventEmitter<{ document: MockDocument }[]>(),
  changeText: new EventEmitter<{ document: MockDocument; contentChanges: unknown[] }>(),
  closeText: new EventEmitter<MockDocument>(),
  openText: new EventEmitter<MockDocument>(),
};

export const registered = {
  commands: new Map<string, (...args: any[]) => unknown>(),
  codeActionProviders: [] as { selector: unknown; provider: any; metadata: any }[],
};

const disposable = { dispose() {} };

export const window = {
  activeTextEditor: undefined as undefined | { document: MockDocument; selection: Selection },
  visibleTextEditors: [] as { document: MockDocument }[],
  onDidChangeVisibleTextEditors: events.visibleEditors.event,
  showInputBox: (opts: any) => ui.inputBox(opts),
  showQuickPick: (items: any, opts: any) => Promise.resolve(items).then((i) => ui.quickPick(i, opts)),
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  setStatusBarMessage(text: string) {
    ui.status.push(text);
    return disposable;
  },
  async withProgress(options: any, task: (progress: any, token: any) => Promise<unknown>) {
    const record = { options, reports: [] as any[] };
    ui.progress.push(record);
    let listener: (() => void) | undefined;
    const token = {
      isCancellationRequested: false,
      onCancellationRequested(l: () => void) {
        listener = l;
        return disposable;
      },
    };
    const p = task({ report: (r: any) => record.reports.push(r) }, token);
    if (ui.cancelProgress) {
      token.isCancellationRequested = true;
      listener?.();
    }
    return p;
  },
};

/** The help.* settings the tests set (keys without "help."); fire `events.changeConfiguration` after. */
export const settingValues: Record<string, unknown> = {};
const changeConfiguration = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();
/** Sets help.* values (undefined removes one) and fires the configuration change. */
export function setSettings(values: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) delete settingValues[k];
    else settingValues[k] = v;
  }
  changeConfiguration.fire({ affectsConfiguration: (section) => section === 'help' || Object.keys(values).some((k) => `help.${k}`.startsWith(section)) });
}

export const workspace = {
  onDidChangeConfiguration: changeConfiguration.event,
  getConfiguration: (_section?: string) => ({ get: <T>(key: string, fallback?: T) => (key in settingValues ? (settingValues[key] as T) : fallback) }),
  textDocuments: [] as MockDocument[],
  onDidChangeTextDocument: events.changeText.event,
  onDidCloseTextDocument: events.closeText.event,
  onDidOpenTextDocument: events.openText.event,
  async openTextDocument(uri: MockUri) {
    const d = workspace.textDocuments.find((x) => x.uri.toString() === uri.toString());
    if (!d) throw new Error(`cannot open ${uri.toString()}`);
    return d;
  },
  async applyEdit(edit: WorkspaceEdit): Promise<boolean> {
    if (!ui.applyEditResult) return false;
    // Last first, so that earlier offsets stay valid.
    for (const e of [...edit.edits].reverse()) {
      const d = workspace.textDocuments.find((x) => x.uri.toString() === e.uri.toString());
      if (!d) return false;
      d.edit(d.offsetAt(e.range.start), d.offsetAt(e.range.end), e.text);
    }
    return true;
  },
};

export const languages = {
  createDiagnosticCollection(name: string) {
    const byUri = new Map<string, Diagnostic[]>();
    diagnosticCollections.set(name, byUri);
    return {
      name,
      set: (uri: MockUri, ds: Diagnostic[]) => byUri.set(uri.toString(), ds),
      delete: (uri: MockUri) => byUri.delete(uri.toString()),
      get: (uri: MockUri) => byUri.get(uri.toString()),
      clear: () => byUri.clear(),
      dispose: () => byUri.clear(),
    };
  },
  registerCodeActionsProvider(selector: unknown, provider: any, metadata: any) {
    registered.codeActionProviders.push({ selector, provider, metadata });
    return disposable;
  },
};

export const commands = {
  registerCommand(id: string, fn: (...args: any[]) => unknown) {
    registered.commands.set(id, fn);
    return disposable;
  },
  executeCommand(id: string, ...args: unknown[]) {
    return registered.commands.get(id)?.(...args);
  },
};

export class MarkdownString {
  isTrusted?: unknown;
  constructor(
    public value = '',
    public supportThemeIcons?: boolean,
  ) {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
}

export class Hover {
  constructor(
    readonly contents: MarkdownString,
    readonly range?: Range,
  ) {}
}

export class FileDecoration {
  constructor(
    public badge?: string,
    public tooltip?: string,
  ) {}
}

export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const QuickPickItemKind = { Separator: -1, Default: 0 };

/** A token that is never cancelled. */
export const noCancel = { isCancellationRequested: false, onCancellationRequested: () => disposable };

export const vscode = {
  EventEmitter,
  CodeLens,
  Position,
  Range,
  Selection,
  CodeAction,
  CodeActionKind,
  Diagnostic,
  DiagnosticSeverity,
  Uri,
  WorkspaceEdit,
  window,
  workspace,
  languages,
  commands,
  ProgressLocation,
  QuickPickItemKind,
  MarkdownString,
  Hover,
  FileDecoration,
};

// require('vscode') from here on returns the stand-in.
const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string; _cache: Record<string, unknown> };
const resolve = M._resolveFilename;
M._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
M._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

/** A webview panel as a custom editor receives it: what it posts is collected, and `send` plays a message
 *  from the webview script. */
export function fakeWebviewPanel(): { panel: unknown; posted: any[]; send: (m: unknown) => void } {
  const posted: any[] = [];
  let onMessage: (m: unknown) => void = () => {};
  const panel = {
    active: true,
    onDidChangeViewState: () => ({ dispose() {} }),
    onDidDispose: () => ({ dispose() {} }),
    webview: {
      options: {},
      html: '',
      cspSource: 'vscode-resource:',
      asWebviewUri: (u: unknown) => u,
      postMessage: async (m: unknown) => posted.push(m),
      onDidReceiveMessage: (f: (m: unknown) => void) => {
        onMessage = f;
      },
    },
  };
  return { panel, posted, send: (m) => onMessage(m) };
}
