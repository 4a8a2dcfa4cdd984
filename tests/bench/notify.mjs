// tests/bench/notify.mjs - `make bench`: notification throughput (issue 17
// item 6, target >= 1,000 queued and delivered per second) to a local SMTP
// sink: the server's worker sends over one SMTP connection, reused from mail
// to mail.
//
// Fixture: the demo district with BENCH_NOTIFY_USERS (default 50) more
// people at the district, each with a mailbox and the default channels (a
// new incident: the browser and mail). BENCH_NOTIFY_INCIDENTS (default 100)
// incidents are then filed by a commune through the API, 8 at a time: each
// queues, in its own transaction, one notification and one mail per person
// of the district (about 5,000 mails). The sink is a minimal SMTP server in
// this script (it answers every command at once and counts DATA ends and
// Message-IDs), so what is measured is ungcuu, not the receiver.
//
// Printed: mails, the time from the first filing to the last mail received,
// mails per second end to end, the worker's rate once mail flows, and any
// Message-ID received twice (must be none). Exit: 0 target met, 1 missed,
// 2 could not run.
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer, Client } from '../lib/server.mjs';

const USERS = Number(process.env.BENCH_NOTIFY_USERS ?? 50);
const INCIDENTS = Number(process.env.BENCH_NOTIFY_INCIDENTS ?? 100);
const TARGET = 1000;

function sink() {
  const s = { count: 0, ids: new Map(), first: 0, last: 0 };
  s.server = createServer((c) => {
    let buf = '';
    let data = false;
    let msgId = null;
    c.write('220 sink ESMTP\r\n');
    c.on('data', (d) => {
      buf += d.toString('latin1');
      let out = '';
      for (;;) {
        if (data) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) break;
          const m = /^Message-ID:\s*(\S+)/mi.exec(buf.slice(0, end));
          msgId = m ? m[1] : null;
          buf = buf.slice(end + 5);
          data = false;
          s.count++;
          const now = performance.now();
          if (!s.first) s.first = now;
          s.last = now;
          if (msgId) s.ids.set(msgId, (s.ids.get(msgId) ?? 0) + 1);
          out += '250 OK\r\n';
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) break;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') out += '250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n';
        else if (cmd === 'HELO') out += '250 sink\r\n';
        else if (cmd === 'DATA') { out += '354 go on\r\n'; data = true; }
        else if (cmd === 'QUIT') { out += '221 bye\r\n'; c.end(out); return; }
        else out += '250 OK\r\n';
      }
      if (out) c.write(out);
    });
    c.on('error', () => {});
  });
  return s;
}

async function main() {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'ungcuu-benchn-'));
  const s = sink();
  await new Promise((ok) => s.server.listen(0, '127.0.0.1', ok));
  const port = s.server.address().port;
  const ini = join(dir, 'ungcuu.ini');
  writeFileSync(ini, `[notify]\nsmtp_url = smtp://127.0.0.1:${port}\nscan_every = 1h\n`);
  let srv;
  try {
    srv = await startServer({ args: ['--config', ini] });
    const admin = new Client(srv.url);
    await admin.login('admin', srv.login('admin').password);
    for (let k = 0; k < USERS; k++) {
      const r = await admin.post('/api/v1/users', { username: `bench${k}`, password: `Mat-khau-bench-${k}-dai`, org_code: 'pq',
        roles: ['coordinator'], email: `bench${k}@pq.example.vn` });
      if (r.status !== 201) throw new Error(`user: ${r.status} ${r.text}`);
    }
    const tam = new Client(srv.url);
    await tam.login('tamthanh', srv.login('tamthanh').password);
    const expected = USERS * INCIDENTS;
    const t0 = performance.now();
    let next = 0;
    const at = new Date(Date.now() - 3600_000).toISOString();
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < INCIDENTS) {
        next++;
        const r = await tam.post('/api/v1/incidents', { title: `Sự cố đo ${next}`, description: 'Đo thông lượng thông báo', detected_at: at, type: 'malware', tlp: 'GREEN' });
        if (r.status !== 201) throw new Error(`incident: ${r.status} ${r.text}`);
      }
    }));
    const tQueued = performance.now();
    for (let i = 0; i < 6000 && s.count < expected; i++) await new Promise((r) => setTimeout(r, 10));
    const tDone = performance.now();
    const dup = [...s.ids.values()].filter((v) => v > 1).length;
    const rate = s.count / ((tDone - t0) / 1000);
    const flow = s.count > 1 ? (s.count - 1) / ((s.last - s.first) / 1000) : 0;
    console.log(`notify: ${INCIDENTS} incidents filed in ${((tQueued - t0) / 1000).toFixed(2)} s, ${s.count}/${expected} mails received in ${((tDone - t0) / 1000).toFixed(2)} s`);
    console.log(`notify: ${rate.toFixed(0)} mails/s queued and delivered end to end (target >= ${TARGET}); worker ${flow.toFixed(0)} mails/s once flowing; ${dup} Message-IDs twice`);
    return s.count === expected && dup === 0 && rate >= TARGET ? 0 : 1;
  } finally {
    await srv?.stop();
    s.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then((rc) => process.exit(rc), (e) => { console.error(`notify bench: ${e.stack ?? e}`); process.exit(2); });
