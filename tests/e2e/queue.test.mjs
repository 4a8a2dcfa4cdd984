// The queue at a province's scale in the browser (issue 12, items 5-8):
// search that ignores diacritics, a page at a time from the server, the
// view in the URL, saved views, CSV export, the inbox linked from the header
// with a count, bulk acknowledge and duplicates. Screenshots at 1366×768 and
// 390×844 of the pages changed or added.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { launch, newPage, login, shot, unlabelled } from './lib.mjs';

let server, browser, api;
const PHONE = { width: 390, height: 844 };

before(async () => {
  server = await startServer();
  browser = await launch();
  api = new Client(server.url);
  const l = server.login('dieuphoi');
  assert.equal((await api.login(l.username, l.password)).status, 200);
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

async function file(fields = {}) {
  const r = await api.post('/api/v1/incidents', {
    title: 'Sự cố thử trên trình duyệt', description: 'Tạo để thử hàng đợi.',
    detected_at: new Date(Date.now() - 3600_000).toISOString(), type: 'intrusion', org_code: 'pq-tamthanh', ...fields,
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
const rows = (page) => page.locator('table.incidents tbody tr');

test('item 5: searching "giao dien" finds "giao diện", and words of the description', { timeout: 60_000 }, async () => {
  const a = await file({ title: 'Cổng dịch vụ công bị đổi giao diện', description: 'Hiện biểu tượng lạ của nhóm ĐẠI BÀNG ĐEN' });
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/queue`);
  await rows(page).first().waitFor();
  await page.locator('#f-q').fill('giao dien');
  await page.locator('table.incidents').getByText(a.title).waitFor();
  assert.ok((await rows(page).count()) >= 2, 'the demo defacement too');
  await page.locator('#f-q').fill('dai bang den');
  await page.waitForFunction(() => document.querySelectorAll('table.incidents tbody tr').length === 1);
  await page.locator('table.incidents').getByRole('link', { name: a.number }).waitFor();
  await shot(page, 'queue-search', false);
  await context.close();
});

test('item 6: a page at a time, the view in the URL (shareable), saved views, CSV of the view', { timeout: 120_000 }, async () => {
  for (let k = 0; k < 55; k++) await file({ title: `Máy trạm số ${k} có dấu hiệu lạ`, type: k % 2 ? 'malware' : 'intrusion' });
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/queue`);
  await rows(page).first().waitFor();
  assert.equal(await rows(page).count(), 50, 'one page of 50');
  await page.getByRole('button', { name: 'Tải thêm' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.incidents tbody tr').length > 50);

  // filters go to the URL and come back from it
  await page.locator('#f-type').selectOption('malware');
  await page.waitForFunction(() => location.hash.includes('type=malware'));
  await page.locator('#f-q').fill('may tram');
  await page.waitForFunction(() => location.hash.includes('q=may+tram') || location.hash.includes('q=may%20tram'));
  const shared = page.url();
  const other = await newPage(browser);
  await login(other.page, server, 'dieuphoi');
  await other.page.goto(shared);
  // the page reads the view from the URL and asks the server for it
  await other.page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('table.incidents tbody td[data-label="Loại sự cố"]')];
    return cells.length > 0 && cells.every((c) => c.textContent === 'Tấn công sử dụng mã độc');
  });
  assert.equal(await other.page.locator('#f-type').inputValue(), 'malware');
  assert.equal(await other.page.locator('#f-q').inputValue(), 'may tram');
  const types = await other.page.locator('table.incidents tbody td[data-label="Loại sự cố"]').allTextContents();
  assert.ok(types.length > 0 && types.every((x) => x === 'Tấn công sử dụng mã độc'), JSON.stringify(types));
  await other.context.close();

  // sorting is the server's: by number ascending
  await page.getByRole('button', { name: /^Số hiệu/ }).click();
  await page.waitForFunction(() => location.hash.includes('sort=number'));

  // save the view, clear, apply it again, delete it
  await page.locator('#saved-filters summary').click();
  await page.locator('#saved-name').fill('Mã độc ở máy trạm');
  await page.getByRole('button', { name: 'Lưu bộ lọc' }).click();
  await page.locator('#saved-view option', { hasText: 'Mã độc ở máy trạm' }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Bỏ lọc' }).click();
  await page.waitForFunction(() => !location.hash.includes('type=malware'));
  await page.locator('#saved-view').selectOption({ label: 'Mã độc ở máy trạm' });
  await page.waitForFunction(() => location.hash.includes('type=malware') && location.hash.includes('sort=number'));
  assert.equal(await page.locator('#f-type').inputValue(), 'malware');

  // the CSV is the view, made by the server
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/incidents.csv')),
    page.locator('#export-csv').click(),
  ]);
  assert.equal(resp.status(), 200);
  assert.match(resp.url(), /type=malware/);
  // the same request as the page made (a download's body is not kept by the browser)
  const csv = await api.get(resp.url().slice(server.url.length));
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0].split(',')[0], 'number');
  assert.ok(lines.length > 20 && lines.slice(1).every((l) => l.includes(',malware,')), lines.slice(0, 3).join('\n'));
  await shot(page, 'queue-1366', false);
  assert.deepEqual(await unlabelled(page), []);

  await page.getByRole('button', { name: 'Xóa bộ lọc đã chọn' }).click();
  await page.waitForFunction(() => ![...document.querySelectorAll('#saved-view option')].some((o) => o.textContent === 'Mã độc ở máy trạm'));
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('item 7: the inbox is linked from the header with a count and lists my work', { timeout: 60_000 }, async () => {
  const me = (await api.get('/api/v1/users')).body.items.find((u) => u.username === 'dieuphoi');
  const a = await file({ title: 'Việc giao cho điều phối viên' });
  assert.equal((await api.post(`/api/v1/incidents/${a.id}/assignees`, { user_id: me.id })).status, 201);
  assert.equal((await api.post(`/api/v1/incidents/${a.id}/tasks`, { title: 'Gọi điện cho xã', assignee_id: me.id })).status, 201);
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  const link = page.locator('#nav-inbox');
  await link.locator('.badge.count').waitFor();
  assert.match(await link.textContent(), /Việc của tôi\s*\d+/);
  await link.click();
  await page.locator('#inbox-assigned').getByText(a.number).waitFor();
  await page.locator('#inbox-tasks').getByText('Gọi điện cho xã').waitFor();
  await shot(page, 'inbox-1366', false);
  await context.close();
  const phone = await newPage(browser, { viewport: PHONE });
  await login(phone.page, server, 'dieuphoi');
  await phone.page.goto(`${server.url}/#/inbox`);
  await phone.page.locator('#inbox-assigned').waitFor();
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `inbox scrolls sideways by ${overflow}px on a phone`);
  await shot(phone.page, 'inbox-390', false);
  await phone.context.close();
});

test('item 8: bulk acknowledge with per-id results; three reports become one incident', { timeout: 90_000 }, async () => {
  const keep = await file({ title: 'Web xã Long Hải bị thay giao diện (gốc)', type: 'defacement', org_code: 'pq-longhai' });
  const d1 = await file({ title: 'Web xã Long Hải hiện ảnh lạ (báo lần 2)', type: 'defacement', org_code: 'pq-longhai' });
  const d2 = await file({ title: 'Web xã Long Hải bị hack (báo lần 3)', type: 'defacement', org_code: 'pq-longhai' });
  const x1 = await file({ title: 'Xác nhận hàng loạt 1', org_code: 'pq-nguphung' });
  const x2 = await file({ title: 'Xác nhận hàng loạt 2', org_code: 'pq-nguphung' });
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/queue?org=pq-nguphung&status=received`);
  await page.locator('table.incidents').getByText(x1.title).waitFor();
  // the view asked for while the first page was on its way is the one shown
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('table.incidents tbody td[data-label="Đơn vị"]')];
    return cells.length > 0 && cells.every((c) => c.textContent === 'UBND xã Ngũ Phụng');
  });
  await page.getByLabel(`Chọn sự cố ${x1.number}`).check();
  await page.getByLabel(`Chọn sự cố ${x2.number}`).check();
  await page.locator('.bulk').waitFor();
  await shot(page, 'queue-bulk-1366', false);
  await page.getByRole('button', { name: 'Xác nhận tiếp nhận', exact: true }).click();
  await page.waitForFunction(() => !document.querySelector('.bulk'));
  for (const i of [x1, x2]) assert.equal((await api.get(`/api/v1/incidents/${i.id}`)).body.status, 'acknowledged');

  await page.goto(`${server.url}/#/queue?org=pq-longhai&q=${encodeURIComponent('web xa long hai')}`);
  await page.locator('table.incidents').getByText(d1.title).waitFor();
  await page.getByLabel(`Chọn sự cố ${d1.number}`).check();
  await page.getByLabel(`Chọn sự cố ${d2.number}`).check();
  await page.locator('#bulk-dup').fill(keep.number);
  await page.getByRole('button', { name: 'Đánh dấu trùng' }).click();
  await page.waitForFunction(() => !document.querySelector('.bulk'));
  const k = (await api.get(`/api/v1/incidents/${keep.id}`)).body;
  assert.deepEqual(k.duplicates.map((d) => d.id).sort(), [d1.id, d2.id].sort());
  for (const d of [d1, d2]) {
    const g = (await api.get(`/api/v1/incidents/${d.id}`)).body;
    assert.equal(g.status, 'rejected');
    assert.equal(g.duplicate_of.id, keep.id);
  }
  // the kept incident lists the duplicates and their reporters
  await page.goto(`${server.url}/#/incidents/${keep.id}`);
  await page.locator('#duplicates').getByRole('link', { name: d1.number }).waitFor();
  await page.locator('#duplicates').getByRole('link', { name: d2.number }).waitFor();
  await page.locator('#duplicates').scrollIntoViewIfNeeded();
  await shot(page, 'incident-duplicates-1366', false);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the queue on a phone (390×844): no sideways scroll, paging and filters usable', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: PHONE });
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/queue`);
  await rows(page).first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `queue scrolls sideways by ${overflow}px on a phone`);
  await shot(page, 'queue-390', false);
  await context.close();
});
