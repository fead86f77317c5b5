// Hostile-input benchmark for the background worker (issue 16, items 10 and 11); part of `npm run bench:hostile`
// (`node --import tsx bench/hostile/worker.ts [--quick]`; needs dist/worker.js: `node esbuild.js`).
// 1. Timeout storms during a measurement: N requests as the editor makes them (inspections of .onnx files,
//    histograms of the whole space for one device after another), each with a 100 ms deadline, while a
//    device command is being measured. How long the callers wait for their "timeout", how long the worker
//    then takes to answer, how often it was restarted, and whether the measurement survived.
// 2. Responsiveness inside one long request: the largest ping delay while the whole NAS-Bench-201 space is
//    predicted, and how long a running 62,500-architecture prediction takes to stop once cancelled.
// 3. neutraliseForDisplay over adversarial text (unterminated escape sequences, bidi runs) from 1 KB to 10 MB.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WorkerClient, WorkerError } from '../../src/extension/worker-client';
import { neutraliseForDisplay } from '../../src/core/text/safeText';
import { writeNasBench201 } from '../../src/core/onnx/writer';

const quick = process.argv.includes('--quick');
const root = path.resolve(__dirname, '..', '..');
const workerPath = path.join(root, 'dist', 'worker.js');
const archs: string[] = JSON.parse(fs.readFileSync(path.join(root, 'data', 'nasbench201', 'architectures.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-bench-worker-'));
const fake = `/bin/sh ${JSON.stringify(path.join(root, 'test', 'fixtures', 'devices', 'fake-device.sh'))} {model} 0.02`;
const models = Array.from({ length: 20 }, (_, k) => {
  const f = path.join(tmp, `m${k}.onnx`);
  fs.writeFileSync(f, writeNasBench201(archs[k * 700]));
  return f;
});
const DEVICES = ['pixel2', 'gold_6226', 'raspi4', 'fpga', 'eyeriss', 'pixel3', 'samsung_a50', 'samsung_s7', 'silver_4114', 'titan_rtx_1'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = (ms: number) => (ms / 1000).toFixed(2);

/** A cancellation token and the function that fires it. */
function cancellable() {
  let fire = () => {};
  const token = { isCancellationRequested: false, onCancellationRequested: (l: () => void) => ((fire = l), { dispose() {} }) };
  return { token, cancel: () => fire() };
}

async function storm(n: number): Promise<string> {
  const c = new WorkerClient(workerPath, { initParams: () => ({ adaptedDir: tmp }) });
  try {
    let started!: () => void;
    const first = new Promise<void>((r) => (started = r));
    const { token, cancel } = cancellable();
    let outcome = 'running';
    const measurement = c.request('measure', { device: { name: 'board', runner: 'command', space: 'nasbench201', command: fake }, outDir: tmp, extra: 0, trusted: true }, { token, onProgress: () => started() });
    measurement.then(
      () => (outcome = 'finished'),
      (e: WorkerError) => (outcome = e.code),
    );
    await first;
    const t0 = Date.now();
    const codes = await Promise.all(
      Array.from({ length: n }, (_, k) =>
        (k % 2 ? c.request('histogram', { space: 'nasbench201', device: DEVICES[(k >> 1) % DEVICES.length] }, { timeoutMs: 100 }) : c.request('inspect', { path: models[(k >> 1) % models.length] }, { timeoutMs: 100 })).then(
          () => 'answered',
          (e: WorkerError) => e.code,
        ),
      ),
    );
    const heard = Date.now() - t0;
    const t1 = Date.now();
    let answer: string;
    try {
      await c.request('predict', { space: 'nasbench201', specs: [archs[5]], devices: ['pixel2'] }, { timeoutMs: 60_000 });
      answer = s(Date.now() - t1);
    } catch (e) {
      answer = `failed (${(e as WorkerError).code})`;
    }
    await sleep(200);
    const survived = outcome === 'running' ? 'yes' : `no (${outcome})`;
    cancel();
    await measurement.catch(() => undefined);
    return `| ${n} | ${codes.filter((x) => x === 'timeout').length} | ${s(heard)} | ${answer} | ${c.starts - 1} | ${survived} |`;
  } finally {
    c.dispose();
  }
}

async function responsiveness(): Promise<string[]> {
  const c = new WorkerClient(workerPath, { initParams: () => ({}) });
  try {
    await c.request('predict', { space: 'nasbench201', specs: [archs[1]], devices: ['pixel2'] }, { timeoutMs: 60_000 });
    let done = false;
    const t0 = Date.now();
    const long = c.request('predict', { space: 'nasbench201', specs: archs, devices: ['pixel2'] }, { timeoutMs: 0 }).finally(() => (done = true));
    let worst = 0;
    let pings = 0;
    while (!done) {
      const p0 = Date.now();
      await c.request('ping', undefined, { timeoutMs: 0 });
      worst = Math.max(worst, Date.now() - p0);
      pings++;
      await sleep(50);
    }
    await long;
    const whole = Date.now() - t0;
    const { token, cancel } = cancellable();
    const huge = c.request('predict', { space: 'nasbench201', specs: [...archs, ...archs, ...archs, ...archs], devices: ['pixel2'] }, { timeoutMs: 0, token });
    huge.catch(() => undefined);
    await sleep(1000);
    cancel();
    const t1 = Date.now();
    await c.request('ping', undefined, { timeoutMs: 0 });
    const pingAfterCancel = Date.now() - t1;
    await c.request('predict', { space: 'nasbench201', specs: [archs[2]], devices: ['pixel2'] }, { timeoutMs: 0 });
    const stopped = Date.now() - t1;
    return [
      `| whole space (15,625) predicted | ${s(whole)} s | largest ping delay ${worst} ms over ${pings} pings |`,
      `| 62,500 architectures, cancelled after 1 s | next request answered ${s(stopped)} s after the cancel | ping ${pingAfterCancel} ms |`,
    ];
  } finally {
    c.dispose();
  }
}

function neutralise(): string[] {
  const sizes = quick ? [1e3, 1e5, 1e6] : [1e3, 1e5, 1e6, 1e7];
  const patterns: Record<string, (n: number) => string> = {
    'ESC [ then parameters (unterminated CSI)': (n) => '\x1b[' + '0;'.repeat(n / 2),
    'ESC ] then text (unterminated OSC)': (n) => '\x1b]' + 'a'.repeat(n),
    'ESC [ repeated': (n) => '\x1b['.repeat(n / 2),
    'bidi, controls and CSI mixed': (n) => '\u202e\x07\x1b[31ma\r\n'.repeat(n / 8),
  };
  const rows: string[] = [];
  for (const [name, make] of Object.entries(patterns)) {
    const cells = sizes.map((n) => {
      const text = make(n);
      const t0 = process.hrtime.bigint();
      neutraliseForDisplay(text, true);
      return `${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`;
    });
    rows.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  return [`| input | ${sizes.map((n) => (n >= 1e6 ? `${n / 1e6} MB` : `${n / 1e3} KB`)).join(' | ')} |`, `|---|${sizes.map(() => '---:').join('|')}|`, ...rows];
}

async function main(): Promise<void> {
  if (!fs.existsSync(workerPath)) throw new Error(`${workerPath} is missing: run node esbuild.js first`);
  console.log('Timeout storms during a measurement (inspections and whole-space histograms, each with a 100 ms deadline):\n');
  console.log('| requests | timed out | callers told within (s) | next answer (s) | restarts | measurement survived |');
  console.log('|---:|---:|---:|---:|---:|---|');
  for (const n of quick ? [1, 10] : [1, 10, 50]) console.log(await storm(n));
  console.log('\nInside one long request:\n');
  console.log('| request | time | responsiveness |');
  console.log('|---|---|---|');
  for (const row of await responsiveness()) console.log(row);
  console.log('\nneutraliseForDisplay (multiline) over adversarial text:\n');
  for (const row of neutralise()) console.log(row);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
