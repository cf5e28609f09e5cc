// The fast path of kiiexSignature and KiiexSigner.sign (pkg/entries/fast.js, src/wasm/fast.rs):
// the same answers and errors as the general path, and the same hygiene: wasm memory is scanned
// for marker secrets after each call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as keystamp from 'keystamp';
import * as lite from 'keystamp/lite';
import { occurrences } from '../wasm-memory.mjs';

const { kiiex: VECTORS } = JSON.parse(readFileSync(new URL('../vectors.json', import.meta.url), 'utf8'));


/**
 * Overwrites the stack frames a signature leaves behind (stale copies that zeroize-on-drop cannot
 * reach, as tests/wasm_memory.rs explains) by keying a signer and signing once more with values
 * of `length` characters. It never touches kiiexSignature's buffer, whose wipe is under test.
 */
function scrub(k, length) {
  const filler = 'x'.repeat(length);
  const signer = new k.KiiexSigner(filler);
  signer.sign({ nonce: 1, userId: 2, apiKey: filler });
  signer.free();
}

/** The KeystampError `fn` throws, as `[code, provider, field]`. */
function failure(fn) {
  try {
    fn();
  } catch (err) {
    return [err.code, err.provider, err.field];
  }
  return 'no error';
}

for (const [label, k] of [['keystamp', keystamp], ['keystamp/lite', lite]]) {
  test(`${label}: the fast path gives every vector, for strings and numbers, fresh and reused pairs`, () => {
    for (const v of VECTORS) {
      assert.equal(k.kiiexSignature(v), v.signature);
      const signer = new k.KiiexSigner(v.apiSecret);
      for (let i = 0; i < 3; i++) assert.equal(signer.sign(v), v.signature);
      const numeric = { nonce: Number(v.nonce), userId: Number(v.userId), apiKey: v.apiKey };
      if (Number.isSafeInteger(numeric.nonce) && Number.isSafeInteger(numeric.userId)) assert.equal(signer.sign(numeric), v.signature);
      signer.free();
    }
  });

  test(`${label}: one signer switching between users signs each correctly`, () => {
    const [a, b] = VECTORS.filter((v) => v.apiSecret === VECTORS[0].apiSecret).concat(VECTORS).slice(0, 2);
    const signer = new k.KiiexSigner(a.apiSecret);
    const expected = (v) => k.kiiexSignature({ ...v, apiSecret: a.apiSecret });
    for (const v of [a, b, a, a, b]) assert.equal(signer.sign(v), expected(v));
    signer.free();
  });

  test(`${label}: values the fast path declines give the general path's answer or error`, () => {
    const v = VECTORS[0];
    const signer = new k.KiiexSigner(v.apiSecret);
    const long = 'k'.repeat(300);
    // Long and non-ASCII values are declined by the fast path; the general path signs or refuses them.
    assert.equal(signer.sign({ ...v, apiKey: long }), k.kiiexSignature({ ...v, apiKey: long }));
    assert.deepEqual(failure(() => signer.sign({ ...v, apiKey: 'kéy' })), ['invalid_header_value', 'kiiex', 'apiKey']);
    assert.deepEqual(failure(() => signer.sign({ ...v, nonce: 'a\nb' })), ['invalid_argument', 'kiiex', 'nonce']);
    // A bad pair after a good one, then the good one again: nothing stale is signed.
    assert.equal(signer.sign(v), v.signature);
    assert.deepEqual(failure(() => signer.sign({ ...v, userId: ' 1' })), ['invalid_argument', 'kiiex', 'userId']);
    assert.equal(signer.sign(v), v.signature);
    assert.deepEqual(failure(() => signer.sign([v.nonce, v.userId, v.apiKey])), failure(() => k.kiiexSignature([])));
    assert.deepEqual(failure(() => k.kiiexSignature({ ...v, apiSecret: 'sécret' })), ['invalid_secret', 'kiiex', 'apiSecret']);
    signer.free();
  });

  test(`${label}: each option is read once, and a throwing getter is a KeystampError`, () => {
    const v = VECTORS[0];
    const reads = { nonce: 0, userId: 0, apiKey: 0 };
    const counted = (value) => Object.fromEntries(Object.keys(reads).map((key) => [key, { get: () => (reads[key]++, value[key]), enumerable: true }]));
    const signer = new k.KiiexSigner(v.apiSecret);
    assert.equal(signer.sign(Object.defineProperties({}, counted(v))), v.signature);
    // Declined (a number that is not an id), then read by the general path from a copy.
    assert.equal(failure(() => signer.sign(Object.defineProperties({}, counted({ ...v, nonce: -1 }))))[0], 'invalid_argument');
    assert.deepEqual(reads, { nonce: 2, userId: 2, apiKey: 2 });
    const throwing = Object.defineProperty({ ...v }, 'nonce', { get() { throw new Error('getter'); } });
    assert.equal(failure(() => signer.sign(throwing))[0], 'invalid_argument');
    const throwingOnce = Object.defineProperty({ apiSecret: v.apiSecret, userId: v.userId, apiKey: v.apiKey }, 'nonce', { get() { throw new Error('getter'); }, enumerable: true });
    assert.equal(failure(() => k.kiiexSignature(throwingOnce))[0], 'invalid_argument');
    signer.free();
  });

  test(`${label}: after the memory grows the fast path still signs right`, () => {
    const v = VECTORS[0];
    const signer = new k.KiiexSigner(v.apiSecret);
    assert.equal(signer.sign(v), v.signature);
    const before = k.__memory().buffer.byteLength;
    // Signers of 4 KiB secrets, kept alive, until wasm memory has grown.
    const keep = [];
    while (k.__memory().buffer.byteLength === before) keep.push(new k.KiiexSigner('s'.repeat(4000)));
    assert.equal(signer.sign(v), v.signature);
    assert.equal(k.kiiexSignature(v), v.signature);
    keep.forEach((s) => s.free());
    signer.free();
  });

  test(`${label}: kiiexSignature leaves no copy of the secret or the key in wasm memory`, () => {
    const secret = `SECRET_${label}_wiped_after_each_call`;
    const apiKey = `APIKEY_${label}_wiped_after_each_call`;
    assert.match(k.kiiexSignature({ apiSecret: secret, nonce: 1, userId: 2, apiKey }), /^[0-9a-f]{64}$/);
    scrub(k, apiKey.length);
    assert.deepEqual([occurrences(k, secret), occurrences(k, apiKey)], [0, 0]);
    // The fast path writes the secret, then fails on the key: both are wiped.
    assert.equal(failure(() => k.kiiexSignature({ apiSecret: secret, nonce: 1, userId: 2, apiKey: `${apiKey}é` }))[0], 'invalid_header_value');
    scrub(k, apiKey.length);
    assert.deepEqual([occurrences(k, secret), occurrences(k, apiKey)], [0, 0]);
    // A secret that is not ASCII is declined halfway through its write: its ASCII head is wiped.
    assert.equal(failure(() => k.kiiexSignature({ apiSecret: `${secret}é`, nonce: 1, userId: 2, apiKey }))[0], 'invalid_secret');
    scrub(k, apiKey.length);
    assert.equal(occurrences(k, secret), 0);
  });

  test(`${label}: a signer keeps its key until free(), and a freed signer writes nothing`, () => {
    const apiKey = `APIKEY_${label}_kept_until_free_`;
    const signer = new k.KiiexSigner(VECTORS[0].apiSecret);
    signer.sign({ nonce: 1, userId: 2, apiKey });
    scrub(k, apiKey.length);
    assert.equal(occurrences(k, apiKey), 1);
    signer.free();
    assert.equal(occurrences(k, apiKey), 0);
    assert.throws(() => signer.sign({ nonce: 1, userId: 2, apiKey }));
    assert.equal(occurrences(k, apiKey), 0);
  });
}
