#!/usr/bin/env bash
# Runs every Loss Lab test suite and stops at the first failure (non-zero exit).
#   1. formatting          cargo fmt --check
#   2. native core         cargo test --profile native-test --workspace -- --include-ignored (MNIST and lesson claims: a
#                          missing file fails; --workspace: the diagnosis crate's unit tests too)
#   3. wasm in Chromium    wasm-pack test --headless --chrome  (tests/web.rs), then again as the relaxed-simd build
#   4. wasm in Firefox     wasm-pack test --headless --firefox (tests/web.rs, in SpiderMonkey)
#   5. wasm in node        wasm-pack test --node               (tests/node.rs)
#   6. settings table      build, node --test tests/settings.test.mjs (the generated table and www/state.js against the engine)
#   7. page end to end     build, npm run dist's folder served by a plain static server (http-server),
#                          BASE_URL=<url> playwright test (tests/e2e/*.spec.mjs)
#   8. page in Firefox     node tests/firefox/smoke.mjs <url> (the same dist/ folder: load, one epoch, no console error)
# Expects the tools from scripts/setup.sh (`npm test` runs setup first).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

refuse_rustflags test
start=$SECONDS
suites_passed=0
summary=""

# suite SHORT-NAME DESCRIPTION: prints the header of the next suite.
suite() {
  suite_name=$1
  suite_start=$SECONDS
  printf '\n=== test: %s: %s ===\n' "$1" "$2"
}

passed() {
  echo "--- test: $suite_name passed ($(seconds_since $suite_start))"
  suites_passed=$((suites_passed + 1))
  summary+="${summary:+, }$suite_name $(seconds_since $suite_start)"
}

on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -n "${suite_name:-}" ]; then
    printf '\ntest: FAILED in "%s" (exit %d) after %s\n' "$suite_name" "$rc" "$(seconds_since $start)" >&2
  fi
  if [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -z "${server_log:-}" ] || rm -f "$server_log"
}
trap on_exit EXIT

# The wasm suites: wasm-pack finds wasm-bindgen, chromedriver and geckodriver on PATH and, with
# --mode no-install, fails instead of downloading anything. The runner's default per-test timeout (20 s)
# is too short for the training checks (in Chromium and Firefox alike).
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300}

suite fmt "cargo fmt --check"
cargo fmt --check
passed

# The real-MNIST tests (accuracy, every lesson's claims) are #[ignore]d so that a plain `cargo test` without
# the data says "ignored" instead of passing; here they run, and a missing data file fails them.
# The native-test profile is the release profile without link-time optimisation: the same optimised code for
# training (native-test and release trained equally fast side by side in examples/train_speed), and about a third of
# release's compile work for the fifteen test binaries (57 against 188 CPU-seconds from a clean target).
suite native "cargo test --profile native-test --workspace -- --include-ignored"
cargo test --profile native-test --workspace -- --include-ignored
passed

# `-- --test web` keeps the native suites in tests/ and the unit tests out of the wasm build.
suite chromium "wasm-pack test --headless --chrome --release (tests/web.rs)"
wasm-pack test --headless --chrome --release --mode no-install -- --test web
passed

# The same checks on the relaxed-SIMD build (fused multiply-add in the GEMM tile), which www/engine/engine.js loads in
# Chromium: its target features for this command only, its own target directory (the one scripts/build.sh
# uses for it), and LOSSLAB_WASM_BUILD, which tests/web.rs checks against the kernels it runs.
suite chromium-relaxed "wasm-pack test --headless --chrome --release, +relaxed-simd (tests/web.rs)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$RELAXED_FLAGS" CARGO_TARGET_DIR="$RELAXED_TARGET_DIR" \
  LOSSLAB_WASM_BUILD=relaxed-simd wasm-pack test --headless --chrome --release --mode no-install -- --test web
passed

