#!/usr/bin/env bash
# The demo: installs what is missing, builds the package, and runs scripts/demo.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
node scripts/demo.mjs
