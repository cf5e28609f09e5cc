// A Deno consumer: `keystamp` comes from package.json + node_modules (npm install), the
// `deno` export condition picks the entry that loads the wasm synchronously. Prints a JSON
// report of what keystamp computed for the inputs in cases.json; the test checks every value.
import { authHeaders, kiiexSignature } from 'keystamp';
import * as keystamp from 'keystamp';
import { report } from './report.mjs';

// Quick start: the Kiiex AuthenticateUser signature and a provider's headers.
const signature = kiiexSignature({
  apiSecret: 'SECRET_FROM_DASHBOARD', nonce: 1700000000000, userId: 42, apiKey: 'APIKEY_FROM_DASHBOARD',
});
const headers = authHeaders('deltadefi', { apiKey: 'dd_live_key_1' });

// The test's inputs, and a JSON report of what keystamp computed for them.
const cases = JSON.parse(await Deno.readTextFile(new URL('./cases.json', import.meta.url)));

console.log(JSON.stringify({ ...report(keystamp, cases), quickStart: { signature, headers } }));
