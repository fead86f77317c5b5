// End-to-end test of the packaged extension in a real VS Code (code-server) driven by headless Chromium.
//
//   npm run test:e2e            (HELP_E2E_SKIP_PACKAGE=1 reuses dist/help-latency.vsix)
//
// Builds the VSIX, installs it into a fresh code-server (temp user-data and extensions folders, --auth
// none, a free port), opens a workspace of fixture spec files and checks: the CodeLens "HELP ... ms" above
// a spec (.txt and .py), the hover table, the latency panel with bars (opened from the command palette),
// that editing a spec keeps its lens (stale, then updated), the ONNX viewer, "Adapt to this machine", a
// device added with "HELP: Add device" (written to help.devices) and measured through its command
// (fixtures/fake-bench.mjs stands in for the board's benchmark), the panel restored after a window reload and
// following an ONNX viewer tab, its charts in both themes, and that the extension host did not crash.
// Screenshots go to .cache/screenshots/ (HELP_SCREENSHOTS_DIR overrides it: `npm run screenshots` writes the
// README's images to media/screenshots/), so a test run leaves tracked files alone. Not part of `npm test`
// (test/run-all.mjs skips test/e2e/).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeServerSession, findFiles, QUIET_SETTINGS, root, run, waitFor } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(root, process.env.HELP_SCREENSHOTS_DIR || path.join('.cache', 'screenshots'));
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const NEW_CELL = '|avg_pool_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';
const DEAD_CELL = '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|';
// A typo in the first op: a HELP diagnostic whose quick fix gives CELL.
const MALFORMED_CELL = CELL.replace('nor_conv_3x3~0|+', 'nor_conv_5x5~0|+');
// The cell of issue 17: an average pooling on a path that never reaches the output (and none from the input).
const DEAD_CODE_CELL = '|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|avg_pool_3x3~2|';

const results = [];

function log(s) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${s}`);
}

const session = new CodeServerSession('help-e2e-', log);
const { userData, workspace } = session;

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: e });
    log(`FAIL ${name}: ${e?.message ?? e}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function lensTexts(page) {
  return page.$$eval('.codelens-decoration', (els) => els.map((e) => e.textContent ?? ''));
}

async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(name);
  await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).count()) > 0, `quick open result ${name}`, 15_000);
  await page.keyboard.press('Enter');
  await waitFor(async () => (await page.locator('.tab.active', { hasText: name }).count()) > 0, `tab ${name}`, 15_000);
}

/** The (webview) frame holding more than `min` elements matching `selector`. */
async function findFrame(page, selector, what, timeoutMs = 30_000, min = 0) {
  return waitFor(async () => {
    for (const f of page.frames()) {
      try {
        if ((await f.locator(selector).count()) > min) return f;
      } catch {
        /* a detached frame */
      }
    }
    return undefined;
  }, what, timeoutMs);
}

async function helpLens(page, pred = (t) => /HELP/.test(t) && /\bms\b/.test(t) && !t.includes('…')) {
  return waitFor(async () => (await lensTexts(page)).find(pred), 'a HELP CodeLens with ms', 60_000);
}

