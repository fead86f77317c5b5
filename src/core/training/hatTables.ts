// Reads HAT's latency datasets (data/hat/latency/<task>_<hardware>_all.csv): each file samples its own
// 2,000 SubTransformers and gives their 10 averaged config features and the mean encoder and decoder
// latency. We treat every file as one device whose latency is encoder + decoder.
import * as fs from 'fs';
import * as path from 'path';
import { HAT_FEATURE_NAMES } from '../spaces/hat';
import { resolveDataDir } from './dataset';

export interface HatTable {
  device: string;
  features: number[][];
  latency: number[];
}

export function loadHatTables(dataDir = resolveDataDir()): HatTable[] {
  const dir = path.join(dataDir, 'hat', 'latency');
  if (!fs.existsSync(dir)) throw new Error(`no HAT latency tables under ${dir}`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('_all.csv'))
    .sort()
    .map((f) => {
      const lines = fs.readFileSync(path.join(dir, f), 'utf8').trim().split(/\r?\n/);
      const header = lines[0].split(',');
      HAT_FEATURE_NAMES.forEach((n, i) => {
        if (header[i] !== n) throw new Error(`${f}: column ${i + 1} is "${header[i]}", expected "${n}"`);
      });
      const enc = header.indexOf('latency_mean_encoder');
      const dec = header.indexOf('latency_mean_decoder');
      const rows = lines.slice(1).map((l) => l.split(',').map(Number));
      return {
        device: f.slice(0, -'_all.csv'.length),
        features: rows.map((r) => r.slice(0, HAT_FEATURE_NAMES.length)),
        latency: rows.map((r) => r[enc] + r[dec]),
      };
    });
}
