// A Node.js ES-module consumer (package.json "type": "module"). Prints a JSON report of what
// keystamp computed for the inputs in cases.json; the test checks every value.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { KeystampError, KiiexSigner, authHeaders, kiiexAuthHeaders, kiiexSignature } from 'keystamp';
import * as keystamp from 'keystamp';

// Quick start: the Kiiex AuthenticateUser signature and a provider's headers.
const signature = kiiexSignature({
  apiSecret: 'SECRET_FROM_DASHBOARD', nonce: 1700000000000, userId: 42, apiKey: 'APIKEY_FROM_DASHBOARD',
});
const headers = authHeaders('deltadefi', { apiKey: 'dd_live_key_1' });

// The test's inputs, and a JSON report of what keystamp computed for them.
const required = createRequire(import.meta.url)('keystamp');
const { vectors, credentials } = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8'));

function errorOf(call) {
  try {
    call();
    return 'no error';
  } catch (err) {
    const { name, code, provider, field } = err;
    return { keystamp: err instanceof KeystampError, error: err instanceof Error, name, code, provider, field };
  }
}

const signerSignatures = vectors.map((v) => {
  const signer = new KiiexSigner(v.apiSecret);
  const signed = signer.sign({ nonce: v.nonce, userId: v.userId, apiKey: v.apiKey });
  signer.free();
  return signed;
});

console.log(JSON.stringify({
  signatures: vectors.map((v) => kiiexSignature(v)),
  signerSignatures,
  quickStart: { signature, headers },
  kiiexAuthHeaders: kiiexAuthHeaders({ ...vectors[1], nonce: 637958203, userId: 184 }),
  headers: credentials.map(([provider, creds]) => authHeaders(provider, creds)),
  errors: [
    errorOf(() => authHeaders('adjutor', { apiKey: 'adj_key\r\nX-Injected: 1' })),
    errorOf(() => authHeaders('aws', { apiKey: 'k' })),
  ],
  // The names `import` and `require` both give as the very same objects (one module instance).
  sharedExports: Object.keys(keystamp).filter((name) => keystamp[name] === required[name]),
}));
