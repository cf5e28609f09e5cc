// The token store adapters against the real thing: redisStore over node-redis 6, node-redis 4 and
// ioredis 6 clients of a redis-server started here (127.0.0.1, free port, no persistence), and
// memoryStore. Leases, fencing, expiry, owner checks, atomic counters, a slow and a stopped Redis.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { createClient as createClient4 } from 'redis4';
import Redis from 'ioredis';
import { KeystampError, memoryStore, redisStore } from 'keystamp';
import { startRedis } from './redis.mjs';

let redis;
const clients = [];

before(async () => {
  redis = await startRedis();
});

after(async () => {
  await Promise.all(clients.map((c) => closeClient(c)));
  await redis?.close();
});

/** A connected client of each library, reconnecting every 50 ms, errors absorbed (logged by the
 * library's 'error' event, which must have a listener). */
const LIBRARIES = {
  'node-redis 6': async () => {
    const c = createClient({ url: redis.url, socket: { reconnectStrategy: () => 50 } });
    c.on('error', () => {});
    await c.connect();
    return c;
  },
  'node-redis 4': async () => {
    const c = createClient4({ url: redis.url, socket: { reconnectStrategy: () => 50 } });
    c.on('error', () => {});
    await c.connect();
    return c;
  },
  ioredis: async () => {
    const c = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    await c.connect();
    return c;
  },
};

async function client(library) {
  const c = await LIBRARIES[library]();
  clients.push(c);
  return c;
}

async function closeClient(c) {
  try {
    if (typeof c.destroy === 'function') c.destroy(); // node-redis 5+
    else c.disconnect(); // node-redis 4, ioredis
  } catch { /* already closed */ }
}

/** A raw command through any of the three clients (for checks and faults the store does not do). */
function raw(c, ...args) {
  return typeof c.call === 'function' ? c.call(...args) : c.sendCommand(args.map(String));
}

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
let keySeq = 0;
const freshKey = () => `k${process.pid}x${keySeq++}`;

