# shellcheck shell=bash
# Shared helpers for scripts/setup.sh, scripts/build.sh and scripts/test.sh. Source it; do not run it.
# It moves to the repository root and puts cargo's bin directory on PATH.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# die MESSAGE...: print to stderr and stop with status 1.
die() {
  printf '%s\n' "$*" >&2
  exit 1
}

# The exact wasm-bindgen version pinned in Cargo.lock; the CLI must equal it.
lock_wasm_bindgen_version() {
  awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

# The installed wasm-bindgen CLI version, or nothing.
cli_wasm_bindgen_version() {
  wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true
}

# An exported RUSTFLAGS (even an empty one) replaces the rustflags in .cargo/config.toml, which drops
# +simd128 from the wasm build without any error. Refuse to run instead.
refuse_rustflags() {
  local var
  for var in RUSTFLAGS CARGO_ENCODED_RUSTFLAGS; do
    if [ -n "${!var+set}" ]; then
      die "$1: $var is set in the environment (\"${!var}\"). It replaces the rustflags in .cargo/config.toml and silently drops +simd128 from the wasm build. Run: unset $var"
    fi
  done
}

# seconds_since START: whole seconds elapsed since START (from $SECONDS).
seconds_since() {
  echo "$((SECONDS - $1))s"
}

# The relaxed-simd build (scripts/build.sh, scripts/test.sh): its target features, given to cargo through
# CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS for one command at a time, and its own target directory, so
# that it and the simd128 build (.cargo/config.toml) never rebuild each other.
RELAXED_FLAGS='-C target-feature=+simd128,+relaxed-simd'
RELAXED_TARGET_DIR=target/relaxed
