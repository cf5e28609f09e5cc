// A local emulator of the five providers' documented auth contracts (strict by default, each
// documented variant on request). One node:http server on 127.0.0.1 serves every provider under
// a path prefix; a test reads `emu.baseUrls.<provider>` and configures a client with it.
//
//   const emu = await startEmulator({ now: clock.now });
//   emu.count('depay', 'auth'); emu.failNext('depay', 'auth', { status: 500 }); await emu.close();
//
// Time is the emulator's own clock (`now`), so tests step it instead of sleeping.
import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';

const MAX_BODY = 1024 * 1024;

const DEFAULT_CREDENTIALS = () => ({
  defindex: { apiKey: 'sk_test_defindex_0001', email: 'dev@example.com', password: 'correct horse battery staple' },
  deltadefi: { apiKey: 'dd_test_key_0001' },
  adjutor: { apiKey: 'adj_test_key_0001' },
  depay: { apiKey: 'depay_test_key_0001' },
  kiiex: { apiKey: '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7', apiSecret: 'd2f5a1c3b4e6f7089a1b2c3d4e5f6a7b', userId: '184' },
});

const DEFAULT_VARIANTS = {
  defindexRefreshShape: 'spec', // 'spec' | 'postman'
  defindexRefreshRejectStatus: 403, // 403 | 401
  depayForbiddenBody: 'current', // 'current' | 'legacy'
  depayExpiresInType: 'string', // 'string' | 'number'
  depayExpiresIn: undefined, // override, e.g. 'abc'
  kiiexResponseCase: 'pascal', // 'pascal' | 'camel' | 'lower'
  kiiexRejectReusedNonce: false,
};

