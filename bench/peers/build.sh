#!/usr/bin/env bash
# Builds the benchmark's Rust peers into bench/peers/pkg, each crate with its own build.sh (burn on its Flex
# backend, candle on its CPU device; both wasm32 + simd128, like Loss Lab). Their crates come from crates.io and
# take minutes to build the first time (target/peers-*, kept between runs). A peer that cannot be fetched or
# built is reported and left out: bench/bench.js then lists it as unavailable and the table says why.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
for name in burn candle; do
  if ! bash "bench/peers/$name/build.sh"; then
    rm -f "bench/peers/pkg/$name.js" "bench/peers/pkg/${name}_bg.wasm"
    echo "bench/peers: $name was not built (see above); the bench runs without it"
  fi
done
exit 0
