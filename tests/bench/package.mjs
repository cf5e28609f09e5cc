// The keystamp the benchmarks measure: the packed tarball that scripts/pack.sh installs
// (tests/node_modules/keystamp), exactly what `npm install keystamp` gives. scripts/bench.sh
// builds and packs it first.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `{ dir, entry }`: the installed package's folder and its Node entry. */
export function installedPackage() {
  let manifest;
  try {
    manifest = createRequire(import.meta.url).resolve('keystamp/package.json');
  } catch {
    throw new Error('keystamp is not installed under tests/: run `bash scripts/bench.sh` (or scripts/build.sh, then scripts/pack.sh)');
  }
  const dir = path.dirname(manifest);
  return { dir, entry: path.join(dir, 'entries/node.js') };
}
