// Folders of the repository or the installed extension, found from this file: upward from __dirname to the
// nearest folder with a package.json (src/core/ under tsx, dist/ when bundled, the extension folder when
// installed).
import * as fs from 'fs';
import * as path from 'path';

/** `<root>/<sub>` for the nearest ancestor root of this file holding both package.json and `sub`. */
export function findBesidePackageJson(sub: string): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, sub))) return path.join(dir, sub);
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

let cached: string | undefined;

/** Where the bundled weights live: HELP_WEIGHTS_DIR, else weights/ beside the nearest package.json. */
export function resolveWeightsDir(): string {
  if (process.env.HELP_WEIGHTS_DIR) return process.env.HELP_WEIGHTS_DIR;
  cached ??= findBesidePackageJson('weights');
  if (!cached) throw new Error(`weights/ not found above ${__dirname} (set HELP_WEIGHTS_DIR)`);
  return cached;
}
