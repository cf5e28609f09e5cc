// A local emulator of the five providers' documented authentication contracts (see the provider
// contracts page of the project). Strict by default: exact header names (case-insensitive, as
// HTTP says), exact values, nothing trimmed, nothing undocumented accepted. Each documented
// variant can be switched on. One node:http server on 127.0.0.1 serves every provider under a
// path prefix; a client is configured with `emu.baseUrls.<provider>` as its base URL.
//
//   import { startEmulator } from './emulator.mjs';
//   let t = Date.UTC(2026, 0, 1);
//   const emu = await startEmulator({ now: () => t });         // the emulator's clock
//   const res = await fetch(`${emu.baseUrls.depay}/auth/token`, { headers: { 'x-api-key': emu.credentials.depay.apiKey } });
//   t += 3600_000;                                              // tokens expire on that clock
//   emu.setVariant('depayExpiresInType', 'number');             // a documented variant
//   emu.failNext('depay', 'auth', { status: 500, body: { statusCode: 500 } }); // failure injection
//   emu.count('depay', 'auth');                                 // requests received (also rejected ones)
//   await emu.close();
//
// Only Node built-ins; no network other than 127.0.0.1. The CLI wrapper is serve.mjs.
import { createServer } from 'node:http';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** Request bodies larger than this are answered 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The credentials an emulator starts with (a fresh copy each call). */
export function defaultCredentials() {
  return {
    defindex: { apiKey: 'sk_test_defindex_0001', email: 'dev@example.com', password: 'correct horse battery staple' },
    deltadefi: { apiKey: 'dd_test_key_0001' },
    adjutor: { apiKey: 'adj_test_key_0001' },
    depay: { apiKey: 'depay_test_key_0001' },
    kiiex: { apiKey: '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7', apiSecret: 'd2f5a1c3b4e6f7089a1b2c3d4e5f6a7b', userId: '184' },
  };
}

/** Every variant with its allowed values; the first value is the default (the strict form). */
export const VARIANTS = Object.freeze({
  defindexRefreshShape: ['spec', 'postman'], // refresh answer {username, role, access_token, refresh_token} | {jwt, refreshToken}
  defindexRefreshRejectStatus: [403, 401], // status of a rejected refresh (spec | docs)
  defindexAccountDisabled: [false, true], // login answers 403 "disabled account" even with good credentials
  depayForbiddenBody: ['current', 'legacy'], // 403 body {"statusCode":403,...} | {"statusCode":401,...}
  depayExpiresInType: ['string', 'number'], // "3600" | 3600
  depayExpiresIn: undefined, // any value sent verbatim as expiresIn (e.g. "abc"); undefined = from the lifetime
  kiiexResponseCase: ['pascal', 'camel', 'lower'], // Authenticated/SessionToken | authenticated/sessionToken | authenticated/sessiontoken
  kiiexRejectReusedNonce: [false, true], // a nonce seen in an earlier well-signed AuthenticateUser is refused
});

/** The route names of each provider, as used by failNext, count and the request log. */
export const ROUTES = Object.freeze({
  defindex: ['login', 'refresh', 'generateKey', 'listKeys', 'revokeKey', 'api'],
  deltadefi: ['rotate', 'api'],
  adjutor: ['api'],
  depay: ['auth', 'api'],
  kiiex: ['auth', 'api'],
});

/** `'auth'` names each provider's auth endpoint: DeFindex login, DeltaDeFi rotation. */
const AUTH_ROUTE = { defindex: 'login', deltadefi: 'rotate', depay: 'auth', kiiex: 'auth' };

/** Path prefix of each provider on the emulator (the part of its base URL after the origin). */
const PREFIXES = { defindex: '/defindex', deltadefi: '/deltadefi', adjutor: '/adjutor/v2', depay: '/depay', kiiex: '/kiiex/ap' };

// --- small helpers -------------------------------------------------------------------------------

/** A JSON answer. */
const answer = (status, body) => ({ status, body });
const notFound = () => answer(404, { statusCode: 404, message: 'Not Found' });
const randomHex = (bytes) => randomBytes(bytes).toString('hex');
const seconds = (ms) => Math.floor(ms / 1000);

