// A page written for Chrome and Edge before 114 too, which refuse to compile a module over 4 KB
// synchronously on the main thread: there keystamp compiles it asynchronously, calls before
// `await init()` throw KeystampError `not_initialized`, and init() resolves when it is ready.
// Everywhere else init() has nothing to wait for. The JSON report goes into #report.
import init, { KeystampError, kiiexSignature } from 'keystamp';
import cases from './cases.js';

let beforeInit = 'no error';
try {
  kiiexSignature(cases.vectors[0]);
} catch (err) {
  beforeInit = { keystamp: err instanceof KeystampError, code: err.code };
}
init().then(() => {
  document.querySelector('#report').textContent = JSON.stringify({ beforeInit, signatures: cases.vectors.map((v) => kiiexSignature(v)) });
});
