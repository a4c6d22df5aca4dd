// The end-to-end suite of the Loss Lab page (tests/e2e/*.spec.mjs) on @playwright/test with Debian's Chromium.
//
//   npx playwright test                    builds nothing: run `npm run build` first (scripts/test.sh does)
//   npx playwright test -g "hostile"       one test or a few, by name
//   BASE_URL=http://127.0.0.1:8080/ npx playwright test      against a server that is already running
//
// Where the page is served: scripts/test.sh builds the static folder (`node scripts/dist.mjs` -> dist/), serves
// it with a plain static server (http-server) on a port the system picks, and passes its URL as BASE_URL: the
// suite tests what a host would serve, service worker included. Without BASE_URL the runner starts the dev
// server (the repository as it is, no build step, no service worker) on port 0 and reads the URL from its first
// line (webServer.wait: the named group becomes process.env.BASE_URL, which the test workers inherit); the
// tests that need the built copy (tests/e2e/offline.spec.mjs) then say they are skipped. Port 0 rather than a
// fixed port: a fixed port is taken sooner or later (another checkout serving, a lab left open) and serve.mjs
// would then move to the next port behind the runner's back.
import { defineConfig } from '@playwright/test';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  // quiet: no first-run UI and no background traffic to Google while a test measures the page
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '*.spec.mjs',
  outputDir: 'test-results',
  globalSetup: './tests/e2e/global-setup.mjs',
  // Each test trains a real network; the machine has two cores, and a raced run needs both.
  workers: 1,
  fullyParallel: false,
  // A flaky test must show as a failure, never pass on a second try.
  retries: 0,
  forbidOnly: true,
  // Per test: generous, because every wait inside a test is on a page signal with its own deadline, and a
  // loaded machine trains several times slower. The suite itself takes well under a minute on an idle one.
  timeout: 120_000,
  // Web-first assertions retry for up to this long: a signal the page sends "at once" can take seconds
  // on a loaded machine.
  expect: { timeout: 20_000 },
  // `list` prints one line per test and ends with "N passed (time)" (failures listed just before);
  // the summary reporter adds a closing line in the form CI greps: "N passed, M failed".
  reporter: [['list'], ['./tests/e2e/summary-reporter.mjs']],
  use: {
    baseURL: process.env.BASE_URL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    viewport: { width: 1280, height: 720 },
    deviceScaleFactor: 1,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    // Navigation only has to deliver the document: tests then wait on the page's own signals.
    navigationTimeout: 90_000,
    actionTimeout: 20_000,
  },
  webServer: process.env.BASE_URL ? undefined : {
    command: 'node scripts/serve.mjs 0',
    wait: { stdout: /running at (?<base_url>http:\/\/127\.0\.0\.1:\d+\/)/ },
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
