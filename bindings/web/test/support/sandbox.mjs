// Starts an essnap-sandbox process (ESSNAP_SANDBOX, else <repo>/target/debug/essnap-sandbox) and
// stops it when the test process ends, pass or fail.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../../..');
const children = new Set();

function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
  children.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export function sandboxBinary() {
  const candidates = [
    process.env.ESSNAP_SANDBOX,
    process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, 'debug/essnap-sandbox'),
    path.join(repoRoot, 'target/debug/essnap-sandbox'),
  ].filter(Boolean);
  const bin = candidates.find((c) => existsSync(c));
  if (!bin) throw new Error(`essnap-sandbox not found (tried ${candidates.join(', ')}); run \`cargo build -p essnap-sandbox\` or set ESSNAP_SANDBOX`);
  return bin;
}

/** Starts a sandbox; resolves to { url, stop(), faults: {add, clear} }. */
export async function startSandbox({ seed = 'demo.json', args = [] } = {}) {
  const seedPath = path.isAbsolute(seed) ? seed : path.join(repoRoot, 'sandbox/seeds', seed);
  const child = spawn(sandboxBinary(), ['--port', '0', '--seed', seedPath, '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.stderr.resume();
  const url = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('sandbox did not print its URL within 20 s')), 20000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited early (${code})`));
    });
  });
  child.stdout.resume();
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
    children.delete(child);
  };
  const faults = {
    async add(rules) {
      const r = await fetch(`${url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rules) });
      if (!r.ok) throw new Error(`adding faults failed: ${r.status} ${await r.text()}`);
      return r.json();
    },
    async clear() {
      await fetch(`${url}/_sandbox/faults`, { method: 'DELETE' });
    },
    async list() {
      return (await fetch(`${url}/_sandbox/faults`)).json();
    },
  };
  return { url, stop, faults, pid: child.pid };
}
