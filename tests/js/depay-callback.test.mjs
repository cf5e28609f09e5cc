// verifyDepayCallback through the installed package (keystamp and keystamp/lite): every committed
// vector (tests/depay-callbacks.json, computed with Python's hmac) as a string, a Uint8Array, a
// Buffer and an ArrayBuffer; every malformed signature is `false`, never an exception; only a
// missing or mistyped apiKey, customerUuid or body throws a KeystampError; the body crosses into
// WebAssembly without a per-character JS loop; the API key never shows in an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

import * as keystamp from 'keystamp';
import * as lite from 'keystamp/lite';
import { occurrences as countIn } from '../wasm-memory.mjs';

const { depayCallbacks: VECTORS } = JSON.parse(readFileSync(new URL('../depay-callbacks.json', import.meta.url), 'utf8'));

/** A vector's raw body bytes: `body` (UTF-8 text), `bodyHex` or `bodyPattern`. */
function bodyBytes(v) {
  if ('body' in v) return Buffer.from(v.body, 'utf8');
  if ('bodyHex' in v) return Buffer.from(v.bodyHex, 'hex');
  const { prefix, unit, count, suffix } = v.bodyPattern;
  return Buffer.from(prefix + unit.repeat(count) + suffix, 'utf8');
}

/** The body as the text `request.text()` would give, when the bytes are UTF-8. */
const bodyText = (v) => ('bodyHex' in v ? undefined : bodyBytes(v).toString('utf8'));

/** The KeystampError `fn` throws, as `{ code, field, provider }`, or 'no error'. */
function failure(fn) {
  try {
    fn();
  } catch (err) {
    return { keystamp: err instanceof Error && err.name === 'KeystampError', code: err.code, field: err.field, provider: err.provider };
  }
  return 'no error';
}

