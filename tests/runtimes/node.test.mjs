// Node.js consumers of the packed tarball: an ES-module project (`import`) and a CommonJS
// project (`require`, which loads the ESM entry through require(esm), Node >= 20.19). Each runs
// as a child `node` process and prints a JSON report that must match the vectors exactly.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_FILES, assertReport, makeConsumer, run } from './helpers.mjs';

const API = ['Client', 'KeystampError', 'KiiexSigner', 'authHeaders', 'init', 'kiiexAuthHeaders', 'kiiexSignature'];
let esmDir;
let cjsDir;

before(async () => {
  [esmDir, cjsDir] = await Promise.all([
    makeConsumer('node-esm', { packageJson: { type: 'module' }, files: REPORT_FILES }),
    makeConsumer('node-cjs', { packageJson: { type: 'commonjs' }, files: REPORT_FILES }),
  ]);
});

/** `import` and `require` must hand out the same function and class objects: one module
 * evaluation, hence one wasm instance and one KeystampError class. */
function assertOneInstance(shared) {
  for (const name of API) assert.ok(shared.includes(name), `${name} is the same object through import and require`);
}

async function report(dir) {
  const { stdout, stderr } = await run(process.execPath, ['index.js'], { cwd: dir });
  assert.equal(stderr, '', 'no warning on stderr');
  return JSON.parse(stdout);
}

test('ESM consumer (`import`): exact signatures, headers and KeystampError codes', async () => {
  const out = await report(esmDir);
  assertReport(out);
  assertOneInstance(out.sharedExports);
});

test('CommonJS consumer (`require`): exact signatures, headers and KeystampError codes', async () => {
  const out = await report(cjsDir);
  assertReport(out);
  assertOneInstance(out.sharedExports);
});

test('the installed package declares the Node versions it supports', () => {
  const pkg = JSON.parse(readFileSync(join(cjsDir, 'node_modules', 'keystamp', 'package.json'), 'utf8'));
  assert.equal(pkg.engines.node, '>=20.19');
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok(major > 20 || (major === 20 && minor >= 19), `this Node (${process.version}) is a supported one`);
});
