// The incident process of regulation.md §13 through the API: from the
// commune's report to the closing report by the right roles, every refusal
// on the way (and that a refusal changes nothing), the records on an
// incident (support requests, legal reports, tasks, observables, comments,
// attachments) and the timeline that tells it all.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  test, before, after, Client, loginAs, file, move, moveOk, getIncident, assertProblem, sha256, userByName, newUser,
} from './helpers.mjs';

let server, small;
let coord, tam, longhai, lead, tinh, vnpt, admin;

before(async () => {
  server = await startServer();
  small = await startServer({ args: ['--max-attachment', '1000'] });
  coord = await loginAs(server, 'dieuphoi');
  tam = await loginAs(server, 'tamthanh');
  longhai = await loginAs(server, 'longhai');
  lead = await loginAs(server, 'lanhdao');
  tinh = await loginAs(server, 'tinh');
  vnpt = await loginAs(server, 'vnpt');
  admin = await loginAs(server, 'admin');
});
after(async () => {
  await server?.stop();
  await small?.stop();
});

// Asserts that a refused request changed nothing on the incident.
async function unchanged(id, before_) {
  const now = await getIncident(coord, id);
  assert.equal(now.version, before_.version, 'version unchanged');
  assert.equal(now.status, before_.status, 'status unchanged');
  assert.equal(now.timeline.length, before_.timeline.length, 'no new event');
  assert.equal(now.severity, before_.severity);
  assert.equal(now.reject_reason, before_.reject_reason);
  assert.deepEqual(now.closing_report, before_.closing_report);
  return now;
}

// Walks a new incident (filed by tamthanh) to `state` as the coordinator.
async function walkTo(state) {
  const steps = {
    acknowledged: [{ to: 'acknowledged' }],
    verified: [{ to: 'acknowledged' }, { to: 'verified' }],
    classified: [{ to: 'acknowledged' }, { to: 'verified' }, { to: 'classified', severity: 'low' }],
    containing: [{ to: 'acknowledged' }, { to: 'verified' }, { to: 'classified', severity: 'low' }, { to: 'containing' }],
    eradicating: [{ to: 'acknowledged' }, { to: 'verified' }, { to: 'classified', severity: 'low' },
      { to: 'containing' }, { to: 'eradicating' }],
    recovering: [{ to: 'acknowledged' }, { to: 'verified' }, { to: 'classified', severity: 'low' },
      { to: 'containing' }, { to: 'eradicating' }, { to: 'recovering' }],
    reviewing: [{ to: 'acknowledged' }, { to: 'verified' }, { to: 'classified', severity: 'low' },
      { to: 'containing' }, { to: 'eradicating' }, { to: 'recovering' }, { to: 'reviewing' }],
    closed: [{ to: 'acknowledged' }, { to: 'verified' }, { to: 'classified', severity: 'low' },
      { to: 'containing' }, { to: 'eradicating' }, { to: 'recovering' }, { to: 'reviewing' },
      { to: 'closed', closing_report: { summary: 'Đã xử lý xong.' } }],
    rejected: [{ to: 'acknowledged' }, { to: 'rejected', reason: 'Báo nhầm' }],
  };
  let i = await file(tam);
  for (const s of steps[state] ?? []) i = await moveOk(coord, i.id, s, i.version);
  return getIncident(coord, i.id);
}

