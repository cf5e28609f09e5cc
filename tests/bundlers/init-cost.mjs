// What "ready at import, no init()" costs, measured on the installed tarball: the entries that
// carry the WebAssembly module inline (base64 in the JS, instantiated synchronously at import)
// against `keystamp/web`, which fetches the .wasm as a file of its own after `await init()`.
//   node tests/bundlers/init-cost.mjs [--runs N]      (after scripts/pack.sh; default 15 runs)
// Prints markdown: bundle sizes (esbuild --bundle --minify, gzip -9 and brotli -q 11 of what a
// browser downloads), the time from import to the first signature in headless Chromium and in
// Node (medians of N fresh pages / processes), and the synchronous work at import in Chromium.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { VECTORS, launchChromium, run, startFront, toolProject } from './helpers.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const V = VECTORS[0];
const SIGN = `kiiexSignature(${JSON.stringify({ apiSecret: V.apiSecret, nonce: V.nonce, userId: V.userId, apiKey: V.apiKey })})`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n) => `${n.toFixed(1)} ms`;
const gz = (b) => gzipSync(b, { level: 9 }).length;
const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

const { dir } = await toolProject('esbuild', { name: 'init-cost' });
const pkg = join(dir, 'node_modules', 'keystamp');

// The four apps: each signs once. `inline` ones import the entry every bundler resolves
// (`keystamp`, `keystamp/lite`); `file` ones import the fetching entry and await init().
const APPS = {
  'keystamp, inline': `import { kiiexSignature } from 'keystamp';\nexport const sign = async () => ${SIGN};\n`,
  'keystamp/web + init()': `import init, { kiiexSignature } from 'keystamp/web';\nexport const sign = async (wasm) => { await init(wasm); return ${SIGN}; };\n`,
  'keystamp/lite, inline': `import { kiiexSignature } from 'keystamp/lite';\nexport const sign = async () => ${SIGN};\n`,
  'keystamp/lite/web + init()': `import init, { kiiexSignature } from 'keystamp/lite/web';\nexport const sign = async (wasm) => { await init(wasm); return ${SIGN}; };\n`,
};
const WASM = { 'keystamp/web + init()': 'dist/keystamp_bg.wasm', 'keystamp/lite/web + init()': 'dist/lite/keystamp_bg.wasm' };

const out = join(dir, 'out');
mkdirSync(out, { recursive: true });
const sizes = [];
const names = Object.keys(APPS);
for (const [i, name] of names.entries()) {
  writeFileSync(join(dir, `app${i}.js`), APPS[name]);
  await run(join(dir, 'node_modules', '.bin', 'esbuild'), [`app${i}.js`, '--bundle', '--minify', '--format=esm', `--outfile=out/app${i}.js`, '--log-level=error'], { cwd: dir });
  const js = readFileSync(join(out, `app${i}.js`));
  const wasm = WASM[name] ? readFileSync(join(pkg, WASM[name])) : Buffer.alloc(0);
  if (WASM[name]) writeFileSync(join(out, `app${i}.wasm`), wasm);
  sizes.push({ name, js: js.length, wasm: wasm.length, gzip: gz(js) + (wasm.length ? gz(wasm) : 0), brotli: br(js) + (wasm.length ? br(wasm) : 0) });
}
writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>init cost</title>\n');

// Chromium: a fresh page per run; the clock starts before the dynamic import of the bundle.
const browser = await launchChromium();
const front = await startFront({ root: out, emulator: 'http://127.0.0.1:9' });
const browserTimes = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < runs; r++) {
  for (const [i, name] of names.entries()) {
    const context = await browser.newContext(); // no HTTP cache between runs
    const page = await context.newPage();
    await page.goto(front.url);
    const { t, signature } = await page.evaluate(async ([file, wasm]) => {
      const t0 = performance.now();
      const { sign } = await import(file);
      const signature = await sign(wasm);
      return { t: performance.now() - t0, signature };
    }, [`./app${i}.js`, WASM[name] ? `./app${i}.wasm` : undefined]);
    if (signature !== V.signature) throw new Error(`${name}: wrong signature ${signature}`);
    browserTimes[name].push(t);
    await context.close();
  }
}
// The synchronous work an inline entry does at import: decode the base64, compile the module.
const page = await browser.newPage();
await page.goto(front.url);
const syncWork = {};
for (const [name, file] of [['keystamp', 'dist/keystamp_wasm.js'], ['keystamp/lite', 'dist/lite/keystamp_wasm.js']]) {
  const base64 = readFileSync(join(pkg, file), 'utf8').match(/"([A-Za-z0-9+/=]+)"/)[1];
  const samples = await page.evaluate(([b64, n]) => {
    const result = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const bytes = Uint8Array.fromBase64(b64);
      const t1 = performance.now();
      new WebAssembly.Module(bytes);
      result.push([t1 - t0, performance.now() - t1]);
    }
    return result;
  }, [base64, runs]);
  syncWork[name] = { decode: median(samples.map((s) => s[0])), compile: median(samples.map((s) => s[1])) };
}
const chromiumVersion = browser.version();
await front.close();
await browser.close();

// Node: a fresh process per run; the file variant is what the Node entry did before (read the
// .wasm with node:fs, initSync).
const NODE_CASES = {
  'keystamp, inline': `const { kiiexSignature } = await import('keystamp');`,
  'keystamp/web + initSync(readFileSync(.wasm))': `const { kiiexSignature, initSync } = await import('keystamp/web');
    const { readFileSync } = await import('node:fs');
    initSync({ module: readFileSync(${JSON.stringify(join(pkg, 'dist/keystamp_bg.wasm'))}) });`,
  'keystamp/lite, inline': `const { kiiexSignature } = await import('keystamp/lite');`,
};
const nodeTimes = Object.fromEntries(Object.keys(NODE_CASES).map((n) => [n, []]));
for (let r = 0; r < runs; r++) {
  for (const [name, body] of Object.entries(NODE_CASES)) {
    const script = `const t0 = performance.now(); ${body} const s = ${SIGN}; const t = performance.now() - t0;
      if (s !== '${V.signature}') throw new Error('wrong signature'); process.stdout.write(String(t));`;
    nodeTimes[name].push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' })));
  }
}

const row = (cells) => `| ${cells.join(' | ')} |`;
console.log(`Bundle of a one-signature app (esbuild --bundle --minify --format=esm; JS + .wasm, what the browser downloads):\n`);
console.log(row(['entry', 'JS', '.wasm', 'gzip', 'brotli']));
console.log(row(['---', '---:', '---:', '---:', '---:']));
for (const s of sizes) console.log(row([s.name, kb(s.js), s.wasm ? kb(s.wasm) : '–', kb(s.gzip), kb(s.brotli)]));
console.log(`\nImport → first signature, median of ${runs} (Chromium ${chromiumVersion}: fresh context, bundle and .wasm from a local server; Node ${process.version}: fresh process):\n`);
console.log(row(['entry', 'Chromium', 'Node']));
console.log(row(['---', '---:', '---:']));
const nodeName = { 'keystamp/web + init()': 'keystamp/web + initSync(readFileSync(.wasm))' };
for (const name of names) {
  const n = nodeTimes[nodeName[name] ?? name];
  console.log(row([name, ms(median(browserTimes[name])), n ? ms(median(n)) : '–']));
}
console.log(`\nSynchronous work at import in Chromium (median): ${Object.entries(syncWork).map(([n, w]) => `${n}: base64 decode ${ms(w.decode)}, compile ${ms(w.compile)}`).join('; ')}.`);
