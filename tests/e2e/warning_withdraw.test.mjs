// Withdrawing a warning through the browser (issue 16, h/fed-kinds): the
// district coordinator who issued it opens it, gives a reason and
// withdraws it; the page says so, the deadline stops counting; the commune
// it was aimed at reads the withdrawal and the reason, is not asked to
// act any more, and is not offered to withdraw it. At 1366x768 and 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { launch, newPage, login, shot, unlabelled } from './lib.mjs';

let server, browser, warningId;
const TITLE = 'Lỗ hổng VPN cần vá trước hạn';
const REASON = 'Hãng đã rút lại khuyến cáo; bản vá cũ vẫn an toàn';

before(async () => {
  server = await startServer();
  browser = await launch();
  const c = new Client(server.url);
  const l = server.login('dieuphoi');
  assert.equal((await c.login(l.username, l.password)).status, 200);
  const w = await c.post('/api/v1/warnings', { title: TITLE, severity: 'high',
    deadline: new Date(Date.now() + 3 * 86400_000).toISOString(), target_org_codes: ['pq-tamthanh'] });
  assert.equal(w.status, 201, w.text);
  warningId = w.body.id;
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

test('the issuer withdraws a warning with a reason; the page shows it', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/warnings/${warningId}`);
  await page.locator('h1').filter({ hasText: TITLE }).waitFor();
  await page.getByRole('button', { name: 'Thu hồi cảnh báo…' }).click();
  assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');
  const confirm = page.getByRole('button', { name: 'Xác nhận thu hồi' });
  assert.equal(await confirm.isDisabled(), true, 'no reason, no withdrawal');
  await page.locator('#w-withdraw-reason').fill(REASON);
  await shot(page, 'warning-withdraw');
  await confirm.click();
  await page.getByText('Cảnh báo đã được thu hồi lúc').waitFor();
  assert.ok(await page.getByText(REASON).isVisible());
  assert.equal(await page.getByRole('button', { name: 'Thu hồi cảnh báo…' }).count(), 0, 'withdrawn once');
  await shot(page, 'warning-withdrawn');
  // the list marks it withdrawn instead of counting down
  await page.goto(`${server.url}/#/warnings`);
  const row = page.locator('table tbody tr').filter({ hasText: TITLE });
  await row.getByText('Đã thu hồi').waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the commune reads the withdrawal on a phone; it is asked nothing more', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/warnings/${warningId}`);
  await page.getByText('Cảnh báo đã được thu hồi lúc').waitFor();
  assert.ok(await page.getByText(REASON).isVisible());
  assert.equal(await page.getByRole('button', { name: 'Xác nhận đã nhận' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Thu hồi cảnh báo…' }).count(), 0);
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(sideways <= 0, `scrolls sideways by ${sideways}px`);
  await shot(page, 'warning-withdrawn-phone');
  assert.deepEqual(page.errors, []);
  await context.close();
});
