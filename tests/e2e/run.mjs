// Runs every end-to-end test of the page, one line per test, then exactly "N passed, M failed".
//
//   node tests/e2e/run.mjs [base-url] [name-filter]
//
// base-url is where the repository root is served (e.g. http://127.0.0.1:8080/); without it the
// suite starts scripts/serve.mjs on a free port itself. Exits non-zero when a test fails.
// Screenshots land in test-results/ (a failing test also saves NN-failed.png of its last page).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, RESULTS } from './harness.mjs';
import { TESTS } from './tests.mjs';

const TEST_TIMEOUT_MS = 120000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function main(base, { filter = '', hook } = {}) {
  let server = null;
  if (!base) {
    const { startServer } = await import(path.join(root, 'scripts', 'serve.mjs'));
    server = await startServer({ root, port: 0 });
    base = server.url;
  }
  if (!base.endsWith('/')) base += '/';
  const browser = await launch();
  let passed = 0, failed = 0;
  const started = Date.now();
  try {
    for (const [i, test] of TESTS.entries()) {
      if (filter && !test.name.includes(filter)) continue;
      const pages = [];
      const contexts = [];
      const t = {
        open: async (query, opts = {}) => {
          const { open } = await import('./harness.mjs');
          const r = await open(browser, base, query, { ...opts, hook });
          pages.push(r.page);
          contexts.push(r.ctx);
          return r;
        },
      };
      const t0 = Date.now();
      let timer;
      try {
        await Promise.race([
          test.run(t),
          new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${TEST_TIMEOUT_MS / 1000} s`)), TEST_TIMEOUT_MS); }),
        ]);
        passed++;
        console.log(`ok   ${String(i + 1).padStart(2)} ${test.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        const last = pages[pages.length - 1];
        let where = '';
        if (last) {
          await last.screenshot({ path: path.join(RESULTS, `${String(i + 1).padStart(2, '0')}-failed.png`) }).catch(() => {});
          // what the page said when the test gave up, to tell a slow machine from a wrong page
          where = await Promise.race([
            last.evaluate(() => `page status: "${document.getElementById('status')?.textContent}", steps: ${window.lossLab?.history().steps}`),
            new Promise((r) => setTimeout(() => r('page did not answer within 3 s'), 3000)),
          ]).catch((err) => `page unreadable: ${err.message}`);
        }
        console.log(`FAIL ${String(i + 1).padStart(2)} ${test.name}: ${String(e.message).split('\n').join(' / ')}${where ? ` [${where}]` : ''}`);
      } finally {
        clearTimeout(timer);
        for (const c of contexts) await c.close().catch(() => {});
      }
    }
  } finally {
    await browser.close();
    if (server) await server.close();
  }
  console.error(`e2e time ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${RESULTS}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2], { filter: process.argv[3] || '' }).then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => { console.error(e); console.log('0 passed, 1 failed'); process.exit(1); },
  );
}