test('the whole process, from the commune\'s report to the closing report, by the right roles', async () => {
  // 1. the commune officer reports (Mẫu 03)
  let i = await file(tam, { type: 'malware', detected_at: new Date(Date.now() - 3600_000).toISOString() });
  assert.equal(i.status, 'received');
  assert.deepEqual(i.allowed_transitions, []);
  const view = await getIncident(coord, i.id);
  assert.deepEqual(view.allowed_transitions, ['acknowledged'], 'what the coordinator may do now');

  // 2. the district coordinator acknowledges: the ack clock is met
  i = await moveOk(coord, i.id, { to: 'acknowledged', note: 'Đã nhận' }, 1);
  assert.equal(i.version, 2);
  const ack = i.deadlines.find((d) => d.kind === 'ack');
  assert.ok(ack.met_at, 'ack met');
  assert.equal(ack.overdue, false);
  assert.deepEqual([...i.allowed_transitions].sort(), ['rejected', 'verified']);

  // 3. verifies: the notification clock starts, 5 days from detection (T1)
  i = await moveOk(coord, i.id, { to: 'verified' }, i.version);
  const notif = i.deadlines.find((d) => d.kind === 'notification');
  assert.ok(notif, 'notification deadline');
  assert.equal(notif.met_at, null);
  const span = new Date(notif.due_at) - new Date(i.detected_at);
  assert.ok(Math.abs(span - 5 * 86400_000) < 5000, `notification due ${span} ms after detection`);

  // 4. the legal notification is recorded: it meets its deadline
  const sentAt = new Date(Date.now() - 60_000).toISOString();
  const rep = await coord.post(`/api/v1/incidents/${i.id}/reports`, {
    kind: 'notification', recipient: 'Sở TT&TT Bình Thuận; VNCERT/CC', channel: 'email',
    sent_at: sentAt, reference: 'CV-123/UBND', body: 'Thông báo sự cố mã độc',
  });
  assert.equal(rep.status, 201, rep.text);
  assert.equal(rep.body.kind, 'notification');
  assert.equal(rep.body.channel, 'email');
  assert.equal(new Date(rep.body.sent_at).getTime(), new Date(sentAt).getTime());
  i = await getIncident(coord, i.id);
  const met = i.deadlines.find((d) => d.kind === 'notification');
  assert.ok(met.met_at, 'notification met');
  assert.equal(new Date(met.met_at).getTime(), new Date(sentAt).getTime());

  // 5. classifies: severity (and serious/escalate) recorded
  i = await moveOk(coord, i.id, { to: 'classified', severity: 'high', serious: false, escalate: true, type: 'encryption' }, i.version);
  assert.equal(i.severity, 'high');
  assert.equal(i.escalate, true);
  assert.equal(i.type, 'encryption');
  const initial = i.deadlines.find((d) => d.kind === 'initial_report');
  assert.ok(initial, 'beyond own capacity: the initial report (Mẫu 03) is due');
  const t3 = new Date(initial.due_at) - Date.now();
  assert.ok(Math.abs(t3 - 24 * 3600_000) < 60_000, `initial report due in ${t3} ms (T3: 24 h)`);

  // 6. asks the province team for help (default recipient), who accepts
  const sr = await coord.post(`/api/v1/incidents/${i.id}/support-requests`, {
    summary: 'Đề nghị Đội ứng cứu tỉnh phân tích mẫu mã độc', help_needed: 'Phân tích mã độc', urgency: 'high',
  });
  assert.equal(sr.status, 201, sr.text);
  assert.equal(sr.body.to_org.code, 'stttt-bth');
  assert.equal(sr.body.status, 'sent');
  assert.equal(sr.body.urgency, 'high');
  const acc = await tinh.post(`/api/v1/incidents/${i.id}/support-requests/${sr.body.id}/transitions`, { to: 'accepted', note: 'Cử 2 người ra đảo' });
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.body.status, 'accepted');

  // 7. the initial report is recorded too
  const r2 = await coord.post(`/api/v1/incidents/${i.id}/reports`, { kind: 'initial', recipient: 'VNCERT/CC', channel: 'system' });
  assert.equal(r2.status, 201, r2.text);
  i = await getIncident(coord, i.id);
  assert.ok(i.deadlines.find((d) => d.kind === 'initial_report').met_at, 'initial report met');

  // 8. response: contain, eradicate, recover (the province responder may act too)
  i = await moveOk(coord, i.id, { to: 'containing' }, i.version);
  i = await moveOk(tinh, i.id, { to: 'eradicating' }, i.version);
  i = await moveOk(coord, i.id, { to: 'recovering' }, i.version);
  const done = await coord.post(`/api/v1/incidents/${i.id}/support-requests/${sr.body.id}/transitions`, { to: 'done' });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.status, 'done');

  // 9. review: the closing report clock starts (T6, 5 days)
  i = await moveOk(coord, i.id, { to: 'reviewing' }, i.version);
  const closing = i.deadlines.find((d) => d.kind === 'closing_report');
  assert.ok(closing && closing.met_at === null);
  const t6 = new Date(closing.due_at) - Date.now();
  assert.ok(Math.abs(t6 - 5 * 86400_000) < 60_000, `closing report due in ${t6} ms (T6: 5 days)`);

  // 10. close with the closing report (Mẫu 04)
  const cr = { summary: 'Đã gỡ mã độc, khôi phục dữ liệu.', cause: 'Thư giả mạo', resolution: 'Cô lập, quét, khôi phục', proposals: 'Tập huấn', damage: 'Không đáng kể' };
  // Before it is written there is no Mẫu 04 to record as sent.
  assertProblem(await coord.post(`/api/v1/incidents/${i.id}/reports`, { kind: 'closing', recipient: 'VNCERT/CC', channel: 'email' }), 409);
  i = await moveOk(coord, i.id, { to: 'closed', closing_report: cr }, i.version);
  assert.deepEqual(i.closing_report, cr);
  // Written, not sent (issue 12): no report record, the clock still runs.
  assert.equal(i.reports.filter((r) => r.kind === 'closing').length, 0, 'closing records no "sent" report');
  let clk = i.deadlines.find((d) => d.kind === 'closing_report');
  assert.equal(clk.met_at, null, 'closing does not meet the closing-report clock');
  assert.equal(clk.state, 'running');
  assert.equal(i.closing_report_by.username, 'dieuphoi', 'who wrote Mẫu 04');
  assert.ok((await coord.get('/api/v1/deadlines')).body.items.some((d) => d.incident.id === i.id && d.kind === 'closing_report'));
  assert.ok(i.deadlines.every((d) => d.overdue === false));
  assert.deepEqual(i.allowed_transitions, ['containing'], 'only reopening is left');
  // Sent: by whom (the actor), to whom, how. Recipient and channel are required.
  assertProblem(await coord.post(`/api/v1/incidents/${i.id}/reports`, { kind: 'closing' }), 422, '/recipient');
  const sentCr = await coord.post(`/api/v1/incidents/${i.id}/reports`, { kind: 'closing', recipient: 'Trung tâm VNCERT/CC', channel: 'email', reference: 'CV 12/UBND' });
  assert.equal(sentCr.status, 201, sentCr.text);
  i = await getIncident(coord, i.id);
  clk = i.deadlines.find((d) => d.kind === 'closing_report');
  assert.ok(clk.met_at, 'closing report met once recorded as sent');
  assert.equal(clk.state, 'met');
  const closingRec = i.reports.find((r) => r.kind === 'closing');
  assert.equal(closingRec.recipient, 'Trung tâm VNCERT/CC');
  assert.equal(closingRec.channel, 'email');
  assert.equal(closingRec.created_by.username, 'dieuphoi');

  // the timeline tells it, oldest first
  const kinds = i.timeline.map((e) => e.kind);
  assert.equal(kinds[0], 'created');
  const moves = i.timeline.filter((e) => e.kind === 'transition').map((e) => `${e.data.from}>${e.data.to}`);
  assert.deepEqual(moves, ['received>acknowledged', 'acknowledged>verified', 'verified>classified',
    'classified>containing', 'containing>eradicating', 'eradicating>recovering',
    'recovering>reviewing', 'reviewing>closed']);
  for (const k of ['support_request', 'support_request_update', 'report']) assert.ok(kinds.includes(k), k);
  const ats = i.timeline.map((e) => new Date(e.at).getTime());
  assert.deepEqual(ats, [...ats].sort((a, b) => a - b), 'oldest first');
  const who = i.timeline.filter((e) => e.kind === 'transition').map((e) => e.actor.username);
  assert.ok(who.includes('tinh') && who.includes('dieuphoi'));
  assert.equal(i.timeline.find((e) => e.kind === 'transition' && e.data.to === 'classified').data.severity, 'high');
});

