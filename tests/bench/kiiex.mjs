// Kiiex signature benchmark: keystamp against node:crypto, WebCrypto and @noble/hashes, in one
// process, same inputs, outputs checked equal first, interleaved rounds, medians.
//   node tests/bench/kiiex.mjs            (after `bash scripts/build.sh`)
import { createHmac, webcrypto } from 'node:crypto';
import { cpus } from 'node:os';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { kiiexSignature, KiiexSigner } from '../../pkg/entries/node.js';

const SECRET = 'd2f5a1c3b4e6f7089a1b2c3d4e5f6a7b';
const API_KEY = '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7';
const USER_ID = '184';
const OPS = 20_000;
const ROUNDS = 15;
const nonces = Array.from({ length: OPS }, (_, i) => String(1_700_000_000_000 + i));
const enc = new TextEncoder();
const secretBytes = enc.encode(SECRET);
const signer = new KiiexSigner(SECRET);
const key = await webcrypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);

const contenders = {
  'node:crypto createHmac': (n) => createHmac('sha256', SECRET).update(n + USER_ID + API_KEY).digest('hex'),
  'keystamp kiiexSignature': (n) => kiiexSignature({ apiSecret: SECRET, nonce: n, userId: USER_ID, apiKey: API_KEY }),
  'keystamp KiiexSigner.sign': (n) => signer.sign({ nonce: n, userId: USER_ID, apiKey: API_KEY }),
  '@noble/hashes hmac': (n) => bytesToHex(hmac(sha256, secretBytes, enc.encode(n + USER_ID + API_KEY))),
  'WebCrypto subtle.sign': async (n) => Buffer.from(await webcrypto.subtle.sign('HMAC', key, enc.encode(n + USER_ID + API_KEY))).toString('hex'),
};

// Same answer from everyone, and the vector of the provider contracts.
const want = 'e29b8f8f9654f9604c16fd193e9440c889e558bca55962c87a5ebcf7355a8897';
for (const [name, fn] of Object.entries(contenders)) {
  const got = await fn('637958203');
  if (got !== want) throw new Error(`${name} gave ${got}`);
}

const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let round = 0; round < ROUNDS + 2; round++) {
  for (const [name, fn] of Object.entries(contenders)) {
    const isAsync = name.startsWith('WebCrypto');
    const start = process.hrtime.bigint();
    if (isAsync) for (let i = 0; i < OPS; i++) await fn(nonces[i]);
    else for (let i = 0; i < OPS; i++) fn(nonces[i]);
    const ns = Number(process.hrtime.bigint() - start) / OPS;
    if (round >= 2) samples[name].push(ns); // two warm-up rounds
  }
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median([...samples['node:crypto createHmac']]);
const rows = Object.entries(samples).map(([name, xs]) => {
  const ns = median(xs);
  return `| ${name} | ${ns.toFixed(0)} | ${Math.round(1e9 / ns).toLocaleString('en-US')} | ${(base / ns).toFixed(2)}x |`;
});
console.log(`Kiiex signature, ${OPS} ops x ${ROUNDS} interleaved rounds, median. ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| contender | ns/op | ops/s | vs node:crypto |\n|---|---|---|---|');
console.log(rows.join('\n'));
