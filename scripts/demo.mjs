// keystamp demo: the headers each provider needs, and Kiiex signatures for the published vectors.
// Run with `bash scripts/demo.sh` (installs and builds first).
import { readFileSync } from 'node:fs';
import { authHeaders, kiiexSignature, KiiexSigner, KeystampError, Client } from '../pkg/entries/node.js';
import { startEmulator } from '../pkg/emulator/index.js';

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

console.log(bold('\nThe Client against a local emulator of each provider (127.0.0.1)'));
const emu = await startEmulator();
const c = emu.credentials;
const clients = {
  defindex: new Client({ provider: 'defindex', baseUrl: emu.baseUrls.defindex, email: c.defindex.email, password: c.defindex.password }),
  deltadefi: new Client({ provider: 'deltadefi', baseUrl: emu.baseUrls.deltadefi, apiKey: c.deltadefi.apiKey, onKeyRotated: (key) => console.log(`  deltadefi  onKeyRotated: new key ${key.slice(0, 14)}… (persist it: the old one is dead)`) }),
  adjutor: new Client({ provider: 'adjutor', baseUrl: emu.baseUrls.adjutor, apiKey: c.adjutor.apiKey }),
  depay: new Client({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey: c.depay.apiKey }),
  kiiex: new Client({ provider: 'kiiex', baseUrl: emu.baseUrls.kiiex, apiKey: c.kiiex.apiKey, apiSecret: c.kiiex.apiSecret, userId: c.kiiex.userId }),
};
const paths = { defindex: '/vault/balance', deltadefi: '/accounts/balance', adjutor: '/verification/bvn/22222222222', depay: '/v2/balance', kiiex: 'GetUserInfo' };
const authRoute = { defindex: ['login', 'refresh'], deltadefi: ['rotate'], adjutor: [], depay: ['auth'], kiiex: ['auth'] };
for (const [provider, client] of Object.entries(clients)) {
  const init = provider === 'kiiex' ? { method: 'POST', body: '{}' } : undefined;
  const statuses = (await Promise.all(Array.from({ length: 50 }, () => client.fetch(paths[provider], init)))).map((r) => r.status);
  if (provider === 'deltadefi') {
    await client.rotateKey();
    statuses.push((await client.fetch(paths[provider])).status);
  }
  const auths = authRoute[provider].reduce((n, route) => n + emu.count(provider, route), 0);
  const allOk = statuses.every((s) => s === 200);
  console.log(`  ${provider.padEnd(10)} ${statuses.length} calls (${allOk ? 'all 200' : statuses.join(',')}), ${emu.count(provider, 'api')} reached the API, ${auths} auth request${auths === 1 ? '' : 's'}`);
  if (!allOk) process.exitCode = 1;
}
await emu.close();
if (ok !== VECTORS.length) process.exit(1);
