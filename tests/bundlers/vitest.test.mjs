// Vitest with no configuration (ES modules; Vitest 5 needs Node >= 22.12, so it runs on the
// pinned Node 24). projects/vitest/keystamp.test.js runs against the installed tarball and writes
// what keystamp computed to report.json; this test checks every value and the requests the
// emulator received.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from 'keystamp/emulator';
import { assertAppReport, assertKiiexCalls, kiiexCounts, nodeBinary, record, run, since, toolProject, versionOf } from './helpers.mjs';

let emu;

before(async () => {
  emu = await startEmulator();
});

after(async () => {
  await emu?.close();
});

const EXPECTED_ERROR = { keystamp: true, error: true, code: 'missing_credential', field: 'apiSecret' };

test('Vitest, no configuration: import signs, calls Kiiex, throws KeystampError; require gives the same module', async (t) => {
  const [project, node] = await Promise.all([toolProject('vitest'), nodeBinary(24)]);
  const started = Date.now();
  const before = kiiexCounts(emu);
  const { stdout } = await run(node, [join(project.dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
    cwd: project.dir, timeout: 120_000, env: { KIIEX_BASE_URL: emu.baseUrls.kiiex, NO_COLOR: '1', CI: '1' },
  });
  assert.match(stdout, /Tests\s+3 passed \(3\)/);
  const report = JSON.parse(readFileSync(join(project.dir, 'report.json'), 'utf8'));
  assertAppReport(report);
  assert.deepEqual(report.badInput, EXPECTED_ERROR);
  assert.equal(report.sameThroughRequire, true, 'import and require give one module instance');
  assertKiiexCalls(emu, before);
  record(t, { tool: 'Vitest', version: versionOf(project.dir, 'vitest'), target: 'node, ES modules (Node 24)', result: 'pass', setupMs: project.setupMs, installMs: project.installMs, testMs: since(started) });
});
