// A Node.js CommonJS consumer (package.json "type": "commonjs"). Prints a JSON report of what
// keystamp computed for the inputs in cases.json; the test checks every value.
const keystamp = require('keystamp');
const { authHeaders, kiiexSignature } = keystamp;

// Quick start: the Kiiex AuthenticateUser signature and a provider's headers.
const signature = kiiexSignature({
  apiSecret: 'SECRET_FROM_DASHBOARD', nonce: 1700000000000, userId: 42, apiKey: 'APIKEY_FROM_DASHBOARD',
});
const headers = authHeaders('deltadefi', { apiKey: 'dd_live_key_1' });

// The test's inputs, and a JSON report of what keystamp computed for them.
const cases = require('./cases.json');

Promise.all([import('keystamp'), import('./report.mjs')]).then(([viaImport, { report }]) => {
  console.log(JSON.stringify({
    ...report(keystamp, cases),
    quickStart: { signature, headers },
    // The names `import` and `require` both give as the very same objects (one module instance).
    sharedExports: Object.keys(viaImport).filter((name) => viaImport[name] === keystamp[name]),
  }));
});
