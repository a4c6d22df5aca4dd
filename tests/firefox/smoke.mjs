// Firefox smoke run of the real page: headless Firefox ESR, driven by geckodriver over WebDriver, loads the
// lab with a small run, waits for lossLab.ready(), trains one epoch and fails (exit 1, with what went wrong)
// when the epoch row is not finite, the page reports an error, or anything logged a console error or threw.
//
//   node tests/firefox/smoke.mjs http://127.0.0.1:8080/      against a server that is already running
//
// BASE_URL may stand in for the argument; GECKODRIVER and FIREFOX override the binaries (default: geckodriver
// on PATH, firefox-esr or firefox on PATH). scripts/test.sh runs it after the Playwright suite, against the
// same server. Node built-ins only: WebDriver classic over HTTP (fetch) drives the page, and WebDriver BiDi
// over a WebSocket collects the console. BiDi rather than an error hook injected by a script: classic
// WebDriver can only run scripts once the page has loaded, so a hook would miss what fails while the
// modules load — exactly where another engine breaks first — while BiDi's log.entryAdded reports every
// console error and uncaught exception from the browser's side, from the first byte on.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const QUERY = 'index.html?train_n=1000&val_n=500';
/** How long the page may take to build its network, and to train one small epoch, on a loaded machine. */
const SCRIPT_MS = 240_000;
/** How long a WebDriver command that answers at once (or a navigation) may take before we give up. */
const COMMAND_MS = 120_000;

