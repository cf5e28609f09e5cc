// Worker A of the fleet test: the Durable Object class lives here (README "Fleets").
import { TokenObject, tokenHeaders, KeystampError } from 'keystamp/cloudflare';
import { callDepay } from './call.js';

/** One DePay credential for every isolate: its Client lives in this Durable Object. */
export class DepayTokens extends TokenObject {
  clientOptions(env) {
    return { provider: 'depay', baseUrl: env.DEPAY_BASE_URL, apiKey: env.DEPAY_API_KEY };
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/b/')) return env.B.fetch(request);
    if (pathname === '/a/call') return callDepay('a', request, env, tokenHeaders, KeystampError);
    return new Response('not found', { status: 404 });
  },
};
