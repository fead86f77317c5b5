// "HELP: Find a faster architecture for DEVICE": a code action on every recognised spec (one per primary
// device of its space, and one for any other device) that asks for a latency budget, has the background
// worker find the architectures with the fewest single edits whose predicted latency fits it (`nearestFaster`:
// exact over NAS-Bench-201, a beam search then evolution over FBNet and OFA), shows them with their
// predicted latency and, where known, accuracy, and rewrites the spec in place with the one picked, in the
// form it is written in (specRewrite.ts). HAT has no search: its action is shown disabled, with the reason.
import * as vscode from 'vscode';
import { counted } from '../core/text/plural';
import { FoundSpec, specAt } from '../core/spaces/findSpecs';
import type { LatencyService } from './latency';
import type { SpecIndex } from './specIndex';
import { SPEC_SELECTOR } from './specIndex';
import type { WorkerClient, WorkerError } from './worker-client';
import type { NearestFasterCandidate, NearestFasterParams, NearestFasterResult } from '../worker/protocol';
import { formatMs, originText, shortError } from './lensText';
import { describeEdits } from './archDiff';
import { rewriteSpec, RewritableSpace } from './specRewrite';
import { neutraliseForDisplay } from '../core/text/safeText';

export const FIND_FASTER_COMMAND = 'help.findFasterArchitecture';
export const FASTER_KIND = vscode.CodeActionKind.RefactorRewrite.append('help.fasterArchitecture');

/** Spaces with an architecture search (src/core/nas). */
export const SEARCHABLE_SPACES: readonly string[] = ['nasbench201', 'fbnet', 'ofa'];
export const NO_SEARCH_REASON: Record<string, string> = {
  hat: 'HELP has no architecture search for HAT SubTransformers (only for NAS-Bench-201, FBNet and OFA)',
};
/** The budget the input box proposes: this share of the current predicted latency. */
export const DEFAULT_BUDGET_SHARE = 0.8;

export interface FasterArchitectureDeps {
  latency: Pick<LatencyService, 'primary' | 'spaceDevices' | 'ensure' | 'cached'> & { worker: Pick<WorkerClient, 'request'> };
  index: Pick<SpecIndex, 'specs' | 'current'>;
  log(line: string): void;
}

/** The arguments a code action passes to the command (the palette passes none: the spec under the cursor). */
export interface FindFasterArgs {
  uri: string;
  space: string;
  /** Canonical SPEC and its offsets when the action was offered. */
  spec: string;
  start: number;
  end: number;
  /** Absent: ask for the device. */
  device?: string;
}

const TITLE = 'HELP: Find a faster architecture';

function disabledAction(reason: string): vscode.CodeAction {
  const a = new vscode.CodeAction(TITLE, FASTER_KIND);
  a.disabled = { reason };
  return a;
}

export class FasterArchitectureProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [FASTER_KIND] };

  constructor(private readonly deps: FasterArchitectureDeps) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext, token: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    if (context.only && !context.only.contains(FASTER_KIND)) return [];
    const specs = this.deps.index.specs(doc);
    const spec = specAt(specs, doc.offsetAt(range.start)) ?? specAt(specs, doc.offsetAt(range.end));
    if (!spec) return [];
    if (!SEARCHABLE_SPACES.includes(spec.space)) return [disabledAction(NO_SEARCH_REASON[spec.space] ?? `HELP has no architecture search for ${spec.space}`)];
    const [primary, all] = await Promise.all([this.deps.latency.primary(spec.space), this.deps.latency.spaceDevices(spec.space)]);
    if (token.isCancellationRequested) return [];
    if (primary.error) return [disabledAction(`HELP cannot predict ${spec.space} latency here: ${shortError(primary.error)}`)];
    const action = (title: string, device?: string) => {
      const a = new vscode.CodeAction(title, FASTER_KIND);
      const args: FindFasterArgs = { uri: doc.uri.toString(), space: spec.space, spec: spec.spec, start: spec.start, end: spec.end };
      if (device !== undefined) args.device = device;
      a.command = { command: FIND_FASTER_COMMAND, title, arguments: [args] };
      return a;
    };
    const actions = primary.devices.map((d) => action(`${TITLE} for ${neutraliseForDisplay(d)}`, d));
    if (all.devices.some((d) => !primary.devices.includes(d.name))) actions.push(action(`${TITLE} for another device…`));
    return actions;
  }
}

// ---- the command ----

