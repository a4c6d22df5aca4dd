#!/usr/bin/env bash
# Builds the wasm core for the page: www/pkg/losslab.js + www/pkg/losslab_bg.wasm.
# cargo + wasm-bindgen directly (what wasm-pack would run anyway), then proves simd128 made it in.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

refuse_rustflags build
start=$SECONDS

command -v wasm-bindgen >/dev/null || die "build: wasm-bindgen is not on PATH. Run: bash scripts/setup.sh"
command -v wasm2wat >/dev/null || die "build: wasm2wat (wabt) is not on PATH. Run: bash scripts/setup.sh"

echo "build: cargo build --release --target wasm32-unknown-unknown"
cargo build --release --target wasm32-unknown-unknown

# A mismatched CLI writes glue that does not fit the crate; say so before it does.
want=$(lock_wasm_bindgen_version)
have=$(cli_wasm_bindgen_version)
[ "$have" = "$want" ] ||
  die "build: wasm-bindgen CLI is '${have:-none}' but Cargo.lock pins $want. Run: bash scripts/setup.sh"

echo "build: wasm-bindgen --target web --out-dir www/pkg"
wasm-bindgen --target web --out-dir www/pkg target/wasm32-unknown-unknown/release/losslab.wasm

wasm=www/pkg/losslab_bg.wasm
wat=$(mktemp)
trap 'rm -f "$wat"' EXIT
wasm2wat --enable-all "$wasm" -o "$wat"
simd=$(grep -c 'f32x4\.' "$wat" || true)
if [ "$simd" -eq 0 ]; then
  rm -f "$wasm" # never leave a scalar build where the page would load it
  die "build: $wasm contained no f32x4 instructions, so it was built without +simd128 (removed).
Usually RUSTFLAGS was set when cargo ran: it replaces the rustflags in .cargo/config.toml. Check that
.cargo/config.toml still has target-feature=+simd128, unset RUSTFLAGS, and run: bash scripts/build.sh"
fi

raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'build: %s  %d KB raw, %d KB gzip, %d f32x4 instructions (%s)\n' \
  "$wasm" $(((raw + 1023) / 1024)) $(((gz + 1023) / 1024)) "$simd" "$(seconds_since $start)"
