// An escalation between two instances, as two teams live it (issue 16,
// h/sync-kinds): the district and the province each run their own server
// and database; the administrators register each other with `ungcuu peer
// add`; bundles carry the envelopes (`ungcuu sync export/import`, the
// transport of a USB stick). The district asks the province for help
// through its API; the province sees the incident in its own queue,
// marked as coming from the district, accepts and directs; the district
// sees the answer and the direction on its own incident; the district's
// next move reaches the province's mirror. A bundle imported twice
// changes nothing the second time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { test, before, after, loginAs, run, file, moveOk, getIncident } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
let D, P, tmp;            // the district's and the province's servers
let coordD, tamD, tinhP;  // dieuphoi and tamthanh at the district, tinh at the province

function ok(args) {
  const r = run(args, { env: EN });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const json = (args) => JSON.parse(ok([...args, '--json']));
let n = 0;
// Everything D has for P (or the other way) in one bundle, imported there;
// the acknowledgement carried back. The import's summary.
function carry(from, peerName, to, toPeerName) {
  const b = join(tmp, `b${++n}.bundle`), a = join(tmp, `a${n}.ack`);
  ok(['sync', 'export', '--db', from.db, '--peer', peerName, '--out', b]);
  const imp = json(['sync', 'import', '--db', to.db, b, '--ack-out', a]);
  ok(['sync', 'import', '--db', from.db, a]);
  void toPeerName;
  return { imp, bundle: b };
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-kinds-'));
  D = await startServer();
  P = await startServer();
  const d = json(['peer', 'show', '--db', D.db]);
  const p = json(['peer', 'show', '--db', P.db]);
  ok(['peer', 'add', '--db', D.db, '--name', 'tinh', '--key', p.public_key, '--relation', 'parent', '--orgs', 'stttt-bth']);
  ok(['peer', 'add', '--db', P.db, '--name', 'phu-quy', '--key', d.public_key, '--relation', 'child', '--orgs', 'pq']);
  coordD = await loginAs(D, 'dieuphoi');
  tamD = await loginAs(D, 'tamthanh');
  tinhP = await loginAs(P, 'tinh');
});
after(async () => {
  await D?.stop();
  await P?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('escalated in the district, mirrored in the province, answered back', async () => {
  let i = await file(tamD, { title: 'Máy chủ cổng xã nhiễm mã độc', tlp: 'AMBER' });
  i = await moveOk(coordD, i.id, { to: 'acknowledged' }, i.version);
  const obs = await coordD.post(`/api/v1/incidents/${i.id}/observables`, { kind: 'ip', value: '203.0.113.77', tlp: 'GREEN' });
  assert.equal(obs.status, 201, obs.text);
  const secret = await coordD.post(`/api/v1/incidents/${i.id}/observables`, { kind: 'domain', value: 'noi-bo.example', tlp: 'RED' });
  assert.equal(secret.status, 201, secret.text);
  const sr = await coordD.post(`/api/v1/incidents/${i.id}/support-requests`, {
    summary: 'Đề nghị Đội ứng cứu tỉnh phân tích mẫu mã độc', to_org_code: 'stttt-bth', urgency: 'high',
  });
  assert.equal(sr.status, 201, sr.text);

  // district → province
  const { imp, bundle } = carry(D, 'tinh', P);
  assert.equal(imp.refused.length, 0, JSON.stringify(imp.refused));
  assert.ok(imp.applied >= 1);

  // In the province's own queue, marked as coming from the district.
  const q = await tinhP.get('/api/v1/incidents?limit=50&q=' + encodeURIComponent('Máy chủ cổng xã'));
  assert.equal(q.status, 200, q.text);
  const rows = q.body.items.filter((x) => x.mirror);
  assert.equal(rows.length, 1, JSON.stringify(q.body.items.map((x) => [x.number, x.mirror])));
  assert.equal(rows[0].mirror.instance, 'phu-quy');
  assert.equal(rows[0].number, i.number);
  const m = await getIncident(tinhP, rows[0].id);
  assert.equal(m.title, 'Máy chủ cổng xã nhiễm mã độc');
  assert.deepEqual(m.observables.map((o) => o.value), ['203.0.113.77'], 'RED stays home');
  assert.ok(m.deadlines.length >= 1, 'the district\'s legal clocks');
  assert.equal(m.support_requests.length, 1);
  assert.equal(m.support_requests[0].status, 'sent');

  // The same bundle again: nothing changes.
  const before2 = await getIncident(tinhP, m.id);
  const again = json(['sync', 'import', '--db', P.db, bundle]);
  assert.equal(again.applied, 0);
  const after2 = await getIncident(tinhP, m.id);
  assert.equal(after2.rev ?? after2.version, before2.rev ?? before2.version);
  assert.equal(after2.timeline.length, before2.timeline.length);

  // Only the district moves its incident or edits its report.
  assert.deepEqual(m.allowed_transitions, []);
  assert.equal(m.may.edit, false);
  const mv = await tinhP.post(`/api/v1/incidents/${m.id}/transitions`, { to: 'verified' }, { 'If-Match': `"${m.version}"` });
  assert.equal(mv.status, 409, mv.text);
  assert.match(mv.body.detail, /phu-quy/);
  const ed = await tinhP.patch(`/api/v1/incidents/${m.id}`, { title: 'Sửa ở tỉnh' }, { 'If-Match': `"${m.version}"` });
  assert.equal(ed.status, 409, ed.text);

  // The province answers with records of its own.
  const acc = await tinhP.post(`/api/v1/incidents/${m.id}/support-requests/${m.support_requests[0].id}/transitions`,
    { to: 'accepted', note: 'Cử 2 người ra đảo' });
  assert.equal(acc.status, 200, acc.text);
  const dir = await tinhP.post(`/api/v1/incidents/${m.id}/comments`, { body: 'Cô lập máy chủ, giữ nguyên nhật ký', kind: 'direction' });
  assert.equal(dir.status, 201, dir.text);

  // province → district
  const back = carry(P, 'phu-quy', D);
  assert.equal(back.imp.refused.length, 0, JSON.stringify(back.imp.refused));
  const mine = await getIncident(coordD, i.id);
  assert.equal(mine.support_requests[0].status, 'accepted');
  assert.equal(mine.support_requests[0].note, 'Cử 2 người ra đảo');
  const d0 = mine.comments.find((c) => c.kind === 'direction');
  assert.ok(d0, JSON.stringify(mine.comments));
  assert.match(d0.body, /Cô lập máy chủ, giữ nguyên nhật ký/);
  assert.equal(d0.created_by.full_name, 'Từ cấp trên: tinh');
  assert.equal(mine.mirror, null);

  // The district moves on: the mirror follows.
  await moveOk(coordD, i.id, { to: 'verified' }, mine.version);
  carry(D, 'tinh', P);
  const m2 = await getIncident(tinhP, m.id);
  assert.equal(m2.status, 'verified');
});
