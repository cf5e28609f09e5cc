'use client';
// A client page: keystamp is imported as a user would, with no init(). The signatures are
// computed while rendering, so `next build` prerenders them on the server (the Node entry) and
// the browser computes them again (the browser entry); the Client call runs in the browser, at
// /kiiex/ap of the page's origin (the test's server forwards it to the provider emulator).
import { useEffect, useState } from 'react';
import { Client, KeystampError, kiiexSignature } from 'keystamp';
import cases from '../cases.js';

export default function Page() {
  const signatures = cases.vectors.map((v) => kiiexSignature(v));
  const [report, setReport] = useState('');
  useEffect(() => {
    const client = new Client({ provider: 'kiiex', baseUrl: new URL('/kiiex/ap', location.href).href, ...cases.kiiex });
    client.fetch('GetUserInfo', { method: 'POST', body: '{}' }).then(
      async (res) => setReport(JSON.stringify({ signatures, client: { status: res.status, body: await res.json() } })),
      (err) => setReport(JSON.stringify({ signatures, error: { keystamp: err instanceof KeystampError, name: err.name, code: err.code, message: err.message } })),
    );
  }, []);
  return (
    <main>
      <p id="prerendered">{signatures.join(' ')}</p>
      <pre id="report">{report}</pre>
    </main>
  );
}
