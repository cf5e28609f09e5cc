// Worker B of the fleet test: no credential here, only the binding to Worker A's namespace.
import { tokenHeaders, KeystampError } from 'keystamp/cloudflare';
import { callDepay } from '../../a/src/call.js';

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/b/call') return callDepay('b', request, env, tokenHeaders, KeystampError);
    return new Response('not found', { status: 404 });
  },
};
