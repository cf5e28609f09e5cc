// The package's entries, as installed from the tarball (tests/node_modules/keystamp):
// - `keystamp/web`, the one entry that needs init(): before it, every call is a KeystampError
//   `not_initialized` that says what to do (in a fresh process: `keystamp` and `keystamp/web`
//   share the wasm-bindgen module, so importing `keystamp` would initialise both);
// - every runtime entry re-exports the same things (a re-export added to one must be added to
//   all: the bundler tests each reach only some of them);
// - the CommonJS builds (Jest) export the same names as the ES modules, and sign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VECTORS, run } from './helpers.mjs';

const PACKAGE = dirname(createRequire(import.meta.url).resolve('keystamp/package.json'));

test('keystamp/web before init(): KeystampError not_initialized, saying what to do; after init(), it signs', async () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import init, { KeystampError, KiiexSigner, authHeaders, kiiexSignature } from 'keystamp/web';
    const errorOf = (call) => { try { call(); return 'no error'; } catch (err) { return { keystamp: err instanceof KeystampError, code: err.code, message: err.message }; } };
    const v = ${JSON.stringify(VECTORS[0])};
    const before = [
      errorOf(() => kiiexSignature(v)),
      errorOf(() => new KiiexSigner(v.apiSecret)),
      errorOf(() => authHeaders('deltadefi', { apiKey: 'dd_key' })),
    ];
    await init(readFileSync(${JSON.stringify(join(PACKAGE, 'dist', 'keystamp_bg.wasm'))}));
    console.log(JSON.stringify({ before, after: kiiexSignature(v) }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)) });
  const { before, after } = JSON.parse(stdout);
  for (const error of before) {
    assert.equal(error.keystamp, true);
    assert.equal(error.code, 'not_initialized');
    assert.match(error.message, /`await init\(\)`/);
  }
  assert.equal(after, VECTORS[0].signature);
});

/** The `export … from` lines of an entry file. */
const reexports = (file) => readFileSync(join(PACKAGE, file), 'utf8').split('\n').filter((line) => /^export .* from /.test(line)).sort();

test('every runtime entry re-exports the same modules', () => {
  for (const dir of ['entries', 'dist/lite/entries']) {
    const node = reexports(`${dir}/node.js`);
    assert.ok(node.includes("export * from '../dist/keystamp.js';") || node.includes("export * from '../keystamp.js';"), node.join('\n'));
    for (const entry of ['web.js', 'edge.js', 'workerd.js']) assert.deepEqual(reexports(`${dir}/${entry}`), node, `${dir}/${entry} vs node.js`);
    assert.deepEqual(reexports(`${dir}/browser.js`), ["export * from './node.js';", "export { default } from './node.js';"]);
  }
});

test('the CommonJS builds export what the ES modules export, and sign the vectors', async () => {
  const require = createRequire(import.meta.url);
  for (const [esm, cjs] of [['keystamp', 'dist/keystamp.cjs'], ['keystamp/lite', 'dist/lite/keystamp.cjs']]) {
    const fromEsm = await import(esm);
    const fromCjs = require(join(PACKAGE, cjs));
    assert.deepEqual(Object.keys(fromCjs).sort(), Object.keys(fromEsm).sort(), cjs);
    assert.deepEqual(VECTORS.map(({ apiSecret, nonce, userId, apiKey }) => fromCjs.kiiexSignature({ apiSecret, nonce, userId, apiKey })), VECTORS.map((v) => v.signature), cjs);
    assert.notEqual(fromCjs.KeystampError, fromEsm.KeystampError, 'a module instance of its own (only tools without ES modules load it)');
  }
});
