#!/usr/bin/env bash
# Packs pkg/ with `npm pack` and installs the tarball into a scratch consumer project, exactly as
# a user's `npm install keystamp` would. Tests under tests/ then resolve `keystamp` to that copy
# (tests/node_modules points at the consumer's node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
art=$PWD/tests/.artifacts
rm -rf "$art/consumer" "$art"/keystamp-*.tgz
mkdir -p "$art/consumer"
cp README.md pkg/README.md 2>/dev/null || true
tarball=$(cd pkg && npm pack --silent --pack-destination "$art" | tail -n 1)
rm -f pkg/README.md
printf '{ "name": "keystamp-consumer", "private": true, "type": "module" }\n' > "$art/consumer/package.json"
(cd "$art/consumer" && npm install --silent --no-audit --no-fund "$art/$tarball")
ln -sfn .artifacts/consumer/node_modules tests/node_modules
echo "pack: $art/$tarball ($(wc -c < "$art/$tarball") bytes), installed into tests/.artifacts/consumer"
