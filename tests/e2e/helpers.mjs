// Shared set-up of the end-to-end suites: the provider emulator on 127.0.0.1, a fake clock that
// both the emulator and the Client read, and a fetch that records what the Client sent.
import { startEmulator } from 'keystamp/emulator';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A clock tests step by hand: `clock.now()`, `clock.advance(ms)`. */
export function fakeClock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms) => { now += ms; }, set: (ms) => { now = ms; } };
}

/** Starts the emulator on the fake clock. Remember to `await emu.close()`. */
export async function emulatorWithClock(options = {}) {
  const clock = fakeClock();
  const emu = await startEmulator({ now: clock.now, ...options });
  return { emu, clock };
}

/** A fetch that counts the calls the Client makes and passes them to the real fetch. */
export function countingFetch() {
  const sent = [];
  const fetchFn = async (request) => {
    sent.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers) });
    return fetch(request);
  };
  return { fetch: fetchFn, sent };
}

/** Runs `fn` and fails on any unhandled rejection raised meanwhile. */
export async function noUnhandledRejections(fn) {
  const seen = [];
  const onRejection = (reason) => seen.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    const result = await fn();
    await new Promise((r) => setTimeout(r, 20));
    if (seen.length) throw new Error(`unhandled rejections: ${seen.map(String).join('; ')}`);
    return result;
  } finally {
    process.off('unhandledRejection', onRejection);
  }
}
