// The two builds of the engine (www/engine/engine.js): Chromium has WebAssembly relaxed SIMD, so the page loads the
// fused multiply-add build and says so; the simd128 build, forced as a browser without relaxed SIMD would get
// it, trains too. The wasm the worker really fetched is checked, not only what the page says.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, SMALL, noErrors, ready, trainEpochs } from './lab.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Opens the page and collects the names of the .wasm files its context (page and worker) requests. */
async function openRecording(open, setup) {
  const wasm = [];
  const opened = await open(SMALL, {
    setup: async (ctx) => {
      ctx.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(path.posix.basename(new URL(r.url()).pathname)); });
      if (setup) await setup(ctx);
    },
  });
  return { ...opened, wasm };
}

/** One small epoch trained to a sane accuracy. */
async function trainsAnEpoch(page) {
  const h = await trainEpochs(page, 1);
  const e = h.epochs[0];
  expect(Number.isFinite(e.trainLoss) && Number.isFinite(e.valLoss), `epoch 1 losses: ${JSON.stringify(e)}`).toBe(true);
  expect(e.valAcc, 'validation accuracy after one small epoch on real digits').toBeGreaterThan(0.5);
}

test('Chromium gets the relaxed-SIMD build, names it, and trains with it', async ({ open }) => {
  const { page, errors, wasm } = await openRecording(open);
  await ready(page);
  expect(await page.evaluate(() => window.lossLab.engineBuild())).toBe('relaxed');
  await expect(page.locator('#engine-build')).toHaveText(/fused multiply-add \(relaxed SIMD\)/);
  await expect(page.locator('#engine-build')).toBeVisible();
  expect([...new Set(wasm)], 'the .wasm files requested (one per worker)').toEqual(['losslab_relaxed_bg.wasm']);
  await trainsAnEpoch(page);
  noErrors(errors);
});

test('the simd128 fallback, forced, loads the other wasm and trains', async ({ open }) => {
  // globalThis.LOSSLAB_ENGINE = 'simd128' is www/engine/engine-build.js's switch; added to the module itself, it is set
  // in the page and in its worker before either asks which build to run.
  const source = await readFile(path.join(ROOT, 'www', 'engine', 'engine-build.js'), 'utf8');
  const { page, errors, wasm } = await openRecording(open, (ctx) => ctx.route('**/www/engine/engine-build.js', (r) =>
    r.fulfill({ body: `globalThis.LOSSLAB_ENGINE = 'simd128';\n${source}`, contentType: 'text/javascript' })));
  await ready(page);
  expect(await page.evaluate(() => window.lossLab.engineBuild())).toBe('simd128');
  await expect(page.locator('#engine-build')).toHaveText('Engine: WebAssembly SIMD (simd128).');
  expect([...new Set(wasm)], 'the .wasm files requested (one per worker)').toEqual(['losslab_bg.wasm']);
  await trainsAnEpoch(page);
  noErrors(errors);
});
