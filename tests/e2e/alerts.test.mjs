// Syslog alerts in the browser (issue 17 item 6, h/syslog): lines sent with
// bsdutils' `logger` over UDP and TCP become alerts on #/alerts; the district
// coordinator promotes one to an incident in one click and lands on an
// incident of the sender's organisation with the observable attached;
// another is dismissed with a reason; a commune's focal point sees its own
// alerts without the buttons; phone-sized page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, freePort } from '../lib/server.mjs';
import { syslogConfig, logger, until } from '../lib/syslog.mjs';
import { launch, newPage, login, shot } from './lib.mjs';

const IP = '203.0.113.99';
const DOMAIN = 'botnet-e2e.example';
let server, browser, port, coord;

before(async () => {
  port = await freePort();
  server = await startServer({ args: ['--config', syslogConfig(port, { sources: [['127.0.0.1', 'pq-tamthanh']] })] });
  browser = await launch();
  coord = new Client(server.url);
  const l = server.login('dieuphoi');
  assert.equal((await coord.login(l.username, l.password)).status, 200);
  const loaded = (await coord.get('/api/v1/syslog/status')).body.indicators;
  for (const value of [IP, DOMAIN]) assert.equal((await coord.post('/api/v1/indicators', { value, tlp: 'GREEN' })).status, 201);
  await until(async () => (await coord.get('/api/v1/syslog/status')).body.indicators >= loaded + 2, 'the indicators to load');
  logger(port, `sshd[811]: Accepted password for admin from ${IP} port 50022 ssh2`);
  logger(port, `sshd[812]: Accepted password for admin from ${IP} port 50023 ssh2`, { tcp: true });
  logger(port, `named: client 10.0.0.8 query: update.${DOMAIN} IN A`, { tcp: true });
  await until(async () => (await coord.get('/api/v1/alerts')).body.items.length >= 2, 'two alerts');
}, { timeout: 90_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

test('the coordinator promotes an alert to an incident in one click; another is dismissed', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.locator('header nav').getByRole('link', { name: 'Phát hiện' }).click();
  await page.locator('h1').filter({ hasText: 'Phát hiện từ nhật ký hệ thống' }).waitFor();
  const ipRow = page.locator('.alert-item').filter({ hasText: IP });
  await ipRow.waitFor();
  assert.match(await ipRow.textContent(), /×2/);
  assert.match(await page.locator('#syslog-status').textContent(), /Đang nhận syslog/);
  await shot(page, 'alerts-open');
  await ipRow.locator('select').selectOption('intrusion');
  await ipRow.locator('button.promote').click();
  await page.locator('p.ok').filter({ hasText: 'Đã tạo sự cố' }).waitFor();
  // the alert left the open list; the promoted tab links the incident
  await page.locator('.alert-item').filter({ hasText: IP }).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: 'Đã thành sự cố' }).click();
  const done = page.locator('.alert-item').filter({ hasText: IP });
  await done.waitFor();
  await done.locator('a[href^="#/incidents/"]').click();
  await page.locator('h1').filter({ hasText: `Syslog: ${IP}` }).waitFor();
  assert.ok((await page.locator('main').textContent()).includes(IP), 'the observable is on the incident');
  await shot(page, 'alerts-promoted-incident');
  // dismiss the other with a reason
  await page.goto(`${server.url}/#/alerts`);
  const dRow = page.locator('.alert-item').filter({ hasText: DOMAIN });
  await dRow.waitFor();
  await dRow.locator('button.dismiss').click();
  await dRow.locator('input').fill('Máy chủ cập nhật nội bộ, không phải tấn công');
  await dRow.getByRole('button', { name: 'Xác nhận bỏ qua' }).click();
  await page.locator('p.ok').filter({ hasText: 'Đã bỏ qua cảnh báo' }).waitFor();
  await page.locator('p.empty').waitFor();
  const api = (await coord.get('/api/v1/alerts?status=all')).body.items;
  assert.equal(api.find((a) => a.match === IP).status, 'promoted');
  assert.equal(api.find((a) => a.match === DOMAIN).status, 'dismissed');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a commune focal point sees its own alerts without the decision buttons; phone size', { timeout: 120_000 }, async () => {
  logger(port, `kernel: DROP SRC=${IP} DST=10.0.0.1`);
  await until(async () => (await coord.get('/api/v1/alerts')).body.items.some((a) => a.match === IP), 'a new alert');
  const { context, page } = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/alerts`);
  const row = page.locator('.alert-item').filter({ hasText: IP });
  await row.waitFor();
  assert.equal(await row.locator('button.promote').count(), 0);
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(sideways <= 0, `no sideways scrolling (${sideways}px)`);
  await shot(page, 'alerts-phone');
  assert.deepEqual(page.errors, []);
  await context.close();
});
