// The ONNX viewer shows the same caveats as the hover for the same cell (it dropped them).
import { fakeWebviewPanel, Uri, vscode, workspace } from './vscodeMock';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnnxEditorProvider } from '../../src/extension/onnxEditor';

// What this test needs of VS Code beyond the shared stand-in, here only.
(Uri as any).joinPath ??= (base: { toString(): string }, ...parts: string[]) => Uri.parse([base.toString(), ...parts].join('/'));
(workspace as any).asRelativePath ??= (u: { path: string }) => u.path;
void vscode;

async function viewerMessages(spec: string) {
  const latency = {
    worker: { request: async () => ({ space: 'nasbench201', spec, summary: [] }) },
    allDevices: async () => [{ info: { name: 'gold_6226', space: 'nasbench201', origin: 'table', samples: 30 }, prediction: { ms: 1 } }],
  };
  const provider = new OnnxEditorProvider(Uri.file('/ext') as any, latency as any);
  const { panel, posted, send } = fakeWebviewPanel();

  const uri = Uri.file('/w/cell.onnx');
  provider.resolveCustomEditor(provider.openCustomDocument(uri as any) as any, panel as any);
  send({ type: 'ready' });
  for (let i = 0; i < 50 && !posted.some((m) => m.type === 'latency'); i++) await new Promise((r) => setTimeout(r, 5));
  return posted;
}

test('a cell with dead code: the viewer gets its caveat with the model', async () => {
  const posted = await viewerMessages('|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|avg_pool_3x3~2|');
  const model = posted.find((m) => m.type === 'model');
  assert.ok(model, JSON.stringify(posted));
  assert.equal(model.caveats.length, 1);
  assert.match(model.caveats[0], /^no path from the cell input to its output/);
});

test('a live cell: no caveat', async () => {
  const posted = await viewerMessages('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|');
  assert.deepEqual(posted.find((m) => m.type === 'model').caveats, []);
});
