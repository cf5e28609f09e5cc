// Shared pieces of the provider emulator: the tables (credentials, variants, routes), request
// parsing, HS256 JWTs, TOTP, and the signature helpers a user's own tests can call. Node only.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Request bodies larger than this are answered 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The credentials an emulator starts with (a fresh copy each call). */
export function defaultCredentials() {
  return {
    defindex: { apiKey: 'sk_test_defindex_0001', email: 'dev@example.com', password: 'correct horse battery staple' },
    deltadefi: { apiKey: 'dd_test_key_0001' },
    adjutor: { apiKey: 'adj_test_key_0001', email: 'ops@example.com', password: 'team member password' },
    depay: { apiKey: 'depay_test_key_0001', customerUuid: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    kiiex: {
      apiKey: '7c3e0f1a2b4d5e6f8091a2b3c4d5e6f7',
      apiSecret: 'd2f5a1c3b4e6f7089a1b2c3d4e5f6a7b',
      userId: '184',
      twoFactorSecret: 'JBSWY3DPEHPK3PXP', // base32 TOTP secret, used when kiiexTwoFactor is on
    },
  };
}

/** Every variant with its allowed values; the first value is the default (the strict form). */
export const VARIANTS = Object.freeze({
  defindexLoginShape: ['spec', 'camel', 'postman'], // {username, role, access_token, refresh_token} | {accessToken, refreshToken} | {jwt, refreshToken}
  defindexRefreshShape: ['spec', 'camel', 'postman'], // the same three shapes for /refresh
  defindexRefreshRejectStatus: [403, 401], // status of a rejected refresh (spec | docs)
  defindexAccountDisabled: [false, true], // login answers 403 "disabled account" even with good credentials
  defindexGenerateShape: ['object', 'array'], // {key, id} | [{key, id}]
  defindexListStatus: [200, 201], // status of GET /api-keys (the Postman test saw 201)
  deltadefiCreatedAt: ['iso', 'absent', 'null', 'number'], // created_at of a rotation answer
  depayTokenPath: ['/auth/token', '/v2/auth/token'], // where the token is served (latam-payments | payments docs)
  depayAnswerShape: ['flat', 'wrapped'], // {expiresIn, ...} | {"response": {expiresIn, ...}}
  depayRejectStatus: [403, 401], // status of a refused token request
  depayForbiddenBody: ['current', 'legacy', 'payments'], // refusal body, see depay.js
  depayExpiresInType: ['string', 'number'], // "3600" | 3600
  depayExpiresIn: undefined, // any value sent verbatim as expiresIn (e.g. "abc"); undefined = from the lifetime
  kiiexResponseCase: ['pascal', 'camel', 'lower'], // Authenticated/SessionToken | authenticated/sessionToken | authenticated/sessiontoken
  kiiexRejectReusedNonce: [false, true], // a nonce seen in an earlier well-signed AuthenticateUser is refused
  kiiexRejectStyle: ['apex', 'reference'], // refusals: 200/401 {Authenticated:false} | 400 {authenticated:false, locked, errormsg}
  kiiexTwoFactor: [false, true], // the account has 2FA: AuthenticateUser answers Requires2FA and a pending token
  kiiexPendingTokenName: ['TwoFAToken', 'Pending2FaToken'], // the pending token's field (Kiiex reference | ccxt's APEX sample)
});

/** The route names of each provider, as used by failNext, count and the request log. */
export const ROUTES = Object.freeze({
  defindex: ['login', 'refresh', 'generateKey', 'listKeys', 'revokeKey', 'api'],
  deltadefi: ['rotate', 'api'],
  adjutor: ['login', 'core', 'api'],
  depay: ['auth', 'api'],
  kiiex: ['auth', 'twoFactor', 'logout', 'api'],
});

/** `'auth'` names each provider's auth endpoint. */
export const AUTH_ROUTE = Object.freeze({ defindex: 'login', deltadefi: 'rotate', adjutor: 'login', depay: 'auth', kiiex: 'auth' });

/** Path prefix of each provider on the emulator (the part of its base URL after the origin). */
export const PREFIXES = Object.freeze({ defindex: '/defindex', deltadefi: '/deltadefi', adjutor: '/adjutor/v2', depay: '/depay', kiiex: '/kiiex/ap' });

// --- answers and request parsing --------------------------------------------------------------------

/** A JSON answer. */
export const answer = (status, body) => ({ status, body });
export const notFound = () => answer(404, { statusCode: 404, message: 'Not Found' });
export const randomHex = (bytes) => randomBytes(bytes).toString('hex');
export const seconds = (ms) => Math.floor(ms / 1000);

/** The value of header `name` when it was sent exactly once; undefined when absent or repeated. */
export function single(ctx, name) {
  const values = ctx.distinct[name];
  return values !== undefined && values.length === 1 ? values[0] : undefined;
}

/** The token of `Authorization: Bearer <token>` (exact scheme spelling, one space, non-empty). */
export function bearer(ctx) {
  const value = single(ctx, 'authorization');
  return value !== undefined && value.startsWith('Bearer ') && value.length > 7 ? value.slice(7) : undefined;
}

/** True when the request declares a JSON body (`application/json`, optionally `; charset=utf-8`). */
export function declaresJson(ctx) {
  const value = single(ctx, 'content-type');
  return value !== undefined && /^application\/json(;[ \t]*charset=utf-8)?$/i.test(value);
}

/** A JSON object body (not an array, not a scalar), or undefined. */
export function parseJsonObject(text) {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The body as a JSON object when it is declared JSON and is one, else undefined. */
export const jsonBody = (ctx) => (declaresJson(ctx) ? parseJsonObject(ctx.body) : undefined);

/** True when the body is a declared-JSON empty object `{}` (what the DeFindex SDK and ccxt send). */
export const emptyJsonObject = (ctx) => { const body = jsonBody(ctx); return body !== undefined && Object.keys(body).length === 0; };

/** True when `obj` has every key of `required`, no key outside `required` + `optional`, all strings. */
export function stringFields(obj, required, optional = []) {
  if (obj === undefined) return false;
  const keys = Object.keys(obj);
  return required.every((k) => keys.includes(k))
    && keys.every((k) => (required.includes(k) || optional.includes(k)) && typeof obj[k] === 'string');
}

/** Constant-time string equality. */
export function sameString(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

// --- tokens and signatures -------------------------------------------------------------------------

/** HS256 JWT signing and verification with a secret of the emulator's own. */
export function jwtCodec() {
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

/** The DePay callback signature: lower-case hex HMAC-SHA256(key = apiKey, body + "+" + customerUuid). */
export function signDepayCallback({ apiKey, customerUuid, body }) {
  for (const [name, value] of Object.entries({ apiKey, customerUuid, body })) {
    if (typeof value !== 'string') throw new TypeError(`signDepayCallback: ${name} must be a string`);
  }
  return createHmac('sha256', apiKey).update(`${body}+${customerUuid}`, 'utf8').digest('hex');
}

/** Decodes RFC 4648 base32 (upper or lower case, `=` padding and spaces ignored). */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new TypeError('totp: the secret is not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 TOTP code (HMAC-SHA1, 30 s steps, 6 digits) of a base32 secret at `atMs`. */
export function totp(secretBase32, atMs = Date.now()) {
  if (typeof secretBase32 !== 'string' || !Number.isFinite(atMs)) throw new TypeError('totp(secretBase32: string, atMs: number)');
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

/** A DeltaDeFi error answer `{"error", "code"}`; the HTTP status is the code's first three digits. */
export function deltadefiError(code) {
  const messages = { 4010: 'unauthorized', 4290: 'rate limit exceeded', 5001: 'resources temporarily unavailable', 5002: 'trading locked' };
  if (!Number.isInteger(code) || code < 1000 || code > 5999) throw new TypeError('deltadefiError: code is a 4-digit integer such as 4290');
  return { status: Math.floor(code / 10), body: { error: messages[code] ?? 'error', code } };
}

// --- option checks ---------------------------------------------------------------------------------

export function checkVariant(name, value) {
  if (!Object.hasOwn(VARIANTS, name)) throw new Error(`unknown emulator variant: ${name}`);
  const allowed = VARIANTS[name];
  if (allowed !== undefined && !allowed.includes(value)) throw new Error(`variant ${name} takes ${allowed.map((v) => JSON.stringify(v)).join(' | ')}`);
}

export function checkRoute(provider, route, { wildcard = false } = {}) {
  if (!Object.hasOwn(ROUTES, provider)) throw new Error(`unknown provider: ${provider}`);
  if (wildcard && route === '*') return;
  if (route === 'auth' ? AUTH_ROUTE[provider] === undefined : !ROUTES[provider].includes(route)) {
    throw new Error(`unknown route ${route} for ${provider}`);
  }
}
