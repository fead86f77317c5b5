// The CLI contracts for FBNet, OFA and HAT (NAS-Bench-201 is covered by cli.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectBadInput, root, runCli } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-spaces-'));

const run = (...args: string[]) => runCli(tmp, args);

const table = (space: string, file: string) => JSON.parse(fs.readFileSync(path.join(root, 'data', space, file), 'utf8'));

for (const { space, device, badSpec, badPattern } of [
  { space: 'fbnet', device: 'raspi4', badSpec: '["k3_e1"]', badPattern: /FBNet spec: expected 22 ops/ },
  { space: 'ofa', device: 'titan_rtx_32', badSpec: '{"ks": [3], "e": [3], "d": [2], "r": 130}', badPattern: /OFA spec: ks has 1 entries/ },
]) {
  test(`${space}: references, adapt, predict --json in input order, devices, bad specs`, () => {
    const archs: unknown[] = table(space, 'architectures.json');
    const refIdx: number[] = table(space, 'reference_indices.json');
    const lat: number[] = table(space, `latency/${device}.json`);
    const refs = run('references', '--space', space, '--json');
    assert.equal(refs.code, 0, refs.stderr);
    const refSpecs: string[] = JSON.parse(refs.stdout);
    assert.equal(refSpecs.length, 10);
    assert.deepEqual(refSpecs.map((s) => JSON.parse(s)), refIdx.map((i) => archs[i]));

    const shots = [5, 50, 500, 1500, 2500, 3100, 3333, 3500, 3900, 3999].filter((i) => !refIdx.includes(i));
    const samples = path.join(tmp, `${space}-samples.json`);
    fs.writeFileSync(samples, JSON.stringify({ space, device: `my_${device}`, samples: [...refIdx, ...shots].map((i) => ({ arch: archs[i], latency_ms: lat[i] })) }));
    const out = path.join(tmp, `${space}-dev.json`);
    const a = run('adapt', '--space', space, '--samples', samples, '--out', out);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).space, space);

    const queries = [4000, 4001, 4002, 4100, 4200];
    const archsFile = path.join(tmp, `${space}-archs.json`);
    fs.writeFileSync(archsFile, JSON.stringify(queries.map((i) => archs[i])));
    const p = run('predict', '--space', space, '--device', out, '--archs', archsFile, '--json');
    assert.equal(p.code, 0, p.stderr);
    const ms: number[] = JSON.parse(p.stdout);
    assert.equal(ms.length, 5);
    for (const v of ms) assert.ok(Number.isFinite(v) && v > 0);
    // Predictions are within a factor of two of the measured latencies of these unseen architectures.
    ms.forEach((v, k) => assert.ok(v / lat[queries[k]] > 0.5 && v / lat[queries[k]] < 2, `${v} vs ${lat[queries[k]]}`));
    fs.writeFileSync(archsFile, JSON.stringify(queries.map((i) => archs[i]).reverse()));
    const back: number[] = JSON.parse(run('predict', '--space', space, '--device', out, '--archs', archsFile, '--json').stdout);
    assert.deepEqual(back.map((v) => v.toFixed(6)), ms.slice().reverse().map((v) => v.toFixed(6)));

    const d = run('devices', '--space', space, '--json');
    assert.equal(d.code, 0, d.stderr);
    const names = JSON.parse(d.stdout).map((x: { name: string }) => x.name);
    assert.ok(names.includes(device));
    const builtin = run('predict', '--space', space, '--device', device, '--arch', JSON.stringify(archs[4000]));
    assert.equal(builtin.code, 0, builtin.stderr);
    assert.match(builtin.stdout, / ms/);

    expectBadInput(run('predict', '--space', space, '--device', device, '--arch', badSpec), badPattern);
    expectBadInput(run('predict', '--space', space, '--device', 'no_such_device', '--arch', JSON.stringify(archs[0])), /unknown device "no_such_device"/);
  });
}

test('fbnet: a spec written as a Python list or YAML block list predicts the same as JSON', () => {
  const ops: string[] = table('fbnet', 'architectures.json')[4000];
  const json = run('predict', '--space', 'fbnet', '--device', 'fpga', '--arch', JSON.stringify(ops), '--json');
  const py = run('predict', '--space', 'fbnet', '--device', 'fpga', '--arch', `[${ops.map((o) => `'${o}'`).join(', ')}]`, '--json');
  const yaml = run('predict', '--space', 'fbnet', '--device', 'fpga', '--arch', ops.map((o) => `- ${o}`).join('\n'), '--json');
  assert.equal(json.code, 0, json.stderr);
  assert.equal(py.stdout, json.stdout);
  assert.equal(yaml.stdout, json.stdout);
});

test('hat: adapt from the references plus shots, predict YAML configs, LODO eval lists every table', () => {
  const refs: string[] = JSON.parse(run('references', '--space', 'hat', '--json').stdout);
  assert.equal(refs.length, 10);
  // A device whose latency grows with decoder layers and embedding width.
  const lat = (s: string) => {
    const c = JSON.parse(s);
    return 40 + 25 * c['decoder-layer-num-subtransformer'] + c['decoder-embed-dim-subtransformer'] / 16;
  };
  const extra = [1, 2, 3, 4, 5, 6].map((L) => {
    const c = JSON.parse(refs[9]);
    c['decoder-layer-num-subtransformer'] = L;
    return JSON.stringify(c);
  });
  const samples = path.join(tmp, 'hat-samples.json');
  fs.writeFileSync(samples, JSON.stringify({ space: 'hat', device: 'toy', samples: [...refs, ...extra].map((a) => ({ arch: a, latency_ms: lat(a) })) }));
  const out = path.join(tmp, 'hat-dev.json');
  const a = run('adapt', '--space', 'hat', '--samples', samples, '--out', out);
  assert.equal(a.code, 0, a.stderr);
  const yml = fs.readFileSync(path.join(root, 'data', 'examples', 'hat', 'wmt14ende_help_titanrtx@74.0ms.yml'), 'utf8');
  const p = run('predict', '--space', 'hat', '--device', out, '--device', 'wmt14ende_cpu_xeon', '--arch', yml, '--json');
  assert.equal(p.code, 0, p.stderr);
  const r = JSON.parse(p.stdout);
  assert.ok(r.toy[0] > 40 && r.toy[0] < 400, String(r.toy[0]));
  assert.ok(r.wmt14ende_cpu_xeon[0] > 0);
  expectBadInput(run('adapt', '--space', 'hat', '--samples', samples.replace('hat-samples', 'missing'), '--out', out), /cannot read samples file/);
  fs.writeFileSync(samples, JSON.stringify({ space: 'hat', samples: extra.map((x) => ({ arch: x, latency_ms: 10 })) }));
  expectBadInput(run('adapt', '--space', 'hat', '--samples', samples, '--out', out), /missing 9 of the 10 reference architectures/);
  expectBadInput(run('predict', '--space', 'hat', '--device', out, '--arch', '{"encoder-embed-dim-subtransformer": 100}'), /HAT config: /);
  const e = run('eval', '--space', 'hat', '--seeds', '1', '--json');
  assert.equal(e.code, 0, e.stderr);
  const res = JSON.parse(e.stdout).results;
  assert.equal(res.length, 8);
  for (const x of res) assert.ok(x.help.spearman > 0.8, `${x.device}: ${x.help.spearman}`);
});
