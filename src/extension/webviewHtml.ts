// The HTML shell of HELP's webviews: local assets from media/ only, a strict Content-Security-Policy
// with a per-render nonce, theme colours through VS Code's CSS variables (in the stylesheet).
import * as crypto from 'crypto';
import vscode = require('vscode');

export function nonce(): string {
  return crypto.randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: { title: string; script: string; libs?: readonly string[]; body?: string }): string {
  const n = nonce();
  const media = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', f)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('help.css')}">
<title>${escapeHtml(opts.title)}</title>
</head>
<body>
${opts.body ?? '<main id="app"><p class="muted">Loading…</p></main>'}
${[...(opts.libs ?? []), opts.script].map((f) => `<script nonce="${n}" src="${media(f)}"></script>`).join('\n')}
</body>
</html>`;
}

/** Webview options of every HELP webview: scripts on, local resources from media/ only. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
}
