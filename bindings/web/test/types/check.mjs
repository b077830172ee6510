// Type-checks test/types/usage.ts against the built pkg/index.d.ts (strict), and checks that
// index.d.ts declares every runtime export of index.js.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as essnap from 'essnap';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsc = path.join(web, 'node_modules/.bin/tsc');
execFileSync(tsc, ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', path.join(web, 'test/types/usage.ts')], { stdio: 'inherit', cwd: web });
const dts = readFileSync(path.join(web, 'pkg/index.d.ts'), 'utf8');
const missing = Object.keys(essnap).filter((name) => !new RegExp(`export (declare )?(function|class|const) ${name}\\b`).test(dts));
if (missing.length) {
  console.error(`index.d.ts lacks: ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`types: usage.ts type-checks; all ${Object.keys(essnap).length} runtime exports are declared`);
