// tests/bench/pg_calls.mjs - the queue's read calls against a running server
// (tests/bench/pg.sh, at 1,000,000 incidents on PostgreSQL): each call
// REPS times sequentially after a warm-up, p50 and p99 of the whole
// request as the client sees it, one line per call; exit 1 when a p99 is
// over TARGET_MS, 2 when a call does not answer 200.
// usage: node tests/bench/pg_calls.mjs URL TOKEN [REPS] [TARGET_MS]
import { performance } from 'node:perf_hooks';

const [url, token, repsArg, targetArg] = process.argv.slice(2);
const REPS = Number(repsArg ?? 100);
const TARGET = Number(targetArg ?? 50);
const WARM = 5;

async function get(path) {
  const r = await fetch(url + path, { headers: { Authorization: `Bearer ${token}` } });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}
const pct = (s, p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];

const first = await get('/api/v1/incidents?limit=50');
const broad = `/api/v1/incidents?limit=50&q=${encodeURIComponent('tong tien')}`;
const calls = [
  ['list (first page)', '/api/v1/incidents?limit=50'],
  ['list (page 2, cursor)', `/api/v1/incidents?limit=50&cursor=${first.next_cursor}`],
  ['list sort=due status=open', '/api/v1/incidents?limit=50&sort=due&status=open'],
  ['list type+status filter', '/api/v1/incidents?limit=50&type=phishing&status=open'],
  ['search broad word (1 in 8 incidents)', broad],
  ['  same, sort=due', `${broad}&sort=due`],
  ['  same, sort=number', `${broad}&sort=number`],
  ['search rare word (one incident)', `/api/v1/incidents?limit=50&q=${encodeURIComponent('số 424242')}`],
  ['search address prefix', `/api/v1/incidents?limit=50&q=${encodeURIComponent('10.7.3')}`],
  ['stats (dashboard counts)', '/api/v1/stats'],
];
let worst = 0;
for (const [name, path] of calls) {
  for (let i = 0; i < WARM; i++) await get(path);
  const t = [];
  let n = 0;
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const body = await get(path);
    t.push(performance.now() - t0);
    n = Array.isArray(body.items) ? body.items.length : n;
  }
  t.sort((a, b) => a - b);
  worst = Math.max(worst, pct(t, 99));
  console.log(`${name.padEnd(44)} ${pct(t, 50).toFixed(1).padStart(8)} ms ${pct(t, 99).toFixed(1).padStart(8)} ms` +
    `   ${String(n).padStart(3)} rows  ${pct(t, 99) < TARGET ? 'ok' : 'MISS'}`);
}
console.log(`WORST_P99_MS=${worst.toFixed(1)}`);
process.exit(worst < TARGET ? 0 : 1);
