// The whole life of an incident through the browser: a commune reporter
// reports it with an attachment, the district coordinator takes it through
// every state to closed (support request, legal report, closing report
// Mẫu 04), another commune cannot see it, a stale action keeps what was typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { join } from 'node:path';
import { launch, newPage, login, shot, dropFiles, shotsDir } from './lib.mjs';

let server, browser;
const shared = {};

before(async () => {
  server = await startServer();
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

test('commune reporter reports an incident with an attachment', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/report`);
  await page.locator('#title').fill('Trang thông tin điện tử xã Tam Thanh bị thay đổi giao diện');
  await page.locator('#description').fill('Sáng nay trang chủ hiện ảnh lạ và dòng chữ "hacked". Đã chụp màn hình.\nMáy chủ đặt tại UBND xã.');
  await page.locator('#system-name').fill('Trang thông tin điện tử xã Tam Thanh');
  await page.locator('#system-domains').fill('tamthanh.phuquy.binhthuan.gov.vn');
  await page.locator('#system-ips').fill('203.0.113.10');
  await page.locator('#system-level').selectOption('2');
  await page.getByLabel('Thay đổi giao diện').check();
  await page.getByLabel('Qua kiểm tra nhật ký (log)').check();
  await page.getByLabel('Nhà cung cấp dịch vụ Internet (ISP)').check();
  await page.locator('input[name=services][value=web]').check();
  await page.locator('input[name=measures][value=antivirus]').check();
  await page.locator('#support_needed').fill('Đề nghị huyện hỗ trợ khôi phục trang và tìm nguyên nhân.');
  await dropFiles(page, '.dropzone', [{ name: 'nhật-ký truy cập.log', type: 'text/plain', content: '203.0.113.66 - - [24/Nov/2026:08:01:02 +0700] "POST /wp-login.php" 200\n' }]);
  await page.locator('.dropzone .files li').filter({ hasText: 'nhật-ký truy cập.log' }).waitFor();
  await shot(page, 'report-form');
  await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
  await page.locator('#incident-number').waitFor();
  const number = (await page.locator('#incident-number').textContent()).trim();
  assert.match(number, /^PQ-\d{4}-\d{4}$/);
  await page.getByText('Đã tải lên 1 tệp đính kèm.').waitFor();
  assert.ok(await page.getByText(/trong vòng 2 giờ/).isVisible());
  await shot(page, 'report-confirmation');
  const id = page.url().split('/').pop();
  shared.id = id;
  shared.number = number;
  assert.deepEqual(page.errors, []);
  await context.close();
});

async function act(page, label, fill) {
  await page.locator('.actionbar').getByRole('button', { name: label, exact: false }).click();
  const panel = page.locator('#action-panel');
  await panel.waitFor();
  if (fill) await fill(panel);
  const before = await page.locator('.inc-head .badge').first().textContent();
  await panel.getByRole('button', { name: 'Xác nhận' }).click();
  await panel.waitFor({ state: 'detached' });
  await page.waitForFunction((b) => document.querySelector('.inc-head .badge')?.textContent !== b, before, { timeout: 5000 })
    .catch(() => assert.fail(`state did not change after "${label}"`));
  return page.locator('.inc-head .badge').first().textContent();
}

test('district coordinator takes it through every state to closed', { timeout: 150_000 }, async () => {
  assert.ok(shared.id, 'needs the reported incident');
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/queue`);
  const row = page.locator('table.incidents tbody tr').filter({ hasText: shared.number });
  await row.waitFor();
  await shot(page, 'queue');
  await row.getByRole('link', { name: shared.number }).click();
  await page.locator('.inc-head').getByText(shared.number).waitFor();
  await page.locator('.attachments').getByText('nhật-ký truy cập.log').waitFor();

  await act(page, 'Xác nhận tiếp nhận');
  await act(page, 'Xác minh');
  await act(page, 'Phân loại', async (p) => {
    await p.locator('#act-severity').selectOption('high');
    await p.locator('#act-note').fill('Thay đổi giao diện, cấp độ 2, huyện tự xử lý được.');
  });
  assert.ok(await page.locator('.inc-head .sev-high').isVisible());
  await act(page, 'Bắt đầu ngăn chặn');

  // Support request to the province team while containing.
  await page.locator('#open-support').click();
  await page.locator('#sr-summary').fill('Đề nghị Sở TT&TT hỗ trợ phân tích mã độc trên máy chủ web');
  await page.locator('#sr-help').fill('Phân tích tệp lạ trong thư mục uploads.');
  await page.locator('#sr-urgency').selectOption('high');
  await page.getByRole('button', { name: 'Gửi đề nghị' }).click();
  await page.locator('.sr').filter({ hasText: 'phân tích mã độc' }).waitFor();

  // The province team accepts it from its own session.
  {
    const { context: c2, page: p2 } = await newPage(browser);
    await login(p2, server, 'tinh');
    await p2.goto(`${server.url}/#/incidents/${shared.id}`);
    const sr = p2.locator('.sr').filter({ hasText: 'phân tích mã độc' });
    await sr.locator('input').fill('Đội ứng cứu tỉnh cử 1 kỹ sư hỗ trợ từ xa.');
    await sr.getByRole('button', { name: 'Nhận hỗ trợ' }).click();
    await sr.getByText('Đã nhận hỗ trợ').waitFor();
    await c2.close();
  }
  await page.reload();
  const sr = page.locator('.sr').filter({ hasText: 'phân tích mã độc' });
  await sr.getByText('Đã nhận hỗ trợ').waitFor();
  await sr.getByRole('button', { name: 'Đánh dấu hoàn thành' }).click();
  await sr.getByText('Hoàn thành').waitFor();

  // A legal report: the notification (thông báo sự cố) to VNCERT/CC.
  await page.getByText('Ghi nhận báo cáo đã gửi').click();
  await page.locator('#rep-kind').selectOption('notification');
  await page.locator('#rep-recipient').fill('VNCERT/CC; Sở TT&TT Bình Thuận');
  await page.locator('#rep-reference').fill('12/BC-UBND');
  await page.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
  await page.locator('#h-reports .count').filter({ hasText: '1' }).waitFor();

  await page.locator('#observables').count(); // section exists
  await page.getByText('Thêm dấu hiệu').click();
  await page.locator('#obs-kind').selectOption('ip');
  await page.locator('#obs-value').fill('203.0.113.66');
  await page.locator('#observables, section[aria-labelledby=h-observables]').getByRole('button', { name: 'Thêm' }).click();
  await page.locator('ul.observables').getByText('203.0.113.66').waitFor();

  await page.locator('#comment-body').fill('Đã cô lập máy chủ web khỏi mạng.');
  await page.locator('section[aria-labelledby=h-comments]').getByRole('button', { name: 'Gửi' }).click();
  await page.locator('ul.comments').getByText('Đã cô lập máy chủ web khỏi mạng.').waitFor();

  await act(page, 'Gỡ bỏ nguyên nhân');
  await act(page, 'Khôi phục hệ thống');
  await act(page, 'Tổng kết');
  await act(page, 'Đóng sự cố', async (p) => {
    await p.locator('#cr-summary').fill('Đã khôi phục trang từ bản sao lưu, vá plugin lỗi, đổi mật khẩu quản trị.');
    await p.locator('#cr-cause').fill('Plugin WordPress chưa cập nhật, mật khẩu yếu.');
    await p.locator('#cr-resolution').fill('Khôi phục từ bản sao lưu ngày 23/11; cập nhật plugin.');
    await p.locator('#cr-proposals').fill('Rà soát định kỳ 6 tháng; bật xác thực hai lớp.');
    await p.locator('#cr-damage').fill('Gián đoạn 4 giờ, không mất dữ liệu.');
  });
  assert.ok(await page.locator('.inc-head .st-closed').isVisible());
  await page.locator('#h-closing').waitFor();
  await page.locator('#h-timeline').scrollIntoViewIfNeeded();
  await shot(page, 'incident');

  // Both paper forms print from their own route.
  await page.getByRole('link', { name: /^In báo cáo \(Mẫu 03\)/ }).click();
  await page.locator('.paper .p-title').waitFor();
  assert.match(await page.locator('.paper').textContent(), /BÁO CÁO BAN ĐẦU SỰ CỐ/);
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'print-mau-03');
  await page.emulateMedia({ media: 'screen' });
  await page.pdf({ path: join(shotsDir, 'mau-03.pdf'), format: 'A4', preferCSSPageSize: true });
  await page.goto(`${server.url}/#/incidents/${shared.id}/print/04`);
  await page.locator('.paper .p-title').waitFor();
  const t04 = await page.locator('.paper').textContent();
  assert.match(t04, /BÁO CÁO KẾT THÚC/);
  assert.match(t04, /Đã khôi phục trang từ bản sao lưu/);
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'print-mau-04');
  await page.emulateMedia({ media: 'screen' });
  await page.pdf({ path: join(shotsDir, 'mau-04.pdf'), format: 'A4', preferCSSPageSize: true });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a stale action explains itself and keeps what was typed (412)', { timeout: 60_000 }, async () => {
  // A fresh incident, acknowledged through the API.
  const rep = new Client(server.url);
  const lr = server.login('tamthanh');
  assert.equal((await rep.login(lr.username, lr.password)).status, 200);
  const created = await rep.post('/api/v1/incidents', {
    title: 'Thư giả mạo đề nghị cung cấp mật khẩu hộp thư công vụ', description: 'Nhiều cán bộ nhận thư giả mạo.',
    detected_at: new Date().toISOString(), type: 'phishing',
  });
  assert.equal(created.status, 201, created.text);
  const id = created.body.id;
  const other = new Client(server.url);
  const l = server.login('dieuphoi');
  assert.equal((await other.login(l.username, l.password)).status, 200);
  const ack = await other.post(`/api/v1/incidents/${id}/transitions`, { to: 'acknowledged' }, { 'If-Match': `"${created.body.version}"` });
  assert.equal(ack.status, 200, ack.text);

  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/incidents/${id}`);
  await page.locator('.actionbar').getByRole('button', { name: 'Từ chối' }).click();
  const reason = 'Thư đã bị bộ lọc chặn, không ai bấm vào đường dẫn; không phải sự cố.';
  await page.locator('#act-reason').fill(reason);

  // Meanwhile another coordinator edits the incident.
  const cur = await other.get(`/api/v1/incidents/${id}`);
  const r = await other.patch(`/api/v1/incidents/${id}`, { description: `${cur.body.description}\n(Bổ sung bởi người khác.)` },
    { 'If-Match': `"${cur.body.version}"` });
  assert.equal(r.status, 200, `PATCH incident: ${r.text}`);

  await page.locator('#action-panel').getByRole('button', { name: 'Xác nhận' }).click();
  const alert = page.locator('#action-panel .alert.error');
  await alert.waitFor();
  assert.match(await alert.textContent(), /vừa được người khác cập nhật/);
  assert.equal(await page.locator('#act-reason').inputValue(), reason);
  await shot(page, 'incident-stale-412', false);
  await page.getByRole('button', { name: /Tải lại sự cố/ }).click();
  await page.locator('.description').getByText('Bổ sung bởi người khác').waitFor();
  assert.equal(await page.locator('#act-reason').inputValue(), reason);
  await page.locator('#action-panel').getByRole('button', { name: 'Xác nhận' }).click();
  await page.locator('#action-panel').waitFor({ state: 'detached' });
  await page.locator('.inc-head .st-rejected').waitFor();
  assert.match(await page.locator('.dl').first().textContent(), /không phải sự cố/);

  // Reopen (rejected → received) needs a reason too.
  await page.locator('.actionbar').getByRole('button', { name: 'Mở lại' }).click();
  await page.locator('#act-reason').fill('Một cán bộ xác nhận đã nhập mật khẩu vào trang giả mạo.');
  await page.locator('#action-panel').getByRole('button', { name: 'Xác nhận' }).click();
  await page.locator('.inc-head .st-received').waitFor();
  await context.close();
});

test('another commune cannot see the incident', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'longhai');
  await page.goto(`${server.url}/#/queue`);
  await page.locator('.summary, .empty').first().waitFor();
  assert.equal(await page.locator('table.incidents').getByText(shared.number).count(), 0);
  await page.goto(`${server.url}/#/incidents/${shared.id}`);
  await page.locator('.alert.error').waitFor().catch(async (e) => {
    await shot(page, 'failure-scope', false);
    throw new Error(`${e.message}\n${await page.locator('main').innerText()}`);
  });
  assert.match(await page.locator('.alert.error').textContent(), /Không tìm thấy/);
  assert.equal(await page.getByText(shared.number).count(), 0);
  await context.close();
});

