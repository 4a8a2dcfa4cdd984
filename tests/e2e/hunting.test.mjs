// Indicators and hunts through the browser (issue 6): the district
// coordinator adds indicators (TLP badges, AMBER shared with a commune),
// a stale edit says so and keeps what was typed, imports the STIX fixture and
// exports for a recipient; opens a hunt for the commune; the commune's focal
// point uploads a manual sweep's JSON Lines and sees the sighting and the
// incident it filed; the incident shows "seen before" and the indicator match;
// the coordinator sees who ran the hunt, closes it, and the compliance view
// shows the last hunt. Who sees the pages depends on the role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, Client, root } from '../lib/server.mjs';
import { launch, newPage, login, shot, unlabelled, navTo } from './lib.mjs';

const stix = join(root, 'tests', 'data', 'ioc', 'stix');
const TAG = 'e2e-hunt';
const DOMAIN = 'evil-c2.example';
const AMBER_IP = '203.0.113.66';
const HUNT = 'Săn tìm máy chủ điều khiển C2 (e2e)';
const HOST = 'TAMTHANH-KT01';
const SHA = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c';
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

test('nav entries by role: writers and leaders see indicators and hunts, a reporter does not', { timeout: 60_000 }, async () => {
  for (const [user, sees, writes] of [['dieuphoi', true, true], ['tamthanh', true, true], ['lanhdao', true, false], ['longhai', false, false]]) {
    const { context, page } = await newPage(browser);
    await login(page, server, user);
    const nav = page.locator('header nav');
    assert.equal(await nav.getByRole('link', { name: 'Chỉ báo', exact: true }).count(), sees ? 1 : 0, `${user}: Chỉ báo`);
    assert.equal(await nav.getByRole('link', { name: 'Săn tìm', exact: true }).count(), sees ? 1 : 0, `${user}: Săn tìm`);
    if (sees) {
      await nav.getByRole('link', { name: 'Chỉ báo', exact: true }).click();
      await page.locator('h1').filter({ hasText: 'Chỉ báo tấn công (IOC)' }).waitFor();
      assert.equal(await page.locator('main').getByRole('link', { name: 'Thêm chỉ báo' }).count() > 0, writes, `${user}: add button`);
      // The header must not wrap into a mess at 1366 px: one row of navigation.
      const h = await page.locator('header.top').evaluate((el) => el.getBoundingClientRect().height);
      assert.ok(h < 110, `${user}: header ${h}px tall at 1366 px`);
    }
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('coordinator adds indicators (TLP badges, AMBER shared with a commune) and finds them in the list', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.locator('header nav').getByRole('link', { name: 'Chỉ báo', exact: true }).click();
  await page.locator('.page-head').getByRole('link', { name: 'Thêm chỉ báo' }).click();
  await page.locator('#ioc-value').waitFor();
  assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');
  assert.equal(await page.locator('#ioc-tlp').inputValue(), 'AMBER', 'AMBER by default');
  // A defanged domain as it arrives in a warning letter; GREEN so every commune may hunt for it.
  await page.locator('#ioc-value').fill('evil-c2[.]example');
  await page.locator('#ioc-tlp').selectOption('GREEN');
  assert.equal(await page.locator('.share-with').count(), 0, 'naming organisations is for AMBER only');
  await page.locator('#ioc-name').fill('Máy chủ điều khiển C2 của chiến dịch thử');
  await page.locator('#ioc-source').fill('Cảnh báo của tỉnh số 12/CB-STTTT');
  await page.locator('#ioc-tags').fill(`${TAG}, c2`);
  await page.getByRole('button', { name: 'Lưu chỉ báo' }).click();
  await page.locator('h1').filter({ hasText: 'Máy chủ điều khiển C2 của chiến dịch thử' }).waitFor();
  shared.domainId = page.url().split('/').pop();
  assert.match(await page.locator('pre.ioc-value').textContent(), new RegExp(DOMAIN.replace('.', '\\.')), 'the value is refanged');
  await page.locator('.badges .tlp-green').waitFor();

  // AMBER, shared with the commune that will run the hunt.
  await page.locator('.crumbs').getByRole('link', { name: 'Chỉ báo tấn công (IOC)' }).click();
  await page.locator('.page-head').getByRole('link', { name: 'Thêm chỉ báo' }).click();
  await page.locator('#ioc-value').fill(AMBER_IP);
  await page.locator('.share-with').waitFor();
  await page.locator('.share-with input[value="pq-tamthanh"]').check();
  await page.locator('#ioc-name').fill('Địa chỉ IP dò quét');
  await page.locator('#ioc-tags').fill(TAG);
  await shot(page, 'ioc-new');
  await page.getByRole('button', { name: 'Lưu chỉ báo' }).click();
  await page.locator('h1').filter({ hasText: 'Địa chỉ IP dò quét' }).waitFor();
  shared.ipId = page.url().split('/').pop();
  await page.locator('.badges .tlp-amber').waitFor();
  // share_with answers [{"code"}]: the page names the organisation, not its code.
  const shareRow = page.locator('.dl > div').filter({ hasText: 'Chia sẻ (AMBER) với đơn vị' }).locator('dd');
  assert.equal((await shareRow.textContent()).trim(), 'UBND xã Tam Thanh');

  // The list: filter by tag, then by TLP; each label in its TLP 2.0 colour.
  await page.locator('.crumbs').getByRole('link', { name: 'Chỉ báo tấn công (IOC)' }).click();
  await page.locator('#if-tag').fill(TAG);
  await page.locator('#if-tag').press('Enter');
  await page.locator('table.indicators tbody tr').nth(1).waitFor();
  assert.equal(await page.locator('table.indicators tbody tr').count(), 2);
  const row = page.locator('table.indicators tbody tr').filter({ hasText: DOMAIN });
  const colour = await row.locator('.tlp').evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]);
  assert.deepEqual(colour, ['rgb(51, 255, 0)', 'rgb(0, 0, 0)'], 'TLP:GREEN is #33FF00 on black');
  const amber = await page.locator('table.indicators tbody tr').filter({ hasText: AMBER_IP }).locator('.tlp').evaluate((el) => getComputedStyle(el).color);
  assert.equal(amber, 'rgb(255, 192, 0)', 'TLP:AMBER is #FFC000');
  await page.locator('#if-tlp').selectOption('GREEN');
  await page.waitForFunction(() => document.querySelectorAll('table.indicators tbody tr').length === 1);
  assert.match(await page.locator('table.indicators tbody').textContent(), /evil-c2\.example/);
  assert.ok(await noSideways(page) <= 0, 'no sideways scrolling at 1366 px');
  await shot(page, 'ioc-list');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a stale indicator edit says someone else changed it and keeps what was typed; delete', { timeout: 120_000 }, async () => {
  assert.ok(shared.ipId, 'needs the indicator of the previous test');
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/indicators/${shared.ipId}`);
  await page.getByRole('button', { name: 'Sửa chỉ báo' }).click();
  await page.locator('#ioc-name').fill('Địa chỉ IP dò quét cổng 3389');
  const other = await api('dieuphoi');
  const cur = await other.get(`/api/v1/indicators/${shared.ipId}`);
  const r = await other.patch(`/api/v1/indicators/${shared.ipId}`, { description: 'Quét RDP hàng loạt' }, { 'If-Match': `"${cur.body.version}"` });
  assert.equal(r.status, 200);
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  const alert = page.locator('.ioc-form .alert.error');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Bản ghi vừa được người khác cập nhật/);
  assert.equal(await page.locator('#ioc-name').inputValue(), 'Địa chỉ IP dò quét cổng 3389');
  await shot(page, 'ioc-stale-412');
  await alert.getByRole('button', { name: 'Tải lại (giữ nội dung đã nhập)' }).click();
  await page.waitForFunction(() => !document.querySelector('.ioc-form .alert.error'));
  assert.equal(await page.locator('#ioc-name').inputValue(), 'Địa chỉ IP dò quét cổng 3389', 'typed text kept');
  assert.equal(await page.locator('#ioc-description').inputValue(), 'Quét RDP hàng loạt', 'the other edit is not undone');
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.locator('h1').filter({ hasText: 'Địa chỉ IP dò quét cổng 3389' }).waitFor();
  await page.getByText('Đã lưu.').waitFor();

  // Delete (an inline confirmation, no browser dialog).
  const c = await api('dieuphoi');
  const tmp = await c.post('/api/v1/indicators', { value: 'xoa-thu.example', tlp: 'GREEN' });
  assert.ok(tmp.status === 201 || tmp.status === 200, `create: ${tmp.status} ${tmp.text}`);
  await page.goto(`${server.url}/#/indicators/${tmp.body.id}`);
  await page.getByRole('button', { name: 'Xóa', exact: true }).click();
  await page.getByRole('button', { name: 'Xóa chỉ báo' }).click();
  await page.getByText('Đã xóa chỉ báo.').waitFor();
  assert.equal((await c.get(`/api/v1/indicators/${tmp.body.id}`)).status, 404);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('import the STIX fixture through the UI; kept patterns are listed; a broken file names itself; export for a recipient', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/indicators/exchange`);
  await page.locator('#ioc-im-file').waitFor({ state: 'attached' });
  assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');
  await page.locator('#ioc-im-file').setInputFiles(join(stix, 'indicators-for-C2-with-COA.json'));
  // The format is told from the content.
  await page.waitForFunction(() => document.querySelector('input[name=ioc-format][value=stix]')?.checked);
  await page.locator('#ioc-im-tlp').selectOption('GREEN');
  await page.getByRole('button', { name: 'Nạp tệp' }).click();
  const ok = page.locator('.im-result').first();
  await ok.locator('h2').filter({ hasText: 'Đã nạp indicators-for-C2-with-COA.json' }).waitFor();
  const created = Number((await ok.locator('.dl > div').filter({ hasText: 'Bản ghi mới' }).locator('dd').textContent()).replace(/\D/g, ''));
  assert.ok(created >= 2, `created ${created}`);

  // The record of the hash names the STIX object it came as, with its producer.
  const hashRow = (await (await api('dieuphoi')).get('/api/v1/indicators?q=ef537f25c895bfa7&limit=5')).body.items[0];
  await page.goto(`${server.url}/#/indicators/${hashRow.id}`);
  const so = page.locator('section[aria-labelledby="h-stix-objects"]');
  await so.getByText('indicator--a932fcc6-e032-476c-826f-cb970a5a1ade').waitFor();
  assert.match(await so.textContent(), /The MITRE Corporation - DHS Support Team/);
  await shot(page, 'ioc-stix-objects');
  assert.match(await so.textContent(), /Đối tượng STIX gốc/);
  assert.match(await so.textContent(), /tạo 2017-01-27T13:49:53\.997Z/, 'the time as it came');
  await page.goto(`${server.url}/#/indicators/exchange`);
  await page.locator('#ioc-im-file').waitFor({ state: 'attached' });

  // Patterns that are not indicators are kept as text and reported, not dropped.
  await page.locator('#ioc-im-file').setInputFiles(join(stix, 'malicious-email-indicator-with-attachment.json'));
  await page.getByRole('button', { name: 'Nạp tệp' }).click();
  const kept = page.locator('.im-result').first();
  await kept.locator('h2').filter({ hasText: 'malicious-email-indicator-with-attachment.json' }).waitFor();
  assert.ok(await kept.locator('ul.kept li').count() >= 1, 'kept patterns listed with their reason');
  await shot(page, 'ioc-import');

  // A MISP event: what was kept besides the indicators is said (objects,
  // context attributes that are exported again but never matched).
  await page.locator('#ioc-im-file').setInputFiles(join(root, 'tests', 'data', 'ioc', 'misp', 'to_delete3.json'));
  await page.waitForFunction(() => document.querySelector('input[name=ioc-format][value=misp]')?.checked);
  await page.getByRole('button', { name: 'Nạp tệp' }).click();
  const misp = page.locator('.im-result').first();
  await misp.locator('h2').filter({ hasText: 'to_delete3.json' }).waitFor();
  const row = async (label) => (await misp.locator('.dl > div').filter({ hasText: label }).locator('dd').textContent()).trim();
  assert.equal(await row('Sự kiện MISP lưu nguyên'), '1');
  assert.equal(await row('Đối tượng MISP'), '24');
  assert.equal(await row('Thuộc tính chỉ làm ngữ cảnh'), '34');
  await shot(page, 'ioc-import-misp');

  // A truncated bundle: the error names the file; nothing is stored.
  const before = (await (await api('dieuphoi')).get('/api/v1/indicators?limit=200')).body.items.length;
  await page.locator('#ioc-im-file').setInputFiles({ name: 'hong.json', mimeType: 'application/json', buffer: Buffer.from('{"type":"bundle","objects":[{"type":"indicator","pattern":"[ipv4-addr:value = \'198.51.100.9\']"') });
  await page.locator('input[name=ioc-format][value=stix]').check();
  await page.getByRole('button', { name: 'Nạp tệp' }).click();
  const bad = page.locator('.im-result.failed').first();
  await bad.waitFor();
  assert.match(await bad.textContent(), /Không nạp được hong\.json/);
  assert.match(await bad.locator('.alert.error').textContent(), /hong\.json/, 'the server names the file');
  const afterN = (await (await api('dieuphoi')).get('/api/v1/indicators?limit=200')).body.items.length;
  assert.equal(afterN, before, 'a broken file changes nothing');

  // The list finds the imported hash.
  await page.goto(`${server.url}/#/indicators`);
  await page.locator('#if-q').fill(SHA.slice(0, 12));
  await page.locator('table.indicators tbody tr').filter({ hasText: SHA.slice(0, 12) }).waitFor();

  // Export for the commune: counts from X-Exported / X-Withheld, and a
  // record for context only (to_ids false), which STIX leaves out, said
  // apart (X-Withheld-Context).
  const ctx = await (await api('dieuphoi')).post('/api/v1/indicators', { value: 'ngu-canh.example', tlp: 'GREEN', to_ids: false });
  assert.equal(ctx.status, 201, ctx.text);
  await page.goto(`${server.url}/#/indicators/exchange`);
  await page.locator('#ioc-ex-to').selectOption('pq-tamthanh');
  await page.locator('#ioc-ex-format').selectOption('stix');
  await page.getByRole('button', { name: 'Xuất tệp' }).click();
  const res = page.locator('.export-result');
  await res.waitFor();
  assert.match(await res.textContent(), /Đã xuất \d+ chỉ báo/);
  assert.match(await res.textContent(), /giữ lại \d+ theo TLP/);
  assert.match(await res.textContent(), /giữ lại 1 chỉ báo chỉ làm ngữ cảnh/);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a STIX import says how many older versions of the same object it left out', { timeout: 90_000 }, async () => {
  // One indicator twice, as a feed that resends an updated object in the same
  // bundle: the newer version is stored, the older one is counted as superseded.
  const id = 'indicator--6f0a4e52-3c1d-4b7e-9a51-0d2c8e1f7a31';
  const version = (modified, domain) => ({
    type: 'indicator', spec_version: '2.1', id, created: '2026-01-05T00:00:00.000Z', modified,
    name: 'C2 theo phiên bản', pattern: `[domain-name:value = '${domain}']`, pattern_type: 'stix', valid_from: '2026-01-05T00:00:00.000Z',
  });
  const bundle = {
    type: 'bundle', id: 'bundle--0b8f5c1e-7d2a-4e3b-8c9d-1a2b3c4d5e6f',
    objects: [version('2026-01-05T00:00:00.000Z', 'ban-cu.example'), version('2026-02-10T00:00:00.000Z', 'ban-moi.example')],
  };
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/indicators/exchange`);
  await page.locator('#ioc-im-file').setInputFiles({ name: 'hai-phien-ban.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
  await page.waitForFunction(() => document.querySelector('input[name=ioc-format][value=stix]')?.checked);
  await page.getByRole('button', { name: 'Nạp tệp' }).click();
  const ok = page.locator('.im-result').first();
  await ok.locator('h2').filter({ hasText: 'Đã nạp hai-phien-ban.json' }).waitFor();
  const dd = (label) => ok.locator('.dl > div').filter({ hasText: label }).locator('dd').textContent();
  assert.equal((await dd('Số bản ghi')).trim(), '1');
  assert.equal((await dd('Phiên bản cũ bỏ qua (cùng mã STIX, đã có bản mới hơn)')).trim(), '1');
  const stored = (await (await api('dieuphoi')).get('/api/v1/indicators?q=ban-moi.example')).body.items;
  assert.equal(stored.length, 1, 'the newer version is the one stored');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('hunt: coordinator opens it, the commune uploads a sweep result, sees the sighting and the filed incident', { timeout: 180_000 }, async () => {
  assert.ok(shared.domainId, 'needs the indicators of the earlier test');
  const focal = await api('tamthanh');
  const host = await focal.post('/api/v1/hosts', { hostname: HOST, org_code: 'pq-tamthanh', addresses: ['10.20.1.15'] });
  assert.ok(host.status === 201 || host.status === 409, `host: ${host.status} ${host.text}`);

  // The coordinator opens the hunt for Tam Thanh with the tag.
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.locator('header nav').getByRole('link', { name: 'Săn tìm', exact: true }).click();
  await page.locator('h1').filter({ hasText: 'Săn tìm mối nguy' }).waitFor();
  await page.locator('main').getByRole('link', { name: 'Mở đợt săn tìm' }).click();
  await page.locator('#h-title').waitFor();
  assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');
  await page.locator('#h-title').fill(HUNT);
  await page.locator('#h-description').fill('Quét máy trạm và nhật ký web theo cảnh báo của tỉnh.');
  await page.locator('#h-tags').fill(TAG);
  await page.locator('input[name=targets][value="pq-tamthanh"]').check();
  await shot(page, 'hunt-new');
  await page.getByRole('button', { name: 'Mở đợt săn tìm' }).click();
  await page.locator('h1').filter({ hasText: HUNT }).waitFor();
  shared.huntId = page.url().split('/').pop();
  // GREEN goes to any organisation, the AMBER one names Tam Thanh: both go.
  await page.locator('.actionbar').getByText('2 chỉ báo').waitFor();
  assert.equal(await page.locator('main .alert.info').count(), 0, 'nothing withheld, nothing said');
  const rulesHref = await page.getByRole('link', { name: 'Tải bộ luật (cho quét thủ công)' }).getAttribute('href');
  assert.equal(rulesHref, `/api/v1/hunts/${shared.huntId}/rules`);
  const rules = await page.evaluate(async (h) => (await fetch(h)).text(), rulesHref);
  assert.match(rules, /evil-c2\.example/);
  assert.match(rules, /203\.0\.113\.66/);
  await context.close();

  // The commune's focal point uploads a manual sweep's --json output.
  const t = await newPage(browser);
  await login(t.page, server, 'tamthanh');
  await t.page.locator('header nav').getByRole('link', { name: 'Săn tìm', exact: true }).click();
  await t.page.locator('table.hunts').getByRole('link', { name: HUNT }).click();
  await t.page.locator('#hu-host').waitFor();
  assert.equal(await t.page.locator('#hu-org').inputValue(), 'pq-tamthanh');
  await t.page.locator('#hu-host').fill(HOST);
  const jsonl = [
    { path: 'C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex261120.log', kind: 'domain', indicator: DOMAIN, line: 4812 },
    { path: 'C:\\Users\\ketoan\\Downloads\\hoadon.exe', kind: 'hash', indicator: '0'.repeat(64) },
  ].map((x) => JSON.stringify(x)).join('\n') + '\n';
  await t.page.locator('#hu-file').setInputFiles({ name: 'ketqua.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(jsonl) });
  // Read before sending: two hits in the file.
  await t.page.locator('.hunt-upload .hint').filter({ hasText: 'ketqua.jsonl' }).filter({ hasText: '2 phát hiện' }).waitFor();
  await t.page.getByRole('button', { name: 'Gửi kết quả' }).click();
  const answer = t.page.locator('#hunt-upload-result');
  await answer.waitFor();
  const dd = (label) => answer.locator('.dl > div').filter({ hasText: label }).locator('dd').textContent();
  assert.equal((await dd('Lần phát hiện được ghi nhận')).trim(), '1');
  assert.equal((await dd('Phát hiện không thuộc bộ chỉ báo')).trim(), '1', 'the unknown hash is counted, not stored');
  const incLink = answer.getByRole('link', { name: /^PQ-\d{4}-\d{4}$/ });
  const number = (await incLink.textContent()).trim();
  await shot(t.page, 'hunt-upload');
  // The sighting on the hunt page.
  const sight = t.page.locator('table.sightings tbody tr').filter({ hasText: DOMAIN });
  await sight.waitFor();
  assert.match(await sight.textContent(), new RegExp(number));
  assert.match(await sight.textContent(), /u_ex261120\.log:4812/);

  // The filed incident: its observable matches the indicator (TLP badge).
  await incLink.click();
  await t.page.locator('h1').filter({ hasText: `Phát hiện IOC khi săn tìm: ${HUNT}` }).waitFor();
  const obs = t.page.locator('ul.observables li').filter({ hasText: DOMAIN });
  await obs.waitFor();
  await obs.locator('.ioc-matches .tlp-green').waitFor();
  // The timeline names the hunt's hits (kind `hunt_hits`: data hunt, hostname, hits), with a link to the hunt.
  const huntEvent = t.page.locator('ol.timeline li.tl-hunt_hits');
  await huntEvent.waitFor();
  assert.equal((await huntEvent.locator('.kind').textContent()).trim(), 'Săn tìm phát hiện');
  assert.equal((await huntEvent.locator('.what').textContent()).trim(), `1 phát hiện trên máy ${HOST}`);
  assert.equal(await huntEvent.getByRole('link', { name: 'Xem đợt săn tìm' }).getAttribute('href'), `#/hunts/${shared.huntId}`);
  shared.filed = { number, id: t.page.url().split('/').pop() };
  await shot(t.page, 'hunt-filed-incident');
  assert.deepEqual(t.page.errors, []);
  await t.context.close();

  // The coordinator sees who ran it and what it found, then closes it.
  const c = await newPage(browser);
  await login(c.page, server, 'dieuphoi');
  await c.page.goto(`${server.url}/#/hunts/${shared.huntId}`);
  const target = c.page.locator('table.hunt-targets tbody tr').filter({ hasText: 'Tam Thanh' });
  await target.waitFor();
  assert.match(await target.locator('td').nth(1).textContent(), /Có/);
  assert.equal((await target.locator('td').nth(5).textContent()).trim(), '1');
  await c.page.locator('table.hunt-runs tbody tr').filter({ hasText: HOST }).waitFor();
  assert.ok(await noSideways(c.page) <= 0, 'no sideways scrolling at 1366 px');
  await shot(c.page, 'hunt-issuer');
  await c.page.getByRole('button', { name: 'Đóng đợt săn tìm' }).click();
  await c.page.getByRole('button', { name: 'Đóng', exact: true }).click();
  await c.page.locator('.badges .hunt-closed').waitFor();
  // The list counts the target that ran it and the hit it found.
  await c.page.locator('header nav').getByRole('link', { name: 'Săn tìm', exact: true }).click();
  const listed = c.page.locator('table.hunts tbody tr').filter({ hasText: HUNT });
  await listed.waitFor();
  assert.equal((await listed.locator('td').nth(3).textContent()).trim(), '1/1');
  assert.equal((await listed.locator('td').nth(4).textContent()).trim(), '1');

  // The compliance view: Tam Thanh hunted today.
  await navTo(c.page, 'Tuân thủ');
  const row = c.page.locator('table.compliance tbody tr').filter({ hasText: 'UBND xã Tam Thanh' });
  await row.waitFor();
  const today = await c.page.evaluate(() => { const d = new Date(Date.now() + 7 * 3600e3); return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`; });
  assert.match(await row.locator('td[data-label="Lần săn tìm gần nhất"]').textContent(), new RegExp(today.replace(/\//g, '\\/')));
  assert.doesNotMatch(await row.locator('td[data-label="Săn tìm định kỳ 6 tháng"]').textContent(), /Quá hạn|Chưa săn tìm/);
  await shot(c.page, 'compliance-hunts');
  assert.deepEqual(c.page.errors, []);
  await c.context.close();
});

test('opening a hunt says how many chosen indicators TLP kept from the targets', { timeout: 120_000 }, async () => {
  // Two indicators with one tag: GREEN goes to any organisation of the tree,
  // AMBER+STRICT only to the district that owns it, not to a commune.
  const tag = 'e2e-tlp-withheld';
  const c = await api('dieuphoi');
  for (const [value, tlp] of [['green-ok.example', 'GREEN'], ['strict-only.example', 'AMBER+STRICT']]) {
    const r = await c.post('/api/v1/indicators', { value, tlp, tags: [tag] });
    assert.ok(r.status === 201 || r.status === 200, `indicator ${value}: ${r.status} ${r.text}`);
  }
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/hunts/new`);
  await page.locator('#h-title').fill('Săn tìm có chỉ báo bị giữ lại (e2e)');
  await page.locator('#h-tags').fill(tag);
  await page.locator('input[name=targets][value="pq-tamthanh"]').check();
  await page.getByRole('button', { name: 'Mở đợt săn tìm' }).click();
  await page.locator('h1').filter({ hasText: 'Săn tìm có chỉ báo bị giữ lại (e2e)' }).waitFor();
  await page.locator('.actionbar').getByText('1 chỉ báo').waitFor();
  const notice = page.locator('main .alert.info[role=status]');
  await notice.waitFor();
  assert.equal((await notice.textContent()).trim(),
    '1 chỉ báo không được đưa vào đợt săn tìm vì nhãn TLP không cho phép chia sẻ tới mọi đơn vị được chọn.');
  await shot(page, 'hunt-withheld');
  // Shown once: opening the hunt again does not repeat it.
  await page.reload();
  await page.locator('.actionbar').getByText('1 chỉ báo').waitFor();
  assert.equal(await page.locator('main .alert.info').count(), 0, 'the notice is shown once');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('an observable added to another incident shows "seen before in" and the indicator match', { timeout: 120_000 }, async () => {
  assert.ok(shared.filed, 'needs the incident filed by the hunt');
  const c = await api('dieuphoi');
  const inc = await c.post('/api/v1/incidents', {
    org_code: 'pq-tamthanh', title: 'Máy văn thư truy cập tên miền lạ', description: 'Tường lửa ghi nhận truy vấn DNS bất thường.',
    detected_at: new Date().toISOString(), type: 'malware',
  });
  assert.equal(inc.status, 201, inc.text);
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/incidents/${inc.body.id}`);
  await page.locator('#h-observables').waitFor();
  await page.locator('#h-observables').locator('xpath=..').getByText('Thêm dấu hiệu').click();
  await page.locator('#obs-kind').selectOption('domain');
  await page.locator('#obs-value').fill(DOMAIN);
  await page.locator('#obs-value').locator('xpath=ancestor::form').getByRole('button', { name: 'Thêm' }).click();
  const li = page.locator('ul.observables li').filter({ hasText: DOMAIN });
  await li.locator('.seen-before').waitFor();
  assert.match(await li.locator('.seen-before').textContent(), new RegExp(`Đã thấy trong.*${shared.filed.number}`));
  assert.equal(await li.locator('.seen-before a').getAttribute('href'), `#/incidents/${shared.filed.id}`);
  await li.locator('.ioc-matches .tlp-green').waitFor();
  await shot(page, 'incident-seen-before');

  // An observable the store does not know yet goes to it from the incident (incident_ids).
  await page.locator('#obs-kind').selectOption('url');
  await page.locator('#obs-value').fill('http://lure-bank.example/dang-nhap');
  await page.locator('#obs-value').locator('xpath=ancestor::form').getByRole('button', { name: 'Thêm' }).click();
  const fresh = page.locator('ul.observables li').filter({ hasText: 'lure-bank.example' });
  await fresh.getByRole('link', { name: 'Thêm vào kho chỉ báo' }).click();
  await page.locator('#ioc-value').waitFor();
  assert.equal(await page.locator('#ioc-value').inputValue(), 'http://lure-bank.example/dang-nhap');
  assert.match(await page.locator('.from-incident').textContent(), new RegExp(inc.body.number));
  await page.locator('#ioc-tlp').selectOption('GREEN');
  await page.getByRole('button', { name: 'Lưu chỉ báo' }).click();
  await page.locator('section[aria-labelledby="h-incidents"]').getByRole('link', { name: new RegExp(inc.body.number) }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});