/** Milliseconds typed by the user ("8", "8.5", "8,5 ms"), or undefined. */
export function parseBudget(text: string): number | undefined {
  const m = /^\s*(\d+(?:[.,]\d*)?|[.,]\d+)\s*(?:ms)?\s*$/i.exec(text);
  if (!m) return undefined;
  const v = Number(m[1].replace(',', '.'));
  return Number.isFinite(v) ? v : undefined;
}

/** Why a typed budget cannot be used, or undefined. */
export function budgetProblem(text: string, currentMs: number | undefined, device: string): string | undefined {
  const v = parseBudget(text);
  if (v === undefined) return 'type a latency budget in milliseconds, e.g. 8.5';
  if (!(v > 0)) return 'the budget must be more than 0 ms';
  if (currentMs !== undefined && v >= currentMs) return `the architecture is already predicted at ${formatMs(currentMs)} on ${device}: type a smaller budget`;
  return undefined;
}

/** The input box's proposal: DEFAULT_BUDGET_SHARE of the current latency, to 3 significant digits. */
export function defaultBudget(currentMs: number | undefined): string {
  if (currentMs === undefined || !(currentMs > 0) || !Number.isFinite(currentMs)) return '';
  return String(Number((currentMs * DEFAULT_BUDGET_SHARE).toPrecision(3)));
}

/** The spec of `space` and `spec` nearest to `near` among `specs` (it may have moved since it was found). */
function relocate(specs: readonly FoundSpec[], was: { space: string; spec: string; start: number }): FoundSpec | undefined {
  let best: FoundSpec | undefined;
  for (const s of specs) {
    if (s.space !== was.space || s.spec !== was.spec) continue;
    if (!best || Math.abs(s.start - was.start) < Math.abs(best.start - was.start)) best = s;
  }
  return best;
}

async function documentOf(uri: string): Promise<vscode.TextDocument | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  if (open) return open;
  try {
    return await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  } catch {
    return undefined;
  }
}

async function chooseDevice(deps: FasterArchitectureDeps, space: string): Promise<string | undefined> {
  const [primary, all] = await Promise.all([deps.latency.primary(space), deps.latency.spaceDevices(space)]);
  if (all.error) {
    void vscode.window.showErrorMessage(neutraliseForDisplay(`HELP: cannot predict ${space} latency here: ${shortError(all.error, 200)}`));
    return undefined;
  }
  const rank = (name: string) => (primary.devices.includes(name) ? primary.devices.indexOf(name) : primary.devices.length);
  const devices = [...all.devices].sort((a, b) => rank(a.name) - rank(b.name));
  // Device names may come from settings or device files: shown neutralised, used as they are.
  const pick = await vscode.window.showQuickPick(
    devices.map((d) => ({ label: neutraliseForDisplay(d.name), description: neutraliseForDisplay(originText(d)), device: d.name })),
    { title: `${TITLE}: device`, placeHolder: `The ${space} device the architecture must be faster on` },
  );
  return pick?.device;
}

function searchWithProgress(deps: FasterArchitectureDeps, title: string, params: NearestFasterParams): Thenable<NearestFasterResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    deps.latency.worker.request<NearestFasterResult>('nearestFaster', params, { timeoutMs: 0, token, onProgress: (p) => progress.report(p) }),
  );
}

export interface CandidateItem extends vscode.QuickPickItem {
  candidate: NearestFasterCandidate;
}

const MAX_LISTED_EDITS = 6;

export function candidateItems(r: NearestFasterResult): CandidateItem[] {
  return r.candidates.map((c) => {
    const parts = [`${Math.round((100 * (r.current_ms - c.predicted_ms)) / r.current_ms)}% faster`];
    if (c.accuracy !== undefined) {
      const delta = r.current_accuracy !== undefined ? ` (${c.accuracy >= r.current_accuracy ? '+' : '−'}${Math.abs(c.accuracy - r.current_accuracy).toFixed(2)})` : '';
      parts.push(`accuracy ${c.accuracy.toFixed(2)}%${delta}`);
    } else if (r.accuracySource) parts.push('accuracy unknown');
    let changes: string[];
    try {
      changes = describeEdits(r.space, r.start, c.spec);
    } catch {
      changes = [];
    }
    const detail = changes.length > MAX_LISTED_EDITS ? [...changes.slice(0, MAX_LISTED_EDITS), `… ${changes.length - MAX_LISTED_EDITS} more`] : changes;
    return { label: `${formatMs(c.predicted_ms)} · ${c.edits} edit${c.edits === 1 ? '' : 's'}`, description: parts.join(' · '), detail: detail.join(' · '), candidate: c };
  });
}