const b64url = (data) => Buffer.from(data).toString('base64url');
const token = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Starts the emulator. See the file comment. */
export async function startEmulator(options = {}) {
  let now = options.now ?? (() => Date.now());
  let dateSkewMs = options.dateSkewMs ?? 0;
  const lifetimes = { depay: 3600, defindexAccess: 3600, defindexRefresh: 86400, ...options.tokenLifetimeSec };
  const kiiexIdleMs = options.kiiexIdleMs ?? 3600_000;
  const credentials = DEFAULT_CREDENTIALS();
  for (const [p, c] of Object.entries(options.credentials ?? {})) Object.assign(credentials[p], c);
  const variants = { ...DEFAULT_VARIANTS, ...options.variants };
  const jwtSecret = randomBytes(32);

  // Server-side state.
  const depayTokens = new Map(); // accessToken -> expiresAtMs
  const defindexAccess = new Map(); // jwt -> expiresAtMs
  const defindexRefresh = new Map(); // jwt -> { expiresAtMs, used }
  const defindexKeys = new Map([[credentials.defindex.apiKey, { id: 'key_0', name: 'default', createdAt: new Date(0).toISOString(), revoked: false }]]);
  const kiiexSessions = new Map(); // token -> lastUsedMs
  const kiiexNonces = new Set();
  const failures = []; // { provider, route, spec, left }
  const requests = [];
  let keySeq = 1;

  const jwt = (type, lifetimeSec) => {
    const iat = Math.floor(now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify({ sub: credentials.defindex.email, type, iat, exp: iat + lifetimeSec, jti: randomBytes(8).toString('hex') }));
    const sig = createHmac('sha256', jwtSecret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${sig}`;
  };

  const json = (status, body) => ({ status, body });
  const bearer = (headers) => {
    const value = headers.authorization;
    return typeof value === 'string' && value.startsWith('Bearer ') ? value.slice(7) : undefined;
  };

  // --- DeFindex ------------------------------------------------------------------------------
  function defindex(method, path, headers, body) {
    const issuePair = () => {
      const access = jwt('access', lifetimes.defindexAccess);
      const refresh = jwt('refresh', lifetimes.defindexRefresh);
      defindexAccess.set(access, now() + lifetimes.defindexAccess * 1000);
      defindexRefresh.set(refresh, { expiresAtMs: now() + lifetimes.defindexRefresh * 1000, used: false });
      return { access, refresh };
    };
    const validJwt = () => {
      const t = bearer(headers);
      return t !== undefined && defindexAccess.has(t) && defindexAccess.get(t) > now();
    };
    if (method === 'POST' && path === '/login') {
      const parsed = parseJson(body);
      if (!parsed || parsed.email !== credentials.defindex.email || parsed.password !== credentials.defindex.password) {
        return ['login', json(403, { message: 'Invalid credentials', statusCode: 403 })];
      }
      const { access, refresh } = issuePair();
      return ['login', json(200, { username: 'dev', role: 'user', access_token: access, refresh_token: refresh })];
    }
    if (method === 'POST' && path === '/refresh') {
      const t = bearer(headers);
      const entry = t && defindexRefresh.get(t);
      if (!entry || entry.used || entry.expiresAtMs <= now()) {
        const status = variants.defindexRefreshRejectStatus;
        return ['refresh', json(status, { message: 'Invalid or expired refresh token', statusCode: status })];
      }
      entry.used = true; // single-use
      const { access, refresh } = issuePair();
      const shape = variants.defindexRefreshShape === 'postman' ? { jwt: access, refreshToken: refresh } : { username: 'dev', role: 'user', access_token: access, refresh_token: refresh };
      return ['refresh', json(200, shape)];
    }
    if (method === 'POST' && path === '/api-keys/generate') {
      if (!validJwt()) return ['generateKey', json(401, { message: 'Unauthorized' })];
      const key = token('sk_test');
      const id = `key_${keySeq++}`;
      defindexKeys.set(key, { id, name: parseJson(body)?.name ?? null, createdAt: new Date(now()).toISOString(), revoked: false });
      return ['generateKey', json(200, { key, id })];
    }
    if (method === 'GET' && path === '/api-keys') {
      if (!validJwt()) return ['listKeys', json(401, { message: 'Unauthorized' })];
      const list = [...defindexKeys].filter(([, k]) => !k.revoked).map(([key, k]) => ({ id: k.id, name: k.name, key, createdAt: k.createdAt, lastUsedAt: null }));
      return ['listKeys', json(200, list)];
    }
    const revoke = path.match(/^\/api-keys\/([\w-]+)\/revoke$/);
    if (method === 'POST' && revoke) {
      if (!validJwt()) return ['revokeKey', json(401, { message: 'Unauthorized' })];
      const entry = [...defindexKeys.values()].find((k) => k.id === revoke[1]);
      if (!entry || parseJson(body)?.keyId !== revoke[1]) return ['revokeKey', json(404, { message: 'Not found' })];
      entry.revoked = true;
      return ['revokeKey', json(200, { success: true })];
    }
    const t = bearer(headers);
    const keyOk = t !== undefined && defindexKeys.has(t) && !defindexKeys.get(t).revoked;
    if (!keyOk && !validJwt()) return ['api', json(401, { message: 'Unauthorized', statusCode: 401 })];
    return ['api', json(200, { ok: true, provider: 'defindex', method, path })];
  }

  // --- DeltaDeFi -----------------------------------------------------------------------------
  function deltadefi(method, path, headers) {
    const ok = headers['x-api-key'] === credentials.deltadefi.apiKey;
    const unauthorized = json(401, { error: 'unauthorized', code: 4010 });
    if (method === 'GET' && path === '/accounts/new-api-key') {
      if (!ok) return ['rotate', unauthorized];
      credentials.deltadefi.apiKey = token('dd_test_key'); // the old key dies at once
      return ['rotate', json(200, { api_key: credentials.deltadefi.apiKey, created_at: new Date(now()).toISOString() })];
    }
    if (!ok) return ['api', unauthorized];
    return ['api', json(200, { ok: true, provider: 'deltadefi', method, path })];
  }

  // --- Adjutor -------------------------------------------------------------------------------
  function adjutor(method, path, headers) {
    if (bearer(headers) !== credentials.adjutor.apiKey) return ['api', json(401, { status: 'error', message: 'Unauthorized' })];
    return ['api', json(200, { status: 'success', provider: 'adjutor', method, path })];
  }

  // --- DePay ---------------------------------------------------------------------------------
  function depay(method, path, headers) {
    if (path === '/auth/token') {
      if (method !== 'GET') return ['auth', json(404, { statusCode: 404, message: 'Not Found' })];
      if (headers['x-api-key'] !== credentials.depay.apiKey) {
        return ['auth', json(403, { statusCode: variants.depayForbiddenBody === 'legacy' ? 401 : 403, message: 'Forbidden resource' })];
      }
      const accessToken = `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify({ n: randomBytes(6).toString('hex') }))}.${b64url(randomBytes(8))}`;
      depayTokens.set(accessToken, now() + lifetimes.depay * 1000);
      const expiresIn = variants.depayExpiresIn ?? (variants.depayExpiresInType === 'number' ? lifetimes.depay : String(lifetimes.depay));
      return ['auth', json(200, { expiresIn, accessToken, refreshToken: token('rt') })];
    }
    if (!path.startsWith('/v2/')) return ['api', json(404, { statusCode: 404, message: 'Not Found' })];
    const t = bearer(headers);
    if (t === undefined || !(depayTokens.get(t) > now())) return ['api', json(401, { statusCode: 401, message: 'Unauthorized' })];
    return ['api', json(200, { ok: true, provider: 'depay', method, path })];
  }

  // --- Kiiex ---------------------------------------------------------------------------------
  function kiiex(method, path, headers, body) {
    const name = path.slice(1);
    if (name === 'AuthenticateUser') {
      let fields;
      let form;
      if (headers.signature !== undefined) {
        form = 'headers';
        fields = { APIKey: headers.apikey, Signature: headers.signature, UserId: headers.userid, Nonce: headers.nonce };
      } else if (method === 'POST') {
        form = 'json';
        fields = parseJson(body);
        if (!fields || !['APIKey', 'Signature', 'UserId', 'Nonce'].every((k) => typeof fields[k] === 'string')) {
          return ['auth', json(400, { result: false, errormsg: 'Invalid Request', errorcode: 100 })];
        }
      } else {
        return ['auth', json(400, { result: false, errormsg: 'Invalid Request', errorcode: 100 })];
      }
      const c = credentials.kiiex;
      const want = createHmac('sha256', c.apiSecret).update(`${fields.Nonce}${fields.UserId}${fields.APIKey}`).digest('hex');
      const reused = variants.kiiexRejectReusedNonce && kiiexNonces.has(fields.Nonce);
      kiiexNonces.add(fields.Nonce);
      if (fields.APIKey !== c.apiKey || fields.UserId !== c.userId || fields.Signature !== want || reused) {
        const fail = caseFields({ Authenticated: false, errormsg: 'Invalid API key or signature' });
        return ['auth', json(form === 'json' ? 401 : 200, fail)];
      }
      const sessionToken = token('ap');
      kiiexSessions.set(sessionToken, now());
      return ['auth', json(200, caseFields({ Authenticated: true, SessionToken: sessionToken, User: { UserId: Number(c.userId), UserName: 'dev' } }))];
    }
    const t = headers.aptoken;
    const last = t === undefined ? undefined : kiiexSessions.get(t);
    if (last === undefined || now() - last >= kiiexIdleMs) return ['api', json(401, { result: false, errormsg: 'Not Authorized', errorcode: 20 })];
    kiiexSessions.set(t, now());
    return ['api', json(200, { result: true, function: name })];
  }

  function caseFields(obj) {
    const rename = { pascal: (k) => k, camel: (k) => k[0].toLowerCase() + k.slice(1), lower: (k) => k.toLowerCase() }[variants.kiiexResponseCase];
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k === 'errormsg' ? k : rename(k), v]));
  }

  const handlers = { defindex, deltadefi, adjutor, depay, kiiex };
  const prefixes = [['/adjutor/v2', 'adjutor'], ['/defindex', 'defindex'], ['/deltadefi', 'deltadefi'], ['/depay', 'depay'], ['/kiiex/ap', 'kiiex']];

  const server = createServer(async (req, res) => {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url, 'http://emulator');
    const match = prefixes.find(([p]) => url.pathname === p || url.pathname.startsWith(`${p}/`));
    const entry = { provider: match?.[1], route: undefined, method: req.method, path: url.pathname, headers: { ...req.headers }, body, status: 0, at: now() };
    requests.push(entry);
    let reply;
    if (size > MAX_BODY) reply = json(413, { message: 'Payload Too Large' });
    else if (!match) reply = json(404, { message: 'Not Found' });
    else {
      const [route, answer] = handlers[match[1]](req.method, url.pathname.slice(match[0].length) || '/', req.headers, body);
      entry.route = route;
      reply = answer;
      const failure = failures.find((f) => f.provider === match[1] && (f.route === route || (f.route === 'auth' && isAuthRoute(match[1], route))) && f.left > 0);
      if (failure) {
        failure.left -= 1;
        if (failure.spec.delayMs) await new Promise((r) => setTimeout(r, failure.spec.delayMs));
        if (failure.spec.status !== undefined) {
          reply = { status: failure.spec.status, body: failure.spec.body ?? {}, raw: failure.spec.rawBody, headers: failure.spec.headers };
        } else {
          // A delayed answer is decided when it is sent: the state may have changed meanwhile.
          reply = handlers[match[1]](req.method, url.pathname.slice(match[0].length) || '/', req.headers, body)[1];
        }
      }
    }
    entry.status = reply.status;
    const text = reply.raw ?? JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', date: new Date(now() + dateSkewMs).toUTCString(), ...reply.headers });
    res.end(text);
  });

  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  return {
    url,
    baseUrls: { defindex: `${url}/defindex`, deltadefi: `${url}/deltadefi`, adjutor: `${url}/adjutor/v2`, depay: `${url}/depay`, kiiex: `${url}/kiiex/ap` },
    credentials,
    requests,
    setNow(fn) { now = fn; },
    setDateSkew(ms) { dateSkewMs = ms; },
    setVariant(name, value) {
      if (!(name in DEFAULT_VARIANTS)) throw new Error(`unknown variant ${name}`);
      variants[name] = value;
    },
    failNext(provider, route, spec = {}) { failures.push({ provider, route, spec, left: spec.times ?? 1 }); },
    revokeTokens(provider) {
      ({ depay: depayTokens, defindex: defindexAccess, kiiex: kiiexSessions })[provider]?.clear();
    },
    resetKey(provider) {
      if (provider !== 'adjutor') throw new Error('only adjutor keys are reset from the dashboard');
      credentials.adjutor.apiKey = token('adj_test_key');
      return credentials.adjutor.apiKey;
    },
    count(provider, route) {
      return requests.filter((r) => r.provider === provider && (route === undefined || r.route === route || (route === 'auth' && isAuthRoute(provider, r.route)))).length;
    },
    reset() { requests.length = 0; failures.length = 0; },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** DeFindex has two auth routes (login, refresh); DeltaDeFi's auth route is the rotation. */
function isAuthRoute(provider, route) {
  return (provider === 'defindex' && (route === 'login' || route === 'refresh')) || (provider === 'deltadefi' && route === 'rotate');
}

function parseJson(text) {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
