// Hover on a spec: the architecture's caveats first, then its primary and adapted devices in a table (what
// each device is, the predicted latency, where the device comes from), then the other devices grouped by
// kind (GPU, CPU, phone, ...), a few per group with their origin said once, the panel one click away.
import vscode = require('vscode');
import { specAt } from '../core/spaces/findSpecs';
import { specCaveats } from '../core/spaces/caveats';
import { DEVICE_KINDS, describeDevice, DeviceKind } from '../core/devices/describe';
import { formatPrediction, originText, shortError } from './lensText';
import type { DeviceInfo } from '../worker/protocol';
import type { Prediction } from './latency';
import { LatencyService } from './latency';
import { SpecIndex } from './specIndex';
import { perf } from './perf';
import { neutraliseForDisplay } from '../core/text/safeText';

/** `s` as literal Markdown text: escape sequences, controls and bidi neutralised, Markdown syntax escaped. */
function escapeMd(s: string): string {
  return neutraliseForDisplay(s).replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/** Devices of a kind group listed in the hover; the rest are in the panel. */
export const HOVER_GROUP_LIMIT = 6;
/** Rows of the first table (primary, then adapted devices); more adapted devices are in the panel. */
export const HOVER_FIRST_LIMIT = 12;

const PANEL_LINK = 'command:help.showPanel "Open the HELP latency panel"';

const KIND_TITLE: Record<DeviceKind, string> = { GPU: 'GPUs', CPU: 'CPUs', phone: 'Phones', accelerator: 'Accelerators', FPGA: 'FPGAs', other: 'Other devices' };

type Row = { info: DeviceInfo; prediction: Prediction };

function latencyText(p: Prediction): string {
  return p.ms !== undefined ? formatPrediction(p.ms, p.atFloor) : `— ${escapeMd(shortError(p.error ?? '', 50))}`;
}

/** The hover's Markdown below its title, for the rows of every device and the names of the primary ones. */
export function hoverMarkdown(rows: readonly Row[], primary: readonly string[], caveats: readonly string[]): string {
  let md = '';
  for (const c of caveats) md += `$(warning) ${escapeMd(c)}\n\n`;
  const isFirst = (r: Row) => primary.includes(r.info.name) || r.info.origin === 'adapted';
  const first = rows.filter(isFirst).sort((a, b) => rank(a) - rank(b));
  function rank(r: Row): number {
    const i = primary.indexOf(r.info.name);
    return i >= 0 ? i : primary.length;
  }
  if (first.length > 0) {
    md += '| primary device | latency | what it is | origin |\n|:--|--:|:--|:--|\n';
    for (const r of first.slice(0, HOVER_FIRST_LIMIT)) md += `| **${escapeMd(r.info.name)}** | **${latencyText(r.prediction)}** | ${escapeMd(describeDevice(r.info.name).text)} | ${escapeMd(originText(r.info))} |\n`;
    if (first.length > HOVER_FIRST_LIMIT) md += `\n[${first.length - HOVER_FIRST_LIMIT} more adapted devices in the panel](${PANEL_LINK})\n`;
    md += '\n';
  }
  const rest = rows.filter((r) => !isFirst(r));
  for (const kind of DEVICE_KINDS) {
    // Batch 1 of every GPU before larger batches: the few listed span the hardware.
    const group = rest
      .filter((r) => describeDevice(r.info.name).kind === kind)
      .map((r, order) => ({ r, order, batch: describeDevice(r.info.name).batch ?? 0 }))
      .sort((a, b) => a.batch - b.batch || a.order - b.order)
      .map((x) => x.r);
    if (group.length === 0) continue;
    const origins = new Set(group.map((r) => originText(r.info)));
    const sameOrigin = origins.size === 1 ? ` · ${escapeMd([...origins][0])}` : '';
    const batches = group.some((r) => describeDevice(r.info.name).batch !== undefined) ? ' (name suffix: batch size)' : '';
    const shown = group.slice(0, HOVER_GROUP_LIMIT).map((r) => {
      const origin = sameOrigin ? '' : ` (${escapeMd(originText(r.info))})`;
      return `${escapeMd(r.info.name)} ${latencyText(r.prediction)}${origin}`;
    });
    const more = group.length > HOVER_GROUP_LIMIT ? ` · [${group.length - HOVER_GROUP_LIMIT} more in the panel](${PANEL_LINK})` : '';
    md += `**${KIND_TITLE[kind]}**${batches}${sameOrigin}: ${shown.join(' · ')}${more}\n\n`;
  }
  if (rows.some((r) => r.prediction.atFloor)) md += `≤: below anything that device was measured at (its floor, 1% of its fastest measurement): a bound, not a latency.\n\n`;
  md += `[Open the latency panel](${PANEL_LINK})`;
  return md;
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
      const primary = await this.latency.primary(spec.space).then(
        (p) => p.devices,
        () => [] as string[],
      );
      md.appendMarkdown(hoverMarkdown(rows, primary, specCaveats(spec.space, spec.spec)));
      md.isTrusted = { enabledCommands: ['help.showPanel'] };
    } catch (e) {
      if (token.isCancellationRequested) return undefined;
      const msg = (e as Error).message;
      md.appendMarkdown(/no trained weights/.test(msg) ? `Latency prediction for \`${spec.space}\` is not available yet: this build has no trained weights for it.` : escapeMd(shortError(msg, 200)));
    }
    return new vscode.Hover(md, range);
  }
}
