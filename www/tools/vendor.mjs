// Copies the built essnap package (bindings/web/pkg, or ESSNAP_PKG) into www/vendor/essnap/, so
// www/ can be published on any static host as it is.
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { wwwRoot } from './serve.mjs';

const src = path.resolve(process.env.ESSNAP_PKG ?? path.join(wwwRoot, '../bindings/web/pkg'));
if (!existsSync(path.join(src, 'index.js'))) {
  console.error(`no package at ${src}: run \`cargo xtask web build\` first`);
  process.exit(1);
}
const dst = path.join(wwwRoot, 'vendor/essnap');
rmSync(dst, { recursive: true, force: true });
cpSync(src, dst, { recursive: true, filter: (f) => !f.endsWith('.d.ts') || f.endsWith('index.d.ts') });
console.log(`copied ${src} -> ${dst}`);
