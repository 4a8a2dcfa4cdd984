// Issue 17, h/duty in the browser: a Mẫu 05 awaits the leader's approval
// between draft and sent. The coordinator submits it (it can no longer be
// edited), the leader's bell counts it, the leader returns it with a reason
// (a draft again, the reason shown), it is submitted again and approved:
// sent. Screenshots at 1366x768 and 390x844 in
// tests/e2e/screenshots/report_approval-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, newPage, login, shot, unlabelled } from './lib.mjs';

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

// What the server counts now (the bell shows it at its next poll).
const unread = (page) => page.evaluate(async () => (await (await fetch('/api/v1/notifications/count')).json()).unread);

test('submitted, returned with a reason, submitted again and approved by the leader', { timeout: 180_000 }, async () => {
  const c = await newPage(browser);
  await login(c.page, server, 'dieuphoi');
  // the half year's report, prepared from #/plan as the district does
  await c.page.goto(`${server.url}/#/plan`);
  const half = c.page.locator('#m5-deadlines li', { hasText: '6 tháng đầu năm' });
  await half.getByRole('button').click();
  await c.page.locator('#m5-table').waitFor();
  const url = c.page.url();

  const l = await newPage(browser, { viewport: PHONE });
  await login(l.page, server, 'lanhdao');
  const before = await unread(l.page);

  // the coordinator submits it: awaiting approval, read-only, no submit again
  await c.page.goto(url);
  await c.page.locator('#m5-submit').click();
  await c.page.locator('#m5-status', { hasText: 'Chờ lãnh đạo phê duyệt' }).waitFor();
  await c.page.locator('#m5-awaiting').waitFor();
  assert.equal(await c.page.locator('#m5-table input').count(), 0);
  assert.equal(await c.page.locator('#m5-submit').count(), 0);
  assert.equal(await c.page.locator('#m5-approve').count(), 0, 'only the leader approves');
  await shot(c.page, 'report_approval-submitted-desktop');

  // the leader's bell counts it without a reload; the page offers approve and return
  await l.page.waitForFunction((n) => Number(document.querySelector('#bell-count')?.textContent ?? 0) > n, before, { timeout: 60_000 });
  await l.page.goto(url);
  await l.page.locator('#m5-approve').waitFor();
  assert.deepEqual(await unlabelled(l.page), []);
  await shot(l.page, 'report_approval-leader-phone');
  // a return needs a reason: the browser refuses an empty one, then it goes
  await l.page.locator('#m5-return').click();
  assert.equal(await l.page.locator('#m5-status', { hasText: 'Chờ lãnh đạo phê duyệt' }).count(), 1);
  await l.page.locator('#m5-return-reason').fill('Thiếu số liệu thiệt hại của xã Tam Thanh');
  await l.page.locator('#m5-return').click();
  await l.page.locator('#m5-status', { hasText: 'Dự thảo' }).waitFor();
  await l.page.locator('#m5-approvals li', { hasText: 'Thiếu số liệu thiệt hại của xã Tam Thanh' }).waitFor();

  // the coordinator sees why, edits and submits again; the leader approves: sent
  await c.page.reload();
  await c.page.locator('#m5-approvals li', { hasText: 'Trả lại' }).waitFor();
  await c.page.locator('#m5-submit').click();
  await c.page.locator('#m5-status', { hasText: 'Chờ lãnh đạo phê duyệt' }).waitFor();
  await l.page.reload();
  await l.page.locator('#m5-approve').click();
  await l.page.locator('#m5-status', { hasText: 'Đã gửi' }).waitFor();
  assert.equal(await l.page.locator('#m5-approvals li').count(), 4);
  assert.equal(await l.page.locator('#m5-approve').count(), 0);
  await shot(l.page, 'report_approval-sent-phone');
  await c.page.reload();
  await c.page.locator('#m5-status', { hasText: 'Đã gửi' }).waitFor();
  await shot(c.page, 'report_approval-sent-desktop');
  assert.deepEqual(c.page.errors, []);
  assert.deepEqual(l.page.errors, []);
  await c.context.close();
  await l.context.close();
});
