// DeFindex: `sk_` keys or access JWTs as Bearer; login with email/password; single-use refresh
// tokens; API key management with an access JWT.
import { randomUUID } from 'node:crypto';
import { answer, bearer, declaresJson, emptyJsonObject, jsonBody, jwtCodec, randomHex, seconds, single, stringFields } from './common.js';

/** How a key is shown in a list: truncated (the contract says list entries carry a truncated key). */
export const truncateKey = (key) => `${key.slice(0, 10)}...${key.slice(-4)}`;

export function defindex(env) {
  const jwt = jwtCodec();
  const liveAccess = new Set(); // jti of access tokens not revoked
  const unusedRefresh = new Set(); // jti of refresh tokens not yet used
  const keys = new Map(); // key -> { id, name, createdAt, lastUsedAt, revoked }
  let keySeq = 0;
  const addKey = (key, name) => {
    const id = `key_${keySeq++}`;
    keys.set(key, { id, name, createdAt: new Date(env.now()).toISOString(), lastUsedAt: null, revoked: false });
    return id;
  };
  addKey(env.credentials.defindex.apiKey, 'default');

  const unauthorized = () => answer(401, { statusCode: 401, message: 'Unauthorized' });
  const badRequest = () => answer(400, { statusCode: 400, message: 'Bad Request' });
  const account = () => ({ username: env.credentials.defindex.email.split('@')[0], role: 'user' });

  /** A new access/refresh pair; `lifetimeSec` (failNext tokenLifetimeSec) overrides the access lifetime. */
  function issuePair(lifetimeSec) {
    const iat = seconds(env.now());
    const sub = env.credentials.defindex.email;
    const access = { sub, type: 'access', iat, exp: iat + (lifetimeSec ?? env.lifetimes.defindexAccess), jti: randomUUID() };
    const refresh = { sub, type: 'refresh', iat, exp: iat + env.lifetimes.defindexRefresh, jti: randomUUID() };
    liveAccess.add(access.jti);
    unusedRefresh.add(refresh.jti);
    return { access: jwt.sign(access), refresh: jwt.sign(refresh) };
  }

  /** The login or refresh answer in the shape the variant names. */
  function shaped(shape, { access, refresh }) {
    if (shape === 'postman') return { jwt: access, refreshToken: refresh };
    if (shape === 'camel') return { accessToken: access, refreshToken: refresh };
    return { ...account(), access_token: access, refresh_token: refresh };
  }

  /** The payload of a valid token of `type` (signed here, unexpired on the emulator clock). */
  function validJwt(token, type) {
    const payload = token === undefined ? undefined : jwt.verify(token);
    if (payload?.type !== type || !Number.isInteger(payload.exp) || payload.exp * 1000 <= env.now()) return undefined;
    return payload;
  }
  const accessOk = (ctx) => liveAccess.has(validJwt(bearer(ctx), 'access')?.jti);

  /** The refresh body forms: none, the SDK's `{}`, or Postman's urlencoded `access_token=<JWT>`
   * (a JWT this emulator issued as an access token; it may have expired: that is why one refreshes). */
  function refreshBodyOk(ctx) {
    if (ctx.body === '') return true;
    if (declaresJson(ctx)) return emptyJsonObject(ctx);
    if (!/^application\/x-www-form-urlencoded(;[ \t]*charset=utf-8)?$/i.test(single(ctx, 'content-type') ?? '')) return false;
    const form = new URLSearchParams(ctx.body);
    const names = [...form.keys()];
    return names.length === 1 && names[0] === 'access_token' && jwt.verify(form.get('access_token'))?.type === 'access';
  }

  const handlers = {
    login(ctx) {
      const body = jsonBody(ctx);
      if (!stringFields(body, ['email', 'password'])) return badRequest();
      const c = env.credentials.defindex;
      if (body.email !== c.email || body.password !== c.password) return answer(403, { statusCode: 403, message: 'Invalid credentials' });
      if (env.variants.defindexAccountDisabled) return answer(403, { statusCode: 403, message: 'Account disabled' });
      return answer(200, shaped(env.variants.defindexLoginShape, issuePair(ctx.lifetimeSec)));
    },
    refresh(ctx) {
      if (!refreshBodyOk(ctx)) return badRequest();
      const payload = validJwt(bearer(ctx), 'refresh');
      if (!unusedRefresh.has(payload?.jti)) {
        const status = env.variants.defindexRefreshRejectStatus;
        return answer(status, { statusCode: status, message: 'Invalid or expired refresh token' });
      }
      unusedRefresh.delete(payload.jti); // single-use
      return answer(200, shaped(env.variants.defindexRefreshShape, issuePair(ctx.lifetimeSec)));
    },
    generateKey(ctx) {
      if (!accessOk(ctx)) return unauthorized();
      let name = null;
      if (ctx.body !== '') { // optional JSON {"name"}
        const body = jsonBody(ctx);
        if (!stringFields(body, [], ['name'])) return badRequest();
        name = body.name ?? null;
      }
      const key = `sk_test_${randomHex(16)}`;
      const created = { key, id: addKey(key, name) };
      return answer(200, env.variants.defindexGenerateShape === 'array' ? [created] : created);
    },
    listKeys(ctx) {
      if (!accessOk(ctx)) return unauthorized();
      return answer(env.variants.defindexListStatus, [...keys].filter(([, k]) => !k.revoked)
        .map(([key, k]) => ({ id: k.id, name: k.name, key: truncateKey(key), createdAt: k.createdAt, lastUsedAt: k.lastUsedAt })));
    },
    revokeKey(ctx) {
      if (!accessOk(ctx)) return unauthorized();
      const id = ctx.path.split('/')[2];
      const body = jsonBody(ctx);
      if (!stringFields(body, ['keyId']) || body.keyId !== id) return badRequest();
      const entry = [...keys.values()].find((k) => k.id === id && !k.revoked);
      if (entry === undefined) return answer(404, { statusCode: 404, message: 'API key not found' });
      entry.revoked = true;
      return answer(200, { success: true });
    },
    api(ctx) {
      const token = bearer(ctx);
      const key = token === undefined ? undefined : keys.get(token);
      if (key !== undefined && !key.revoked) {
        key.lastUsedAt = new Date(env.now()).toISOString();
        return answer(200, { ok: true, provider: 'defindex', method: ctx.method, path: ctx.path, auth: 'apiKey' });
      }
      if (accessOk(ctx)) return answer(200, { ok: true, provider: 'defindex', method: ctx.method, path: ctx.path, auth: 'jwt' });
      return unauthorized();
    },
  };

  return {
    classify(method, path) {
      const only = (m, route) => (method === m ? route : null);
      if (path === '/login') return only('POST', 'login');
      if (path === '/refresh') return only('POST', 'refresh');
      if (path === '/api-keys/generate') return only('POST', 'generateKey');
      if (path === '/api-keys') return only('GET', 'listKeys');
      if (/^\/api-keys\/[^/]+\/revoke$/.test(path)) return only('POST', 'revokeKey');
      return 'api'; // any other path, any method
    },
    handle: (route, ctx) => handlers[route](ctx),
    revokeTokens: () => liveAccess.clear(),
  };
}
