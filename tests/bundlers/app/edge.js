// An Edge Function for Vercel's edge-runtime (a `fetch` event listener in a Web-API VM):
//   GET /signatures        the five vectors through kiiexSignature
//   GET /kiiex?base=URL    GetUserInfo through keystamp's Client (AuthenticateUser first)
import { Client, kiiexSignature } from 'keystamp';
import cases from './cases.js';

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  const url = new URL(request.url);
  if (url.pathname === '/signatures') return Response.json({ signatures: cases.vectors.map((v) => kiiexSignature(v)) });
  if (url.pathname === '/kiiex') {
    const client = new Client({ provider: 'kiiex', baseUrl: url.searchParams.get('base'), ...cases.kiiex });
    const res = await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
    return Response.json({ status: res.status, body: await res.json() });
  }
  return new Response('not found', { status: 404 });
}
