// The TypeScript types of verifyDepayCallback, the Kiiex WebSocket helpers and Adjutor's
// `authHeaders` credentials, as a strict consumer of the installed package sees them (tsc --strict,
// moduleResolution bundler and nodenext). Each `@ts-expect-error` line fails the check if a type
// degrades to `any`; keystamp/lite must not declare the WebSocket helpers it does not export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Inside the scratch consumer that scripts/pack.sh installs the tarball into, so `keystamp`
// resolves to the installed package.
const DIR = join(ROOT, 'tests', '.artifacts', 'consumer', 'provider-types');

const SOURCE = `import {
  authHeaders, kiiexAuthenticateFrame, kiiexReadAuthenticateReply, kiiexReadReply, kiiexRequestFrame,
  kiiexTwoFactorFrame, verifyDepayCallback,
} from 'keystamp';
import type { KiiexAuthenticateReply, VerifyDepayCallbackOptions } from 'keystamp';
import { verifyDepayCallback as liteVerify } from 'keystamp/lite';
// @ts-expect-error keystamp/lite has no WebSocket helpers
import { kiiexReadReply as liteRead } from 'keystamp/lite';

declare const request: { headers: { get(name: string): string | null }; text(): Promise<string> };

export async function handle(): Promise<number> {
  const valid: boolean = verifyDepayCallback({
    apiKey: 'k', customerUuid: 'u', body: await request.text(), signature: request.headers.get('signature'),
  });
  const fromBytes: boolean = liteVerify({ apiKey: 'k', customerUuid: 'u', body: new Uint8Array(2), signature: 'x' });
  const options: VerifyDepayCallbackOptions = { apiKey: 'k', customerUuid: 'u', body: new ArrayBuffer(2), signature: undefined };
  // @ts-expect-error the body is text or bytes, not a parsed object
  verifyDepayCallback({ apiKey: 'k', customerUuid: 'u', body: { id: 1 }, signature: 'x' });
  // @ts-expect-error signature must be given (null when the header is absent)
  verifyDepayCallback({ apiKey: 'k', customerUuid: 'u', body: '{}' });
  return Number(valid) + Number(fromBytes) + Number(verifyDepayCallback(options));
}

export function socketFlow(text: string): string {
  const frame: string = kiiexAuthenticateFrame({ apiKey: 'k', apiSecret: 's', userId: 42, seq: 2 });
  // @ts-expect-error seq is required
  kiiexAuthenticateFrame({ apiKey: 'k', apiSecret: 's', userId: 42 });
  // @ts-expect-error nonceMode is "monotonic" or "random"
  kiiexAuthenticateFrame({ apiKey: 'k', apiSecret: 's', userId: 42, seq: 2, nonceMode: 'clock' });
  const reply: KiiexAuthenticateReply = kiiexReadAuthenticateReply(text, { seq: 2 });
  // @ts-expect-error sessionToken exists only once requires2FA is false
  reply.sessionToken.length;
  if (reply.requires2FA) {
    const pending: string | undefined = reply.pendingToken;
    return kiiexTwoFactorFrame({ code: '012345', seq: 4 }) + (pending ?? '') + (reply.twoFAType ?? '');
  }
  const session: string = reply.sessionToken;
  // @ts-expect-error the code is a string (a number would lose leading zeros)
  kiiexTwoFactorFrame({ code: 12345, seq: 4 });
  const { function: name, payload } = kiiexReadReply(text, { seq: 6 });
  // @ts-expect-error the payload is unknown until checked
  payload.UserId;
  return frame + session + name + kiiexRequestFrame({ seq: 6, function: 'GetUserInfo', payload: { OMSId: 1 } });
}

export const adjutor: Record<string, string> = authHeaders('adjutor', { apiKey: 'k', accessToken: 't' });
export const unused = liteRead;
`;

const run = promisify(execFile);

for (const moduleResolution of ['bundler', 'nodenext']) {
  test(`the new exports type-check under --strict (moduleResolution ${moduleResolution})`, async () => {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, 'providers.ts'), SOURCE);
    const config = {
      compilerOptions: {
        module: moduleResolution === 'bundler' ? 'esnext' : 'nodenext',
        moduleResolution,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: [],
        strict: true,
        noEmit: true,
      },
      files: ['providers.ts'],
    };
    writeFileSync(join(DIR, `tsconfig.${moduleResolution}.json`), JSON.stringify(config, null, 2));
    writeFileSync(join(DIR, 'package.json'), '{ "type": "module" }\n');
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const { stdout } = await run(tsc, ['-p', `tsconfig.${moduleResolution}.json`, '--pretty', 'false'], { cwd: DIR, timeout: 60_000 })
      .catch((err) => ({ stdout: err.stdout || String(err) }));
    assert.equal(stdout, '');
  });
}
