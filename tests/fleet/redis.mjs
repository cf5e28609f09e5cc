// A real Redis for the fleet tests: Debian's redis-server (installed by scripts/setup.sh), started
// on 127.0.0.1 with a free port and its own temporary directory, no persistence. `stop()` ends it
// and removes the directory; `start()` starts it again on the same port (an empty Redis, as after
// a crash without persistence). A process that exits without calling `stop()` still kills it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ports.mjs';


/** Whether `redis-server` is installed (scripts/setup.sh --browser installs it). */
export function haveRedis() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts redis-server; resolves once it accepts connections. */
export async function startRedis({ port } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'keystamp-redis-'));
  port ??= await freePort();
  let child;
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  async function start() {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'notice'];
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
      const onData = (chunk) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
      });
    });
  }

  async function stop() {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const killer = setTimeout(() => running.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(killer);
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() { return child.pid; },
    start,
    stop,
    /** Stops Redis for good and removes its directory. */
    async close() {
      await stop();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
