// Status bar: the active architecture's latency on its space's first primary device.
import vscode = require('vscode');
import { formatMs } from './lensText';
import { describeDevice } from '../core/devices/describe';
import { neutraliseForDisplay } from '../core/text/safeText';
import { LatencyService } from './latency';
import { SpecIndex } from './specIndex';
import { perf } from './perf';

export class LatencyStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('help.latency', vscode.StatusBarAlignment.Right, 100);
  private readonly subs: vscode.Disposable[] = [];
  private timer?: NodeJS.Timeout;
  private run = 0;

  constructor(
    private readonly latency: LatencyService,
    private readonly index: SpecIndex,
  ) {
    this.item.name = 'HELP latency';
    this.item.command = 'help.showPanel';
    this.subs.push(
      vscode.window.onDidChangeActiveTextEditor(() => {
        perf.mark('activeEditor');
        this.schedule();
      }),
      vscode.window.onDidChangeTextEditorSelection(() => this.schedule()),
      vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && this.schedule()),
      latency.onDidChange(() => this.schedule()),
    );
    this.schedule();
  }

  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => perf.time('statusBar', () => void this.update()), 250);
  }

  private async update(): Promise<void> {
    const run = ++this.run;
    const spec = this.index.current(vscode.window.activeTextEditor);
    if (!spec) {
      this.item.hide();
      return;
    }
    try {
      const prim = await this.latency.primary(spec.space);
      if (run !== this.run) return;
      if (prim.error || prim.devices.length === 0) {
        this.item.text = `$(dashboard) ${spec.space}: no prediction`;
        this.item.tooltip = prim.error;
        this.item.show();
        return;
      }
      const device = prim.devices[0];
      await this.latency.ensure(spec.space, [spec.spec], [device]);
      if (run !== this.run) return;
      const p = this.latency.cached(spec.space, spec.spec, device);
      const shown = neutraliseForDisplay(device);
      this.item.text = `$(dashboard) ${shown} ${p?.ms !== undefined ? formatMs(p.ms) : '—'}`;
      const what = describeDevice(device).text;
      this.item.tooltip = `HELP: predicted latency of the ${spec.space} architecture at the cursor on ${shown}${what ? ` (${what})` : ''}, the first primary device (help.primaryDevices)${p?.error ? `: ${neutraliseForDisplay(p.error)}` : ''}. Click for the latency panel.`;
      this.item.show();
    } catch {
      if (run === this.run) this.item.hide();
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.item.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
