// Explorer and tab decorations: files with architectures (and .onnx models HELP can read) get a clock-face
// badge (not a number: numbers read as problem counts; help.decorations.badges turns it off) and a tooltip
// with the primary devices' latencies.
import * as path from 'path';
import vscode = require('vscode');
import { findSpecsChunkedWithin } from './chunkedSpecs';
import { perf } from './perf';
import { decorationTooltip, LATENCY_BADGE, onnxDecorationTooltip } from './lensText';
import { describeDevice } from '../core/devices/describe';
import { LatencyService } from './latency';
import { SpecIndex } from './specIndex';
import { Config } from './config';
import { OnnxEditorProvider } from './onnxEditor';

// vscode.FileType.File (a bit: a symbolic link to a file has it too); FIFOs and devices are not read.
const FILE_TYPE_FILE = 1;

export class LatencyDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri | vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly latency: LatencyService,
    private readonly index: SpecIndex,
    private readonly config: Config,
    private readonly onnx: OnnxEditorProvider,
  ) {
    this.subs.push(
      vscode.workspace.onDidSaveTextDocument((d) => this.emitter.fire(d.uri)),
      latency.onDidChange(() => this.emitter.fire(undefined)),
      config.onDidChange(() => this.emitter.fire(undefined)),
    );
  }

  /** Decorations of a file changed (e.g. the lens values of an open document came in). */
  refresh(uri?: vscode.Uri): void {
    perf.mark('fileDecorationsChanged', uri?.path.slice(uri.path.lastIndexOf('/') + 1));
    this.emitter.fire(uri);
  }

  provideFileDecoration(uri: vscode.Uri, token: vscode.CancellationToken): Promise<vscode.FileDecoration | undefined> {
    perf.mark('decorationRequest', uri.path.slice(uri.path.lastIndexOf('/') + 1));
    return perf.time('decoration', () => this.fileDecoration(uri, token));
  }

  private async fileDecoration(uri: vscode.Uri, token: vscode.CancellationToken): Promise<vscode.FileDecoration | undefined> {
    if (uri.scheme !== 'file') return undefined;
    try {
      if (path.extname(uri.fsPath).toLowerCase() === '.onnx') return await this.onnxDecoration(uri, token);
      if (!this.index.eligiblePath(uri.fsPath)) return undefined;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      let specs;
      if (open) specs = this.index.specs(open);
      else {
        // A file that is not open is read on the extension host: bounded by help.maxFileSizeMB and by the
        // scan budget (the finders are linear; past the budget the scan stops and the log says so).
        const stat = await vscode.workspace.fs.stat(uri);
        if ((stat.type & FILE_TYPE_FILE) === 0 || stat.size > this.config.get().maxFileSizeMB * 1024 * 1024) return undefined;
        const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        const scan = perf.time('decorationScan', () => findSpecsChunkedWithin(text));
        this.index.noteScan(uri.fsPath, scan.exceeded);
        specs = scan.specs;
      }
      if (specs.length === 0 || token.isCancellationRequested) return undefined;
      return this.decoration(specs[0].space, specs[0].spec, token, specs.length);
    } catch {
      return undefined;
    }
  }

  /** An .onnx file: its latency on the adapted onnx-space devices (any model), and, for an architecture of a
   *  NAS space, that space's too. Both are asked of the worker (the file is never read on the host) and
   *  cached by the file's size and modification time (onnxEditor.ts). */
  private async onnxDecoration(uri: vscode.Uri, token: vscode.CancellationToken): Promise<vscode.FileDecoration | undefined> {
    const [m, any] = await Promise.all([this.onnx.inspect(uri).catch(() => undefined), this.onnx.onnxLatency(uri).catch(() => undefined)]);
    const nas = m?.space && m.spec && !token.isCancellationRequested ? await this.decoration(m.space, m.spec, token).catch(() => undefined) : undefined;
    const devices = any && Array.isArray(any.devices) ? any.devices : [];
    if (devices.length === 0) return nas;
    const tooltip = onnxDecorationTooltip(devices);
    const badges = vscode.workspace.getConfiguration('help').get<boolean>('decorations.badges', true) !== false;
    return new vscode.FileDecoration(badges ? LATENCY_BADGE : undefined, nas?.tooltip ? `${nas.tooltip}\n${tooltip}` : tooltip);
  }

  private async decoration(space: string, spec: string, token: vscode.CancellationToken, count = 1): Promise<vscode.FileDecoration | undefined> {
    const prim = await this.latency.primary(space);
    if (prim.error || prim.devices.length === 0) return undefined;
    await this.latency.ensure(space, [spec], prim.devices, token);
    const entries = prim.devices.map((d) => ({ device: d, ms: this.latency.cached(space, spec, d)?.ms, what: describeDevice(d).text }));
    const badges = vscode.workspace.getConfiguration('help').get<boolean>('decorations.badges', true) !== false;
    // Without a badge the tooltip still tells the latency (on hovering the file name).
    return new vscode.FileDecoration(badges ? LATENCY_BADGE : undefined, decorationTooltip(space, entries, count));
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.emitter.dispose();
  }
}
