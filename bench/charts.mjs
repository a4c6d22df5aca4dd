// Loss Lab's hand-drawn canvas charts (www/charts.js) against uPlot, measured in one headless Chromium:
// the size each adds to the page and the time to draw 50 000 points. The numbers behind "Charts" in
// docs/ARCHITECTURE.md.
//
//   UPLOT=/path/to/uplot/dist node bench/charts.mjs      (ROUNDS=31 redraws each by default)
//
// UPLOT is the dist/ folder of the uplot npm package (`npm pack uplot`, untar); uPlot is not a dependency
// of the lab. Each draw is timed up to a 1-pixel read-back from the canvas, which waits until the canvas has
// really been painted (both libraries only record commands until then).
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UPLOT = process.env.UPLOT;
if (!UPLOT) { console.error('set UPLOT to the dist/ folder of the uplot npm package'); process.exit(2); }
const N = 50_000;
const ROUNDS = Number(process.env.ROUNDS) || 31;

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const ours = await readFile(path.join(ROOT, 'www/charts.js'));
const uplotJs = await readFile(path.join(UPLOT, 'uPlot.iife.min.js'));
const uplotCss = await readFile(path.join(UPLOT, 'uPlot.min.css'));

const { url, close } = await startServer({ root: ROOT, port: 0 });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
await page.goto(new URL('bench/index.html', url).href);
await page.setContent(`<!doctype html><html><head><style>${uplotCss}</style></head><body>
  <figure style="width:800px"><canvas id="ours" style="width:800px;height:300px;display:block"></canvas></figure>
  <div id="theirs"></div></body></html>`);
await page.addScriptTag({ content: uplotJs.toString() });
const result = await page.evaluate(async ({ N, ROUNDS, base }) => {
  const { LineChart, OI } = await import(new URL('www/charts.js', base).href);
  // a training run's batch losses: 50 000 steps, noisy and falling, plus two per-epoch lines of 50 points
  const xs = new Float32Array(N), ys = new Float32Array(N);
  let s = 1;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < N; i++) { xs[i] = (i + 1) / 1000; ys[i] = 2.3 * Math.exp(-i / 8000) + 0.1 + 0.3 * rand(); }
  const ex = Array.from({ length: 50 }, (_, i) => i + 1);
  const ey = ex.map((e) => 2.3 * Math.exp(-e * 1000 / 8000) + 0.25);
  const median = (v) => { const a = [...v].sort((p, q) => p - q); return a[a.length >> 1]; };
  const flush = (c) => c.getContext('2d').getImageData(0, 0, 1, 1);

  const canvas = document.getElementById('ours');
  const chart = new LineChart(canvas, { xLabel: 'epoch', yLabel: 'loss (nats)' });
  const spec = { series: [
    { xs, ys, n: N, color: OI.sky, width: 1 },
    { xs: ex, ys: ey, n: 50, color: OI.blue, width: 2.5 },
    { xs: ex, ys: ey.map((v) => v + 0.1), n: 50, color: OI.vermillion, width: 2.5, dash: [7, 4] },
  ], hlines: [{ y: Math.log(10), label: 'chance' }] };
  const oursT = [];
  for (let r = 0; r < ROUNDS; r++) { const t0 = performance.now(); chart.draw(spec); flush(canvas); oursT.push(performance.now() - t0); }

  // uPlot wants one shared x array: the epoch lines become sparse columns (null between epochs)
  const x = Array.from(xs), y0 = Array.from(ys);
  const y1 = new Array(N).fill(null), y2 = new Array(N).fill(null);
  ex.forEach((e, i) => { const j = e * 1000 - 1; y1[j] = ey[i]; y2[j] = ey[i] + 0.1; });
  const data = [x, y0, y1, y2];
  const opts = { width: 800, height: 300, scales: { x: { time: false } },
    series: [{}, { label: 'batch', stroke: OI.sky, width: 1 }, { label: 'train', stroke: OI.blue, width: 2.5, spanGaps: true },
      { label: 'validation', stroke: OI.vermillion, width: 2.5, dash: [7, 4], spanGaps: true }] };
  const host = document.getElementById('theirs');
  const t0 = performance.now();
  let u = new uPlot(opts, data, host); // eslint-disable-line no-undef
  await Promise.resolve();
  flush(host.querySelector('canvas'));
  const theirsFirst = performance.now() - t0;
  const theirsT = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t1 = performance.now();
    u.setData(data); // a redraw with new data, as each progress message would need
    await Promise.resolve(); // uPlot commits in a microtask
    flush(host.querySelector('canvas'));
    theirsT.push(performance.now() - t1);
  }
  u.destroy();
  const t2 = performance.now();
  u = new uPlot(opts, data, host); // eslint-disable-line no-undef
  await Promise.resolve();
  flush(host.querySelector('canvas'));
  const theirsSecond = performance.now() - t2;
  return { ours: { first: oursT[0], median: median(oursT.slice(1)) }, theirs: { first: theirsFirst, rebuilt: theirsSecond, median: median(theirsT) } };
}, { N, ROUNDS, base: url });
await browser.close();
await close();

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
console.log(`size      www/charts.js ${kb(ours.length)} (${kb(gz(ours))} gzip, not minified) | uPlot ${kb(uplotJs.length)} min + ${kb(uplotCss.length)} css (${kb(gz(uplotJs) + gz(uplotCss))} gzip)`);
console.log(`draw ${N.toLocaleString('en-US')} points + 2 epoch lines (median of ${ROUNDS - 1} redraws): canvas ${result.ours.median.toFixed(1)} ms (first ${result.ours.first.toFixed(1)} ms) | uPlot setData ${result.theirs.median.toFixed(1)} ms (new chart ${result.theirs.first.toFixed(1)} ms, again ${result.theirs.rebuilt.toFixed(1)} ms)`);
