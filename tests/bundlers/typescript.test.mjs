// TypeScript 5.9 and 7 (the native compiler), --strict with skipLibCheck off, on the runtime
// suites' consumer.ts (every export; `@ts-expect-error` lines fail the check if a type degrades
// to `any`): a Node-only project (lib es2022, types node: no DOM types, so a declaration that
// names RequestInfo, BufferSource or WebAssembly fails it) and a bundler project
// (moduleResolution bundler, lib es2022 + dom). The configs are projects/typescript/*.json.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSUMERS } from '../runtimes/helpers.mjs';
import { record, run, since, toolProject, versionOf } from './helpers.mjs';

const COMPILERS = [['typescript', 'TypeScript 5.9'], ['typescript7', 'TypeScript 7']];
const CONFIGS = [
  ['tsconfig.node-only.json', 'Node-only: lib es2022, types node, skipLibCheck off'],
  ['tsconfig.bundler.json', 'moduleResolution bundler, lib es2022 + dom, skipLibCheck off'],
];
// One plain type error: proves each compiler really checks against the package's types.
const WRONG = `import { kiiexSignature } from 'keystamp';
export const signature: string = kiiexSignature({ apiSecret: 1, nonce: 1, userId: 1, apiKey: 'k' });
`;
let project;

before(async () => {
  project = await toolProject('typescript', {
    files: {
      'consumer.ts': readFileSync(join(CONSUMERS, 'typescript', 'consumer.ts'), 'utf8'),
      'wrong.ts': WRONG,
      'tsconfig.wrong.json': JSON.stringify({ extends: './tsconfig.node-only.json', files: ['wrong.ts'] }),
    },
  });
});

for (const [pkg, name] of COMPILERS) {
  const tsc = (config) => run(process.execPath, [join(project.dir, 'node_modules', pkg, 'bin', 'tsc'), '-p', config, '--pretty', 'false'], { cwd: project.dir, timeout: 60_000 });

  for (const [config, what] of CONFIGS) {
    test(`${name}: consumer.ts type-checks under --strict (${what})`, async (t) => {
      const started = Date.now();
      const { stdout } = await tsc(config).catch((err) => err);
      assert.equal(stdout, '');
      record(t, { tool: name, version: versionOf(project.dir, pkg), target: what, result: 'pass', setupMs: project.setupMs, installMs: project.installMs, testMs: since(started) });
    });
  }

  test(`${name}: a wrongly typed option is a type error (the package types are not any)`, async () => {
    const failed = await tsc('tsconfig.wrong.json').then(() => undefined, (err) => err);
    assert.ok(failed, 'tsc must fail');
    assert.equal(failed.stdout.trim(), "wrong.ts(2,51): error TS2322: Type 'number' is not assignable to type 'string'.");
  });
}
