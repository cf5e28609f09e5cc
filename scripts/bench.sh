#!/usr/bin/env bash
# The benchmark report in one command, from a fresh clone: installs what is missing, builds and
# packs the package, then runs tests/bench/run.mjs (arguments are passed on: --quick for fewer
# rounds, --matrix to also build and measure every build setting). The report is printed and
# saved to tests/.artifacts/bench.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
bash scripts/build.sh >&2
bash scripts/pack.sh >&2
node tests/bench/run.mjs "$@"