test('transition refusals: 428 without If-Match, 412 stale, 409 from this state, 403 wrong role — each changes nothing', async () => {
  const i = await walkTo('received');
  const id = i.id;
  const path = `/api/v1/incidents/${id}/transitions`;
  assertProblem(await coord.post(path, { to: 'acknowledged' }), 428);
  await unchanged(id, i);
  assertProblem(await coord.post(path, { to: 'acknowledged' }, { 'If-Match': '"2"' }), 412);
  assertProblem(await coord.post(path, { to: 'acknowledged' }, { 'If-Match': '"0"' }), 412);
  await unchanged(id, i);
  for (const to of ['verified', 'classified', 'containing', 'closed', 'received', 'rejected']) {
    assertProblem(await move(coord, id, { to, severity: 'low', reason: 'x', closing_report: { summary: 's' } }, 1), 409);
  }
  await unchanged(id, i);
  assertProblem(await move(tam, id, { to: 'acknowledged' }, 1), 403);
  assertProblem(await move(lead, id, { to: 'acknowledged' }, 1), 403);
  assertProblem(await move(admin, id, { to: 'acknowledged' }, 1), 403);
  assertProblem(await move(longhai, id, { to: 'acknowledged' }, 1), 404);
  await unchanged(id, i);
  assertProblem(await move(coord, id, { to: 'done' }, 1), 422, '/to');
  assertProblem(await move(coord, id, {}, 1), 422, '/to');
  assertProblem(await move(coord, id, { to: 'acknowledged', extra: 1 }, 1), 422, '/extra');
  assertProblem(await move(coord, id, { to: 'acknowledged', note: 5 }, 1), 422, '/note');
  await unchanged(id, i);
  // and then the right request still works
  const ok = await moveOk(coord, id, { to: 'acknowledged' }, 1);
  assert.equal(ok.version, 2);
});

test('rejected needs a reason (422), then records it; reopening needs a reason too', async () => {
  const i = await walkTo('acknowledged');
  assertProblem(await move(coord, i.id, { to: 'rejected' }, i.version), 422, '/reason');
  assertProblem(await move(coord, i.id, { to: 'rejected', reason: '' }, i.version), 422, '/reason');
  await unchanged(i.id, i);
  let r = await moveOk(coord, i.id, { to: 'rejected', reason: 'Cảnh báo nhầm' }, i.version);
  assert.equal(r.reject_reason, 'Cảnh báo nhầm');
  assert.deepEqual(r.allowed_transitions, ['received']);
  assert.ok(r.deadlines.every((d) => d.overdue === false), 'a rejected incident is never overdue');
  const before_ = await getIncident(coord, r.id);
  assertProblem(await move(coord, r.id, { to: 'received' }, r.version), 422, '/reason');
  await unchanged(r.id, before_);
  assertProblem(await move(tam, r.id, { to: 'received', reason: 'Tôi muốn mở lại' }, r.version), 403);
  await unchanged(r.id, before_);
  r = await moveOk(coord, r.id, { to: 'received', reason: 'Có thêm bằng chứng' }, r.version);
  assert.equal(r.reject_reason, null);
  const ack = r.deadlines.find((d) => d.kind === 'ack');
  assert.equal(ack.met_at, null, 'to be acknowledged again');
});

test('classified needs a severity (422); a bad severity is 422', async () => {
  const i = await walkTo('verified');
  assertProblem(await move(coord, i.id, { to: 'classified' }, i.version), 422, '/severity');
  assertProblem(await move(coord, i.id, { to: 'classified', severity: 'extreme' }, i.version), 422, '/severity');
  assertProblem(await move(coord, i.id, { to: 'classified', severity: 'low', serious: 'yes' }, i.version), 422, '/serious');
  await unchanged(i.id, i);
  const r = await moveOk(coord, i.id, { to: 'classified', severity: 'critical', serious: true }, i.version);
  assert.equal(r.severity, 'critical');
  assert.equal(r.serious, true);
  assert.equal(r.escalate, true, 'a serious incident is escalated');
});

test('closed needs closing_report.summary (422); reopening closed → containing needs a reason', async () => {
  const i = await walkTo('reviewing');
  assertProblem(await move(coord, i.id, { to: 'closed' }, i.version), 422, '/closing_report/summary');
  assertProblem(await move(coord, i.id, { to: 'closed', closing_report: {} }, i.version), 422, '/closing_report/summary');
  assertProblem(await move(coord, i.id, { to: 'closed', closing_report: { summary: '' } }, i.version), 422, '/closing_report/summary');
  assertProblem(await move(coord, i.id, { to: 'closed', closing_report: { summary: 'ok', verdict: 'x' } }, i.version), 422, '/closing_report/verdict');
  await unchanged(i.id, i);
  assert.equal((await getIncident(coord, i.id)).reports.length, 0);
  let r = await moveOk(coord, i.id, { to: 'closed', closing_report: { summary: 'Xong' } }, i.version);
  assert.deepEqual(r.closing_report, { summary: 'Xong' });
  const closedView = await getIncident(coord, r.id);
  assertProblem(await move(coord, r.id, { to: 'containing' }, r.version), 422, '/reason');
  await unchanged(r.id, closedView);
  // a closed incident cannot be edited
  assertProblem(await coord.patch(`/api/v1/incidents/${r.id}`, { title: 'Sửa sau khi đóng' }, { 'If-Match': `"${r.version}"` }), 409);
  await unchanged(r.id, closedView);
  r = await moveOk(coord, r.id, { to: 'containing', reason: 'Mã độc quay lại' }, r.version);
  assert.ok(!r.deadlines.some((d) => d.kind === 'closing_report'), 'a new closing report will be due later');
});

test('responder-only and coordinator-only steps', async () => {
  const tinhOnly = await walkTo('containing');
  // tamthanh is reporter+focal: may not move at all
  assertProblem(await move(tam, tinhOnly.id, { to: 'eradicating' }, tinhOnly.version), 403);
  await unchanged(tinhOnly.id, tinhOnly);
  // recovering → containing (unstable) is the responder's
  const rec = await walkTo('recovering');
  const back = await moveOk(tinh, rec.id, { to: 'containing' }, rec.version);
  assert.equal(back.status, 'containing');
});

