#!/usr/bin/env bash
# Runs every keystamp test, installing what is missing first. Layers:
#   1. native Rust tests of the core (cargo test: unit, integration, doctests)
#   2. wasm-bindgen tests in Node and in headless Chromium
#   3. build and `npm pack` the package, install the tarball into a scratch consumer
#   4. node:test suites (tests/**/*.test.mjs, www/**/*.test.mjs) importing `keystamp` by name
#   5. time-bounded fuzzing, when cargo-fuzz targets exist (FUZZ_SECONDS, default 10 per target)
# Ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
art=tests/.artifacts
mkdir -p "$art/logs"

bash scripts/setup.sh --browser

passed=0; failed=0
count_cargo() { # sums "test result: ... N passed; M failed" lines of a cargo log
  local p f
  p=$(grep -Eo '[0-9]+ passed' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}
count_node() { # sums node:test "# pass N" / "# fail N" lines
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
status=0

step "1. native Rust tests (cargo test)"
cargo test --all-targets 2>&1 | tee "$art/logs/cargo-native.log" || status=1
cargo test --doc 2>&1 | tee "$art/logs/cargo-doc.log" || status=1
count_cargo "$art/logs/cargo-native.log"; count_cargo "$art/logs/cargo-doc.log"

step "2a. wasm-bindgen tests in Node"
cargo test --target wasm32-unknown-unknown 2>&1 | tee "$art/logs/wasm-node.log" || status=1
count_cargo "$art/logs/wasm-node.log"
step "2b. wasm-bindgen tests in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 cargo test --target wasm32-unknown-unknown 2>&1 | tee "$art/logs/wasm-chromium.log" || status=1
count_cargo "$art/logs/wasm-chromium.log"
grep -q 'running [1-9]' "$art/logs/wasm-chromium.log" || { echo "wasm tests in Chromium ran nothing" >&2; status=1; }

step "3. build and pack the npm package"
bash scripts/build.sh
bash scripts/pack.sh

step "4. node:test suites against the installed tarball"
mapfile -t suites < <(find tests www -name '*.test.mjs' -not -path '*/node_modules/*' -not -path '*/.artifacts/*' | sort)
node --test --test-concurrency=1 "${suites[@]}" 2>&1 | tee "$art/logs/node.log" || status=1
count_node "$art/logs/node.log"

if [ -x scripts/fuzz.sh ]; then
  step "5. fuzzing (time-bounded)"
  bash scripts/fuzz.sh 2>&1 | tee "$art/logs/fuzz.log" || status=1
fi

echo
echo "test: $passed passed, $failed failed"
[ "$status" = 0 ] && [ "$failed" = 0 ]
