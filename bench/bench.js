// Loss Lab benchmark page: loads MNIST once, starts one worker per contender, warms each up, then runs
// interleaved rounds (every contender once per round). Raw per-round measurements go to
// window.__results; bench/run.mjs turns them into medians, GFLOP/s and the table.
//
//   window.runBench({rounds, ms, warmupMs, data: 'mnist' | 'synthetic'}) -> Promise<results>

const SEED = 1;
const TRAIN_N = 9984; // 312 full batches of 32, so every timed step is a full batch
const VAL_N = 2048; // the validation set evaluated by Loss Lab's evalChunk (which runs the net on batches of 64)
const PAGE_VAL_N = 10000; // the page's validation set (val10k)
const REQUEST_TIMEOUT_MS = 120000;

const logEl = document.getElementById('log');
function log(text) {
  console.log(`[bench] ${text}`);
  if (logEl) logEl.textContent += text + '\n';
}

// ---- data: the lab's MNIST files from www/data (train10k + val10k, the validation split), else Loss Lab's synthetic digits

async function gunzipFetch(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const raw = new Uint8Array(await res.arrayBuffer());
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// IDX: images have a 16-byte header, labels an 8-byte one.
const idxBody = (bytes, header, n, size) => bytes.slice(header, header + n * size);

async function loadData(forceSynthetic) {
  try {
    if (forceSynthetic) throw new Error('synthetic data requested');
    const names = ['train10k-images', 'train10k-labels', 'val10k-images', 'val10k-labels'];
    const [ti, tl, vi, vl] = await Promise.all(names.map((n) => gunzipFetch(`/www/data/${n}.idx.gz`)));
    return {
      synthetic: false,
      idx: { trainImages: ti, trainLabels: tl, testImages: vi, testLabels: vl },
      train: { images: idxBody(ti, 16, TRAIN_N, 784), labels: idxBody(tl, 8, TRAIN_N, 1) },
      valSet: { images: idxBody(vi, 16, VAL_N, 784), labels: idxBody(vl, 8, VAL_N, 1) },
    };
  } catch (e) {
    log(forceSynthetic ? 'synthetic data requested: using LabData.synthetic for every contender'
      : `MNIST not found in www/data (${e.message}): using LabData.synthetic for every contender`);
    const ll = await import('/www/pkg/losslab.js');
    await ll.default();
    const d = ll.LabData.synthetic(TRAIN_N, VAL_N, SEED);
    const images = new Uint8Array(TRAIN_N * 784);
    for (let i = 0; i < TRAIN_N; i++) images.set(d.image(i), i * 784);
    // LabData does not expose labels; the other contenders' speed does not depend on them.
    const labels = Uint8Array.from({ length: TRAIN_N }, (_, i) => i % 10);
    return {
      synthetic: true,
      train: { images, labels },
      valSet: { images: images.slice(0, VAL_N * 784), labels: labels.slice(0, VAL_N) },
    };
  }
}

// ---- workers: one request at a time each, with a timeout so a stuck contender cannot hang the run

class Contender {
  constructor(name, script) {
    this.name = name;
    this.worker = new Worker(script); // classic workers: ConvNetJS and the tfjs bundles are UMD scripts
    this.pending = new Map();
    this.nextId = 1;
    this.worker.onmessage = (e) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      clearTimeout(p.timer);
      if (e.data.ok) p.resolve(e.data.result);
      else p.reject(new Error(e.data.error));
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`worker error: ${e.message}`));
      }
      this.pending.clear();
    };
  }
  call(cmd, args, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out after ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, cmd, args }, transfer);
    });
  }
  terminate() {
    this.helper?.terminate();
    this.worker.terminate();
  }
}

const rate = (m) => ({ ...m, rate: (m.samples / m.ms) * 1000 });

