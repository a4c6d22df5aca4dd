// npm run bench, second part: what a learner waits for in the page itself, in ONE headless Chromium, on the built
// site (npm run dist's copy in a temporary folder, service worker included) served by http-server as a static host
// serves it (its files may be cached, unlike the dev server's).
//   1. the first epoch point of the default lab (10 000 training images, 10 000-image validation) after the page
//      load, on two cores and on one: the first point the charts draw (the estimate of the validation pass under
//      way, from its first 2,048 images, src/train/evaluate.rs) and the complete pass's point, in interleaved rounds (each round a fresh browser context, so
//      the wasm and the data are fetched again as on a first visit); Start pressed at once, and again, in a fresh
//      context of its own, one second after the build (as a learner who reads the page first), timed from Start;
//   2. a sweep of six learning rates × 2 epochs on the default lab (lossLab.sweep), two runs at a time.
// Nothing is asserted: the figures and the targets are printed and written to bench/results/page.json.
//   node bench/page.mjs                         (www/pkg built; npm run bench runs it after bench/run.mjs)
//   BENCH_PAGE_ROUNDS=5 BENCH_SWEEP=0 node bench/page.mjs
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { makeDist } from '../scripts/dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Math.max(1, Number(process.env.BENCH_PAGE_ROUNDS || 3));
const SWEEP = process.env.BENCH_SWEEP !== '0';
const SWEEP_LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * One first visit: navigation → built → Start → first epoch point drawn (`point`: the estimate of the validation
 * pass under way) → the complete pass drawn (`drawn`); times from the navigation start. With `readMs`, Start is
 * pressed that long after the build (a learner reads the page first) and `epochMs` and `pointMs` run from Start.
 */
async function firstEpoch(browser, base, cores, readMs = 0) {
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    await page.goto(`${base}index.html?cores=${cores}`);
    await page.waitForFunction(() => window.lossLab !== undefined);
    return await page.evaluate(async (readMs) => {
      await window.lossLab.ready();
      const built = performance.now();
      if (readMs) await new Promise((resolve) => setTimeout(resolve, readMs));
      const started = performance.now();
      await window.lossLab.start();
      await window.lossLab.whenEpochPoint(1);
      const point = performance.now();
      const row = await window.lossLab.whenEpoch(1);
      const drawn = performance.now();
      await window.lossLab.pause();
      return { built, point, drawn, pointMs: point - started, epochMs: drawn - started, valAcc: row.valAcc, cores: window.lossLab.cores().n };
    }, readMs);
  } finally {
    await ctx.close();
  }
}

/** How long the learner of the second measure reads the built page before pressing Start. */
const READ_MS = 1000;

async function sweep(browser, base) {
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    await page.goto(`${base}index.html`);
    await page.waitForFunction(() => window.lossLab !== undefined);
    return await page.evaluate(async (values) => {
      await window.lossLab.ready();
      const t0 = performance.now();
      const results = await window.lossLab.sweep({ key: 'lr', values, epochs: 2 });
      return { ms: performance.now() - t0, results: results.map((r) => ({ value: r.value, status: r.status, valAcc: r.epochs.at(-1)?.valAcc ?? null })) };
    }, SWEEP_LRS);
  } finally {
    await ctx.close();
  }
}

const site = mkdtempSync(path.join(os.tmpdir(), 'losslab-bench-site-'));
makeDist(site, ROOT);
const httpServer = createRequire(import.meta.url)('http-server');
const server = httpServer.createServer({ root: site, showDir: 'false', autoIndex: 'false', logFn: () => {} });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
server.url = `http://127.0.0.1:${server.server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const out = { date: new Date().toISOString(), chromium: browser.version(), loadBefore: os.loadavg()[0], rounds: [], sweep: null };
try {
  for (let r = 0; r < ROUNDS; r++) {
    const round = {};
    for (const cores of r % 2 ? [1, 2] : [2, 1]) {
      round[cores] = await firstEpoch(browser, server.url, cores);
      console.log(`[page] round ${r + 1}/${ROUNDS}, ${cores} core(s): built ${sec(round[cores].built)}, first epoch point ${sec(round[cores].point)}, complete pass ${sec(round[cores].drawn)} after navigation (valAcc ${round[cores].valAcc.toFixed(4)}, trained on ${round[cores].cores})`);
      round[`read${cores}`] = await firstEpoch(browser, server.url, cores, READ_MS);
      console.log(`[page] round ${r + 1}/${ROUNDS}, ${cores} core(s), Start ${READ_MS / 1000} s after the build: first epoch point ${sec(round[`read${cores}`].pointMs)}, complete pass ${sec(round[`read${cores}`].epochMs)} after Start`);
    }
    out.rounds.push(round);
  }
  if (SWEEP) {
    out.sweep = await sweep(browser, server.url);
    console.log(`[page] sweep of ${SWEEP_LRS.length} learning rates × 2 epochs: ${sec(out.sweep.ms)}`);
  }
} finally {
  out.loadAfter = os.loadavg()[0];
  await browser.close();
  server.close();
  rmSync(site, { recursive: true, force: true });
}

const m = (cores, key) => median(out.rounds.map((r) => r[cores][key]));
const ratio = median(out.rounds.map((r) => r[1].epochMs / r[2].epochMs));
const lines = [
  `# Loss Lab in the page: the built site, first visits (${out.date}, Chromium ${out.chromium}, load ${out.loadBefore.toFixed(2)} → ${out.loadAfter.toFixed(2)})`,
  '',
  `| measure (median of ${ROUNDS} rounds) | 2 cores | 1 core |`,
  '|---|---|---|',
  `| network built, after navigation | ${sec(m(2, 'built'))} | ${sec(m(1, 'built'))} |`,
  `| first epoch point (the validation estimate), after navigation (target ≤ 3 s) | ${sec(m(2, 'point'))} | ${sec(m(1, 'point'))} |`,
  `| the complete validation pass's point, after navigation | ${sec(m(2, 'drawn'))} | ${sec(m(1, 'drawn'))} |`,
  `| epoch + validation estimate / complete pass, after the build | ${sec(m(2, 'pointMs'))} / ${sec(m(2, 'epochMs'))} | ${sec(m(1, 'pointMs'))} / ${sec(m(1, 'epochMs'))} |`,
  `| the same after a Start ${READ_MS / 1000} s after the build | ${sec(m('read2', 'pointMs'))} / ${sec(m('read2', 'epochMs'))} | ${sec(m('read1', 'pointMs'))} / ${sec(m('read1', 'epochMs'))} |`,
  '',
  `Two cores against one on the epoch + complete validation time (median of per-round ratios): ${ratio.toFixed(2)}×.`,
];
if (out.sweep) {
  lines.push('', `Sweep of ${SWEEP_LRS.length} learning rates × 2 epochs (default lab, two runs at a time, one core each): `
    + `${sec(out.sweep.ms)} (target ≤ 60 s); final validation accuracy ${out.sweep.results.map((r) => `lr ${r.value}: ${r.valAcc === null ? r.status : r.valAcc.toFixed(3)}`).join(', ')}.`);
}
const text = lines.join('\n');
console.log(`\n${text}\n`);
await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
await writeFile(path.join(ROOT, 'bench/results/page.json'), JSON.stringify(out, null, 2));
await writeFile(path.join(ROOT, 'bench/results/page.md'), `${text}\n`);