/** The behaviour every store must have, run against `make()`. */
function contract(make) {
  test('get: null for a missing record, the exact bytes otherwise (all 256 byte values)', async () => {
    const store = await make();
    const key = freshKey();
    assert.equal(await store.get(key), null);
    assert.equal(await store.put(key, ALL_BYTES, 1, 60_000), true);
    assert.deepEqual(await store.get(key), ALL_BYTES);
  });

  test('put is fenced: only a greater fence writes', async () => {
    const store = await make();
    const key = freshKey();
    const bytes = (n) => Uint8Array.of(n, n, n);
    assert.equal(await store.put(key, bytes(5), 5, 60_000), true);
    for (const fence of [5, 4, 0, -1]) {
      assert.equal(await store.put(key, bytes(fence & 0xff), fence, 60_000), false, `fence ${fence} after 5`);
    }
    assert.deepEqual(await store.get(key), bytes(5));
    assert.equal(await store.put(key, bytes(6), 6, 60_000), true);
    assert.deepEqual(await store.get(key), bytes(6));
  });

  test('concurrent fenced puts keep the greatest fence, whatever the arrival order', async () => {
    const store = await make();
    const key = freshKey();
    const fences = Array.from({ length: 50 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    const results = await Promise.all(fences.map((f) => store.put(key, Uint8Array.of(f), f, 60_000)));
    assert.ok(results.filter(Boolean).length >= 1);
    assert.deepEqual(await store.get(key), Uint8Array.of(50));
  });

  test('a record expires after its ttl; then any fence writes again', async () => {
    const store = await make();
    const key = freshKey();
    assert.equal(await store.put(key, Uint8Array.of(9), 9, 150), true);
    assert.deepEqual(await store.get(key), Uint8Array.of(9));
    await sleep(250);
    assert.equal(await store.get(key), null);
    assert.equal(await store.put(key, Uint8Array.of(1), 1, 60_000), true);
  });

  test('lease: one owner at a time, released only by its owner', async () => {
    const store = await make();
    const key = freshKey();
    assert.equal(await store.acquire(key, 'owner-a', 60_000), true);
    assert.equal(await store.acquire(key, 'owner-b', 60_000), false);
    assert.equal(await store.acquire(key, 'owner-a', 60_000), false, 'not re-entrant');
    assert.equal(await store.release(key, 'owner-b'), false, 'another owner cannot release it');
    assert.equal(await store.acquire(key, 'owner-c', 60_000), false, 'still held');
    assert.equal(await store.release(key, 'owner-a'), true);
    assert.equal(await store.release(key, 'owner-a'), false, 'released once');
    assert.equal(await store.acquire(key, 'owner-b', 60_000), true);
  });

  test('lease: expires after its ttl; the old owner cannot release the new lease', async () => {
    const store = await make();
    const key = freshKey();
    assert.equal(await store.acquire(key, 'owner-a', 150), true);
    assert.equal(await store.acquire(key, 'owner-b', 150), false);
    await sleep(250);
    assert.equal(await store.acquire(key, 'owner-b', 60_000), true, 'taken over after expiry');
    assert.equal(await store.release(key, 'owner-a'), false);
    assert.equal(await store.acquire(key, 'owner-c', 60_000), false, "owner-b's lease survived");
  });

  test('lease: 40 concurrent contenders, exactly one wins', async () => {
    const store = await make();
    const key = freshKey();
    const wins = await Promise.all(Array.from({ length: 40 }, (_, i) => store.acquire(key, `owner-${i}`, 60_000)));
    assert.equal(wins.filter(Boolean).length, 1);
  });

  test('incr: max(floor, stored + 1), atomic under concurrency', async () => {
    const store = await make();
    const key = freshKey();
    assert.equal(await store.incr(key, 0), 1);
    assert.equal(await store.incr(key, 0), 2);
    assert.equal(await store.incr(key, 1_767_225_600_000), 1_767_225_600_000, 'a clock floor');
    assert.equal(await store.incr(key, 5), 1_767_225_600_001);
    const values = await Promise.all(Array.from({ length: 100 }, () => store.incr(key, 1_767_225_600_000)));
    assert.deepEqual([...values].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => 1_767_225_600_002 + i));
  });

  test('bad arguments are KeystampError invalid_argument', async () => {
    const store = await make();
    for (const ttl of [0, -1, 1.5, NaN, '100']) {
      await assert.rejects(store.put(freshKey(), ALL_BYTES, 1, ttl), { name: 'KeystampError', code: 'invalid_argument', field: 'ttlMs' });
      await assert.rejects(store.acquire(freshKey(), 'o', ttl), { name: 'KeystampError', code: 'invalid_argument', field: 'ttlMs' });
    }
  });
}

describe('memoryStore', () => {
  contract(async () => memoryStore());

  test('expiry follows the injected clock', async () => {
    let t = 1000;
    const store = memoryStore({ now: () => t });
    assert.equal(await store.acquire('k', 'a', 100), true);
    t += 99;
    assert.equal(await store.acquire('k', 'b', 100), false);
    t += 1;
    assert.equal(await store.acquire('k', 'b', 100), true);
  });

  test('stored bytes are copies: mutating the input or the output changes nothing', async () => {
    const store = memoryStore();
    const bytes = Uint8Array.of(1, 2, 3);
    await store.put('k', bytes, 1, 60_000);
    bytes[0] = 99;
    const out = await store.get('k');
    out[1] = 99;
    assert.deepEqual(await store.get('k'), Uint8Array.of(1, 2, 3));
  });
});

for (const library of Object.keys(LIBRARIES)) {
  describe(`redisStore over ${library}`, () => {
    contract(async () => redisStore(await client(library)));

    test('Redis holds only the prefixed, hash-tagged names and base64 of the bytes', async () => {
      const c = await client(library);
      const store = redisStore(c, { prefix: `t-${library.replace(/\W/g, '')}:` });
      await store.put('abc123', Uint8Array.of(0xde, 0xad, 0xbe, 0xef), 7, 60_000);
      await store.acquire('abc123', 'owner-1', 60_000);
      await store.incr('abc123', 0);
      const prefix = `t-${library.replace(/\W/g, '')}:`;
      const keys = (await raw(c, 'KEYS', `${prefix}*`)).map(String).sort();
      assert.deepEqual(keys, [`${prefix}{abc123}`, `${prefix}{abc123}:lease`, `${prefix}{abc123}:nonce`]);
      const reply = await raw(c, 'HGETALL', `${prefix}{abc123}`); // node-redis 6 maps it to an object
      const hash = (Array.isArray(reply) ? reply : Object.entries(reply).flat()).map(String);
      assert.deepEqual(hash, ['fence', '7', 'data', '3q2+7w==']);
      const ttl = Number(await raw(c, 'PTTL', `${prefix}{abc123}`));
      assert.ok(ttl > 59_000 && ttl <= 60_000, `record ttl ${ttl}`);
      assert.equal(String(await raw(c, 'GET', `${prefix}{abc123}:lease`)), 'owner-1');
    });

    test('a slow Redis (CLIENT PAUSE): the call rejects at its timeout, then works again', async () => {
      const c = await client(library);
      const store = redisStore(c, { timeoutMs: 200 });
      const key = freshKey();
      await store.put(key, ALL_BYTES, 1, 60_000);
      const admin = await client(library);
      await raw(admin, 'CLIENT', 'PAUSE', '700', 'ALL');
      const started = performance.now();
      await assert.rejects(store.get(key), (err) => err instanceof KeystampError && err.code === 'network_error' && /200 ms/.test(err.message));
      const waited = performance.now() - started;
      assert.ok(waited >= 190 && waited < 450, `rejected after ${waited.toFixed(0)} ms`);
      await sleep(700);
      assert.deepEqual(await store.get(key), ALL_BYTES, 'the store answers again after the pause');
    });

    test("an aborted signal ends the call at once; the command's late answer is absorbed", async () => {
      const c = await client(library);
      const store = redisStore(c, { timeoutMs: 5000 });
      const admin = await client(library);
      await raw(admin, 'CLIENT', 'PAUSE', '300', 'ALL');
      const controller = new AbortController();
      const pending = store.get(freshKey(), { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('caller gave up')), 50);
      const started = performance.now();
      await assert.rejects(pending, (err) => err.code === 'network_error' && err.cause?.message === 'caller gave up');
      assert.ok(performance.now() - started < 200);
      await assert.rejects(store.get(freshKey(), { signal: AbortSignal.abort() }), { code: 'network_error' });
      await sleep(350);
    });
  });
}

test('Redis stopped mid-run: every adapter rejects fast (never hangs), and works again when Redis is back', async () => {
  const stores = await Promise.all(Object.keys(LIBRARIES).map(async (library) => [library, redisStore(await client(library), { timeoutMs: 500 })]));
  const key = freshKey();
  for (const [, store] of stores) assert.equal(await store.get(key), null);
  await redis.stop();
  await sleep(100);
  for (const [library, store] of stores) {
    for (const call of [() => store.get(key), () => store.acquire(key, 'o', 1000), () => store.put(key, ALL_BYTES, 1, 1000), () => store.release(key, 'o'), () => store.incr(key, 0)]) {
      const started = performance.now();
      await assert.rejects(call(), (err) => err instanceof KeystampError && err.code === 'network_error', library);
      const waited = performance.now() - started;
      assert.ok(waited < 600, `${library}: rejected after ${waited.toFixed(0)} ms`);
    }
  }
  await redis.start();
  for (const [library, store] of stores) {
    let answer;
    for (let i = 0; i < 60 && answer === undefined; i++) {
      answer = await store.put(key, ALL_BYTES, 1, 60_000).catch(() => undefined);
      if (answer === undefined) await sleep(50);
    }
    assert.ok(answer !== undefined, `${library} reconnected`);
    assert.deepEqual(await store.get(key), ALL_BYTES, library);
  }
});

test('redisStore refuses what is not a Redis client', () => {
  for (const bad of [undefined, null, {}, { get() {} }, 'redis://127.0.0.1']) {
    assert.throws(() => redisStore(bad), { name: 'KeystampError', code: 'invalid_argument' });
  }
  const fake = { sendCommand: async () => 'OK' };
  assert.throws(() => redisStore(fake, { timeoutMs: 0 }), { code: 'invalid_argument', field: 'timeoutMs' });
  assert.throws(() => redisStore(fake, { prefix: 1 }), { code: 'invalid_argument', field: 'prefix' });
});
