// tests/bench/hunt_upload.mjs [N_INDICATORS] [N_HITS] - the time of one hunt
// upload (POST /api/v1/hunts/{id}/results) of N_HITS hits (default
// 100,000, the limit) against a hunt of N_INDICATORS domains (default
// 20,000), against a release server on a fresh demo database. Half the
// hits name an indicator of the set, half do not. Prints seconds and hits/s,
// then the time of GET of the incident the upload filed.
import { startServer } from '../lib/server.mjs';
import { bearer } from '../api/helpers.mjs';

const NI = Number(process.argv[2] ?? 20000);
const NH = Number(process.argv[3] ?? 100000);
const srv = await startServer();
try {
  const coord = bearer(srv, 'dieuphoi');
  const tag = `bench${process.pid}`;
  const names = Array.from({ length: NI }, (_, i) => `c2-${i}-${tag}.example`);
  const csv = 'type,value,tlp,tags\n' + names.map((n) => `domain,${n},GREEN,${tag}`).join('\n') + '\n';
  const imp = await coord.req('POST', '/api/v1/indicators/import/csv', csv, { 'Content-Type': 'text/csv' });
  if (imp.status !== 200 && imp.status !== 201) throw new Error(`import: ${imp.status} ${imp.text}`);
  const h = await coord.post('/api/v1/hunts', { title: `Bench ${tag}`, deadline: new Date(Date.now() + 7 * 86400000).toISOString(),
    target_org_codes: ['pq'], tags: [tag] });
  if (h.status !== 201) throw new Error(`hunt: ${h.status} ${h.text}`);
  let body = '';
  for (let i = 0; i < NH; i++) {
    const v = i % 2 ? names[(i * 7919) % NI].toUpperCase() : `other-${i}.example`;
    body += JSON.stringify({ path: `/var/log/access.log.${i % 50}`, kind: 'domain', indicator: v, line: i + 1 }) + '\n';
  }
  const t0 = process.hrtime.bigint();
  const r = await coord.req('POST', `/api/v1/hunts/${h.body.id}/results?hostname=bench&org=pq`, body,
    { 'Content-Type': 'application/x-ndjson' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${r.text.slice(0, 300)}`);
  console.log(`hunt upload: ${NH} hits (${r.body.hits} known, ${r.body.unknown} unknown) against ${h.body.indicators} indicators: ${s.toFixed(2)} s, ${Math.round(NH / s)} hits/s`);
  // The incident it filed, with its observables (one for each of the first
  // hits) and, for each, the indicators and incidents it matches.
  let best = Infinity, first = 0, n = 0;
  for (let i = 0; i < 5; i++) {
    const t1 = process.hrtime.bigint();
    const g = await coord.get(`/api/v1/incidents/${r.body.incident.id}`);
    const ms = Number(process.hrtime.bigint() - t1) / 1e6;
    if (i === 0) first = ms;
    best = Math.min(best, ms);
    if (g.status !== 200) throw new Error(`incident: ${g.status}`);
    n = g.body.observables?.length ?? 0;
  }
  console.log(`  the incident it filed, ${n} observables with their matches: GET in ${first.toFixed(1)} ms, then ${best.toFixed(1)} ms (best of 4 more)`);
} finally {
  await srv.stop();
}
