// The README's emulator example, run as written: the block between the markers below must be
// the README's block, character for character (the second test checks that).
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
// README example: begin
import { Client } from 'keystamp';
import { startEmulator } from 'keystamp/emulator';

test('my DePay integration survives a revoked token and a bad moment', async (t) => {
  const emu = await startEmulator(); // 127.0.0.1, a free port
  t.after(() => emu.close());
  const depay = new Client({ provider: 'depay', baseUrl: emu.baseUrls.depay, apiKey: emu.credentials.depay.apiKey });

  assert.equal((await depay.fetch('/v2/balance')).status, 200);
  assert.equal((await depay.fetch('/v2/balance')).status, 200);
  assert.equal(emu.count('depay', 'auth'), 1); // one token exchange, reused

  emu.revokeTokens('depay'); // the server forgets every token
  assert.equal((await depay.fetch('/v2/balance')).status, 200);
  assert.equal(emu.count('depay', 'auth'), 2); // one renewal, one retry

  emu.failNext('depay', 'api', { status: 503, retryAfter: 30 });
  const busy = await depay.fetch('/v2/balance');
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get('retry-after'), '30');
});
// README example: end

test('the README shows this example verbatim', () => {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const example = source.slice(source.indexOf('// README example: begin\n') + 25, source.indexOf('// README example: end'));
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(example.length > 500);
  assert.ok(readme.includes(`\`\`\`js\n${example}\`\`\``), 'README.md must contain the example block above');
});
