// Issue 17 item 5 in the browser (h/mail): a report mailed by a stranger
// (fed to `ungcuu intake email`, as Postfix would) waits on #/mail; the
// district's coordinator reads it, files it as an incident of a commune and
// opens that incident; a broken message shows in the quarantine with its
// reason. A commune's officer has no such page (and the API says 403).
// Screenshots at 1366x768 and 390x844 in tests/e2e/screenshots/mail-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bin, startServer } from '../lib/server.mjs';
import { launch, newPage, login, shot, unlabelled, navTo } from './lib.mjs';

let server, browser;
const PHONE = { width: 390, height: 844 };

before(async () => {
  server = await startServer();
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

function mail(text) {
  const r = spawnSync(bin, ['intake', 'email', '--db', server.db, '--json'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).messages[0];
}

test('a stranger\'s mailed report is filed from #/mail into a commune\'s incident; the quarantine shows why a message was refused', { timeout: 120_000 }, async () => {
  const m = mail('From: Nguyen Van Lam <lam@example.org>\r\nSubject: [TBSC] =?UTF-8?Q?Trang_web_x=C3=A3_b=E1=BB=8B_t=E1=BA=A5n_c=C3=B4ng?=\r\n'
    + 'Message-ID: <e2e-1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
    + '1. Thông tin về người báo cáo\r\nHọ và tên (*): Nguyễn Văn Lâm\r\n4. Thông tin về sự cố\r\nMô tả sự cố (*): Trang chủ hiện nội dung lạ.\r\n');
  assert.equal(m.outcome, 'triage');
  const q = mail('From: <lam@example.org>\r\nSubject: hỏng\r\nContent-Type: text/plain; charset=x-khong-co\r\n\r\nabc\r\n');
  assert.equal(q.outcome, 'quarantine');

  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await navTo(page, 'Thư báo cáo');
  const item = page.locator(`#triage-${m.triage_id}`);
  await item.getByText('Trang web xã bị tấn công').waitFor();
  await item.getByText('lam@example.org').waitFor();
  await page.locator('#mail-quarantine').getByText('x-khong-co').waitFor();
  assert.deepEqual(await unlabelled(page), []);
  await shot(page, 'mail-triage-desktop');
  const code = await item.locator('select option', { hasText: 'Tam Thanh' }).getAttribute('value');
  await item.locator('select').selectOption(code);
  await item.getByRole('button', { name: 'Lập sự cố' }).click();
  await page.locator('#mail-accepted a').first().waitFor();
  assert.equal(await page.locator(`#triage-${m.triage_id}`).count(), 0);
  await page.locator('#mail-accepted a').first().click();
  await page.locator('h1', { hasText: 'Trang web xã bị tấn công' }).waitFor();
  await page.getByText('Trang chủ hiện nội dung lạ.').first().waitFor();
  await context.close();

  // on a phone, the same page
  const b = await newPage(browser, { viewport: PHONE });
  await login(b.page, server, 'dieuphoi');
  await b.page.goto(`${server.url}/#/mail`);
  await b.page.locator('#mail-quarantine').waitFor();
  await shot(b.page, 'mail-triage-phone');
  await b.context.close();

  // a commune officer: no entry in the menu
  const c = await newPage(browser);
  await login(c.page, server, 'tamthanh');
  await c.page.locator('#main-nav').waitFor();
  assert.equal(await c.page.locator('#main-nav a[href="#/mail"]').count(), 0);
  await c.context.close();
});
