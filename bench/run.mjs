// npm run bench: serves the repository on 127.0.0.1, opens bench/index.html in ONE headless Chromium
// session, runs the interleaved rounds there (bench/bench.js), then prints the table and writes
// bench/results/latest.json (+ latest.md). See bench/README.md.
//
//   BENCH_ROUNDS=5 BENCH_MS=1000 BENCH_WARMUP_MS=1000 BENCH_DATA=mnist|synthetic node bench/run.mjs
import { chromium } from 'playwright-core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'bench', 'results');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RUN_TIMEOUT_MS = 10 * 60 * 1000;

// FLOP per sample of the default net, 2 per multiply-add in conv and dense layers (bench/README.md):
//   conv1 28·28·8 outputs × 1·5·5 = 156 800 MAC, conv2 14·14·16 × 8·5·5 = 627 200 MAC, dense 256·10 = 2 560 MAC
const FWD_FLOP = 2 * (156800 + 627200 + 2560); // 1 573 120
// backward: every weight gradient (= its forward MACs) + input gradients of conv2 and dense (not conv1)
const TRAIN_FLOP = FWD_FLOP + FWD_FLOP + 2 * (627200 + 2560); // 4 405 760

const envInt = (k, d) => (process.env[k] ? Number.parseInt(process.env[k], 10) : d);
const opts = { rounds: Math.max(3, envInt('BENCH_ROUNDS', 5)), ms: envInt('BENCH_MS', 1000), warmupMs: envInt('BENCH_WARMUP_MS', 1000), data: process.env.BENCH_DATA === 'synthetic' ? 'synthetic' : 'mnist' };

