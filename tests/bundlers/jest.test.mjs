// Jest 30 with its default configuration: CommonJS modules, node_modules not transformed, so it
// cannot load an ES module; `require('keystamp')` gets the package's CommonJS build
// (dist/keystamp.cjs, through the `require` condition). projects/jest/keystamp.test.js runs
// against the installed tarball and writes what keystamp computed to report.json; this test
// checks every value and the requests the emulator received.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from 'keystamp/emulator';
import { assertAppReport, assertKiiexCalls, kiiexCounts, record, run, since, toolProject, versionOf } from './helpers.mjs';

let emu;

before(async () => {
  emu = await startEmulator();
});

after(async () => {
  await emu?.close();
});

const EXPECTED_ERROR = { keystamp: true, error: true, code: 'missing_credential', field: 'apiSecret' };

test('Jest, default configuration: require(\'keystamp\') signs, calls Kiiex, throws KeystampError', async (t) => {
  const project = await toolProject('jest');
  const started = Date.now();
  const before = kiiexCounts(emu);
  await run(process.execPath, [join(project.dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--no-watchman', '--json', '--outputFile=jest.json', '--cacheDirectory=.jest-cache'], {
    cwd: project.dir, timeout: 120_000, env: { KIIEX_BASE_URL: emu.baseUrls.kiiex },
  });
  const summary = JSON.parse(readFileSync(join(project.dir, 'jest.json'), 'utf8'));
  assert.deepEqual([summary.numPassedTests, summary.numFailedTests], [3, 0]);
  const report = JSON.parse(readFileSync(join(project.dir, 'report.json'), 'utf8'));
  assertAppReport(report);
  assert.deepEqual(report.badInput, EXPECTED_ERROR);
  assertKiiexCalls(emu, before);
  record(t, { tool: 'Jest', version: versionOf(project.dir, 'jest'), target: 'node environment, CommonJS', result: 'pass', setupMs: project.setupMs, installMs: project.installMs, testMs: since(started) });
});
