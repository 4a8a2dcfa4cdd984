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
import { startServer, keyFileFor } from '../lib/server.mjs';
import { test, before, after, loginAs, runOk, runJson, carryBundle, file, moveOk, getIncident } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
let D, P, tmp;            // the district's and the province's servers
let coordD, tamD, tinhP;  // dieuphoi and tamthanh at the district, tinh at the province

const ok = (args) => runOk(args, EN);
const json = runJson;
// Everything D has for P (or the other way) in one bundle, imported there;
// the acknowledgement carried back. The import's summary and the bundle.
const carry = (from, peerName, to) => carryBundle(tmp, from, peerName, to);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-kinds-'));
  D = await startServer();
  P = await startServer();
  const d = json(['peer', 'show', '--db', D.db]);
  const p = json(['peer', 'show', '--db', P.db]);
  ok(['peer', 'add', '--db', D.db, '--name', 'tinh', '--key', p.public_key, '--relation', 'parent', '--orgs', 'stttt-bth']);
  // Both test instances are the demo district (home: pq), so the province
  // here finds only organisations below pq at its child: the commune Tam
  // Thanh stands for what the district's instance hosts (warnings, hunts).
  ok(['peer', 'add', '--db', P.db, '--name', 'phu-quy', '--key', d.public_key, '--relation', 'child', '--orgs', 'pq,pq-tamthanh']);
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

// ---- h/fed-kinds: what did not travel before ----

const ND = { 'Content-Type': 'application/x-ndjson' };
const soon = () => new Date(Date.now() + 7 * 86400_000).toISOString();
let uq = 0;
const uniq = (s) => `${s}-${process.pid}-${++uq}`;

test('attachments travel by SHA-256: named in the escalation, fetched once, checked, served by the mirror', async () => {
  const { createHash } = await import('node:crypto');
  let i = await file(tamD, { title: uniq('Nhật ký tường lửa xã'), tlp: 'AMBER' });
  i = await moveOk(coordD, i.id, { to: 'acknowledged' }, i.version);
  const bytes = `Nhật ký ${uniq('tường lửa')}\n203.0.113.9 -> 198.51.100.7:4444\n`;
  const sha = createHash('sha256').update(bytes).digest('hex');
  const att = await coordD.post(`/api/v1/incidents/${i.id}/attachments`, bytes,
    { 'Content-Type': 'text/plain', 'X-Filename': encodeURIComponent('nhật-ký.txt') });
  assert.equal(att.status, 201, att.text);
  const sr = await coordD.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Phân tích nhật ký', to_org_code: 'stttt-bth' });
  assert.equal(sr.status, 201, sr.text);
  // up: the request names the file by hash; the province asks for it
  const up = carry(D, 'tinh', P);
  assert.equal(up.imp.refused.length, 0, JSON.stringify(up.imp.refused));
  const q = await tinhP.get('/api/v1/incidents?limit=50&q=' + encodeURIComponent(i.title));
  const mid = q.body.items.find((x) => x.mirror).id;
  assert.equal((await getIncident(tinhP, mid)).attachments.length, 0, 'not fetched yet');
  // down: the want; up: the bytes
  carry(P, 'phu-quy', D);
  const data = carry(D, 'tinh', P);
  assert.equal(data.imp.refused.length, 0, JSON.stringify(data.imp.refused));
  const m = await getIncident(tinhP, mid);
  assert.equal(m.attachments.length, 1, JSON.stringify(m.attachments));
  assert.equal(m.attachments[0].sha256, sha);
  assert.equal(m.attachments[0].name, 'nhật-ký.txt');
  const dl = await tinhP.get(`/api/v1/incidents/${mid}/attachments/${m.attachments[0].id}`);
  assert.equal(dl.status, 200);
  assert.equal(dl.text, bytes);
  // nothing is asked again; the bundles each way carry nothing more about it
  carry(P, 'phu-quy', D);
  const again = carry(D, 'tinh', P);
  assert.equal(again.imp.applied, 0);
  assert.equal((await getIncident(tinhP, mid)).attachments.length, 1);
});

