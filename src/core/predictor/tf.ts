// Loads tfjs with the fastest backend available here. Only the CLI and the background worker import
// this module: the extension host never loads tfjs (activation must stay light).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';

let ready: Promise<typeof tf> | undefined;

/** Directory holding tfjs-backend-wasm's .wasm files: dist/ when bundled, node_modules under tsx. */
function findWasmDir(): string | undefined {
  const candidates = [__dirname, path.join(__dirname, '..', 'dist')];
  try {
    candidates.push(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    /* bundled: resolved via __dirname */
  }
  return candidates.find((d) => fs.existsSync(path.join(d, 'tfjs-backend-wasm-simd.wasm')));
}

/** Initialise tfjs once. HELP_TF_BACKEND=cpu forces the pure-JS backend (slower, always available). */
export function loadTf(): Promise<typeof tf> {
  if (!ready) {
    ready = (async () => {
      // tfjs prints a banner recommending tfjs-node, which cannot install here; keep stdout clean.
      // It may print lazily, so the filter stays installed; it drops only that banner.
      for (const k of ['log', 'warn'] as const) {
        const orig = console[k];
        console[k] = (...a: unknown[]) => {
          const s = typeof a[0] === 'string' ? a[0] : '';
          if (s.includes('tfjs-node') || s.startsWith('=====') || s.startsWith('Hi, looks like')) return;
          orig(...a);
        };
      }
      const wanted = process.env.HELP_TF_BACKEND ?? 'wasm';
      const wasmDir = findWasmDir();
      try {
        if (wanted === 'wasm' && wasmDir) {
          setWasmPaths(wasmDir + path.sep);
          await tf.setBackend('wasm');
        } else {
          await tf.setBackend('cpu');
        }
      } catch {
        await tf.setBackend('cpu');
      }
      await tf.ready();
      return tf;
    })();
  }
  return ready;
}

export { tf };
