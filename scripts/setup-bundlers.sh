#!/usr/bin/env bash
# Installs the pinned tools of the bundler and framework packaging tests (tests/bundlers/): each
# tool project tests/bundlers/projects/<tool>/ (a committed package.json + package-lock.json) is
# installed once with `npm ci` into a cache shared by every clone and run on this machine, keyed
# by its lockfile:
#   ${KEYSTAMP_CACHE:-${XDG_CACHE_HOME:-~/.cache}/keystamp}/bundlers/<tool>-<lockfile sha256>/
# A key that is installed is never installed again; a changed lockfile makes a new key, and keys
# of the same tool unused for 7 days are removed. The tests hard-link a cached install into their
# own project folder (tests/bundlers/helpers.mjs), so a warm run installs nothing.
#   bash scripts/setup-bundlers.sh [TOOL...]     (default: every tool project)
# Prints one line per tool: cached, or installed in N s.
set -euo pipefail
cd "$(dirname "$0")/.."

projects=tests/bundlers/projects
cache=${KEYSTAMP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keystamp}/bundlers
mkdir -p "$cache"
say() { printf '\033[1m[setup-bundlers]\033[0m %s\n' "$*"; }

tools=("$@")
if [ ${#tools[@]} = 0 ]; then
  for dir in "$projects"/*/; do tools+=("$(basename "$dir")"); done
fi

for tool in "${tools[@]}"; do
  src=$projects/$tool
  [ -f "$src/package-lock.json" ] || { echo "setup-bundlers: no $src/package-lock.json" >&2; exit 1; }
  key=$(sha256sum "$src/package-lock.json" | cut -c1-16)
  dest=$cache/$tool-$key
  if [ -f "$dest/.installed" ]; then
    touch "$dest/.installed"
    say "$tool: cached"
    continue
  fi
  started=$(date +%s)
  # Installed under a temporary name and renamed when complete: a run that is stopped halfway,
  # or another clone installing the same key at the same time, never leaves a partial install.
  tmp=$(mktemp -d "$cache/.tmp-$tool-XXXXXX")
  cp "$src/package.json" "$src/package-lock.json" "$tmp/"
  if ! (cd "$tmp" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error >.npm-ci.log 2>&1); then
    cat "$tmp/.npm-ci.log" >&2
    rm -rf "$tmp"
    echo "setup-bundlers: npm ci failed for $tool" >&2
    exit 1
  fi
  touch "$tmp/.installed"
  mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp" # another run installed it meanwhile
  say "$tool: installed in $(( $(date +%s) - started )) s"
done

# Housekeeping: keys and test project folders (../work/<clone>/, see tests/bundlers/helpers.mjs)
# unused for 7 days, temporary folders of stopped runs.
for old in "$cache"/*-*/; do
  if [ -n "$(find "$old.installed" -mtime +7 2>/dev/null)" ]; then rm -rf "$old"; fi
done
find "$cache" -maxdepth 1 -name '.tmp-*' -mtime +1 -exec rm -rf {} + 2>/dev/null || true
find "$cache/../work" -mindepth 1 -maxdepth 1 -type d -mtime +7 -exec rm -rf {} + 2>/dev/null || true
