// tests/bench/reports.mjs - `make bench`: the periodic reports at a
// district's full size (issue 15): the annual implementation report for a
// district of 50 organisations and 10,000 incidents (target < 1 s) and a
// Mẫu 05 as PDF (target < 100 ms).
//
// Fixture: the demo district, 39 more agencies under the district (50
// organisations in all) and 10,000 incidents made by the domain functions
// (`ungcuu demo --incidents 10000`: the last 90 days, over the communes,
// several states), built once in /dev/shm when there is one.
//
// Measured over HTTP on loopback, as a client sees it, BENCH_REPORTS_REPS
// times each (default 20) after a warm-up, sequentially: p50 and p99 of
//   - GET /plan/annual (the JSON: every figure of every organisation),
//   - GET /plan/annual/document (the same as PDF),
//   - PATCH /plan/mau05/{id} {recount} (counting the 10,000 again),
//   - GET /plan/mau05/{id}/document (the Mẫu 05 PDF: its model built from
//     the stored report, rendered by cairo + pango),
// and the server's CPU time per call (from /proc: less noisy than the wall
// time on a machine shared with other work; the load average is printed).
// Exit status: 0 targets met, 1 a target missed, 2 could not run.
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer, cli } from '../lib/server.mjs';

const N = Number(process.env.BENCH_REPORTS_N ?? 10000);
const REPS = Number(process.env.BENCH_REPORTS_REPS ?? 20);
const WARM = 3;
const ORGS = 50;

// The server's process (its command line names our database) and the CPU
// time it has used (user + system, clock ticks of 10 ms): the wall time of
// a call depends on what else the shared machine runs, its CPU time less.
function serverPid(db) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (cmd.includes('serve') && cmd.includes(db)) return Number(d);
    } catch { /* gone */ }
  }
  return null;
}
function cpuMs(pid) {
  if (!pid) return NaN;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10;   // utime, stime (fields 14, 15)
}

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]; }

async function main() {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'ungcuu-benchr-'));
  const db = join(dir, 'ungcuu.db');
  let srv;
  try {
    const t0 = performance.now();
    cli(['demo', '--db', db, '--incidents', String(N), '--json'], { maxBuffer: 1 << 20 });
    const have = JSON.parse(cli(['admin', 'org', 'list', '--db', db, '--json'])).items?.length ?? 11;
    for (let i = have; i < ORGS; i++) {
      cli(['admin', 'org', 'add', '--db', db, '--code', `pq-dv${i}`, '--name', `Đơn vị thử số ${i} huyện Phú Quý`,
        '--kind', 'agency', '--parent', 'pq']);
    }
    const orgs = JSON.parse(cli(['admin', 'org', 'list', '--db', db, '--json'])).items?.length;
    process.stderr.write(`bench: fixture ${orgs} organisations, ${N} incidents in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    srv = await startServer({ dir });
    const pid = serverPid(db);
    const token = cli(['admin', 'token', 'create', '--db', db, '--username', 'dieuphoi']).trim();
    const req = async (method, path, body, headers = {}) => {
      const r = await fetch(srv.url + path, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body) });
      const buf = Buffer.from(await r.arrayBuffer());
      return { status: r.status, buf, etag: r.headers.get('etag'), json: () => JSON.parse(buf.toString('utf8')) };
    };
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date()));
    const list = (await req('GET', '/api/v1/plan/mau05')).json();
    let m5 = list.items.find((x) => x.org.code === 'pq' && x.period === 'year' && x.year === year);
    if (!m5) m5 = (await req('POST', '/api/v1/plan/mau05', { period: 'year', year })).json();
    const annual = (await req('GET', `/api/v1/plan/annual?year=${year}`)).json();
    const counted = annual.total.incidents;
    let version = (await req('GET', `/api/v1/plan/mau05/${m5.id}`)).json().version;
    const calls = [
      ['annual report (JSON)', () => req('GET', `/api/v1/plan/annual?year=${year}`), 1000],
      ['annual report (PDF)', () => req('GET', `/api/v1/plan/annual/document?year=${year}`), 1000],
      [`Mẫu 05 recount (${N} incidents)`, async () => {
        const r = await req('PATCH', `/api/v1/plan/mau05/${m5.id}`, { recount: true }, { 'If-Match': `"${version}"` });
        if (r.status === 200) version = r.json().version;
        return r;
      }, null],
      ['Mẫu 05 (PDF)', () => req('GET', `/api/v1/plan/mau05/${m5.id}/document`), 100],
    ];
    const rows = [];
    let status = 0;
    for (const [name, call, target] of calls) {
      const t = [];
      let bytes = 0;
      let cpu0 = NaN;
      for (let i = 0; i < WARM + REPS; i++) {
        if (i === WARM) cpu0 = cpuMs(pid);
        const s = performance.now();
        const r = await call();
        const ms = performance.now() - s;
        if (r.status !== 200) throw new Error(`${name}: ${r.status} ${r.buf.toString('utf8').slice(0, 200)}`);
        bytes = r.buf.length;
        if (i >= WARM) t.push(ms);
      }
      const cpu = (cpuMs(pid) - cpu0) / REPS;
      t.sort((a, b) => a - b);
      const p99 = pct(t, 99);
      const ok = target == null || p99 < target;
      if (!ok) status = 1;
      rows.push(`${ok ? (target == null ? '      ' : 'PASS  ') : 'FAIL  '}${name.padEnd(36)} p50 ${pct(t, 50).toFixed(1).padStart(7)} ms  p99 ${p99.toFixed(1).padStart(7)} ms` +
        `  server CPU ${Number.isFinite(cpu) ? cpu.toFixed(1) : '?'} ms/call${target == null ? '' : `  (target < ${target} ms)`}  ${(bytes / 1024).toFixed(0)} KB`);
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`Periodic reports: ${orgs} organisations, ${N} incidents (${counted} counted in ${year}), ${REPS} runs each after ${WARM} warm-up; load average ${load}`);
    for (const r of rows) console.log(r);
    return status;
  } finally {
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then((s) => process.exit(s), (e) => { console.error(`bench: ${e.stack ?? e}`); process.exit(2); });
