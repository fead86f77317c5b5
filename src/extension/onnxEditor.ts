// A read-only custom editor for .onnx files: the recognised space and architecture (or the model summary),
// the latency table, and "Measure on this machine". Reading the model is the worker's `inspect` method.
import vscode = require('vscode');
import type { InspectResult } from '../worker/protocol';
import { inputShapesFor } from './inputShapes';
import { LatencyService } from './latency';
import { formatMs, originText, shortError } from './lensText';
import { webviewHtml, webviewOptions } from './webviewHtml';
import { WorkerError } from './worker-client';
import { neutraliseForDisplay } from '../core/text/safeText';
import { specCaveats } from '../core/spaces/caveats';

/** What the webview shows of an inspection: text from the file (names, operators) and device names are
 *  neutralised (escape sequences, controls, bidi characters). */
function shownModel(m: InspectResult): InspectResult {
  const shown = (s: string) => neutraliseForDisplay(s);
  return {
    ...m,
    spec: m.spec === undefined ? undefined : shown(m.spec),
    reason: m.reason === undefined ? undefined : shown(m.reason),
    notes: m.notes?.map(shown),
    summary: (m.summary ?? []).map(shown),
  };
}

export const ONNX_UNAVAILABLE = 'ONNX support not available in this build';

export class OnnxEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'help.onnxViewer';
  /** Inspections by file, shared with the file decorations. */
  private readonly inspections = new Map<string, Promise<InspectResult>>();
  /** The model of the viewer in front, for the latency panel to follow (panel.ts). */
  private active?: vscode.Uri;
  private readonly activated = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidActivate = this.activated.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly latency: LatencyService,
  ) {}

  inspect(uri: vscode.Uri): Promise<InspectResult> {
    // Input shapes for symbolic dims (help.inputShapes): part of the key, so a changed setting asks again.
    const inputShapes = inputShapesFor(vscode.workspace.getConfiguration('help').get('inputShapes'), uri.fsPath);
    const key = inputShapes ? `${uri.toString()}\n${JSON.stringify(inputShapes)}` : uri.toString();
    let p = this.inspections.get(key);
    if (!p) {
      p = this.latency.worker.request<InspectResult>('inspect', inputShapes ? { path: uri.fsPath, inputShapes } : { path: uri.fsPath }, { timeoutMs: 60_000 });
      // Answers about the file are kept (until it changes), a timeout too: the decorations would otherwise ask
      // again and again about a file too costly to read. Worker trouble is asked again next time.
      p.catch((e: WorkerError) => ['exited', 'unavailable'].includes(e.code) && this.inspections.delete(key));
      this.inspections.set(key, p);
    }
    return p;
  }

  forget(uri: vscode.Uri): void {
    const u = uri.toString();
    for (const k of [...this.inspections.keys()]) if (k === u || k.startsWith(`${u}\n`)) this.inspections.delete(k);
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => this.forget(uri) };
  }

  activeModel(): vscode.Uri | undefined {
    return this.active;
  }

  private viewState(uri: vscode.Uri, active: boolean): void {
    if (active) {
      this.active = uri;
      this.activated.fire(uri);
    } else if (this.active?.toString() === uri.toString()) this.active = undefined;
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    this.viewState(document.uri, panel.active);
    panel.onDidChangeViewState((e) => this.viewState(document.uri, e.webviewPanel.active));
    panel.onDidDispose(() => this.viewState(document.uri, false));
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { title: 'HELP: ONNX model', script: 'onnx.js' });
    const post = (m: unknown) => void panel.webview.postMessage(m);
    const load = async () => {
      const name = vscode.workspace.asRelativePath(document.uri);
      post({ type: 'file', name: neutraliseForDisplay(name) });
      let model: InspectResult;
      try {
        model = await this.inspect(document.uri);
      } catch (e) {
        const err = e as WorkerError;
        const message = err.code === 'unsupported' || err.code === 'unknown-method' ? ONNX_UNAVAILABLE : `HELP cannot read this model: ${shortError(err.message, 300)}`;
        post({ type: 'unavailable', message });
        return;
      }
      // The same caveats as the hover and the lens of the cell in a text file (dead code), shown first.
      const caveats = model.space && model.spec ? specCaveats(model.space, model.spec).map((c) => neutraliseForDisplay(c)) : [];
      post({ type: 'model', model: shownModel(model), caveats });
      if (!model.space || !model.spec) return;
      try {
        const rows = await this.latency.allDevices(model.space, model.spec);
        post({
          type: 'latency',
          rows: rows.map((r) => ({ name: neutraliseForDisplay(r.info.name), ms: r.prediction.ms !== undefined ? formatMs(r.prediction.ms) : '—', origin: neutraliseForDisplay(originText(r.info)) })),
        });
      } catch (e) {
        post({ type: 'latencyError', message: neutraliseForDisplay(shortError((e as Error).message, 300)) });
      }
    };
    panel.webview.onDidReceiveMessage((m: { type?: string }) => {
      if (m?.type === 'ready') void load();
      else if (m?.type === 'measure') void vscode.commands.executeCommand('help.measureOnDevice', { model: document.uri.fsPath, local: true });
    });
  }
}