test('a hunt issued above runs below; the summary comes back without hosts', async () => {
  const value = `${uniq('c2')}.example`;
  const ind = await tinhP.post('/api/v1/indicators', { value, tlp: 'GREEN' });
  assert.equal(ind.status, 201, ind.text);
  const h = await tinhP.post('/api/v1/hunts', { title: uniq('Săn C2'), deadline: soon(), target_org_codes: ['pq-tamthanh'], indicator_ids: [ind.body.id] });
  assert.equal(h.status, 201, h.text);
  const down = carry(P, 'phu-quy', D);
  assert.equal(down.imp.refused.length, 0, JSON.stringify(down.imp.refused));
  const list = await coordD.get('/api/v1/hunts?limit=100');
  const mine = list.body.items.find((x) => x.title === h.body.title);
  assert.ok(mine, 'the district holds the hunt as one of its own');
  const hit = JSON.stringify({ path: '/var/log/may-chu-mat.log', kind: 'domain', indicator: value, line: 3 });
  const r = await coordD.post(`/api/v1/hunts/${mine.id}/results?hostname=may-chu-mat&org=pq-tamthanh`, `${hit}\n`, ND);
  assert.equal(r.status, 201, r.text);
  const up = carry(D, 'tinh', P);
  assert.equal(up.imp.refused.length, 0, JSON.stringify(up.imp.refused));
  const back = await tinhP.get(`/api/v1/hunts/${h.body.id}/peers`);
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.items.length, 1, back.text);
  const s = back.body.items[0];
  assert.equal(s.peer, 'phu-quy');
  assert.equal(s.org_code, 'pq-tamthanh');
  assert.equal(s.hits, 1);
  assert.equal(s.hosts, 1);
  assert.deepEqual(s.by_indicator.map((x) => [x.value, x.hits]), [[value, 1]]);
  assert.ok(!back.text.includes('may-chu-mat'), 'no host, no path');
  // a district user reading the district's copy: no summary of its own
  const none = await coordD.get(`/api/v1/hunts/${mine.id}/peers`);
  assert.equal(none.status, 200);
  assert.equal(none.body.items.length, 0);
});

test('a warning withdrawn above shows withdrawn below and its clock stops; below nobody withdraws it', async () => {
  const past = new Date(Date.now() + 2000).toISOString();
  const w = await tinhP.post('/api/v1/warnings', { title: uniq('Vá VPN'), severity: 'high', deadline: past, target_org_codes: ['pq-tamthanh'] });
  assert.equal(w.status, 201, w.text);
  carry(P, 'phu-quy', D);
  const list = await coordD.get('/api/v1/warnings?limit=100&q=' + encodeURIComponent(w.body.title));
  assert.equal(list.body.items.length, 1, list.text);
  const lid = list.body.items[0].id;
  const copy = (await coordD.get(`/api/v1/warnings/${lid}`)).body;
  assert.equal(copy.from_peer, 'tinh');
  // the commune has it to act on
  const inbox = async () => (await tamD.get('/api/v1/inbox')).body.warnings.map((x) => x.id);
  assert.ok((await inbox()).includes(lid), 'in the commune\'s inbox');
  assert.equal(copy.withdrawn, null);
  const mine = await coordD.post(`/api/v1/warnings/${lid}/withdraw`, { reason: 'Ở huyện không dùng VPN này' });
  assert.equal(mine.status, 409, mine.text);
  assert.match(mine.body.detail, /tinh/);
  const noReason = await tinhP.post(`/api/v1/warnings/${w.body.id}/withdraw`, {});
  assert.equal(noReason.status, 422, noReason.text);
  const wd = await tinhP.post(`/api/v1/warnings/${w.body.id}/withdraw`, { reason: 'Hãng đã rút lại khuyến cáo' });
  assert.equal(wd.status, 200, wd.text);
  assert.equal(wd.body.withdrawn.reason, 'Hãng đã rút lại khuyến cáo');
  assert.equal((await tinhP.post(`/api/v1/warnings/${w.body.id}/withdraw`, { reason: 'lần nữa' })).status, 409);
  const down = carry(P, 'phu-quy', D);
  assert.equal(down.imp.refused.length, 0, JSON.stringify(down.imp.refused));
  const g = (await coordD.get(`/api/v1/warnings/${lid}`)).body;
  assert.equal(g.withdrawn.reason, 'Hãng đã rút lại khuyến cáo');
  assert.equal(g.withdrawn.source, 'tinh');
  assert.ok(!(await inbox()).includes(lid), 'nothing left to act on');
  await new Promise((res) => setTimeout(res, Math.max(0, Date.parse(past) - Date.now() + 50)));
  const after_ = (await coordD.get(`/api/v1/warnings/${lid}`)).body;
  assert.ok(after_.targets.every((t) => t.late === false), 'no one is late on a withdrawn warning');
  const row = (await coordD.get('/api/v1/warnings?limit=100&q=' + encodeURIComponent(w.body.title))).body.items[0];
  assert.ok(row.withdrawn_at);
  assert.equal(row.targets.late, 0);
});

