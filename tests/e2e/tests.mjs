// The end-to-end tests of the Loss Lab page: real headless Chromium, the real page, the real wasm engine
// in its worker and the real MNIST files from www/data/. Each test saves a screenshot into test-results/.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, ready, shot, statusText, trainEpochs } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Small runs keep the suite quick on two shared cores.
const SMALL = '?train_n=1000&val_n=500';
// How long a test waits for a signal the page sends within moments (a URL update, a status change) before it
// fails: generous, because on a loaded machine "moments" can be seconds. Tests never sleep for a fixed time.
const SIGNAL_MS = 20000;

function noErrors(errors, allow = []) {
  const left = errors.filter((e) => !allow.some((re) => re.test(e)));
  check(left.length === 0, `console errors: ${left.join(' | ')}`);
}

export const TESTS = [
  {
    name: 'page loads without console errors and the engine gets ready',
    async run(t) {
      const { page, errors } = await t.open('');
      await ready(page);
      check(/ready/.test(await statusText(page)), `status: ${await statusText(page)}`);
      check(!(await page.locator('#btn-start').isDisabled()), 'Start is disabled on a ready page');
      const layers = await page.locator('#arch-layers tbody tr').count();
      check(layers >= 3, `architecture table has ${layers} rows`);
      const credit = page.locator('footer a[href="https://creativecommons.org/licenses/by-sa/3.0/"]');
      check((await credit.count()) === 1, 'the CC BY-SA credit link is missing');
      check(/MNIST database by Y\. LeCun, C\. Cortes and C\. J\. C\. Burges/.test(await page.locator('footer').textContent()), 'MNIST credit text missing');
      check(/real MNIST/.test(await page.locator('#data-badge').textContent()), 'data badge does not say real MNIST');
      await shot(page, '01-idle');
      noErrors(errors);
    },
  },
  {
    name: 'training runs in the worker and the loss chart redraws after each epoch',
    async run(t) {
      const { page, errors } = await t.open(SMALL);
      await ready(page);
      // Watch main-thread responsiveness while training: the work must be in the worker.
      await page.evaluate(() => {
        window.__gaps = [];
        let last = performance.now();
        const tick = () => { const now = performance.now(); window.__gaps.push(now - last); last = now; if (window.__gaps.length < 100000) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
      });
      const canvas = () => page.evaluate(() => document.getElementById('chart-loss').toDataURL());
      const before = await canvas();
      await page.evaluate(() => window.lossLab.start());
      // whenEpoch(n) resolves once the epoch's point has been drawn: the canvas is read right after it
      const [e1, after1] = await page.evaluate(async () => [await window.lossLab.whenEpoch(1), document.getElementById('chart-loss').toDataURL()]);
      const [e2, after2] = await page.evaluate(async () => {
        const row = await window.lossLab.whenEpoch(2);
        window.lossLab.pause();
        return [row, document.getElementById('chart-loss').toDataURL()];
      });
      check(before !== after1 && after1 !== after2, 'the loss chart did not change between epochs');
      check(Number.isFinite(e1.trainLoss) && Number.isFinite(e1.valLoss), `epoch 1 losses not finite: ${JSON.stringify(e1)}`);
      check(e1.trainLoss < Math.log(10) + 0.2, `epoch 1 train loss ${e1.trainLoss} is not below chance`);
      check(e2.valLoss < e1.valLoss + 0.05, `validation loss rose from ${e1.valLoss} to ${e2.valLoss}`);
      check(e2.valAcc > 0.5, `validation accuracy after 2 epochs only ${e2.valAcc}`);
      check(e2.recall.length === 10 && Object.keys(e2.gradNorms).length >= 2, 'recall or gradNorms missing from history');
      const h = await page.evaluate(() => window.lossLab.history());
      check(h.status === 'paused' && h.steps >= 2 * 32, `history: status ${h.status}, steps ${h.steps}`);
      const summary = await page.locator('#summary').textContent();
      check(/^Epoch \d+: train loss [\d.e+-]+, validation loss [\d.e+-]+, validation accuracy [\d.]+%/.test(summary), `live summary: ${summary}`);
      const worst = await page.evaluate(() => Math.max(...window.__gaps.slice(5)));
      check(worst < 500, `the main thread froze for ${Math.round(worst)} ms while training`);
      await shot(page, '02-trained-two-epochs');
      noErrors(errors);
    },
  },
  {
    name: 'learning rate at its maximum diverges and the page says so',
    async run(t) {
      const { page, errors } = await t.open(`${SMALL}&lr=10`);
      await ready(page);
      await page.evaluate(() => window.lossLab.start());
      await page.waitForFunction(() => window.lossLab.history().status === 'diverged', null, { timeout: 60000 });
      const h = await page.evaluate(() => window.lossLab.history());
      check(Number.isInteger(h.divergedAt) && h.divergedAt >= 1, `divergedAt: ${h.divergedAt}`);
      const st = await statusText(page);
      check(st.includes(`diverged at step ${h.divergedAt}`) && /lower the learning rate/.test(st), `status: ${st}`);
      check(await page.locator('#btn-start').isDisabled(), 'Start still enabled after divergence');
      await shot(page, '03-diverged');
      noErrors(errors);
    },
  },
  {
    name: '40% label noise changes the training curves (compared with a pinned clean run)',
    async run(t) {
      const { page, errors } = await t.open(SMALL);
      await ready(page);
      const clean = await trainEpochs(page, 2);
      await page.locator('#btn-pin').click(); // keep the clean run as the faded reference
      const notices = await page.evaluate(() => window.lossLab.apply({ noise: 40 }));
      check(notices.length === 0, `notices: ${notices}`);
      await ready(page);
      const noisy = await trainEpochs(page, 2);
      const c = clean.epochs[1], n = noisy.epochs[1];
      check(n.trainLoss > c.trainLoss + 0.3, `train loss with noise ${n.trainLoss} vs without ${c.trainLoss}`);
      check(n.trainAcc < c.trainAcc - 0.15, `train accuracy with noise ${n.trainAcc} vs without ${c.trainAcc}`);
      check(Number.isFinite(n.noisyLoss) && n.noisyLoss > n.cleanLoss, `clean ${n.cleanLoss} vs corrupted ${n.noisyLoss} loss`);
      check(!Number.isFinite(c.noisyLoss), `a clean run reports a corrupted-sample loss ${c.noisyLoss}`);
      check(/40% labels corrupted \(400\)/.test(await page.locator('#data-badge').textContent()), 'badge does not mention the noise');
      check(/corrupted labels/.test(await page.locator('#legend-acc').textContent()), 'no clean/corrupted legend');
      check(/pinned run/.test(await page.locator('#legend-loss').textContent()), 'the pinned run is not in the legend');
      check(!(await page.locator('#btn-unpin').isDisabled()), 'Clear pin is disabled while a run is pinned');
      await shot(page, '04-label-noise');
      noErrors(errors);
    },
  },
  {
    name: 'a preset applies its config, resets the run and explains itself',
    async run(t) {
      const { page, errors } = await t.open('?lr=0.2&noise=10&seed=5');
      await ready(page);
      await page.locator('#preset-deep-sigmoid').click();
      await ready(page);
      const cfg = await page.evaluate(() => window.lossLab.config());
      check(cfg.depth === 6 && cfg.act === 'sigmoid' && cfg.pool === 'last', `preset config: ${JSON.stringify(cfg)}`);
      check(cfg.lr === 0.01 && cfg.noise === 0 && cfg.seed === 1, `preset did not start from the baseline: lr ${cfg.lr}, noise ${cfg.noise}, seed ${cfg.seed}`);
      await page.waitForFunction(() => new URL(location.href).searchParams.get('depth') === '6', null, { timeout: SIGNAL_MS }).catch(() => {});
      const q = new URL(page.url()).searchParams;
      check(q.get('depth') === '6' && q.get('act') === 'sigmoid' && !q.has('lr'), `URL after preset: ${page.url()}`);
      check((await page.locator('#preset-note').isVisible()) && /vanishing/.test(await page.locator('#preset-note-text').textContent()), 'preset note missing');
      const rows = await page.locator('#arch-layers tbody tr').count();
      check(rows >= 7, `deep net shows ${rows} layers`);
      check((await page.locator('#arch-blocks tbody tr').count()) === 6, 'the block table does not have 6 rows');
      await shot(page, '05-preset-deep-sigmoid');
      noErrors(errors);
    },
  },
  {
    name: 'a URL round-trip reproduces the configuration',
    async run(t) {
      const q = '?seed=7&opt=adam&lr=0.003&b2=0.99&ch=4,12&k=3&pad=1&noise=20&noise_kind=pairs&aug_rot=10&imb=classes&imb_classes=3,5&train_n=2000';
      const a = await t.open(q);
      await ready(a.page);
      const cfgA = await a.page.evaluate(() => window.lossLab.config());
      check(cfgA.opt === 'adam' && cfgA.lr === 0.003 && cfgA.ch === '4,12' && cfgA.imb_classes === '3,5' && cfgA.seed === 7, `parsed: ${JSON.stringify(cfgA)}`);
      check(await a.page.locator('#notices').isHidden(), 'a clean URL produced notices');
      check((await a.page.locator('#ctl-opt').inputValue()) === 'adam', 'optimizer control not synced');
      check(await a.page.locator('#ctl-b2').isVisible(), 'Adam β2 hidden while Adam is chosen');
      check(await a.page.locator('#ctl-mom').isHidden(), 'momentum shown for Adam');
      // change one more setting through a control; the URL must follow
      await a.page.locator('#ctl-act').selectOption('tanh');
      await a.page.waitForFunction(() => new URL(location.href).searchParams.get('act') === 'tanh', null, { timeout: SIGNAL_MS })
        .catch(() => { throw new Error(`URL after a control change: ${a.page.url()}`); });
      const shared = a.page.url();
      await shot(a.page, '06-url-roundtrip');
      const b = await t.open(shared);
      await ready(b.page);
      const cfgB = await b.page.evaluate(() => window.lossLab.config());
      check(JSON.stringify(cfgB) === JSON.stringify({ ...cfgA, act: 'tanh' }), `round trip differs:\n${JSON.stringify(cfgA)}\n${JSON.stringify(cfgB)}`);
      const fresh = await t.open('');
      await ready(fresh.page);
      check(new URL(fresh.page.url()).search === '', `defaults wrote a query: ${fresh.page.url()}`);
      noErrors([...a.errors, ...b.errors, ...fresh.errors]);
    },
  },
  {
    name: 'a hostile URL is clamped with a notice and injects no HTML',
    async run(t) {
      const q = '?lr=1e99&depth=-3&act=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&bogus=1&mom=abc&ch=8,%3Cb%3E';
      const { page, errors, dialogs } = await t.open(q);
      await ready(page);
      const cfg = await page.evaluate(() => window.lossLab.config());
      check(cfg.lr === 10 && cfg.depth === 1 && cfg.act === 'relu' && cfg.mom === 0.9 && cfg.ch === '8,16', `clamped: ${JSON.stringify(cfg)}`);
      const text = await page.locator('#notice-list').textContent();
      for (const want of ['lr=1e99 is above the maximum 10', 'depth=-3 is below the minimum 1', 'act=<img src=x onerror=alert(1)>', 'bogus is not a Loss Lab setting', 'mom=abc was not a number — using 0.9']) {
        check(text.includes(want), `notice "${want}" missing from: ${text}`);
      }
      check((await page.locator('img').count()) === 0 && (await page.locator('#notices b').count()) === 0, 'HTML from the URL was inserted');
      check(dialogs.length === 0, `a dialog opened: ${dialogs}`);
      const q2 = new URL(page.url()).searchParams;
      check(!q2.has('bogus') && q2.get('lr') === '10' && !q2.has('act'), `URL not cleaned: ${page.url()}`);
      await shot(page, '07-hostile-url');
      noErrors(errors);
    },
  },
  {
    name: 'the learning-rate slider works by keyboard alone, with a visible focus ring',
    async run(t) {
      const { page, errors } = await t.open('');
      await ready(page);
      // reach the slider with Tab from the top of the page
      let id = '';
      for (let i = 0; i < 80 && id !== 'ctl-lr'; i++) {
        await page.keyboard.press('Tab');
        id = await page.evaluate(() => document.activeElement && document.activeElement.id);
      }
      check(id === 'ctl-lr', 'Tab never reached the learning-rate slider');
      const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      check(ring !== 'none', 'no focus outline on the slider');
      const before = await page.evaluate(() => window.lossLab.config().lr);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      const after = await page.evaluate(() => window.lossLab.config().lr);
      check(after > before, `lr ${before} -> ${after}`);
      check(Number(await page.locator('#ctl-lr-num').inputValue()) === after, 'the number box does not show the new value');
      await page.waitForFunction((v) => new URL(location.href).searchParams.get('lr') === v, String(after), { timeout: SIGNAL_MS })
        .catch(() => { throw new Error(`URL does not follow the slider: ${page.url()}`); });
      await shot(page, '08-keyboard-slider');
      // Space on the focused Start button starts training
      await page.locator('#btn-start').focus();
      await page.keyboard.press('Space');
      await page.waitForFunction(() => window.lossLab.history().status === 'running');
      await page.keyboard.press('Space');
      noErrors(errors);
    },
  },
  {
    name: 'an impossible architecture shows the engine message inline and disables Start',
    async run(t) {
      const { page, errors } = await t.open('');
      await ready(page);
      await page.evaluate(() => window.lossLab.apply({ stride: '4,4' }));
      await page.locator('#arch-error').waitFor({ state: 'visible' });
      const msg = await page.locator('#arch-error').textContent();
      check(/cannot be built: .+/.test(msg), `arch error: ${msg}`);
      check(await page.locator('#btn-start').isDisabled(), 'Start enabled for an impossible design');
      await shot(page, '09-architecture-error');
      await page.evaluate(() => window.lossLab.apply({ stride: '1,1' }));
      await ready(page);
      check(await page.locator('#arch-error').isHidden(), 'error still shown after the fix');
      check(!(await page.locator('#btn-start').isDisabled()), 'Start still disabled after the fix');
      noErrors(errors);
    },
  },
  {
    name: 'missing MNIST files show the message and synthetic digits work instead',
    async run(t) {
      const { page, errors } = await t.open(SMALL, {
        setup: (ctx) => ctx.route('**/www/data/*.gz', (r) => r.fulfill({ status: 404, body: 'not found' })),
      });
      const box = page.locator('#data-missing');
      await box.waitFor({ state: 'visible', timeout: 60000 });
      const text = await box.textContent();
      check(text.includes('MNIST files not found at www/data/') && text.includes('npm start'), `message: ${text}`);
      check(await page.locator('#btn-start').isDisabled(), 'Start enabled without data');
      await shot(page, '10-data-missing');
      await page.locator('#btn-synthetic').click();
      await ready(page);
      check(/synthetic digits/.test(await page.locator('#data-badge').textContent()), 'badge does not say synthetic digits');
      check(/synthetic digits/.test(await statusText(page)), `status: ${await statusText(page)}`);
      await page.waitForFunction(() => new URL(location.href).searchParams.get('data') === 'synthetic', null, { timeout: SIGNAL_MS }).catch(() => {});
      check(new URL(page.url()).searchParams.get('data') === 'synthetic', `URL lacks data=synthetic: ${page.url()}`);
      const h = await trainEpochs(page, 1);
      check(Number.isFinite(h.epochs[0].valLoss), 'synthetic run produced no validation loss');
      noErrors(errors, [/Failed to load resource.*404/]);
    },
  },
  {
    name: 'a crash inside the engine is reported and the worker is rebuilt',
    async run(t) {
      // Fault injection: the first load of the wasm glue gets a step() that traps like a Rust panic does
      // (RuntimeError 'unreachable'); every later load is the untouched glue.
      const glue = await readFile(path.join(ROOT, 'www', 'pkg', 'losslab.js'), 'utf8');
      let loads = 0;
      const { page, errors } = await t.open(SMALL, {
        setup: (ctx) => ctx.route('**/www/pkg/losslab.js', (r) => {
          loads++;
          const body = loads === 1
            ? `${glue}\nLabTrainer.prototype.step = function () { throw new WebAssembly.RuntimeError('unreachable'); };\n`
            : glue;
          return r.fulfill({ body, contentType: 'text/javascript' });
        }),
      });
      await ready(page);
      await page.evaluate(() => {
        window.__statuses = [];
        new MutationObserver(() => window.__statuses.push(document.getElementById('status').textContent))
          .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
        window.lossLab.start();
      });
      await page.waitForFunction(() => window.__statuses.some((s) => /engine crashed/.test(s)), null, { timeout: 60000 });
      await ready(page);
      check(loads === 2, `the wasm glue was loaded ${loads} times (expected a fresh worker after the crash)`);
      const statuses = await page.evaluate(() => window.__statuses);
      check(statuses.some((s) => /^error: the engine crashed \(unreachable\)/.test(s)), `statuses: ${statuses.join(' | ')}`);
      check(/ready/.test(await statusText(page)), `status after the restart: ${await statusText(page)}`);
      const h = await trainEpochs(page, 1);
      check(h.epochs.length >= 1 && Number.isFinite(h.epochs[0].valLoss), 'the rebuilt worker does not train');
      await shot(page, '11-engine-crash-recovered');
      noErrors(errors);
    },
  },
  {
    name: 'racing the pinned run trains it again in a second worker, side by side with the current run',
    async run(t) {
      for (const [viewport, tag] of [[{ width: 1280, height: 720 }, '1280x720'], [{ width: 768, height: 1024 }, '768x1024']]) {
        const { page, errors } = await t.open(SMALL, { viewport });
        await ready(page);
        await trainEpochs(page, 1);
        await page.locator('#btn-pin').click();
        const pinnedCfg = await page.evaluate(() => window.lossLab.config());
        check((await page.evaluate(() => window.lossLab.history().pinned.status)) === 'pinned', 'a frozen pin is not reported as pinned');
        check(await page.locator('#opt-race').isEnabled(), 'the race box is disabled while a run is pinned');
        await page.evaluate(() => window.lossLab.apply({ lr: 0.05 })); // a live setting: this run only
        // the box by keyboard: focus it, Space ticks it
        await page.locator('#opt-race').focus();
        await page.keyboard.press('Space');
        check(await page.locator('#opt-race').isChecked(), 'Space did not tick the race box');
        await ready(page);
        let h = await page.evaluate(() => window.lossLab.history());
        check(h.epochs.length === 0 && h.steps === 0, `this run did not restart from epoch 0: ${h.epochs.length} epochs, ${h.steps} steps`);
        check(h.pinned && h.pinned.raced && h.pinned.epochs.length === 0 && h.pinned.steps === 0, `the raced run did not start from epoch 0: ${JSON.stringify(h.pinned && { ...h.pinned, epochs: h.pinned.epochs.length })}`);
        check(JSON.stringify(h.pinned.config) === JSON.stringify(pinnedCfg), `raced config ${JSON.stringify(h.pinned.config)} is not the config at pin time`);
        check(h.pinned.config.lr === 0.01 && h.pinned.config.seed === 1, `pinned lr ${h.pinned.config.lr}, seed ${h.pinned.config.seed}`);
        check((await page.evaluate(() => window.lossLab.config().lr)) === 0.05, 'the current run lost its changed learning rate');
        await page.locator('#btn-start').click();
        await page.waitForFunction(() => {
          const x = window.lossLab.history();
          return x.status === 'running' && x.pinned.status === 'running' && x.steps > 0 && x.pinned.steps > 0;
        }, null, { timeout: 60000 });
        // both runs' speeds in the progress line (each appears once its run has trained for a moment)
        await page.waitForFunction(() => /^this run [\d,]+ samples\/s · pinned run [\d,]+ samples\/s/.test(document.getElementById('speed').textContent), null, { timeout: 60000 })
          .catch(async () => { throw new Error(`progress line without both speeds: ${await page.locator('#speed').textContent()}`); });
        await page.waitForFunction(() => {
          const x = window.lossLab.history();
          return x.epochs.length >= 2 && x.pinned.epochs.length >= 2;
        }, null, { timeout: 90000 });
        await page.locator('#btn-start').click(); // Pause stops both
        await page.evaluate(() => window.lossLab.pause()); // resolves once both workers confirmed: no more steps
        h = await page.evaluate(() => window.lossLab.history());
        check(h.status === 'paused' && h.pinned.status === 'paused', `after Pause: this run ${h.status}, pinned run ${h.pinned.status}`);
        const a = h.epochs[1], b = h.pinned.epochs[1];
        check(Number.isFinite(a.valLoss) && Number.isFinite(b.valLoss), `losses not finite: ${a.valLoss}, ${b.valLoss}`);
        check(a.trainLoss !== b.trainLoss && a.valLoss !== b.valLoss, `lr 0.05 and lr 0.01 gave the same epoch 2: ${a.trainLoss}/${a.valLoss}`);
        check(b.valLoss < h.pinned.epochs[0].valLoss + 0.05 && b.valAcc > 0.5, `the raced run did not learn: ${JSON.stringify(h.pinned.epochs.map((e) => e.valLoss))}`);
        // the pinned run is visible as such: legend, gradient chart and its own status line
        check(/pinned run.*trained again alongside/.test(await page.locator('#legend-loss').textContent()), 'loss legend does not name the raced run');
        check(/pinned run/.test(await page.locator('#legend-grad').textContent()), 'gradient legend does not mention the pinned run');
        check(/^Pinned run, trained again in a second worker: paused after step \d+\. After epoch \d+: /.test(await page.locator('#race-status').textContent()), `race status: ${await page.locator('#race-status').textContent()}`);
        // One step advances both paused runs by exactly one step
        const before = await page.evaluate(() => { const x = window.lossLab.history(); return [x.steps, x.pinned.steps]; });
        await page.locator('#btn-step').click();
        await page.waitForFunction(([s, p]) => { const x = window.lossLab.history(); return x.steps === s + 1 && x.pinned.steps === p + 1; }, before, { timeout: SIGNAL_MS })
          .catch(async () => { throw new Error(`One step: ${before} -> ${await page.evaluate(() => { const x = window.lossLab.history(); return [x.steps, x.pinned.steps]; })}`); });
        await shot(page, `12-race-${tag}`);
        // Reset restarts both from epoch 0
        await page.locator('#btn-reset').click();
        await ready(page);
        h = await page.evaluate(() => window.lossLab.history());
        check(h.steps === 0 && h.pinned.steps === 0 && h.pinned.raced, `after Reset: ${h.steps} and ${h.pinned.steps} steps`);
        // unticking drops the second worker and shows the frozen pin again
        await page.locator('#opt-race').uncheck();
        h = await page.evaluate(() => window.lossLab.history());
        check(h.pinned && !h.pinned.raced && h.pinned.status === 'pinned' && h.pinned.epochs.length === 1, `after unticking: ${JSON.stringify(h.pinned && { raced: h.pinned.raced, n: h.pinned.epochs.length })}`);
        check(await page.locator('#race-status').isHidden(), 'race status still shown after the race ended');
        noErrors(errors);
      }
    },
  },
  {
    name: 'a raced pinned run that diverges is reported without stopping the current run',
    async run(t) {
      const { page, errors } = await t.open(`${SMALL}&lr=10`);
      await ready(page);
      await page.evaluate(() => { window.lossLab.pin(); window.lossLab.apply({ lr: 0.01 }); window.lossLab.race(); });
      await ready(page);
      await page.evaluate(() => window.lossLab.start());
      await page.waitForFunction(() => window.lossLab.history().pinned.status === 'diverged', null, { timeout: 60000 });
      const h = await page.evaluate(() => window.lossLab.history());
      check(h.status === 'running', `this run stopped when the pinned run diverged: ${h.status}`);
      check(Number.isInteger(h.pinned.divergedAt) && h.pinned.divergedAt >= 1, `pinned divergedAt: ${h.pinned.divergedAt}`);
      const st = await page.locator('#race-status').textContent();
      check(st.startsWith(`Pinned run diverged at step ${h.pinned.divergedAt}:`) && /this run keeps training/.test(st), `race status: ${st}`);
      check(/trained again: diverged at step/.test(await page.locator('#legend-loss').textContent()), `legend: ${await page.locator('#legend-loss').textContent()}`);
      await page.evaluate(() => window.lossLab.whenEpoch(1));
      check(/pinned run diverged/.test(await page.locator('#speed').textContent()), `progress line: ${await page.locator('#speed').textContent()}`);
      await page.evaluate(() => window.lossLab.pause());
      await shot(page, '13-race-pinned-diverged');
      noErrors(errors);
    },
  },
];
