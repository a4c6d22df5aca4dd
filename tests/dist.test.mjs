// The static folder `npm run dist` writes (scripts/dist.mjs): complete, its service worker configured, and
// served by a plain static server with the headers the page needs. Built here into a temporary folder, so the
// test checks the script itself as well as its output.
//
// Run: bash scripts/build.sh && npm run prepare-data && node --test tests/dist.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { makeDist, unresolved, references, DATA_FILES } from '../scripts/dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

let tmp;
let built;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'losslab-dist-'));
  built = makeDist(path.join(tmp, 'dist'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const read = (f) => readFileSync(path.join(built.out, f));

/** The BUILD object scripts/dist.mjs wrote into sw.js. */
function swBuild() {
  const m = /^const BUILD = (\{.*\});$/m.exec(read('sw.js').toString());
  assert.ok(m, 'sw.js has no `const BUILD = {…};` line: the template was copied unconfigured');
  return JSON.parse(m[1]);
}

test('the folder has the page, the front end, the engine, the data and the service worker', () => {
  for (const f of ['index.html', 'sw.js', 'www/main.js', 'www/engine/worker.js', 'www/offline.js', 'www/style.css', 'www/presets.json',
    'www/views/plots.js', 'www/pkg/losslab.js', 'www/pkg/losslab_bg.wasm', 'www/generated/settings.js', 'www/data/NOTICE.md', 'www/data/manifest.json',
    ...DATA_FILES.map(([f]) => `www/data/${f}`)]) {
    assert.ok(existsSync(path.join(built.out, f)), `${f} is missing from the dist folder`);
  }
  assert.equal(existsSync(path.join(built.out, 'www/sw.js')), false, 'the unconfigured template www/sw.js was copied too');
  assert.equal(existsSync(path.join(built.out, 'www/pkg/package.json')), false, 'wasm-bindgen package.json copied');
  assert.equal(existsSync(path.join(ROOT, 'docs/embed.html')), existsSync(path.join(built.out, 'docs/embed.html')),
    'docs/embed.html is in the dist folder exactly when the repository has it');
  // every front-end file of the repository, byte for byte (index.html gets one tag)
  for (const f of built.files.filter((f) => f.startsWith('www/'))) {
    assert.deepEqual(read(f), readFileSync(path.join(ROOT, f)), `${f} differs from the repository's`);
  }
});

test('every file a page or module refers to is in the folder', () => {
  assert.deepEqual(unresolved(built.out), []);
  // the check finds what it is meant to find: imports, new URL(…, import.meta.url), src= and href=
  const js = "import a from './a.js';\nimport { b } from\n  '../b.js';\nexport * from './c.js';\nimport './d.js';\n" +
    "const e = await import('./e.js');\nnew Worker(new URL('./f.js', import.meta.url));\nfetch(`${base}x.gz`);\nimport x from 'https://cdn/x.js';";
  assert.deepEqual(references('www/x.js', js), ['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js']);
  assert.deepEqual(references('index.html', '<link href="www/s.css"><script src=\'www/m.js\'></script><a href="#top"><a href="https://x.org/">'),
    ['www/s.css', 'www/m.js']);
  const broken = path.join(tmp, 'broken');
  mkdirSync(path.join(broken, 'www'), { recursive: true });
  writeFileSync(path.join(broken, 'index.html'), '<script type="module" src="www/main.js"></script>');
  writeFileSync(path.join(broken, 'www/main.js'), "import { x } from './gone.js';\nconst d = new URL('./data/', import.meta.url);");
  assert.deepEqual(unresolved(broken), ['www/main.js -> ./gone.js', 'www/main.js -> ./data/']);
});

test('index.html names the service worker and the build version; sw.js lists every file with its hash', () => {
  const html = read('index.html').toString();
  const meta = /<meta name="loss-lab-sw" content="sw\.js" data-version="([0-9a-f]{16})">/.exec(html);
  assert.ok(meta, 'index.html has no <meta name="loss-lab-sw"> tag');
  const b = swBuild();
  assert.equal(b.version, meta[1]);
  assert.equal(b.version, built.version);
  const listed = [...b.code, ...b.data.map((d) => d.path)].sort();
  assert.deepEqual(listed, built.files.filter((f) => f !== 'sw.js').sort(), 'the worker lists every file but itself');
  for (const f of b.code) assert.equal(b.codeHashes[f], sha256(read(f)), `hash of ${f}`);
  for (const d of b.data) {
    assert.equal(d.sha256, sha256(read(d.path)), `hash of ${d.path}`);
    assert.equal(d.precache, !d.path.includes('train50k'), `${d.path}: stored at install exactly when a run needs it without asking for more than 10,000 training images`);
  }
  assert.ok(b.code.includes('index.html') && b.code.includes('www/pkg/losslab_bg.wasm') && b.code.includes('www/pkg/losslab_relaxed_bg.wasm'));
  assert.ok(b.code.includes('www/generated/settings.js'), 'the settings table the page imports (www/state.js) is stored for offline use');  // the page's modules are asked for at once (scripts/preload.mjs), before the hashing: sw.js has this index.html's hash
  assert.match(html, /<link rel="modulepreload" href="www\/lab\/run\.js">/);
});

test('the version changes with any file and only then', () => {
  const again = makeDist(path.join(tmp, 'again'));
  assert.equal(again.version, built.version, 'two builds of the same files');
  const copy = path.join(tmp, 'repo');
  const fsCp = (f) => require('node:fs').cpSync(path.join(ROOT, f), path.join(copy, f), { recursive: true });
  ['index.html', 'www'].forEach(fsCp);
  writeFileSync(path.join(copy, 'www/style.css'), `${readFileSync(path.join(copy, 'www/style.css'), 'utf8')}\n/* changed */\n`);
  assert.notEqual(makeDist(path.join(tmp, 'changed'), copy).version, built.version);
});

test('an existing folder that is not an earlier build is never replaced', () => {
  const other = path.join(tmp, 'other');
  mkdirSync(other);
  writeFileSync(path.join(other, 'notes.txt'), 'mine');
  assert.throws(() => makeDist(other), /does not look like an earlier dist folder/);
  assert.equal(readFileSync(path.join(other, 'notes.txt'), 'utf8'), 'mine');
  assert.throws(() => makeDist(ROOT), /holds the repository/);
});

test('a plain static server (http-server) sends the .gz data as bytes and the .wasm as application/wasm', async () => {
  const server = require('http-server').createServer({ root: built.out, showDir: 'false' });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.server.address().port}/`;
  try {
    // Node's fetch would inflate a Content-Encoding: gzip body itself, so the header is checked, and the bytes.
    const gz = await fetch(`${base}www/data/test10k-labels.idx.gz`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers.get('content-encoding'), null, 'a .gz file sent with Content-Encoding: the browser would unpack it first');
    const bytes = Buffer.from(await gz.arrayBuffer());
    assert.deepEqual(bytes, read('www/data/test10k-labels.idx.gz'));
    assert.equal(gunzipSync(bytes).readUInt32BE(4), 10000, 'the labels file holds 10 000 labels');
    const wasm = await fetch(`${base}www/pkg/losslab_bg.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm', 'WebAssembly.instantiateStreaming needs application/wasm');
    for (const [f, type] of [['index.html', /^text\/html/], ['www/main.js', /javascript/], ['sw.js', /javascript/], ['www/style.css', /^text\/css/]]) {
      const r = await fetch(base + f);
      assert.equal(r.status, 200, f);
      assert.match(r.headers.get('content-type'), type, `Content-Type of ${f}`);
    }
    const root = await fetch(base);
    assert.equal(root.status, 200, 'the site root serves index.html');
  } finally {
    server.server.close();
    server.server.closeAllConnections?.();
  }
});