test('support requests: default to the province team; only from acknowledged to recovering (else 409)', async () => {
  const body = { summary: 'Đề nghị hỗ trợ' };
  for (const state of ['received', 'rejected', 'reviewing', 'closed']) {
    const i = await walkTo(state);
    assertProblem(await coord.post(`/api/v1/incidents/${i.id}/support-requests`, body), 409);
    const now = await unchanged(i.id, i);
    assert.equal(now.support_requests.length, 0, state);
  }
  for (const state of ['acknowledged', 'verified', 'classified', 'containing', 'recovering']) {
    const i = await walkTo(state);
    const r = await coord.post(`/api/v1/incidents/${i.id}/support-requests`, body);
    assert.equal(r.status, 201, `${state}: ${r.text}`);
    assert.equal(r.body.to_org.code, 'stttt-bth');
    assert.equal(r.body.urgency, 'normal');
  }
});

test('support requests: named recipient, validation, and who may answer', async () => {
  const i = await walkTo('acknowledged');
  const base = `/api/v1/incidents/${i.id}/support-requests`;
  assertProblem(await coord.post(base, {}), 422, '/summary');
  assertProblem(await coord.post(base, { summary: 'x', urgency: 'asap' }), 422, '/urgency');
  assertProblem(await coord.post(base, { summary: 'x', to_org_code: 'nowhere' }), 422, '/to_org_code');
  assertProblem(await coord.post(base, { summary: 'x', due_at: 'tomorrow' }), 422, '/due_at');
  assertProblem(await tam.post(base, { summary: 'x' }), 403);
  assertProblem(await lead.post(base, { summary: 'x' }), 403);
  assert.equal((await getIncident(coord, i.id)).support_requests.length, 0);

  const due = new Date(Date.now() + 86400_000).toISOString();
  const r = await coord.post(base, { summary: 'Xin VNCERT/CC hỗ trợ', to_org_code: 'vncert', due_at: due });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.to_org.code, 'vncert');
  const r2 = await coord.post(base, { summary: 'Xin tỉnh hỗ trợ' });
  assert.equal(r2.status, 201);
  const sid = r2.body.id;
  const tr = `${base}/${sid}/transitions`;
  // the asking district cannot answer its own request to the province
  assertProblem(await coord.post(tr, { to: 'accepted' }), 403);
  assertProblem(await tinh.post(tr, { to: 'done' }), 409);
  assertProblem(await tinh.post(tr, { to: 'sent' }), 409);
  assertProblem(await tinh.post(tr, { to: 'maybe' }), 422, '/to');
  assertProblem(await tinh.post(`${base}/01900000-0000-7000-8000-000000000000/transitions`, { to: 'accepted' }), 404);
  const dec = await tinh.post(tr, { to: 'declined', note: 'Không đủ người' });
  assert.equal(dec.status, 200, dec.text);
  assert.equal(dec.body.status, 'declined');
  assertProblem(await tinh.post(tr, { to: 'accepted' }), 409, undefined);
  const g = await getIncident(coord, i.id);
  const sr = g.support_requests.find((s) => s.id === sid);
  assert.equal(sr.status, 'declined');
  assert.equal(sr.note, 'Không đủ người');
  const vn = g.support_requests.find((s) => s.id === r.body.id);
  assert.equal(new Date(vn.due_at).getTime(), new Date(due).getTime());
});

test('legal reports: each kind meets its own deadline; validation', async () => {
  const i = await walkTo('verified');
  const base = `/api/v1/incidents/${i.id}/reports`;
  assertProblem(await coord.post(base, { kind: 'gossip' }), 422, '/kind');
  assertProblem(await coord.post(base, { kind: 'progress', channel: 'pigeon' }), 422, '/channel');
  assertProblem(await coord.post(base, { kind: 'progress', sent_at: '24/11/2026' }), 422, '/sent_at');
  assertProblem(await coord.post(base, { recipient: 'x' }), 422, '/kind');
  assertProblem(await lead.post(base, { kind: 'progress' }), 403);
  assertProblem(await longhai.post(base, { kind: 'progress' }), 404);
  assert.equal((await getIncident(coord, i.id)).reports.length, 0);
  // a progress report meets nothing
  const p = await tam.post(base, { kind: 'progress', recipient: 'UBND huyện', channel: 'letter' });
  assert.equal(p.status, 201, p.text);
  let g = await getIncident(coord, i.id);
  assert.equal(g.deadlines.find((d) => d.kind === 'notification').met_at, null);
  // a report that meets a clock says to whom and by which channel
  assertProblem(await coord.post(base, { kind: 'notification', recipient: 'VNCERT/CC' }), 422, '/channel');
  assertProblem(await coord.post(base, { kind: 'initial', channel: 'email' }), 422, '/recipient');
  assertProblem(await coord.post(base, { kind: 'notification', recipient: 'VNCERT/CC', channel: 'email', sent_at: new Date(Date.now() + 86400_000).toISOString() }), 422, '/sent_at');
  const n = await coord.post(base, { kind: 'notification', recipient: 'VNCERT/CC', channel: 'email' });
  assert.equal(n.status, 201, n.text);
  g = await getIncident(coord, i.id);
  assert.ok(g.deadlines.find((d) => d.kind === 'notification').met_at);
  assert.equal(g.reports.length, 2);
  assert.deepEqual(g.reports.map((r) => r.kind), ['progress', 'notification']);
  assert.equal(g.reports[1].created_by.username, 'dieuphoi');
  // the overdue list no longer holds it
  const dl = await coord.get('/api/v1/deadlines');
  assert.ok(!dl.body.items.some((d) => d.incident.id === i.id && d.kind === 'notification'));
});

