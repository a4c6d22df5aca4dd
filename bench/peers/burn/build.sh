#!/usr/bin/env bash
# Builds the burn 0.22.1 (Flex backend) benchmark contender to bench/peers/pkg/burn{.js,_bg.wasm}.
# Run from the repository root: bash bench/peers/burn/build.sh
# A standalone crate (own [workspace], own Cargo.lock, own target dir): it never builds the root workspace.
set -euo pipefail
cd "$(dirname "$0")/../../.."

# Explicit so an exported RUSTFLAGS cannot drop simd128 (.cargo/config.toml sets the same).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='-C target-feature=+simd128'
wasm=target/peers-burn/wasm32-unknown-unknown/release/losslab_bench_burn.wasm

if ! cargo build --release --target wasm32-unknown-unknown \
        --manifest-path bench/peers/burn/Cargo.toml --target-dir target/peers-burn; then
    echo "build.sh: FAILED: cargo build of bench/peers/burn (burn 0.22.1, wasm32) did not succeed" >&2
    exit 1
fi
if ! wasm-bindgen --target web --out-dir bench/peers/pkg --out-name burn "$wasm"; then
    echo "build.sh: FAILED: wasm-bindgen on $wasm did not succeed" >&2
    exit 1
fi

out=bench/peers/pkg/burn_bg.wasm
simd=$(wasm2wat --enable-all "$out" | grep -c f32x4 || true)
if [ "$simd" -eq 0 ]; then
    echo "build.sh: FAILED: $out has no f32x4 instructions (simd128 flag lost?)" >&2
    exit 1
fi
raw=$(stat -c %s "$out")
gz=$(gzip -9 -c "$out" | wc -c)
echo "build.sh: burn peer OK: $out ${raw} B raw, ${gz} B gzip -9, ${simd} f32x4 instructions"
