// The latency panel (a webview beside the editor): per-device bars for the current architecture, a
// histogram of predicted latency over the space on a chosen device with the current architecture marked,
// and predicted vs measured for the samples of adapted devices. Follows the active editor, and the ONNX
// viewer in front (its recognised architecture); a window reload restores it (WebviewPanelSerializer).
import { isMeasurableSpace } from '../core/devices/measurable';
import vscode = require('vscode');
import { specCaveats } from '../core/spaces/caveats';
import type { FoundSpec } from '../core/spaces/findSpecs';
import { specAt } from '../core/spaces/findSpecs';
import type { AdaptedSamplesResult, HistogramResult, InspectResult } from '../worker/protocol';
import { LatencyService } from './latency';
import { SpecIndex } from './specIndex';
import { perf } from './perf';
import { originText, shortError } from './lensText';
import { webviewHtml, webviewOptions } from './webviewHtml';
import { neutraliseForDisplay } from '../core/text/safeText';

// Device names (settings, adapted device files) go to the webview twice: `name` as the key the webview sends
// back, `label` neutralised (escape sequences, controls, bidi characters) for display.
const label = (name: string) => neutraliseForDisplay(name);

export interface PanelTarget {
  space: string;
  spec: string;
  /** Where it came from, for the header. */
  source?: string;
}

/** The ONNX viewers, for following the one in front (onnxEditor.ts). */
export interface ModelViewers {
  /** The model of the ONNX viewer in front, if one is. */
  activeModel(): vscode.Uri | undefined;
  readonly onDidActivate: vscode.Event<vscode.Uri>;
  inspect(uri: vscode.Uri): Promise<InspectResult>;
}

/** What the webview saves (vscode.setState) and a reload hands back to the serializer. */
export interface PanelState {
  target?: PanelTarget;
  histDevice?: string;
}

/** Specs longer than this from a saved state are not restored (the state is the webview's to write). */
const MAX_RESTORED_SPEC = 100_000;

/** The target and histogram device of a saved state, when they are well formed. */
export function restoredState(state: unknown): { target?: PanelTarget; histDevice?: string } {
  const s = (state ?? {}) as PanelState;
  const str = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);
  const t = s.target as Partial<PanelTarget> | undefined;
  const space = str(t?.space, 100);
  const spec = str(t?.spec, MAX_RESTORED_SPEC);
  return {
    target: space && spec ? { space, spec, source: str(t?.source, 4096) } : undefined,
    histDevice: str(s.histDevice, 1000),
  };
}

type FromWebview = { type: 'ready' } | { type: 'histogramDevice'; device: string } | { type: 'command'; command: string };

