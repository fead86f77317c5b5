// Reads the help.* settings (validated by settings.ts) and warns once per invalid entry.
import vscode = require('vscode');
import { HelpSettings, validateSettings } from './settings';
import { neutraliseForDisplay } from '../core/text/safeText';

export class Config implements vscode.Disposable {
  private readonly warned = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private current?: HelpSettings;

  constructor(private readonly log: (line: string) => void) {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('help')) return;
      this.current = undefined;
      this.emitter.fire();
    });
  }

  /** The settings for a document (language-overridable ones such as help.codeLens.enabled follow it). */
  get(scope?: vscode.TextDocument | vscode.Uri): HelpSettings {
    if (!scope && this.current) return this.current;
    const c = vscode.workspace.getConfiguration('help', scope);
    const { settings, warnings } = validateSettings({
      devices: c.get('devices'),
      primaryDevices: c.get('primaryDevices'),
      codeLensEnabled: c.get('codeLens.enabled'),
      exclude: c.get('exclude'),
      maxFileSizeMB: c.get('maxFileSizeMB'),
      updateDelayMs: c.get('updateDelayMs'),
      adaptExtra: c.get('adapt.extraArchitectures'),
    });
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.log(`settings: ${w}`);
      void vscode.window.showWarningMessage(neutraliseForDisplay(`HELP settings: ${w}`));
    }
    if (!scope) this.current = settings;
    return settings;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
