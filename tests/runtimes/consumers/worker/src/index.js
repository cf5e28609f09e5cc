// A Cloudflare Worker using keystamp. Routes:
//   POST /kiiex-signature  {apiSecret, nonce, userId, apiKey}  -> {signature}
//   POST /auth-headers     {provider, credentials}             -> the provider's headers
//   POST /lite/kiiex-signature, POST /lite/auth-headers           -> the same through keystamp/lite
//   GET  /deltadefi/<path>  forwards to DeltaDeFi with the X-API-KEY header
//   GET  /kiiex/<Function>  calls Kiiex through keystamp's Client (AuthenticateUser once)
// A KeystampError becomes a JSON error with its code; nothing secret is ever in it.
import { Client, KeystampError, authHeaders, kiiexSignature } from 'keystamp';
import * as lite from 'keystamp/lite';

export default {
  async fetch(request, env) {
    try {
      return await route(request, env);
    } catch (err) {
      if (!(err instanceof KeystampError || err instanceof lite.KeystampError)) throw err;
      const { code, provider, status, field } = err;
      return Response.json({ error: { code, provider, status, field } }, { status: status ? 502 : 400 });
    }
  },
};

async function route(request, env) {
  const url = new URL(request.url);
  const [, first, ...rest] = url.pathname.split('/');
  const target = rest.join('/');

  if (request.method === 'POST' && url.pathname === '/kiiex-signature') {
    return Response.json({ signature: kiiexSignature(await request.json()) });
  }
  if (request.method === 'POST' && url.pathname === '/auth-headers') {
    const { provider, credentials } = await request.json();
    return Response.json(authHeaders(provider, credentials));
  }
  if (request.method === 'POST' && url.pathname === '/lite/kiiex-signature') {
    return Response.json({ signature: lite.kiiexSignature(await request.json()) });
  }
  if (request.method === 'POST' && url.pathname === '/lite/auth-headers') {
    const { provider, credentials } = await request.json();
    return Response.json(lite.authHeaders(provider, credentials));
  }
  if (request.method === 'GET' && first === 'deltadefi') {
    const headers = authHeaders('deltadefi', { apiKey: env.DELTADEFI_API_KEY });
    const answer = await fetch(`${env.DELTADEFI_BASE_URL}/${target}`, { headers });
    return new Response(answer.body, { status: answer.status, headers: { 'content-type': 'application/json' } });
  }
  if (request.method === 'GET' && first === 'kiiex') {
    const answer = await kiiex(env).fetch(target, { method: 'POST', body: '{}' });
    return new Response(answer.body, { status: answer.status, headers: { 'content-type': 'application/json' } });
  }
  return Response.json({ error: { code: 'not_found' } }, { status: 404 });
}

// One Client per isolate keeps the Kiiex session across requests. Concurrent requests share its one
// in-flight AuthenticateUser, each waiting with its own deadline.
let kiiexClient;
function kiiex(env) {
  kiiexClient ??= new Client({
    provider: 'kiiex',
    baseUrl: env.KIIEX_BASE_URL,
    apiKey: env.KIIEX_API_KEY,
    apiSecret: env.KIIEX_API_SECRET,
    userId: env.KIIEX_USER_ID,
  });
  return kiiexClient;
}
