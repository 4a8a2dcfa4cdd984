// Issue 17 in the browser (h/notify): the district's coordinator has ungcuu
// open; a commune files an incident (another user, through the API); the
// bell's count goes up without the page being reloaded, and the list shows
// the incident. The duty page and the account page's channels, at desktop
// and phone size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs, file } from '../api/helpers.mjs';
import { launch, newPage, login, shot, unlabelled } from './lib.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

// What the bell shows, read in one step (the badge comes and goes with the
// count: a locator read in two steps can lose it in between).
const bellCount = (page) => page.evaluate(() => Number(document.querySelector('#bell-count')?.textContent ?? 0));
// What the server counts now (the bell shows it at its next poll).
const unread = (page) => page.evaluate(async () => (await (await fetch('/api/v1/notifications/count')).json()).unread);

test('the bell counts up when another user files an incident, without a reload', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/notifications`);
  await page.locator('h1').filter({ hasText: 'Thông báo' }).waitFor();
  // read what is there (the demo's clocks may still add their own while
  // the test runs: what counts is that the bell goes up for the new report)
  if (await page.locator('#notify-read-all').count()) await page.locator('#notify-read-all').click();
  await page.goto(`${server.url}/#/queue`);
  await page.locator('h1').first().waitFor();
  // a marker that would vanish with a reload
  await page.evaluate(() => { window.__notReloaded = true; });
  // the server's count, not the badge: the badge may still show the count
  // from before "read all" until its next poll
  const before = await unread(page);
  const tam = await loginAs(server, 'tamthanh');
  const inc = await file(tam, { title: 'Máy chủ thư xã bị chiếm quyền', tlp: 'GREEN' });
  await page.waitForFunction((n) => Number(document.querySelector('#bell-count')?.textContent ?? 0) > n, before, { timeout: 20_000 });
  assert.ok(await bellCount(page) > before);
  assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
  await shot(page, 'notify-bell-1366');
  await page.locator('#nav-bell').click();
  const item = page.locator('.notify-list li.unread').filter({ hasText: 'Máy chủ thư xã bị chiếm quyền' });
  await item.waitFor();
  assert.match(await item.textContent(), /Sự cố mới .*Máy chủ thư xã bị chiếm quyền/);
  const n0 = await bellCount(page);
  await item.locator('a').click();
  await page.waitForURL(new RegExp(`#/incidents/${inc.id}`));
  // opening it marks it read: the bell counts one less
  await page.waitForFunction((n) => Number(document.querySelector('#bell-count')?.textContent ?? 0) < n, n0, { timeout: 20_000 });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('who is on duty and one\'s channels, at desktop and phone size', { timeout: 120_000 }, async () => {
  for (const [w, h] of [[1366, 768], [390, 844]]) {
    const { context, page } = await newPage(browser, { viewport: { width: w, height: h } });
    await login(page, server, 'dieuphoi');
    await page.goto(`${server.url}/#/duty`);
    await page.locator('h1').filter({ hasText: 'Trực ban' }).waitFor();
    if (w > 1000) {
      await page.locator('#duty-org').fill('pq');
      await page.locator('#duty-start').fill('00:00');
      await page.locator('#duty-end').fill('24:00');
      for (const d of ['Thứ Bảy', 'Chủ Nhật']) await page.getByLabel(d).check();
      await page.locator('#duty-primary').selectOption({ index: 1 });
      await page.getByRole('button', { name: 'Thêm ca trực hằng tuần' }).click();
      await page.locator('.shift-list li').first().waitFor();
    }
    await page.locator('#duty-now tbody tr').first().waitFor();
    assert.match(await page.locator('#duty-now').textContent(), /Phú Quý/);
    assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');
    await shot(page, `notify-duty-${w}`);
    await page.goto(`${server.url}/#/account`);
    await page.locator('#notify-prefs').waitFor();
    await page.getByLabel('Kế hoạch chờ phê duyệt: Thư điện tử').check();
    await page.locator('#notify-prefs button[type=submit]').click();
    await page.locator('#notify-prefs [role=status]').waitFor();
    await shot(page, `notify-account-${w}`);
    await page.goto(`${server.url}/#/dashboard`);
    await page.locator('#duty-line').waitFor();
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});
