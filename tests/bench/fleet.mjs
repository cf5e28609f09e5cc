// The Client with a Redis store (a redis-server started here on 127.0.0.1, as the fleet tests
// do): `await client.headers()` on the cached-token path, next to the same Client without a
// store (interleaved rounds), and what a new process pays to take the fleet's token from Redis
// instead of exchanging (a new Client, `await client.headers()`: one GET and an import). The
// fetch throws if it is called more than once: every measured call is answered without an
// exchange. `null` when redis-server is not installed (`bash scripts/setup.sh --browser`).
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';

import { haveRedis, startRedis } from '../fleet/redis.mjs';
import { fmt, interleave, stats, table } from './measure.mjs';

const ACCESS_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmbGVldCJ9.c2lnbmF0dXJl';

export async function benchFleet(keystamp, { rounds = 15, ops = 10_000, joins = 200 } = {}) {
  if (typeof keystamp.Client !== 'function' || !haveRedis()) return null;
  const redis = await startRedis();
  const connection = createClient({ url: redis.url });
  await connection.connect();
  try {
    const store = keystamp.redisStore(connection);
    let exchanges = 0;
    const fetch = async () => {
      if (++exchanges > 2) throw new Error('the benchmark fetch was called again: the token was not cached');
      return Response.json({ expiresIn: '3600', accessToken: ACCESS_TOKEN, refreshToken: 'refresh-1' });
    };
    const options = { provider: 'depay', apiKey: 'depay_bench_key_0001', fetch };
    const fleet = new keystamp.Client({ ...options, store });
    const alone = new keystamp.Client(options);
    const expected = JSON.stringify({ Authorization: `Bearer ${ACCESS_TOKEN}` });
    for (const client of [fleet, alone]) {
      const got = JSON.stringify(await client.headers());
      if (got !== expected) throw new Error(`client.headers() gave ${got}`);
    }
    const samples = await interleave(
      [
        { name: 'keystamp `await client.headers()` (DePay, token cached, Redis store)', async: true, run: () => fleet.headers() },
        { name: 'the same without a store', async: true, run: () => alone.headers() },
      ],
      { rounds, ops },
    );
    // A process joining the fleet: a new Client whose first call takes the token from Redis.
    const joinNs = [];
    for (let i = 0; i < joins; i++) {
      const joiner = new keystamp.Client({ ...options, store, fetch: () => { throw new Error('a joining client exchanged'); } });
      const start = process.hrtime.bigint();
      await joiner.headers();
      joinNs.push(Number(process.hrtime.bigint() - start));
      joiner.free();
    }
    if (exchanges !== 2) throw new Error(`${exchanges} token exchanges, expected one per client`);
    return { rows: [...samples].map(([name, ns]) => ({ name, ...stats(ns) })), join: stats(joinNs), ops, rounds, joins };
  } finally {
    await connection.destroy();
    await redis.close();
  }
}

/** Markdown for `benchFleet`. */
export function report(result) {
  if (result === null) return 'Fleet (Redis store): skipped (no Client export, or redis-server not installed).\n';
  const rows = result.rows.map((r) => [r.name, fmt.ns(r.median), fmt.ops(r.median), `${fmt.ns(r.min)} – ${fmt.ns(r.max)}`]);
  const joinMs = (ns) => fmt.ms(ns / 1e6);
  return `${table(['cached-token path, fleet', 'ns/op (median)', 'ops/s', 'rounds: min – max ns/op'], rows)}\n\n`
    + `A new process joining the fleet (a new Client with the Redis store; its first \`headers()\` reads and opens the sealed record, no exchange): median ${joinMs(result.join.median)} ms (min ${joinMs(result.join.min)}, max ${joinMs(result.join.max)}) over ${result.joins} clients.\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { installedPackage } = await import('./package.mjs');
  const keystamp = await import(pathToFileURL(installedPackage().entry).href);
  console.log(report(await benchFleet(keystamp)));
}
