#!/usr/bin/env bash
# Installs whatever Loss Lab needs and is missing; does nothing else. Safe to run again: with every
# tool present it only checks (a few seconds), then lets prepare-data skip its work.
#   apt:    chromium, chromium-driver (browser tests, e2e), firefox-esr (the Firefox suites),
#           wabt (wasm2wat: the SIMD check)
#   rustup: the wasm32-unknown-unknown target
#   cargo:  wasm-bindgen-cli at exactly the Cargo.lock version of wasm-bindgen, wasm-pack, geckodriver
#   npm:    node_modules from package-lock.json
#   data:   MNIST into www/data (scripts/prepare-data.mjs)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$SECONDS
installed=0
GECKODRIVER_VERSION=0.37.1

for tool in cargo rustup node npm; do
  command -v "$tool" >/dev/null ||
    die "setup: '$tool' is not on PATH. Loss Lab needs Rust via rustup (https://rustup.rs) and Node 20+."
done

# --- apt packages -----------------------------------------------------------------------------------
missing_apt=()
command -v chromium >/dev/null || missing_apt+=(chromium)
command -v chromedriver >/dev/null || missing_apt+=(chromium-driver)
command -v firefox-esr >/dev/null || missing_apt+=(firefox-esr)
command -v wasm2wat >/dev/null || missing_apt+=(wabt)
if [ ${#missing_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "setup: missing system packages: ${missing_apt[*]}. Run as root:
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing_apt[*]}
then run this again."
  fi
  echo "setup: installing ${missing_apt[*]} with apt-get"
  t=$SECONDS
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_apt[@]}" >/dev/null
  echo "setup: apt packages installed ($(seconds_since $t))"
  installed=1
fi

# --- Rust target ------------------------------------------------------------------------------------
# Read the list first: `grep -q` stopping early could fail the pipeline under pipefail.
targets=$(rustup target list --installed)
if ! grep -qx wasm32-unknown-unknown <<<"$targets"; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
  installed=1
fi

# --- wasm-bindgen-cli, same version as the wasm-bindgen crate ---------------------------------------
if [ ! -f Cargo.lock ]; then
  echo "setup: Cargo.lock is missing; generating it"
  cargo generate-lockfile
fi
want=$(lock_wasm_bindgen_version)
[ -n "$want" ] || die "setup: could not find the wasm-bindgen package in Cargo.lock"
have=$(cli_wasm_bindgen_version)
if [ "$have" != "$want" ]; then
  # Not --locked: the CLI's own lockfile pins a webpki-roots version the crates.io index no longer has.
  echo "setup: installing wasm-bindgen-cli $want (found: ${have:-none}); this compiles for ~7 minutes"
  t=$SECONDS
  cargo install wasm-bindgen-cli --version "=$want"
  have=$(cli_wasm_bindgen_version)
  [ "$have" = "$want" ] ||
    die "setup: wasm-bindgen on PATH is '${have:-none}' after installing $want; is another wasm-bindgen earlier on PATH? ($(command -v wasm-bindgen || true))"
  echo "setup: wasm-bindgen-cli $want installed ($(seconds_since $t))"
  installed=1
fi

# --- wasm-pack (runs the wasm test suites) ----------------------------------------------------------
if ! command -v wasm-pack >/dev/null; then
  echo "setup: installing wasm-pack; this compiles for ~6 minutes"
  t=$SECONDS
  cargo install wasm-pack --locked
  echo "setup: wasm-pack installed ($(seconds_since $t))"
  installed=1
fi

# --- geckodriver (drives Firefox for the Firefox suites) -------------------------------------------
# From crates.io: the npm package of the same name downloads its binary from GitHub instead. Pinned, with
# its own lockfile, so that a fresh machine builds the version the suites were run with.
if ! command -v geckodriver >/dev/null; then
  echo "setup: installing geckodriver $GECKODRIVER_VERSION; this compiles for ~6 minutes"
  t=$SECONDS
  cargo install geckodriver --version "=$GECKODRIVER_VERSION" --locked
  echo "setup: geckodriver installed ($(seconds_since $t))"
  installed=1
fi

# --- node_modules -----------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install, so its age tells whether the
# installed tree predates the lockfile.
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: npm ci"
    t=$SECONDS
    npm ci --no-audit --no-fund
    echo "setup: node_modules installed ($(seconds_since $t))"
    installed=1
  fi
elif [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
  echo "setup: npm install (no package-lock.json)"
  npm install --no-audit --no-fund
  installed=1
fi

if [ $installed -eq 0 ]; then
  echo "setup: all tools present (chromium, chromedriver, firefox-esr, wabt, wasm32 target, wasm-bindgen $want, wasm-pack, geckodriver, node_modules)"
fi

# --- MNIST ------------------------------------------------------------------------------------------
[ -f scripts/prepare-data.mjs ] || die "setup: scripts/prepare-data.mjs is missing; it prepares the MNIST files in www/data"
node scripts/prepare-data.mjs

echo "setup: done ($(seconds_since $start))"
