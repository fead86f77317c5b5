// The command runner: template splitting without a shell, output parsing, timeouts that kill the process
// group, failures quoting the device's output, and no shell injection through the template or the path.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commandArgv, CommandRunner, parseLatencyOutput, runCommandOnce, splitTemplate, TemplateError } from '../../../src/core/devices/runners/command';
import { CancelledError, MeasurementError } from '../../../src/core/devices/runners/runner';
import { measureArchitectures } from '../../../src/core/devices/measure';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'devices');
const node = JSON.stringify(process.execPath);
const fake = JSON.stringify(path.join(fixtures, 'fake-device.js'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-cmd-'));
const model = path.join(tmp, 'model.onnx');
fs.writeFileSync(model, Buffer.alloc(1_500_000));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('templates split like a shell would, with no expansion', () => {
  assert.deepEqual(splitTemplate(`ssh pi@board ./bench --model {model}`), ['ssh', 'pi@board', './bench', '--model', '{model}']);
  assert.deepEqual(splitTemplate(`a 'b c' "d \\"e\\" $HOME" f\\ g`), ['a', 'b c', 'd "e" $HOME', 'f g']);
  assert.deepEqual(splitTemplate(`bench '' x`), ['bench', '', 'x']);
  assert.deepEqual(splitTemplate(`C:\\tools\\bench.exe {model}`), ['C:\\tools\\bench.exe', '{model}']);
  assert.deepEqual(splitTemplate(`adb shell 'cd /data && ./bench; echo done'`), ['adb', 'shell', 'cd /data && ./bench; echo done']);
  assert.throws(() => splitTemplate(`a 'b`), TemplateError);
  assert.throws(() => splitTemplate(`a "b`), TemplateError);
  for (const t of ['bench {model}; touch x', 'bench {model} | tail -1', 'bench {model} && x', 'bench {model} > out', 'bench `id` {model}', 'bench $(id) {model}']) {
    assert.throws(() => splitTemplate(t), (e: Error) => e instanceof TemplateError && /without a shell/.test(e.message), t);
  }
});

test('{model} and ${model} become the path, inside one argument', () => {
  assert.deepEqual(commandArgv('bench --model={model} -x', '/tmp/a b/m.onnx'), ['bench', '--model=/tmp/a b/m.onnx', '-x']);
  assert.deepEqual(commandArgv('bench ${model}', '/m$&.onnx'), ['bench', '/m$&.onnx']);
  assert.throws(() => commandArgv('bench --model x.onnx', '/m.onnx'), /must contain \{model\}/);
  assert.throws(() => commandArgv('{model} --run', '/m.onnx'), /cannot be the program/);
  assert.throws(() => commandArgv('   ', '/m.onnx'), /empty/);
});

test('output: a bare number or a latency_ms line; anything else is no latency', () => {
  assert.equal(parseLatencyOutput('12.5\n'), 12.5);
  assert.equal(parseLatencyOutput('  3e-1 '), 0.3);
  assert.equal(parseLatencyOutput('warming up\nlatency_ms: 4.25\n'), 4.25);
  assert.equal(parseLatencyOutput('latency_ms = 7\nLATENCY_MS: 8'), 8);
  for (const bad of ['', 'fast', '12 ms', 'loading\n12.5', 'latency_ms: twelve', 'latency: 3', '12.5.3', '-4']) assert.equal(parseLatencyOutput(bad), undefined, bad);
});

test('a device that sleeps a known time reports that time', async () => {
  const t0 = Date.now();
  const ms = await runCommandOnce({ template: `${node} ${fake} {model} --sleep 150` }, model);
  assert.equal(ms, 150);
  assert.ok(Date.now() - t0 >= 150);
  assert.equal(await runCommandOnce({ template: `${node} ${fake} {model} --bare` }, model), 1.5);
});

test('a hanging device is stopped at the timeout, with what it started', async () => {
  const pidFile = path.join(tmp, 'grandchild.pid');
  const t0 = Date.now();
  await assert.rejects(runCommandOnce({ template: `${node} ${JSON.stringify(path.join(fixtures, 'hang.js'))} {model} ${JSON.stringify(pidFile)}`, timeoutS: 0.6 }, model), (e: Error) => {
    assert.ok(e instanceof MeasurementError);
    assert.match(e.message, /no answer within 0\.6 s/);
    assert.match(e.message, /starting benchmark/);
    return true;
  });
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  // Gone, or a zombie nobody reaped yet (its parent is dead): either way no longer running.
  const running = () => {
    try {
      return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 30 && running(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(running(), false, 'the grandchild was killed with its process group');
});

test('garbage output and non-zero exits are failed measurements quoting the device', async () => {
  await assert.rejects(runCommandOnce({ template: `${node} ${JSON.stringify(path.join(fixtures, 'garbage.js'))} {model}` }, model), (e: Error) => {
    assert.ok(e instanceof MeasurementError);
    assert.match(e.message, /did not print a latency/);
    assert.match(e.message, /"Model loaded in 12 ms throughput: very fast"/);
    return true;
  });
  await assert.rejects(runCommandOnce({ template: `${node} ${JSON.stringify(path.join(fixtures, 'fail.js'))} {model}` }, model), (e: Error) => {
    assert.ok(e instanceof MeasurementError);
    assert.match(e.message, /exited with code 3: "error: no devices\/emulators found"/);
    return true;
  });
  await assert.rejects(runCommandOnce({ template: `/nonexistent/bench {model}` }, model), /cannot run "\/nonexistent\/bench": ENOENT/);
  const long = path.join(tmp, 'long.js');
  fs.writeFileSync(long, `process.stdout.write('x'.repeat(5000))`);
  await assert.rejects(runCommandOnce({ template: `${node} ${JSON.stringify(long)} {model}` }, model), (e: Error) => e.message.length < 400 && /x…"/.test(e.message));
});

test('no shell: metacharacters in the path or quoted in the template are plain arguments', async () => {
  const dir = path.join(tmp, 'inject');
  fs.mkdirSync(dir);
  const evil = path.join(dir, 'a; touch PWNED1 $(touch PWNED2) `touch PWNED3` | touch PWNED4.onnx');
  fs.writeFileSync(evil, Buffer.alloc(1000));
  const log = path.join(dir, 'argv.log');
  const ms = await runCommandOnce({ template: `${node} ${fake} {model} --log ${JSON.stringify(log)} '; touch PWNED5'`, cwd: dir }, evil);
  assert.equal(ms, 0.001);
  const argv = JSON.parse(fs.readFileSync(log, 'utf8').trim());
  assert.deepEqual(argv, [evil, '--log', log, '; touch PWNED5']);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('PWNED')), []);
  // And an unquoted operator is refused before anything runs.
  assert.throws(() => new CommandRunner({ template: `${node} ${fake} {model}; touch PWNED6` }), TemplateError);
  assert.equal(fs.existsSync(path.join(process.cwd(), 'PWNED6')), false);
});

test('cancellation stops a running command', async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  const p = runCommandOnce({ template: `${node} ${fake} {model} --sleep 5000` }, model, ac.signal);
  setTimeout(() => ac.abort(), 200);
  await assert.rejects(p, CancelledError);
  assert.ok(Date.now() - t0 < 2500);
});

test('an unreachable device (no answer) fails within the first-run timeout, and the measurement stops there; once a device has answered, runs get the full timeout', async () => {
  const pidFile = path.join(tmp, 'unreachable.pid');
  // The full timeout (2 s, three architectures) would take over 6 s; the first-run timeout 0.4 s.
  const runner = new CommandRunner({ template: `${node} ${JSON.stringify(path.join(fixtures, 'hang.js'))} {model} ${JSON.stringify(pidFile)}`, timeoutS: 2, firstRunTimeoutS: 0.4 });
  const failures: string[] = [];
  const t0 = Date.now();
  await assert.rejects(
    measureArchitectures(runner, ['a', 'b', 'c'].map((arch) => ({ arch, model: () => model })), { onFailure: (_arch, m) => failures.push(m) }),
    (e: Error) => {
      assert.ok(e instanceof MeasurementError && e.fatal, String(e));
      assert.match(e.message, /did not answer its first run within 0\.4 s/);
      assert.match(e.message, /firstRunTimeoutS/);
      return true;
    },
  );
  assert.ok(Date.now() - t0 < 2500, `took ${Date.now() - t0} ms`);
  assert.equal(failures.length, 1, 'one attempt, logged');
  // The default first-run timeout is 15 s, or the run timeout if shorter.
  assert.equal(new CommandRunner({ template: `${node} ${fake} {model}` }).settings.firstRunTimeoutS, 15);
  assert.equal(new CommandRunner({ template: `${node} ${fake} {model}`, timeoutS: 5 }).settings.firstRunTimeoutS, 5);

  // Once the device has answered, runs get the full timeout.
  // Answers at once the first time, then takes 2 s a run: longer than the first-run timeout (a shell
  // script, whose start-up is quick even on a loaded machine).
  const slowLater = path.join(tmp, 'slow-later.sh');
  const seen = path.join(tmp, 'slow-later.seen');
  fs.writeFileSync(slowLater, `if [ -f '${seen}' ]; then sleep 2; echo 2000; else : > '${seen}'; echo 1; fi\n`);
  const answering = new CommandRunner({ template: `/bin/sh ${JSON.stringify(slowLater)} {model}`, timeoutS: 10, firstRunTimeoutS: 1.5 });
  const s = await answering.open(model);
  assert.equal(await s.run(), 1);
  assert.equal(await s.run(), 2000);
});

test("a failure quotes the end of the device's error output, where the error is", async () => {
  const noisy = path.join(tmp, 'noisy.js');
  fs.writeFileSync(noisy, `process.stderr.write('debug1: reading configuration data\\n'.repeat(200) + 'ssh: connect to host board port 22: Connection timed out\\n'); process.exit(255);`);
  await assert.rejects(runCommandOnce({ template: `${node} ${JSON.stringify(noisy)} {model}` }, model), (e: Error) => {
    assert.match(e.message, /exited with code 255: "….*Connection timed out"/);
    assert.ok(e.message.length < 400);
    return true;
  });
});
