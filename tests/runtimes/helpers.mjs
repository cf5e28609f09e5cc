// Shared set-up of the runtime suites: each suite makes a scratch consumer project under
// tests/.artifacts/runtimes/<name>/, installs the packed tarball into it exactly as a user's
// `npm install keystamp` would, and runs the consumer code from tests/runtimes/consumers/ in a
// real runtime. Nothing here imports keystamp itself.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'tests', '.artifacts');
export const CONSUMERS = fileURLToPath(new URL('./consumers/', import.meta.url));
export const BIN = join(ROOT, 'node_modules', '.bin');

/** The five Kiiex vectors of the provider contracts (inputs and expected signature). */
export const VECTORS = JSON.parse(readFileSync(join(ROOT, 'tests', 'vectors.json'), 'utf8')).kiiex;
assert.deepEqual(VECTORS.map((v) => v.signature), [ // as published in the provider contracts
  'cd95952f3f722dbb00ac4b7a097813f3a4b8745a950c6b1bdb55278ad759bb6c',
  'e29b8f8f9654f9604c16fd193e9440c889e558bca55962c87a5ebcf7355a8897',
  '1de0d838d33b7c4e53df5e8e2899eb283203d060d476905755d65328958ee1df',
  '99cc024f5483b574b2f6c15535a82b0822dfc703cb24688d9ac34f5324e678f3',
  '4dd2921a7e1fdc464e1a61f28f31dc5f8295de893c88a38e193bb0d47a82d4af',
], 'tests/vectors.json holds the five Kiiex vectors');

/** What every consumer receives: the vectors without their signatures, and header credentials. */
export const CASES = {
  vectors: VECTORS.map(({ apiSecret, nonce, userId, apiKey }) => ({ apiSecret, nonce, userId, apiKey })),
  credentials: [
    ['defindex', { apiKey: 'sk_live_defindex_1' }],
    ['deltadefi', { apiKey: 'dd_live_key_1' }],
    ['adjutor', { apiKey: 'adj_live_key_1' }],
    ['depay', { accessToken: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' }],
    ['depay', { apiKey: 'depay_live_key_1' }],
    ['kiiex', { sessionToken: 'ap_session_1' }],
  ],
};

/** The files a reporting consumer (Node, Deno, browser) gets next to its own: its inputs and
 * the shared report builder, consumers/shared/report.mjs. */
export const REPORT_FILES = {
  'cases.json': JSON.stringify(CASES),
  'report.mjs': readFileSync(join(CONSUMERS, 'shared', 'report.mjs'), 'utf8'),
};

/** The exact headers `authHeaders` must give for each entry of CASES.credentials. */
export const EXPECTED_HEADERS = [
  { Authorization: 'Bearer sk_live_defindex_1' },
  { 'X-API-KEY': 'dd_live_key_1' },
  { Authorization: 'Bearer adj_live_key_1' },
  { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' },
  { 'x-api-key': 'depay_live_key_1' },
  { aptoken: 'ap_session_1' },
];

/** The four AuthenticateUser headers of vector 2 (nonce 637958203, user 184). */
export const EXPECTED_KIIEX_HEADERS = {
  APIKey: VECTORS[1].apiKey, Signature: VECTORS[1].signature, UserId: '184', Nonce: '637958203',
};

/** The errors the consumers provoke: a header injection and an unknown provider. */
export const EXPECTED_ERRORS = [
  { keystamp: true, error: true, name: 'KeystampError', code: 'invalid_header_value', provider: 'adjutor', field: 'apiKey' },
  { keystamp: true, error: true, name: 'KeystampError', code: 'unknown_provider' },
];

/** Checks the JSON report the Node, Deno and browser consumers print. */
export function assertReport(report) {
  assert.deepEqual(report.signatures, VECTORS.map((v) => v.signature), 'kiiexSignature, every vector');
  assert.deepEqual(report.signerSignatures, VECTORS.map((v) => v.signature), 'KiiexSigner.sign, every vector');
  assert.deepEqual(report.quickStart, { signature: VECTORS[0].signature, headers: { 'X-API-KEY': 'dd_live_key_1' } }, 'quick start, ids as numbers');
  assert.deepEqual(report.kiiexAuthHeaders, EXPECTED_KIIEX_HEADERS);
  assert.deepEqual(report.headers, EXPECTED_HEADERS);
  assert.deepEqual(report.errors, EXPECTED_ERRORS);
}

/** The packed tarball made by scripts/pack.sh. */
export function tarball() {
  const found = existsSync(ARTIFACTS) ? readdirSync(ARTIFACTS).filter((f) => /^keystamp-.*\.tgz$/.test(f)) : [];
  assert.equal(found.length, 1, 'exactly one tests/.artifacts/keystamp-*.tgz: run `bash scripts/pack.sh` first');
  return join(ARTIFACTS, found[0]);
}

/**
 * A fresh consumer project tests/.artifacts/runtimes/<name>/ with the given package.json, the
 * files of consumers/<name>/ and the tarball installed by npm. Returns its directory.
 */
export async function makeConsumer(name, { packageJson, files = {} }) {
  const dir = join(ARTIFACTS, 'runtimes', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `keystamp-${name}-consumer`, private: true, ...packageJson }, null, 2)}\n`);
  cpSync(join(CONSUMERS, name), dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball()], { cwd: dir, timeout: 60_000 });
  return dir;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(cmd, args, { cwd, env, timeout = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: { ...process.env, ...env }, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`${cmd} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${stdout}\n${stderr}`), { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/**
 * Starts a long-running command in its own process group (its children, e.g. workerd, outlive
 * it otherwise). `waitFor(regex)` resolves with the first match in stdout+stderr; `stop()` ends
 * the whole group.
 */
export function startGroup(cmd, args, { cwd, env } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set();
  const onData = (chunk) => {
    output += chunk;
    for (const w of waiters) w();
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const killOnExit = () => signalGroup(child.pid, 'SIGKILL'); // even if the test run is aborted
  process.once('exit', killOnExit);

  return {
    pid: child.pid,
    get output() { return output; },
    waitFor(regex, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = output.match(regex);
          if (m) finish(() => resolve(m));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no ${regex} within ${timeoutMs} ms:\n${output}`))), timeoutMs);
        const onExit = (code) => finish(() => reject(new Error(`${cmd} exited (${code}) before ${regex}:\n${output}`)));
        const finish = (settle) => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
          settle();
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop() {
      process.off('exit', killOnExit);
      signalGroup(child.pid, 'SIGTERM');
      const killer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
      signalGroup(child.pid, 'SIGKILL'); // whatever of the group is still there
      for (let waited = 0; livingInGroup(child.pid).length > 0 && waited < 5000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/** The live (not zombie) processes of process group `pgid`, read from /proc (Linux). */
export function livingInGroup(pgid) {
  const living = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') living.push(Number(pid));
  }
  return living;
}
