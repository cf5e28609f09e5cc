// TypeScript: consumers/typescript/consumer.ts uses every export of the installed package and is
// type-checked with the root's tsc (--strict, no emit) under moduleResolution nodenext and
// bundler. Its `@ts-expect-error` lines fail the check if any config type degrades to `any`.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BIN, makeConsumer, run } from './helpers.mjs';

let dir;
const results = {}; // config -> tsc's stdout, or the error when tsc failed

// A file with one plain type error: proves tsc really checks against the package's types.
const WRONG = `import { kiiexSignature } from 'keystamp';
export const signature: string = kiiexSignature({ apiSecret: 1, nonce: 1, userId: 1, apiKey: 'k' });
`;
const CONFIGS = [
  ['tsconfig.nodenext.json', 'moduleResolution nodenext, lib es2022 + dom, skipLibCheck off'],
  ['tsconfig.bundler.json', 'moduleResolution bundler, lib es2022 + dom, skipLibCheck off'],
  ['tsconfig.node-only.json', 'a Node-only project: lib es2022 + @types/node, skipLibCheck on'],
];
const WRONG_CONFIG = JSON.stringify({ extends: './tsconfig.nodenext.json', files: ['wrong.ts'] });

before(async () => {
  dir = await makeConsumer('typescript', {
    packageJson: { type: 'module' },
    files: { 'wrong.ts': WRONG, 'tsconfig.wrong.json': WRONG_CONFIG },
  });
  // The runs are independent: check all configs at once.
  const configs = [...CONFIGS.map(([config]) => config), 'tsconfig.wrong.json'];
  await Promise.all(configs.map(async (config) => {
    results[config] = await run(join(BIN, 'tsc'), ['-p', config, '--pretty', 'false'], { cwd: dir, timeout: 50_000 })
      .then(({ stdout }) => stdout, (err) => err);
  }));
});

for (const [config, what] of CONFIGS) {
  test(`consumer.ts type-checks under --strict (${what})`, () => {
    assert.equal(results[config], '', results[config]?.message);
  });
}

test('a wrongly typed config is a type error (the package types are not any)', () => {
  const failed = results['tsconfig.wrong.json'];
  assert.ok(failed instanceof Error, 'tsc must fail');
  assert.equal(failed.stdout.trim(), "wrong.ts(2,51): error TS2322: Type 'number' is not assignable to type 'string'.");
});
