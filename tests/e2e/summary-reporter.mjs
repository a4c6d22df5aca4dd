// Closing line of the e2e suite, in the form CI and scripts/test.sh read: "N passed, M failed".
// A test that timed out, was interrupted, or passed against its declared expectation counts as failed;
// skipped tests are reported separately so that a suite that silently skips cannot look green.
export default class SummaryReporter {
  constructor() {
    this.passed = 0;
    this.failed = 0;
    this.skipped = 0;
    this.started = Date.now();
  }

  printsToStdio() {
    return true;
  }

  onTestEnd(test, result) {
    if (result.status === 'skipped') this.skipped++;
    else if (result.status === test.expectedStatus) this.passed++;
    else this.failed++;
  }

  onEnd(result) {
    const s = ((Date.now() - this.started) / 1000).toFixed(1);
    const skipped = this.skipped ? `, ${this.skipped} skipped` : '';
    // a run that broke before or between tests (global setup, the web server, a crash) has failed too
    if (result.status !== 'passed' && this.failed === 0) this.failed = 1;
    console.log(`e2e: ${s} s, screenshots in test-results/ (status ${result.status})`);
    console.log(`${this.passed} passed, ${this.failed} failed${skipped}`);
  }
}
