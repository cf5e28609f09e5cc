// Adjutor: a static Bearer key ("Reset app key" = resetKey revokes it at once), and Core
// Services: `POST /customers/auth` with the Bearer key and a team member's {email, password}
// answers {"token": <JWT with iat/exp>}; core-service calls need the Bearer key AND
// `x-access-token: <token>`, and an expired or unknown token is a 401.
import { randomUUID } from 'node:crypto';
import { answer, bearer, jsonBody, jwtCodec, randomHex, seconds, single, stringFields } from './common.js';

/** Core-service paths (relative to the base URL) when the `adjutorCorePaths` option is not given. */
export const DEFAULT_CORE_PATHS = Object.freeze(['/customers/', '/loans/']);

export function adjutor(env) {
  const jwt = jwtCodec();
  const liveTokens = new Set(); // jti of access tokens not revoked
  const corePaths = env.adjutorCorePaths;
  const error = (status, message) => answer(status, { status: 'error', message });
  const unauthorized = () => error(401, 'Unauthorized');
  const keyOk = (ctx) => bearer(ctx) === env.credentials.adjutor.apiKey;

  const handlers = {
    login(ctx) {
      if (!keyOk(ctx)) return unauthorized();
      const body = jsonBody(ctx);
      if (!stringFields(body, ['email', 'password'])) return error(400, 'Bad Request');
      const c = env.credentials.adjutor;
      if (body.email !== c.email || body.password !== c.password) return error(401, 'Invalid email or password');
      const iat = seconds(env.now());
      const payload = { sub: c.email, type: 'adjutor-access', iat, exp: iat + (ctx.lifetimeSec ?? env.lifetimes.adjutorAccess), jti: randomUUID() };
      liveTokens.add(payload.jti);
      return answer(200, { token: jwt.sign(payload) });
    },
    core(ctx) {
      if (!keyOk(ctx)) return unauthorized();
      const token = single(ctx, 'x-access-token');
      const payload = token === undefined || token === '' ? undefined : jwt.verify(token);
      const live = payload?.type === 'adjutor-access' && Number.isInteger(payload.exp) && payload.exp * 1000 > env.now() && liveTokens.has(payload.jti);
      if (!live) return error(401, 'Invalid or expired access token');
      return answer(200, { ok: true, provider: 'adjutor', method: ctx.method, path: ctx.path, auth: 'core' });
    },
    api(ctx) {
      if (!keyOk(ctx)) return unauthorized();
      return answer(200, { ok: true, provider: 'adjutor', method: ctx.method, path: ctx.path });
    },
  };

  return {
    classify(method, path) {
      if (path === '/customers/auth') return method === 'POST' ? 'login' : null;
      return corePaths.some((prefix) => path.startsWith(prefix)) ? 'core' : 'api';
    },
    handle: (route, ctx) => handlers[route](ctx),
    revokeTokens: () => liveTokens.clear(),
    resetKey() {
      env.credentials.adjutor.apiKey = `adj_test_key_${randomHex(16)}`;
      return env.credentials.adjutor.apiKey;
    },
  };
}
