// Which keystamp the benchmarks load, built first when needed.
//
// The packed tarball that `bash scripts/pack.sh` installs (tests/node_modules/keystamp: exactly
// what `npm install keystamp` gives) is preferred; pkg/ as built is the fallback, and is used
// instead when the packed copy is older than the build (its wasm differs), so that a benchmark
// never silently measures stale code. KEYSTAMP_BENCH_PACKAGE=pkg|packed forces one of them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILT_WASM = path.join(ROOT, 'pkg/dist/keystamp_bg.wasm');
const PACKED_DIR = path.join(ROOT, 'tests/node_modules/keystamp');

/** The newest modification time under `dir` (files only, recursively). */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether pkg/dist is missing or older than the Rust sources and build settings. */
export function buildIsStale() {
  if (!existsSync(BUILT_WASM)) return true;
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'src')),
    ...['Cargo.toml', 'Cargo.lock', 'scripts/build.sh'].map((f) => statSync(path.join(ROOT, f)).mtimeMs),
  );
  return sources > statSync(BUILT_WASM).mtimeMs;
}

/** Runs `bash scripts/build.sh` (its output goes to stderr, keeping stdout for the report). */
export function build() {
  execFileSync('bash', ['scripts/build.sh'], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
}

/**
 * The package to benchmark: `{ dir, entry, label, note }`, `entry` being the Node entry file.
 * With `{ build: true }`, builds pkg/ first when it is missing or stale.
 */
export function locatePackage({ build: buildIfNeeded = false } = {}) {
  if (buildIfNeeded && buildIsStale()) build();
  const forced = process.env.KEYSTAMP_BENCH_PACKAGE;
  const packedWasm = path.join(PACKED_DIR, 'dist/keystamp_bg.wasm');
  const hasPacked = existsSync(packedWasm);
  const packedIsCurrent = hasPacked && (!existsSync(BUILT_WASM) || readFileSync(packedWasm).equals(readFileSync(BUILT_WASM)));
  let usePacked = forced ? forced === 'packed' : packedIsCurrent;
  let note = '';
  if (!forced && hasPacked && !packedIsCurrent) note = 'the packed copy is older than pkg/dist (run `bash scripts/pack.sh`), so pkg/ was used';
  if (usePacked && !hasPacked) throw new Error('KEYSTAMP_BENCH_PACKAGE=packed, but tests/node_modules/keystamp is missing: run `bash scripts/pack.sh`');
  if (!usePacked && !existsSync(BUILT_WASM)) throw new Error('pkg/dist is missing: run `bash scripts/build.sh`');
  const dir = usePacked ? realpathSync(PACKED_DIR) : path.join(ROOT, 'pkg');
  const label = usePacked ? 'packed tarball (tests/node_modules/keystamp)' : 'pkg/ as built';
  return { dir, entry: path.join(dir, 'entries/node.js'), label, note };
}
