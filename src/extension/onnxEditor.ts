// A read-only custom editor for .onnx files: the recognised space and architecture (or the model summary),
// the latency table, and "Measure on this machine". Reading the model is the worker's `inspect` method.
import vscode = require('vscode');
import * as fs from 'fs';
import type { InspectResult, MeasureModelResult, OnnxLatencyResult } from '../worker/protocol';
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

/** What the viewer says before any onnx-space device exists (not an error). */
export const ONNX_NO_DEVICE = 'No device for any ONNX model yet: run "HELP: Adapt to this machine" and pick "Any ONNX model (onnx)" to predict this model\'s latency here.';

/** The viewer's label of a NAS-space prediction of the same file ("as a nasbench201 cell"). */
export function nasLabel(space: string): string {
  return space === 'nasbench201' ? 'as a nasbench201 cell' : `as an ${space} architecture`;
}

/** How many files' onnx-space predictions are kept (the explorer asks for every .onnx file it shows). */
const MAX_ONNX_LATENCIES = 500;

/** A prediction of the onnx space as the webview shows it: names neutralised, kernel classes by cost. */
export function shownOnnxLatency(r: OnnxLatencyResult) {
  const shown = (s: string) => neutraliseForDisplay(s);
  return {
    devices: (Array.isArray(r?.devices) ? r.devices : []).map((d) => ({
      name: shown(d.name),
      ms: formatMs(d.ms),
      rawMs: d.ms,
      band: `±${Math.round(d.errorBand * 100)}%`,
      branches: d.branchRange && Number.isFinite(d.branchRange.low) && Number.isFinite(d.branchRange.high) ? `${formatMs(d.branchRange.low)} to ${formatMs(d.branchRange.high)} by the If branch the data takes (the prediction counts each branch in half of the runs)` : undefined,
      classes: Object.entries(d.byClass)
        .filter(([, v]) => v > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => ({ name: shown(k), ms: formatMs(v), share: d.ms > 0 ? v / d.ms : 0 })),
      top: d.top.map((k) => ({ name: shown(k.name), ops: shown(k.ops), kernelClass: shown(k.kernelClass), ms: formatMs(k.ms) })),
    })),
    notes: (Array.isArray(r?.notes) ? r.notes : []).slice(0, 5).map(shown),
  };
}

export class OnnxEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'help.onnxViewer';
  /** Inspections by file, shared with the file decorations. */
  private readonly inspections = new Map<string, Promise<InspectResult>>();
  /** onnx-space predictions by file (with its size and modification time) and input shapes; forgotten when
   *  devices change (adapted, removed). */
  private readonly onnxLatencies = new Map<string, Promise<OnnxLatencyResult>>();
  /** The open viewers' reloads of their onnx-space predictions. */
  private readonly reloads = new Set<() => void>();
  /** The model of the viewer in front, for the latency panel to follow (panel.ts). */
  private active?: vscode.Uri;
  private readonly activated = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidActivate = this.activated.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly latency: LatencyService,
  ) {
    // A device adapted or removed: every model's onnx-space prediction is asked again.
    latency.onDidChange?.(() => {
      this.onnxLatencies.clear();
      for (const reload of this.reloads) reload();
    });
  }

  /** Any model's predicted latency on every adapted onnx-space device, asked of the worker (never read on
   *  the host), cached by the file's size and modification time. */
  onnxLatency(uri: vscode.Uri): Promise<OnnxLatencyResult> {
    const inputShapes = inputShapesFor(vscode.workspace.getConfiguration('help').get('inputShapes'), uri.fsPath);
    let stamp = '';
    try {
      const st = fs.statSync(uri.fsPath);
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      // Unreadable: the worker says why.
    }
    const key = `${uri.toString()}\n${stamp}\n${inputShapes ? JSON.stringify(inputShapes) : ''}`;
    let p = this.onnxLatencies.get(key);
    if (!p) {
      p = this.latency.worker.request<OnnxLatencyResult>('onnxLatency', inputShapes ? { path: uri.fsPath, inputShapes } : { path: uri.fsPath }, { timeoutMs: 60_000 });
      p.catch(() => this.onnxLatencies.delete(key));
      if (this.onnxLatencies.size >= MAX_ONNX_LATENCIES) this.onnxLatencies.delete(this.onnxLatencies.keys().next().value as string);
      this.onnxLatencies.set(key, p);
    }
    return p;
  }

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
    for (const k of [...this.onnxLatencies.keys()]) if (k.startsWith(`${u}\n`)) this.onnxLatencies.delete(k);
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
    const reload = () => void loadOnnxLatency();
    this.reloads.add(reload);
    panel.onDidDispose(() => {
      this.reloads.delete(reload);
      this.viewState(document.uri, false);
    });
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { title: 'HELP: ONNX model', script: 'onnx.js' });
    const post = (m: unknown) => void panel.webview.postMessage(m);
    // Any model, NAS-space or not: its latency on every adapted onnx-space device, with where the time goes.
    const loadOnnxLatency = async () => {
      try {
        const r = shownOnnxLatency(await this.onnxLatency(document.uri));
        post({ type: 'onnxLatency', ...r, hint: r.devices.length === 0 ? ONNX_NO_DEVICE : undefined });
      } catch (e) {
        const err = e as WorkerError;
        if (err.code === 'unknown-method') return;
        post({ type: 'onnxLatencyError', message: neutraliseForDisplay(shortError(err.message, 300)) });
      }
    };
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
      post({ type: 'model', model: shownModel(model), caveats, nasLabel: model.space ? nasLabel(model.space) : undefined });
      void loadOnnxLatency();
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
    panel.webview.onDidReceiveMessage((m: { type?: string; pick?: unknown }) => {
      if (m?.type === 'ready') void load();
      else if (m?.type === 'measure') {
        // The command returns the measurement (undefined when it did not finish): shown against the predictions.
        // `pick`: "Measure on device…", a help.devices entry chosen (a command device gets a copy of the model
        // with its open input dims fixed); otherwise this machine.
        void Promise.resolve(vscode.commands.executeCommand<MeasureModelResult | undefined>('help.measureOnDevice', { model: document.uri.fsPath, local: m.pick !== true })).then((r) => {
          if (r && typeof r.latency_ms === 'number') post({ type: 'measured', device: neutraliseForDisplay(r.device), ms: formatMs(r.latency_ms), rawMs: r.latency_ms, median: formatMs(r.median_ms) });
        });
      }
    });
  }
}
