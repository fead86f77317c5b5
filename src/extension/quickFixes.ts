// Quick fixes for the near-miss diagnostics (diagnostics.ts): "Replace with `nor_conv_3x3`", the nearest
// valid op, index or value, preferred (applied by "Auto Fix") when it is the only one.
import vscode = require('vscode');
import { DIAGNOSTIC_SOURCE, SpecDiagnostics } from './diagnostics';

export class SpecQuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: SpecDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !context.only.intersects(vscode.CodeActionKind.QuickFix)) return [];
    // Only where HELP has a diagnostic: most requests (every cursor move) end here without reading anything.
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) return [];
    const from = doc.offsetAt(range.start);
    const to = doc.offsetAt(range.end);
    const actions: vscode.CodeAction[] = [];
    for (const n of this.diagnostics.nears(doc)) {
      if (n.fixes.length === 0 || n.problemEnd < from || n.problemStart > to) continue;
      const diagnostic = ours.find((d) => doc.offsetAt(d.range.start) === n.problemStart && doc.offsetAt(d.range.end) === n.problemEnd);
      for (const f of n.fixes) {
        const action = new vscode.CodeAction(f.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(f.start), doc.positionAt(f.end)), f.text);
        if (diagnostic) action.diagnostics = [diagnostic];
        action.isPreferred = n.preferred;
        actions.push(action);
      }
    }
    return actions;
  }
}
