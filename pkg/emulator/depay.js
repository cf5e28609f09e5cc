// DePay: `GET /auth/token` (or `/v2/auth/token`, depayTokenPath) with `x-api-key` answers
// {expiresIn (a string of seconds), accessToken, refreshToken}, flat or wrapped in {"response"};
// calls under /v2/ carry the access token as Bearer until it expires on the emulator clock.
// Callbacks are signed `signature: hex(HMAC-SHA256(api_key, rawBody + "+" + customerUuid))`.
import { randomUUID } from 'node:crypto';
import { answer, bearer, jwtCodec, seconds, signDepayCallback, single } from './common.js';

/** The refusal bodies of the depayForbiddenBody variant (the status is depayRejectStatus). */
const FORBIDDEN_BODIES = {
  current: { statusCode: 403, message: 'Forbidden resource' }, // latam-payments docs
  legacy: { statusCode: 401, message: 'Unauthorized' }, // older docs
  payments: { statusCode: 401, message: 'Forbidden resource', error: 'Forbidden' }, // payments docs
};

export function depay(env) {
  const jwt = jwtCodec();
  const accessTokens = new Map(); // accessToken -> expiresAtMs (server-side truth)
  // The docs' example JWTs claim another lifetime than expiresIn; the emulator does the same, so
  // a client that reads `exp` instead of `expiresIn` is caught.
  const CLAIMED_LIFETIME_SEC = 86400;

  /** expiresIn as sent, and the lifetime the server enforces. */
  function expiry(lifetimeOverride) {
    const override = env.variants.depayExpiresIn;
    if (override === undefined) {
      const sec = lifetimeOverride ?? env.lifetimes.depay;
      return { expiresIn: env.variants.depayExpiresInType === 'number' ? sec : String(sec), lifetimeSec: sec };
    }
    // An override is sent verbatim; when it is a plain number the server enforces it too.
    const numeric = (typeof override === 'number' && Number.isFinite(override)) || (typeof override === 'string' && /^\d+$/.test(override));
    return { expiresIn: override, lifetimeSec: numeric ? Number(override) : env.lifetimes.depay };
  }

  const handlers = {
    auth(ctx) {
      if (single(ctx, 'x-api-key') !== env.credentials.depay.apiKey) {
        return answer(env.variants.depayRejectStatus, FORBIDDEN_BODIES[env.variants.depayForbiddenBody]);
      }
      const { expiresIn, lifetimeSec } = expiry(ctx.lifetimeSec);
      const iat = seconds(env.now());
      const claims = { sub: 'depay-merchant', iat, exp: iat + CLAIMED_LIFETIME_SEC };
      const accessToken = jwt.sign({ ...claims, type: 'access', jti: randomUUID() });
      const refreshToken = jwt.sign({ ...claims, type: 'refresh', jti: randomUUID() });
      accessTokens.set(accessToken, env.now() + lifetimeSec * 1000);
      const token = { expiresIn, accessToken, refreshToken };
      return answer(200, env.variants.depayAnswerShape === 'wrapped' ? { response: token } : token);
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
      if (path === env.variants.depayTokenPath) return method === 'GET' ? 'auth' : null;
      if (path === '/auth/token') return null; // the other documented path, switched off
      return path.startsWith('/v2/') ? 'api' : null;
    },
    handle: (route, ctx) => handlers[route](ctx),
    revokeTokens: () => accessTokens.clear(),
    /** A signed callback for `payload` (an object, or the raw body text sent as is). */
    callback(payload, { apiKey = env.credentials.depay.apiKey, customerUuid = env.credentials.depay.customerUuid } = {}) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      if (typeof body !== 'string') throw new TypeError('depayCallback: the payload must be JSON-serialisable or a string');
      const signature = signDepayCallback({ apiKey, customerUuid, body });
      return { body, signature, customerUuid, headers: { 'content-type': 'application/json', signature } };
    },
  };
}
