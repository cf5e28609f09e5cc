// Cold start: in a fresh `node` process, the time from `import` of the package to the first
// signature (the wasm is read, compiled and instantiated on import), next to the same for
// node:crypto. Each is run `runs` times, one process after the other; medians are reported.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

import { fmt, stats, table } from './measure.mjs';
import { API_KEY, SECRET, USER_ID, VECTOR } from './kiiex.mjs';

/** The body of a child process: `importAndSign` runs between the two clock readings. */
function script(importAndSign) {
  return `
    const start = performance.now();
    const signature = await (async () => { ${importAndSign} })();
    const end = performance.now();
    if (signature !== '${VECTOR.signature}') throw new Error('wrong signature: ' + signature);
    process.stdout.write(JSON.stringify({ importToSignature: end - start, processToSignature: end }));
  `;
}

/** The cases: each keystamp entry (`{ name, entry }`, `entry` a file path), then node:crypto. */
const cases = (entries) => [
  ...entries.map(({ name, entry }) => ({
    name: `${name}: import, then kiiexSignature`,
    body: `const { kiiexSignature } = await import('${pathToFileURL(entry).href}');
      return kiiexSignature({ apiSecret: '${SECRET}', nonce: '${VECTOR.nonce}', userId: '${USER_ID}', apiKey: '${API_KEY}' });`,
  })),
  {
    name: 'node:crypto: import, then createHmac',
    body: `const { createHmac } = await import('node:crypto');
      return createHmac('sha256', '${SECRET}').update('${VECTOR.nonce}${USER_ID}${API_KEY}').digest('hex');`,
  },
];

/** Median times in ms, per case: `[{ name, importToSignature, processToSignature }]`. */
export function benchColdStart(entries, { runs = 10 } = {}) {
  const list = cases(entries);
  const samples = list.map(() => ({ importToSignature: [], processToSignature: [] }));
  for (let run = 0; run < runs; run++) {
    list.forEach(({ body }, i) => {
      const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script(body)], { encoding: 'utf8' }));
      samples[i].importToSignature.push(out.importToSignature);
      samples[i].processToSignature.push(out.processToSignature);
    });
  }
  return list.map(({ name }, i) => ({
    name,
    importToSignature: stats(samples[i].importToSignature),
    processToSignature: stats(samples[i].processToSignature),
  }));
}

export function report(rows, runs) {
  return `Cold start, fresh \`node\` process, median of ${runs} (ms):\n\n${table(
    ['', 'import → first signature', 'process start → first signature'],
    rows.map((r) => [r.name, `${fmt.ms(r.importToSignature.median)} (${fmt.ms(r.importToSignature.min)} – ${fmt.ms(r.importToSignature.max)})`, fmt.ms(r.processToSignature.median)]),
  )}\n`;
}