export type PickItem = CandidateItem | vscode.QuickPickItem;

/**
 * The QuickPick's rows: with an accuracy source, the architectures of known accuracy first (a separator
 * naming the source), then the others under "accuracy unknown"; each group in the search's order (fewest
 * edits, then fastest). Unknown ones are mostly cells outside the accuracy table, e.g. convolutions swapped
 * for none or skip, which rarely are what one wants.
 */
export function rankedItems(r: NearestFasterResult): PickItem[] {
  const items = candidateItems(r);
  if (!r.accuracySource) return items;
  const known = items.filter((i) => i.candidate.accuracy !== undefined);
  const unknown = items.filter((i) => i.candidate.accuracy === undefined);
  const separator = (label: string): vscode.QuickPickItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
  return [...(known.length ? [separator(r.accuracySource), ...known] : []), ...(unknown.length ? [separator('accuracy unknown'), ...unknown] : [])];
}

/** The QuickPick's title and placeholder, short enough not to be cut (the method goes to the log). */
export function pickTexts(r: NearestFasterResult, shownDevice: string): { title: string; placeHolder: string } {
  const acc = r.current_accuracy !== undefined ? `, ${r.current_accuracy.toFixed(2)}%` : '';
  const margin = r.margin ? ` less ${(100 * r.margin).toFixed(1)}% margin` : '';
  const knownFirst = r.accuracySource && r.candidates.some((c) => c.accuracy !== undefined) && r.candidates.some((c) => c.accuracy === undefined);
  return {
    title: `HELP: faster on ${shownDevice} · now ${formatMs(r.current_ms)}${acc} · budget ${r.budgetMs} ms${margin}`,
    placeHolder: `${r.candidates.length} found${knownFirst ? ', known accuracy first' : ', fewest edits first'}: pick one to rewrite the architecture`,
  };
}

function methodText(r: NearestFasterResult): string {
  if (r.method === 'exact') return `every architecture within ${r.reached} edit${r.reached === 1 ? '' : 's'} predicted`;
  if (r.method === 'beam') return `beam search, ${r.evaluated} architectures predicted`;
  return `evolutionary search, ${r.evaluated} architectures predicted`;
}

/** Replaces the spec (found again: it may have moved meanwhile) with `target`, in its written form. */
async function rewrite(deps: FasterArchitectureDeps, doc: vscode.TextDocument, was: FoundSpec, target: NearestFasterCandidate, device: string): Promise<boolean> {
  const here = relocate(deps.index.specs(doc), was);
  if (!here) {
    void vscode.window.showWarningMessage('HELP: the architecture changed while HELP was searching; nothing was rewritten.');
    return false;
  }
  const range = new vscode.Range(doc.positionAt(here.start), doc.positionAt(here.end));
  const r = rewriteSpec(here.space as RewritableSpace, doc.getText(range), target.spec);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, range, r.text);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage('HELP: the architecture could not be rewritten (the document may be read-only).');
    return false;
  }
  deps.log(`rewrote a ${here.space} architecture in ${doc.uri.fsPath}: ${counted(target.edits, 'edit')}, predicted ${formatMs(target.predicted_ms)} on ${device}${r.inPlace ? '' : ' (written anew: its form was not recognised)'}`);
  vscode.window.setStatusBarMessage(`HELP: ${target.edits} edit${target.edits === 1 ? '' : 's'}, ${formatMs(target.predicted_ms)} predicted on ${device}`, 5000);
  return true;
}

