// DeltaDeFi: `X-API-KEY`; `GET /accounts/new-api-key` replaces the key and the old one dies at
// once. Errors are `{"error", "code"}` (4010 unauthorized); failNext(…, deltadefiError(4290)) and
// friends give the other documented codes on demand.
import { answer, randomHex, single } from './common.js';

export function deltadefi(env) {
  const unauthorized = () => answer(401, { error: 'unauthorized', code: 4010 });
  const keyOk = (ctx) => single(ctx, 'x-api-key') === env.credentials.deltadefi.apiKey;

  /** The rotation answer; created_at as the deltadefiCreatedAt variant says (it is optional). */
  function rotated(apiKey) {
    const createdAt = {
      iso: new Date(env.now()).toISOString(),
      null: null,
      number: env.now(),
    }[env.variants.deltadefiCreatedAt];
    return createdAt === undefined ? { api_key: apiKey } : { api_key: apiKey, created_at: createdAt };
  }

  const handlers = {
    rotate(ctx) {
      if (!keyOk(ctx)) return unauthorized();
      env.credentials.deltadefi.apiKey = `dd_test_key_${randomHex(16)}`;
      return answer(200, rotated(env.credentials.deltadefi.apiKey));
    },
    api(ctx) {
      if (!keyOk(ctx)) return unauthorized();
      return answer(200, { ok: true, provider: 'deltadefi', method: ctx.method, path: ctx.path });
    },
  };
  return {
    classify: (method, path) => (path === '/accounts/new-api-key' ? (method === 'GET' ? 'rotate' : null) : 'api'),
    handle: (route, ctx) => handlers[route](ctx),
  };
}
