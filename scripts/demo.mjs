// keystamp demo: the headers each provider needs, and Kiiex signatures for the published vectors.
// Run with `bash scripts/demo.sh` (installs and builds first).
import { readFileSync } from 'node:fs';
import { authHeaders, kiiexSignature, KiiexSigner, KeystampError } from '../pkg/entries/node.js';

const { kiiex: VECTORS } = JSON.parse(readFileSync(new URL('../tests/vectors.json', import.meta.url), 'utf8'));
const bold = (s) => `\x1b[1m${s}\x1b[0m`;

console.log(bold('Headers of an authenticated call (sample credentials)'));
const samples = [
  ['defindex', { apiKey: 'sk_demo_defindex' }],
  ['deltadefi', { apiKey: 'dd_demo_key' }],
  ['adjutor', { apiKey: 'adj_demo_key' }],
  ['depay', { apiKey: 'depay_demo_key' }],
  ['depay', { accessToken: 'eyJhbGciOiJIUzI1NiJ9.demo.token' }],
  ['kiiex', { sessionToken: 'demo-session-token' }],
];
for (const [provider, credentials] of samples) {
  const headers = authHeaders(provider, credentials);
  for (const [name, value] of Object.entries(headers)) console.log(`  ${provider.padEnd(10)} ${name}: ${value}`);
}

console.log(bold('\nKiiex AuthenticateUser headers (vector 1)'));
const signer = new KiiexSigner(VECTORS[0].apiSecret);
for (const [name, value] of Object.entries(signer.authHeaders({ ...VECTORS[0] }))) console.log(`  ${name}: ${value}`);
signer.free();

console.log(bold('\nKiiex signatures: HMAC-SHA256(secret, nonce + userId + apiKey)'));
let ok = 0;
for (const v of VECTORS) {
  const got = kiiexSignature(v);
  const match = got === v.signature;
  ok += match;
  console.log(`  ${match ? 'ok ' : 'BAD'} nonce=${v.nonce} userId=${v.userId} -> ${got}`);
}
console.log(`  ${ok}/${VECTORS.length} match the published vectors`);

console.log(bold('\nBad input is a typed error, and the message never holds the value'));
try {
  authHeaders('adjutor', { apiKey: 'adj_demo_key\r\nX-Injected: 1' });
} catch (err) {
  console.log(`  ${err instanceof KeystampError ? 'KeystampError' : 'Error'} code=${err.code}: ${err.message}`);
}
if (ok !== VECTORS.length) process.exit(1);
