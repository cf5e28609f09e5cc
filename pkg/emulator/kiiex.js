// Kiiex (AlphaPoint APEX): `AuthenticateUser` with an HMAC-SHA256 signature, as headers (GET or
// POST; ccxt also posts a `{}` JSON body with them) or as a JSON body; optional 2FA
// (`Authenticate2FA`, TOTP); later calls carry `aptoken`; a session dies after kiiexIdleMs without
// a successful call, or at `LogOut`.
import { createHmac, randomUUID } from 'node:crypto';
import { answer, emptyJsonObject, jsonBody, sameString, single, stringFields, totp } from './common.js';

const AUTH_HEADERS = ['apikey', 'signature', 'userid', 'nonce'];
const FIELDS = ['APIKey', 'Signature', 'UserId', 'Nonce'];
const badRequest = () => answer(400, { result: false, errormsg: 'Invalid Request', errorcode: 100 });
const notAuthorized = () => answer(401, { result: false, errormsg: 'Not Authorized', errorcode: 20 });

export function kiiex(env) {
  const sessions = new Map(); // SessionToken -> last activity (ms, emulator clock)
  const pending = new Set(); // 2FA tokens waiting for Authenticate2FA
  const seenNonces = new Set();

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
      // (a) headers, GET or POST, no body, or the empty JSON object ccxt's APEX client posts.
      const values = AUTH_HEADERS.map((h) => single(ctx, h));
      if (values.some((v) => v === undefined || v === '') || (ctx.body !== '' && !emptyJsonObject(ctx))) return undefined;
      return { form: 'headers', fields: Object.fromEntries(FIELDS.map((f, i) => [f, values[i]])) };
    }
    // (b) JSON body, POST only, all strings, optional UserName.
    if (ctx.method !== 'POST') return undefined;
    const body = jsonBody(ctx);
    if (!stringFields(body, FIELDS, ['UserName']) || FIELDS.some((f) => body[f] === '')) return undefined;
    return { form: 'json', fields: body };
  }

  /** A refused AuthenticateUser, as the kiiexRejectStyle variant says. */
  function refusal(form) {
    const errormsg = 'Invalid API key or signature';
    if (env.variants.kiiexRejectStyle === 'reference') return answer(400, spell({ Authenticated: false, Locked: false, errormsg }));
    // APEX: form (a) reports the failure in a 200 answer; form (b) with 401.
    return answer(form === 'json' ? 401 : 200, spell({ Authenticated: false, errormsg }));
  }

  const userId = () => (/^\d+$/.test(env.credentials.kiiex.userId) ? Number(env.credentials.kiiex.userId) : env.credentials.kiiex.userId);
  const user = (use2FA) => ({ UserId: userId(), UserName: 'dev', Email: 'dev@example.com', EmailVerified: true, AccountId: 1, OMSId: 1, Use2FA: use2FA });
  function openSession() {
    const sessionToken = randomUUID();
    sessions.set(sessionToken, env.now());
    return sessionToken;
  }
  /** True when `token` is a session that has not been idle too long (an idle one is ended). */
  function alive(token) {
    const last = token === undefined ? undefined : sessions.get(token);
    if (last === undefined) return false;
    if (env.now() - last >= env.kiiexIdleMs) {
      sessions.delete(token);
      return false;
    }
    return true;
  }
  const liveSession = (ctx) => { const token = single(ctx, 'aptoken'); return alive(token) ? token : undefined; };

  /** The 2FA code of Authenticate2FA: `GET ?Code=` (ccxt) or a JSON body {"Code"} (APEX docs). */
  function twoFactorCode(ctx) {
    const inQuery = ctx.query.getAll('Code');
    if (ctx.method === 'GET') return inQuery.length === 1 && ctx.body === '' ? inQuery[0] : undefined;
    const body = jsonBody(ctx);
    return inQuery.length === 0 && stringFields(body, ['Code']) ? body.Code : undefined;
  }
  function codeOk(code) {
    const { twoFactorSecret } = env.credentials.kiiex;
    return /^\d{6}$/.test(code) && [-30_000, 0, 30_000].some((skew) => sameString(code, totp(twoFactorSecret, env.now() + skew)));
  }

  /** True when the four fields are well signed with the account's credentials (and the nonce is new, if asked). */
  function verify({ APIKey, Signature, UserId, Nonce }) {
    const c = env.credentials.kiiex;
    const expected = createHmac('sha256', c.apiSecret).update(Nonce + UserId + APIKey, 'utf8').digest('hex');
    let ok = sameString(APIKey, c.apiKey) && UserId === c.userId && sameString(Signature, expected);
    if (ok) {
      if (env.variants.kiiexRejectReusedNonce && seenNonces.has(Nonce)) ok = false;
      seenNonces.add(Nonce);
    }
    return ok;
  }
  /** The answer to a verified AuthenticateUser: a session, or with 2FA a pending token. */
  function opened() {
    if (env.variants.kiiexTwoFactor) {
      const token = randomUUID();
      pending.add(token);
      return { pending: token, body: spell({ Authenticated: true, User: user(true), Locked: false, Requires2FA: true, TwoFAType: 'Google', [env.variants.kiiexPendingTokenName]: token }) };
    }
    const session = openSession();
    return { session, body: spell({ Authenticated: true, SessionToken: session, User: user(false), Locked: false, Requires2FA: false }) };
  }
  /** Authenticate2FA: null for an unknown pending token, else the answer (and the session when the code is right). */
  function complete(pendingToken, code) {
    if (pendingToken === undefined || !pending.has(pendingToken)) return null;
    if (!codeOk(code)) return { body: spell({ Authenticated: false, errormsg: 'Invalid 2FA code' }) };
    pending.delete(pendingToken); // single-use once it succeeded
    const session = openSession();
    return { session, body: spell({ Authenticated: true, UserId: userId(), SessionToken: session }) };
  }
  const LOGGED_OUT = Object.freeze({ result: true, errormsg: null, errorcode: 0, detail: null });

  const handlers = {
    auth(ctx) {
      const request = authFields(ctx);
      if (request === undefined) return badRequest();
      return verify(request.fields) ? answer(200, opened().body) : refusal(request.form);
    },
    twoFactor(ctx) {
      const code = twoFactorCode(ctx);
      if (code === undefined) return badRequest();
      const done = complete(single(ctx, 'pending2fatoken'), code);
      return done === null ? notAuthorized() : answer(200, done.body);
    },
    logout(ctx) {
      if (ctx.body !== '' && !emptyJsonObject(ctx)) return badRequest();
      const token = liveSession(ctx);
      if (token === undefined) return notAuthorized();
      sessions.delete(token);
      return answer(200, LOGGED_OUT);
    },
    api(ctx) {
      const token = liveSession(ctx);
      if (token === undefined) return notAuthorized();
      sessions.set(token, env.now()); // activity keeps the session alive
      return answer(200, { ok: true, provider: 'kiiex', method: ctx.method, path: ctx.path });
    },
  };
  return {
    classify(method, path) {
      if (method !== 'GET' && method !== 'POST') return null;
      // Function names are matched case-insensitively (the Kiiex reference writes /authenticate2fa).
      const name = path.toLowerCase();
      if (name === '/authenticateuser') return 'auth';
      if (name === '/authenticate2fa') return 'twoFactor';
      if (name === '/logout') return 'logout'; // POST in the docs, GET in ccxt's APEX client
      return /^\/[A-Za-z][A-Za-z0-9]*$/.test(path) ? 'api' : null; // <base>/<FunctionName>
    },
    handle: (route, ctx) => handlers[route](ctx),
    /** The transport-neutral session operations, for the WebSocket gateway. */
    session: { verify, opened, complete, alive, end: (token) => sessions.delete(token), touch: (token) => sessions.set(token, env.now()), spell, LOGGED_OUT },
    revokeTokens() {
      sessions.clear();
      pending.clear();
    },
  };
}