/** The value of header `name` when it was sent exactly once; undefined when absent or repeated. */
function single(ctx, name) {
  const values = ctx.distinct[name];
  return values !== undefined && values.length === 1 ? values[0] : undefined;
}

/** The token of `Authorization: Bearer <token>` (exact scheme spelling, one space, non-empty). */
function bearer(ctx) {
  const value = single(ctx, 'authorization');
  return value !== undefined && value.startsWith('Bearer ') && value.length > 7 ? value.slice(7) : undefined;
}

/** True when the request declares a JSON body (`application/json`, optionally `; charset=utf-8`). */
function declaresJson(ctx) {
  const value = single(ctx, 'content-type');
  return value !== undefined && /^application\/json(;[ \t]*charset=utf-8)?$/i.test(value);
}

/** A JSON object body (not an array, not a scalar), or undefined. */
function parseJsonObject(text) {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** True when `obj` has every key of `required`, no key outside `required` + `optional`, all strings. */
function stringFields(obj, required, optional = []) {
  if (obj === undefined) return false;
  const keys = Object.keys(obj);
  return required.every((k) => keys.includes(k))
    && keys.every((k) => (required.includes(k) || optional.includes(k)) && typeof obj[k] === 'string');
}

/** Constant-time string equality. */
function sameString(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** HS256 JWT signing and verification with the emulator's own secret. */
function jwtCodec() {
  const secret = randomBytes(32);
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const mac = (data) => createHmac('sha256', secret).update(data).digest('base64url');
  return {
    sign(payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${header}.${body}.${mac(`${header}.${body}`)}`;
    },
    /** The payload of a token this emulator signed, or undefined (malformed or forged). */
    verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== header || !sameString(parts[2], mac(`${parts[0]}.${parts[1]}`))) return undefined;
      return parseJsonObject(Buffer.from(parts[1], 'base64url').toString('utf8'));
    },
  };
}

/** Reads the whole body (keeping at most MAX_BODY_BYTES + 1 bytes) and its real size. */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1).toString('utf8'), size };
}

function checkVariant(name, value) {
  if (!Object.hasOwn(VARIANTS, name)) throw new Error(`unknown emulator variant: ${name}`);
  const allowed = VARIANTS[name];
  if (allowed !== undefined && !allowed.includes(value)) throw new Error(`variant ${name} takes ${allowed.map((v) => JSON.stringify(v)).join(' | ')}`);
}

function checkRoute(provider, route) {
  if (!Object.hasOwn(ROUTES, provider)) throw new Error(`unknown provider: ${provider}`);
  if (route === 'auth' ? AUTH_ROUTE[provider] === undefined : !ROUTES[provider].includes(route)) {
    throw new Error(`unknown route ${route} for ${provider}`);
  }
}

// --- DeFindex ------------------------------------------------------------------------------------
// sk_ keys or access JWTs as Bearer; login with email/password; single-use refresh tokens; key
// management with an access JWT.
function defindex(env) {
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

  function issuePair() {
    const iat = seconds(env.now());
    const sub = env.credentials.defindex.email;
    const access = { sub, type: 'access', iat, exp: iat + env.lifetimes.defindexAccess, jti: randomUUID() };
    const refresh = { sub, type: 'refresh', iat, exp: iat + env.lifetimes.defindexRefresh, jti: randomUUID() };
    liveAccess.add(access.jti);
    unusedRefresh.add(refresh.jti);
    return { access: jwt.sign(access), refresh: jwt.sign(refresh) };
  }

  /** The payload of a valid token of `type` (signed here, unexpired on the emulator clock). */
  function validJwt(token, type) {
    const payload = token === undefined ? undefined : jwt.verify(token);
    if (payload?.type !== type || !Number.isInteger(payload.exp) || payload.exp * 1000 <= env.now()) return undefined;
    return payload;
  }
  const accessOk = (ctx) => liveAccess.has(validJwt(bearer(ctx), 'access')?.jti);

  const handlers = {
    login(ctx) {
      const body = declaresJson(ctx) ? parseJsonObject(ctx.body) : undefined;
      if (!stringFields(body, ['email', 'password'])) return badRequest();
      const c = env.credentials.defindex;
      if (body.email !== c.email || body.password !== c.password) return answer(403, { statusCode: 403, message: 'Invalid credentials' });
      if (env.variants.defindexAccountDisabled) return answer(403, { statusCode: 403, message: 'Account disabled' });
      const { access, refresh } = issuePair();
      return answer(200, { ...account(), access_token: access, refresh_token: refresh });
    },
    refresh(ctx) {
      const payload = validJwt(bearer(ctx), 'refresh');
      if (!unusedRefresh.has(payload?.jti)) {
        const status = env.variants.defindexRefreshRejectStatus;
        return answer(status, { statusCode: status, message: 'Invalid or expired refresh token' });
      }
      unusedRefresh.delete(payload.jti); // single-use
      const { access, refresh } = issuePair();
      return answer(200, env.variants.defindexRefreshShape === 'postman'
        ? { jwt: access, refreshToken: refresh }
        : { ...account(), access_token: access, refresh_token: refresh });
    },
    generateKey(ctx) {
      if (!accessOk(ctx)) return unauthorized();
      let name = null;
      if (ctx.body !== '') { // optional JSON {"name"}
        const body = declaresJson(ctx) ? parseJsonObject(ctx.body) : undefined;
        if (!stringFields(body, [], ['name'])) return badRequest();
        name = body.name ?? null;
      }
      const key = `sk_test_${randomHex(16)}`;
      return answer(200, { key, id: addKey(key, name) });
    },
    listKeys(ctx) {
      if (!accessOk(ctx)) return unauthorized();
      return answer(200, [...keys].filter(([, k]) => !k.revoked)
        .map(([key, k]) => ({ id: k.id, name: k.name, key, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt })));
    },
    revokeKey(ctx) {
      if (!accessOk(ctx)) return unauthorized();
      const id = ctx.path.split('/')[2];
      const body = declaresJson(ctx) ? parseJsonObject(ctx.body) : undefined;
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

// --- DeltaDeFi -----------------------------------------------------------------------------------
// X-API-KEY; GET /accounts/new-api-key replaces the key, the old one dies at once.
function deltadefi(env) {
  const unauthorized = () => answer(401, { error: 'unauthorized', code: 4010 });
  const keyOk = (ctx) => single(ctx, 'x-api-key') === env.credentials.deltadefi.apiKey;
  const handlers = {
    rotate(ctx) {
      if (!keyOk(ctx)) return unauthorized();
      env.credentials.deltadefi.apiKey = `dd_test_key_${randomHex(16)}`;
      return answer(200, { api_key: env.credentials.deltadefi.apiKey, created_at: new Date(env.now()).toISOString() });
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

// --- Adjutor -------------------------------------------------------------------------------------
// A static Bearer key; "Reset app key" (resetKey) revokes it at once.
function adjutor(env) {
  return {
    classify: () => 'api',
    handle(route, ctx) {
      if (bearer(ctx) !== env.credentials.adjutor.apiKey) return answer(401, { status: 'error', message: 'Unauthorized' });
      return answer(200, { ok: true, provider: 'adjutor', method: ctx.method, path: ctx.path });
    },
    resetKey() {
      env.credentials.adjutor.apiKey = `adj_test_key_${randomHex(16)}`;
      return env.credentials.adjutor.apiKey;
    },
  };
}

// --- DePay ---------------------------------------------------------------------------------------
// GET /auth/token with x-api-key -> {expiresIn (string), accessToken, refreshToken}; calls under
// /v2/ with the access token as Bearer until it expires on the emulator clock.
function depay(env) {
  const jwt = jwtCodec();
  const accessTokens = new Map(); // accessToken -> expiresAtMs (server-side truth)
  // The docs' example JWTs claim another lifetime than expiresIn; the emulator does the same, so
  // a client that reads `exp` instead of `expiresIn` is caught.
  const CLAIMED_LIFETIME_SEC = 86400;

  /** expiresIn as sent, and the lifetime the server enforces. */
  function expiry() {
    const override = env.variants.depayExpiresIn;
    if (override === undefined) {
      const sec = env.lifetimes.depay;
      return { expiresIn: env.variants.depayExpiresInType === 'number' ? sec : String(sec), lifetimeSec: sec };
    }
    // An override is sent verbatim; when it is a plain number the server enforces it too.
    const numeric = (typeof override === 'number' && Number.isFinite(override)) || (typeof override === 'string' && /^\d+$/.test(override));
    return { expiresIn: override, lifetimeSec: numeric ? Number(override) : env.lifetimes.depay };
  }

  const handlers = {
    auth(ctx) {
      if (single(ctx, 'x-api-key') !== env.credentials.depay.apiKey) {
        return answer(403, env.variants.depayForbiddenBody === 'legacy'
          ? { statusCode: 401, message: 'Unauthorized' }
          : { statusCode: 403, message: 'Forbidden resource' });
      }
      const { expiresIn, lifetimeSec } = expiry();
      const iat = seconds(env.now());
      const claims = { sub: 'depay-merchant', iat, exp: iat + CLAIMED_LIFETIME_SEC };
      const accessToken = jwt.sign({ ...claims, type: 'access', jti: randomUUID() });
      const refreshToken = jwt.sign({ ...claims, type: 'refresh', jti: randomUUID() });
      accessTokens.set(accessToken, env.now() + lifetimeSec * 1000);
      return answer(200, { expiresIn, accessToken, refreshToken });
    },
    api(ctx) {
      const token = bearer(ctx);
      const expiresAt = token === undefined ? undefined : accessTokens.get(token);
      if (expiresAt === undefined || expiresAt <= env.now()) return answer(401, { statusCode: 401, message: 'Unauthorized' });
      return answer(200, { ok: true, provider: 'depay', method: ctx.method, path: ctx.path });
    },
  };
  return {
    classify(method, path) {
      if (path === '/auth/token') return method === 'GET' ? 'auth' : null;
      return path.startsWith('/v2/') ? 'api' : null;
    },
    handle: (route, ctx) => handlers[route](ctx),
    revokeTokens: () => accessTokens.clear(),
  };
}

// --- Kiiex (AlphaPoint APEX) ---------------------------------------------------------------------
// AuthenticateUser with an HMAC-SHA256 signature, as headers (GET or POST) or as a JSON body;
// later calls carry `aptoken`; a session dies after kiiexIdleMs without a successful call.
function kiiex(env) {
  const sessions = new Map(); // SessionToken -> last activity (ms, emulator clock)
  const seenNonces = new Set();
  const AUTH_HEADERS = ['apikey', 'signature', 'userid', 'nonce'];
  const FIELDS = ['APIKey', 'Signature', 'UserId', 'Nonce'];
  const badRequest = () => answer(400, { result: false, errormsg: 'Invalid Request', errorcode: 100 });
  const notAuthorized = () => answer(401, { result: false, errormsg: 'Not Authorized', errorcode: 20 });

  /** Top-level field names spelled per the kiiexResponseCase variant (errormsg is always lower). */
  function spell(obj) {
    const rename = {
      pascal: (k) => k,
      camel: (k) => k[0].toLowerCase() + k.slice(1),
      lower: (k) => k.toLowerCase(),
    }[env.variants.kiiexResponseCase];
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [rename(k), v]));
  }

  /** The four fields and the form, or undefined for a request in no documented form (400). */
  function authFields(ctx) {
    if (AUTH_HEADERS.some((h) => ctx.distinct[h] !== undefined)) {
      // (a) headers, GET or POST, no body.
      const values = AUTH_HEADERS.map((h) => single(ctx, h));
      if (values.some((v) => v === undefined || v === '') || ctx.body !== '') return undefined;
      return { form: 'headers', fields: Object.fromEntries(FIELDS.map((f, i) => [f, values[i]])) };
    }
    // (b) JSON body, POST only, all strings, optional UserName.
    if (ctx.method !== 'POST' || !declaresJson(ctx)) return undefined;
    const body = parseJsonObject(ctx.body);
    if (!stringFields(body, FIELDS, ['UserName']) || FIELDS.some((f) => body[f] === '')) return undefined;
    return { form: 'json', fields: body };
  }

  const handlers = {
    auth(ctx) {
      const request = authFields(ctx);
      if (request === undefined) return badRequest();
      const { APIKey, Signature, UserId, Nonce } = request.fields;
      const c = env.credentials.kiiex;
      const expected = createHmac('sha256', c.apiSecret).update(Nonce + UserId + APIKey, 'utf8').digest('hex');
      let ok = sameString(APIKey, c.apiKey) && UserId === c.userId && sameString(Signature, expected);
      if (ok) {
        if (env.variants.kiiexRejectReusedNonce && seenNonces.has(Nonce)) ok = false;
        seenNonces.add(Nonce);
      }
      if (!ok) {
        // Form (a) reports the failure in a 200 answer; form (b) with 401 (per the contracts).
        return answer(request.form === 'json' ? 401 : 200, spell({ Authenticated: false, errormsg: 'Invalid API key or signature' }));
      }
      const sessionToken = randomUUID();
      sessions.set(sessionToken, env.now());
      const userId = /^\d+$/.test(c.userId) ? Number(c.userId) : c.userId;
      return answer(200, spell({
        Authenticated: true,
        SessionToken: sessionToken,
        User: { UserId: userId, UserName: 'dev', Email: 'dev@example.com', EmailVerified: true, AccountId: 1, OMSId: 1, Use2FA: false },
        Locked: false,
        Requires2FA: false,
      }));
    },
    api(ctx) {
      const token = single(ctx, 'aptoken');
      const last = token === undefined ? undefined : sessions.get(token);
      if (last === undefined) return notAuthorized();
      if (env.now() - last >= env.kiiexIdleMs) {
        sessions.delete(token);
        return notAuthorized();
      }
      sessions.set(token, env.now()); // activity keeps the session alive
      return answer(200, { ok: true, provider: 'kiiex', method: ctx.method, path: ctx.path });
    },
  };
  return {
    classify(method, path) {
      if (method !== 'GET' && method !== 'POST') return null;
      if (path === '/AuthenticateUser') return 'auth';
      return /^\/[A-Za-z][A-Za-z0-9]*$/.test(path) ? 'api' : null; // <base>/<FunctionName>
    },
    handle: (route, ctx) => handlers[route](ctx),
    revokeTokens: () => sessions.clear(),
  };
}

// --- the server ----------------------------------------------------------------------------------

/**
 * Starts the emulator on 127.0.0.1.
 * @param {object} [options]
 * @param {number} [options.port=0] 0 = a random free port
 * @param {() => number} [options.now] the emulator's clock in ms (default Date.now)
 * @param {object} [options.credentials] partial overrides, per provider
 * @param {{depay?: number, defindexAccess?: number, defindexRefresh?: number}} [options.tokenLifetimeSec]
 * @param {number} [options.kiiexIdleMs=3600000] Kiiex session idle limit
 * @param {number} [options.dateSkewMs=0] the Date header reads now() + dateSkewMs
 * @param {object} [options.variants] initial variants (see VARIANTS)
 */
export async function startEmulator(options = {}) {
  const credentials = defaultCredentials();
  for (const [provider, overrides] of Object.entries(options.credentials ?? {})) {
    if (!Object.hasOwn(credentials, provider)) throw new Error(`unknown provider: ${provider}`);
    Object.assign(credentials[provider], overrides);
  }
  const variants = Object.fromEntries(Object.entries(VARIANTS).map(([name, values]) => [name, values?.[0]]));
  for (const [name, value] of Object.entries(options.variants ?? {})) {
    checkVariant(name, value);
    variants[name] = value;
  }
  let now = options.now ?? (() => Date.now());
  let dateSkewMs = options.dateSkewMs ?? 0;
  const env = {
    now: () => now(),
    credentials,
    variants,
    lifetimes: { depay: 3600, defindexAccess: 3600, defindexRefresh: 86400, ...options.tokenLifetimeSec },
    kiiexIdleMs: options.kiiexIdleMs ?? 3600_000,
  };
  const providers = { defindex: defindex(env), deltadefi: deltadefi(env), adjutor: adjutor(env), depay: depay(env), kiiex: kiiex(env) };

  const requests = [];
  const failures = []; // { provider, route, spec, left }, consumed first in, first out
  const timers = new Map(); // pending failNext delays -> their resolve

  /** The provider whose prefix `path` falls under, and the path relative to its base URL. */
  function locate(path) {
    for (const [name, prefix] of Object.entries(PREFIXES)) {
      if (path === prefix || path.startsWith(`${prefix}/`)) return { name, rel: path.slice(prefix.length) || '/' };
    }
    return undefined;
  }

  /** Takes one pending injected failure for this provider and route, if any. */
  function takeFailure(provider, route) {
    const index = failures.findIndex((f) => f.provider === provider && (f.route === route || (f.route === 'auth' && AUTH_ROUTE[provider] === route)));
    if (index < 0) return undefined;
    const failure = failures[index];
    if (--failure.left <= 0) failures.splice(index, 1);
    return failure.spec;
  }

  const delay = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
    timers.set(timer, resolve);
  });

  function send(res, reply) {
    const headers = { 'content-type': 'application/json', date: new Date(now() + dateSkewMs).toUTCString(), ...reply.headers };
    const text = reply.rawBody ?? (reply.status === 204 || reply.status === 304 ? '' : JSON.stringify(reply.body));
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  async function onRequest(req, res) {
    const { text: body, size } = await readBody(req);
    const path = req.url.split('?')[0]; // the raw path: no dot-segment or percent normalization
    const place = locate(path);
    const entry = { provider: place?.name ?? null, route: null, method: req.method, path, headers: { ...req.headers }, body, status: 0, at: now() };
    requests.push(entry);
    let reply;
    if (place !== undefined) entry.route = providers[place.name].classify(req.method, place.rel);
    if (size > MAX_BODY_BYTES) {
      reply = answer(413, { statusCode: 413, message: 'Payload Too Large' });
    } else if (entry.route === null) {
      reply = notFound();
    } else {
      const failure = takeFailure(place.name, entry.route);
      if (failure?.delayMs) await delay(failure.delayMs);
      if (failure?.status !== undefined) {
        reply = { status: failure.status, body: failure.body ?? {}, rawBody: failure.rawBody, headers: failure.headers };
      } else {
        // Decided when answered: a delayed request sees the state of that moment.
        const ctx = { method: req.method, path: place.rel, distinct: req.headersDistinct, body };
        reply = providers[place.name].handle(entry.route, ctx);
      }
    }
    entry.status = reply.status;
    send(res, reply);
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, answer(500, { statusCode: 500, message: 'Emulator error' }));
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  let closing;

  return {
    url,
    baseUrls: Object.fromEntries(Object.entries(PREFIXES).map(([name, prefix]) => [name, url + prefix])),
    /** The currently valid credentials (live: rotation and resetKey change them). */
    credentials,
    /** Every request received, in arrival order. */
    requests,
    /** A copy of the current variants. */
    get variants() { return { ...variants }; },
    setNow(fn) { now = fn; },
    setDateSkew(ms) { dateSkewMs = ms; },
    setVariant(name, value) {
      checkVariant(name, value);
      variants[name] = value;
    },
    /** The next `times` requests to the route get `{status, body | rawBody, headers}`, after `delayMs`. */
    failNext(provider, route, spec = {}) {
      checkRoute(provider, route);
      const times = spec.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new Error('failNext: times must be a positive integer');
      failures.push({ provider, route, spec, left: times });
    },
    /** Invalidates every current access/session token of the provider on the server side. */
    revokeTokens(provider) {
      const revoke = providers[provider]?.revokeTokens;
      if (revoke === undefined) throw new Error(`${provider} has no tokens to revoke (static keys: resetKey or rotation)`);
      revoke();
    },
    /** Adjutor's dashboard "Reset app key": a new key, the old one rejected at once. Returns the new key. */
    resetKey(provider) {
      if (provider !== 'adjutor') throw new Error('only Adjutor keys are reset from the dashboard');
      return providers.adjutor.resetKey();
    },
    /** Requests received (rejected ones too), for a provider and optionally one route ('auth' = its auth endpoint). */
    count(provider, route) {
      if (provider === undefined) return requests.length;
      if (route !== undefined) checkRoute(provider, route);
      const wanted = route === 'auth' ? AUTH_ROUTE[provider] : route;
      return requests.filter((r) => r.provider === provider && (wanted === undefined || r.route === wanted)).length;
    },
    /** Clears the request log, the counters and pending injected failures (not credentials, variants or tokens). */
    reset() {
      requests.length = 0;
      failures.length = 0;
    },
    close() {
      closing ??= new Promise((resolve) => {
        for (const [timer, resolveDelay] of timers) { clearTimeout(timer); resolveDelay(); }
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
