// Federation by file (issue 16, h/sync-core), as two administrators do it:
// two instances (two databases made by `ungcuu init`), each registers the
// other with the key `peer show` prints, pings travel both ways in sealed
// bundles, acknowledgements come back, and `sync status` says so. Then
// every kind of bad bundle is refused with a clear message and nothing
// changes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, before, after, run } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
let tmp, A, B, C;

function ok(args, what = args.join(' ')) {
  const r = run(args, { env: EN });
  assert.equal(r.status, 0, `${what}: ${r.stderr}`);
  return r;
}
const json = (args) => JSON.parse(ok([...args, '--json']).stdout);
const status = (db) => json(['sync', 'status', '--db', db]);
const peerOf = (db, name) => status(db).peers.find((p) => p.name === name);
const f = (name) => join(tmp, name);

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-sync-'));
  [A, B, C] = ['huyen.db', 'tinh.db', 'khac.db'].map(f);
  ok(['init', '--db', A, '--org-code', 'pq', '--json']);
  ok(['init', '--db', B, '--org-code', 'tinh', '--org-kind', 'province', '--json']);
  ok(['init', '--db', C, '--json']);
});
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

test('two instances exchange pings by bundle both ways and acknowledge them', () => {
  const a = json(['peer', 'show', '--db', A]);
  const b = json(['peer', 'show', '--db', B]);
  assert.match(a.fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  assert.equal(a.fingerprint.replaceAll(' ', ''), a.instance.slice(0, 32));
  // what the administrators read to each other on the phone
  const shown = ok(['peer', 'show', '--db', A]).stdout;
  assert.ok(shown.includes(a.fingerprint) && shown.includes(a.public_key), shown);

  const added = ok(['peer', 'add', '--db', A, '--name', 'tinh', '--key', b.public_key, '--relation', 'parent', '--orgs', 'tinh']).stdout;
  assert.ok(added.includes(b.fingerprint), 'peer add prints the fingerprint to check');
  ok(['peer', 'add', '--db', B, '--name', 'huyen', '--key', a.public_key, '--relation', 'child', '--orgs', 'pq', '--url', 'https://huyen.example']);
  const list = json(['peer', 'list', '--db', B]).items;
  assert.equal(list.length, 1);
  assert.deepEqual([list[0].name, list[0].relation, list[0].fingerprint, list[0].orgs], ['huyen', 'child', a.fingerprint, ['pq']]);

  // A → B: three pings
  ok(['sync', 'ping', '--db', A, '--peer', 'tinh', '--count', '3']);
  assert.equal(peerOf(A, 'tinh').out_waiting, 3);
  assert.ok(peerOf(A, 'tinh').out_oldest_at);
  ok(['sync', 'export', '--db', A, '--peer', 'tinh', '--out', f('a1.bundle')]);
  const imp = JSON.parse(ok(['sync', 'import', '--db', B, f('a1.bundle'), '--ack-out', f('b1.ack'), '--json']).stdout);
  assert.deepEqual([imp.envelopes, imp.applied, imp.acked, imp.refused.length], [3, 3, 3, 0]);
  let pb = peerOf(B, 'huyen');
  assert.deepEqual([pb.pings, pb.in_applied, pb.in_waiting, pb.refused], [3, 3, 0, 0]);
  assert.ok(pb.last_contact_at);
  // the acknowledgement back: nothing waits at A any more
  ok(['sync', 'import', '--db', A, f('b1.ack')]);
  let pa = peerOf(A, 'tinh');
  assert.deepEqual([pa.out_queued, pa.out_acked, pa.out_waiting, pa.out_oldest_at], [3, 3, 0, null]);

  // B → A: two pings; the bundle also carries B's acknowledgement
  ok(['sync', 'ping', '--db', B, '--peer', 'huyen', '--count', '2']);
  ok(['sync', 'export', '--db', B, '--peer', 'huyen', '--out', f('b2.bundle')]);
  ok(['sync', 'import', '--db', A, f('b2.bundle'), '--ack-out', f('a2.ack')]);
  ok(['sync', 'import', '--db', B, f('a2.ack')]);
  pa = peerOf(A, 'tinh');
  pb = peerOf(B, 'huyen');
  assert.deepEqual([pa.pings, pa.in_applied, pb.out_waiting, pb.out_acked], [2, 2, 0, 2]);

  // the same bundle again: a replay, acknowledged, applied never
  const again = JSON.parse(ok(['sync', 'import', '--db', B, f('a1.bundle'), '--json']).stdout);
  assert.equal(again.applied, 0);
  assert.ok(again.refused.every((r) => r.reason === 'replay'));
  pb = peerOf(B, 'huyen');
  assert.equal(pb.pings, 3);
  assert.equal(pb.refused_by_reason.replay, 3);
  // human status names both sides
  const human = ok(['sync', 'status', '--db', B]).stdout;
  assert.match(human, /huyen \(child\)/);
  assert.match(human, /replay=3/);
  // both audit logs still hold
  ok(['admin', 'audit-verify', '--db', A]);
  ok(['admin', 'audit-verify', '--db', B]);
});

test('bad bundles are refused clearly and change nothing', () => {
  ok(['sync', 'ping', '--db', A, '--peer', 'tinh']);
  ok(['sync', 'export', '--db', A, '--peer', 'tinh', '--out', f('x.bundle')]);
  const good = readFileSync(f('x.bundle'));
  const before = JSON.stringify(peerOf(B, 'huyen').pings);
  const refused = (file, re) => {
    const r = run(['sync', 'import', '--db', B, file], { env: EN });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  };
  // for another instance
  const rc = run(['sync', 'import', '--db', C, f('x.bundle')], { env: EN });
  assert.equal(rc.status, 1);
  assert.match(rc.stderr, /sealed for another instance/);
  // truncated
  writeFileSync(f('t.bundle'), good.subarray(0, good.length - 40));
  refused(f('t.bundle'), /Cannot open the bundle/);
  // one character changed in the sealed part
  const tam = Buffer.from(good);
  tam[good.length - 30] = tam[good.length - 30] === 65 ? 66 : 65;
  writeFileSync(f('m.bundle'), tam);
  refused(f('m.bundle'), /Cannot open the bundle/);
  // not a bundle; an empty file; a missing file
  writeFileSync(f('j.bundle'), '{"envelopes": []}\n');
  refused(f('j.bundle'), /Not an ungcuu sync bundle/);
  writeFileSync(f('e.bundle'), '');
  refused(f('e.bundle'), /Not an ungcuu sync bundle/);
  refused(f('nothing-here.bundle'), /nothing-here/);
  // from an instance B does not know (C, which knows B)
  const b = json(['peer', 'show', '--db', B]);
  ok(['peer', 'add', '--db', C, '--name', 'tinh', '--key', b.public_key, '--relation', 'parent']);
  ok(['sync', 'ping', '--db', C, '--peer', 'tinh']);
  ok(['sync', 'export', '--db', C, '--peer', 'tinh', '--out', f('c.bundle')]);
  refused(f('c.bundle'), /not a registered peer/);
  assert.equal(status(B).unknown_refused, 1);
  assert.equal(JSON.stringify(peerOf(B, 'huyen').pings), before);
  // and the good one still goes in
  const r = JSON.parse(ok(['sync', 'import', '--db', B, f('x.bundle'), '--json']).stdout);
  assert.equal(r.applied, 1);
});

test('peer commands refuse bad input with one line and add nothing', () => {
  const b = json(['peer', 'show', '--db', B]);
  const a = json(['peer', 'show', '--db', A]);
  const bad = [
    [['--name', 'X Y', '--key', b.public_key, '--relation', 'parent'], /peer name/],
    [['--name', 'ok', '--key', 'abcd', '--relation', 'parent'], /64 hex/],
    [['--name', 'ok', '--key', b.public_key, '--relation', 'sibling'], /.+/],
    [['--name', 'ok', '--key', a.public_key, '--relation', 'parent'], /own key/],
    [['--name', 'tinh', '--key', json(['peer', 'show', '--db', C]).public_key, '--relation', 'parent'], /exists already/],
    [['--name', 'ok', '--key', b.public_key, '--relation', 'parent', '--url', 'ftp://x'], /URL/],
  ];
  for (const [args, re] of bad) {
    const r = run(['peer', 'add', '--db', A, ...args], { env: EN });
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
  assert.equal(json(['peer', 'list', '--db', A]).items.length, 1);
  const u = run(['peer', 'add', '--db', A, '--name', 'x'], { env: EN });
  assert.equal(u.status, 2);
  assert.equal(run(['sync', 'export', '--db', A, '--peer', 'nobody', '--out', f('n.bundle')], { env: EN }).status, 1);
  assert.equal(run(['sync', 'frobnicate'], { env: EN }).status, 2);
  for (const c of [['peer', '--help'], ['sync', '--help'], ['peer', 'add', '--help'], ['sync', 'import', '--help']]) {
    assert.equal(run(c, { env: EN }).status, 0, c.join(' '));
  }
  // removal takes the queue with it
  ok(['peer', 'remove', '--db', C, '--name', 'tinh']);
  assert.equal(json(['peer', 'list', '--db', C]).items.length, 0);
});
