// Where the bundled weights live: HELP_WEIGHTS_DIR, else weights/ beside the nearest package.json above
// this file (src/core/ under tsx, dist/ when bundled, the extension folder when installed).
import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

export function resolveWeightsDir(): string {
  if (process.env.HELP_WEIGHTS_DIR) return process.env.HELP_WEIGHTS_DIR;
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'weights'))) {
      cached = path.join(dir, 'weights');
      return cached;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`weights/ not found above ${__dirname} (set HELP_WEIGHTS_DIR)`);
}
