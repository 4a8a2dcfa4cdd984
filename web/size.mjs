#!/usr/bin/env node
// Prints the gzipped size of the JS and CSS the browser loads from web/dist
// (what `make bench` reports). Exits 1 when the first load passes the budget.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const BUDGET = 150 * 1024; // issue 4: first load ≤ 150 KB JS+CSS gzipped
const dist = join(dirname(fileURLToPath(import.meta.url)), 'dist');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (['.js', '.css', '.mjs'].includes(extname(name))) out.push(p);
  }
  return out;
}

let files;
try {
  files = walk(dist);
} catch {
  console.error(`size: ${dist} not found — run "cd web && npm ci && npm run build" first`);
  process.exit(2);
}
let raw = 0;
let gz = 0;
for (const f of files.sort()) {
  const buf = readFileSync(f);
  const z = gzipSync(buf, { level: constants.Z_BEST_COMPRESSION }).length;
  raw += buf.length;
  gz += z;
  console.log(`  ${relative(dist, f).padEnd(40)} ${(buf.length / 1024).toFixed(1).padStart(8)} KB  ${(z / 1024).toFixed(1).padStart(7)} KB gz`);
}
const kb = (gz / 1024).toFixed(1);
console.log(`web: ${files.length} files, ${(raw / 1024).toFixed(1)} KB raw, ${kb} KB gzipped JS+CSS (budget ${BUDGET / 1024} KB)`);
if (gz > BUDGET) {
  console.error(`web: over budget by ${((gz - BUDGET) / 1024).toFixed(1)} KB`);
  process.exit(1);
}
