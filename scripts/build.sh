#!/usr/bin/env bash
# Builds the npm package in pkg/ from source: Rust -> wasm32 -> wasm-bindgen (web target, used
# by every runtime) -> wasm-opt. Output: pkg/dist/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --target wasm32-unknown-unknown --lib
rm -rf pkg/dist
wasm-bindgen --target web --out-dir pkg/dist --out-name keystamp --remove-name-section --remove-producers-section \
  target/wasm32-unknown-unknown/release/keystamp.wasm
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/dist/keystamp_bg.wasm -o pkg/dist/keystamp_bg.wasm

# A stable path to the KeystampError class, whatever hash wasm-bindgen gave its snippet folder.
snippet=$(cd pkg/dist && find snippets -name keystamp_error.js | head -n 1)
[ -n "$snippet" ] || { echo "build: KeystampError snippet not found" >&2; exit 1; }
printf "export { KeystampError } from './%s';\n" "$snippet" > pkg/dist/errors.js
rm -f pkg/dist/.gitignore pkg/dist/package.json

raw=$(wc -c < pkg/dist/keystamp_bg.wasm)
gz=$(gzip -9 -c pkg/dist/keystamp_bg.wasm | wc -c)
echo "build: pkg/dist/keystamp_bg.wasm ${raw} bytes, ${gz} gzip"
