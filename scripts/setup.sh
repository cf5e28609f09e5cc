#!/usr/bin/env bash
# Installs what building and testing keystamp needs, skipping what is already there:
# the wasm32 target, the wasm-bindgen CLI matching Cargo.lock, the npm dev dependencies and,
# with --browser (what the test suite needs), Debian's Chromium and chromedriver, Debian's
# redis-server for the fleet tests (started by the tests themselves, never as a service), and the
# pinned tools of the bundler packaging tests (scripts/setup-bundlers.sh: cached per lockfile, so
# a warm run installs nothing). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=0
[ "${1:-}" = "--browser" ] && browser=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must be the exact version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none}); takes about 3 minutes once"
  # Not --locked: the registry may lack the newest version of a transitive dependency.
  cargo install wasm-bindgen-cli --version "$want"
fi

if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(sed -n '/"packages"/,$p' package-lock.json | tail -n +3) <(sed -n '/"packages"/,$p' node_modules/.package-lock.json | tail -n +3); then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund
fi

if [ "$browser" = 1 ] && ! { command -v chromium >/dev/null && command -v chromedriver >/dev/null; }; then
  say "installing Chromium and chromedriver (Debian packages)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ "$browser" = 1 ] && ! command -v redis-server >/dev/null; then
  say "installing redis-server (Debian package) for the fleet tests"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  # The package starts a system service where an init system runs; the tests start their own.
fi
if [ "$browser" = 1 ]; then
  bash scripts/setup-bundlers.sh
fi
say "ready"
