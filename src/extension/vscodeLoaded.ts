// Marks when `require('vscode')` has returned (VS Code builds the API object for the extension on its first
// call): extension.ts imports this right after perf.ts, so that activation time can be split into VS Code's
// part and the bundle's own.
import vscode = require('vscode');
import { performance } from 'perf_hooks';

export const VSCODE_LOADED_AT = performance.now();
export const VSCODE_VERSION: string = vscode.version;
