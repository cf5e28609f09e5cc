// Jest with its default configuration (CommonJS modules, node_modules not transformed):
// require('keystamp') signs, calls Kiiex through the Client (KIIEX_BASE_URL: the emulator), and
// throws KeystampError. What keystamp computed goes to report.json for the packaging test, which
// checks every value against the vectors.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Client, KeystampError, kiiexSignature } = require('keystamp');
const cases = require('./cases.json');

const report = {};
afterAll(() => writeFileSync(join(__dirname, 'report.json'), JSON.stringify(report)));

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
});