test('every edit of an indicator travels; below nobody edits it; tightened to RED it is deleted below', async () => {
  const value = `${uniq('sua')}.example`;
  const ind = await tinhP.post('/api/v1/indicators', { value, tlp: 'GREEN', confidence: 40 });
  assert.equal(ind.status, 201, ind.text);
  carry(P, 'phu-quy', D);
  const find = async () => (await coordD.get('/api/v1/indicators?limit=50&q=' + encodeURIComponent(value))).body.items.find((x) => x.value === value);
  let copy = await find();
  assert.ok(copy, 'shared below');
  assert.equal(copy.source, 'tinh');
  const e1 = await tinhP.patch(`/api/v1/indicators/${ind.body.id}`, { confidence: 90, tags: ['apt'], to_ids: false },
    { 'If-Match': `"${ind.body.version}"` });
  assert.equal(e1.status, 200, e1.text);
  carry(P, 'phu-quy', D);
  copy = (await coordD.get(`/api/v1/indicators/${copy.id}`)).body;
  assert.equal(copy.confidence, 90);
  assert.deepEqual(copy.tags, ['apt']);
  assert.equal(copy.to_ids, false);
  const mine = await coordD.patch(`/api/v1/indicators/${copy.id}`, { confidence: 10 }, { 'If-Match': `"${copy.version}"` });
  assert.equal(mine.status, 409, mine.text);
  assert.match(mine.body.detail, /tinh/);
  const red = await tinhP.patch(`/api/v1/indicators/${ind.body.id}`, { tlp: 'RED' }, { 'If-Match': `"${e1.body.version}"` });
  assert.equal(red.status, 200, red.text);
  const down = carry(P, 'phu-quy', D);
  assert.equal(down.imp.refused.length, 0, JSON.stringify(down.imp.refused));
  assert.equal(await find(), undefined, 'retracted below');
});

test('by USB bundle: a 5 MiB attachment of random bytes travels in parts and the mirror serves the same bytes', async () => {
  const { createHash, randomBytes } = await import('node:crypto');
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  let i = await file(tamD, { title: uniq('Ảnh bộ nhớ máy chủ xã'), tlp: 'GREEN' });
  i = await moveOk(coordD, i.id, { to: 'acknowledged' }, i.version);
  const big = randomBytes(5 * 1024 * 1024);
  const att = await coordD.post(`/api/v1/incidents/${i.id}/attachments`, big, { 'Content-Type': 'application/octet-stream', 'X-Filename': 'bo-nho.bin' });
  assert.equal(att.status, 201, att.text);
  const sr = await coordD.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Phân tích ảnh bộ nhớ', to_org_code: 'stttt-bth' });
  assert.equal(sr.status, 201, sr.text);
  const up = carry(D, 'tinh', P);
  assert.equal(up.imp.refused.length, 0, JSON.stringify(up.imp.refused));
  carry(P, 'phu-quy', D);            // the want
  const data = carry(D, 'tinh', P);  // the five parts in one bundle
  assert.equal(data.imp.refused.length, 0, JSON.stringify(data.imp.refused));
  const q = await tinhP.get('/api/v1/incidents?limit=50&q=' + encodeURIComponent(i.title));
  const m = await getIncident(tinhP, q.body.items.find((x) => x.mirror).id);
  assert.deepEqual(m.attachments.map((a) => [a.name, a.size, a.sha256]), [['bo-nho.bin', big.length, sha(big)]]);
  assert.equal(sha(await bytesOf(tinhP, `/api/v1/incidents/${m.id}/attachments/${m.attachments[0].id}`)), sha(big));
  // the same bundle again: nothing twice
  const again = json(['sync', 'import', '--db', P.db, data.bundle]);
  assert.equal(again.applied, 0);
  assert.equal((await getIncident(tinhP, m.id)).attachments.length, 1);
});

