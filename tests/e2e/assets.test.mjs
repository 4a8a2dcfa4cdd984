// Vulnerability management through the browser: a commune focal point
// registers a system and a host (a stale edit keeps what was typed), the
// district coordinator loads an NVD feed, the focal point uploads an nmap scan,
// the coordinator issues a warning, the commune acknowledges it and reports it
// fixed, accepts the risk of a finding; the compliance view and its CSV; the
// report form's system picker; phone-sized pages; who sees what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, root } from '../lib/server.mjs';
import { launch, newPage, login, shot, tabTo, unlabelled, navTo } from './lib.mjs';

const scans = join(root, 'tests', 'data', 'scans');
const SYSTEM = 'Cổng thông tin điện tử xã Tam Thanh';
const HOST = 'TAMTHANH-WEB01';
const EVIL = '<img src=x onerror=alert(1)>';
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

async function api(username) {
  const c = new Client(server.url);
  const l = server.login(username);
  const r = await c.login(l.username, l.password);
  assert.equal(r.status, 200);
  return c;
}

const noSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('focal point registers a system; a stale edit keeps what was typed', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.locator('header nav').getByRole('link', { name: 'Hệ thống' }).click();
  await page.locator('h1').filter({ hasText: 'Hệ thống thông tin' }).waitFor();
  await page.getByRole('link', { name: 'Đăng ký hệ thống' }).click();
  await page.locator('#sys-name').waitFor();
  assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');
  await page.locator('#sys-name').fill(SYSTEM);
  await page.locator('#sys-purpose').fill(`Đăng tin, văn bản, thủ tục hành chính của xã. ${EVIL}`);
  await page.locator('#sys-owner').fill('UBND xã Tam Thanh');
  await page.locator('#sys-operator').fill('Văn phòng — Thống kê xã Tam Thanh');
  await page.locator('#sys-contractor').fill('VNPT Bình Thuận');
  await page.locator('#sys-users').fill('3200');
  await page.locator('#sys-info-type').selectOption('personal');
  await page.locator('#sys-function').selectOption('citizen_facing');
  await page.locator('input[name=sys-level][value="2"]').check();
  await page.locator('#sys-approval').fill('Quyết định 12/QĐ-UBND ngày 10/3/2025');
  // A check date already past: it must show in red on the list.
  await page.locator('#sys-next-check').fill('2026-06-30');
  await shot(page, 'system-new');
  await page.getByRole('button', { name: 'Đăng ký', exact: true }).click();
  await page.locator('h1').filter({ hasText: SYSTEM }).waitFor();
  shared.systemId = page.url().split('/').pop();
  await page.getByText('Cấp độ 2 — Nội bộ, có thông tin riêng').waitFor();
  assert.match(await page.locator('.dl').textContent(), /đã quá hạn/);
  assert.equal(await page.locator('main img').count(), 0, 'user text stays text');

  // Someone else edits the same system while this person is typing.
  await page.getByRole('button', { name: 'Sửa hồ sơ hệ thống' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'sys-name');   /* as for the host below */
  await page.locator('#sys-contractor').fill('Công ty TNHH Phần mềm Biển Xanh');
  const other = await api('tamthanh');
  const cur = await other.get(`/api/v1/systems/${shared.systemId}`);
  const r = await other.patch(`/api/v1/systems/${shared.systemId}`, { user_count: 3300 }, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(r.status, 200);
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  const alert = page.locator('.sys-form .alert.error');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Bản ghi vừa được người khác cập nhật/);
  assert.match(await alert.textContent(), /nội dung bạn đã nhập vẫn được giữ nguyên/);
  assert.equal(await page.locator('#sys-contractor').inputValue(), 'Công ty TNHH Phần mềm Biển Xanh');
  await shot(page, 'system-stale-412');
  await alert.getByRole('button', { name: 'Tải lại (giữ nội dung đã nhập)' }).click();
  assert.equal(await page.locator('#sys-contractor').inputValue(), 'Công ty TNHH Phần mềm Biển Xanh');
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.getByText('Đã lưu.').waitFor();
  const dl = await page.locator('.dl').textContent();
  assert.match(dl, /Công ty TNHH Phần mềm Biển Xanh/);
  assert.match(dl, /3\.300/, 'the other person’s change is kept too');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('focal point adds a host to the system', { timeout: 90_000 }, async () => {
  assert.ok(shared.systemId, 'needs the system');
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/systems/${shared.systemId}`);
  await page.getByRole('link', { name: 'Thêm máy vào hệ thống' }).click();
  await page.locator('#host-name').waitFor();
  await page.waitForFunction((id) => document.querySelector('#host-system')?.value === id, shared.systemId);
  assert.deepEqual(await unlabelled(page), []);
  await page.locator('#host-name').fill(HOST);
  await page.locator('#host-addresses').fill('203.0.113.10, 10.10.1.5');
  await page.locator('#host-role').fill('Máy chủ web');
  await page.locator('#host-os').fill('Ubuntu 22.04 LTS');
  await page.getByRole('button', { name: 'Thêm máy', exact: true }).click();
  await page.locator('h1').filter({ hasText: HOST }).waitFor();
  shared.hostId = page.url().split('/').pop();
  await page.locator('.dl').getByRole('link', { name: SYSTEM }).waitFor();
  assert.match(await page.locator('.dl').textContent(), /203\.0\.113\.10, 10\.10\.1\.5/);
  // Edit the host (If-Match): the role changes, nothing else.
  await page.getByRole('button', { name: 'Sửa thông tin máy' }).click();
  // The form puts the cursor in its first field a moment later: wait for it,
  // or typing into another field may land there instead.
  await page.waitForFunction(() => document.activeElement?.id === 'host-name');
  await page.locator('#host-role').fill('Máy chủ web, cổng thông tin');
  assert.deepEqual(await unlabelled(page), []);
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.getByText('Đã lưu.').waitFor();
  assert.match(await page.locator('.dl').textContent(), /Máy chủ web, cổng thông tin/);
  assert.match(await page.locator('.dl').textContent(), /Ubuntu 22\.04 LTS/);

  await page.goto(`${server.url}/#/systems`);
  const row = page.locator('table.systems tbody tr').filter({ hasText: SYSTEM });
  await row.waitFor();
  assert.match(await row.textContent(), /Cấp độ 2/);
  assert.equal(await row.locator('.overdue').count(), 1, 'next check past due in red');
  assert.equal(await row.locator('.overdue').evaluate((e) => getComputedStyle(e).color), 'rgb(179, 38, 30)');
  assert.match(await row.textContent(), /1/);
  await shot(page, 'registry');
  await page.getByRole('link', { name: 'Máy chủ, máy trạm' }).click();
  await page.locator('table.hosts').getByRole('link', { name: HOST }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('coordinator loads an NVD feed on the imports page', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await navTo(page, 'Nạp dữ liệu');
  await page.locator('h1').filter({ hasText: 'Nạp kết quả quét' }).waitFor();
  await page.locator('#im-file').setInputFiles(join(scans, 'nvd-openssh.json'));
  await page.waitForFunction(() => document.querySelector('input[name=kind][value=nvd]')?.checked);
  await page.getByRole('button', { name: 'Tải lên' }).click();
  const res = page.locator('.im-result').first();
  await res.getByText('Đã nạp nvd-openssh.json').waitFor();
  assert.match(await res.textContent(), /Số bản ghi\s*2/);
  await context.close();
});

test('focal point uploads an nmap scan; a broken file names the file and position', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/imports`);
  await page.locator('#im-file').waitFor({ state: 'attached' });
  // A focal point is not offered the feeds.
  assert.equal(await page.locator('input[name=kind][value=nvd]').count(), 0);
  assert.deepEqual(await unlabelled(page), []);
  await page.locator('#im-file').setInputFiles({ name: 'hong.xml', mimeType: 'application/xml', buffer: Buffer.from('<?xml version="1.0"?>\n<nmaprun><host>') });
  await page.waitForFunction(() => document.querySelector('input[name=kind][value=nmap]')?.checked);
  await page.getByRole('button', { name: 'Tải lên' }).click();
  const bad = page.locator('.im-result.failed').first();
  await bad.getByText('Không nạp được hong.xml').waitFor();
  assert.match(await bad.textContent(), /hong\.xml.*(line|dòng) 2/s);

  await page.locator('#im-file').setInputFiles(join(scans, 'nmap_script_vulners.xml'));
  await page.locator('.picked').getByText('nmap_script_vulners.xml').waitFor();
  await page.getByRole('button', { name: 'Tải lên' }).click();
  const ok = page.locator('.im-result').first();
  await ok.getByText('Đã nạp nmap_script_vulners.xml').waitFor();
  assert.match(await ok.textContent(), /Lỗ hổng mới mở\s*2/);

  // The JSON written by packaging/windows/collect.ps1: the kind is recognised from the file.
  await page.locator('#im-file').setInputFiles(join(scans, 'windows-TAMTHANH-KT01.json'));
  await page.waitForFunction(() => document.querySelector('input[name=kind][value=windows-inventory]')?.checked);
  await page.getByRole('button', { name: 'Tải lên' }).click();
  const win = page.locator('.im-result').first();
  await win.getByText('Đã nạp windows-TAMTHANH-KT01.json').waitFor();
  assert.match(await win.textContent(), /TAMTHANH-KT01/);
  assert.match(await win.textContent(), /Phần mềm đã cài\s*10/);
  await shot(page, 'imports');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('coordinator issues a warning to Tam Thanh', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.locator('header nav').getByRole('link', { name: 'Cảnh báo' }).click();
  await page.getByRole('link', { name: 'Phát hành cảnh báo' }).click();
  await page.locator('#w-title').waitFor();
  assert.deepEqual(await unlabelled(page), []);
  await page.locator('#w-title').fill('Lỗ hổng OpenSSH cho phép dò tên người dùng');
  await page.locator('#w-body').fill('Cập nhật OpenSSH lên phiên bản mới nhất của bản phân phối.\nTắt xác thực GSSAPI nếu không dùng.');
  await page.locator('#w-source').fill('Cục A05 — Bộ Công an');
  await page.locator('#w-reference').fill('123/A05-P3');
  await page.locator('#w-cves').fill('CVE-2018-15919,\ncve-2017-15906');
  await page.locator('#w-products').fill('openssh');
  await page.locator('#w-severity').selectOption('high');
  await page.locator('input[name=targets][value=pq-tamthanh]').check();
  await page.locator('input[name=targets][value=pq-longhai]').check();
  await shot(page, 'warning-new');
  await page.getByRole('button', { name: 'Phát hành', exact: true }).click();
  await page.locator('h1').filter({ hasText: 'Lỗ hổng OpenSSH' }).waitFor();
  shared.warningId = page.url().split('/').pop();
  const row = page.locator('table.targets tbody tr').filter({ hasText: 'UBND xã Tam Thanh' });
  await row.waitFor();
  assert.match(await row.textContent(), /192\.168\.0\.1: .*CVE-2018-15919/);
  assert.match(await row.textContent(), /192\.168\.0\.1: .*CVE-2017-15906/);
  assert.match(await page.locator('.dl').textContent(), /CVE-2017-15906/, 'CVEs upper-cased');
  await shot(page, 'warning-issuer');
  await context.close();
});

test('commune acknowledges the warning and reports it fixed', { timeout: 90_000 }, async () => {
  assert.ok(shared.warningId, 'needs the warning');
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/warnings`);
  const row = page.locator('table.warnings tbody tr').filter({ hasText: 'Lỗ hổng OpenSSH' });
  await row.waitFor();
  assert.match(await row.textContent(), /0\/\d đã nhận/);
  await shot(page, 'warnings', false);
  await row.getByRole('link').first().click();
  const mine = page.locator('.mine');
  await mine.waitFor();
  await mine.getByRole('button', { name: 'Xác nhận đã nhận' }).click();
  await mine.getByText('Đã xác nhận nhận cảnh báo.').waitFor();
  await page.locator('#w-note').fill('Đã cập nhật OpenSSH trên máy 192.168.0.1.');
  await mine.getByRole('button', { name: 'Báo cáo đã khắc phục' }).click();
  await mine.getByText('Đã báo cáo khắc phục.').waitFor();
  assert.equal(await mine.getByRole('button', { name: 'Báo cáo đã khắc phục' }).count(), 0);
  const t = await page.locator('table.targets tbody tr').first().textContent();
  assert.match(t, /Đã cập nhật OpenSSH/);
  assert.doesNotMatch(t, /Chưa/);
  await shot(page, 'warning');

  const c = await api('dieuphoi');
  const w = await c.get(`/api/v1/warnings/${shared.warningId}`);
  const tg = w.body.targets.find((x) => x.org.code === 'pq-tamthanh');
  assert.ok(tg.acknowledged_at && tg.fixed_at);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('findings: filters, time left, accept risk and reopen', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.locator('header nav').getByRole('link', { name: 'Lỗ hổng' }).click();
  const rows = page.locator('table.findings tbody tr[data-finding]');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  assert.match(await rows.first().textContent(), /còn \d+ ngày/);
  assert.deepEqual(await unlabelled(page), []);
  await page.locator('#ff-kev').check();
  await page.getByText('Không có lỗ hổng nào khớp bộ lọc.').waitFor();
  await page.locator('#ff-kev').uncheck();
  await rows.first().waitFor();

  const row = page.locator('tr[data-finding="CVE-2017-15906"]');
  await row.getByRole('button', { name: 'Chấp nhận rủi ro CVE-2017-15906' }).click();
  await page.locator('#fa-reason').fill('Máy chỉ mở SSH trong mạng nội bộ; chờ nâng cấp hệ điều hành.');
  await page.locator('#fa-until').fill('2027-03-31');
  assert.deepEqual(await unlabelled(page), []);
  await page.locator('#fa-confirm').click();
  await row.locator('.fs-accepted').waitFor();
  assert.match(await row.textContent(), /đến 31\/03\/2027/);
  await shot(page, 'findings');
  // Reopen by keyboard only: the confirm button takes the focus.
  await page.locator('header a.brand').focus();
  await tabTo(page, 'button[aria-label="Mở lại CVE-2017-15906"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'fa-confirm');
  await page.keyboard.press('Enter');
  await row.locator('.fs-open').waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('host page: findings, services, packages filter', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/hosts`);
  const row = page.locator('table.hosts tbody tr').filter({ hasText: '192.168.0.1' });
  await row.waitFor();
  assert.match(await row.textContent(), /2/);
  await row.getByRole('link', { name: '192.168.0.1' }).first().click();
  await page.locator('h1').filter({ hasText: '192.168.0.1' }).waitFor();
  await page.locator('table.services').getByText(/OpenSSH 7\.4/).waitFor();
  assert.equal(await page.locator('table.findings tbody tr[data-finding]').count(), 2);
  // The host's own findings_list is brief; the table shows the full finding: where it
  // came from, and for an accepted risk until when and why.
  const focal = await api('tamthanh');
  const hostId = page.url().split('/').pop();
  const fl = await focal.get(`/api/v1/findings?host=${hostId}&vuln=CVE-2017-15906`);
  assert.equal(fl.body.items.length, 1);
  const fd = fl.body.items[0];
  const acc = await focal.patch(`/api/v1/findings/${fd.id}`, { status: 'accepted', reason: 'Chỉ mở trong mạng nội bộ', accepted_until: '2027-03-31T16:59:00Z' }, { 'If-Match': `"${fd.version}"` });
  assert.equal(acc.status, 200, acc.text);
  await page.reload();
  const frow = page.locator('tr[data-finding="CVE-2017-15906"]');
  await frow.locator('.fs-accepted').waitFor();
  assert.match(await frow.textContent(), /đối chiếu phiên bản/);
  assert.match(await frow.textContent(), /đến 31\/03\/2027/);
  assert.match(await frow.textContent(), /Chỉ mở trong mạng nội bộ/);
  const back = await focal.patch(`/api/v1/findings/${fd.id}`, { status: 'open' }, { 'If-Match': `"${acc.body.version}"` });
  assert.equal(back.status, 200, back.text);
  assert.deepEqual(await unlabelled(page), []);
  await shot(page, 'host');

  // The Windows PC from the inventory file: programs with a filter box, hotfixes.
  await page.goto(`${server.url}/#/hosts`);
  await page.locator('table.hosts').getByRole('link', { name: 'TAMTHANH-KT01' }).click();
  await page.locator('h1').filter({ hasText: 'TAMTHANH-KT01' }).waitFor();
  const pk = page.locator('table.packages tbody tr');
  assert.equal(await pk.count(), 10);
  await page.locator('#pkg-filter').fill('zip');
  await page.waitForFunction(() => document.querySelectorAll('table.packages tbody tr').length < 10);
  assert.match(await pk.first().textContent(), /zip/i);
  assert.match(await page.locator('#h-hotfixes').textContent(), /5/);
  assert.match(await page.locator('.tags').textContent(), /KB5055518/);
  assert.deepEqual(await unlabelled(page), []);
  await shot(page, 'host-windows');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('compliance per organisation, with the CSV export', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await navTo(page, 'Tuân thủ');
  const row = page.locator('table.compliance tbody tr').filter({ hasText: 'UBND xã Tam Thanh' });
  await row.waitFor();
  const text = await row.textContent();
  assert.match(text, /0\/3/, 'hosts reporting / hosts');
  assert.match(text, /17\/02\/2020/, 'last scan (the sample is from 2020)');
  assert.match(text, /Quá hạn từ/);
  const link = page.getByRole('link', { name: 'Xuất CSV' });
  assert.equal(await link.getAttribute('href'), '/api/v1/compliance?format=csv');
  const csv = await page.request.get(`${server.url}/api/v1/compliance?format=csv`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /text\/csv/);
  assert.match(await csv.text(), /pq-tamthanh,UBND xã Tam Thanh,3,0/);
  await shot(page, 'compliance');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('report form: picking a registered system fills name, level, operator, owner', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/report`);
  await page.locator('#system-pick').waitFor();
  await page.locator('#system-pick').selectOption({ label: `${SYSTEM} — Cấp độ 2` });
  assert.equal(await page.locator('#system-name').inputValue(), SYSTEM);
  assert.equal(await page.locator('#system-level').inputValue(), '2');
  assert.equal(await page.locator('#system-operator').inputValue(), 'Văn phòng — Thống kê xã Tam Thanh');
  assert.equal(await page.locator('#system-owner').inputValue(), 'UBND xã Tam Thanh');
  // Free text is still possible.
  await page.locator('#system-name').fill('Máy tính văn thư');
  assert.equal(await page.locator('#system-pick').inputValue(), '');
  assert.deepEqual(await unlabelled(page), []);
  await page.getByRole('button', { name: 'Xóa mẫu' }).click();
  await context.close();
});

test('report form: an incident reported on a picked registered system links to it', { timeout: 90_000 }, async () => {
  assert.ok(shared.systemId, 'needs the system of the first test');
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/report`);
  await page.locator('#system-pick').waitFor();
  await page.locator('#system-pick').selectOption({ label: `${SYSTEM} — Cấp độ 2` });
  await page.locator('#title').fill('Cổng thông tin xã Tam Thanh không truy cập được');
  await page.locator('#description').fill('Từ 8 giờ sáng cổng thông tin trả lỗi 503, nghi bị tấn công từ chối dịch vụ.');
  await page.locator('input[name=type][value=dos]').check();
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/incidents'));
  await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
  assert.equal((await sent).postDataJSON().system?.system_id, shared.systemId, 'the picked system is sent by id');
  await page.locator('#incident-number').waitFor();
  await page.getByRole('link', { name: 'Xem sự cố' }).click();
  const row = page.locator('section[aria-labelledby=h-system] .dl > div').filter({ hasText: 'Tên hệ thống thông tin' });
  await row.waitFor();
  const link = row.getByRole('link', { name: SYSTEM });
  assert.equal(await link.getAttribute('href'), `#/systems/${shared.systemId}`);
  await link.click();
  await page.locator('h1').filter({ hasText: SYSTEM }).waitFor();

  // A name typed by hand links to nothing, even after a pick.
  await page.goto(`${server.url}/#/report`);
  await page.locator('#system-pick').selectOption({ label: `${SYSTEM} — Cấp độ 2` });
  await page.locator('#system-name').fill('Máy tính văn thư');
  await page.locator('#title').fill('Máy tính văn thư nhiễm mã độc');
  await page.locator('#description').fill('Phần mềm diệt virus báo mã độc trên máy văn thư.');
  await page.locator('input[name=type][value=malware]').check();
  const typed = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/incidents'));
  await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
  assert.equal((await typed).postDataJSON().system?.system_id, undefined, 'a typed name sends no system_id');
  await page.locator('#incident-number').waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('who sees what: a reporter reads, without write actions', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'longhai');
  const nav = page.locator('header nav');
  await nav.locator('details.more > summary').click();   // "Thêm": the less daily pages
  await nav.getByRole('link', { name: 'Tuân thủ' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Nạp dữ liệu' }).count(), 0);
  await nav.getByRole('link', { name: 'Hệ thống' }).click();
  await page.locator('h1').filter({ hasText: 'Hệ thống thông tin' }).waitFor();
  await page.getByText('Chưa có hệ thống nào được đăng ký.').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Đăng ký hệ thống' }).count(), 0);
  await page.goto(`${server.url}/#/warnings`);
  await page.locator('table.warnings').getByText('Lỗ hổng OpenSSH').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Phát hành cảnh báo' }).count(), 0);
  await page.locator('table.warnings a').first().click();
  await page.locator('.mine').getByText(/Đầu mối hoặc cán bộ điều phối/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Xác nhận đã nhận' }).count(), 0);
  await context.close();
});

test('phone-sized screen and English', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await login(page, server, 'tamthanh');
  for (const [route, ready] of [['systems', 'table.systems'], ['hosts', 'table.hosts'], ['findings', 'table.findings'],
    [`warnings/${shared.warningId}`, '.mine'], ['compliance', 'table.compliance'], ['imports', '#im-file'], [`hosts/${shared.hostId}`, '#h-packages']]) {
    await page.goto(`${server.url}/#/${route}`);
    await page.locator(ready).first().waitFor({ state: 'attached' });
    const o = await noSideways(page);
    assert.ok(o <= 1, `#/${route} scrolls sideways by ${o}px on a phone`);
    if (route.startsWith('warnings/')) await shot(page, 'warning-phone', false);
    if (route === 'compliance') await shot(page, 'compliance-phone', false);
  }
  await page.goto(`${server.url}/#/findings`);
  await page.locator('table.findings').waitFor();
  await shot(page, 'findings-phone', false);
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('h1').filter({ hasText: 'Findings' }).waitFor();
  await page.getByText('Known exploited only (KEV)').waitFor();
  await page.getByRole('button', { name: 'Tiếng Việt' }).click();
  await page.locator('h1').filter({ hasText: 'Lỗ hổng' }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('findings list: 250 findings come a page of 50 at a time from the server; "Tải thêm" reaches them all, each once', { timeout: 90_000 }, async () => {
  // An OpenVAS report of one host whose result names 250 CVEs: 250 open findings in Ngũ Phụng.
  const xml = readFileSync(join(scans, 'one_vuln.xml'), 'utf8')
    .replace(/<refs>[\s\S]*?<\/refs>/, `<refs>${Array.from({ length: 250 }, (_, i) => `<ref id="CVE-2023-${20000 + i}" type="cve"/>`).join('')}</refs>`)
    .replaceAll('10.0.101.2', '10.0.77.9');
  const coord = await api('dieuphoi');
  const r = await coord.post('/api/v1/imports/openvas?org=pq-nguphung&name=many.xml', xml, { 'Content-Type': 'application/xml' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.opened, 250);
  const { context, page } = await newPage(browser);
  await login(page, server, 'nguphung');
  await page.goto(`${server.url}/#/findings`);
  const rows = page.locator('table.findings tbody tr[data-finding]');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 50, 'the first page');
  assert.match(await page.locator('p.summary').textContent(), /còn nữa/);
  for (let n = 100; n <= 250; n += 50) {
    await page.getByRole('button', { name: 'Tải thêm' }).click();
    await page.waitForFunction((k) => document.querySelectorAll('table.findings tbody tr[data-finding]').length >= k, n);
  }
  assert.equal(await rows.count(), 250);
  assert.equal(await page.getByRole('button', { name: 'Tải thêm' }).count(), 0, 'no more after the last page');
  assert.doesNotMatch(await page.locator('p.summary').textContent(), /còn nữa/);
  const ids = await rows.evaluateAll((l) => l.map((r) => r.getAttribute('data-finding')));
  assert.equal(new Set(ids).size, 250, 'each finding once');
  // the view is in the URL: a filter survives a reload
  await page.locator('#ff-kev').check();
  await page.waitForFunction(() => location.hash.includes('kev=true'));
  await page.reload();
  await page.locator('#ff-kev').waitFor();
  assert.equal(await page.locator('#ff-kev').isChecked(), true);
  assert.deepEqual(page.errors, []);
  await context.close();
});
