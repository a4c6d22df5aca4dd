// The modulepreload tags the dev server and the built folder add to index.html (scripts/preload.mjs): every module
// the page's scripts import statically, found by following the imports, and nothing a script loads lazily. (The
// import patterns themselves are tests/dist.test.mjs's: scripts/dist.mjs reads references with the same ones.)
//
// Run: node --test tests/preload.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { moduleGraph, withModulePreloads } from '../scripts/preload.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('the graph follows imports across folders, each module once, from the module scripts only', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'losslab-preload-'));
  try {
    const put = (f, text) => { mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); writeFileSync(path.join(dir, f), text); };
    put('www/main.js', "import { x } from './lib/x.js';\nimport './lib/y.js';\nconst later = () => import('./lazy.js');\n");
    put('www/lib/x.js', "import { y } from './y.js';\nexport const x = 1;\n");
    put('www/lib/y.js', "export { z } from '../z.js';\n");
    put('www/z.js', 'export const z = 1;\n');
    put('www/lazy.js', 'export const l = 1;\n');
    put('www/classic.js', "import './lazy.js';\n");
    const html = '<html><head>\n  <script src="www/classic.js"></script>\n  <script type="module" src="www/main.js"></script>\n</head><body></body></html>';
    assert.deepEqual(moduleGraph(html, dir), ['www/main.js', 'www/lib/x.js', 'www/lib/y.js', 'www/z.js']);
    const out = withModulePreloads(html, dir);
    const tags = [...out.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(tags, ['www/lib/x.js', 'www/lib/y.js', 'www/z.js'], 'the scripts themselves are not preloaded again');
    assert.ok(out.indexOf('modulepreload') < out.indexOf('</head>'));
    assert.throws(() => withModulePreloads('<html><body></body></html>', dir), /no <\/head>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the page's own graph: every module exists, the training run's and the boot module's included", () => {
  const html = readFileSync(path.join(ROOT, 'index.html'), 'utf8');
  const graph = moduleGraph(html, ROOT);
  assert.equal(new Set(graph).size, graph.length);
  for (const m of graph) assert.ok(existsSync(path.join(ROOT, m)), `${m} is in the graph but not in the repository`);
  for (const m of ['www/boot.js', 'www/main.js', 'www/lab/run.js', 'www/engine/engine-build.js', 'www/generated/settings.js']) {
    assert.ok(graph.includes(m), `${m} is missing from the graph`);
  }
  // the worker's modules are loaded by the worker, not by the page
  assert.ok(!graph.includes('www/engine/worker.js'));
});