function stats(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

const fmt = (x, d = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const fmtStats = (s, d = 0, scale = 1) => (s ? `${fmt(s.median * scale, d)} [${fmt(s.min * scale, d)}–${fmt(s.max * scale, d)}]` : '—');

// The CPU as Linux reports it. "cpu MHz" is the nominal clock here (in a virtual machine, the one the
// hypervisor advertises); boost clocks can run above it, so the ports × clock derived from the hardware
// peak is stated against this nominal figure.
async function cpuInfo() {
  const text = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const field = (k) => text.match(new RegExp(`^${k}\\s*:\\s*(.+)$`, 'm'))?.[1]?.trim() ?? null;
  const mhz = Number.parseFloat(field('cpu MHz'));
  const flags = (field('flags') ?? '').split(/\s+/);
  return {
    model: field('model name') ?? os.cpus()[0]?.model ?? 'unknown',
    nominalMHz: Number.isFinite(mhz) ? mhz : (os.cpus()[0]?.speed || null),
    clockSource: Number.isFinite(mhz) ? "nominal, /proc/cpuinfo 'cpu MHz'" : 'os.cpus() speed',
    fma: flags.includes('fma'),
    avx2: flags.includes('avx2'),
  };
}

function analyse(raw, sizes) {
  const { wasmBytes, gzBytes, glueGzBytes } = sizes;
  const metrics = {};
  const names = new Set(raw.rounds.flatMap((r) => Object.keys(r)));
  for (const m of names) {
    const values = raw.rounds.map((r) => (r[m] && !r[m].error ? r[m].rate : NaN));
    const errors = raw.rounds.map((r) => r[m]?.error).filter(Boolean);
    metrics[m] = { ...stats(values), errors: [...new Set(errors)] };
  }
  // Ratios are taken within each round (the two sides were measured back to back), then summarised.
  const paired = (num, den, scale = 1) => stats(raw.rounds.map((r) => (r[num]?.rate && r[den]?.rate ? (scale * r[num].rate) / r[den].rate : NaN)));
  metrics['losslab.dual_speedup'] = paired('losslab.dual', 'losslab.train');
  metrics['losslab.dp_speedup'] = paired('losslab.dp', 'losslab.train');
  metrics['peak.dual_speedup'] = paired('peak.dual', 'peak.gflops');
  // Two peaks, two denominators: the GEMM tile the convolution itself runs on (the target's
  // denominator), and the hardware peak of bare multiply/add chains (what the core can issue at all).
  const ratios = {
    trainVsConvnetjs: paired('losslab.train', 'convnetjs.train'),
    // The Rust peers (bench/peers): the same net, optimizer and batches, compiled to wasm with simd128 like Loss Lab.
    trainVsBurn: paired('losslab.train', 'burn.train'),
    trainVsCandle: paired('losslab.train', 'candle.train'),
    inferVsBurn: paired('losslab.infer', 'burn.infer'),
    inferVsCandle: paired('losslab.infer', 'candle.infer'),
    trainPctPeak: paired('losslab.train', 'peak.gflops', 100 * TRAIN_FLOP),
    trainPctHwPeak: paired('losslab.train', 'peak.hw', 100 * TRAIN_FLOP),
    inferPctHwPeak: paired('losslab.infer', 'peak.hw', 100 * FWD_FLOP),
    gemmPctHwPeak: paired('peak.gflops', 'peak.hw', 100),
    inferVsTfjsWasm: paired('losslab.infer', 'tfjs-wasm.infer'),
    pageInferVsTfjsWasm: paired('losslab-page.infer', 'tfjs-wasm.infer'),
    // A pass's bookkeeping (the training probe, the diagnosis, the watched digits) from the two pass lengths of the
    // same round: 1/rate = t + B/n for a pass of n images, so B = (1/r₂₀₄₈ − 1/r₁₀₀₀₀) / (1/2048 − 1/10000), and its
    // share of the page's pass is B/10000 × r₁₀₀₀₀ (in %).
    bookkeepingPct: stats(raw.rounds.map((r) => {
      const short = r['losslab.infer']?.rate, page = r['losslab-page.infer']?.rate;
      if (!short || !page) return NaN;
      const n = raw.meta.pageValN;
      const b = (1 / short - 1 / page) / (1 / raw.meta.valN - 1 / n);
      return (100 * b * page) / n;
    })),
    dualSpeedup: metrics['losslab.dual_speedup'],
    dpSpeedup: metrics['losslab.dp_speedup'],
    // What BatchNorm (bn=1) costs: the default net's speed with it over without, trained and evaluated.
    bnTrain: paired('losslab-bn.train', 'losslab.train'),
    bnInfer: paired('losslab-bn.infer', 'losslab.infer'),
    peakDualSpeedup: metrics['peak.dual_speedup'],
  };
  const peak = metrics['peak.gflops']?.median ? metrics['peak.gflops'].median / 1e9 : NaN;
  const hwPeak = metrics['peak.hw']?.median ? metrics['peak.hw'].median / 1e9 : NaN;
  // GFLOP/s = 4 lanes × f32x4 operations per second; over the nominal clock, operations per cycle:
  // the number of multiply and add pipes kept busy (Zen: 2 FMUL + 2 FADD = 4; Intel since Skylake:
  // 2 shared FMA pipes = 2), or more than that when the core boosts above its nominal clock.
  const ghz = raw.meta.cpu?.nominalMHz ? raw.meta.cpu.nominalMHz / 1000 : NaN;
  const hw = Number.isFinite(hwPeak)
    ? { gflops: hwPeak, vectorOpsPerSecond: (hwPeak * 1e9) / 4, nominalGHz: ghz, opsPerCycleAtNominal: hwPeak / 4 / ghz }
    : null;

  const llFlops = raw.contenders.losslab?.info?.flops;
  const flopCheck = llFlops ? { describeForward: llFlops.forward, describeTrain: llFlops.train, agrees: llFlops.forward === FWD_FLOP && llFlops.train === TRAIN_FLOP } : null;

  const c = raw.contenders;
  const rows = [
    { key: 'losslab', label: 'Loss Lab (wasm SIMD128), 1 worker', note: `step(${c.losslab?.warm?.stepsPerCall ?? '?'}) calls; inference = evalChunk(${raw.meta.valN})` },
    { key: 'losslab-page', label: "Loss Lab, the page's 10,000-image validation pass", note: 'inference only: evalChunk(2000) × 5 a pass, its bookkeeping once a pass' },
    { key: 'losslab-bn', label: 'Loss Lab with BatchNorm (bn=1), 1 worker', note: 'the default net with BatchNorm after each convolution; FLOP/s counted as without it' },
    { key: 'losslab-dp', label: 'Loss Lab, one run on 2 workers (Cores = 2)', train: 'losslab.dp', note: 'each step split with the helper worker (www/engine/helper.js)' },
    { key: 'losslab.dual', label: 'Loss Lab, 2 workers at once (aggregate)', train: 'losslab.dual', note: 'each worker its own model' },
    { key: 'tfjs-cpu', label: `TensorFlow.js ${c['tfjs-cpu']?.info?.version ?? ''} cpu` },
    { key: 'tfjs-wasm', label: `TensorFlow.js ${c['tfjs-wasm']?.info?.version ?? ''} wasm (SIMD, 1 thread)`,
      note: c['tfjs-wasm']?.info?.canTrain === false ? `cannot train: ${c['tfjs-wasm'].info.trainError}` : c['tfjs-wasm']?.error ?? '' },
    { key: 'tfjs-webgl', label: `TensorFlow.js ${c['tfjs-webgl']?.info?.version ?? ''} webgl`,
      note: c['tfjs-webgl']?.error ? `unavailable: ${c['tfjs-webgl'].error}` : c['tfjs-webgl']?.info?.renderer ? `renderer: ${c['tfjs-webgl'].info.renderer} (software, on the CPU)` : '' },
    { key: 'convnetjs', label: 'ConvNetJS 0.3.0' },
    ...['burn', 'candle'].map((key) => ({
      key,
      label: `${c[key]?.info?.version ?? key} (Rust → wasm, SIMD128, 1 worker)`,
      note: c[key]?.error ? '' : `validation accuracy of its inference calls ${fmt(100 * (c[key]?.final?.valAccuracy ?? NaN), 1)} %`,
    })),
  ];
  const table = [];
  for (const row of rows) {
    const tr = metrics[row.train ?? `${row.key}.train`];
    const inf = row.key === 'losslab.dual' || row.key === 'losslab-dp' ? null : metrics[`${row.key}.infer`];
    const tg = tr?.median ? (tr.median * TRAIN_FLOP) / 1e9 : NaN;
    const ig = inf?.median ? (inf.median * FWD_FLOP) / 1e9 : NaN;
    const err = [...(tr?.errors ?? []), ...(inf?.errors ?? [])].join('; ');
    table.push({
      contender: row.label,
      train: tr?.median ? tr : null, trainGflops: tg, trainPctPeak: (100 * tg) / peak, trainPctHwPeak: (100 * tg) / hwPeak,
      infer: inf?.median ? inf : null, inferGflops: ig, inferPctPeak: (100 * ig) / peak, inferPctHwPeak: (100 * ig) / hwPeak,
      final: c[row.key]?.final ?? null,
      note: [row.note, err, c[row.key]?.error].filter(Boolean).join('; '),
    });
  }

  const gz = (gzBytes + glueGzBytes) / 1024;
  const target = (name, s, unit, goal) => ({ target: name, value: s?.median ?? NaN, min: s?.min ?? NaN, max: s?.max ?? NaN, unit, goal, ok: (s?.median ?? -Infinity) >= goal });
  const targets = [
    target('Loss Lab training ≥ 35× ConvNetJS', ratios.trainVsConvnetjs, '×', 35),
    target('Loss Lab training ≥ 2.3× burn (Flex backend)', ratios.trainVsBurn, '×', 2.3),
    target('Loss Lab training ≥ 40% of the GEMM-tile peak', ratios.trainPctPeak, '%', 40),
    target("Loss Lab inference ≥ 1.2× TensorFlow.js wasm (the page's pass, bookkeeping included)", ratios.pageInferVsTfjsWasm, '×', 1.2),
    target('one run on two workers ≥ 1.7× one worker', ratios.dpSpeedup, '×', 1.7),
    target('two Loss Lab workers ≥ 1.6× one worker', ratios.dualSpeedup, '×', 1.6),
    { target: "a browser's download ≤ 150 KB gzip (losslab_bg.wasm + the glue losslab.js)", value: gz, min: gz, max: gz, unit: 'KB', goal: 150, ok: gz <= 150 },
  ];
  return {
    flopsPerSample: { forward: FWD_FLOP, train: TRAIN_FLOP, check: flopCheck },
    peakGflops: metrics['peak.gflops'] ? { median: metrics['peak.gflops'].median / 1e9, min: metrics['peak.gflops'].min / 1e9, max: metrics['peak.gflops'].max / 1e9 } : null,
    hwPeakGflops: metrics['peak.hw']?.median ? { median: metrics['peak.hw'].median / 1e9, min: metrics['peak.hw'].min / 1e9, max: metrics['peak.hw'].max / 1e9 } : null,
    hardware: hw,
    peakSelfCheck: c.peak?.info?.selfCheck ?? null,
    wasm: { bytes: wasmBytes, gzipBytes: gzBytes, glueGzipBytes: glueGzBytes },
    peerDownloads: sizes.peers,
    metrics, ratios, table, targets,
  };
}

function markdown(raw, a) {
  const L = [];
  const p = a.peakGflops;
  L.push(`Loss Lab benchmark — ${raw.meta.date}, ${raw.meta.browser}, ${raw.meta.cores} cores, ${raw.meta.rounds} interleaved rounds × ${raw.meta.windowMs} ms windows, data: ${raw.meta.data}; 1-min load average ${fmt(raw.meta.loadAverage1m?.before, 1)} before, ${fmt(raw.meta.loadAverage1m?.after, 1)} after`);
  L.push(`GEMM-tile peak (4×8 SIMD128 GEMM micro-kernel, K=256, one worker): ${fmtStats(p, 1)} GFLOP/s; FLOP/sample forward ${fmt(a.flopsPerSample.forward)}, forward+backward ${fmt(a.flopsPerSample.train)}`);
  const h = a.hardware;
  const cpu = raw.meta.cpu;
  if (h) {
    L.push(`Hardware peak (6 multiply + 6 add f32x4 chains, no loads, one worker): ${fmtStats(a.hwPeakGflops, 1)} GFLOP/s = 4 lanes × ${fmt(h.vectorOpsPerSecond / 1e9, 2)} G f32x4 mul/add per second; `
      + `at ${fmt(h.nominalGHz, 3)} GHz (${cpu?.clockSource ?? '?'}; ${cpu?.model ?? '?'}) that is ${fmt(h.opsPerCycleAtNominal, 2)} mul/add per cycle `
      + `(2 multiply + 2 add pipes busy every cycle give 4, 2 shared FMA pipes give 2; more than the pipes means the core ran above its nominal clock). The GEMM tile reaches ${fmtStats(a.ratios.gemmPctHwPeak, 0)} % of it.`);
  } else {
    L.push('Hardware peak: not measured (bench/pkg has no peak_hw export: rebuild with bash scripts/build.sh --bench)');
  }
  L.push('');
  L.push('"% tile" = GFLOP/s over the GEMM-tile peak (the denominator of the targets); "% hw" = over the hardware peak.');
  L.push('');
  L.push('| contender | train samples/s, median [min–max] | train GFLOP/s | % tile | % hw | inference samples/s (batch 256) | inf. GFLOP/s | % tile | % hw | final train loss | notes |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of a.table) {
    const loss = r.final?.lastLoss;
    L.push(`| ${r.contender} | ${r.train ? fmtStats(r.train) : 'n/a'} | ${fmt(r.trainGflops, 2)} | ${fmt(r.trainPctPeak, 1)} | ${fmt(r.trainPctHwPeak, 1)} | ${r.infer ? fmtStats(r.infer) : 'n/a'} | ${fmt(r.inferGflops, 2)} | ${fmt(r.inferPctPeak, 1)} | ${fmt(r.inferPctHwPeak, 1)} | ${fmt(loss, 3)} | ${r.note.replaceAll('|', '/')} |`);
  }
  const su = a.metrics['losslab.dual_speedup'];
  const pu = a.metrics['peak.dual_speedup'];
  L.push('');
  L.push(`Two workers vs one (same round): one run split over two workers (Cores = 2) ${fmtStats(a.metrics['losslab.dp_speedup'], 2)}×; two separate runs ${fmtStats(su, 2)}×; control, the bare peak kernel in two workers: ${fmtStats(pu, 2)}× (the share of the second core this browser got)`);
  const load = raw.meta.loadAverage1m;
  if (load && Math.max(load.before, load.after) > 1.5) {
    L.push(`Warning: the 1-minute load average was ${fmt(load.before, 1)}–${fmt(load.after, 1)} on ${raw.meta.cores} cores: other processes were using the CPU, so every figure here (most of all the two-worker speed-up) is lower and noisier than on an idle machine. Re-run when the machine is quiet.`);
  }
  L.push(`Validation bookkeeping (the 256-image training probe, the diagnosis, the 16 watched digits) from the two pass lengths: ${fmtStats(a.ratios.bookkeepingPct, 1)} % of the page's 10,000-image pass; inference against TensorFlow.js wasm: ${fmtStats(a.ratios.pageInferVsTfjsWasm, 2)}× on the page's pass, ${fmtStats(a.ratios.inferVsTfjsWasm, 2)}× when every 2,048 images end a pass.`);
  L.push(`BatchNorm (bn=1) on the default net, with over without (same round): training ${fmtStats(a.ratios.bnTrain, 2)}×, inference ${fmtStats(a.ratios.bnInfer, 2)}×.`);
  L.push(`Against the Rust peers (same round): training ${fmtStats(a.ratios.trainVsBurn, 2)}× burn, ${fmtStats(a.ratios.trainVsCandle, 2)}× candle; inference ${fmtStats(a.ratios.inferVsBurn, 2)}× burn, ${fmtStats(a.ratios.inferVsCandle, 2)}× candle.`);
  L.push(`losslab_bg.wasm: ${fmt(a.wasm.bytes / 1024, 1)} KB raw, ${fmt(a.wasm.gzipBytes / 1024, 1)} KB gzip -9; with the glue (losslab.js, ${fmt(a.wasm.glueGzipBytes / 1024, 1)} KB gzip) a browser downloads ${fmt((a.wasm.gzipBytes + a.wasm.glueGzipBytes) / 1024, 1)} KB`
    + Object.entries(a.peerDownloads).map(([k, v]) => `; ${k}: ${v ? `${fmt(v.gzipBytes / 1024, 1)} KB gzip (wasm + glue)` : 'not built'}`).join(''));
  L.push('');
  L.push('| target (reported, not asserted) | measured: median of per-round ratios [min–max] | met (median) |');
  L.push('|---|---|---|');
  for (const t of a.targets) {
    const d = t.unit === '×' ? 2 : 1;
    const range = t.min === t.max ? '' : ` [${fmt(t.min, d)}–${fmt(t.max, d)}]`;
    L.push(`| ${t.target} | ${fmt(t.value, d)} ${t.unit}${range} | ${Number.isFinite(t.value) ? (t.ok ? 'yes' : 'no') : 'n/a'} |`);
  }
  return L.join('\n');
}

async function main() {
  const wasmPath = path.join(ROOT, 'www', 'pkg', 'losslab_bg.wasm');
  const wasm = await readFile(wasmPath).catch(() => null);
  if (!wasm) throw new Error(`${wasmPath} is missing: run bash scripts/build.sh (npm run bench does)`);
  const gzOf = async (f) => {
    const b = await readFile(f).catch(() => null);
    return b ? gzipSync(b, { level: 9 }).length : null;
  };
  const gz = gzipSync(wasm, { level: 9 }).length;
  const glueGz = await gzOf(path.join(ROOT, 'www', 'pkg', 'losslab.js'));
  const peers = {};
  for (const name of ['burn', 'candle']) {
    const [w, g] = await Promise.all([`${name}_bg.wasm`, `${name}.js`].map((f) => gzOf(path.join(ROOT, 'bench', 'peers', 'pkg', f))));
    peers[name] = w && g ? { gzipBytes: w + g } : null;
  }

  const server = await startServer({ root: ROOT, port: 0 });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  let raw;
  try {
    const page = await browser.newPage();
    page.on('console', (msg) => {
      const t = msg.text();
      if (t.startsWith('[bench]')) console.log(t);
      else if (msg.type() === 'error') console.error(`[page error] ${t}`);
    });
    page.on('pageerror', (e) => console.error(`[page exception] ${e.message}`));
    await page.goto(`${server.url}bench/index.html`);
    console.log(`[bench] ${server.url}bench/index.html, Chromium ${browser.version()}, ${JSON.stringify(opts)}`);
    let timer;
    const load0 = os.loadavg();
    raw = await Promise.race([
      page.evaluate((o) => window.runBench(o), opts),
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`the benchmark did not finish in ${RUN_TIMEOUT_MS / 60000} min`)), RUN_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    raw.meta.browser = `Chromium ${browser.version()}`;
    raw.meta.cpu = await cpuInfo();
    // Other processes on the machine share the cores: the 1-minute load average before and after
    // tells a reader how much to trust a run (2 cores: above ~2 the contenders were competing).
    raw.meta.loadAverage1m = { before: load0[0], after: os.loadavg()[0] };
  } finally {
    await browser.close();
    await server.close();
  }
  const analysis = analyse(raw, { wasmBytes: wasm.length, gzBytes: gz, glueGzBytes: glueGz ?? 0, peers });
  const md = markdown(raw, analysis);
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(path.join(OUT_DIR, 'latest.json'), JSON.stringify({ ...analysis, raw }, null, 1) + '\n');
  await writeFile(path.join(OUT_DIR, 'latest.md'), md + '\n');
  console.log('');
  console.log(md);
  if (analysis.flopsPerSample.check && !analysis.flopsPerSample.check.agrees) {
    console.log(`\nnote: FLOP/sample from describe() (${JSON.stringify(analysis.flopsPerSample.check)}) differ from the default net's figures: the default configuration has changed`);
  }
  console.log(`\nwrote bench/results/latest.json and latest.md (${fmt(raw.meta.seconds, 0)} s in the browser)`);
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
