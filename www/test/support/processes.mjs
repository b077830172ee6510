// Every process a test starts (sandbox, real node, static server, Chromium) is tracked here and
// stopped when the test ends, pass or fail — and, as a last resort, when the test process exits.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const wwwRoot = path.resolve(here, '../..');
export const repoRoot = path.resolve(wwwRoot, '..');
const children = new Set();

function killAllNow() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
  children.clear();
}
process.on('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    killAllNow();
    process.exit(130);
  });
}

function targetDirs() {
  return [process.env.CARGO_TARGET_DIR, path.join(repoRoot, 'target')].filter(Boolean).map((d) => (path.isAbsolute(d) ? d : path.join(repoRoot, d)));
}

export function sandboxBinary() {
  const candidates = [process.env.ESSNAP_SANDBOX, ...targetDirs().map((d) => path.join(d, 'debug/essnap-sandbox'))].filter(Boolean);
  const bin = candidates.find((c) => existsSync(c));
  if (!bin) throw new Error(`essnap-sandbox not found (tried ${candidates.join(', ')}): run \`cargo build -p essnap-sandbox\` or set ESSNAP_SANDBOX`);
  return bin;
}

/** Spawns `bin args`, resolves once it printed a URL as its first stdout line. */
async function startPrintingUrl(bin, args, { timeoutMs, name, env }) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot, env: { ...process.env, ...env } });
  children.add(child);
  let errTail = '';
  child.stderr.on('data', (d) => {
    errTail = (errTail + d).slice(-4000);
  });
  const url = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${name} did not print its URL within ${timeoutMs / 1000} s\n${errTail}`)), timeoutMs);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early (${code})\n${errTail}`));
    });
  }).catch(async (e) => {
    await stopChild(child);
    throw e;
  });
  child.stdout.resume();
  return { child, url, stderr: () => errTail, stop: () => stopChild(child) };
}

async function stopChild(child, graceMs = 5000) {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(t);
  }
  children.delete(child);
}

/** A sandbox cluster; `seed` is a file in sandbox/seeds/ or a path. Resolves to {url, stop, faults}. */
export async function startSandbox({ seed = 'demo.json', args = [] } = {}) {
  const seedPath = path.isAbsolute(seed) ? seed : path.join(repoRoot, 'sandbox/seeds', seed);
  const p = await startPrintingUrl(sandboxBinary(), ['--port', '0', '--seed', seedPath, '--quiet', ...args], { timeoutMs: 20000, name: 'the sandbox' });
  const call = async (method, body) => {
    const r = await fetch(`${p.url}/_sandbox/faults`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    if (!r.ok) throw new Error(`faults ${method}: ${r.status} ${await r.text()}`);
    return r.json().catch(() => null);
  };
  return { url: p.url, stop: p.stop, faults: { add: (rules) => call('POST', rules), clear: () => call('DELETE'), list: () => call('GET') } };
}

function xtaskCommand() {
  if (process.env.ESSNAP_XTASK && existsSync(process.env.ESSNAP_XTASK)) return [process.env.ESSNAP_XTASK, []];
  for (const d of targetDirs()) {
    const b = path.join(d, 'debug/xtask');
    if (existsSync(b)) return [b, []];
  }
  return ['cargo', ['xtask']];
}

/** A real node (`xtask cluster`, CORS on) with a repository folder of its own. Resolves to {url, repoPath, stop}. */
export async function startRealNode({ dist = 'opensearch', version = '2.19.1', timeoutMs = 240000 } = {}) {
  const repoPath = mkdtempSync(path.join(tmpdir(), 'essnap-www-repo-'));
  const [bin, pre] = xtaskCommand();
  const p = await startPrintingUrl(bin, [...pre, 'cluster', '--dist', dist, '--version', version, '--port', '0', '--cors', '--no-stdin', '--repo-path', repoPath], { timeoutMs, name: `the ${dist} ${version} node` });
  return {
    url: p.url,
    repoPath,
    stop: async () => {
      await stopChild(p.child, 20000);
      rmSync(repoPath, { recursive: true, force: true });
    },
  };
}

export async function stopAll() {
  await Promise.all([...children].map((c) => stopChild(c)));
}
