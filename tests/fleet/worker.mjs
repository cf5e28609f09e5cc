// One process of a fleet test (started by fleet.test.mjs with `fork`): a keystamp Client with a
// redisStore over its own Redis connection, driven by messages from the parent:
//   { cmd: 'clock', t }                      the fake clock of the Client (shared by the fleet)
//   { cmd: 'burst', n, fetches, timeoutMs, path, init }
//                                            n concurrent client.headers(), then `fetches` calls
//   { cmd: 'events' }                        the onEvent log so far
// Each answer is { id, ... }. Every auth request carries `x-fleet-process: <index>` so that the
// parent can tell which process sent it.
import { Client, redisStore } from 'keystamp';
import { createClient } from 'redis';
import Redis from 'ioredis';

let t = 0;
let client;
const events = [];

async function connect(url, library) {
  if (library === 'ioredis') {
    const c = new Redis(url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    await c.connect();
    return c;
  }
  const c = createClient({ url, socket: { reconnectStrategy: () => 50 } });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function init({ redisUrl, library, index, options, timeoutMs, withoutCounter }) {
  const redis = await connect(redisUrl, library);
  const store = redisStore(redis, { timeoutMs: 500 });
  if (withoutCounter) delete store.incr; // a store without an atomic counter
  client = new Client({
    ...options,
    timeoutMs,
    now: () => t,
    store,
    onEvent: (event) => events.push({ type: event.type, provider: event.provider, code: event.error?.code }),
    fetch: (request) => {
      request.headers.set('x-fleet-process', String(index));
      return fetch(request);
    },
  });
  return {};
}

async function burst({ n, fetches = 0, timeoutMs, path = '/v2/payments', init: callInit = {} }) {
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: n }, async () => {
    const begin = performance.now();
    try {
      const headers = await client.headers({ timeoutMs });
      return { value: headers.Authorization ?? headers.aptoken, ms: performance.now() - begin };
    } catch (err) {
      return { error: err.code ?? String(err), ms: performance.now() - begin };
    }
  }));
  const statuses = [];
  for (let i = 0; i < fetches; i++) {
    try {
      const res = await client.fetch(path, { ...callInit, timeoutMs });
      statuses.push(res.status);
      await res.arrayBuffer();
    } catch (err) {
      statuses.push(err.code ?? String(err));
    }
  }
  return {
    ok: results.filter((r) => r.value !== undefined).length,
    errors: results.filter((r) => r.error !== undefined).map((r) => r.error),
    values: [...new Set(results.map((r) => r.value).filter(Boolean))],
    maxMs: Math.max(...results.map((r) => r.ms)),
    totalMs: performance.now() - started,
    statuses,
  };
}

const handlers = {
  init,
  burst,
  clock: async ({ t: next }) => { t = next; return {}; },
  events: async () => ({ events }),
};

process.on('message', async (message) => {
  let answer;
  try {
    answer = await handlers[message.cmd](message);
  } catch (err) {
    answer = { failed: `${err.name}: ${err.message}` };
  }
  process.send({ id: message.id, ...answer });
});
