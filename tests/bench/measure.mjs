// Interleaved rounds: every round runs each contender for the same number of operations, one
// after the other, so that a slow moment of the machine (other builds, thermal throttling) falls
// on all of them instead of on whichever ran then. Reported: the median over rounds.
import { cpus, loadavg } from 'node:os';

/**
 * Runs `contenders` (`[{ name, run }]`, `run(i)` does operation `i`, sync or async) for
 * `warmup + rounds` rounds of `ops` operations each. Returns, per name, the ns/op of each
 * measured round.
 */
export async function interleave(contenders, { rounds, ops, warmup = 2 }) {
  const samples = new Map(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (const { name, run, async } of contenders) {
      const start = process.hrtime.bigint();
      if (async) await repeatAsync(run, ops);
      else repeat(run, ops);
      const nsPerOp = Number(process.hrtime.bigint() - start) / ops;
      if (round >= warmup) samples.get(name).push(nsPerOp);
    }
  }
  return samples;
}

/** Keeps the last result alive, so no work can be optimised away. */
export let lastResult;

function repeat(run, ops) {
  for (let i = 0; i < ops; i++) lastResult = run(i);
}

async function repeatAsync(run, ops) {
  for (let i = 0; i < ops; i++) lastResult = await run(i);
}

/** Median, min and max of a list of numbers. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** One line describing the machine and the moment. */
export function machine() {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load}`;
}

export const fmt = {
  ns: (ns) => Math.round(ns).toLocaleString('en-US'),
  us: (ns) => (ns / 1000).toFixed(ns < 10_000 ? 2 : 1),
  mbps: (bytes, ns) => Math.round((bytes / ns) * 1000).toLocaleString('en-US'),
  ops: (ns) => Math.round(1e9 / ns).toLocaleString('en-US'),
  ratio: (x) => `${x.toFixed(2)}×`,
  kb: (bytes) => `${(bytes / 1024).toFixed(1)} KB`,
  ms: (ms) => ms.toFixed(1),
};

/** A Markdown table. */
export function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}