async function main() {
  const base = process.argv[2] || process.env.BASE_URL;
  if (!base) fail('usage: node tests/firefox/smoke.mjs BASE_URL (e.g. http://127.0.0.1:8080/)');
  const pageUrl = new URL(QUERY, base).href;
  const firefox = process.env.FIREFOX || onPath('firefox-esr') || onPath('firefox');
  if (!firefox) fail('firefox-esr is not installed (scripts/setup.sh installs it with apt); or set FIREFOX=/path/to/firefox');
  const geckodriver = process.env.GECKODRIVER || onPath('geckodriver');
  if (!geckodriver) fail('geckodriver is not on PATH (scripts/setup.sh runs `cargo install geckodriver`); or set GECKODRIVER=/path/to/geckodriver');

  const started = Date.now();
  const driver = await startDriver(geckodriver, realpathSync(firefox)).catch((e) => fail(e.message));
  let session = null;
  let bidi = null;
  let firefoxPid = null;
  const errors = [];
  // Settles with the first console error: a page that failed while loading never installs lossLab, so
  // the waits below give up on it at once instead of at their deadline.
  let firstError;
  const errorSeen = new Promise((_, reject) => { firstError = reject; });
  errorSeen.catch(() => {});
  const orError = (command) => Promise.race([command, errorSeen]);
  let stopping = false;
  const cleanup = async () => {
    if (stopping) return;
    stopping = true;
    bidi?.close();
    // geckodriver answers one command at a time: while a script still waits in the page (a failure cut it
    // short), ending the session would queue behind it until its deadline. Ending Firefox answers it.
    if (pending > 0 && firefoxPid && alive(firefoxPid)) process.kill(firefoxPid, 'SIGTERM');
    // Deleting the session quits Firefox and removes its temporary profile; then the driver goes.
    if (session) await wd(driver.url, 'DELETE', `/session/${session}`, undefined, 30_000).catch(() => {});
    await driver.stop();
    // A Firefox that did not quit with its session (a hung content process) must not outlive the run.
    if (firefoxPid && alive(firefoxPid)) process.kill(firefoxPid, 'SIGKILL');
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => { cleanup().finally(() => process.exit(1)); });
  }

  try {
    const created = await wd(driver.url, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'firefox',
          webSocketUrl: true, // the BiDi connection for the console, beside classic WebDriver
          timeouts: { script: SCRIPT_MS, pageLoad: COMMAND_MS },
          'moz:firefoxOptions': { args: ['-headless', '-width=1280', '-height=720'] },
        },
      },
    });
    session = created.sessionId;
    const caps = created.capabilities;
    firefoxPid = caps['moz:processID'] ?? null;
    console.log(`firefox smoke: ${caps.browserName} ${caps.browserVersion} (${firefox}) via geckodriver at ${driver.url}`);

    bidi = await Bidi.connect(caps.webSocketUrl);
    bidi.on('log.entryAdded', (e) => {
      if (e.level !== 'error') return;
      const where = e.stackTrace?.callFrames?.[0];
      errors.push(`${e.type === 'javascript' ? 'uncaught' : `console.${e.method ?? 'error'}`}: ${e.text}`
        + (where ? ` (${where.url}:${where.lineNumber + 1})` : ''));
      firstError(new SmokeError(`console errors and uncaught exceptions:\n    ${errors.join('\n    ')}`));
    });
    await bidi.send('session.subscribe', { events: ['log.entryAdded'] });

    const s = (p) => `/session/${session}${p}`;
    await wd(driver.url, 'POST', s('/url'), { url: pageUrl });
    console.log(`firefox smoke: loaded ${pageUrl}`);

    // window.lossLab appears once the page's modules have run (after their top-level awaits), so the
    // script waits for that assignment itself, then for the build; an uncaught error rejects at once.
    const ready = await orError(wd(driver.url, 'POST', s('/execute/async'), { args: [], script: `
      const done = arguments[arguments.length - 1];
      const status = () => document.getElementById('status')?.textContent ?? '(no #status element)';
      const onError = (e) => done({ ok: false, failure: 'uncaught: ' + (e.message ?? e.reason), status: status() });
      window.addEventListener('error', onError);
      window.addEventListener('unhandledrejection', onError);
      const api = window.lossLab ? Promise.resolve(window.lossLab) : new Promise((resolve) => {
        Object.defineProperty(window, 'lossLab', {
          configurable: true,
          set(v) { delete window.lossLab; window.lossLab = v; resolve(v); },
        });
      });
      api.then((lab) => lab.ready())
        .then(() => done({ ok: true, status: status() }),
              (e) => done({ ok: false, failure: 'lossLab.ready() rejected: ' + (e?.message ?? e), status: status() }));
    ` }, SCRIPT_MS + 10_000));
    if (!ready.ok) throw new SmokeError(`the page did not get ready: ${ready.failure}\n  status line: ${ready.status}`);
    console.log(`firefox smoke: ready (${ready.status})`);

    const run = await orError(wd(driver.url, 'POST', s('/execute/async'), { args: [], script: `
      const done = arguments[arguments.length - 1];
      const status = () => document.getElementById('status')?.textContent ?? '';
      (async () => {
        await lossLab.start();
        const row = await lossLab.whenEpoch(1);
        await lossLab.pause();
        const h = lossLab.history();
        // JSON has no NaN or Infinity: a non-finite value comes back as its name, not as null.
        const num = (v) => (Number.isFinite(v) ? v : String(v));
        const pick = (r) => ({ epoch: r.epoch, trainLoss: num(r.trainLoss), trainAcc: num(r.trainAcc), valLoss: num(r.valLoss), valAcc: num(r.valAcc) });
        return { row: pick(row), status: h.status, message: h.message ?? null, steps: h.steps, statusText: status() };
      })().then(done, (e) => done({ failure: String(e?.message ?? e), statusText: status() }));
    ` }, SCRIPT_MS + 10_000));
    if (run.failure) throw new SmokeError(`training failed: ${run.failure}\n  status line: ${run.statusText}`);
    const { row } = run;
    console.log(`firefox smoke: epoch ${row.epoch} after ${run.steps} steps: train loss ${row.trainLoss}, `
      + `val loss ${row.valLoss}, val acc ${row.valAcc} (status ${run.status}: ${run.statusText})`);

    await saveScreenshot(driver.url, s('/screenshot'));
    // A BiDi round trip after the last page action: events already sent arrive before its answer.
    await bidi.send('session.status', {});

    const problems = [];
    if (row.epoch !== 1) problems.push(`lossLab.whenEpoch(1) gave epoch ${row.epoch}`);
    for (const key of ['trainLoss', 'trainAcc', 'valLoss', 'valAcc']) {
      if (typeof row[key] !== 'number' || !Number.isFinite(row[key])) problems.push(`${key} is ${row[key]}, not a finite number`);
    }
    if (!(row.valAcc >= 0 && row.valAcc <= 1)) problems.push(`valAcc ${row.valAcc} is outside 0…1`);
    if (run.status === 'error' || run.status === 'diverged') {
      problems.push(`the run's status is ${run.status}: ${run.message ?? run.statusText}`);
    }
    if (errors.length) problems.push(`console errors and uncaught exceptions:\n    ${errors.join('\n    ')}`);
    if (problems.length) throw new SmokeError(problems.join('\n  '));
    console.log(`firefox smoke: passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } catch (e) {
    const logged = errors.length && !(e instanceof SmokeError && e.message.includes('console errors'))
      ? `\n  console errors and uncaught exceptions so far:\n    ${errors.join('\n    ')}` : '';
    // What the page showed, when it can still answer (not while a cut-short script holds the driver).
    const shown = session && pending === 0
      ? await wd(driver.url, 'POST', `/session/${session}/execute/sync`, {
        args: [], script: "return document.getElementById('status')?.textContent ?? '(no #status element)'",
      }, 10_000).then((t) => `\n  status line: ${t}`, () => '') : '';
    const said = driver.output().trim().split('\n').slice(-20).join('\n    ');
    console.error(`firefox smoke: FAILED: ${e instanceof SmokeError ? e.message : e.stack ?? e}${logged}`
      + (e instanceof SmokeError && e.message.includes('status line') ? '' : shown)
      + (e instanceof SmokeError || !said ? '' : `\n  geckodriver said:\n    ${said}`));
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

class SmokeError extends Error {}

function fail(message) {
  console.error(`firefox smoke: ${message}`);
  process.exit(1);
}

/** The first executable NAME on PATH, or null. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try { accessSync(file, constants.X_OK); return file; } catch { /* not here */ }
  }
  return null;
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * Starts geckodriver on a free port (port 0: the system picks one and geckodriver logs it, so two runs
 * never race for a port) with its BiDi WebSocket on a free port too; resolves once it listens.
 */
function startDriver(bin, firefox) {
  const child = spawn(bin, ['--port', '0', '--websocket-port', '0', '--binary', firefox], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk;
      const m = /Listening on (\S+:\d+)/.exec(log);
      if (m) {
        resolve({
          url: `http://${m[1]}`,
          output: () => log,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => reject(new Error(`cannot start ${bin}: ${e.message}`)));
    child.on('exit', (code) => reject(new Error(`geckodriver exited (${code}) before listening:\n${log}`)));
  });
}

