// Issue 15, items 4 and 6 in the browser (h/reports): a drill's corrective
// action reaches its owner's inbox and is closed there; the half year's
// Mẫu 05 is prepared from #/plan, corrected with a reason, downloaded as a
// PDF a reader can read, and sent by the leader. Screenshots at 1366x768
// and 390x844 in tests/e2e/screenshots/plan_reports-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { launch, newPage, login, shot, unlabelled } from './lib.mjs';

let server, browser, tmp;
const PHONE = { width: 390, height: 844 };

before(async () => {
  server = await startServer();
  browser = await launch();
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-e2e-reports-'));
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, { timeout: 30_000 });

function pdfText(buf) {
  const p = join(tmp, `d${Date.now()}.pdf`);
  writeFileSync(p, buf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', p, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

test('a drill\'s corrective action appears in its owner\'s inbox and is closed there', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/plan`);
  await page.locator('#drills').waitFor();
  // the demo's live drill of the district portal meets the yearly rule
  await page.locator('#drill-compliance').getByText('Cổng thông tin điện tử huyện Phú Quý').waitFor();
  await page.locator('#drill-new').click();
  await page.locator('#drill-title').fill('Diễn tập ứng phó tấn công từ chối dịch vụ');
  await page.locator('#drill-kind').selectOption('tabletop');
  await page.locator('#drill-scenario').fill('Cổng thông tin bị tấn công từ chối dịch vụ trong giờ hành chính.');
  await page.locator('#drill-form button[type=submit]').click();
  await page.locator('h1', { hasText: 'Diễn tập ứng phó tấn công từ chối dịch vụ' }).waitFor();
  assert.deepEqual(await unlabelled(page), []);
  // a corrective action for the commune's focal point
  await page.locator('#action-title').fill('Cấu hình giới hạn truy cập trên tường lửa của xã');
  const owner = await page.locator('#action-owner option', { hasText: 'Trần Thị Bích' }).getAttribute('value');
  await page.locator('#action-owner').selectOption(owner);
  await page.locator('#action-form button[type=submit]').click();
  await page.locator('#drill-actions li', { hasText: 'Cấu hình giới hạn truy cập' }).waitFor();
  await shot(page, 'plan_reports-drill-desktop');
  const drillUrl = page.url();
  await context.close();

  // the owner, a commune officer, finds it in the inbox and closes it there
  const b = await newPage(browser, { viewport: PHONE });
  await login(b.page, server, 'tamthanh');
  await b.page.goto(`${server.url}/#/inbox`);
  const item = b.page.locator('#inbox-drill-actions li', { hasText: 'Cấu hình giới hạn truy cập trên tường lửa của xã' });
  await item.waitFor();
  await shot(b.page, 'plan_reports-inbox-phone');
  await item.getByRole('link').click();
  await b.page.locator('h1', { hasText: 'Diễn tập ứng phó tấn công từ chối dịch vụ' }).waitFor();
  assert.equal(b.page.url(), drillUrl);
  // the owner sees no writer's forms, only the box of the own action
  assert.equal(await b.page.locator('#action-form').count(), 0);
  const box = b.page.locator('#drill-actions li', { hasText: 'Cấu hình giới hạn truy cập' }).locator('input[type=checkbox]');
  await box.check();
  await b.page.locator('#drill-actions li.done', { hasText: 'Cấu hình giới hạn truy cập' }).waitFor();
  await shot(b.page, 'plan_reports-drill-phone');
  await b.page.goto(`${server.url}/#/inbox`);
  await b.page.locator('#inbox-drill-actions, .inbox h2').first().waitFor();
  assert.equal(await b.page.locator('#inbox-drill-actions li', { hasText: 'Cấu hình giới hạn truy cập' }).count(), 0, 'done: gone from the inbox');
  assert.deepEqual(b.page.errors, []);
  await b.context.close();
});

test('Mẫu 05 for the half year: prepared, corrected with a reason, downloaded, sent by the leader', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  // its deadline is on the dashboard
  await page.goto(`${server.url}/#/dashboard`);
  await page.locator('#stat-mau05').waitFor();
  await page.goto(`${server.url}/#/plan`);
  const half = page.locator('#m5-deadlines li', { hasText: '6 tháng đầu năm' });
  await half.waitFor();
  await shot(page, 'plan_reports-index-desktop');
  await half.getByRole('button').click();
  await page.locator('#m5-table').waitFor();
  await page.locator('h1', { hasText: 'Mẫu 05' }).waitFor();
  assert.match(await page.locator('h1').innerText(), /6 tháng đầu năm/);
  assert.equal(await page.locator('#m5-table tbody tr').count(), 10, 'a row per incident type');
  assert.deepEqual(await unlabelled(page), []);
  // a corrected figure without a reason is refused, naming the field
  await page.locator('#m5-encryption-damage').fill('15000000');
  await page.locator('#m5-save').click();
  await page.locator('.alert.error', { hasText: 'reason' }).waitFor();
  await page.locator('#m5-reason').fill('Theo biên bản xác định thiệt hại ngày 10/6');
  await page.locator('#m5-recs').fill('Đề nghị tổ chức tập huấn sao lưu dữ liệu cho các xã.');
  await page.locator('#m5-save').click();
  await page.locator('#m5-total-damage', { hasText: '15.000.000' }).waitFor();
  await page.locator('#m5-table td.corrected').first().waitFor();
  await shot(page, 'plan_reports-mau05-desktop');
  // downloadable, and readable as a reader reads it
  const href = await page.locator('#m5-pdf').getAttribute('href');
  const r = await page.request.get(`${server.url}${href}`);
  assert.equal(r.status(), 200);
  assert.equal(r.headers()['content-type'], 'application/pdf');
  const text = pdfText(await r.body());
  for (const s of ['Mẫu 05', 'BÁO CÁO TỔNG HỢP TÌNH HÌNH SỰ CỐ 6 THÁNG', 'Kính gửi: Trung tâm VNCERT/CC', 'Tổng số', '15.000.000',
    'Đề nghị tổ chức tập huấn sao lưu dữ liệu cho các xã.']) {
    assert.ok(text.includes(s), `"${s}" in the PDF`);
  }
  const docx = await page.request.get(`${server.url}${await page.locator('#m5-docx').getAttribute('href')}`);
  assert.equal(docx.status(), 200);
  const url = page.url();
  await context.close();

  // the leader approves and records it as sent; then it is read-only
  const l = await newPage(browser, { viewport: PHONE });
  await login(l.page, server, 'lanhdao');
  await l.page.goto(url);
  await l.page.locator('#m5-send').click();
  await l.page.locator('#m5-status', { hasText: 'Đã gửi' }).waitFor();
  assert.equal(await l.page.locator('#m5-table input').count(), 0);
  await shot(l.page, 'plan_reports-mau05-phone');
  assert.deepEqual(l.page.errors, []);
  await l.context.close();
});

test('the annual report and the phone layout of the plan page', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: PHONE });
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/plan/annual`);
  await page.locator('#annual-table').waitFor();
  await page.locator('#annual-table td', { hasText: 'UBND xã Tam Thanh' }).waitFor();
  await shot(page, 'plan_reports-annual-phone');
  const r = await page.request.get(`${server.url}${await page.locator('#annual-pdf').getAttribute('href')}`);
  assert.equal(r.status(), 200);
  assert.ok(pdfText(await r.body()).includes('BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH'));
  await page.goto(`${server.url}/#/plan`);
  await page.locator('#drill-list').waitFor();
  await shot(page, 'plan_reports-index-phone');
  assert.deepEqual(page.errors, []);
  await context.close();
});