test('a hunt the province closes closes below (no new run); what came up before stays above', async () => {
  const value = `${uniq('dong')}.example`;
  const ind = await tinhP.post('/api/v1/indicators', { value, tlp: 'GREEN' });
  assert.equal(ind.status, 201, ind.text);
  const h = await tinhP.post('/api/v1/hunts', { title: uniq('Săn rồi đóng'), deadline: soon(), target_org_codes: ['pq-tamthanh'], indicator_ids: [ind.body.id] });
  assert.equal(h.status, 201, h.text);
  carry(P, 'phu-quy', D);
  const mine = (await coordD.get('/api/v1/hunts?limit=100')).body.items.find((x) => x.title === h.body.title);
  assert.equal(mine.status, 'open');
  const hit = JSON.stringify({ path: '/var/log/x.log', kind: 'domain', indicator: value, line: 1 });
  const r = await coordD.post(`/api/v1/hunts/${mine.id}/results?hostname=may-a&org=pq-tamthanh`, `${hit}\n`, ND);
  assert.equal(r.status, 201, r.text);
  carry(D, 'tinh', P);
  const cur = (await tinhP.get(`/api/v1/hunts/${h.body.id}`)).body;
  const cl = await tinhP.req('POST', `/api/v1/hunts/${h.body.id}/close`, undefined, { 'If-Match': `"${cur.version}"` });
  assert.equal(cl.status, 200, cl.text);
  const down = carry(P, 'phu-quy', D);
  assert.equal(down.imp.refused.length, 0, JSON.stringify(down.imp.refused));
  assert.equal((await coordD.get(`/api/v1/hunts/${mine.id}`)).body.status, 'closed');
  const late = await coordD.post(`/api/v1/hunts/${mine.id}/results?hostname=may-b&org=pq-tamthanh`, `${hit}\n`, ND);
  assert.equal(late.status, 409, late.text);
  const up = carry(D, 'tinh', P);   // the last summary, closed
  assert.equal(up.imp.refused.length, 0, JSON.stringify(up.imp.refused));
  const back = (await tinhP.get(`/api/v1/hunts/${h.body.id}/peers`)).body.items;
  assert.equal(back.length, 1, JSON.stringify(back));
  assert.equal(back[0].hits, 1);
  assert.equal(back[0].status, 'closed');
});

test('indicators imported above (a feed: list, STIX, MISP) travel down as those made by hand; an unchanged re-import sends nothing again; RED stays', async () => {
  const values = [1, 2, 3].map((k) => `${uniq(`feed${k}`)}.example`.toLowerCase());
  const red = `${uniq('feedRed')}.example`.toLowerCase();
  const imp = async (list, tlp) => {
    const r = await tinhP.req('POST', `/api/v1/indicators/import/list?name=feed.txt&tlp=${tlp}`, `${list.join('\n')}\n`, { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 200, r.text);
    return r.body;
  };
  const waiting = () => runJson(['sync', 'status', '--db', P.db]).peers.find((x) => x.name === 'phu-quy').out_waiting;
  assert.equal((await imp(values, 'GREEN')).created, 3);
  assert.equal((await imp([red], 'RED')).created, 1);
  assert.equal(waiting(), 3, 'the three GREEN ones queued for the district, not the RED one');
  carry(P, 'phu-quy', D);
  for (const v of values) {
    const copy = (await coordD.get('/api/v1/indicators?limit=50&q=' + encodeURIComponent(v))).body.items.find((x) => x.value === v);
    assert.ok(copy, `${v} below`);
    assert.equal(copy.mirrored_from, 'tinh');
  }
  const none = (await coordD.get('/api/v1/indicators?limit=50&q=' + encodeURIComponent(red))).body.items;
  assert.equal(none.length, 0, 'RED stays');
  // the same feed again: nothing changed, nothing sent
  assert.equal((await imp(values, 'GREEN')).updated, 3);
  assert.equal(waiting(), 0);
  // one of them changed by the next feed (its label): that one travels
  await imp([values[0]], 'CLEAR');
  assert.equal(waiting(), 1);
  carry(P, 'phu-quy', D);
});

test('an import below cannot change a copy from above: skipped with a reason; the API and the page say who edits it', async () => {
  const value = `${uniq('banSao')}.example`.toLowerCase();
  const ind = await tinhP.post('/api/v1/indicators', { value, tlp: 'GREEN', confidence: 80, name: 'Máy chủ C2 của tỉnh' });
  assert.equal(ind.status, 201, ind.text);
  carry(P, 'phu-quy', D);
  const copy = (await coordD.get('/api/v1/indicators?limit=50&q=' + encodeURIComponent(value))).body.items.find((x) => x.value === value);
  assert.ok(copy, 'shared below');
  assert.equal(copy.mirrored_from, 'tinh');
  const one = (await coordD.get(`/api/v1/indicators/${copy.id}`)).body;
  assert.equal(one.mirrored_from, 'tinh');
  assert.equal(one.editable, false, 'no edit offered on a copy');
  // a list import and a STIX import naming the same value, into the home organisation
  const list = await coordD.req('POST', '/api/v1/indicators/import/list?org=pq&name=ds.txt&tlp=GREEN', `${value}\n${uniq('rieng')}.example\n`, { 'Content-Type': 'text/plain', 'Accept-Language': 'vi' });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.mirrored, 1);
  assert.equal(list.body.created, 1);
  assert.deepEqual(list.body.mirrored_items.map((x) => [x.value, x.from]), [[value, 'tinh']]);
  assert.match(list.body.mirrored_items[0].why, /chỉ đơn vị gốc được sửa/);
  const stix = { type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: [{
    type: 'indicator', spec_version: '2.1', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'Ghi đè thử',
    pattern: `[domain-name:value = '${value}']`, pattern_type: 'stix', valid_from: '2026-01-01T00:00:00Z', confidence: 5 }] };
  const st = await coordD.req('POST', '/api/v1/indicators/import/stix?org=pq&name=b.json&tlp=GREEN', JSON.stringify(stix), { 'Content-Type': 'application/json' });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.body.mirrored, 1);
  assert.equal(st.body.updated, 0);
  // nor a new record of the same value (it would rewrite the copy): 409, naming the originator
  const dup = await coordD.post('/api/v1/indicators', { value, tlp: 'GREEN', confidence: 1 });
  assert.equal(dup.status, 409, dup.text);
  assert.match(dup.body.detail, /tinh/);
  const after_ = (await coordD.get(`/api/v1/indicators/${copy.id}`)).body;
  for (const k of ['name', 'confidence', 'version', 'source', 'origin_id', 'tlp']) assert.deepEqual(after_[k], one[k], k);
  // an indicator of the district's own says so
  const own = await coordD.post('/api/v1/indicators', { value: `${uniq('cuaHuyen')}.example`.toLowerCase(), tlp: 'GREEN' });
  assert.equal(own.status, 201, own.text);
  assert.equal(own.body.mirrored_from, null);
});

