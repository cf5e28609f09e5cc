// A Node.js ES-module consumer (package.json "type": "module"). Prints a JSON report of what
// keystamp computed for the inputs in cases.json; the test checks every value.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { authHeaders, kiiexSignature } from 'keystamp';
import * as keystamp from 'keystamp';
import { report } from './report.mjs';

// Quick start: the Kiiex AuthenticateUser signature and a provider's headers.
const signature = kiiexSignature({
  apiSecret: 'SECRET_FROM_DASHBOARD', nonce: 1700000000000, userId: 42, apiKey: 'APIKEY_FROM_DASHBOARD',
});
const headers = authHeaders('deltadefi', { apiKey: 'dd_live_key_1' });

// The test's inputs, and a JSON report of what keystamp computed for them.
const required = createRequire(import.meta.url)('keystamp');
const cases = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8'));

console.log(JSON.stringify({
  ...report(keystamp, cases),
  quickStart: { signature, headers },
  // The names `import` and `require` both give as the very same objects (one module instance).
  sharedExports: Object.keys(keystamp).filter((name) => keystamp[name] === required[name]),
}));
