// The package as a user installs it: `keystamp` resolves to the packed tarball installed by
// scripts/pack.sh. Runs the same checks through `import` and through `require`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

import * as esm from 'keystamp';
import * as lite from 'keystamp/lite';

const require = createRequire(import.meta.url);
const cjs = require('keystamp');
const liteCjs = require('keystamp/lite');
const { kiiex: VECTORS } = JSON.parse(readFileSync(new URL('../vectors.json', import.meta.url), 'utf8'));

const STATIC_CASES = [
  ['defindex', { apiKey: 'sk_live_1' }, { Authorization: 'Bearer sk_live_1' }],
  ['deltadefi', { apiKey: 'dd_1' }, { 'X-API-KEY': 'dd_1' }],
  ['adjutor', { apiKey: 'adj_1' }, { Authorization: 'Bearer adj_1' }],
  ['depay', { accessToken: 'eyJ.a.b' }, { Authorization: 'Bearer eyJ.a.b' }],
  ['depay', { apiKey: 'dp_1' }, { 'x-api-key': 'dp_1' }],
  ['kiiex', { sessionToken: 'sess_1' }, { aptoken: 'sess_1' }],
];

const MODULES = [['import', esm], ['require', cjs], ['import keystamp/lite', lite], ['require keystamp/lite', liteCjs]];

for (const [label, k] of MODULES) {
  test(`${label}: kiiexSignature matches every vector`, () => {
    for (const v of VECTORS) {
      assert.equal(k.kiiexSignature(v), v.signature);
    }
  });

  test(`${label}: KiiexSigner.sign matches every vector and can be reused`, () => {
    for (const v of VECTORS) {
      const signer = new k.KiiexSigner(v.apiSecret);
      for (let i = 0; i < 3; i++) assert.equal(signer.sign(v), v.signature);
      signer.free();
    }
  });

  test(`${label}: kiiexAuthHeaders gives the four headers`, () => {
    const v = VECTORS[1];
    assert.deepEqual(k.kiiexAuthHeaders({ apiKey: v.apiKey, apiSecret: v.apiSecret, userId: 184, nonce: 637958203 }), {
      APIKey: v.apiKey, Signature: v.signature, UserId: '184', Nonce: '637958203',
    });
  });

  test(`${label}: authHeaders for each provider`, () => {
    for (const [provider, creds, want] of STATIC_CASES) {
      assert.deepEqual({ ...k.authHeaders(provider, creds) }, want, provider);
    }
  });

  test(`${label}: a CR/LF or trailing space is a KeystampError without the value`, () => {
    for (const apiKey of ['SEKRIT\r\nX-Evil: 1', 'SEKRIT ']) {
      assert.throws(() => k.authHeaders('adjutor', { apiKey }), (err) => {
        assert.ok(err instanceof k.KeystampError && err instanceof Error);
        assert.equal(err.code, 'invalid_header_value');
        assert.equal(err.provider, 'adjutor');
        assert.equal(err.field, 'apiKey');
        assert.ok(!err.message.includes('SEKRIT') && !JSON.stringify(err).includes('SEKRIT'));
        return true;
      });
    }
  });

  test(`${label}: the Kiiex exports' errors name the provider`, () => {
    const v = VECTORS[0];
    const cases = [
      () => k.kiiexSignature({ nonce: v.nonce, userId: v.userId, apiKey: v.apiKey }),
      () => new k.KiiexSigner(''),
      () => new k.KiiexSigner(v.apiSecret).sign({ nonce: 'a\nb', userId: v.userId, apiKey: v.apiKey }),
      () => new k.KiiexSigner(v.apiSecret).authHeaders({ userId: v.userId }),
      () => k.kiiexAuthHeaders({ apiKey: v.apiKey, apiSecret: v.apiSecret, userId: {} }),
    ];
    const seen = cases.map((fn) => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof k.KeystampError);
        return [err.code, err.provider, err.field];
      }
      return 'no error';
    });
    assert.deepEqual(seen, [
      ['missing_credential', 'kiiex', 'apiSecret'],
      ['missing_credential', 'kiiex', 'apiSecret'],
      ['invalid_argument', 'kiiex', 'nonce'],
      ['missing_credential', 'kiiex', 'apiKey'],
      ['invalid_argument', 'kiiex', 'userId'],
    ]);
  });

  test(`${label}: init() is idempotent`, async () => {
    await k.init();
    await k.init();
    assert.equal(k.kiiexSignature(VECTORS[0]), VECTORS[0].signature);
  });
}

test('import and require share one module instance', () => {
  assert.equal(esm.KeystampError, cjs.KeystampError);
  assert.equal(esm.KiiexSigner, cjs.KiiexSigner);
});

/** In `keystamp` only: the Client, and the Kiiex WebSocket helpers (they need the JSON reader
 * that keystamp/lite leaves out). */
const FULL_ONLY = new Set(['Client', '__ClientCore', 'memoryStore', 'redisStore', 'kiiexAuthenticateFrame', 'kiiexTwoFactorFrame', 'kiiexRequestFrame', 'kiiexReadAuthenticateReply', 'kiiexReadReply']);

test('keystamp/lite: one instance for import and require, its own module, no Client', () => {
  assert.equal(lite.KeystampError, liteCjs.KeystampError);
  assert.equal(lite.KiiexSigner, liteCjs.KiiexSigner);
  assert.notEqual(lite.KiiexSigner, esm.KiiexSigner);
  assert.equal(typeof esm.Client, 'function');
  assert.equal(lite.Client, undefined);
  assert.deepEqual(Object.keys(lite).sort(), Object.keys(esm).filter((name) => !FULL_ONLY.has(name)).sort());
  for (const name of FULL_ONLY) assert.equal(typeof esm[name], 'function', name);
});
