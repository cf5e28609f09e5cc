#!/usr/bin/env bash
# Builds the npm package in pkg/ from source: Rust -> wasm32 -> wasm-bindgen (web target, used
# by every runtime) -> wasm-opt, twice:
#   pkg/dist/       the whole module (`keystamp`): header builders, the Kiiex signer and the Client;
#   pkg/dist/lite/  the same without the Client (`keystamp/lite`, cargo --no-default-features),
#                   with its runtime entries generated from pkg/entries/.
# Settings (opt-level 3, +simd128, wasm-opt -O3) were chosen with tests/bench/matrix.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

wasm=target/wasm32-unknown-unknown/release/keystamp.wasm

# bindgen OUT_DIR: wasm-bindgen, wasm-opt and the KeystampError re-export into OUT_DIR.
bindgen() {
  local out=$1
  wasm-bindgen --target web --out-dir "$out" --out-name keystamp --remove-name-section --remove-producers-section "$wasm"
  node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/keystamp_bg.wasm" -o "$out/keystamp_bg.wasm"
  # A stable path to the KeystampError class, whatever hash wasm-bindgen gave its snippet folder.
  local snippet
  snippet=$(cd "$out" && find snippets -name keystamp_error.js | head -n 1)
  [ -n "$snippet" ] || { echo "build: KeystampError snippet not found in $out" >&2; exit 1; }
  printf "export { KeystampError } from './%s';\n" "$snippet" > "$out/errors.js"
  rm -f "$out/.gitignore" "$out/package.json"
  local raw gz
  raw=$(wc -c < "$out/keystamp_bg.wasm")
  gz=$(gzip -9 -c "$out/keystamp_bg.wasm" | wc -c)
  echo "build: $out/keystamp_bg.wasm ${raw} bytes, ${gz} gzip"
}

rm -rf pkg/dist
cargo build --release --target wasm32-unknown-unknown --lib --no-default-features
bindgen pkg/dist/lite
mkdir -p pkg/dist/lite/entries
for entry in pkg/entries/*.js; do
  sed 's#\.\./dist/#../#g' "$entry" > "pkg/dist/lite/entries/$(basename "$entry")"
done
cargo build --release --target wasm32-unknown-unknown --lib
bindgen pkg/dist
