#!/usr/bin/env bash
# Builds the candle benchmark peer to bench/peers/pkg/candle{.js,_bg.wasm}. Run from /work/main.
set -euo pipefail
cd "$(dirname "$0")/../../.."

# This variable replaces .cargo/config.toml's wasm32 rustflags, so +simd128 is repeated here.
# getrandom 0.3 (rand 0.9, used by candle's initialisers) needs the wasm_js backend selected by cfg.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='-C target-feature=+simd128 --cfg getrandom_backend="wasm_js"'

WASM=target/peers-candle/wasm32-unknown-unknown/release/losslab_bench_candle.wasm
if ! cargo build --release --target wasm32-unknown-unknown \
    --manifest-path bench/peers/candle/Cargo.toml --target-dir target/peers-candle; then
  echo "candle peer: cargo build FAILED" >&2
  exit 1
fi
if ! wasm-bindgen --target web --out-dir bench/peers/pkg --out-name candle "$WASM"; then
  echo "candle peer: wasm-bindgen FAILED" >&2
  exit 1
fi

F32X4=$(wasm2wat --enable-all "$WASM" | grep -c f32x4 || true)
if [ "$F32X4" -eq 0 ]; then
  echo "candle peer: $WASM has no f32x4 instructions (simd128 flag lost?)" >&2
  exit 1
fi
RAW=$(wc -c < "$WASM")
GZ=$(gzip -9 -c "$WASM" | wc -c)
echo "candle peer: built bench/peers/pkg/candle_bg.wasm from $WASM ($RAW bytes raw, $GZ bytes gzip -9, $F32X4 f32x4 instructions)"
