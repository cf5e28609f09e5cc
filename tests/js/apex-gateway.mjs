// A small APEX WebSocket gateway for tests (the `ws` package on 127.0.0.1): it checks each
// AuthenticateUser signature with node:crypto, independently of keystamp, and answers as APEX
// does. Used by kiiex-websocket.test.mjs and readme-examples.test.mjs.
import { createHmac, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

import { WebSocketServer } from 'ws';

/** The first Kiiex vector of the provider contracts (the dashboard example). */
export const [VECTOR] = JSON.parse(readFileSync(new URL('../vectors.json', import.meta.url), 'utf8')).kiiex;

/** The accounts the server knows: the dashboard vector's, and one that needs a second factor. */
export const ACCOUNTS = {
  [VECTOR.apiKey]: { secret: VECTOR.apiSecret, userId: VECTOR.userId },
  KEY_WITH_2FA: { secret: 'SECRET_WITH_2FA', userId: '77', code: '012345' },
};

/**
 * A small APEX gateway: `AuthenticateUser` (signature checked with node:crypto), `Authenticate2FA`,
 * `GetUserInfo` (needs the session of this connection), `LogOut`, and an error frame for anything
 * else. `Emit` first pushes an event frame (m 3), as a live gateway interleaves them.
 */
function gateway(socket, received) {
  const state = { session: null, pending: null };
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data));
    received.push(frame);
    const reply = (o, m = 1) => socket.send(JSON.stringify({ m, i: frame.i, n: frame.n, o: typeof o === 'string' ? o : JSON.stringify(o) }));
    if (frame.m !== 0 || !Number.isSafeInteger(frame.i) || frame.i === 0 || typeof frame.o !== 'string') {
      return reply('Bad frame', 5);
    }
    const payload = JSON.parse(frame.o);
    switch (frame.n) {
      case 'AuthenticateUser': {
        const account = ACCOUNTS[payload.APIKey];
        const expected = account && createHmac('sha256', account.secret).update(payload.Nonce + payload.UserId + payload.APIKey).digest('hex');
        const fields = Object.keys(payload).sort().join();
        if (!account || fields !== 'APIKey,Nonce,Signature,UserId' || payload.UserId !== account.userId || payload.Signature !== expected) {
          return reply({ authenticated: false, locked: false, errormsg: 'Invalid API key or signature' });
        }
        if (account.code) {
          state.pending = { token: randomUUID(), account };
          return reply({ authenticated: false, requires2FA: true, twoFAType: 'Google', twoFAToken: state.pending.token });
        }
        state.session = randomUUID();
        return reply({ Authenticated: true, SessionToken: state.session, UserId: Number(account.userId) });
      }
      case 'Authenticate2FA':
        if (!state.pending || payload.Code !== state.pending.account.code) return reply({ Authenticated: false, errormsg: 'Invalid code' });
        state.session = randomUUID();
        return reply({ Authenticated: true, UserId: Number(state.pending.account.userId), SessionToken: state.session });
      case 'GetUserInfo':
        if (!state.session) return reply({ result: false, errormsg: 'Not Authorized', errorcode: 20 });
        return reply({ UserId: 42, UserName: 'dev', Email: 'dev@example.com' });
      case 'LogOut':
        state.session = null;
        return reply({ result: true, errormsg: null, errorcode: 0 });
      case 'Emit':
        socket.send(JSON.stringify({ m: 3, i: 0, n: 'AccountEvent', o: '{}' }));
        return reply({ emitted: true });
      default:
        return reply('Endpoint Not Found', 5);
    }
  });
}

/**
 * Starts the gateway on 127.0.0.1 (any free port) at `/WSGateway/`. Returns `{ url, received,
 * close }`: `received` holds every frame the gateway got, parsed, in order.
 */
export async function startGateway() {
  const received = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/WSGateway/' });
  server.on('connection', (socket) => gateway(socket, received));
  await once(server, 'listening');
  return {
    url: `ws://127.0.0.1:${server.address().port}/WSGateway/`,
    received,
    close: () => new Promise((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(resolve);
    }),
  };
}