/** WebDriver classic commands sent and not answered yet. */
let pending = 0;

/** One WebDriver classic command; resolves to its `value`, throws with the driver's error message. */
async function wd(base, method, route, body, timeout = COMMAND_MS) {
  pending++;
  try {
    return await command(base, method, route, body, timeout);
  } finally {
    pending--;
  }
}

async function command(base, method, route, body, timeout) {
  const res = await fetch(base + route, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeout),
  });
  const json = await res.json().catch(() => ({ value: { error: `HTTP ${res.status}`, message: 'no JSON' } }));
  if (!res.ok) {
    throw new SmokeError(`WebDriver ${method} ${route.replace(/^\/session\/[^/]+/, '/session/…')}: `
      + `${json.value?.error}: ${json.value?.message}`);
  }
  return json.value;
}

/** Saves what Firefox showed at the end to test-results/firefox-smoke.png, beside the e2e screenshots. */
async function saveScreenshot(base, route) {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'firefox-smoke.png');
  writeFileSync(file, Buffer.from(await wd(base, 'GET', route), 'base64'));
  console.log(`firefox smoke: screenshot ${path.relative(process.cwd(), file)}`);
}

/** A minimal WebDriver BiDi client: commands with ids, and event handlers by method name. */
class Bidi {
  static connect(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(new Bidi(ws));
      ws.onerror = () => reject(new SmokeError(`cannot open the WebDriver BiDi socket ${url}`));
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.pending = new Map();
    this.handlers = new Map();
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.id !== undefined && this.pending.has(msg.id)) {
        const { resolve, reject } = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.type === 'error') reject(new SmokeError(`BiDi: ${msg.error}: ${msg.message}`));
        else resolve(msg.result);
      } else if (msg.type === 'event') {
        this.handlers.get(msg.method)?.(msg.params);
      }
    };
    ws.onclose = () => {
      for (const { reject } of this.pending.values()) reject(new SmokeError('the WebDriver BiDi socket closed'));
      this.pending.clear();
    };
  }

  send(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method, handler) {
    this.handlers.set(method, handler);
  }

  close() {
    this.ws.close();
  }
}

// Node 20 has WebSocket behind a flag: run again with it, so that the one-line command above just works.
if (typeof WebSocket === 'undefined') {
  const child = spawn(process.execPath,
    ['--experimental-websocket', '--disable-warning=ExperimentalWarning', ...process.argv.slice(1)],
    { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}