// The bytes a client downloads (the helpers' client reads text).
async function bytesOf(c, path) {
  const r = await fetch(c.url + path, { headers: { Cookie: c.cookie } });
  assert.equal(r.status, 200, path);
  return Buffer.from(await r.arrayBuffer());
}

// An instance's Ed25519 key (DB.key: the libsodium secret, seed first) for node.
async function instanceKey(db) {
  const { createPrivateKey } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const seed = Buffer.from(readFileSync(keyFileFor(db), 'utf8').trim().slice(0, 64), 'hex');
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
}

// A sync request to server `to` as instance `from` ({instance, key}), signed as docs/SYNC.md says.
async function signedAs(to, toId, from, path, body) {
  const { createHash, sign } = await import('node:crypto');
  const text = JSON.stringify(body), at = Date.now();
  const h = createHash('sha256').update(text).digest('hex');
  const msg = `ungcuu-sync-1\nPOST\n${path}\n${at}\n${from.instance}\n${toId}\n${h}`;
  const sig = sign(null, Buffer.from(msg), from.key).toString('hex');
  const r = await fetch(to.url + path, { method: 'POST', body: text, headers: {
    'Content-Type': 'application/json', 'X-Sync-Instance': from.instance, 'X-Sync-Time': String(at), 'X-Sync-Signature': sig } });
  const t = await r.text();
  return { status: r.status, text: t, body: t ? JSON.parse(t) : null };
}