# The same checks in SpiderMonkey. wasm-pack finds geckodriver on PATH; the runner starts it with
# GECKODRIVER_ARGS, whose --binary names the Firefox to drive: geckodriver only looks for `firefox` on PATH
# (on Debian a wrapper script that execs firefox-esr). Through the driver's arguments rather than a
# webdriver.json in the crate root, which the runner would hand to chromedriver as well.
export FIREFOX=${FIREFOX:-$(command -v firefox-esr || command -v firefox || true)}
suite firefox "wasm-pack test --headless --firefox --release (tests/web.rs)"
[ -n "$FIREFOX" ] || die "test: firefox-esr is not installed — run scripts/setup.sh (or set FIREFOX=/path/to/firefox)."
GECKODRIVER_ARGS="--binary '$(readlink -f "$FIREFOX")'" \
  wasm-pack test --headless --firefox --release --mode no-install -- --test web
passed

suite node "wasm-pack test --node --release (tests/node.rs)"
wasm-pack test --node --release --mode no-install -- --test node
passed

suite settings "build, node --test tests/settings.test.mjs (the page's table against the engine's)"
bash scripts/build.sh
node --test tests/settings.test.mjs tests/refs.test.mjs tests/presets.test.mjs tests/embed.test.mjs tests/digitpad.test.mjs tests/url.test.mjs tests/contrast.test.mjs tests/diagnosis.test.mjs tests/mystery.test.mjs
passed

suite e2e "build, dist, serve dist/ with http-server, BASE_URL=<url> playwright test (tests/e2e/*.spec.mjs)"
[ -f playwright.config.mjs ] || die "test: playwright.config.mjs is missing, so the page is untested. It must exist for npm test to pass."
[ -f node_modules/@playwright/test/cli.js ] || die "test: @playwright/test is not installed — run npm ci (scripts/setup.sh does)."
[ -f node_modules/http-server/package.json ] || die "test: http-server is not installed — run npm ci (scripts/setup.sh does)."
bash scripts/build.sh
# The suite tests what a static host serves: dist/ (scripts/dist.mjs), not the repository through the dev
# server, whose no-store headers and path rules a real host does not have. tests/dist.test.mjs checks the
# folder itself (every file the pages and modules refer to is in it, the service worker's file list) and the
# headers a plain static server sends for the MNIST .gz files and the .wasm.
node scripts/dist.mjs
node --test tests/dist.test.mjs
# A plain static server: http-server with its defaults (cache headers included) and no directory listing,
# so nothing can come to depend on one. Its library rather than its command line: listening on port 0 lets
# the system pick a free port, never one taken (the command line's `-p 0` probes upwards from 8080 and binds
# later, which two checkouts testing at once can both win); the server prints its URL, which we read back.
server_log=$(mktemp)
node -e '
const server = require("http-server").createServer({ root: process.argv[1], showDir: "false" });
server.listen(0, "127.0.0.1", () => console.log(`serving dist/ at http://127.0.0.1:${server.server.address().port}/`));
' dist >"$server_log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$server_log" || true)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || die "test: the server exited: $(cat "$server_log")"
  sleep 0.1
done
[ -n "$url" ] || die "test: the server printed no URL within 10 s: $(cat "$server_log")"
node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url" ||
  die "test: the server at $url does not serve index.html"
echo "test: serving dist/ at $url"
# The runner prints one line per test and ends with "N passed, M failed"; it exits non-zero on any failure.
# No browser download: the config launches Debian's Chromium (CHROMIUM overrides /usr/bin/chromium).
BASE_URL="$url" node node_modules/@playwright/test/cli.js test --config playwright.config.mjs
passed

# The page in a second engine, against the same server: headless Firefox over WebDriver (geckodriver) loads
# a small run, trains one epoch and fails on a non-finite row, an error status or any console error.
suite firefox-page "node tests/firefox/smoke.mjs <url> (the page in Firefox: load, one epoch, no console error)"
node tests/firefox/smoke.mjs "$url"
passed

echo
echo "test: all $suites_passed suites passed in $(seconds_since $start) ($summary)"