export async function findFasterArchitecture(deps: FasterArchitectureDeps, args?: FindFasterArgs): Promise<void> {
  let doc: vscode.TextDocument | undefined;
  let spec: FoundSpec | undefined;
  if (args?.uri) {
    doc = await documentOf(args.uri);
    spec = doc && relocate(deps.index.specs(doc), args);
  } else {
    const editor = vscode.window.activeTextEditor;
    doc = editor?.document;
    spec = deps.index.current(editor);
  }
  if (!doc || !spec) {
    void vscode.window.showInformationMessage(args?.uri ? 'HELP: the architecture is no longer there.' : 'HELP: put the cursor on an architecture (e.g. a NAS-Bench-201 cell string) first.');
    return;
  }
  if (!SEARCHABLE_SPACES.includes(spec.space)) {
    void vscode.window.showInformationMessage(`${NO_SEARCH_REASON[spec.space] ?? `HELP has no architecture search for ${spec.space}`}.`);
    return;
  }
  const space = spec.space;
  const device = args?.device ?? (await chooseDevice(deps, space));
  if (!device) return;
  // The device's name as titles, prompts and messages show it.
  const shownDevice = neutraliseForDisplay(device);

  let current: number | undefined;
  try {
    await deps.latency.ensure(space, [spec.spec], [device]);
    current = deps.latency.cached(space, spec.spec, device)?.ms;
  } catch (e) {
    deps.log(`find a faster architecture: no current latency on ${device}: ${(e as Error).message}`);
  }
  const typed = await vscode.window.showInputBox({
    title: `${TITLE} for ${shownDevice}`,
    prompt: `Latency budget in ms on ${shownDevice}${current !== undefined ? ` (the architecture is predicted at ${formatMs(current)})` : ''}`,
    value: defaultBudget(current),
    validateInput: (v) => budgetProblem(v, current, shownDevice),
  });
  if (typed === undefined) return;
  const budgetMs = parseBudget(typed);
  if (budgetMs === undefined || budgetProblem(typed, current, device)) return;

  let result: NearestFasterResult;
  try {
    result = await searchWithProgress(deps, `HELP: searching ${space} architectures under ${budgetMs} ms on ${shownDevice}`, { space, spec: spec.spec, device, budgetMs });
  } catch (e) {
    const err = e as WorkerError;
    if (err?.code === 'cancelled') return;
    const text = neutraliseForDisplay(`HELP: cannot search faster architectures: ${shortError(err?.message ?? String(e), 200)}`);
    void (err?.code === 'unsupported' ? vscode.window.showInformationMessage(text) : vscode.window.showErrorMessage(text));
    return;
  }
  deps.log(`nearestFaster ${space} on ${device} under ${budgetText(result)}: ${result.candidates.length} found (${methodText(result)}, ${result.seconds} s)${result.accuracySource ? `; accuracy: ${result.accuracySource}` : ''}`);

  if (result.candidates.length === 0) {
    const f = result.fastest;
    const within = result.method === 'exact' ? `within ${counted(result.reached, 'edit')} ` : '';
    const headroom = result.margin ? `; the ${result.budgetMs} ms budget less a ${(100 * result.margin).toFixed(1)}% margin for prediction error` : '';
    const msg = `HELP: no ${space} architecture ${within}is predicted under ${result.margin ? `${result.searchBudgetMs.toFixed(2)} ms` : `${budgetMs} ms`} on ${shownDevice} (${methodText(result)}${headroom})` + (f ? `; the fastest found runs in ${formatMs(f.predicted_ms)} (${counted(f.edits, 'edit')}).` : '.');
    const use = 'Use the fastest';
    const choice = f && f.predicted_ms < result.current_ms ? await vscode.window.showInformationMessage(msg, use) : await vscode.window.showInformationMessage(msg);
    if (choice === use && f) await rewrite(deps, doc, spec, f, device);
    return;
  }

  const pick = await vscode.window.showQuickPick(rankedItems(result), { ...pickTexts(result, shownDevice), matchOnDescription: true, matchOnDetail: true });
  if (!pick || !('candidate' in pick)) return;
  await rewrite(deps, doc, spec, pick.candidate, device);
}

/** "8 ms", or with headroom for the device's prediction error "8 ms, searched under 7.78 ms: 2.9% margin". */
export function budgetText(r: { budgetMs: number; margin?: number; searchBudgetMs?: number }): string {
  if (!r.margin || r.searchBudgetMs === undefined) return `${r.budgetMs} ms`;
  return `${r.budgetMs} ms, searched under ${r.searchBudgetMs.toFixed(2)} ms: ${(100 * r.margin).toFixed(1)}% margin for prediction error`;
}

/** The code action provider on every spec and the command its actions run. */
export function registerFasterArchitecture(deps: FasterArchitectureDeps): vscode.Disposable[] {
  return [
    vscode.languages.registerCodeActionsProvider(SPEC_SELECTOR, new FasterArchitectureProvider(deps), FasterArchitectureProvider.metadata),
    vscode.commands.registerCommand(FIND_FASTER_COMMAND, (args?: FindFasterArgs) => findFasterArchitecture(deps, args)),
  ];
}
