// A browser consumer: `init()` fetches keystamp_bg.wasm (next to the package's JS) once; after
// it resolves every function is synchronous. Writes a JSON report into #report for the test.
import init, { KeystampError, KiiexSigner, authHeaders, kiiexAuthHeaders, kiiexSignature } from 'keystamp';

const first = init();
const second = init(); // calling it again (even before the first finished) is fine
await Promise.all([first, second]);
await init();

// Quick start: the Kiiex AuthenticateUser signature and a provider's headers.
const signature = kiiexSignature({
  apiSecret: 'SECRET_FROM_DASHBOARD', nonce: 1700000000000, userId: 42, apiKey: 'APIKEY_FROM_DASHBOARD',
});
const headers = authHeaders('deltadefi', { apiKey: 'dd_live_key_1' });

// The test's inputs, and a JSON report of what keystamp computed for them.
const { vectors, credentials } = await (await fetch('./cases.json')).json();

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

document.querySelector('#report').textContent = JSON.stringify({
  signatures: vectors.map((v) => kiiexSignature(v)),
  signerSignatures,
  quickStart: { signature, headers },
  kiiexAuthHeaders: kiiexAuthHeaders({ ...vectors[1], nonce: 637958203, userId: 184 }),
  headers: credentials.map(([provider, creds]) => authHeaders(provider, creds)),
  errors: [
    errorOf(() => authHeaders('adjutor', { apiKey: 'adj_key\r\nX-Injected: 1' })),
    errorOf(() => authHeaders('aws', { apiKey: 'k' })),
  ],
  initIsOnePromise: first === second,
});
