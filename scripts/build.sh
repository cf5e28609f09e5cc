#!/usr/bin/env bash
# Builds the npm package in pkg/ from source: Rust -> wasm32 -> scripts/bindgen.sh, twice:
#   pkg/dist/       the whole module (`keystamp`): header builders, the Kiiex signer and the core of the
#                   Client (whose JS driver is pkg/entries/client.js);
#   pkg/dist/lite/  the same without the Client (`keystamp/lite`, cargo --no-default-features),
#                   with its runtime entries generated from pkg/entries/.
# Settings (opt-level 3, +simd128, wasm-opt -O3) were chosen with tests/bench/matrix.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=target/wasm32-unknown-unknown/release/keystamp.wasm

rm -rf pkg/dist
cargo build --release --target wasm32-unknown-unknown --lib --no-default-features
bash scripts/bindgen.sh "$wasm" pkg/dist/lite
mkdir -p pkg/dist/lite/entries
for entry in pkg/entries/*.js; do
  # The lite module has no Client: neither its driver nor the line that exports it.
  [ "$(basename "$entry")" = client.js ] && continue
  sed -e 's#\.\./dist/#../#g' -e '/from .\.\/client\.js.;$/d' "$entry" > "pkg/dist/lite/entries/$(basename "$entry")"
done
cargo build --release --target wasm32-unknown-unknown --lib
bash scripts/bindgen.sh "$wasm" pkg/dist
