// A browser consumer: `init()` fetches keystamp_bg.wasm (next to the package's JS) once; after
// it resolves every function is synchronous. Writes a JSON report into #report for the test.
import init, { authHeaders, kiiexSignature } from 'keystamp';
import * as keystamp from 'keystamp';
import { report } from './report.mjs';

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
const cases = await (await fetch('./cases.json')).json();

document.querySelector('#report').textContent = JSON.stringify({
  ...report(keystamp, cases),
  quickStart: { signature, headers },
  initIsOnePromise: first === second,
});
