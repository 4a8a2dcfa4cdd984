// Federation page #/sync in the browser (issue 16, h/sync-core): the
// district's administrator reads this instance's fingerprint, registers the
// province with the key its administrator sent, sees it with its
// fingerprint and the state of the exchange, and removes it; a wrong key is
// refused with the server's message. Other roles have no such page. At
// desktop and phone size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, cli, sanEnv, sqlite3 } from '../lib/server.mjs';
import { launch, newPage, login, shot, unlabelled, navTo } from './lib.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

const noSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const newKey = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
const fingerprintOf = (raw) => createHash('sha256').update(raw).digest('hex').slice(0, 32).match(/.{4}/g).join(' ');

for (const [vp, name] of [[{ width: 1366, height: 768 }, 'sync'], [{ width: 390, height: 844 }, 'sync-phone']]) {
  test(`the administrator registers the province and sees the exchange (${name})`, { timeout: 90_000 }, async () => {
    const { context, page } = await newPage(browser, { viewport: vp });
    await login(page, server, 'admin');
    if (vp.width < 600) await page.locator('.menu-button').click();
    await navTo(page, 'Liên thông');
    await page.locator('h1').filter({ hasText: 'Liên thông' }).waitFor();
    assert.match(await page.locator('#sync-fingerprint').textContent(), /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    assert.match(await page.locator('#sync-public-key').textContent(), /^[0-9a-f]{64}$/);
    assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');

    // a wrong key: the server's message, nothing added
    const peerName = `tinh-${name}`;
    await page.locator('#peer-name').fill(peerName);
    await page.locator('#peer-key').fill('z'.repeat(64));
    await page.locator('form[aria-labelledby=h-new-peer] button[type=submit]').click();
    await page.locator('form[aria-labelledby=h-new-peer] .alert.error').waitFor();
    assert.match(await page.locator('form[aria-labelledby=h-new-peer] .alert.error').textContent(), /64 chữ số hex/);

    const raw = newKey();
    const fp = fingerprintOf(raw);
    await page.locator('#peer-key').fill(raw.toString('hex'));
    await page.locator('#peer-relation').selectOption('parent');
    await page.locator('#peer-orgs').fill('tinh');
    await page.locator('form[aria-labelledby=h-new-peer] button[type=submit]').click();
    await page.locator('form[aria-labelledby=h-new-peer] .alert.info').filter({ hasText: fp }).waitFor();
    const row = page.locator('table.sync-peers tbody tr').filter({ hasText: peerName });
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(fp));
    assert.match(await row.textContent(), /Cấp trên/);
    assert.match(await row.textContent(), /chưa bao giờ/);
    if (vp.width < 600) assert.ok(await noSideways(page) <= 1, 'no sideways scrolling at phone size');
    await shot(page, name);

    page.acceptNext = true;
    await row.getByRole('button', { name: 'Xóa' }).click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(page.errors, []);
    await context.close();
  });
}

test('a coordinator has no federation page: no link, and the server says no', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  assert.equal(await page.locator('header nav').getByRole('link', { name: 'Liên thông' }).count(), 0);
  await page.goto(`${server.url}/#/sync`);
  await page.locator('.alert.error').waitFor();
  await context.close();
});

// h/fed-compat: a newer child sends (by bundle) a kind this version does
// not know (the test-only UNGCUU_TEST_KIND, in builds with test hooks):
// the page says what is kept until this instance is upgraded, and the
// reason reads so, not as an error. At desktop and phone size.
test('what a newer child sent is shown as kept until this instance is upgraded', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-e2e-kept-'));
  try {
    const child = join(dir, 'xa.db');
    cli(['init', '--db', child, '--json']);
    const keyOf = (db) => JSON.parse(cli(['peer', 'show', '--db', db, '--json'])).public_key;
    cli(['peer', 'add', '--db', child, '--name', 'tinh', '--key', keyOf(server.db), '--relation', 'parent']);
    cli(['peer', 'add', '--db', server.db, '--name', 'xa-moi', '--key', keyOf(child), '--relation', 'child']);
    cli(['sync', 'ping', '--db', child, '--peer', 'tinh', '--count', '2'], { env: { ...sanEnv, UNGCUU_TEST_KIND: 'test.future' } });
    if (!JSON.parse(sqlite3(['-json', child, 'SELECT kind FROM sync_outbox'], { encoding: 'utf8' })).some((r) => r.kind === 'test.future')) {
      t.skip('built without test hooks (meson -Dtest_hooks)');
      return;
    }
    cli(['sync', 'ping', '--db', child, '--peer', 'tinh', '--count', '1']);
    cli(['sync', 'export', '--db', child, '--peer', 'tinh', '--out', join(dir, 'b.bundle')]);
    cli(['sync', 'import', '--db', server.db, join(dir, 'b.bundle')]);
    for (const [vp, name] of [[{ width: 1366, height: 768 }, 'sync-kept'], [{ width: 390, height: 844 }, 'sync-kept-phone']]) {
      const { context, page } = await newPage(browser, { viewport: vp });
      await login(page, server, 'admin');
      await page.goto(`${server.url}/#/sync`);
      const row = page.locator('table.sync-peers tbody tr').filter({ hasText: 'xa-moi' });
      await row.waitFor();
      const text = await row.textContent();
      assert.match(text, /2 phong bì giữ lại đến khi nâng cấp \(loại chưa biết: test\.future\)/);
      assert.match(text, /giữ lại đến khi nâng cấp: 2/);
      assert.match(text, /đến số 3/, 'the ping behind them applied');
      assert.doesNotMatch(text, /Lỗi gần nhất/, 'kept is not an error');
      if (vp.width < 600) assert.ok(await noSideways(page) <= 1, 'no sideways scrolling at phone size');
      await shot(page, name);
      assert.deepEqual(page.errors, []);
      await context.close();
    }
  } finally {
    try { cli(['peer', 'remove', '--db', server.db, 'xa-moi']); } catch { /* already gone */ }
    rmSync(dir, { recursive: true, force: true });
  }
});