test('dashboard and directory', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'admin');
  await page.goto(`${server.url}/#/dashboard`);
  await page.locator('.stats-cards .stat').first().waitFor();
  await page.locator('.chart svg').first().waitFor();
  await shot(page, 'dashboard');

  await page.goto(`${server.url}/#/directory`);
  await page.locator('.org-tree').waitFor();
  assert.match(await page.locator('.org-tree').textContent(), /Tam Thanh/);
  // Admin creates an organisation, a user, a contact, and toggles on duty.
  await page.locator('#org-name').fill('UBND xã Ngũ Phụng (thôn Đông Hải)');
  await page.locator('#org-code').fill('pq-test-donghai');
  await page.locator('#org-parent').selectOption({ label: /UBND huyện Phú Quý/ }).catch(async () => {
    const v = await page.locator('#org-parent option').filter({ hasText: 'Phú Quý' }).first().getAttribute('value');
    await page.locator('#org-parent').selectOption(v);
  });
  await page.getByRole('button', { name: 'Tạo đơn vị' }).click();
  await page.locator('.org-tree').getByText('thôn Đông Hải').waitFor();
  await page.locator('#user-full-name').fill('Nguyễn Thị Thử');
  await page.locator('#user-username').fill('thu.nguyen');
  await page.locator('#user-password').fill('Mật-khẩu-đủ-dài-2026!');
  const v = await page.locator('#user-org option').filter({ hasText: 'thôn Đông Hải' }).first().getAttribute('value');
  await page.locator('#user-org').selectOption(v);
  await page.getByRole('button', { name: 'Tạo người dùng' }).click();
  await page.locator('.people').getByText('Nguyễn Thị Thử').waitFor();
  page.once('dialog', () => {});
  await page.getByText('Thêm đầu mối liên hệ').click();
  await page.locator('#contact-name').fill('Trực ban ứng cứu huyện');
  await page.locator('#contact-phone').fill('0252 3769 999');
  await page.locator('#contact-role').fill('Trực 24/7');
  await page.locator('section[aria-labelledby=h-contacts] form').getByRole('button', { name: 'Thêm' }).click();
  const crow = page.locator('table.contacts tr').filter({ hasText: 'Trực ban ứng cứu huyện' });
  await crow.waitFor();
  await crow.getByRole('checkbox').check();
  await crow.getByText('Đang trực').waitFor();
  await shot(page, 'directory');
  await context.close();
});

