// The Kiiex signature `hex(HMAC-SHA256(secret, nonce + userId + apiKey))` by keystamp and by the
// peers a JS developer would use, in one process: same inputs (a fresh nonce per operation, from a
// precomputed list so every contender does the same work), every output checked equal first,
// then interleaved rounds. Also the Client's cached-token path, `await client.headers()`.
//
//   node tests/bench/kiiex.mjs      (the whole report: node tests/bench/run.mjs)
import { createHmac, webcrypto } from 'node:crypto';
import { pathToFileURL } from 'node:url';

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

import { fmt, interleave, stats, table } from './measure.mjs';

// A 32-character secret and key, as the Kiiex dashboard issues them, and the provider vector
// (providers.md) they must reproduce.
export const SECRET = 'd2f5a1c3b4e6f7089a1b2c3d4e5f6a7b';
export const API_KEY = '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7';
export const USER_ID = '184';
export const VECTOR = { nonce: '637958203', signature: 'e29b8f8f9654f9604c16fd193e9440c889e558bca55962c87a5ebcf7355a8897' };

const NODE = 'node:crypto createHmac';

/** The contenders, each signing `nonces[i]`; without `peers`, only node:crypto and keystamp. */
async function signers(keystamp, peers) {
  const encoder = new TextEncoder();
  const signer = new keystamp.KiiexSigner(SECRET);
  const secretBytes = encoder.encode(SECRET);
  const webKey = await webcrypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const message = (nonce) => nonce + USER_ID + API_KEY;
  const all = [
    { name: NODE, sign: (nonce) => createHmac('sha256', SECRET).update(message(nonce)).digest('hex') },
    { name: 'keystamp kiiexSignature', sign: (nonce) => keystamp.kiiexSignature({ apiSecret: SECRET, nonce, userId: USER_ID, apiKey: API_KEY }) },
    { name: 'keystamp KiiexSigner.sign', sign: (nonce) => signer.sign({ nonce, userId: USER_ID, apiKey: API_KEY }) },
    { name: '@noble/hashes hmac', sign: (nonce) => bytesToHex(hmac(sha256, secretBytes, encoder.encode(message(nonce)))) },
    {
      name: 'WebCrypto subtle.sign (key imported once)',
      async: true,
      sign: async (nonce) => Buffer.from(await webcrypto.subtle.sign('HMAC', webKey, encoder.encode(message(nonce)))).toString('hex'),
    },
  ];
  return peers ? all : all.filter(({ name }) => name === NODE || name.startsWith('keystamp'));
}

/** Every contender gives the provider vector, and the same signature as node:crypto for each of
 * the first nonces. Throws otherwise. */
async function checkAgree(contenders, nonces) {
  const [reference] = contenders;
  for (const { name, sign } of contenders) {
    const got = await sign(VECTOR.nonce);
    if (got !== VECTOR.signature) throw new Error(`${name} gave ${got} for the provider vector`);
    for (const nonce of nonces.slice(0, 100)) {
      if ((await sign(nonce)) !== reference.sign(nonce)) throw new Error(`${name} and ${reference.name} disagree for nonce ${nonce}`);
    }
  }
}

/** The signature benchmark: `{ rows, ops, rounds }`, rows `{ name, median, min, max, ratio }`
 * (ns/op over rounds, and the median per-round ratio of node:crypto's ns/op to this one's). */
export async function benchSignatures(keystamp, { rounds = 15, ops = 10_000, peers = true } = {}) {
  const nonces = Array.from({ length: ops }, (_, i) => String(1_700_000_000_000 + i));
  const contenders = await signers(keystamp, peers);
  await checkAgree(contenders, nonces);
  const samples = await interleave(
    contenders.map(({ name, sign, async }) => ({ name, async, run: (i) => sign(nonces[i]) })),
    { rounds, ops },
  );
  // Each round times every contender back to back, so the ratio is taken per round (node:crypto's
  // ns/op over the contender's, in the same round) and its median reported: a machine whose speed
  // drifts between rounds shifts both sides of each ratio alike.
  const base = samples.get(NODE);
  const rows = [...samples].map(([name, ns]) => ({ name, ...stats(ns), ratio: stats(ns.map((v, round) => base[round] / v)).median }));
  return { rows, ops, rounds };
}

/**
 * `await client.headers()` while the token is valid: a DePay Client whose one token exchange
 * (`GET /auth/token`, answered by the fetch below) happens before the measurement, so every
 * measured call is answered from the Client's state; the fetch throws if it is called again.
 * Next to it, a plain async function returning the same object, for scale. `null` without a
 * Client (keystamp/lite).
 */
export async function benchClient(keystamp, { rounds = 15, ops = 10_000 } = {}) {
  if (typeof keystamp.Client !== 'function') return null;
  const accessToken = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl';
  let exchanges = 0;
  const fetch = async () => {
    if (++exchanges > 1) throw new Error('the benchmark fetch was called twice: the token was not cached');
    return Response.json({ expiresIn: '3600', accessToken, refreshToken: 'refresh-1' });
  };
  const client = new keystamp.Client({ provider: 'depay', apiKey: API_KEY, fetch });
  const expected = JSON.stringify({ Authorization: `Bearer ${accessToken}` });
  const got = JSON.stringify(await client.headers());
  if (got !== expected || exchanges !== 1) throw new Error(`client.headers() gave ${got} after ${exchanges} exchanges`);
  const plain = async () => ({ Authorization: `Bearer ${accessToken}` });
  const samples = await interleave(
    [
      { name: 'keystamp `await client.headers()` (DePay, token cached)', async: true, run: () => client.headers() },
      { name: 'plain `async () => ({ Authorization })`, for scale', async: true, run: plain },
    ],
    { rounds, ops },
  );
  if (exchanges !== 1) throw new Error(`${exchanges} token exchanges during the benchmark`);
  return { rows: [...samples].map(([name, ns]) => ({ name, ...stats(ns) })), ops, rounds };
}

/** Markdown for the two benchmarks. */
export function report(signatures, client) {
  const sig = table(
    ['contender', 'ns/op (median)', 'ops/s', 'speed vs node:crypto (median of per-round ratios)', 'rounds: min – max ns/op'],
    signatures.rows.map((r) => [r.name, fmt.ns(r.median), fmt.ops(r.median), fmt.ratio(r.ratio), `${fmt.ns(r.min)} – ${fmt.ns(r.max)}`]),
  );
  const head = `Kiiex signature of \`nonce + userId + apiKey\` (32-character secret and key, a new nonce per operation), ${signatures.ops.toLocaleString('en-US')} operations × ${signatures.rounds} interleaved rounds:`;
  const cli = client
    ? table(
        ['cached-token path', 'ns/op (median)', 'ops/s', 'rounds: min – max ns/op'],
        client.rows.map((r) => [r.name, fmt.ns(r.median), fmt.ops(r.median), `${fmt.ns(r.min)} – ${fmt.ns(r.max)}`]),
      )
    : 'Client: skipped (no Client export)';
  return `${head}\n\n${sig}\n\n${cli}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { installedPackage } = await import('./package.mjs');
  const keystamp = await import(pathToFileURL(installedPackage().entry).href);
  console.log(report(await benchSignatures(keystamp), await benchClient(keystamp)));
}
