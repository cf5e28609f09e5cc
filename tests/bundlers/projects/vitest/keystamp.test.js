// Vitest with no configuration: `import … from 'keystamp'` signs, calls Kiiex through the Client
// (KIIEX_BASE_URL: the emulator) and throws KeystampError; require() gives the same module.
// What keystamp computed goes to report.json for the packaging test, which checks every value.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, expect, test } from 'vitest';
import { Client, KeystampError, kiiexSignature } from 'keystamp';
import cases from './cases.js';

const report = {};
afterAll(() => writeFileSync(new URL('./report.json', import.meta.url), JSON.stringify(report)));

test('kiiexSignature signs the five vectors', () => {
  report.signatures = cases.vectors.map((v) => kiiexSignature(v));
  expect(report.signatures).toHaveLength(5);
});

test('the Client calls Kiiex', async () => {
  const client = new Client({ provider: 'kiiex', baseUrl: process.env.KIIEX_BASE_URL, ...cases.kiiex });
  const res = await client.fetch('GetUserInfo', { method: 'POST', body: '{}' });
  report.client = { status: res.status, body: await res.json() };
  expect(res.status).toBe(200);
});

test('a bad input is a KeystampError', () => {
  expect(() => kiiexSignature({ nonce: 1, userId: 1, apiKey: 'k' })).toThrow(KeystampError);
  try {
    kiiexSignature({ nonce: 1, userId: 1, apiKey: 'k' });
  } catch (err) {
    report.badInput = { keystamp: err instanceof KeystampError, error: err instanceof Error, code: err.code, field: err.field };
  }
  report.sameThroughRequire = createRequire(import.meta.url)('keystamp').kiiexSignature === kiiexSignature;
});