/** Moves the mouse onto the cell string in the editor; the visible hover's text once `accept` likes it. */
async function hoverOnCell(page, accept, what) {
  const line = page.locator('.view-line', { hasText: '~0|+|' }).first();
  const box = await line.boundingBox();
  assert(box, 'spec line not visible');
  await page.mouse.move(box.x + 60, box.y + box.height / 2);
  await page.mouse.move(box.x + 80, box.y + box.height / 2);
  return waitFor(async () => {
    const h = page.locator('.monaco-hover:visible').first();
    const s = (await h.count()) ? await h.textContent() : '';
    return s && accept(s) ? s : undefined;
  }, what, 30_000);
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  log(`VSIX ${(session.packageVsix() / 1e6).toFixed(2)} MB`);
  session.installCodeServer();

  fs.cpSync(path.join(here, 'fixtures'), workspace, { recursive: true });
  // A real NAS-Bench-201 network as ONNX, from the project's ONNX writer (when this build has one).
  const writer = path.join(root, 'src', 'core', 'onnx', 'writer.ts');
  const haveOnnx = fs.existsSync(writer);
  if (haveOnnx) {
    const code = `require('fs').writeFileSync(process.argv[1], require(${JSON.stringify(writer)}).writeNasBench201(process.argv[2]))`;
    run(process.execPath, ['--import', 'tsx', '-e', code, path.join(workspace, 'cell.onnx'), CELL], { cwd: root });
    run(process.execPath, ['--import', 'tsx', '-e', code, path.join(workspace, 'dead-code.onnx'), DEAD_CODE_CELL], { cwd: root });
  }
  // A model of no NAS space (one of the onnx space's reference builders), for the any-model latency.
  const references = path.join(root, 'src', 'core', 'onnx', 'referenceModels.ts');
  const haveOnnxSpace = fs.existsSync(references);
  if (haveOnnxSpace) {
    const code = `require('fs').writeFileSync(process.argv[1], require(${JSON.stringify(references)}).ONNX_REFERENCES[0].write())`;
    run(process.execPath, ['--import', 'tsx', '-e', code, path.join(workspace, 'any-model.onnx')], { cwd: root });
  }
  // A cell whose output does not depend on its input: the panel and the hover say so.
  fs.writeFileSync(path.join(workspace, 'dead-cell.txt'), `A degenerate cell:\n\n${DEAD_CELL}\n`);
  fs.writeFileSync(path.join(workspace, 'malformed-cell.txt'), `A cell with a typo:\n\n${MALFORMED_CELL}\n`);
  fs.writeFileSync(path.join(workspace, 'dead-code.txt'), `Dead code:\n\n${DEAD_CODE_CELL}\n`);
  session.writeUserFile('settings.json', {
    ...QUIET_SETTINGS,
    'editor.hover.delay': 200,
    'workbench.colorTheme': 'Default Dark Modern',
    'help.updateDelayMs': 300,
    // "Adapt to this machine" measures the 10 references and 2 more (a short run for the test).
    'help.adapt.extraArchitectures': 2,
    // An invalid entry: activation must warn naming it, not fail.
    'help.devices': [{ name: 'broken board', runner: 'tensorrt' }],
  });
  const inst = await session.start();
  assert(/help-latency/i.test(inst) || /successfully installed/i.test(inst), `install output: ${inst}`);
  const page = session.page;

  await check('an invalid help.devices entry gives a warning naming it (activation goes on)', async () => {
    await openFile(page, 'cell.txt');
    const text = await waitFor(async () => {
      const t = await page.locator('.notifications-toasts').textContent();
      return t && /help\.devices\[0\] \("broken board"\)/.test(t) ? t : undefined;
    }, 'the settings warning', 60_000);
    assert(/runner/.test(text), text);
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill('>Notifications: Clear All Notifications');
    await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Clear All Notifications' }).count()) > 0, 'the clear command', 15_000);
    await page.keyboard.press('Enter');
  });

  await check('CodeLens "HELP ... ms" above the cell string in a .txt file', async () => {
    await openFile(page, 'cell.txt');
    const t = await helpLens(page);
    assert(/gold_6226 [\d.]+ ms/.test(t), `lens text: ${t}`);
    log(`  lens: ${t}`);
    await page.waitForTimeout(500);
    const box = await page.locator('.editor-group-container').first().boundingBox();
    await page.screenshot({ path: path.join(shots, 'codelens.png'), clip: { x: box.x, y: box.y, width: Math.min(box.width, 1000), height: 220 } });
  });

  await check('hover on the spec shows the device table', async () => {
    const text = await hoverOnCell(page, (s) => /origin/.test(s) && /gold_6226/.test(s) && /pixel2/.test(s) && /ms/.test(s), 'the hover table');
    // The primary devices in a table (header + 3 rows), the others grouped by kind below it.
    assert((await page.locator('.monaco-hover:visible table tr').count()) >= 4, 'hover table has rows');
    assert(/GPUs/.test(text) && /Xeon Gold 6226 CPU/.test(text), `devices grouped by kind and explained: ${text.slice(0, 300)}`);
    assert(/nasbench201/.test(text), 'hover names the space');
    await page.locator('.monaco-workbench').screenshot({ path: path.join(shots, 'hover.png') });
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  await check('editing the spec keeps the lens (stale, then updated)', async () => {
    const before = await helpLens(page);
    const line = page.locator('.view-line', { hasText: 'nor_conv_3x3~0|+|nor_conv_3x3~0' }).first();
    await line.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    // Every HELP lens text the page draws, recorded as it changes (a sampling poll can miss a short state on
    // a loaded machine); the poll below only checks that the lens never disappears.
    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__helpLensTexts = [];
      const record = () => {
        for (const e of document.querySelectorAll('.codelens-decoration')) {
          const t = e.textContent ?? '';
          if (t.includes('HELP') && w.__helpLensTexts[w.__helpLensTexts.length - 1] !== t) w.__helpLensTexts.push(t);
        }
      };
      w.__helpLensObserver = new MutationObserver(record);
      w.__helpLensObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const drawn = () => page.evaluate(() => /** @type {any} */ (window).__helpLensTexts);
    let missing = 0;
    let polls = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const texts = (await lensTexts(page)).filter((t) => t.includes('HELP'));
        polls++;
        if (texts.length === 0) missing++;
        await page.waitForTimeout(80);
      }
    })();
    let stale;
    let after;
    try {
      await page.keyboard.type(NEW_CELL, { delay: 25 });
      // States, not times: the lens is drawn stale ("…"; HELP draws it so before any new values), then updated.
      stale = await waitFor(async () => (await drawn()).find((t) => t.includes('…')), 'a stale lens ("…") while typing', 30_000);
      after = await waitFor(async () => (await lensTexts(page)).find((t) => /HELP/.test(t) && /ms/.test(t) && !t.includes('…') && t !== before), 'the updated lens', 30_000);
    } finally {
      polling = false;
      await poller;
      await page.evaluate(() => /** @type {any} */ (window).__helpLensObserver.disconnect());
    }
    log(`  before: ${before}`);
    log(`  stale:  ${stale}`);
    log(`  after:  ${after}`);
    const order = await drawn();
    assert(order.indexOf(stale) < order.lastIndexOf(after), `stale before updated: ${order.slice(0, 6).join(' | ')}`);
    assert(missing === 0, `the lens disappeared in ${missing} of ${polls} polls while typing`);
    assert(after !== before, 'the value changed');
  });

  await check('status bar and explorer badge show the latency', async () => {
    const status = await waitFor(async () => {
      const t = await page.locator('.statusbar').textContent();
      return t && /gold_6226 [\d.]+ ms/.test(t) ? t : undefined;
    }, 'the status bar item', 20_000);
    assert(status.includes('gold_6226'), status);
    // Decoration badges are drawn by CSS (::after content), not text nodes.
    const badge = await waitFor(
      () =>
        page.evaluate(() => {
          const row = [...document.querySelectorAll('.explorer-folders-view .monaco-list-row')].find((r) => r.textContent?.includes('cell.txt'));
          for (const e of row ? [row, ...row.querySelectorAll('*')] : []) {
            const c = getComputedStyle(e, '::after').content;
            // A clock face, not a number (numbers read as problem counts); the latency is in the tooltip.
            if (c === '"◷"') return c;
          }
          return undefined;
        }),
      'a latency badge on cell.txt in the explorer',
      20_000,
    );
    log(`  explorer badge: ${badge}; status bar: ${status.match(/gold_6226 [\d.]+ ms/)[0]}`);
  });

  await check('a corrupt .onnx file opens in the HELP viewer, which says politely what is wrong', async () => {
    await openFile(page, 'tiny.onnx');
    const frame = await findFrame(page, '#measure', 'the ONNX viewer webview');
    const text = await waitFor(async () => {
      const t = await frame.locator('body').textContent();
      return t && !/Reading the model/.test(t) ? t : undefined;
    }, 'the viewer content', 30_000);
    assert(/HELP cannot read this model|ONNX support not available in this build/.test(text), text);
  });

  if (haveOnnx) {
    await check('an ONNX NAS-Bench-201 network: recognised architecture and latency table', async () => {
      await openFile(page, 'cell.onnx');
      const frame = await findFrame(page, '#latency tr', 'the latency table of cell.onnx', 60_000);
      const text = await frame.locator('body').textContent();
      assert(text.includes(CELL), `the recognised cell: ${text.slice(0, 300)}`);
      assert(/gold_6226/.test(text) && /\d ms/.test(text), 'latency rows');
      assert((await frame.locator('#latency tr').count()) > 10, 'a row per device');
      await page.screenshot({ path: path.join(shots, 'onnx-viewer.png') });
    });
  }

  await check('CodeLens above the cell string in a .py file', async () => {
    await openFile(page, 'model.py');
    const t = await helpLens(page);
    log(`  lens: ${t}`);
  });

  await check('CodeLens on a HAT SubTransformer YAML (3 built-in devices spanning kinds)', async () => {
    await openFile(page, 'subtransformer.yml');
    const t = await helpLens(page, (t) => /HELP/.test(t) && /wmt14|iwslt14/.test(t) && /ms|s\b/.test(t) && !t.includes('…'));
    log(`  lens: ${t}`);
  });

  await check('the dead-code lens marker', async () => {
    await openFile(page, 'dead-code.txt');
    const t = await helpLens(page, (t) => /HELP/.test(t) && /\bms\b/.test(t) && !t.includes('…'));
    log(`  lens: ${t}`);
    assert(/^HELP\s+⚠ \S/.test(t), `a ⚠ with a short reason first in the lens: ${t}`);
    if (haveOnnx) {
      // The ONNX viewer says it too, for the same cell.
      await openFile(page, 'dead-code.onnx');
      const frame = await findFrame(page, '.onnx-caveat', 'a caveat in the ONNX viewer of dead-code.onnx', 60_000);
      const caveat = await frame.locator('.onnx-caveat').first().textContent();
      assert(/^⚠ no path from the cell input to its output/.test(caveat ?? ''), `the viewer's caveat: ${caveat}`);
    }
  });

  await check('an FBNet spec gets a polite lens (prediction or "not available yet")', async () => {
    await openFile(page, 'fbnet.json');
    const t = await helpLens(page, (t) => /HELP/.test(t) && !t.includes('…') && (/ms/.test(t) || /not available/.test(t)));
    log(`  lens: ${t}`);
  });

  // ---- issue 17 item 1: malformed specs get a diagnostic and a quick fix ----
  await check('a diagnostic on a malformed cell, and its quick fix', async () => {
    await openFile(page, 'malformed-cell.txt');
    const editor = page.locator('.editor-group-container .monaco-editor').first();
    await waitFor(async () => (await editor.locator('.squiggly-warning').count()) > 0, 'the squiggle under nor_conv_5x5', 60_000);
    // The Problems view lists it with the parser's message.
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Focus on Problems View');
    await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Problems' }).count()) > 0, 'the Problems command', 15_000);
    await page.keyboard.press('Enter');
    const problem = await waitFor(async () => {
      const t = (await page.locator('.markers-panel').count()) ? await page.locator('.markers-panel').first().textContent() : '';
      return t && /unknown operation "nor_conv_5x5"/.test(t) ? t : undefined;
    }, 'the Problems entry', 30_000);
    assert(/node 1, edge 0->1/.test(problem) && /allowed: none, skip_connect/.test(problem), `Problems entry: ${problem}`);
    log(`  problem: ${problem.match(/NAS-Bench-201 cell:[^)]*\)/)?.[0] ?? problem.slice(0, 160)}`);
    await page.locator('.editor-group-container .monaco-editor').first().screenshot({ path: path.join(shots, 'diagnostic.png') }).catch(() => {});
    // The quick fix: cursor on the op, Ctrl+. lists "Replace with `nor_conv_3x3`"; Enter on it applies it.
    const line = page.locator('.view-line', { hasText: 'nor_conv_5x5' }).first();
    const box = await line.boundingBox();
    assert(box, 'malformed line not visible');
    await page.mouse.click(box.x + 40, box.y + box.height / 2);
    await page.keyboard.press('Control+.');
    const fixRow = page.locator('.action-widget .monaco-list-row', { hasText: 'Replace with `nor_conv_3x3`' });
    await waitFor(async () => (await fixRow.count()) > 0, 'the quick fix in the menu', 15_000);
    // The menu opens with its first action focused; move to ours if another comes first.
    await waitFor(async () => {
      if ((await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'nor_conv_3x3' }).count()) > 0) return true;
      await page.keyboard.press('ArrowDown');
      return false;
    }, 'the quick fix focused', 10_000);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await page.locator('.view-line', { hasText: CELL }).count()) > 0, 'the fixed cell in the editor', 15_000);
    await waitFor(async () => (await editor.locator('.squiggly-warning').count()) === 0, 'the squiggle to go', 30_000);
    const lens = await helpLens(page);
    log(`  lens after the fix: ${lens}`);
    // Hide the panel again (Problems) for the checks that follow.
    await page.keyboard.press('Control+J');
  });

  await check('the latency panel opens from the command palette and shows bars', async () => {
    await openFile(page, 'cell.txt');
    await helpLens(page);
    await page.keyboard.press('Control+B'); // hide the side bar: more room for the editor and the panel
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('>HELP: Show latency panel');
    await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show latency panel' }).count()) > 0, 'the command in the palette', 15_000);
    await page.keyboard.press('Enter');
    const frame = await findFrame(page, '.bars .bar', 'bars in the panel webview', 60_000, 5);
    await waitFor(async () => (await frame.locator('#histogram svg rect').count()) > 10, 'the histogram', 60_000);
    const text = await frame.locator('body').textContent();
    assert(/gold_6226/.test(text) && /ms/.test(text), 'panel text lists devices with ms');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(shots, 'panel.png') });
    await frame.locator('#histogram').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shots, 'panel-histogram.png') });
  });

  await check('the panel warns about a cell whose output does not depend on its input', async () => {
    await openFile(page, 'dead-cell.txt');
    await helpLens(page);
    // The panel follows the active editor: wait for it to show this cell (the previous file's cell may have
    // caveats of its own).
    const frame = await findFrame(page, '.caveat', 'a caveat in the panel webview', 60_000);
    await waitFor(async () => {
      const texts = await frame.locator('.caveat').allTextContents();
      return texts.some((t) => /no path from the cell input to its output/.test(t)) ? texts : undefined;
    }, 'the disconnected cell\'s caveat in the panel', 60_000);
  });

  // ---- the panel after a window reload, following an ONNX viewer, in both themes (issue 17 items 11-13) ----
  await check('the panel restored after reload', async () => {
    await page.keyboard.press('Escape');
    // The panel is open from the checks above.
    await page.evaluate(() => {
      window.__helpBeforeReload = true;
    });
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill('>Developer: Reload Window');
    await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Reload Window' }).count()) > 0, 'the reload command', 15_000);
    await page.keyboard.press('Enter');
    await waitFor(async () => !(await page.evaluate(() => window.__helpBeforeReload === true)), 'the window to reload', 60_000);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await waitFor(async () => (await page.locator('.tab', { hasText: 'HELP Latency' }).count()) > 0, 'the panel\'s tab after the reload', 60_000);
    const frame = await findFrame(page, '.bars .bar', 'bars in the restored panel', 120_000, 5);
    await waitFor(async () => (await frame.locator('#histogram svg rect').count()) > 10, 'the histogram in the restored panel', 60_000);
    // Its axes: round ticks and units, no bare count.
    const svgText = await frame.locator('#histogram svg').textContent();
    assert(/predicted latency \((ms|s)\)/.test(svgText) && /architectures/.test(svgText) && /this: /.test(svgText), `histogram axes: ${svgText.slice(0, 200)}`);
    assert((await frame.locator('.bar-axis span').count()) >= 3, 'ticks under the bars');
  });

  if (haveOnnx) {
    await check('the panel follows an ONNX viewer tab (its recognised architecture)', async () => {
      await page.keyboard.press('Control+1'); // the first editor group: the viewer opens beside the panel, not over it
      await openFile(page, 'cell.onnx');
      const frame = await findFrame(page, '#devices', 'the panel webview', 30_000);
      await waitFor(async () => {
        const spec = await frame.locator('code.spec').first().textContent();
        const head = await frame.locator('body').textContent();
        return spec === CELL && /cell\.onnx/.test(head) ? true : undefined;
      }, 'the panel on cell.onnx\'s architecture', 60_000);
      await findFrame(page, '.bars .bar', 'bars for the model', 60_000, 5);
    });
  }

  await check('panel screenshots in the dark and the light theme', async () => {
    await openFile(page, 'cell.txt');
    await helpLens(page);
    const frame = await findFrame(page, '#histogram svg rect', 'the panel\'s histogram', 60_000, 10);
    // (code-server does not see settings.json written behind its back: the theme is switched by command.)
    const toggleTheme = async (cls) => {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Preferences: Toggle between Light/Dark Themes');
      await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Toggle between Light/Dark' }).count()) > 0, 'the theme command', 15_000);
      await page.keyboard.press('Enter');
      await waitFor(async () => (await page.locator(`.monaco-workbench.${cls}`).count()) > 0, `the ${cls} theme`, 30_000);
    };
    for (const [cls, file] of [['vs', 'panel-light'], ['vs-dark', 'panel-dark']]) {
      await toggleTheme(cls);
      await frame.locator('#histogram').scrollIntoViewIfNeeded();
      await waitFor(async () => (await frame.locator('#histogram svg rect').count()) > 10, 'the histogram', 30_000);
      await page.screenshot({ path: path.join(shots, `${file}.png`) });
    }
    // HAT: GPUs at tens of ms next to a Raspberry Pi at seconds: the bars go on a log scale.
    await openFile(page, 'subtransformer.yml');
    const hat = await findFrame(page, '.bars.log .bar', 'the HAT bars on a log scale', 60_000, 3);
    const note = await hat.locator('.log-note').textContent();
    assert(/log scale: the slowest is [\d,]+× the fastest/.test(note ?? ''), `log note: ${note}`);
    await page.screenshot({ path: path.join(shots, 'panel-log-scale.png') });
  });

  await check('"HELP: Adapt to this machine" measures with progress, adapts, and the device shows in the hover and CodeLens', async () => {
    await page.keyboard.press('Escape');
    await openFile(page, 'cell.txt');
    await helpLens(page);
    await page.locator('.view-line', { hasText: '~0|+|' }).first().click();
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill('>HELP: Adapt to this machine');
    await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Adapt to this machine' }).count()) > 0, 'the command', 15_000);
    await page.keyboard.press('Enter');
    // The space comes from the spec under the cursor; should a quick pick ask, answer nasbench201.
    const t0 = Date.now();
    let progress = '';
    const done = await waitFor(async () => {
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'nasbench201' });
      if ((await page.locator('.quick-input-widget:visible').count()) && (await pick.count())) {
        await pick.first().click();
        return undefined;
      }
      const s = (await page.locator('.notifications-toasts').textContent()) ?? '';
      if (/ of \d+ · pass \d/.test(s) && !progress) {
        progress = s;
        await page.screenshot({ path: path.join(shots, 'adapt-progress.png') });
      }
      if (/cannot adapt|adapting to this machine \(\w+\) (failed|was cancelled)/.test(s)) throw new Error(s);
      return /adapted "this machine" for nasbench201 from 12 measurements/.test(s) ? s : undefined;
    }, 'the adaptation to finish', 180_000, 300);
    log(`  progress: ${progress.replace(/\s+/g, ' ').slice(0, 160)}`);
    log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${done.replace(/\s+/g, ' ').slice(0, 160)}`);
    assert(progress, 'a progress notification (n of N, pass, architecture) was shown');
    const lens = await helpLens(page, (t) => /HELP/.test(t) && /this machine [\d.]+ m?s/.test(t) && !t.includes('…'));
    log(`  lens: ${lens}`);
    const hover = await hoverOnCell(page, (s) => /this machine/.test(s) && /adapted, 12 samples/.test(s), 'the adapted device in the hover');
    log(`  hover row: ${hover.match(/this machine[^|]*?adapted, 12 samples[^|]*?\d{4}-\d{2}-\d{2}/)?.[0] ?? 'this machine … adapted, 12 samples'}`);
    await page.locator('.monaco-hover:visible tr', { hasText: 'this machine' }).first().scrollIntoViewIfNeeded().catch(() => undefined);
    await page.locator('.monaco-workbench').screenshot({ path: path.join(shots, 'hover-adapted.png') });
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  await check('the panel plots predicted vs measured for the adapted device, with axes and units', async () => {
    const frame = await findFrame(page, '#samples svg circle', 'the scatter in the panel', 60_000, 9);
    const t = await frame.locator('#samples svg').first().textContent();
    assert(/measured \((ms|s)/.test(t) && /predicted \((ms|s)/.test(t), `scatter axes: ${t.slice(0, 200)}`);
    assert((await frame.locator('#samples svg line.grid').count()) >= 4, 'grid lines at the ticks');
    await frame.locator('#samples').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'panel-samples.png') });
  });

  // ---- issue 15: any ONNX model (the onnx space) in the viewer and the explorer ----
  if (haveOnnxSpace) {
    await check('any ONNX model: the viewer says how to get a device, "Adapt to this machine" (onnx) gives latency and breakdown in the viewer and the explorer tooltip', async () => {
      await page.keyboard.press('Escape');
      await openFile(page, 'any-model.onnx');
      const hint = await findFrame(page, '#onnx-no-device', 'the hint to adapt in the viewer of any-model.onnx', 60_000);
      const hintText = await hint.locator('#onnx-no-device').textContent();
      assert(/Adapt to this machine/.test(hintText ?? ''), `hint: ${hintText}`);
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.fill('>HELP: Adapt to this machine');
      await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Adapt to this machine' }).count()) > 0, 'the command', 15_000);
      await page.keyboard.press('Enter');
      const done = await waitFor(async () => {
        const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Any ONNX model (onnx)' });
        if ((await page.locator('.quick-input-widget:visible').count()) && (await pick.count())) {
          await pick.first().click();
          return undefined;
        }
        const s = (await page.locator('.notifications-toasts').textContent()) ?? '';
        if (/adapting to this machine \(onnx\) (failed|was cancelled)/.test(s)) throw new Error(s);
        return /adapted "this machine" for onnx from \d+ measurements/.test(s) ? s : undefined;
      }, 'the onnx adaptation to finish', 180_000, 300);
      log(`  ${done.replace(/\s+/g, ' ').slice(0, 160)}`);
      const frame = await findFrame(page, '.onnx-device .onnx-top tr', 'the prediction and breakdown in the viewer', 60_000, 1);
      const text = (await frame.locator('#onnx-latency').textContent()) ?? '';
      assert(/this machine/.test(text) && /predicted [\d.]+ m?s ±\d+%/.test(text), `viewer: ${text.slice(0, 300)}`);
      assert((await frame.locator('.onnx-classes meter').count()) >= 1, 'a bar per kernel class');
      assert((await frame.locator('#onnx-no-device').count()) === 0, 'the hint is gone');
      log(`  viewer: ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
      await page.screenshot({ path: path.join(shots, 'onnx-any-model.png') });
      // The explorer: the badge on the file, and the decoration's tooltip (in the row's title, or its hover).
      await page.keyboard.press('Control+Shift+E');
      const rowState = () =>
        page.evaluate(() => {
          const row = [...document.querySelectorAll('.explorer-folders-view .monaco-list-row')].find((r) => r.textContent?.includes('any-model.onnx'));
          if (!row) return { row: false };
          let badge = false;
          let title;
          for (const e of [row, ...row.querySelectorAll('*')]) {
            if (getComputedStyle(e, '::after').content === '"◷"') badge = true;
            for (const a of ['title', 'aria-label']) {
              const v = e.getAttribute(a);
              if (v && /any ONNX model/.test(v)) title = v;
            }
          }
          return { row: true, badge, title, html: row.outerHTML.slice(0, 600) };
        });
      try {
        await waitFor(async () => (await rowState()).badge || undefined, 'a latency badge on any-model.onnx in the explorer', 60_000, 500);
      } catch (e) {
        log(`  explorer row: ${JSON.stringify(await rowState())}`);
        throw e;
      }
      const tip = await waitFor(async () => {
        const st = await rowState();
        if (st.title) return st.title;
        const label = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'any-model.onnx' }).locator('.monaco-icon-label').first();
        const box = (await label.count()) ? await label.boundingBox() : undefined;
        if (box) {
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          await page.mouse.move(box.x + box.width / 2 + 2, box.y + box.height / 2);
        }
        return page.evaluate(() => {
          for (const e of document.querySelectorAll('.monaco-hover, .workbench-hover, [role="tooltip"]')) {
            const t = e.textContent ?? '';
            if (/any ONNX model/.test(t)) return t;
          }
          return undefined;
        });
      }, 'the any-model latency in the explorer tooltip', 60_000, 1000);
      assert(/this machine [\d.]+ m?s ±\d+%/.test(tip), `tooltip: ${tip}`);
      log(`  explorer tooltip: ${tip.replace(/\s+/g, ' ').slice(0, 160)}`);
      await page.mouse.move(5, 5);
    });
  }

  await check('"HELP: Add device" writes help.devices; "HELP: Measure on device..." adapts to it through its command', async () => {
    await page.keyboard.press('Control+Shift+P'); // clear the notification's focus
    await page.keyboard.press('Escape');
    await openFile(page, 'cell.txt');
    await helpLens(page);
    await page.locator('.view-line', { hasText: '~0|+|' }).first().click();
    const input = page.locator('.quick-input-widget input');
    const palette = async (title) => {
      await page.keyboard.press('F1');
      await input.fill(`>${title}`);
      await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title.replace(/^HELP: /, '') }).count()) > 0, title, 15_000);
      await page.keyboard.press('Enter');
    };
    /** Waits for the quick input titled `step`, types `text` (replacing any value) and accepts it. */
    const answer = async (step, text) => {
      // By the title bar: the palette's own input may still hold the command's name.
      await waitFor(async () => (await page.locator('.quick-input-widget:visible .quick-input-title', { hasText: step }).count()) > 0, `the "${step}" step`, 15_000);
      await input.fill(text);
      await page.waitForTimeout(150);
      await page.keyboard.press('Enter');
    };
    await palette('HELP: Add device');
    await answer('(1/4) name', 'bench-board');
    await answer('(2/4) search space', 'nasbench201');
    await answer('(3/4) how to measure', 'command');
    // The command is started without a shell: absolute paths.
    const command = `${process.execPath} ${path.join(workspace, 'fake-bench.mjs')} {model}`;
    await answer('(4/4) command', command);
    await waitFor(async () => /added device "bench-board"/.test((await page.locator('.notifications-toasts').textContent()) ?? ''), 'the added-device message', 15_000);
    const settings = JSON.parse(fs.readFileSync(path.join(userData, 'User', 'settings.json'), 'utf8'));
    const added = settings['help.devices'].find((d) => d.name === 'bench-board');
    assert(added && added.space === 'nasbench201' && added.runner === 'command' && added.command === command, `help.devices: ${JSON.stringify(settings['help.devices'])}`);

    await page.locator('.view-line', { hasText: '~0|+|' }).first().click();
    await palette('HELP: Measure on device...');
    await answer('Measure on device', 'bench-board');
    const done = await waitFor(async () => {
      const s = (await page.locator('.notifications-toasts').textContent()) ?? '';
      if (/cannot measure|adapting to bench-board (failed|was cancelled)/.test(s)) throw new Error(s);
      // The 10 references, 2 extra and the architecture under the cursor.
      return /adapted "bench-board" for nasbench201 from 13 measurements/.test(s) ? s : undefined;
    }, 'the measurement through the command', 240_000, 300);
    log(`  ${done.replace(/\s+/g, ' ').match(/HELP: adapted "bench-board"[^.]*\./)?.[0] ?? done.slice(0, 120)}`);
    const hover = await hoverOnCell(page, (s) => /bench-board/.test(s) && /adapted, 13 samples/.test(s), 'the new device in the hover');
    log(`  hover row: ${hover.match(/bench-board[^|]*?adapted, 13 samples/)?.[0] ?? 'bench-board … adapted, 13 samples'}`);
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  await check('"HELP: Toggle CodeLens" hides and shows the lenses', async () => {
    await page.keyboard.press('Control+Shift+P'); // clear the notification's focus, open the palette
    await page.keyboard.press('Escape');
    await openFile(page, 'cell.txt');
    await helpLens(page);
    const toggle = async () => {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>HELP: Toggle CodeLens');
      await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Toggle CodeLens' }).count()) > 0, 'the command', 15_000);
      await page.keyboard.press('Enter');
    };
    await toggle();
    await waitFor(async () => !(await lensTexts(page)).some((t) => t.includes('HELP')), 'no lens', 15_000);
    await toggle();
    await helpLens(page);
  });

  // ---- the settings notification with its action (issue 17 item 2) ----
  await check('invalid help.devices entries in the workspace settings: ONE notification listing them, with "Open Settings"', async () => {
    await page.keyboard.press('Control+Shift+P'); // clear the notification's focus
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Notifications: Clear All Notifications');
    await waitFor(async () => (await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Clear All Notifications' }).count()) > 0, 'the clear command', 15_000);
    await page.keyboard.press('Enter');
    await waitFor(async () => ((await page.locator('.notification-toast', { hasText: 'HELP settings' }).count()) === 0 ? true : undefined), 'no settings notification left', 15_000);
    const wsSettings = path.join(workspace, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(wsSettings), { recursive: true });
    fs.writeFileSync(wsSettings, JSON.stringify({ 'help.devices': [{ name: 'ws board', runner: 'command' }, { name: 'ws cpu', runner: 'onnxruntime', threads: 0 }] }, null, 1));
    try {
      const toasts = page.locator('.notification-toast', { hasText: 'HELP settings' });
      const text = await waitFor(async () => {
        const t = (await toasts.count()) ? await toasts.first().textContent() : '';
        return t && /"ws board"/.test(t) ? t : undefined;
      }, 'the settings notification', 60_000);
      assert(/2 problems/.test(text) && /"ws board"/.test(text) && /"ws cpu"/.test(text), `one notification names both: ${text}`);
      assert((await toasts.count()) === 1, `${await toasts.count()} settings notifications`);
      const button = toasts.first().locator('.monaco-button', { hasText: 'Open Settings' });
      assert((await button.count()) === 1, 'an "Open Settings" action');
      await button.click();
      await waitFor(async () => ((await page.locator('.tab.active', { hasText: 'Settings' }).count()) > 0 ? true : undefined), 'the Settings editor', 30_000);
    } finally {
      fs.rmSync(wsSettings, { force: true });
    }
    await openFile(page, 'cell.txt');
    await helpLens(page);
  });

  await check('the extension host did not crash', async () => {
    const body = await page.locator('.monaco-workbench').textContent();
    assert(!/terminated unexpectedly/i.test(body ?? ''), 'a notification says the extension host terminated');
    const logs = fs.existsSync(path.join(userData, 'logs')) ? findFiles(path.join(userData, 'logs'), /exthost.*\.log$/) : [];
    for (const f of logs) {
      const s = fs.readFileSync(f, 'utf8');
      assert(!/Extension host .*terminated unexpectedly|help-latency.*(activate|Activating).*failed/i.test(s), `${f} reports a crash`);
    }
    // Still responsive: the lens is there.
    assert((await lensTexts(page)).some((t) => t.includes('HELP')), 'lens still shown');
  });
}

let fatal;
try {
  await main();
} catch (e) {
  fatal = e;
  log(`fatal: ${e?.stack ?? e}`);
  session.logServerTail();
}
await session.cleanup();
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed + (fatal ? 1 : 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
