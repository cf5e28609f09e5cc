#!/usr/bin/env bash
# One cargo .wasm -> a folder laid out like pkg/dist/: wasm-bindgen (web target, used by every
# runtime; no default .wasm URL in the glue, so bundlers emit no asset that only keystamp/web
# loads), wasm-opt, errors.js (a stable path to the KeystampError class), and
# scripts/bindgen-post.mjs: the base64 copy of the module (keystamp_wasm.js), the glue's
# not_initialized error, declarations without the loader. Used by build.sh and by the
# benchmark's build-settings matrix (tests/bench/matrix.mjs).
#   bash scripts/bindgen.sh IN.wasm OUT_DIR [WASM_OPT_FLAG|none] [WASM_OPT_BINARY]
# Defaults: -O3, and binaryen's wasm-opt from the npm dev dependencies.
set -euo pipefail
in=$1 out=$2 flag=${3:--O3}
wasm_opt=${4:-$(dirname "$0")/../node_modules/.bin/wasm-opt}

wasm-bindgen --target web --omit-default-module-path --out-dir "$out" --out-name keystamp --remove-name-section --remove-producers-section "$in"
if [ "$flag" != none ]; then
  "$wasm_opt" "$flag" --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/keystamp_bg.wasm" -o "$out/keystamp_bg.wasm"
fi
# wasm-bindgen names the snippet folder with a hash.
snippet=$(cd "$out" && find snippets -name keystamp_error.js | head -n 1)
[ -n "$snippet" ] || { echo "bindgen: KeystampError snippet not found in $out" >&2; exit 1; }
printf "export { KeystampError } from './%s';\n" "$snippet" > "$out/errors.js"
rm -f "$out/.gitignore" "$out/package.json"
node "$(dirname "$0")/bindgen-post.mjs" "$out"
echo "bindgen: $out/keystamp_bg.wasm $(wc -c < "$out/keystamp_bg.wasm") bytes, $(gzip -9 -c "$out/keystamp_bg.wasm" | wc -c) gzip"
