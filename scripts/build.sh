#!/usr/bin/env bash
# Builds the npm package in pkg/ from source: Rust -> wasm32 -> scripts/bindgen.sh, twice:
#   pkg/dist/       the whole module (`keystamp`): header builders, the Kiiex signer and the core of the
#                   Client (whose JS driver is pkg/entries/client.js);
#   pkg/dist/lite/  the same without the Client (`keystamp/lite`, cargo --no-default-features),
#                   with its runtime entries generated from pkg/entries/;
# and of each, keystamp.cjs: the Node entry bundled as CommonJS (esbuild), for tools that cannot
# load ES modules (Jest's default configuration); Node itself loads the ES module for both
# `import` and `require` (the `module-sync` condition).
# Settings (opt-level 3, +simd128, wasm-opt -O3) were chosen with tests/bench/matrix.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=target/wasm32-unknown-unknown/release/keystamp.wasm

rm -rf pkg/dist
cargo build --release --target wasm32-unknown-unknown --lib --no-default-features
bash scripts/bindgen.sh "$wasm" pkg/dist/lite
mkdir -p pkg/dist/lite/entries
# The lite module has the runtime entries and the signer's fast path, but no Client: neither its
# driver (client.js, perform.js, fleet.js), nor its stores, nor the lines that export them.
for entry in browser edge fast inline node web workerd; do
  sed -e 's#\.\./dist/#../#g' -e '/from .\.\/\(client\|stores\)\.js.;$/d' "pkg/entries/$entry.js" > "pkg/dist/lite/entries/$entry.js"
done
cargo build --release --target wasm32-unknown-unknown --lib
bash scripts/bindgen.sh "$wasm" pkg/dist

# The CommonJS builds: self-contained bundles of the Node entries (the wasm is inline).
cjs() {
  node_modules/.bin/esbuild "$1" --bundle --format=cjs --platform=neutral --target=es2022 \
    --log-level=warning --outfile="$2"
}
cjs pkg/entries/node.js pkg/dist/keystamp.cjs
cjs pkg/dist/lite/entries/node.js pkg/dist/lite/keystamp.cjs
