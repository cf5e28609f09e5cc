// Deno: a consumer project (package.json + node_modules from the packed tarball, as `npm install`
// leaves it) runs consumers/deno/main.js with `deno run`. Deno comes from the npm package `deno`
// (pinned): the root's node_modules/.bin/deno when present, otherwise installed once into
// tests/.artifacts/runtimes/deno-tool/. Without a registry to install it from, the test is skipped.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, BIN, REPORT_FILES, assertReport, makeConsumer, run } from './helpers.mjs';

const DENO_VERSION = '2.9.6';
let deno;
let unavailable;
let dir;

/** The deno binary of the pinned version, installing it if needed; undefined if impossible. */
async function findDeno() {
  const version = async (bin) => (await run(bin, ['--version'])).stdout.split(/\s/)[1];
  const rootDeno = join(BIN, 'deno');
  if (existsSync(rootDeno)) return rootDeno;
  const toolDir = join(ARTIFACTS, 'runtimes', 'deno-tool');
  const toolDeno = join(toolDir, 'node_modules', '.bin', 'deno');
  if (existsSync(toolDeno) && (await version(toolDeno)) === DENO_VERSION) return toolDeno;
  mkdirSync(toolDir, { recursive: true });
  writeFileSync(join(toolDir, 'package.json'), '{ "name": "deno-tool", "private": true }\n');
  try {
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `deno@${DENO_VERSION}`], { cwd: toolDir, timeout: 120_000 });
  } catch (err) {
    unavailable = `deno@${DENO_VERSION} could not be installed from the npm registry (${err.message.split('\n')[0]})`;
    return undefined;
  }
  return toolDeno;
}

before(async () => {
  [deno, dir] = await Promise.all([
    findDeno(),
    makeConsumer('deno', { packageJson: { type: 'module' }, files: REPORT_FILES }),
  ]);
});

test('Deno consumer: exact signatures, headers and KeystampError codes', async (t) => {
  if (!deno) return t.skip(unavailable);
  // Read access to cases.json only: the package carries its WebAssembly module inline, so the
  // import reads no file (Deno would otherwise ask for read access to node_modules/keystamp).
  const { stdout, stderr } = await run(deno, [
    'run', '--no-prompt', '--node-modules-dir=manual', '--allow-read=cases.json', 'main.js',
  ], { cwd: dir, env: { DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
  assert.equal(stderr, '');
  assertReport(JSON.parse(stdout));
});
