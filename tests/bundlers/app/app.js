// A browser app that uses keystamp as the README says: `import … from 'keystamp'`, no init(), no
// bundler setting. It signs the five Kiiex vectors as soon as the module runs (the WebAssembly
// module must be ready at import), then calls Kiiex through keystamp's Client: the test's server
// forwards /kiiex/ to the provider emulator. The JSON report goes into #report.
import { Client, KeystampError, kiiexSignature } from 'keystamp';
import cases from './cases.js';

const signatures = cases.vectors.map((v) => kiiexSignature(v));

async function callKiiex() {
  const client = new Client({ provider: 'kiiex', baseUrl: new URL('/kiiex/ap', location.href).href, ...cases.kiiex });
  const res = await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
  return { status: res.status, body: await res.json() };
}

const show = (report) => { document.querySelector('#report').textContent = JSON.stringify(report); };
callKiiex().then(
  (client) => show({ signatures, client }),
  (err) => show({ signatures, error: { keystamp: err instanceof KeystampError, name: err.name, code: err.code, message: err.message } }),
);
