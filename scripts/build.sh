#!/usr/bin/env bash
# Builds the wasm core for the page, twice:
#   www/pkg/losslab_bg.wasm          +simd128: every browser with WebAssembly SIMD
#   www/pkg/losslab_relaxed_bg.wasm  +simd128,+relaxed-simd: fused multiply-add (kernels/simd.rs), loaded by
#                                    www/engine/engine.js where WebAssembly.validate accepts relaxed SIMD
# and one glue file, www/pkg/losslab.js, for both (www/engine/engine.js passes it the wasm to load);
# then www/generated/settings.js, the engine's settings table for the page (scripts/gen-settings.mjs).
# `scripts/build.sh --bench` builds bench/pkg instead (see below).
# cargo + wasm-bindgen directly (what wasm-pack would run anyway), then proves the instructions made it in.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

refuse_rustflags build
start=$SECONDS

# --bench: the benchmark build only: bench/pkg/losslab.js with the `bench` feature (the peak kernels and
# their exports, which the page's build leaves out), in the engine's relaxed-SIMD form (the one Chromium
# runs), in its own target directory so that neither build invalidates the other's.
if [ "${1:-}" = "--bench" ]; then
  echo "build: cargo build --release --target wasm32-unknown-unknown --features bench (target/bench)"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$RELAXED_FLAGS" \
    cargo build --release --target wasm32-unknown-unknown --features bench --target-dir target/bench
  wasm-bindgen --target web --out-dir bench/pkg target/bench/wasm32-unknown-unknown/release/losslab.wasm
  echo "build: bench/pkg ($(seconds_since $start))"
  exit 0
fi

command -v wasm-bindgen >/dev/null || die "build: wasm-bindgen is not on PATH. Run: bash scripts/setup.sh"
command -v wasm2wat >/dev/null || die "build: wasm2wat (wabt) is not on PATH. Run: bash scripts/setup.sh"
command -v node >/dev/null || die "build: node is not on PATH (it writes www/generated/settings.js). Run: bash scripts/setup.sh"

# A mismatched CLI writes glue that does not fit the crate; say so before it does.
want=$(lock_wasm_bindgen_version)
have=$(cli_wasm_bindgen_version)
[ "$have" = "$want" ] ||
  die "build: wasm-bindgen CLI is '${have:-none}' but Cargo.lock pins $want. Run: bash scripts/setup.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "build: cargo build --release --target wasm32-unknown-unknown (simd128)"
cargo build --release --target wasm32-unknown-unknown

# The relaxed build: the target features for this one command only (never an exported RUSTFLAGS, which would
# reach the simd128 build too), and its own target directory, so that neither build invalidates the other's.
echo "build: cargo build --release --target wasm32-unknown-unknown (simd128 + relaxed-simd, target/relaxed)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$RELAXED_FLAGS" \
  cargo build --release --target wasm32-unknown-unknown --target-dir "$RELAXED_TARGET_DIR"

# Without the "name" (function names, for stack traces: 15 KB of the gzip'd download, measured) and
# "producers" custom sections; a panic's message still comes from Rust (console_error_panic_hook).
echo "build: wasm-bindgen --target web --out-dir www/pkg"
bindgen=(wasm-bindgen --target web --remove-name-section --remove-producers-section)
"${bindgen[@]}" --out-dir www/pkg target/wasm32-unknown-unknown/release/losslab.wasm
# The same out-name as the simd128 build: the wasm names its glue module ("./losslab_bg.js") after it.
"${bindgen[@]}" --out-dir "$tmp" "$RELAXED_TARGET_DIR/wasm32-unknown-unknown/release/losslab.wasm"

# One glue file serves both builds only if wasm-bindgen wrote the same one for each (the same exports and
# imports). Should they ever differ, the relaxed build is not shipped, so that the page never loads a wasm
# with glue that does not fit it.
rm -f www/pkg/losslab_relaxed_bg.wasm
if ! cmp -s "$tmp/losslab.js" www/pkg/losslab.js; then
  die "build: wasm-bindgen wrote different glue for the relaxed build than for the simd128 one, so
