// DePay callback verification, `lowercase_hex(HMAC-SHA256(apiKey, body + "+" + customerUuid))`
// compared in constant time, by keystamp and by what a Node developer writes with node:crypto
// (`createHmac` + `timingSafeEqual`), in one process: the 1 KiB and 64 KiB bodies of the committed
// vectors (tests/depay-callbacks.json), every contender checked against the vector first, then
// interleaved rounds. keystamp takes the body as the string `request.text()` gives and as the
// bytes `request.arrayBuffer()` gives.
//
//   node tests/bench/depay.mjs      (the whole report: node tests/bench/run.mjs)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { fmt, interleave, stats, table } from './measure.mjs';

const NODE = 'node:crypto createHmac + timingSafeEqual';

/** The 1 KiB and 64 KiB vectors: `[{ label, apiKey, customerUuid, text, bytes, signature }]`. */
export function bodies() {
  const { depayCallbacks } = JSON.parse(readFileSync(new URL('../depay-callbacks.json', import.meta.url), 'utf8'));
  return [1024, 65536].map((size) => {
    const v = depayCallbacks.find((row) => row.bodyBytes === size && row.bodyPattern);
    const { prefix, unit, count, suffix } = v.bodyPattern;
    const text = prefix + unit.repeat(count) + suffix;
    return { label: size === 1024 ? '1 KiB' : '64 KiB', apiKey: v.apiKey, customerUuid: v.customerUuid, text, bytes: new Uint8Array(Buffer.from(text)), signature: v.signature };
  });
}

/** The contenders for one body, each returning whether the signature is valid. */
function contenders(keystamp, b) {
  const { apiKey, customerUuid, text, bytes, signature } = b;
  return [
    {
      name: NODE,
      run: () => {
        const expected = createHmac('sha256', apiKey).update(`${text}+${customerUuid}`).digest('hex');
        return expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
      },
    },
    { name: 'keystamp verifyDepayCallback (string body)', run: () => keystamp.verifyDepayCallback({ apiKey, customerUuid, body: text, signature }) },
    { name: 'keystamp verifyDepayCallback (Uint8Array body)', run: () => keystamp.verifyDepayCallback({ apiKey, customerUuid, body: bytes, signature }) },
  ];
}

/**
 * The callback benchmark: per body, `{ label, bytes, ops, rows }`, rows `{ name, median, min, max,
 * ratio }` (ns/op over rounds, and the median per-round ratio of node:crypto's ns/op to this
 * one's). Throws if a contender rejects the vector or accepts a tampered body.
 */
export async function benchCallbacks(keystamp, { rounds = 15, ops = 10_000 } = {}) {
  const results = [];
  for (const b of bodies()) {
    const all = contenders(keystamp, b);
    const tampered = contenders(keystamp, { ...b, text: `${b.text} `, bytes: new Uint8Array([...b.bytes, 32]) });
    for (const [i, { name, run }] of all.entries()) {
      if (run() !== true) throw new Error(`${name} rejects the ${b.label} vector`);
      if (tampered[i].run() !== false) throw new Error(`${name} accepts a tampered ${b.label} body`);
    }
    // The same work per round for every body size: fewer operations on the large body.
    const n = Math.max(50, Math.round((ops * 1024) / b.bytes.length));
    const samples = await interleave(all.map(({ name, run }) => ({ name, run })), { rounds, ops: n });
    const base = samples.get(NODE);
    const rows = [...samples].map(([name, ns]) => ({ name, ...stats(ns), ratio: stats(ns.map((v, round) => base[round] / v)).median }));
    results.push({ label: b.label, bytes: b.bytes.length, ops: n, rounds, rows });
  }
  return results;
}

/** Markdown for `benchCallbacks`. */
export function report(results) {
  const head = 'DePay callback verification (HMAC-SHA256 of `body + "+" + customerUuid`, constant-time comparison), interleaved rounds:';
  const tables = results.map((r) => {
    const t = table(
      [`${r.label} body (${r.ops.toLocaleString('en-US')} ops × ${r.rounds} rounds)`, 'µs/op (median)', 'MB/s', 'speed vs node:crypto (median of per-round ratios)', 'rounds: min – max µs/op'],
      r.rows.map((row) => [row.name, fmt.us(row.median), fmt.mbps(r.bytes, row.median), fmt.ratio(row.ratio), `${fmt.us(row.min)} – ${fmt.us(row.max)}`]),
    );
    return t;
  });
  return `${head}\n\n${tables.join('\n\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { installedPackage } = await import('./package.mjs');
  const keystamp = await import(pathToFileURL(installedPackage().entry).href);
  console.log(report(await benchCallbacks(keystamp)));
}