export class LatencyPanel implements vscode.Disposable {
  static readonly viewType = 'help.latencyPanel';
  private panel?: vscode.WebviewPanel;
  private target?: PanelTarget;
  private histDevice?: string;
  private readonly subs: vscode.Disposable[] = [];
  private followTimer?: NodeJS.Timeout;
  private run = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly latency: LatencyService,
    private readonly index: SpecIndex,
    private readonly models?: ModelViewers,
  ) {
    if (models) this.subs.push(models.onDidActivate((uri) => void this.followModel(uri)));
    this.subs.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.follow()),
      vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && this.follow()),
      latency.onDidChange(() => this.panel && void this.refresh()),
    );
  }

  get visible(): boolean {
    return !!this.panel;
  }

  /** Opens (or reveals) the panel on a target, else on the active editor's spec. */
  show(target?: PanelTarget): void {
    if (target) this.target = target;
    else this.target = this.fromEditor(vscode.window.activeTextEditor) ?? this.target;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      void this.refresh();
      return;
    }
    const panel = vscode.window.createWebviewPanel(LatencyPanel.viewType, 'HELP Latency', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.extensionUri));
    this.attach(panel);
    this.followActiveModel();
  }

  /** A panel VS Code restored after a window reload, with the state its webview saved. */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const saved = restoredState(state);
    if (this.panel && this.panel !== panel) {
      // Already opened meanwhile (a command ran first): one panel is enough.
      panel.dispose();
      return;
    }
    this.target = this.fromEditor(vscode.window.activeTextEditor) ?? saved.target ?? this.target;
    this.histDevice = saved.histDevice ?? this.histDevice;
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attach(panel);
    this.followActiveModel();
  }

  private attach(panel: vscode.WebviewPanel): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { title: 'HELP Latency', libs: ['chartScale.js'], script: 'panel.js' });
    panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m), undefined, this.subs);
    panel.onDidDispose(() => this.panel === panel && (this.panel = undefined), undefined, this.subs);
    this.panel = panel;
  }

  /** With no text editor in front but an ONNX viewer, the panel shows the viewer's model. */
  private followActiveModel(): void {
    const uri = !vscode.window.activeTextEditor ? this.models?.activeModel() : undefined;
    if (uri) void this.followModel(uri);
  }

  /** Shows the architecture recognised in the model of the ONNX viewer just brought to front. */
  private async followModel(uri: vscode.Uri): Promise<void> {
    if (!this.panel || !this.models) return;
    if (this.followTimer) clearTimeout(this.followTimer);
    let model: InspectResult | undefined;
    try {
      model = await this.models.inspect(uri);
    } catch {
      model = undefined;
    }
    // Another editor may have come to front while the model was read.
    if (!this.panel || this.models.activeModel()?.toString() !== uri.toString()) return;
    const source = vscode.workspace.asRelativePath(uri);
    if (!model?.space || !model.spec) {
      this.target = undefined;
      this.run++;
      this.post({ type: 'empty', message: `${neutraliseForDisplay(source)}: ${model ? 'not an architecture of a HELP search space' : 'HELP cannot read this model'}; the ONNX viewer says why.` });
      return;
    }
    if (model.space === this.target?.space && model.spec === this.target?.spec) return;
    this.target = { space: model.space, spec: model.spec, source };
    void this.refresh();
  }

  private fromEditor(editor: vscode.TextEditor | undefined): PanelTarget | undefined {
    if (!editor) return undefined;
    const s: FoundSpec | undefined = this.index.current(editor);
    return s && { space: s.space, spec: s.spec, source: vscode.workspace.asRelativePath(editor.document.uri) };
  }

  /** The spec at an offset of a document (CodeLens clicks). */
  targetAt(doc: vscode.TextDocument, offset: number): PanelTarget | undefined {
    const s = specAt(this.index.specs(doc), offset);
    return s && { space: s.space, spec: s.spec, source: vscode.workspace.asRelativePath(doc.uri) };
  }

  private follow(): void {
    if (!this.panel) return;
    if (this.followTimer) clearTimeout(this.followTimer);
    this.followTimer = setTimeout(() => {
      const t = perf.time('panelFollow', () => this.fromEditor(vscode.window.activeTextEditor));
      if (!t || (t.space === this.target?.space && t.spec === this.target?.spec)) return;
      this.target = t;
      void this.refresh();
    }, 300);
  }

  private post(msg: unknown): void {
    void this.panel?.webview.postMessage(msg);
  }

  private onMessage(m: FromWebview): void {
    if (m?.type === 'ready') void this.refresh();
    else if (m?.type === 'histogramDevice' && typeof m.device === 'string') {
      this.histDevice = m.device;
      void this.refreshHistogram(this.run);
    } else if (m?.type === 'command' && ['help.adaptLocal', 'help.addDevice'].includes(m.command)) void vscode.commands.executeCommand(m.command);
  }

  private async refresh(): Promise<void> {
    const run = ++this.run;
    const t = this.target;
    if (!t) {
      this.post({ type: 'empty', message: 'Open a file with an architecture (a NAS-Bench-201 cell string, an FBNet or OFA config, a HAT SubTransformer config) to see its latency.' });
      return;
    }
    this.post({ type: 'target', space: t.space, spec: t.spec, source: t.source === undefined ? undefined : label(t.source), caveats: specCaveats(t.space, t.spec), measurable: isMeasurableSpace(t.space) });
    let rows;
    try {
      rows = await this.latency.allDevices(t.space, t.spec);
    } catch (e) {
      if (run !== this.run) return;
      const msg = (e as Error).message;
      this.post({ type: 'error', message: /no trained weights/.test(msg) ? `Latency prediction for ${t.space} is not available yet: this build has no trained weights for it.` : shortError(msg, 300) });
      return;
    }
    if (run !== this.run) return;
    const primary = await this.latency.primary(t.space);
    this.post({
      type: 'devices',
      rows: rows.map((r) => ({
        name: r.info.name,
        label: label(r.info.name),
        ms: r.prediction.ms,
        error: r.prediction.error === undefined ? undefined : label(r.prediction.error),
        origin: r.info.origin,
        originText: label(originText(r.info)),
        primary: primary.devices.includes(r.info.name),
      })),
    });
    if (!this.histDevice || !rows.some((r) => r.info.name === this.histDevice)) this.histDevice = primary.devices[0] ?? rows[0]?.info.name;
    await this.refreshHistogram(run);
    if (run !== this.run) return;
    const adapted = rows.filter((r) => r.info.origin === 'adapted').map((r) => r.info.name);
    const series: AdaptedSamplesResult[] = [];
    for (const device of adapted) {
      try {
        series.push(await this.latency.worker.request<AdaptedSamplesResult>('adaptedSamples', { space: t.space, device }));
      } catch {
        /* shown as missing */
      }
    }
    if (run === this.run) this.post({ type: 'samples', series: series.map((s) => ({ ...s, label: label(s.device) })) });
  }

  private async refreshHistogram(run: number): Promise<void> {
    const t = this.target;
    if (!t || !this.histDevice) return;
    this.post({ type: 'histogramLoading', device: this.histDevice });
    try {
      const h = await this.latency.worker.request<HistogramResult>('histogram', { space: t.space, device: this.histDevice, spec: t.spec, bins: 40 }, { timeoutMs: 120_000 });
      if (run === this.run) this.post({ type: 'histogram', histogram: { ...h, label: label(h.device) } });
    } catch (e) {
      if (run === this.run) this.post({ type: 'histogramError', message: shortError((e as Error).message, 200) });
    }
  }

  dispose(): void {
    if (this.followTimer) clearTimeout(this.followTimer);
    this.panel?.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
