// The thin VS Code layer. Activation registers providers and commands only: no model is loaded here, and
// the background worker (dist/worker.js, which owns tfjs and the predictors) starts on the first request.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { WorkerClient } from './worker-client';
import { Config } from './config';
import { LatencyService } from './latency';
import { SpecIndex, SPEC_SELECTOR } from './specIndex';
import { LensController } from './codeLens';
import { SpecHoverProvider } from './hover';
import { LatencyPanel } from './panel';
import { OnnxEditorProvider } from './onnxEditor';
import { LatencyDecorations } from './decorations';
import { LatencyStatusBar } from './statusBar';
import { registerCommands } from './commands';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('HELP');
  const log = (line: string) => output.appendLine(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const adaptedDir = path.join(context.globalStorageUri.fsPath, 'devices');
  try {
    fs.mkdirSync(adaptedDir, { recursive: true });
  } catch (e) {
    log(`cannot create ${adaptedDir}: ${(e as Error).message}`);
  }

  const worker = new WorkerClient(path.join(context.extensionPath, 'dist', 'worker.js'), { initParams: () => ({ adaptedDir }), log });
  const config = new Config(log);
  config.get(); // warns about invalid settings once, at activation
  const latency = new LatencyService(worker, config);
  const index = new SpecIndex(config);
  const lenses = new LensController(latency, index, config);
  const panel = new LatencyPanel(context.extensionUri, latency, index);
  const onnx = new OnnxEditorProvider(context.extensionUri, latency);
  const decorations = new LatencyDecorations(latency, index, config, onnx);
  const status = new LatencyStatusBar(latency, index);
  // A rewritten model is read again.
  const onnxWatcher = vscode.workspace.createFileSystemWatcher('**/*.onnx');

  context.subscriptions.push(
    output,
    { dispose: () => worker.dispose() },
    config,
    latency,
    lenses,
    panel,
    decorations,
    status,
    vscode.languages.registerCodeLensProvider(SPEC_SELECTOR, lenses),
    vscode.languages.registerHoverProvider(SPEC_SELECTOR, new SpecHoverProvider(latency, index)),
    vscode.window.registerCustomEditorProvider(OnnxEditorProvider.viewType, onnx, { supportsMultipleEditorsPerDocument: true }),
    vscode.window.registerFileDecorationProvider(decorations),
    onnxWatcher,
    ...[onnxWatcher.onDidChange, onnxWatcher.onDidCreate, onnxWatcher.onDidDelete].map((event) =>
      event((uri) => {
        onnx.forget(uri);
        decorations.refresh(uri);
      }),
    ),
    lenses.onDidUpdateValues((uri) => {
      decorations.refresh(uri);
      status.schedule();
    }),
    // Workspace help.devices entries count only once the workspace is trusted.
    vscode.workspace.onDidGrantWorkspaceTrust(() => latency.invalidate()),
    ...registerCommands({ latency, panel, index, config, adaptedDir, log }),
  );
  log(`activated (adapted devices in ${adaptedDir}; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'})`);
}

export function deactivate(): void {}
