// `ungcuu roster` (issue 17, h/duty): the standing duty's roster from the
// server's own machine, as an administrator without a browser keeps it —
// weekly shifts and exceptions with the API's rules (bad input refused with
// a clear message and nothing stored), who is on duty now in Vietnam time
// (an exception wins, a commune is answered by the district above it), and
// help text on every verb.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, before, after, run } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
let tmp; let db;

function ok(args, env = EN) {
  const r = run(args, { env });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
}
const json = (args) => JSON.parse(ok([...args, '--json']).stdout);
const shifts = () => json(['roster', 'list', '--db', db]).items;
const iso = (ms) => new Date(ms).toISOString();

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-roster-'));
  db = join(tmp, 'pq.db');
  ok(['demo', '--db', db, '--json']);
});
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

test('help on the command and on every verb; an unknown verb or option exits 2', () => {
  const h = ok(['roster', '--help']).stdout;
  for (const v of ['list', 'show', 'add-shift', 'add-exception', 'remove', 'now']) {
    assert.ok(h.includes(v), v);
    const vh = ok(['roster', v, '--help']).stdout;
    assert.match(vh, /--db/, v);
  }
  assert.match(ok(['roster', '--help'], { LANG: 'vi_VN.UTF-8' }).stdout, /Ai đang trực/);
  assert.equal(run(['roster'], { env: EN }).status, 2);
  assert.equal(run(['roster', 'fly', '--db', db], { env: EN }).status, 2);
  assert.equal(run(['roster', 'list', '--db', db, '--bogus'], { env: EN }).status, 2);
  assert.equal(run(['roster', 'now', '--db', db], { env: EN }).status, 2, '--org is required');
});

test('shifts and an exception: who is on duty now, in Vietnam time, for the district and a commune below it', () => {
  assert.equal(shifts().length, 0);
  assert.match(ok(['roster', 'now', '--db', db, '--org', 'pq-tamthanh']).stdout, /nobody is on duty/);
  const day = json(['roster', 'add-shift', '--db', db, '--org', 'pq', '--start', '00:00', '--end', '24:00',
    '--primary', 'dieuphoi', '--backup', 'lanhdao', '--note', 'Trực 24/7']);
  assert.deepEqual(day.days, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(day.primary.username, 'dieuphoi');
  let now = json(['roster', 'now', '--db', db, '--org', 'pq-tamthanh']);
  assert.equal(now.roster_of.code, 'pq', 'the commune is answered by the district above it');
  assert.equal(now.primary.username, 'dieuphoi');
  assert.equal(now.backup.username, 'lanhdao');
  assert.match(now.at, /\+07:00$/, 'Vietnam time');
  // an exception covering now wins over the weekly shift
  const t = Date.now();
  const ex = json(['roster', 'add-exception', '--db', db, '--org', 'pq', '--from', iso(t - 3600e3), '--to', iso(t + 3600e3),
    '--primary', 'lanhdao', '--note', 'Đổi ca']);
  now = json(['roster', 'now', '--db', db, '--org', 'pq']);
  assert.equal(now.primary.username, 'lanhdao');
  assert.equal(now.backup, null);
  assert.equal(now.shift_id, ex.id);
  const text = ok(['roster', 'now', '--db', db, '--org', 'pq'], { LANG: 'vi_VN.UTF-8' }).stdout;
  assert.match(text, /giờ Việt Nam/);
  assert.match(text, /Trực chính: +lanhdao/);
  // show and list agree; remove takes it away and the weekly shift answers again
  assert.equal(json(['roster', 'show', '--db', db, '--id', ex.id]).note, 'Đổi ca');
  assert.match(ok(['roster', 'list', '--db', db]).stdout, /exception/);
  ok(['roster', 'remove', '--db', db, ex.id]);
  assert.equal(json(['roster', 'now', '--db', db, '--org', 'pq']).primary.username, 'dieuphoi');
  assert.equal(shifts().length, 1);
});

test('bad input is refused with a clear message and nothing is stored', () => {
  const before = shifts().length;
  for (const [args, msg] of [
    [['add-shift', '--org', 'pq', '--start', '25:00', '--end', '07:30', '--primary', 'dieuphoi'], /\/start/],
    [['add-shift', '--org', 'pq', '--start', '08:00', '--end', '24:30', '--primary', 'dieuphoi'], /\/end/],
    [['add-shift', '--org', 'pq', '--start', '08:00', '--end', '17:00', '--days', 'mon,someday', '--primary', 'dieuphoi'], /someday/],
    [['add-shift', '--org', 'pq', '--start', '08:00', '--end', '17:00', '--primary', 'nobody'], /No user nobody/],
    [['add-shift', '--org', 'pq', '--start', '08:00', '--end', '17:00', '--primary', 'dieuphoi', '--backup', 'dieuphoi'], /\/backup_id/],
    // a commune's person cannot stand the district's duty
    [['add-shift', '--org', 'pq', '--start', '08:00', '--end', '17:00', '--primary', 'tamthanh'], /\/primary_id/],
    [['add-shift', '--org', 'nowhere', '--start', '08:00', '--end', '17:00', '--primary', 'dieuphoi'], /nowhere/],
    [['add-shift', '--org', 'pq', '--start', '08:00', '--end', '17:00', '--primary', 'dieuphoi', '--note', 'x'.repeat(5000)], /\/note/],
    [['add-exception', '--org', 'pq', '--from', '2026-12-24T18:00:00+07:00', '--to', '2026-12-24T08:00:00+07:00', '--primary', 'dieuphoi'], /\/ends_at/],
    [['add-exception', '--org', 'pq', '--from', 'Christmas', '--to', '2026-12-24T08:00:00+07:00', '--primary', 'dieuphoi'], /\/starts_at/],
  ]) {
    const r = run(['roster', ...args, '--db', db], { env: EN });
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, msg, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  for (const [args, code] of [
    [['add-shift', '--org', 'pq', '--end', '17:00', '--primary', 'dieuphoi'], 2],
    [['add-exception', '--org', 'pq', '--from', '2026-12-24T18:00:00+07:00', '--primary', 'dieuphoi'], 2],
    [['add-shift', '--org', 'pq', '--start', '08:00', '--end', '17:00'], 2],
    [['show', '--id', 'not-an-id'], 1],
    [['remove', '--id', '01900000-0000-7000-8000-000000000000'], 1],
    [['now', '--org', 'zz'], 1],
  ]) assert.equal(run(['roster', ...args, '--db', db], { env: EN }).status, code, args.join(' '));
  assert.equal(shifts().length, before);
  // no database: a usage error, nothing created
  assert.equal(run(['roster', 'list'], { env: EN }).status, 2);
  assert.equal(run(['roster', 'list', '--db', join(tmp, 'none.db')], { env: EN }).status, 1);
});