www/engine/engine.js cannot load both with www/pkg/losslab.js. The difference:
$(diff "$tmp/losslab.js" www/pkg/losslab.js | head -20)"
fi
cp "$tmp/losslab_bg.wasm" www/pkg/losslab_relaxed_bg.wasm

# wasm-bindgen copies every exported item's Rust doc comment into the glue as a /** … */ block: 5.5 of
# its 11.7 KB gzip, which every browser downloaded and no browser reads. The blocks go; losslab.d.ts
# keeps them for editors. (Each block starts on a line of its own; node --check proves the rest parses.)
perl -0pi -e 's{^[ \t]*/\*\*.*?\*/[ \t]*\n}{}gms' www/pkg/losslab.js
node --check www/pkg/losslab.js || die "build: www/pkg/losslab.js no longer parses after its doc comments were removed"

# count PATTERN WASM: how many instructions of the .wasm match the pattern in its text form.
count() {
  wasm2wat --enable-all "$2" -o "$tmp/out.wat"
  grep -c "$1" "$tmp/out.wat" || true
}

wasm=www/pkg/losslab_bg.wasm
simd=$(count 'f32x4\.' "$wasm")
if [ "$simd" -eq 0 ]; then
  rm -f "$wasm" # never leave a scalar build where the page would load it
  die "build: $wasm contained no f32x4 instructions, so it was built without +simd128 (removed).
Usually RUSTFLAGS was set when cargo ran: it replaces the rustflags in .cargo/config.toml. Check that
.cargo/config.toml still has target-feature=+simd128, unset RUSTFLAGS, and run: bash scripts/build.sh"
fi
fused=$(count 'relaxed_madd' "$wasm")
if [ "$fused" -ne 0 ]; then
  rm -f "$wasm" # a browser without relaxed SIMD would refuse to compile it
  die "build: $wasm, the fallback for browsers without relaxed SIMD, contains $fused relaxed_madd instructions
(removed). Check that .cargo/config.toml's target-feature list has no +relaxed-simd."
fi

relaxed=www/pkg/losslab_relaxed_bg.wasm
rsimd=$(count 'f32x4\.' "$relaxed")
rfused=$(count 'f32x4\.relaxed_madd' "$relaxed")
if [ "$rfused" -eq 0 ]; then
  rm -f "$relaxed"
  die "build: $relaxed contains no f32x4.relaxed_madd instructions (removed), so its kernels would run
the simd128 arithmetic under the relaxed build's name. Check src/kernels/simd.rs and RELAXED_FLAGS in scripts/lib.sh."
fi

# The page's settings table, from the engine just built (never retyped by hand): www/state.js imports it.
echo "build: node scripts/gen-settings.mjs"
node scripts/gen-settings.mjs

# Sizes are reported, not asserted: what a browser downloads is one of the two .wasm files plus the glue.
gz() { gzip -9 -c "$1" | wc -c; }
kb() { echo $((($1 + 1023) / 1024)); }
glue=$(gz www/pkg/losslab.js)
printf 'build: %s  %d KB raw, %d KB gzip, %d f32x4 instructions\n' \
  "$wasm" "$(kb "$(stat -c %s "$wasm")")" "$(kb "$(gz "$wasm")")" "$simd"
printf 'build: %s  %d KB raw, %d KB gzip, %d f32x4 instructions, %d of them f32x4.relaxed_madd\n' \
  "$relaxed" "$(kb "$(stat -c %s "$relaxed")")" "$(kb "$(gz "$relaxed")")" "$rsimd" "$rfused"
printf 'build: www/pkg/losslab.js (glue for both)  %d KB gzip; a browser downloads %d KB (simd128) or %d KB (relaxed) gzip, aim ≤ 150 KB (%s)\n' \
  "$(kb "$glue")" "$(kb $(($(gz "$wasm") + glue)))" "$(kb $(($(gz "$relaxed") + glue)))" "$(seconds_since $start)"