for (const [label, k] of [['keystamp', keystamp], ['keystamp/lite', lite]]) {
  test(`${label}: every committed vector verifies, as a string and as bytes`, () => {
    assert.equal(VECTORS.length, 12);
    for (const v of VECTORS) {
      const bytes = bodyBytes(v);
      assert.equal(bytes.length, v.bodyBytes, v.name);
      const larger = new Uint8Array(Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]));
      const bodies = [
        ['Uint8Array', new Uint8Array(bytes)],
        ['Buffer', bytes],
        ['ArrayBuffer', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)],
        ['a view into a larger buffer', larger.subarray(2, 2 + bytes.length)],
      ];
      if (bodyText(v) !== undefined) bodies.push(['string', bodyText(v)]);
      for (const [kind, body] of bodies) {
        const verify = (signature, more = {}) => k.verifyDepayCallback({ apiKey: v.apiKey, customerUuid: v.customerUuid, body, signature, ...more });
        assert.equal(verify(v.signature), true, `${v.name} (${kind})`);
        assert.equal(verify(v.signature, { apiKey: `${v.apiKey}x` }), false, `${v.name} (${kind}): other key`);
        assert.equal(verify(v.signature, { customerUuid: `${v.customerUuid}x` }), false, `${v.name} (${kind}): other uuid`);
      }
      // Independently of the vectors file: node:crypto agrees.
      const mac = createHmac('sha256', v.apiKey).update(Buffer.concat([bytes, Buffer.from(`+${v.customerUuid}`, 'utf8')])).digest('hex');
      assert.equal(mac, v.signature, v.name);
    }
  });

  test(`${label}: a changed body or a malformed signature is false, never an exception`, () => {
    const v = VECTORS[0];
    const verify = (signature, body = v.body) => k.verifyDepayCallback({ apiKey: v.apiKey, customerUuid: v.customerUuid, body, signature });
    assert.equal(verify(v.signature, `${v.body} `), false);
    assert.equal(verify(v.signature, JSON.stringify(JSON.parse(v.body), null, 2)), false, 're-serialised JSON is another body');
    assert.equal(verify(VECTORS[1].signature), false, 'the signature of another body');
    const flipped = (v.signature[0] === '0' ? '1' : '0') + v.signature.slice(1);
    const malformed = [
      v.signature.toUpperCase(), ` ${v.signature}`, `${v.signature} `, `${v.signature}\n`, `sha256=${v.signature}`,
      v.signature.slice(0, 63), `${v.signature}0`, flipped, '', 'g'.repeat(64), '\0'.repeat(64), 'é'.repeat(32),
      'x'.repeat(1 << 20), null, undefined, 42, {}, [v.signature], { toString: () => v.signature },
    ];
    for (const signature of malformed) assert.equal(verify(signature), false, `signature ${String(signature).slice(0, 70)}`);
    assert.equal(k.verifyDepayCallback({ apiKey: v.apiKey, customerUuid: v.customerUuid, body: v.body }), false, 'no signature property');
  });

  test(`${label}: only a missing or mistyped apiKey, customerUuid or body throws, with its field`, () => {
    const v = VECTORS[0];
    const base = { apiKey: v.apiKey, customerUuid: v.customerUuid, body: v.body, signature: v.signature };
    const cases = [
      [undefined, 'invalid_argument', 'options'],
      [null, 'invalid_argument', 'options'],
      ['body', 'invalid_argument', 'options'],
      [{ ...base, apiKey: undefined }, 'missing_credential', 'apiKey'],
      [{ ...base, apiKey: '' }, 'missing_credential', 'apiKey'],
      [{ ...base, apiKey: 42 }, 'invalid_argument', 'apiKey'],
      [{ ...base, customerUuid: null }, 'missing_credential', 'customerUuid'],
      [{ ...base, customerUuid: '' }, 'missing_credential', 'customerUuid'],
      [{ ...base, customerUuid: ['u'] }, 'invalid_argument', 'customerUuid'],
      [{ ...base, body: undefined }, 'missing_credential', 'body'],
      [{ ...base, body: null }, 'missing_credential', 'body'],
      [{ ...base, body: 42 }, 'invalid_argument', 'body'],
      [{ ...base, body: JSON.parse(v.body) }, 'invalid_argument', 'body'],
      [{ ...base, body: new Uint16Array(4) }, 'invalid_argument', 'body'],
      [{ ...base, body: 'x'.repeat((1 << 20) + 1) }, 'input_too_large', 'body'],
      [{ ...base, body: new Uint8Array((1 << 20) + 1) }, 'input_too_large', 'body'],
      [{ ...base, body: '€'.repeat(400_000) }, 'input_too_large', 'body'],
    ];
    for (const [options, code, field] of cases) {
      assert.deepEqual(failure(() => k.verifyDepayCallback(options)), { keystamp: true, code, field, provider: 'depay' }, `${code} ${field}`);
    }
    // Up to 1 MiB of body is fine, counted in UTF-8 bytes.
    const mib = '€'.repeat(349_525) + 'a';
    assert.equal(Buffer.byteLength(mib), 1 << 20);
    const sig = createHmac('sha256', v.apiKey).update(`${mib}+${v.customerUuid}`).digest('hex');
    assert.equal(k.verifyDepayCallback({ ...base, body: mib, signature: sig }), true);
    assert.equal(k.verifyDepayCallback({ ...base, body: Buffer.from(mib), signature: sig }), true);
    // A body with an unpaired surrogate is read the way TextEncoder (and `request.text()` upstream) reads it.
    const lone = '{"a":"\ud800"}';
    const loneSig = createHmac('sha256', v.apiKey).update(Buffer.concat([Buffer.from(new TextEncoder().encode(lone)), Buffer.from(`+${v.customerUuid}`)])).digest('hex');
    assert.equal(k.verifyDepayCallback({ ...base, body: lone, signature: loneSig }), true);
  });

  test(`${label}: the body crosses into WebAssembly without a per-character JS loop`, () => {
    /** How many times JS reads a character with charCodeAt while verifying `v` (string body). */
    const charReads = (v) => {
      const original = String.prototype.charCodeAt;
      let calls = 0;
      String.prototype.charCodeAt = function charCodeAt(i) {
        calls++;
        return original.call(this, i);
      };
      try {
        assert.equal(k.verifyDepayCallback({ apiKey: v.apiKey, customerUuid: v.customerUuid, body: bodyText(v), signature: v.signature }), true);
      } finally {
        String.prototype.charCodeAt = original;
      }
      return calls;
    };
    const [small, large] = VECTORS.slice(-2);
    assert.ok(bodyText(large).length > 40_000 && bodyText(small).length < 1_000);
    // wasm-bindgen's own string passing reads each ASCII character with charCodeAt: the key, the
    // UUID and the signature go that way (a few hundred reads), never the body, so a 64 KiB body
    // costs exactly as many reads as a 1 KiB one.
    const [forSmall, forLarge] = [charReads(small), charReads(large)];
    assert.equal(forLarge, forSmall);
    assert.ok(forLarge < 400, `${forLarge} charCodeAt calls`);
  });

  test(`${label}: no copy of the API key or the body stays in wasm memory`, () => {
    const occurrences = (marker) => countIn(k, marker);

    const apiKey = 'MARKER_SECRET_7f3a_depay_key';
    const bodyMarker = 'MARKER_BODY_9c1e';
    const bodies = [`{"note":"${bodyMarker}"}`, Buffer.from(`{"note":"${bodyMarker}"}`), `{"pad":"${'x'.repeat(70_000)}","note":"${bodyMarker}"}`];
    for (const body of bodies) {
      assert.equal(k.verifyDepayCallback({ apiKey, customerUuid: 'u', body, signature: '00' }), false);
      assert.ok(occurrences(apiKey) + occurrences(bodyMarker) > 0, 'the scan finds the stale stack copies');
      // The key's Secret is zeroized and the reused body buffer cleared; what is left are stale
      // copies in stack frames (HMAC keying, the hash's last partial block: tests/wasm_memory.rs
      // explains why zeroize cannot reach them), which the next call of the same shape
      // overwrites. After it, no copy of either is left anywhere in wasm memory.
      const filler = typeof body === 'string' ? 'x'.repeat(body.length) : Buffer.alloc(body.length, 'x');
      k.verifyDepayCallback({ apiKey: 'x'.repeat(apiKey.length), customerUuid: 'u', body: filler, signature: '00' });
      assert.equal(occurrences(apiKey), 0);
      assert.equal(occurrences(bodyMarker), 0);
    }
    // Far from the end of a long body, the marker is in no partial block: only the body buffer
    // held it, and it is cleared when the call returns.
    for (const body of [`{"note":"${bodyMarker}","pad":"${'x'.repeat(70_000)}"}`, Buffer.from(`{"note":"${bodyMarker}","pad":"${'y'.repeat(5_000)}"}`)]) {
      assert.equal(k.verifyDepayCallback({ apiKey: 'k', customerUuid: 'u', body, signature: '00' }), false);
      assert.equal(occurrences(bodyMarker), 0);
    }
  });

  test(`${label}: errors never show the API key, and calls leave no state behind`, () => {
    const apiKey = 'MARKER_SECRET_7f3a_depay_key';
    for (const options of [{ apiKey, customerUuid: 'u', body: 7, signature: 'x' }, { apiKey, customerUuid: '', body: '{}', signature: 'x' }]) {
      try {
        k.verifyDepayCallback(options);
        assert.fail('no error');
      } catch (err) {
        assert.ok(!`${err.message} ${err.stack} ${JSON.stringify(err)}`.includes('MARKER_SECRET'));
      }
    }
    // The same inputs give the same answers, in any order, after errors and large bodies.
    for (let i = 0; i < 3; i++) {
      for (const v of VECTORS) {
        assert.equal(k.verifyDepayCallback({ apiKey: v.apiKey, customerUuid: v.customerUuid, body: bodyBytes(v), signature: v.signature }), true, v.name);
      }
    }
  });
}
