// What the build settings do to size and speed: every variant is built from the same sources
// into target/bench-matrix/ (pkg/ is left alone), then measured: the .wasm and the JS glue, raw
// and gzip, and, in a fresh `node` process per variant, `KiiexSigner.sign` and `kiiexSignature`
// against node:crypto in the same process.
//
//   node tests/bench/matrix.mjs [--quick]      (part of: node tests/bench/run.mjs --matrix)
//
// Variants: the Cargo feature set (the full module, or `lite` without the Client), the rustc
// `opt-level`, wasm SIMD (`+simd128`, which selects sha2's SIMD backend) and the wasm-opt pass.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { fmt, table } from './measure.mjs';
import { ROOT } from './package.mjs';
import { sizes } from './size.mjs';

const OUT = path.join(ROOT, 'target/bench-matrix');
/** Debian's wasm-opt (`apt-get install binaryen`, version 108 on Debian 12), measured when present. */
const DEBIAN_WASM_OPT = '/usr/bin/wasm-opt';

/** The variants measured; the first of each feature set is the shipped one (scripts/build.sh). */
export const VARIANTS = [
  { features: 'full', opt: '3', simd: true, wasmOpt: '-O3' },
  { features: 'full', opt: '3', simd: true, wasmOpt: '-Oz' },
  { features: 'full', opt: '3', simd: true, wasmOpt: null },
  { features: 'full', opt: '3', simd: true, wasmOpt: '-O3', debian: true },
  { features: 'full', opt: '3', simd: false, wasmOpt: '-O3' },
  { features: 'full', opt: 'z', simd: true, wasmOpt: '-Oz' },
  { features: 'full', opt: 'z', simd: false, wasmOpt: '-Oz' },
  { features: 'full', opt: 's', simd: true, wasmOpt: '-Os' },
  { features: 'lite', opt: '3', simd: true, wasmOpt: '-O3' },
  { features: 'lite', opt: '3', simd: true, wasmOpt: '-Oz' },
  { features: 'lite', opt: 'z', simd: true, wasmOpt: '-Oz' },
  { features: 'lite', opt: 'z', simd: false, wasmOpt: '-Oz' },
];

const label = (v) =>
  `${v.features}, opt-level ${v.opt}, ${v.simd ? 'simd128' : 'no SIMD'}, ${v.wasmOpt ? `${v.debian ? "Debian's " : ''}wasm-opt ${v.wasmOpt}` : 'no wasm-opt'}`;

/** Builds the Rust side of `v` once per (features, opt, simd); returns the .wasm path. */
function cargoBuild(v) {
  const dir = path.join(OUT, 'cargo', `${v.features}-${v.opt}-${v.simd ? 'simd' : 'nosimd'}`);
  const opt = /^\d$/.test(v.opt) ? v.opt : `"${v.opt}"`;
  const args = ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '--lib', '--config', `profile.release.opt-level=${opt}`];
  if (v.features === 'lite') args.push('--no-default-features');
  execFileSync('cargo', args, {
    cwd: ROOT,
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, CARGO_TARGET_DIR: dir, RUSTFLAGS: `-C target-feature=${v.simd ? '+' : '-'}simd128` },
  });
  return path.join(dir, 'wasm32-unknown-unknown/release/keystamp.wasm');
}

/** A package folder for `v` laid out like pkg/ (entries/, and dist/ made by scripts/bindgen.sh). */
function bindgen(v, wasm, index) {
  const pkg = path.join(OUT, `variant-${index}`);
  rmSync(pkg, { recursive: true, force: true });
  cpSync(path.join(ROOT, 'pkg/entries'), path.join(pkg, 'entries'), { recursive: true });
  const args = [path.join(ROOT, 'scripts/bindgen.sh'), wasm, path.join(pkg, 'dist'), v.wasmOpt ?? 'none'];
  if (v.debian) args.push(DEBIAN_WASM_OPT);
  execFileSync('bash', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return pkg;
}

/** Speed of the package in `pkg`, in a fresh process: ratios to node:crypto. */
function speed(pkg, quick) {
  const entry = pathToFileURL(path.join(pkg, 'entries/node.js')).href;
  const bench = pathToFileURL(path.join(ROOT, 'tests/bench/kiiex.mjs')).href;
  const code = `
    const { benchSignatures } = await import('${bench}');
    const result = await benchSignatures(await import('${entry}'), { rounds: ${quick ? 5 : 11}, ops: ${quick ? 2000 : 10000}, peers: false });
    process.stdout.write(JSON.stringify(Object.fromEntries(result.rows.map((r) => [r.name, r]))));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }));
}

/** Builds and measures every variant: `[{ variant, size, speed }]`. */
export function benchMatrix({ quick = false } = {}) {
  mkdirSync(OUT, { recursive: true });
  return VARIANTS.map((variant, index) => {
    process.stderr.write(`bench: matrix ${index + 1}/${VARIANTS.length}: ${label(variant)}\n`);
    if (variant.debian && !existsSync(DEBIAN_WASM_OPT)) return { variant, failure: `not installed (\`apt-get install binaryen\` adds ${DEBIAN_WASM_OPT})` };
    let pkg;
    try {
      pkg = bindgen(variant, cargoBuild(variant), index);
    } catch (err) {
      // Reported, not fatal: a tool that cannot handle the module is a finding of the matrix.
      const output = `${err.stderr ?? ''}${err.stdout ?? ''}`.trim().split('\n').filter(Boolean);
      return { variant, failure: `fails: ${output.slice(-2).join(' ') || err.message}` };
    }
    return { variant, size: sizes(path.join(pkg, 'dist')), speed: speed(pkg, quick) };
  });
}

export function report(rows) {
  const sign = (r, name) => fmt.ratio(r.speed[name].ratio);
  return `Build settings (each variant in a fresh process; ratios to node:crypto in that process; the first row of each feature set is what ships):\n\n${table(
    ['variant', '.wasm gzip', 'wasm + glue gzip', 'KiiexSigner.sign', 'kiiexSignature'],
    rows.map((r) =>
      r.failure
        ? [label(r.variant), r.failure.replaceAll('|', '/'), '', '', '']
        : [label(r.variant), fmt.kb(r.size.wasm.gzip), fmt.kb(r.size.total.gzip), sign(r, 'keystamp KiiexSigner.sign'), sign(r, 'keystamp kiiexSignature')],
    ),
  )}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = benchMatrix({ quick: process.argv.includes('--quick') });
  const markdown = report(rows);
  console.log(markdown);
  mkdirSync(path.join(ROOT, 'tests/.artifacts'), { recursive: true });
  writeFileSync(path.join(ROOT, 'tests/.artifacts/bench-matrix.md'), markdown);
}
