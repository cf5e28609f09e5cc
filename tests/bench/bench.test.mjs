// The benchmark, run small: every contender must agree with node:crypto and the provider vector
// before anything is timed, the cached-token path must not fetch again, and the report must hold
// every row. Timings are not asserted (they belong to `bash scripts/bench.sh`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import * as keystamp from 'keystamp';
import * as lite from 'keystamp/lite';

import { benchColdStart, report as coldReport } from './coldstart.mjs';
import { benchCallbacks, report as callbackReport } from './depay.mjs';
import { benchFleet, report as fleetReport } from './fleet.mjs';
import { benchClient, benchSignatures, report } from './kiiex.mjs';
import { installedPackage } from './package.mjs';
import { packageSizes, report as sizeReport } from './size.mjs';

const { dir } = installedPackage();

test('signatures: every contender agrees, then is timed', async () => {
  const result = await benchSignatures(keystamp, { rounds: 1, ops: 200 });
  assert.deepEqual(result.rows.map((r) => r.name), [
    'node:crypto createHmac',
    'keystamp kiiexSignature',
    'keystamp KiiexSigner.sign',
    '@noble/hashes hmac',
    'WebCrypto subtle.sign (key imported once)',
  ]);
  assert.equal(result.rows[0].ratio, 1);
  for (const row of result.rows) assert.ok(row.median > 0 && Number.isFinite(row.ratio), row.name);
  const lines = report(result, null).split('\n').filter((line) => line.startsWith('| '));
  assert.equal(lines.length, 2 + 5 + 0);
});

test('signatures: keystamp/lite gives the same answers', async () => {
  const result = await benchSignatures(lite, { rounds: 1, ops: 100, peers: false });
  assert.equal(result.rows.length, 3);
});

test('DePay callbacks: every contender verifies the 1 KiB and 64 KiB vectors, then is timed', async () => {
  for (const [label, k] of [['keystamp', keystamp], ['keystamp/lite', lite]]) {
    const results = await benchCallbacks(k, { rounds: 1, ops: 100 });
    assert.deepEqual(results.map((r) => [r.label, r.bytes]), [['1 KiB', 1024], ['64 KiB', 65536]], label);
    for (const r of results) {
      assert.deepEqual(r.rows.map((row) => row.name), [
        'node:crypto createHmac + timingSafeEqual',
        'keystamp verifyDepayCallback (string body)',
        'keystamp verifyDepayCallback (Uint8Array body)',
      ]);
      assert.equal(r.rows[0].ratio, 1);
      for (const row of r.rows) assert.ok(row.median > 0 && Number.isFinite(row.ratio), `${label} ${r.label} ${row.name}`);
    }
    const lines = callbackReport(results).split('\n').filter((line) => line.startsWith('| '));
    assert.equal(lines.length, 2 * (2 + 3));
  }
});

test('cached-token path: one token exchange for every call', async () => {
  const result = await benchClient(keystamp, { rounds: 1, ops: 500 });
  assert.equal(result.rows.length, 2);
  assert.equal(await benchClient(lite), null);
});

test('cached-token path with a Redis store: no exchange after the first, and a joining client takes the token from Redis', async () => {
  const result = await benchFleet(keystamp, { rounds: 1, ops: 500, joins: 5 });
  assert.deepEqual(result.rows.map((r) => r.name), ['keystamp `await client.headers()` (DePay, token cached, Redis store)', 'the same without a store']);
  assert.match(fleetReport(result), /joining the fleet/);
  assert.equal(await benchFleet(lite), null);
});

test('cold start: a fresh process per run signs the vector', () => {
  const rows = benchColdStart([{ name: 'keystamp/lite', entry: path.join(dir, 'dist/lite/entries/node.js') }], { runs: 1 });
  assert.deepEqual(rows.map((r) => r.name), ['keystamp/lite: import, then kiiexSignature', 'node:crypto: import, then createHmac']);
  assert.match(coldReport(rows, 1), /import → first signature/);
});

test('size: both builds measured, the lite one within its budget', () => {
  const sizes = packageSizes(dir);
  assert.ok(sizes.full.total.gzip > sizes.lite.total.gzip);
  assert.match(sizeReport(sizes), /`keystamp\/lite` .*within budget/);
});
