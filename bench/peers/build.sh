#!/usr/bin/env bash
# Builds the benchmark's Rust peers into bench/peers/pkg/<name>{.js,_bg.wasm}: burn on its Flex backend and candle on
# its CPU device, each a crate of its own in bench/peers/<name> (its own [workspace] and Cargo.lock, its own target
# directory target/peers-<name>), for wasm32 with simd128 like Loss Lab. Their crates come from crates.io and take
# minutes to build the first time. A peer that cannot be fetched or built is reported and left out: bench/bench.js
# then lists it as unavailable and the table says why.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# peer NAME RUSTFLAGS: one peer's build. The flags are set for this cargo command only (they replace
# .cargo/config.toml's, so +simd128 is in them), and the built wasm must contain f32x4 instructions.
peer() {
  local name=$1 flags=$2
  local wasm="target/peers-$name/wasm32-unknown-unknown/release/losslab_bench_$name.wasm"
  local out="bench/peers/pkg/${name}_bg.wasm"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags" cargo build --release --target wasm32-unknown-unknown \
    --manifest-path "bench/peers/$name/Cargo.toml" --target-dir "target/peers-$name" || return 1
  wasm-bindgen --target web --out-dir bench/peers/pkg --out-name "$name" "$wasm" || return 1
  local simd
  simd=$(wasm2wat --enable-all "$out" | grep -c f32x4 || true)
  if [ "$simd" -eq 0 ]; then
    echo "bench/peers: $out has no f32x4 instructions (the simd128 flag was lost)" >&2
    return 1
  fi
  echo "bench/peers: $name built: $out $(stat -c %s "$out") B raw, $(gzip -9 -c "$out" | wc -c) B gzip -9, $simd f32x4 instructions"
}

SIMD='-C target-feature=+simd128'
# candle-core -> rand 0.9 -> getrandom 0.3, which on wasm32 needs its wasm_js backend chosen by this cfg as well as
# by its feature (bench/peers/candle/Cargo.toml); burn's getrandom 0.4 needs only the feature, which ahash enables.
for spec in "burn|$SIMD" "candle|$SIMD --cfg getrandom_backend=\"wasm_js\""; do
  name=${spec%%|*}
  if ! peer "$name" "${spec#*|}"; then
    rm -f "bench/peers/pkg/$name.js" "bench/peers/pkg/${name}_bg.wasm"
    echo "bench/peers: $name was not built (see above); the bench runs without it"
  fi
done
exit 0
