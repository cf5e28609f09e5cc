// Runs the provider emulator as a process, for tests in another process (e.g. a Worker in
// workerd) and for the demo.
//
//   node tests/emulator/serve.mjs [--port N] [--variant name=value]...
//
// Listens on 127.0.0.1 (port 0, the default, picks a free one), prints ONE line of JSON to stdout:
//   {"url": "http://127.0.0.1:N", "baseUrls": {...}, "credentials": {...}}
// and serves until SIGTERM or SIGINT, then exits 0. A variant value is read as JSON when it parses
// (401, true) and as a string otherwise (postman). Bad arguments: usage on stderr, exit 2.
import { startEmulator } from './emulator.mjs';

const USAGE = 'usage: node tests/emulator/serve.mjs [--port N] [--variant name=value]...   (N: 0-65535)';

/** Parses the command line into startEmulator options; throws on anything unknown. */
function parseArgs(argv) {
  const options = { port: 0, variants: {} };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value;
    const inline = /^(--port|--variant)=(.*)$/s.exec(flag);
    if (inline) {
      [, flag, value] = inline;
    } else if (flag === '--port' || flag === '--variant') {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      value = argv[++i];
    } else {
      throw new Error(`unknown argument: ${flag}`);
    }
    if (flag === '--port') {
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new Error(`bad port: ${value}`);
      options.port = Number(value);
    } else {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new Error(`bad variant (name=value): ${value}`);
      const raw = value.slice(eq + 1);
      let parsed;
      try { parsed = JSON.parse(raw); } catch { parsed = raw; }
      options.variants[value.slice(0, eq)] = parsed;
    }
  }
  return options;
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}

let emu;
try {
  emu = await startEmulator(options);
} catch (err) {
  console.error(`cannot start the emulator: ${err.message}`);
  process.exit(err.code === 'EADDRINUSE' ? 3 : 2);
}
process.stdout.write(`${JSON.stringify({ url: emu.url, baseUrls: emu.baseUrls, credentials: emu.credentials })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emu.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
