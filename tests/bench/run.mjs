// The benchmark report in one command:
//
//   bash scripts/bench.sh [--quick] [--matrix]     (from a fresh clone: installs and builds first)
//   node tests/bench/run.mjs [--quick] [--matrix]  (after scripts/build.sh and scripts/pack.sh)
//
// Measures, in the packed package as npm installs it (tests/node_modules/keystamp), the Kiiex
// signature against node:crypto, WebCrypto and @noble/hashes, DePay callback verification on 1 KiB
// and 64 KiB bodies against node:crypto, the Client's cached-token path (also with a Redis store,
// when redis-server is installed), cold start and size, and prints one Markdown report (also
// saved to tests/.artifacts/bench.md).
// `--quick` runs fewer rounds (for a smoke test; the numbers are noisier); `--matrix` adds the
// build-settings table of matrix.mjs (several extra builds: minutes).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import * as coldStart from './coldstart.mjs';
import * as depay from './depay.mjs';
import * as fleet from './fleet.mjs';
import * as kiiex from './kiiex.mjs';
import * as matrix from './matrix.mjs';
import { machine } from './measure.mjs';
import { ROOT, installedPackage } from './package.mjs';
import * as size from './size.mjs';

const quick = process.argv.includes('--quick');
const withMatrix = process.argv.includes('--matrix');
const rounds = quick ? 5 : 15;
const ops = quick ? 2_000 : 10_000;
const runs = quick ? 3 : 10;

const pkg = installedPackage();
const keystamp = await import(pathToFileURL(pkg.entry).href);
const header = `## keystamp benchmark\n\n${machine()}. Package: the packed tarball, as installed by npm.\n`;
process.stderr.write(`bench: ${machine()}\nbench: package ${pkg.dir}\n`);

process.stderr.write('bench: signatures...\n');
const signatures = await kiiex.benchSignatures(keystamp, { rounds, ops });
process.stderr.write('bench: DePay callbacks...\n');
const callbacks = await depay.benchCallbacks(keystamp, { rounds, ops });
process.stderr.write('bench: client...\n');
const client = await kiiex.benchClient(keystamp, { rounds, ops });
process.stderr.write('bench: client with a Redis store...\n');
const withStore = await fleet.benchFleet(keystamp, { rounds, ops });
process.stderr.write('bench: cold start...\n');
const cold = coldStart.benchColdStart(
  [
    { name: 'keystamp', entry: pkg.entry },
    { name: 'keystamp/lite', entry: path.join(pkg.dir, 'dist/lite/entries/node.js') },
  ],
  { runs },
);

const settings = withMatrix ? matrix.report(matrix.benchMatrix({ quick })) : '';

const markdown = [
  header,
  kiiex.report(signatures, client),
  fleet.report(withStore),
  depay.report(callbacks),
  coldStart.report(cold, runs),
  size.report(size.packageSizes(pkg.dir)),
  settings,
  `Reproduce: \`bash scripts/bench.sh${withMatrix ? ' --matrix' : ''}\`${quick ? ' (this run: --quick)' : ''}.\n`,
].filter(Boolean).join('\n');

console.log(markdown);
const out = path.join(ROOT, 'tests/.artifacts/bench.md');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, markdown);
process.stderr.write(`bench: saved ${path.relative(ROOT, out)}\n`);
