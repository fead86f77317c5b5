// Hover on a spec: every registered device of its space with the predicted latency and where the device
// comes from (built-in table / profile / adapted with n samples and date).
import vscode = require('vscode');
import { specAt } from '../core/spaces/findSpecs';
import { specCaveats } from '../core/spaces/caveats';
import { formatMs, originText, shortError } from './lensText';
import { LatencyService } from './latency';
import { SpecIndex } from './specIndex';
import { perf } from './perf';
import { neutraliseForDisplay } from '../core/text/safeText';

/** `s` as literal Markdown text: escape sequences, controls and bidi neutralised, Markdown syntax escaped. */
function escapeMd(s: string): string {
  return neutraliseForDisplay(s).replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

export class SpecHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly latency: LatencyService,
    private readonly index: SpecIndex,
  ) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const spec = perf.time('hover', () => specAt(this.index.specs(doc), doc.offsetAt(pos)));
    if (!spec) return undefined;
    const range = new vscode.Range(doc.positionAt(spec.start), doc.positionAt(spec.end));
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**HELP** predicted latency · space \`${spec.space}\`\n\n`);
    try {
      const rows = await this.latency.allDevices(spec.space, spec.spec, token);
      if (token.isCancellationRequested) return undefined;
      md.appendMarkdown('| device | latency | origin |\n|:--|--:|:--|\n');
      for (const r of rows) {
        const ms = r.prediction.ms !== undefined ? formatMs(r.prediction.ms) : `— ${escapeMd(shortError(r.prediction.error ?? '', 50))}`;
        md.appendMarkdown(`| ${escapeMd(r.info.name)} | ${ms} | ${escapeMd(originText(r.info))} |\n`);
      }
      for (const c of specCaveats(spec.space, spec.spec)) md.appendMarkdown(`\n$(warning) ${escapeMd(c)}\n`);
      md.appendMarkdown(`\n[Open the latency panel](command:help.showPanel "Open the HELP latency panel")`);
      md.isTrusted = { enabledCommands: ['help.showPanel'] };
    } catch (e) {
      if (token.isCancellationRequested) return undefined;
      const msg = (e as Error).message;
      md.appendMarkdown(/no trained weights/.test(msg) ? `Latency prediction for \`${spec.space}\` is not available yet: this build has no trained weights for it.` : escapeMd(shortError(msg, 200)));
    }
    return new vscode.Hover(md, range);
  }
}
