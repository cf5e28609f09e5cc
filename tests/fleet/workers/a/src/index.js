// Worker A of the fleet test: the Durable Object class lives here (README "Fleets").
import { TokenObject, tokenHeaders, KeystampError } from 'keystamp/cloudflare';
import { callDepay } from './call.js';

/** One DePay credential for every isolate: its Client lives in this Durable Object. */
export class DepayTokens extends TokenObject {
  clientOptions(env) {
    return { provider: 'depay', baseUrl: env.DEPAY_BASE_URL, apiKey: env.DEPAY_API_KEY };
  }

  /** For the test only: what this object keeps in its storage, bytes in base64. */
  async dump() {
    const out = {};
    for (const [key, value] of await this.ctx.storage.list()) {
      out[key] = { ...value, bytes: value.bytes === undefined ? undefined : btoa(String.fromCharCode(...value.bytes)) };
    }
    return out;
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/b/')) return env.B.fetch(request);
    if (pathname === '/a/call') return callDepay('a', request, env, tokenHeaders, KeystampError);
    if (pathname === '/a/dump') return Response.json(await env.DEPAY_TOKENS.get(env.DEPAY_TOKENS.idFromName('default')).dump());
    return new Response('not found', { status: 404 });
  },
};
