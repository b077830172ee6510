// CI wrapper (cargo xtask test): runs backup-all.mjs against a fresh sandbox and checks its output.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startSandbox } from '../../bindings/web/test/support/sandbox.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sb = await startSandbox();
try {
  const child = spawn(process.execPath, [path.join(here, 'backup-all.mjs'), sb.url, 'backups'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    process.stdout.write(d);
  });
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`backup-all.mjs exited with ${code}`);
  if (!/snapshot backup-all-\S+: SUCCESS/.test(out)) throw new Error('backup-all.mjs did not report a successful snapshot');
  console.log('examples/node/backup-all.mjs: ok');
} finally {
  await sb.stop();
}
