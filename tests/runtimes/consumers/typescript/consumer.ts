// A TypeScript consumer that uses every export of keystamp. Only type-checked (tsc --noEmit
// --strict): each `@ts-expect-error` line must be an error, so the configs are typed, not `any`.
import init, { Client, KeystampError, KiiexSigner, authHeaders, kiiexAuthHeaders, kiiexSignature } from 'keystamp';
import type { KeystampErrorCode, KiiexAuthHeaders, Provider, StaticCredentials } from 'keystamp';
import * as lite from 'keystamp/lite';

await init(); // loads the wasm in browsers; a no-op on Node, Deno and Workers

const signature: string = kiiexSignature({
  apiSecret: 'SECRET_FROM_DASHBOARD', nonce: 1700000000000, userId: 42, apiKey: 'APIKEY_FROM_DASHBOARD',
});

const signer = new KiiexSigner('SECRET_FROM_DASHBOARD');
const again: string = signer.sign({ nonce: '1700000000000', userId: '42', apiKey: 'APIKEY_FROM_DASHBOARD' });
const signed: KiiexAuthHeaders = signer.authHeaders({ apiKey: 'APIKEY_FROM_DASHBOARD', userId: 42, nonceMode: 'random' });
signer.free();

const authenticate: KiiexAuthHeaders = kiiexAuthHeaders({ apiKey: 'k', apiSecret: 's', userId: 42, nonce: 1 });
const { APIKey, Signature, UserId, Nonce }: { APIKey: string; Signature: string; UserId: string; Nonce: string } = authenticate;

const provider: Provider = 'deltadefi';
const credentials: StaticCredentials = { apiKey: 'dd_live_key' };
const headers: Record<string, string> = authHeaders(provider, credentials);

const client = new Client({ provider: 'kiiex', apiKey: 'k', apiSecret: 's', userId: 42, kiiexAuthForm: 'json' });
async function callKiiex(): Promise<Response> {
  const perRequest: Client = client.scoped();
  const current: Record<string, string> = await perRequest.headers();
  return perRequest.fetch('GetUserInfo', { method: 'POST', body: JSON.stringify(current) });
}
// `init` is optional, as for the global fetch.
const plainGet: Promise<Response> = client.fetch('GetInstruments');

// keystamp/lite: the same signing API, no Client.
const liteSignature: string = new lite.KiiexSigner('SECRET_FROM_DASHBOARD').sign({ nonce: 1, userId: 42, apiKey: 'k' });
const liteHeaders: Record<string, string> = lite.authHeaders('adjutor', { apiKey: 'k' });
const liteError: lite.KeystampErrorCode | undefined = liteSignature ? undefined : 'unknown_provider';
// @ts-expect-error keystamp/lite has no Client
new lite.Client({ provider: 'adjutor', apiKey: 'k' });

/** Narrowing on `.code`: it is the union of the documented codes, not a plain string. */
function explain(err: unknown): string {
  if (!(err instanceof KeystampError)) return 'not a keystamp error';
  const code: KeystampErrorCode = err.code;
  switch (code) {
    case 'invalid_header_value':
      return `bad ${err.field ?? 'input'} for ${err.provider ?? 'keystamp'}`;
    case 'auth_rejected':
      return `rejected by ${err.provider} with HTTP ${err.status ?? '?'}`;
    default:
      return code;
  }
}

// @ts-expect-error the secret is a string
kiiexSignature({ apiSecret: 1, nonce: 1, userId: 1, apiKey: 'k' });
// @ts-expect-error every field is required
kiiexSignature({ apiSecret: 's', nonce: 1, userId: 1 });
// @ts-expect-error only the five providers
authHeaders('aws', { apiKey: 'k' });
// @ts-expect-error keys are strings
authHeaders('deltadefi', { apiKey: 42 });
// @ts-expect-error no such credential field
authHeaders('adjutor', { token: 'k' });
// @ts-expect-error nonceMode is 'monotonic' or 'random'
kiiexAuthHeaders({ apiKey: 'k', apiSecret: 's', userId: 1, nonceMode: 'clock' });
// @ts-expect-error the secret is a string
new KiiexSigner(42);
// @ts-expect-error sign needs the apiKey
signer.sign({ nonce: 1, userId: 1 });
// @ts-expect-error the headers are strings, not numbers
const wrongHeaders: { APIKey: number } = signed;
// @ts-expect-error a signature is a string
const wrongSignature: number = again;
// @ts-expect-error only the five providers
new Client({ provider: 'aws', apiKey: 'k' });
// @ts-expect-error kiiexAuthForm is 'headers', 'headers-post' or 'json'
new Client({ provider: 'kiiex', kiiexAuthForm: 'query' });

function notACode(err: KeystampError): boolean {
  // @ts-expect-error the codes are a closed union
  return err.code === 'no_such_code';
}

export { plainGet, liteSignature, liteHeaders, liteError, signature, APIKey, Signature, UserId, Nonce, headers, callKiiex, explain, notACode, wrongHeaders, wrongSignature };
