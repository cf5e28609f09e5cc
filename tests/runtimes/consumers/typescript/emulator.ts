// A TypeScript user of keystamp/emulator (Node only). Only type-checked, under the Node-only
// config; each `@ts-expect-error` line must be an error, so the emulator's types are not `any`.
import { deltadefiError, signDepayCallback, startEmulator, totp } from 'keystamp/emulator';
import type { Emulator, EmulatorRequest, FailureSpec } from 'keystamp/emulator';

async function offline(): Promise<number> {
  let now = Date.UTC(2026, 0, 1);
  const emu: Emulator = await startEmulator({ now: () => now, variants: { depayAnswerShape: 'wrapped' }, tokenLifetimeSec: { depay: 2 } });
  const base: string = emu.baseUrls.depay + emu.wsUrls.kiiex;
  const key: string = emu.credentials.depay.apiKey;
  emu.failNext('depay', 'auth', { status: 429, retryAfter: new Date(now + 60_000) });
  emu.failNext('kiiex', 'twoFactor', { hang: true, times: 2 });
  emu.failNext('deltadefi', '*', { ...deltadefiError(4290), times: 3 });
  const spec: FailureSpec = { hugeBody: { bytes: 1 << 20 }, slowBody: { chunkBytes: 4 } };
  emu.failNext('defindex', 'refresh', spec);
  emu.setVariant('kiiexTwoFactor', true);
  now += 1000;
  const last: EmulatorRequest | undefined = emu.requests.at(-1);
  const callback = emu.depayCallback({ id: 'pay_1' });
  const same: boolean = callback.signature === signDepayCallback({ apiKey: key, customerUuid: callback.customerUuid, body: callback.body });
  const code: string = totp(emu.credentials.kiiex.twoFactorSecret, now) + emu.twoFactorCode();
  const opened: number = emu.connections.opened + emu.counts().kiiex.twoFactor + emu.count('adjutor', 'core');
  await emu.close();
  return opened + (same ? 1 : 0) + base.length + code.length + (last?.connection ?? 0);
}

// @ts-expect-error no such route for DePay
startEmulator().then((emu) => emu.failNext('depay', 'rotate', {}));
// @ts-expect-error variants take their documented values only
startEmulator({ variants: { depayAnswerShape: 'nested' } });
// @ts-expect-error retryAfter is seconds, a Date or a string
const badSpec: FailureSpec = { retryAfter: true };
// @ts-expect-error only Adjutor keys are reset
startEmulator().then((emu) => emu.resetKey('depay'));

export { offline, badSpec };
