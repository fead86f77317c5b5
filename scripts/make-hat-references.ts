// Picks HAT's 10 reference SubTransformers (written to src/core/spaces/references.json): 2,000 uniform
// samples (fixed seed) sorted by a rough cost, one from each tenth. Run: node --import tsx scripts/make-hat-references.ts
import * as fs from 'fs';
import { sampleHat, hatFeatures, formatHatConfig } from '../src/core/spaces/hat';
import { makeRng } from '../src/core/spaces/space';
const c = sampleHat(2000, makeRng(2021)).map((x) => ({ spec: formatHatConfig(x), f: hatFeatures(x) }));
const cost = (f: number[]) => f[5] * f[4] * (f[4] + f[6]) + f[1] * f[0] * (f[0] + f[2]) / 4;
c.sort((a, b) => cost(a.f) - cost(b.f));
const refs = Array.from({ length: 10 }, (_, i) => c[Math.floor((i + 0.5) / 10 * c.length)].spec);
const j = JSON.parse(fs.readFileSync('src/core/spaces/references.json', 'utf8'));
j.hat = refs;
fs.writeFileSync('src/core/spaces/references.json', JSON.stringify(j, null, 1) + '\n');
console.log(refs.map(r => JSON.parse(r)['decoder-layer-num-subtransformer']));