test('tasks: create (with assignee and due date), mark done; validation and roles', async () => {
  const i = await walkTo('containing');
  const base = `/api/v1/incidents/${i.id}/tasks`;
  const me = await userByName(coord, 'dieuphoi');
  const due = new Date(Date.now() + 3600_000).toISOString();
  assertProblem(await coord.post(base, {}), 422, '/title');
  assertProblem(await coord.post(base, { title: 'x', assignee_id: 'bob' }), 422, '/assignee_id');
  assertProblem(await coord.post(base, { title: 'x', assignee_id: '01900000-0000-7000-8000-000000000000' }), 422, '/assignee_id');
  assertProblem(await coord.post(base, { title: 'x', due_at: 12 }), 422, '/due_at');
  assertProblem(await lead.post(base, { title: 'x' }), 403);
  assert.equal((await getIncident(coord, i.id)).tasks.length, 0);
  const t = await coord.post(base, { title: 'Cô lập máy chủ web', assignee_id: me.id, due_at: due });
  assert.equal(t.status, 201, t.text);
  assert.equal(t.body.title, 'Cô lập máy chủ web');
  assert.equal(t.body.done, false);
  const tid = t.body.id;
  assertProblem(await coord.patch(`${base}/${tid}`, { done: 'yes' }), 422, '/done');
  assertProblem(await coord.patch(`${base}/01900000-0000-7000-8000-000000000000`, { done: true }), 404);
  const u = await coord.patch(`${base}/${tid}`, { done: true });
  assert.equal(u.status, 200, u.text);
  const g = await getIncident(coord, i.id);
  assert.equal(g.tasks.length, 1);
  assert.equal(g.tasks[0].done, true);
  assert.equal(g.tasks[0].assignee.username, 'dieuphoi');
  assert.equal(new Date(g.tasks[0].due_at).getTime(), new Date(due).getTime());
  const kinds = g.timeline.map((e) => e.kind);
  assert.ok(kinds.includes('task') && kinds.includes('task_update'));
});

test('observables: each kind checked (bad IP → 422), hashes and domains lower-cased', async () => {
  const i = await walkTo('acknowledged');
  const base = `/api/v1/incidents/${i.id}/observables`;
  const bad = [
    { kind: 'ip', value: '999.1.1.1' }, { kind: 'ip', value: '10.0.0' }, { kind: 'ip', value: '10.0.0.1/33' },
    { kind: 'ip', value: 'example.com' }, { kind: 'ip', value: '' }, { kind: 'domain', value: 'no spaces.vn' },
    { kind: 'domain', value: 'localhost' }, { kind: 'url', value: 'javascript:alert(1)' },
    { kind: 'hash', value: 'abc' }, { kind: 'hash', value: 'z'.repeat(64) }, { kind: 'email', value: 'a@b' },
    { kind: 'filename', value: '../etc/passwd' },
  ];
  for (const b of bad) assertProblem(await coord.post(base, b), 422, '/value');
  assertProblem(await coord.post(base, { kind: 'asn', value: '1' }), 422, '/kind');
  assertProblem(await coord.post(base, { kind: 'ip', value: '203.0.113.5', tlp: 'PURPLE' }), 422, '/tlp');
  assert.equal((await getIncident(coord, i.id)).observables.length, 0);
  const good = [
    { kind: 'ip', value: '203.0.113.5' }, { kind: 'ip', value: '2001:db8::1/64' },
    { kind: 'domain', value: 'Evil.Example.VN' }, { kind: 'url', value: 'https://evil.example.vn/login' },
    { kind: 'hash', value: 'AB'.repeat(32) }, { kind: 'email', value: 'ke.gian@evil.example.vn' },
    { kind: 'filename', value: 'hoa-don.pdf.exe' },
  ];
  for (const b of good) {
    const r = await tam.post(base, { ...b, note: 'từ nhật ký' });
    assert.equal(r.status, 201, `${b.kind} ${b.value}: ${r.text}`);
    assert.equal(r.body.kind, b.kind);
    assert.equal(r.body.tlp, 'AMBER');
  }
  const g = await getIncident(coord, i.id);
  assert.equal(g.observables.length, good.length);
  assert.ok(g.observables.some((o) => o.value === 'evil.example.vn'));
  assert.ok(g.observables.some((o) => o.value === 'ab'.repeat(32)));
  assert.equal(g.timeline.filter((e) => e.kind === 'observable').length, good.length);
});

test('comments: anyone who may write adds one; empty or unknown fields → 422', async () => {
  const i = await walkTo('received');
  const base = `/api/v1/incidents/${i.id}/comments`;
  assertProblem(await tam.post(base, {}), 422, '/body');
  assertProblem(await tam.post(base, { body: '' }), 422, '/body');
  assertProblem(await tam.post(base, { body: 'x', author: 'y' }), 422, '/author');
  const long = 'Ủy ban nhân dân xã đã báo cáo. '.repeat(20);
  const r = await tam.post(base, { body: long });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.body, long);
  const r2 = await coord.post(base, { body: 'Đã nhận, đang xem' });
  assert.equal(r2.status, 201);
  const g = await getIncident(coord, i.id);
  assert.deepEqual(g.comments.map((c) => c.body), [long, 'Đã nhận, đang xem']);
  assert.deepEqual(g.comments.map((c) => c.created_by.username), ['tamthanh', 'dieuphoi']);
  const ev = g.timeline.filter((e) => e.kind === 'comment');
  assert.equal(ev.length, 2);
  assert.equal(typeof ev[0].data.excerpt, 'string');
  assert.ok(long.startsWith(ev[0].data.excerpt));
});