async function runBench({ rounds = 5, ms = 1000, warmupMs = 1000, data: dataKind = 'mnist' } = {}) {
  const t0 = performance.now();
  const results = {
    meta: {
      date: new Date().toISOString(), userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency,
      rounds, windowMs: ms, warmupMs, seed: SEED, trainN: TRAIN_N, valN: VAL_N, pageValN: PAGE_VAL_N, batch: 32, inferBatch: 256,
    },
    contenders: {}, // name -> {info} or {error}
    rounds: [], // [{metric: {samples, calls, ms, rate} | {error}}]
  };
  const data = await loadData(dataKind === 'synthetic');
  results.meta.data = data.synthetic ? 'synthetic (LabData.synthetic)' : 'MNIST (www/data train10k/val10k)';
  log(`data: ${results.meta.data}`);

  const W = '/bench/workers/';
  const specs = [
    { name: 'peak', script: W + 'losslab.js', init: { peakOnly: true } },
    { name: 'peak-2', script: W + 'losslab.js', init: { peakOnly: true } },
    { name: 'losslab', script: W + 'losslab.js', init: { idx: data.idx, synthetic: data.synthetic, trainN: TRAIN_N, valN: VAL_N, seed: SEED } },
    { name: 'losslab-2', script: W + 'losslab.js', init: { idx: data.idx, synthetic: data.synthetic, trainN: TRAIN_N, valN: VAL_N, seed: SEED + 1 } },
    // The page's validation pass (10,000 images in chunks of 2,000): the bookkeeping of a pass once per 10,000
    // images instead of once per 2,048, so that its share of a pass can be read off the two rates.
    { name: 'losslab-page', script: W + 'losslab.js', init: { idx: data.idx, synthetic: data.synthetic, trainN: TRAIN_N, valN: PAGE_VAL_N, seed: SEED } },
    // The default net with BatchNorm after each convolution (bn=1): what the option costs a step.
    { name: 'losslab-bn', script: W + 'losslab.js', init: { idx: data.idx, synthetic: data.synthetic, trainN: TRAIN_N, valN: VAL_N, seed: SEED, bn: true } },
    // One run on two workers, as the page trains it with Cores = 2: the lab's own helper worker (www/engine/helper.js)
    // at the other end of a MessageChannel takes half of every batch.
    { name: 'losslab-dp', script: W + 'losslab.js', init: { idx: data.idx, synthetic: data.synthetic, trainN: TRAIN_N, valN: VAL_N, seed: SEED }, helper: true },
    { name: 'tfjs-cpu', script: W + 'tfjs.js', init: { backend: 'cpu', train: data.train, valSet: data.valSet, seed: SEED } },
    { name: 'tfjs-wasm', script: W + 'tfjs.js', init: { backend: 'wasm', train: data.train, valSet: data.valSet, seed: SEED } },
    { name: 'tfjs-webgl', script: W + 'tfjs.js', init: { backend: 'webgl', train: data.train, valSet: data.valSet, seed: SEED } },
    { name: 'convnetjs', script: W + 'convnetjs.js', init: { train: data.train, valSet: data.valSet, seed: SEED } },
    // The Rust peers (bench/peers/<name>, built by bench/peers/build.sh where their crates can be fetched), the
    // same net and optimizer as ConvNetJS: unavailable, and reported so, when their build is missing.
    { name: 'burn', script: W + 'rustpeer.js', init: { peer: 'burn', train: data.train, valSet: data.valSet, seed: SEED } },
    { name: 'candle', script: W + 'rustpeer.js', init: { peer: 'candle', train: data.train, valSet: data.valSet, seed: SEED } },
  ];

  // Start-up and warm-up one at a time, so no contender's warm-up competes with another's.
  const live = {};
  for (const s of specs) {
    const c = new Contender(s.name, s.script);
    try {
      let info;
      if (s.helper) {
        const h = new Worker('/www/engine/helper.js', { type: 'module' });
        const ch = new MessageChannel();
        h.postMessage({ type: 'init', port: ch.port2 }, [ch.port2]);
        c.helper = h;
        info = await c.call('init', { ...s.init, port: ch.port1 }, [ch.port1]);
      } else {
        info = await c.call('init', s.init);
      }
      const warm = await c.call('warmup', { ms: warmupMs });
      results.contenders[s.name] = { info, warm };
      live[s.name] = c;
      log(`${s.name}: ready ${JSON.stringify({ ...info, ...warm })}`);
    } catch (e) {
      results.contenders[s.name] = { error: e.message };
      log(`${s.name}: unavailable: ${e.message}`);
      c.terminate();
    }
  }

  // Two workers run `cmd` at the same time, each timing its own window; the rates add up.
  const both = async (a, b, cmd) => {
    if (!live[a] || !live[b]) return null;
    const [ra, rb] = (await Promise.all([live[a].call(cmd, { ms }), live[b].call(cmd, { ms })])).map(rate);
    return { samples: ra.samples + rb.samples, calls: ra.calls + rb.calls, ms: Math.max(ra.ms, rb.ms), rate: ra.rate + rb.rate, workers: [ra, rb] };
  };
  const canTrain = (n) => live[n] && results.contenders[n].info.canTrain !== false;
  // The timed measurements of one round, in order. Pairs that are compared sit next to each other
  // (one Loss Lab worker, two, ConvNetJS and the Rust peers; Loss Lab's inference, then tfjs-wasm's and the
  // Rust peers'), so a load change from outside the browser hits both sides of a ratio alike.
  const plan = [
    ['peak.gflops', () => live.peak && live.peak.call('peak', { ms })],
    // The hardware peak (independent mul/add chains, no loads), right after the GEMM-tile peak.
    ['peak.hw', () => live.peak && live.peak.call('peakHw', { ms })],
    // Control for the two-worker run: the bare kernel in two workers shows how much of the second
    // core this browser really got at that moment (other processes and the scheduler decide).
    ['peak.dual', () => both('peak', 'peak-2', 'peak')],
    ['losslab.train', () => live.losslab && live.losslab.call('train', { ms })],
    ['losslab-bn.train', () => live['losslab-bn'] && live['losslab-bn'].call('train', { ms })],
    ['losslab.dp', () => live['losslab-dp'] && live['losslab-dp'].call('train', { ms })],
    ['losslab.dual', () => both('losslab', 'losslab-2', 'train')],
    ['convnetjs.train', () => live.convnetjs && live.convnetjs.call('train', { ms })],
    ['burn.train', () => live.burn && live.burn.call('train', { ms })],
    ['candle.train', () => live.candle && live.candle.call('train', { ms })],
    ['losslab.infer', () => live.losslab && live.losslab.call('infer', { ms })],
    ['tfjs-wasm.infer', () => live['tfjs-wasm'] && live['tfjs-wasm'].call('infer', { ms })],
    ['burn.infer', () => live.burn && live.burn.call('infer', { ms })],
    ['candle.infer', () => live.candle && live.candle.call('infer', { ms })],
    ['losslab-page.infer', () => live['losslab-page'] && live['losslab-page'].call('infer', { ms })],
    ['losslab-bn.infer', () => live['losslab-bn'] && live['losslab-bn'].call('infer', { ms })],
    ['tfjs-cpu.train', () => canTrain('tfjs-cpu') && live['tfjs-cpu'].call('train', { ms })],
    ['tfjs-cpu.infer', () => live['tfjs-cpu'] && live['tfjs-cpu'].call('infer', { ms })],
    ['tfjs-wasm.train', () => canTrain('tfjs-wasm') && live['tfjs-wasm'].call('train', { ms })],
    ['tfjs-webgl.train', () => canTrain('tfjs-webgl') && live['tfjs-webgl'].call('train', { ms })],
    ['tfjs-webgl.infer', () => live['tfjs-webgl'] && live['tfjs-webgl'].call('infer', { ms })],
    ['convnetjs.infer', () => live.convnetjs && live.convnetjs.call('infer', { ms })],
  ];

  for (let r = 0; r < rounds; r++) {
    const round = {};
    for (const [metric, run] of plan) {
      try {
        const m = await run();
        if (!m) continue;
        round[metric] = m.rate === undefined ? rate(m) : m;
      } catch (e) {
        round[metric] = { error: e.message };
      }
      const v = round[metric];
      const shown = v.error ? `error: ${v.error}` : metric.startsWith('peak.') ? `${(v.rate / 1e9).toFixed(1)} GFLOP/s` : `${v.rate.toFixed(0)} samples/s`;
      log(`round ${r + 1}/${rounds} ${metric}: ${shown}`);
    }
    results.rounds.push(round);
  }

  // Sanity: every trainer should be learning (loss well below ln 10 = 2.30 after warm-up and rounds).
  for (const [name, c] of Object.entries(live)) {
    try {
      results.contenders[name].final = await c.call('state');
    } catch (e) {
      results.contenders[name].final = { error: e.message };
    }
    c.terminate();
  }
  results.meta.seconds = (performance.now() - t0) / 1000;
  window.__results = results;
  window.__done = true;
  return results;
}

window.runBench = runBench;
document.getElementById('run')?.addEventListener('click', async (e) => {
  e.target.disabled = true;
  const r = await runBench();
  log(JSON.stringify(r, null, 1));
});
