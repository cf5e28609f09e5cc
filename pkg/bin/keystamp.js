#!/usr/bin/env node
// The keystamp command line. One command today:
//
//   keystamp emulator [--port N] [--variant name=value]... [--lifetime name=seconds]... [--json]
//
// runs the provider emulator on 127.0.0.1 (port 0, the default, picks a free one), prints each
// provider's base URL and the test credentials (or, with --json, one line of JSON:
// {"url", "baseUrls", "wsUrls", "credentials", "variants"}), and serves until SIGINT or SIGTERM, then exits 0.
// A variant value is read as JSON when it parses (401, true) and as a string otherwise (wrapped).
// Bad arguments: the usage on stderr, exit 2; a port in use: exit 3.
import { VARIANTS, startEmulator } from '../emulator/index.js';

const USAGE = `usage: keystamp emulator [--port N] [--variant name=value]... [--lifetime name=seconds]... [--json]
  --port N                 listen on 127.0.0.1:N (0-65535; default 0: a free port)
  --variant name=value     switch a documented variant on (see the README's emulator section)
  --lifetime name=seconds  token lifetime: depay, defindexAccess, defindexRefresh, adjutorAccess
  --json                   print one line of JSON instead of the table`;

/** Parses the arguments after `emulator` into startEmulator options; throws on anything unknown. */
function parseArgs(argv) {
  const options = { port: 0, variants: {}, tokenLifetimeSec: {} };
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value;
    if (flag === '--json') { json = true; continue; }
    const inline = /^(--port|--variant|--lifetime)=(.*)$/s.exec(flag);
    if (inline) {
      [, flag, value] = inline;
    } else if (flag === '--port' || flag === '--variant' || flag === '--lifetime') {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      value = argv[++i];
    } else {
      throw new Error(`unknown argument: ${flag}`);
    }
    if (flag === '--port') {
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new Error(`bad port: ${value}`);
      options.port = Number(value);
      continue;
    }
    const eq = value.indexOf('=');
    if (eq <= 0) throw new Error(`bad ${flag.slice(2)} (name=value): ${value}`);
    const name = value.slice(0, eq);
    const raw = value.slice(eq + 1);
    if (flag === '--lifetime') {
      if (!/^-?\d+$/.test(raw)) throw new Error(`bad lifetime (whole seconds): ${value}`);
      options.tokenLifetimeSec[name] = Number(raw);
    } else {
      let parsed;
      try { parsed = JSON.parse(raw); } catch { parsed = raw; }
      options.variants[name] = parsed;
    }
  }
  return { options, json };
}

function table(emu) {
  const pad = (s) => s.padEnd(10);
  const changed = Object.entries(emu.variants).filter(([name, value]) => value !== VARIANTS[name]?.[0]);
  return [
    `keystamp emulator listening on ${emu.url} (Ctrl-C to stop)`,
    '',
    'base URLs',
    ...Object.entries(emu.baseUrls).map(([name, url]) => `  ${pad(name)} ${url}`),
    `  ${pad('kiiex ws')} ${emu.wsUrls.kiiex}`,
    '',
    'test credentials',
    ...Object.entries(emu.credentials).map(([name, creds]) => `  ${pad(name)} ${JSON.stringify(creds)}`),
    '',
    `variants: ${changed.length === 0 ? 'none (strict defaults)' : changed.map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(', ')}`,
    '',
  ].join('\n');
}

async function emulator(argv) {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return process.exit(2);
  }
  let emu;
  try {
    emu = await startEmulator(parsed.options);
  } catch (err) {
    process.stderr.write(`cannot start the emulator: ${err.message}\n`);
    if (err.code !== 'EADDRINUSE') process.stderr.write(`${USAGE}\n`);
    return process.exit(err.code === 'EADDRINUSE' ? 3 : 2);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await emu.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (parsed.json) {
    process.stdout.write(`${JSON.stringify({ url: emu.url, baseUrls: emu.baseUrls, wsUrls: emu.wsUrls, credentials: emu.credentials, variants: emu.variants })}\n`);
  } else {
    process.stdout.write(table(emu));
  }
  return undefined;
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'emulator') {
  await emulator(rest);
} else if (command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(`${USAGE}\n`);
} else {
  process.stderr.write(`${command === undefined ? 'no command' : `unknown command: ${command}`}\n${USAGE}\n`);
  process.exit(2);
}