test('dashboard: the overdue card counts incidents, as stats.overdue does', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  // stats.overdue counts incidents with an overdue deadline, not deadlines.
  await page.goto(`${server.url}/#/dashboard`);
  const card = page.locator('.stats-cards .stat').nth(1);
  await card.waitFor();
  assert.match(await card.textContent(), /sự cố quá hạn$/);
  await page.locator('.late li').first().waitFor();
  const hrefs = await page.locator('.late li > a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.equal(Number(await card.locator('.n').textContent()), new Set(hrefs).size);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('Mẫu 04 is dated when the incident was closed, not when it last changed', { timeout: 60_000 }, async () => {
  const api = new Client(server.url);
  const l = server.login('dieuphoi');
  assert.equal((await api.login(l.username, l.password)).status, 200);
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  // A demo incident closed days ago, commented on today: the form keeps the closing date.
  const closed = (await api.get('/api/v1/incidents?status=closed&limit=200')).body.items;
  const local = (iso) => new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(0, 10);
  let pick = null;
  for (const i of closed) {
    const x = (await api.get(`/api/v1/incidents/${i.id}`)).body;
    const at = x.timeline.filter((e) => e.kind === 'transition' && e.data?.to === 'closed').pop()?.at;
    if (at && local(at) !== local(new Date().toISOString())) { pick = { id: i.id, at }; break; }
  }
  assert.ok(pick, 'the demo has an incident closed before today');
  assert.equal((await api.post(`/api/v1/incidents/${pick.id}/comments`, { body: 'Bổ sung sau khi đóng.' })).status, 201);
  await page.goto(`${server.url}/#/incidents/${pick.id}/print/04`);
  const [y, m, d] = local(pick.at).split('-');
  await page.locator('.paper .p-nation .i').waitFor();
  assert.equal((await page.locator('.paper .p-nation .i').textContent()).trim(), `……………, ngày ${d} tháng ${m} năm ${y}`);
  assert.deepEqual(page.errors, []);
  await context.close();
});
