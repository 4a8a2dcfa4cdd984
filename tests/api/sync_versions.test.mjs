// Instances of different versions keep exchanging (issue 16, h/fed-compat;
// docs/SYNC.md "Versions"). Two real instances: a district that has
// upgraded (it knows a kind of envelope, `test.future`) and a province
// that has not. The district's envelopes of the new kind are kept by the
// province, acknowledged and counted ("kept until this instance is
// upgraded"), and the pings behind them are applied: the exchange goes on.
// The province upgraded (restarted knowing the kind) applies what it kept
// at start, once, and the new kind from then on as it comes.
//
// The new kind is test-only: UNGCUU_TEST_KIND=test.future in a process's
// environment registers it, and `sync ping` then queues it. It exists
// only in builds with test hooks (meson -Dtest_hooks: on by default for
// debug and debugoptimized builds, never in the Debian package nor a
// release build); without them this test says so and skips.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, cli, sanEnv, sqlite3 } from '../lib/server.mjs';
import { test, bearer } from './helpers.mjs';

const KIND = 'test.future';
const newer = { env: { ...sanEnv, UNGCUU_TEST_KIND: KIND } };

test('a newer district sends a kind the province does not know: kept, acknowledged, the rest applied; applied once when the province upgrades', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-sync-versions-'));
  const district = join(dir, 'district.db');
  cli(['init', '--db', district, '--json']);
  // the province: the older version (no UNGCUU_TEST_KIND)
  delete sanEnv.UNGCUU_TEST_KIND;
  const province = await startServer({ args: ['--no-sync'], keep: true });
  try {
    const keyOf = (db) => JSON.parse(cli(['peer', 'show', '--db', db, '--json'])).public_key;
    cli(['peer', 'add', '--db', district, '--name', 'tinh', '--key', keyOf(province.db), '--relation', 'parent', '--url', province.url]);
    cli(['peer', 'add', '--db', province.db, '--name', 'huyen', '--key', keyOf(district), '--relation', 'child']);
    // the district queues: 2 pings, 3 of the new kind, 2 pings
    cli(['sync', 'ping', '--db', district, '--peer', 'tinh', '--count', '2']);
    cli(['sync', 'ping', '--db', district, '--peer', 'tinh', '--count', '3'], newer);
    const kinds = sqlite3(['-json', district, 'SELECT kind FROM sync_outbox ORDER BY seq'], { encoding: 'utf8' });
    if (!JSON.parse(kinds).some((r) => r.kind === KIND)) {
      t.skip('this binary was built without test hooks (meson -Dtest_hooks=disabled or a release build)');
      return;
    }
    cli(['sync', 'ping', '--db', district, '--peer', 'tinh', '--count', '2']);
    // and the province has two pings for the district
    cli(['sync', 'ping', '--db', province.db, '--peer', 'huyen', '--count', '2']);
    const status = (db, name) => JSON.parse(cli(['sync', 'status', '--db', db, '--json'])).peers.find((p) => p.name === name);

    let run = JSON.parse(cli(['sync', 'run', '--db', district, '--json'], newer));
    assert.equal(run[0].ok, true, JSON.stringify(run));
    // everything acknowledged: the district stops resending
    assert.equal(run[0].sent_acked, 7);
    assert.equal(run[0].refused, 3, 'the three kept are said back as not applied yet');
    assert.equal(run[0].pulled, 2);
    assert.equal(status(district, 'tinh').out_waiting, 0);
    let p = status(province.db, 'huyen');
    assert.equal(p.in_applied, 7);
    assert.equal(p.in_waiting, 0, 'nothing waits behind the unknown kind');
    assert.equal(p.pings, 4, 'the pings before and after it applied');
    assert.equal(p.refused_by_reason.kind_unknown, 3);
    assert.equal(p.kept_waiting, 3);
    assert.equal(p.kept_applied, 0);
    assert.deepEqual(p.kept.map((k) => [k.seq, k.kind, k.error ?? null]), [[3, KIND, null], [4, KIND, null], [5, KIND, null]]);
    assert.ok(p.kept.every((k) => k.size > 0 && k.kept_at));
    // what the sync page shows, through the API
    const admin = bearer(province, 'admin', { lang: 'en' });
    const api = (await admin.get('/api/v1/sync/status')).body.peers.find((x) => x.name === 'huyen');
    assert.equal(api.kept_waiting, 3);
    assert.equal(api.refused_by_reason.kind_unknown, 3);
    const refusals = (await admin.get('/api/v1/sync/refusals?limit=50')).body.items.filter((r) => r.reason === 'kind_unknown');
    assert.equal(refusals.length, 3);
    assert.match(refusals[0].detail, /kept until this instance is upgraded/i);
    // the CLI says it in words
    assert.match(cli(['sync', 'status', '--db', province.db], { env: { ...sanEnv, UNGCUU_LANG: 'vi' } }), /giữ lại đến khi nâng cấp/);

    // the exchange goes on
    cli(['sync', 'ping', '--db', district, '--peer', 'tinh', '--count', '2']);
    run = JSON.parse(cli(['sync', 'run', '--db', district, '--json'], newer));
    assert.deepEqual([run[0].ok, run[0].pushed, run[0].refused, run[0].sent_acked], [true, 2, 0, 9]);
    p = status(province.db, 'huyen');
    assert.deepEqual([p.in_applied, p.pings, p.kept_waiting], [9, 6, 3]);

    // the province upgrades: it now knows the kind; at start it applies
    // what it kept, once, in order
    await province.stop();
    sanEnv.UNGCUU_TEST_KIND = KIND;
    await province.restart();
    p = status(province.db, 'huyen');
    assert.deepEqual([p.pings, p.kept_waiting, p.kept_applied, p.kept_failed], [9, 0, 3, 0]);
    assert.deepEqual(p.kept, []);
    // once: another start, and `sync run`, apply nothing again
    await province.stop();
    await province.restart();
    cli(['sync', 'run', '--db', province.db, '--json'], newer);
    assert.equal(status(province.db, 'huyen').pings, 9);
    // and from now on the kind is applied as it comes
    cli(['sync', 'ping', '--db', district, '--peer', 'tinh', '--count', '1'], newer);
    run = JSON.parse(cli(['sync', 'run', '--db', district, '--json'], newer));
    assert.deepEqual([run[0].ok, run[0].pushed, run[0].refused], [true, 1, 0]);
    p = status(province.db, 'huyen');
    assert.deepEqual([p.in_applied, p.pings, p.kept_applied, p.refused_by_reason.kind_unknown], [10, 10, 3, 3]);
  } finally {
    delete sanEnv.UNGCUU_TEST_KIND;
    await province.stop();
    rmSync(province.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