test('over the signed HTTP transport (sync run): attachments come in the next round, a 5 MiB one in parts; a tampered part is refused; a resend after kill -9 of the receiver midway neither duplicates nor corrupts', async () => {
  const { createHash, randomBytes } = await import('node:crypto');
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  const D2 = await startServer({ args: ['--no-sync'] });
  const P2 = await startServer({ args: ['--no-sync'] });
  try {
    const ds = json(['peer', 'show', '--db', D2.db]), ps = json(['peer', 'show', '--db', P2.db]);
    ok(['peer', 'add', '--db', D2.db, '--name', 'tinh', '--key', ps.public_key, '--relation', 'parent', '--orgs', 'stttt-bth', '--url', P2.url]);
    ok(['peer', 'add', '--db', P2.db, '--name', 'phu-quy', '--key', ds.public_key, '--relation', 'child', '--orgs', 'pq,pq-tamthanh']);
    const coord = await loginAs(D2, 'dieuphoi'), tam = await loginAs(D2, 'tamthanh');
    let i = await file(tam, { title: uniq('Mẫu mã độc qua mạng'), tlp: 'GREEN' });
    i = await moveOk(coord, i.id, { to: 'acknowledged' }, i.version);
    const small = Buffer.from(`mẫu ${uniq('x')}`);
    const big = randomBytes(5 * 1024 * 1024);   // beyond one envelope (2 MiB): 5 parts of 1 MiB
    for (const [name, b] of [['mau.bin', small], ['lon.bin', big]]) {
      const r = await coord.post(`/api/v1/incidents/${i.id}/attachments`, b, { 'Content-Type': 'application/octet-stream', 'X-Filename': name });
      assert.equal(r.status, 201, r.text);
    }
    const sr = await coord.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Phân tích mẫu', to_org_code: 'stttt-bth' });
    assert.equal(sr.status, 201, sr.text);
    const round = () => JSON.parse(ok(['sync', 'run', '--db', D2.db, '--json']))[0];
    const r1 = round();   // push the request; pull the wants (the district queues the bytes)
    assert.equal(r1.ok, true, JSON.stringify(r1));
    assert.equal(r1.refused, 0);

    // What the district queued for the province, read as the province would pull it.
    const D = { instance: ds.instance, key: await instanceKey(D2.db) }, P = { instance: ps.instance, key: await instanceKey(P2.db) };
    const pulled = await signedAs(D2, ds.instance, P, '/api/v1/sync/pull', { after: 0, limit: 500 });
    assert.equal(pulled.status, 200, pulled.text);
    const parts = pulled.body.envelopes.filter((e) => e.kind === 'attachment.part');
    assert.ok(parts.length >= 2, JSON.stringify(pulled.body.envelopes.map((e) => e.kind)));
    assert.equal(parts[0].payload.size, big.length);
    assert.deepEqual(parts.slice(0, 2).map((e) => e.payload.offset), [0, 1024 * 1024]);
    // A part changed on the way: refused (its signature), nothing kept.
    const forged = structuredClone(parts[0]);
    const d0 = forged.payload.data;
    forged.payload.data = (d0[0] === 'A' ? 'B' : 'A') + d0.slice(1);
    const bad = await signedAs(P2, ps.instance, D, '/api/v1/sync/push', { envelopes: [forged] });
    assert.equal(bad.status, 200, bad.text);
    assert.deepEqual(bad.body.refused.map((x) => x.reason), ['bad_signature']);
    // The first two parts arrive; the province is killed mid-stream and restarted.
    const first = await signedAs(P2, ps.instance, D, '/api/v1/sync/push', { envelopes: pulled.body.envelopes.filter((e) => e.seq <= parts[1].seq) });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.acked, parts[1].seq);
    await P2.kill9();
    await P2.restart();
    // The district, which never heard the answer, sends everything again.
    const r2 = round();
    assert.equal(r2.ok, true, JSON.stringify(r2));
    const prov = await loginAs(P2, 'tinh');
    const q = await prov.get('/api/v1/incidents?limit=50&q=' + encodeURIComponent(i.title));
    const m = await getIncident(prov, q.body.items.find((x) => x.mirror).id);
    const byName = Object.fromEntries(m.attachments.map((a) => [a.name, a]));
    assert.deepEqual(Object.keys(byName).sort(), ['lon.bin', 'mau.bin'], 'each once');
    assert.equal(byName['lon.bin'].sha256, sha(big));
    assert.equal(byName['lon.bin'].size, big.length);
    assert.equal(sha(await bytesOf(prov, `/api/v1/incidents/${m.id}/attachments/${byName['lon.bin'].id}`)), sha(big), 'the same 5 MiB');
    assert.equal(sha(await bytesOf(prov, `/api/v1/incidents/${m.id}/attachments/${byName['mau.bin'].id}`)), sha(small));
    const r3 = round();   // nothing more to carry either way
    assert.deepEqual([r3.pushed, r3.pulled], [0, 0]);
    const st = json(['sync', 'status', '--db', P2.db]).peers.find((p) => p.name === 'phu-quy');
    // the forged part, and the resent ones as replays (acknowledged again, never applied twice)
    assert.deepEqual(Object.keys(st.refused_by_reason).sort(), ['bad_signature', 'replay'], JSON.stringify(st));
    assert.equal(st.refused_by_reason.bad_signature, 1);
  } finally {
    await D2.stop();
    await P2.stop();
  }
});
