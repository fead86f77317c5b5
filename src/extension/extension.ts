// The thin VS Code layer. Activation only registers commands: no model is loaded here; predictions come
// from the background worker process.
import * as vscode from 'vscode';
import { WorkerClient } from './worker-client';

interface DeviceInfo {
  name: string;
  space: string;
  origin: string;
  samples: number;
}

export function activate(context: vscode.ExtensionContext): void {
  const worker = new WorkerClient(context.extensionPath);
  context.subscriptions.push({ dispose: () => worker.dispose() });

  context.subscriptions.push(
    vscode.commands.registerCommand('help.showDevices', async () => {
      try {
        const devices = await worker.request<DeviceInfo[]>('devices', { space: 'nasbench201' });
        await vscode.window.showQuickPick(
          devices.map((d) => ({ label: d.name, description: `${d.space} · ${d.origin} · ${d.samples} samples` })),
          { title: 'HELP: built-in devices' },
        );
      } catch (e) {
        void vscode.window.showErrorMessage(`HELP: ${(e as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('help.predictSelection', async () => {
      const editor = vscode.window.activeTextEditor;
      const text = editor?.document.getText(editor.selection).trim();
      if (!text) {
        void vscode.window.showInformationMessage('HELP: select a NAS-Bench-201 cell string first');
        return;
      }
      try {
        const primary = vscode.workspace.getConfiguration('help').get<string[]>('primaryDevices') ?? [];
        const res = await worker.request<Record<string, number[]>>('predict', { space: 'nasbench201', specs: [text], devices: primary });
        const parts = Object.entries(res).map(([d, v]) => `${d} ${v[0].toFixed(2)} ms`);
        void vscode.window.showInformationMessage(`HELP  ${parts.join(' · ')}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`HELP: ${(e as Error).message}`);
      }
    }),
  );
}

export function deactivate(): void {}
