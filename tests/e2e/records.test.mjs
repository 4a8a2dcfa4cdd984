// Issue 12, items 1-4 and 9: records that are true (closing writes Mẫu 04,
// sending it meets the clock; the printed forms), clocks in every state,
// forms only for the roles that may use them, form details, and the phone
// layout (menu button, charts drawn for their width). Each test failed on
// the code before issue 12.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { launch, newPage, login, shot } from './lib.mjs';

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

async function client(username) {
  const c = new Client(server.url);
  const l = server.login(username);
  assert.equal((await c.login(l.username, l.password)).status, 200);
  return c;
}

let seq = 0;
/** A full initial report (Mẫu 03) from the commune of Tam Thanh. */
async function fileIncident(rep, extra = {}) {
  seq += 1;
  const r = await rep.post('/api/v1/incidents', {
    title: `Máy chủ thư xã Tam Thanh bị dò mật khẩu (${seq})`,
    description: 'Nhật ký cho thấy hàng nghìn lần đăng nhập sai từ 203.0.113.66 trong đêm.\nTài khoản quản trị bị khóa tạm thời.',
    detected_at: new Date(Date.now() - 3600_000).toISOString(), type: 'intrusion',
    reporter: { name: 'Trần Thị Bích', address: 'UBND xã Tam Thanh, huyện Phú Quý', phone: '0252 3769 111', email: 'tamthanh@phuquy.gov.vn' },
    contact: { name: 'Trần Thị Bích', position: 'Công chức văn phòng', phone: '0912 000 111', email: 'bich@phuquy.gov.vn' },
    system: { name: 'Hệ thống thư điện tử xã Tam Thanh', operator: 'UBND xã Tam Thanh', owner: 'UBND xã Tam Thanh', level: 2, domains: ['mail.tamthanh.phuquy.gov.vn'], ips: ['203.0.113.10'], security_provider: 'VNPT Bình Thuận', connectivity_provider: 'VNPT Phú Quý' },
    handling_status: 'not_handled', detection_method: { kind: 'log_review', detail: 'Kiểm tra nhật ký máy chủ thư' },
    notified: ['coordinator', 'isp'],
    details: { os: 'Ubuntu 22.04', services: ['mail', 'web'], measures: ['antivirus', 'firewall'], public_ips: ['203.0.113.10'], domains: ['mail.tamthanh.phuquy.gov.vn'], purpose: 'Thư công vụ của UBND xã' },
    confidential: true, support_needed: 'Đề nghị huyện hỗ trợ rà soát và đổi mật khẩu toàn bộ tài khoản.',
    ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function moveTo(c, id, steps) {
  for (const body of steps) {
    const g = await c.get(`/api/v1/incidents/${id}`);
    const r = await c.post(`/api/v1/incidents/${id}/transitions`, body, { 'If-Match': `"${g.body.version}"` });
    assert.equal(r.status, 200, `${body.to}: ${r.text}`);
  }
}

const TO_RECOVERING = [{ to: 'acknowledged' }, { to: 'verified' }, { to: 'classified', severity: 'medium' },
  { to: 'containing' }, { to: 'eradicating' }, { to: 'recovering' }];

/** Pages in a PDF (each page object is "/Type /Page", the tree "/Type /Pages"). */
function pdfPages(buf) {
  return (buf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}

test('item 1: closing writes Mẫu 04, recording it as sent meets the clock; the printed forms are true', { timeout: 150_000 }, async () => {
  const rep = await client('tamthanh');
  const coord = await client('dieuphoi');
  const inc = await fileIncident(rep);
  await moveTo(coord, inc.id, TO_RECOVERING);
  const ini = await coord.post(`/api/v1/incidents/${inc.id}/reports`, { kind: 'initial', recipient: 'Sở TT&TT Bình Thuận; Trung tâm VNCERT/CC', channel: 'email', reference: '15/BC-UBND' });
  assert.equal(ini.status, 201, ini.text);
  await moveTo(coord, inc.id, [{ to: 'reviewing' }]);

  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/incidents/${inc.id}`);
  await page.locator('.actionbar').getByRole('button', { name: 'Đóng sự cố' }).click();
  const panel = page.locator('#action-panel');
  await panel.locator('#cr-summary').fill('Đã đổi mật khẩu toàn bộ tài khoản, chặn địa chỉ tấn công.');
  await panel.locator('#cr-cause').fill('Mật khẩu yếu, dịch vụ thư mở ra Internet không giới hạn số lần thử.');
  await panel.getByRole('button', { name: 'Xác nhận' }).click();
  await page.locator('.inc-head .st-closed').waitFor();
  // Nothing was sent: no "closing report sent" record, the clock still runs.
  const reports = page.locator('section[aria-labelledby=h-reports] ul.cards > li');
  assert.equal(await reports.filter({ hasText: 'Báo cáo kết thúc' }).count(), 0, 'closing recorded a report as sent');
  const clock = page.locator('ul.deadlines li').filter({ hasText: 'Báo cáo kết thúc (Mẫu 04)' });
  assert.doesNotMatch(await clock.textContent(), /Đã đáp ứng|đã đáp ứng/, 'closing met the closing-report clock');
  // A message confirms the change (item 4).
  assert.match(await page.locator('#state-done').textContent(), /Đã chuyển sự cố từ “Tổng kết” sang “Đã đóng”/);
  await shot(page, 'incident-closed-unsent');

  // Recording it as sent: to whom, how; the clock is met.
  await clock.getByRole('button', { name: 'Ghi nhận đã gửi báo cáo kết thúc' }).click();
  assert.equal(await page.locator('#rep-kind').inputValue(), 'closing');
  await page.locator('#rep-recipient').fill('Trung tâm VNCERT/CC');
  await page.locator('#rep-reference').fill('20/BC-UBND');
  await page.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
  await reports.filter({ hasText: 'Báo cáo kết thúc' }).filter({ hasText: 'Trung tâm VNCERT/CC' }).waitFor();
  await clock.getByText(/Đã đáp ứng|đã đáp ứng/).waitFor();

  // Mẫu 04: addressed to its recipients, reporter and signer the writer, not listing itself.
  await page.goto(`${server.url}/#/incidents/${inc.id}/print/04`);
  await page.locator('.paper .p-title').waitFor();
  assert.match(await page.locator('.paper .p-to').textContent(), /Kính gửi: Trung tâm VNCERT\/CC/);
  const writer = 'Nguyễn Văn An (Văn phòng HĐND và UBND huyện)';
  assert.equal((await page.locator('.paper .sign-name').textContent()).trim(), writer);
  const s1 = await page.locator('.paper .line').first().textContent();
  assert.match(s1, /Nguyễn Văn An/);
  assert.match(await page.locator('.paper .p-org').textContent(), /UBND huyện Phú Quý/i, 'issued by the writer\'s organisation');
  assert.doesNotMatch(await page.locator('.paper').textContent(), /Trần Thị Bích/, 'Mẫu 04 names the first reporter');
  const att = await page.locator('.paper .p-list').textContent();
  assert.doesNotMatch(att, /Báo cáo kết thúc/, 'Mẫu 04 lists itself among its attachments');
  assert.match(att, /Báo cáo ban đầu/);
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'print-mau-04-written');
  await page.emulateMedia({ media: 'screen' });

  // Mẫu 03: addressed to the recipients of the initial report, two A4 pages with the signature.
  await page.goto(`${server.url}/#/incidents/${inc.id}/print/03`);
  await page.locator('.paper .p-title').waitFor();
  assert.match(await page.locator('.paper .p-to').textContent(), /Kính gửi: Sở TT&TT Bình Thuận; Trung tâm VNCERT\/CC/);
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'print-mau-03-full');
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  assert.ok(pdfPages(pdf) <= 2, `Mẫu 03 prints on ${pdfPages(pdf)} A4 pages`);
  await page.emulateMedia({ media: 'screen' });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('item 2: every state shows its clock; closed shows missed; closing asks about open work; due soon', { timeout: 150_000 }, async () => {
  const rep = await client('tamthanh');
  const coord = await client('dieuphoi');
  // Acknowledged, not verified: the notification clock (T1) runs and shows.
  const a = await fileIncident(rep);
  await moveTo(coord, a.id, [{ to: 'acknowledged' }]);
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/incidents/${a.id}`);
  const notif = page.locator('ul.deadlines li').filter({ hasText: 'Thông báo sự cố' });
  await notif.waitFor();
  assert.match(await notif.textContent(), /còn/);
  await page.goto(`${server.url}/#/queue`);
  const row = page.locator('table.incidents tbody tr').filter({ hasText: a.number });
  await row.waitFor();
  assert.match(await row.textContent(), /Thông báo sự cố/, 'the queue shows the clock of an acknowledged incident');

  // Closed without sending the notification: missed, not counting.
  const b = await fileIncident(rep);
  await moveTo(coord, b.id, [...TO_RECOVERING, { to: 'reviewing' }, { to: 'closed', closing_report: { summary: 'Xong' } }]);
  await page.goto(`${server.url}/#/incidents/${b.id}`);
  const missed = page.locator('ul.deadlines li').filter({ hasText: 'Thông báo sự cố' });
  await missed.waitFor();
  assert.match(await missed.textContent(), /không đáp ứng — sự cố đã kết thúc/);
  assert.doesNotMatch(await missed.textContent(), /còn \d/);

  // Closing with an open task and an open support request asks first and says what is open.
  const c = await fileIncident(rep);
  await moveTo(coord, c.id, TO_RECOVERING.slice(0, 4));
  assert.equal((await coord.post(`/api/v1/incidents/${c.id}/tasks`, { title: 'Rà soát nhật ký tường lửa' })).status, 201);
  assert.equal((await coord.post(`/api/v1/incidents/${c.id}/support-requests`, { summary: 'Đề nghị tỉnh phân tích mẫu mã độc' })).status, 201);
  await moveTo(coord, c.id, [{ to: 'eradicating' }, { to: 'recovering' }, { to: 'reviewing' }]);
  await page.goto(`${server.url}/#/incidents/${c.id}`);
  await page.locator('.actionbar').getByRole('button', { name: 'Đóng sự cố' }).click();
  const panel = page.locator('#action-panel');
  await panel.locator('#cr-summary').fill('Đã xử lý.');
  const warn = panel.locator('#close-open-work');
  await warn.waitFor();
  assert.match(await warn.textContent(), /Rà soát nhật ký tường lửa/);
  assert.match(await warn.textContent(), /Đề nghị tỉnh phân tích mẫu mã độc/);
  await shot(page, 'incident-close-open-work', false);
  await panel.getByRole('button', { name: 'Xác nhận' }).click();
  assert.ok(await page.locator('.inc-head .st-reviewing').isVisible(), 'closed without confirming open work');
  await panel.locator('#close-confirm').check();
  await panel.getByRole('button', { name: 'Xác nhận' }).click();
  await page.locator('.inc-head .st-closed').waitFor();

  // The server asks too: a task added while the form was open is not closed
  // over unseen (409 with the list); the page shows the server's list and asks.
  const e = await fileIncident(rep);
  await moveTo(coord, e.id, [...TO_RECOVERING, { to: 'reviewing' }]);
  await page.goto(`${server.url}/#/incidents/${e.id}`);
  await page.locator('.actionbar').getByRole('button', { name: 'Đóng sự cố' }).click();
  await panel.locator('#cr-summary').fill('Đã xử lý.');
  assert.equal(await panel.locator('#close-open-work').count(), 0, 'nothing open yet');
  assert.equal((await coord.post(`/api/v1/incidents/${e.id}/tasks`, { title: 'Đổi mật khẩu quản trị' })).status, 201);
  await panel.getByRole('button', { name: 'Xác nhận' }).click();
  const serverWarn = panel.locator('#close-open-work ul.server-open');
  await serverWarn.waitFor();
  assert.match(await serverWarn.textContent(), /Nhiệm vụ chưa xong: Đổi mật khẩu quản trị/);
  assert.ok(await page.locator('.inc-head .st-reviewing').isVisible(), 'the server did not close over open work');
  await shot(page, 'incident-close-open-work-server', false);
  await panel.locator('#close-confirm').check();
  await panel.getByRole('button', { name: 'Xác nhận' }).click();
  await page.locator('.inc-head .st-closed').waitFor();

  // Due soon: a new report must be acknowledged within 2 hours.
  const d = await fileIncident(rep);
  const soon = await coord.get('/api/v1/incidents?due_soon=1&limit=200');
  assert.equal(soon.status, 200, soon.text);
  assert.ok(soon.body.items.some((x) => x.id === d.id));
  assert.ok(!soon.body.items.some((x) => x.id === b.id));
  const dls = await coord.get('/api/v1/deadlines?due_soon=1');
  assert.ok(dls.body.items.some((x) => x.incident.id === d.id && x.kind === 'ack' && x.due_soon));
  await page.goto(`${server.url}/#/dashboard`);
  const panelSoon = page.locator('section.soon-list');
  await panelSoon.getByText(d.number).waitFor();
  assert.ok(Number(await page.locator('#stat-due-soon .n').textContent()) >= 1);
  await shot(page, 'dashboard-due-soon');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('item 3: a read-only leader is offered no forms; refusals name roles in words; no scan imports for a commune', { timeout: 90_000 }, async () => {
  const rep = await client('tamthanh');
  const coord = await client('dieuphoi');
  const inc = await fileIncident(rep);
  await moveTo(coord, inc.id, TO_RECOVERING.slice(0, 4));
  const { context, page } = await newPage(browser);
  await login(page, server, 'lanhdao');
  await page.goto(`${server.url}/#/incidents/${inc.id}`);
  await page.locator('.inc-head').getByText(inc.number).waitFor();
  await page.locator('#h-deadlines').waitFor();
  for (const sel of ['#comment-body', '#task-title', '#rep-kind', '#obs-value', '#inc-attach', '#open-support', '#assign-user']) {
    assert.equal(await page.locator(sel).count(), 0, `a leader is offered ${sel}`);
  }
  for (const text of ['Thêm nhiệm vụ', 'Ghi nhận báo cáo đã gửi', 'Thêm dấu hiệu']) {
    assert.equal(await page.getByText(text).count(), 0, `a leader is offered "${text}"`);
  }
  assert.equal(await page.locator('.actionbar button').count(), 0);
  await shot(page, 'incident-leader');
  // The server's refusal is worded for a person.
  const lead = await client('lanhdao');
  const r = await lead.post(`/api/v1/incidents/${inc.id}/comments`, { body: 'x' });
  assert.equal(r.status, 403);
  assert.match(r.body.detail, /cán bộ đầu mối/);
  assert.doesNotMatch(r.body.detail, /\b(reporter|focal|coordinator|responder|admin|leader)\b/);
  const en = new Client(server.url, { lang: 'en' });
  const l = server.login('lanhdao');
  await en.login(l.username, l.password);
  const r2 = await en.post(`/api/v1/incidents/${inc.id}/tasks`, { title: 'x' });
  assert.equal(r2.status, 403);
  assert.match(r2.body.detail, /focal point officer or coordinator or responder/);
  await context.close();

  // A commune officer: no nmap/OpenVAS import page in the menu.
  const x = await newPage(browser);
  await login(x.page, server, 'tamthanh');
  await x.page.locator('header nav a').first().waitFor({ state: 'attached' });
  assert.equal(await x.page.locator('header nav a[href="#/imports"]').count(), 0);
  await x.context.close();
});

test('item 4: form details', { timeout: 120_000 }, async () => {
  const rep = await client('tamthanh');
  const coord = await client('dieuphoi');
  // The first missing required field scrolls clear of the sticky bar and takes focus.
  {
    const { context, page } = await newPage(browser, { viewport: PHONE });
    await login(page, server, 'tamthanh');
    await page.goto(`${server.url}/#/report`);
    await page.locator('#title').waitFor();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await page.locator('#missing-field').waitFor();
    const focused = await page.evaluate(() => document.activeElement?.id);
    assert.ok(focused, 'a field has focus');
    const box = await page.locator(`#${focused}`).boundingBox();
    const bar = await page.locator('.actions.sticky').boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= bar.y, `the field (${box.y}..${box.y + box.height}) hides under the bar at ${bar.y}`);
    // "Xóa mẫu" asks first, and sits apart from "Gửi báo cáo".
    await page.locator('#title').fill('Một tiêu đề đã gõ');
    const send = await page.getByRole('button', { name: 'Gửi báo cáo' }).boundingBox();
    const clear = await page.getByRole('button', { name: 'Xóa mẫu' }).boundingBox();
    const gap = Math.max(clear.x - (send.x + send.width), clear.y - (send.y + send.height), send.x - (clear.x + clear.width));
    assert.ok(gap >= 24, `Xóa mẫu is ${gap}px from Gửi báo cáo`);
    await page.getByRole('button', { name: 'Xóa mẫu' }).click();
    assert.match(page.dialogs.at(-1) ?? '', /Xóa toàn bộ nội dung/);
    assert.equal(await page.locator('#title').inputValue(), 'Một tiêu đề đã gõ', 'cleared without asking');
    // The confidentiality box does not pretend to change the default sharing.
    assert.match(await page.locator('#confidential').locator('xpath=../following-sibling::small[1]').textContent(), /mặc định/);
    await shot(page, 'report-phone-missing-field', false);
    await context.close();
  }
  const inc = await fileIncident(rep);
  await moveTo(coord, inc.id, TO_RECOVERING);
  // A task with neither assignee nor due date.
  assert.equal((await coord.post(`/api/v1/incidents/${inc.id}/tasks`, { title: 'Sao lưu cấu hình' })).status, 201);
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/incidents/${inc.id}`);
  // Forward first and main; the step back secondary.
  const buttons = page.locator('.actionbar button');
  await buttons.first().waitFor();
  assert.equal(await buttons.first().textContent(), 'Tổng kết');
  const back = page.locator('.actionbar button', { hasText: 'Quay lại ngăn chặn' });
  assert.match(await back.getAttribute('class'), /secondary/);
  // No stray "· Hạn:" on a task without a due date.
  const task = page.locator('ul.tasks li').filter({ hasText: 'Sao lưu cấu hình' });
  await task.waitFor();
  assert.doesNotMatch(await task.textContent(), /Hạn|·/);
  // Assignee names without double brackets.
  const opts = await page.locator('#assign-user option').allTextContents();
  assert.ok(opts.length > 1);
  assert.ok(opts.every((o) => !/\(\(|\)\)|\)\s*\(/.test(o)), opts.join(' | '));
  // Indicator validation speaks of the form's labels, not internal keys.
  await page.getByText('Thêm dấu hiệu').click();
  await page.locator('#obs-kind').selectOption('ip');
  await page.locator('#obs-value').fill('999.1.1.1');
  await page.locator('section[aria-labelledby=h-observables]').getByRole('button', { name: 'Thêm' }).click();
  const err = page.locator('section[aria-labelledby=h-observables] .alert.error');
  await err.waitFor();
  const text = await err.textContent();
  assert.doesNotMatch(text, /value:|\bip\b/);
  assert.match(text, /Địa chỉ IP/);
  await shot(page, 'incident-form-details');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('item 9: a menu button and compact header on a phone; charts laid out for the width', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: PHONE });
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/dashboard`);
  await page.locator('.dashboard h1').waitFor();
  assert.equal(await page.locator('header nav').isVisible(), false, 'the menu is folded');
  const headerH = (await page.locator('header.top').boundingBox()).height;
  assert.ok(headerH < 130, `header is ${headerH}px tall`);
  await shot(page, 'dashboard-phone', false);
  await page.getByRole('button', { name: 'Danh mục' }).click();
  const links = page.locator('header nav a');
  assert.ok((await links.count()) >= 10);
  for (const a of await links.all()) {
    const b = await a.boundingBox();
    assert.ok(b && b.x >= 0 && b.x + b.width <= PHONE.width + 1, `${await a.textContent()} is off screen`);
  }
  await shot(page, 'menu-phone-open', false);
  await page.getByRole('link', { name: 'Hàng đợi sự cố' }).click();
  await page.waitForFunction(() => !document.querySelector('header.top')?.classList.contains('menu-open'));
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the page scrolls sideways');
  // Chart labels keep a readable size.
  await page.goto(`${server.url}/#/dashboard`);
  await page.locator('.chart svg text').first().waitFor();
  const labelSize = () => Math.min(...[...document.querySelectorAll('.chart svg text')].map((el) => {
    const m = el.closest('svg').getScreenCTM();
    return parseFloat(getComputedStyle(el).fontSize) * (m ? m.a : 1);
  }));
  // (the charts lay themselves out for the width once it is known: wait a
  // little for that before measuring, rather than measure a first frame)
  await page.waitForFunction(`(${labelSize})() >= 10`, null, { timeout: 5000 }).catch(() => {});
  const smallest = await page.evaluate(labelSize);
  assert.ok(smallest >= 10, `chart labels ${smallest.toFixed(1)}px on a phone`);
  await page.locator('.dash-grid').scrollIntoViewIfNeeded();
  await shot(page, 'dashboard-phone-full');
  // An incident and the report form on a phone: nothing wider than the screen.
  const coord = await client('dieuphoi');
  const list = await coord.get('/api/v1/incidents?limit=1');
  await page.goto(`${server.url}/#/incidents/${list.body.items[0].id}`);
  await page.locator('.inc-head').waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the incident page scrolls sideways');
  await shot(page, 'incident-phone');
  await shot(page, 'incident-phone-top', false);
  // The clocks come before the long report on one column.
  const dl = await page.locator('#h-deadlines').boundingBox();
  const desc = await page.locator('#h-desc').boundingBox();
  assert.ok(dl.y < desc.y, 'the clocks are below the report on a phone');
  await page.goto(`${server.url}/#/report`);
  await page.locator('#title').waitFor();
  await shot(page, 'report-phone');
  assert.deepEqual(page.errors, []);
  await context.close();
  // The same pages at 1366×768 for comparison.
  const wide = await newPage(browser);
  await login(wide.page, server, 'dieuphoi');
  await wide.page.goto(`${server.url}/#/dashboard`);
  await wide.page.locator('.chart svg text').first().waitFor();
  await shot(wide.page, 'dashboard-wide');
  await wide.context.close();
});

test('item 4: a system\'s organisation is corrected and the system retired from its page', { timeout: 90_000 }, async () => {
  const tam = await client('tamthanh');
  const s = await tam.post('/api/v1/systems', { name: 'Cổng thông tin điện tử xã (nhập nhầm đơn vị)', level: 2 });
  assert.equal(s.status, 201, s.text);
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/systems/${s.body.id}`);
  await page.locator('.actionbar').getByRole('button', { name: 'Sửa hồ sơ hệ thống' }).click();
  await page.locator('#sys-org').selectOption('pq-longhai');
  await page.locator('.sys-form button[type=submit]').click();
  await page.locator('.page-head').getByText('UBND xã Long Hải').waitFor();
  page.acceptNext = true;
  await page.locator('#sys-retire').click();
  await page.locator('.page-head .badge.retired').waitFor();
  assert.match(page.dialogs.at(-1) ?? '', /ngừng sử dụng/);
  await shot(page, 'system-retired');
  await page.locator('#sys-reinstate').click();
  await page.locator('#sys-retire').waitFor();
  // A host too.
  const h = await tam.post('/api/v1/hosts', { hostname: 'may-van-thu-cu' });
  assert.equal(h.status, 201, h.text);
  await page.goto(`${server.url}/#/hosts/${h.body.id}`);
  page.acceptNext = true;
  await page.locator('#host-retire').click();
  await page.locator('.page-head .badge.retired').waitFor();
  await page.locator('#host-reinstate').waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});
