// The VSIX's platform target (scripts/package.mjs): VS Code's names for the platforms onnxruntime-node ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('VS Code target names for the platform the binaries were copied for', async () => {
  // @ts-ignore: an ES module script without types
  const { vscodeTarget } = await import('../../scripts/package.mjs');
  assert.equal(vscodeTarget('linux', 'x64', false), 'linux-x64');
  assert.equal(vscodeTarget('linux', 'arm64', false), 'linux-arm64');
  assert.equal(vscodeTarget('linux', 'x64', true), 'alpine-x64');
  assert.equal(vscodeTarget('darwin', 'arm64', false), 'darwin-arm64');
  assert.equal(vscodeTarget('win32', 'x64', false), 'win32-x64');
  assert.throws(() => vscodeTarget('aix', 'ppc64', false), /no VS Code target for aix-ppc64/);
});