test('attachments: raw upload with a percent-encoded name; SHA-256 right; download gives the same bytes', async () => {
  const i = await walkTo('received');
  const name = 'Nhật ký truy cập "máy chủ" #1.log';
  const bytes = Buffer.concat([Buffer.from('203.0.113.66 - - "POST /wp-login.php" 200\n'), Buffer.from([0, 1, 2, 255, 254, 0x80])]);
  const r = await tam.post(`/api/v1/incidents/${i.id}/attachments`, bytes,
    { 'Content-Type': 'text/plain', 'X-Filename': encodeURIComponent(name) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.name, name);
  assert.equal(r.body.size, bytes.length);
  assert.equal(r.body.sha256, sha256(bytes));
  assert.equal(r.body.content_type, 'text/plain');
  const d = await fetch(`${server.url}/api/v1/incidents/${i.id}/attachments/${r.body.id}`, { headers: { Cookie: coord.cookie } });
  assert.equal(d.status, 200);
  const got = Buffer.from(await d.arrayBuffer());
  assert.ok(got.equals(bytes), 'same bytes back');
  assert.match(d.headers.get('content-disposition') ?? '', /^attachment;/);
  assert.equal(d.headers.get('content-type'), 'application/octet-stream');
  assert.equal(d.headers.get('x-content-type-options'), 'nosniff');
  const g = await getIncident(coord, i.id);
  assert.equal(g.attachments.length, 1);
  assert.equal(g.attachments[0].sha256, sha256(bytes));
  assert.ok(g.timeline.some((e) => e.kind === 'attachment' && e.data.sha256 === sha256(bytes)));
  // an empty file is fine, its hash is the hash of nothing
  const empty = await tam.post(`/api/v1/incidents/${i.id}/attachments`, Buffer.alloc(0), { 'Content-Type': 'application/octet-stream', 'X-Filename': 'rong.bin' });
  assert.equal(empty.status, 201, empty.text);
  assert.equal(empty.body.sha256, sha256(Buffer.alloc(0)));
});

test('attachments: missing or unsafe name → 422; unknown attachment → 404; leader 403', async () => {
  const i = await walkTo('received');
  const base = `/api/v1/incidents/${i.id}/attachments`;
  assertProblem(await tam.post(base, 'x', { 'Content-Type': 'text/plain' }), 422, '/X-Filename');
  assertProblem(await tam.post(base, 'x', { 'Content-Type': 'text/plain', 'X-Filename': encodeURIComponent('../../etc/passwd') }), 422, '/X-Filename');
  assertProblem(await tam.post(base, 'x', { 'Content-Type': 'text/plain', 'X-Filename': 'a%0Ab.txt' }), 422, '/X-Filename');
  assertProblem(await tam.post(base, 'x', { 'Content-Type': 'text/plain', 'X-Filename': 'a'.repeat(256) }), 422, '/X-Filename');
  assertProblem(await lead.post(base, 'x', { 'Content-Type': 'text/plain', 'X-Filename': 'a.txt' }), 403);
  assertProblem(await coord.get(`${base}/01900000-0000-7000-8000-000000000000`), 404);
  assert.equal((await getIncident(coord, i.id)).attachments.length, 0);
});

test('attachments over the limit → 413, nothing stored (server with --max-attachment 1000)', async () => {
  const c = await loginAs(small, 'tamthanh');
  const i = await file(c);
  const base = `/api/v1/incidents/${i.id}/attachments`;
  const big = await c.post(base, Buffer.alloc(1001, 0x41), { 'Content-Type': 'application/octet-stream', 'X-Filename': 'lon.bin' });
  assertProblem(big, 413);
  assert.equal((await getIncident(c, i.id)).attachments.length, 0);
  const fits = await c.post(base, Buffer.alloc(1000, 0x41), { 'Content-Type': 'application/octet-stream', 'X-Filename': 'vua.bin' });
  assert.equal(fits.status, 201, fits.text);
  assert.equal(fits.body.size, 1000);
  assert.equal((await getIncident(c, i.id)).attachments.length, 1);
});

test('the default attachment limit is 20 MiB', async () => {
  const i = await walkTo('received');
  const base = `/api/v1/incidents/${i.id}/attachments`;
  const over = await tam.post(base, Buffer.alloc(20 * 1024 * 1024 + 1, 0x43), { 'Content-Type': 'application/octet-stream', 'X-Filename': 'qua-lon.bin' });
  assertProblem(over, 413);
  const bytes = Buffer.alloc(3 * 1024 * 1024, 0x44);
  const ok = await tam.post(base, bytes, { 'Content-Type': 'application/octet-stream', 'X-Filename': 'vua.bin' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.sha256, sha256(bytes));
  assert.deepEqual((await getIncident(coord, i.id)).attachments.map((a) => a.name), ['vua.bin']);
});

test('an upload far over the limit still gets to read its 413 (the connection is not reset under it)', async () => {
  const c = await loginAs(small, 'tamthanh');
  const i = await file(c);
  const base = `/api/v1/incidents/${i.id}/attachments`;
  const outcomes = [];
  const scan = Buffer.alloc(16 * 1024 * 1024, 0x42);
  for (let k = 0; k < 4; k++) {
    try {
      const r = await c.post(base, scan, { 'Content-Type': 'application/pdf', 'X-Filename': 'ho-so.pdf' });
      outcomes.push(r.status);
    } catch (e) {
      outcomes.push(e.cause?.code ?? e.message);
    }
  }
  assert.deepEqual(outcomes, [413, 413, 413, 413], 'a 16 MiB scan against a 1000-byte limit');
  assert.equal((await getIncident(c, i.id)).attachments.length, 0);
});

test('the timeline holds creation, each transition, support request, report, task, observable, comment, attachment — oldest first', async () => {
  let i = await file(tam);
  const id = i.id;
  i = await moveOk(coord, id, { to: 'acknowledged' }, 1);
  assert.equal((await coord.post(`/api/v1/incidents/${id}/support-requests`, { summary: 'Hỗ trợ' })).status, 201);
  assert.equal((await coord.post(`/api/v1/incidents/${id}/reports`, { kind: 'progress' })).status, 201);
  assert.equal((await coord.post(`/api/v1/incidents/${id}/tasks`, { title: 'Việc 1' })).status, 201);
  assert.equal((await coord.post(`/api/v1/incidents/${id}/observables`, { kind: 'ip', value: '198.51.100.7' })).status, 201);
  assert.equal((await coord.post(`/api/v1/incidents/${id}/comments`, { body: 'Ghi chú' })).status, 201);
  assert.equal((await coord.post(`/api/v1/incidents/${id}/attachments`, 'abc', { 'Content-Type': 'text/plain', 'X-Filename': 'a.txt' })).status, 201);
  await moveOk(coord, id, { to: 'verified' });
  const g = await getIncident(coord, id);
  assert.deepEqual(g.timeline.map((e) => e.kind), ['created', 'transition', 'support_request', 'report',
    'task', 'observable', 'comment', 'attachment', 'transition']);
  for (const e of g.timeline) {
    assert.equal(typeof e.id, 'string');
    assert.equal(typeof e.at, 'string');
    assert.equal(typeof e.data, 'object');
    assert.ok(e.actor && typeof e.actor.username === 'string');
  }
  const ts = g.timeline.map((e) => Date.parse(e.at));
  for (let k = 1; k < ts.length; k++) assert.ok(ts[k] >= ts[k - 1]);
  // every record bumps the incident's updated_at but not its version
  assert.equal(g.version, 3);
});

test('a commune reporter, a telecom officer and the leader are refused where they must be', async () => {
  const i = await walkTo('containing');
  const id = i.id;
  const cases = [
    [tam, 'POST', `/api/v1/incidents/${id}/support-requests`, { summary: 'x' }, 403],
    [tam, 'POST', `/api/v1/incidents/${id}/assignees`, { user_id: (await userByName(coord, 'vanhoa')).id }, 403],
    [lead, 'POST', `/api/v1/incidents/${id}/tasks`, { title: 'x' }, 403],
    [lead, 'POST', `/api/v1/incidents/${id}/observables`, { kind: 'ip', value: '203.0.113.9' }, 403],
    [lead, 'POST', `/api/v1/incidents/${id}/reports`, { kind: 'progress' }, 403],
    [admin, 'POST', `/api/v1/incidents/${id}/comments`, { body: 'x' }, 403],
    [vnpt, 'GET', `/api/v1/incidents/${id}`, undefined, 404],
    [vnpt, 'POST', `/api/v1/incidents/${id}/comments`, { body: 'x' }, 404],
    [longhai, 'POST', `/api/v1/incidents/${id}/tasks`, { title: 'x' }, 404],
  ];
  for (const [c, m, p, b, st] of cases) assertProblem(await c.req(m, p, b), st);
  const g = await unchanged(id, i);
  for (const k of ['tasks', 'observables', 'comments', 'reports', 'support_requests']) assert.equal(g[k].length, 0, k);
});

test('the transition table, row by row: each single role is refused (403, nothing changes) or allowed as the table says', async () => {
  const meta = (await coord.get('/api/v1/meta')).body;
  assert.equal(meta.transitions.length, 12);
  const people = {};
  for (const role of ['reporter', 'focal', 'coordinator', 'responder', 'leader']) {
    const u = await newUser(admin, { org_code: 'pq', roles: [role] });
    const c = new Client(server.url);
    assert.equal((await c.login(u.username, u.password)).status, 200);
    people[role] = c;
  }
  people.admin = admin;
  const body = (to) => ({ to, reason: 'Lý do', severity: 'medium', closing_report: { summary: 'Tóm tắt' } });
  for (const t of meta.transitions) {
    const i = await walkTo(t.from);
    assert.equal(i.status, t.from);
    const allowed = [];
    for (const [role, c] of Object.entries(people)) {
      if (t.roles.includes(role)) { allowed.push(role); continue; }
      assertProblem(await move(c, i.id, body(t.to), i.version), 403);
      const v = await getIncident(c, i.id);
      assert.deepEqual(v.allowed_transitions.includes(t.to), false, `${role} is not offered ${t.from}→${t.to}`);
    }
    await unchanged(i.id, i);
    assert.ok(allowed.length > 0);
    // one of the allowed roles makes the move
    const who = people[allowed[allowed.length - 1]];
    const seen = await getIncident(who, i.id);
    assert.ok(seen.allowed_transitions.includes(t.to), `${allowed} offered ${t.from}→${t.to}`);
    const ok = await moveOk(who, i.id, body(t.to), i.version);
    assert.equal(ok.version, i.version + 1);
  }
});

test('a record id of one incident cannot be reached through another incident\'s path (404)', async () => {
  // B: Long Hải's incident with an attachment, a task and a support request
  const b = await file(longhai);
  await moveOk(coord, b.id, { to: 'acknowledged' }, 1);
  const att = await coord.post(`/api/v1/incidents/${b.id}/attachments`, 'bí mật của Long Hải', { 'Content-Type': 'text/plain', 'X-Filename': 'bimat.txt' });
  assert.equal(att.status, 201, att.text);
  const task = await coord.post(`/api/v1/incidents/${b.id}/tasks`, { title: 'Việc của Long Hải' });
  assert.equal(task.status, 201, task.text);
  const sr = await coord.post(`/api/v1/incidents/${b.id}/support-requests`, { summary: 'Hỗ trợ Long Hải' });
  assert.equal(sr.status, 201, sr.text);
  // A: Tam Thanh's own incident; tamthanh tries B's records through A
  const a = await file(tam);
  assertProblem(await tam.get(`/api/v1/incidents/${a.id}/attachments/${att.body.id}`), 404);
  assertProblem(await tam.patch(`/api/v1/incidents/${a.id}/tasks/${task.body.id}`, { done: true }), 404);
  assertProblem(await tinh.post(`/api/v1/incidents/${a.id}/support-requests/${sr.body.id}/transitions`, { to: 'accepted' }), 404);
  const g = await getIncident(coord, b.id);
  assert.equal(g.tasks[0].done, false);
  assert.equal(g.support_requests[0].status, 'sent');
});

test('a download names the file in Content-Disposition so that a browser can recover a Vietnamese name (RFC 6266 filename*)', async () => {
  const i = await walkTo('received');
  const name = 'Báo cáo sự cố.pdf';
  const r = await tam.post(`/api/v1/incidents/${i.id}/attachments`, '%PDF-1.4', { 'Content-Type': 'application/pdf', 'X-Filename': encodeURIComponent(name) });
  assert.equal(r.status, 201, r.text);
  const d = await fetch(`${server.url}/api/v1/incidents/${i.id}/attachments/${r.body.id}`, { headers: { Cookie: tam.cookie } });
  assert.equal(d.status, 200);
  const cd = d.headers.get('content-disposition');
  assert.match(cd, /^attachment;/);
  // header values are ISO-8859-1/ASCII on the wire: a non-ASCII name goes in filename*=UTF-8''…
  assert.ok(/^[\x20-\x7e]*$/.test(cd), `Content-Disposition is ASCII: ${JSON.stringify(cd)}`);
  const star = cd.match(/filename\*=UTF-8''([^;\s]+)/i);
  assert.ok(star, `filename* present: ${cd}`);
  assert.equal(decodeURIComponent(star[1]), name);
});

test('support requests tell each caller what they may answer (allowed_transitions)', async () => {
  const i = await walkTo('acknowledged');
  const sr = await coord.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Xin hỗ trợ' });
  assert.equal(sr.status, 201, sr.text);
  const of = async (c) => (await getIncident(c, i.id)).support_requests.find((x) => x.id === sr.body.id).allowed_transitions;
  assert.deepEqual([...await of(tinh)].sort(), ['accepted', 'declined'], 'the asked province team answers');
  assert.deepEqual(await of(coord), [], 'the asking district does not');
  assert.deepEqual(await of(lead), [], 'the leader does not');
  const acc = await tinh.post(`/api/v1/incidents/${i.id}/support-requests/${sr.body.id}/transitions`, { to: 'accepted' });
  assert.equal(acc.status, 200, acc.text);
  assert.deepEqual(await of(tinh), ['done']);
  assert.deepEqual(await of(coord), ['done'], 'either side marks it done');
  assert.deepEqual(await of(tam), [], 'a commune reporter does not');
  // what is offered works
  const d = await coord.post(`/api/v1/incidents/${i.id}/support-requests/${sr.body.id}/transitions`, { to: 'done', note: 'Xong' });
  assert.equal(d.status, 200, d.text);
  assert.deepEqual(await of(coord), []);
  assert.deepEqual(await of(tinh), []);
});

test('closing with open work: 409 listing open tasks by title and support requests by organisation, unless confirm_open_work', async () => {
  const i = await walkTo('reviewing');
  const longTitle = `Kiểm tra lại nhật ký ${'đường truyền '.repeat(12)}`;   // longer than a field's argument
  for (const title of ['Thu hồi tài khoản bị lộ', longTitle]) {
    const t = await coord.post(`/api/v1/incidents/${i.id}/tasks`, { title });
    assert.equal(t.status, 201, t.text);
  }
  const done = await coord.post(`/api/v1/incidents/${i.id}/tasks`, { title: 'Đã xong' });
  assert.equal((await coord.patch(`/api/v1/incidents/${i.id}/tasks/${done.body.id}`, { done: true })).status, 200);
  const cur = await getIncident(coord, i.id);
  const close = { to: 'closed', closing_report: { summary: 'Xong' } };
  const r = await move(coord, i.id, close, cur.version);
  assertProblem(r, 409, '/open_work/tasks/0');
  const byPointer = Object.fromEntries(r.body.errors.map((x) => [x.pointer, x.detail]));
  assert.deepEqual(Object.keys(byPointer).sort(), ['/open_work/tasks/0', '/open_work/tasks/1']);
  assert.match(byPointer['/open_work/tasks/0'], /Thu hồi tài khoản bị lộ/);
  assert.match(byPointer['/open_work/tasks/1'], /^Nhiệm vụ chưa xong: Kiểm tra lại nhật ký đường truyền.*…$/u);
  assert.doesNotMatch(JSON.stringify(r.body), /Đã xong/);
  assert.match(r.body.detail, /confirm_open_work/);
  await unchanged(i.id, cur);
  // English, and the wrong type of the flag
  const en = await coord.post(`/api/v1/incidents/${i.id}/transitions`, close, { 'If-Match': `"${cur.version}"`, 'Accept-Language': 'en' });
  assert.equal(en.status, 409);
  assert.match(en.body.errors[0].detail, /^Open task: /);
  assertProblem(await move(coord, i.id, { ...close, confirm_open_work: 'yes' }, cur.version), 422, '/confirm_open_work');
  assertProblem(await move(coord, i.id, { ...close, confirm_open_work: false }, cur.version), 409, '/open_work/tasks/0');
  await unchanged(i.id, cur);
  const ok = await moveOk(coord, i.id, { ...close, confirm_open_work: true }, cur.version);
  assert.equal(ok.status, 'closed');
});

test('closing with an open support request: listed by the organisation asked; done or declined ones are not', async () => {
  const i = await walkTo('containing');
  const sr = await coord.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Cần hỗ trợ phân tích' });
  assert.equal(sr.status, 201, sr.text);
  for (const to of ['eradicating', 'recovering', 'reviewing']) await moveOk(coord, i.id, { to });
  const cur = await getIncident(coord, i.id);
  const org = cur.support_requests[0].to_org.name;
  const r = await move(coord, i.id, { to: 'closed', closing_report: { summary: 'Xong' } }, cur.version);
  assertProblem(r, 409, '/open_work/support/0');
  assert.equal(r.body.errors.length, 1);
  assert.equal(r.body.errors[0].detail, `Yêu cầu hỗ trợ chưa xong, gửi tới: ${org}`);
  await unchanged(i.id, cur);
  // once the asked organisation has finished, nothing is open
  assert.equal((await tinh.post(`/api/v1/incidents/${i.id}/support-requests/${sr.body.id}/transitions`, { to: 'accepted' })).status, 200);
  assert.equal((await coord.post(`/api/v1/incidents/${i.id}/support-requests/${sr.body.id}/transitions`, { to: 'done' })).status, 200);
  await moveOk(coord, i.id, { to: 'closed', closing_report: { summary: 'Xong' } });
});
