// Reads the help.* settings (validated by settings.ts). Their problems are revalidated on every
// configuration change and shown in ONE notification with an "Open Settings" action, each problem once:
// an unchanged problem is not shown again, one that was fixed and comes back is.
import vscode = require('vscode');
import { HelpSettings, validateSettings } from './settings';
import { neutraliseForDisplay } from '../core/text/safeText';

/** Problems named in the notification (the rest are in the HELP Output channel) and logged in all. */
const SHOWN_PROBLEMS = 3;
const LOGGED_PROBLEMS = 50;

/** The setting a problem is about: "help.devices[2] (...): ..." -> "help.devices" (a bounded scan). */
export function settingOf(problem: string): string {
  let end = 0;
  while (end < problem.length && end < 100 && /[\w.]/.test(problem[end])) end++;
  return problem.slice(0, end).replace(/\.$/, '') || 'help';
}

/** The text of the one notification for new problems. */
export function problemsNotice(problems: readonly string[]): string {
  const n = problems.length;
  const named = problems.slice(0, SHOWN_PROBLEMS).join('; ');
  const more = n > SHOWN_PROBLEMS ? `; and ${n - SHOWN_PROBLEMS} more (see the HELP Output channel)` : '';
  return `HELP settings: ${n === 1 ? 'a problem' : `${n} problems`}, ignored until fixed: ${named}${more}.`;
}

export class Config implements vscode.Disposable {
  /** Problems already shown (kept while they last). */
  private readonly notified = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private current?: HelpSettings;

  constructor(private readonly log: (line: string) => void) {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('help')) return;
      this.current = undefined;
      // Revalidated now (not when something next reads a setting), so that a problem shows as it is made.
      this.get();
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
    this.report(warnings, !scope);
    if (!scope) this.current = settings;
    return settings;
  }

  /** One notification for the problems not shown yet; `all` (an unscoped read) also forgets fixed ones. */
  private report(problems: string[], all: boolean): void {
    if (all) {
      const now = new Set(problems);
      for (const p of [...this.notified]) if (!now.has(p)) this.notified.delete(p);
    }
    const fresh = problems.filter((p) => !this.notified.has(p));
    if (fresh.length === 0) return;
    for (const p of fresh) this.notified.add(p);
    for (const p of fresh.slice(0, LOGGED_PROBLEMS)) this.log(`settings: ${p}`);
    if (fresh.length > LOGGED_PROBLEMS) this.log(`settings: and ${fresh.length - LOGGED_PROBLEMS} more problems`);
    const setting = settingOf(fresh[0]);
    void vscode.window.showWarningMessage(neutraliseForDisplay(problemsNotice(fresh)), 'Open Settings').then((pick) => {
      if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
