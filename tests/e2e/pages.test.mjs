// Every page of the web UI at both sizes the issue names (1366x768 and
// 390x844), as the district coordinator sees it, with records on each: one
// screenshot a page and size in tests/e2e/screenshots/pages/<size>/, to look
// at before a change is called done (issue 12, "screenshots of every
// page"). Each page must render its heading without an error; the list
// pages paged by the server (systems, hosts, findings, warnings, hunts) must
// not scroll sideways on a phone, and keep their filters in the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client } from '../lib/server.mjs';
import { launch, newPage, login, shotsDir } from './lib.mjs';

const SIZES = [{ width: 1366, height: 768 }, { width: 390, height: 844 }];
const LISTS = ['systems', 'hosts', 'findings', 'warnings', 'hunts'];
let server, browser;
const ids = {};

before(async () => {
  server = await startServer();
  browser = await launch();
  const c = new Client(server.url);
  const l = server.login('dieuphoi');
  assert.equal((await c.login(l.username, l.password)).status, 200);
  const ok = async (r) => { assert.ok(r.status === 200 || r.status === 201, r.text); return r.body; };
  const days = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
  ids.incident = (await ok(await c.get('/api/v1/incidents?limit=1'))).items[0].id;
  ids.system = (await ok(await c.post('/api/v1/systems', { name: 'Cổng dịch vụ công huyện Phú Quý', level: 3, org_code: 'pq' }))).id;
  ids.host = (await ok(await c.post('/api/v1/hosts', { hostname: 'PQ-DVC-WEB01', system_id: ids.system, org_code: 'pq', addresses: ['203.0.113.80'] }))).id;
  ids.warning = (await ok(await c.post('/api/v1/warnings', { title: 'Cảnh báo lỗ hổng máy chủ web', severity: 'high',
    deadline: days(3), target_org_codes: ['pq-tamthanh'], cves: ['CVE-2024-3400'] }))).id;
  ids.indicator = (await ok(await c.post('/api/v1/indicators', { kind: 'domain', value: 'pages-test.example', tlp: 'GREEN', tags: ['pages'] }))).id;
  ids.hunt = (await ok(await c.post('/api/v1/hunts', { title: 'Săn tìm tên miền độc hại', deadline: days(5),
    target_org_codes: ['pq-tamthanh'], tags: ['pages'] }))).id;
  // the plan (issue 15): the demo's approved plan, its drill and Mẫu 05
  ids.plan = (await ok(await c.get('/api/v1/plans?limit=50'))).items[0].id;
  ids.drill = (await ok(await c.get('/api/v1/plan/drills'))).items[0].id;
  ids.mau05 = (await ok(await c.get('/api/v1/plan/mau05'))).items[0].id;
}, { timeout: 90_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

const PAGES = () => [
  ['queue', '#/queue'], ['incident', `#/incidents/${ids.incident}`], ['print-03', `#/incidents/${ids.incident}/print/03`],
  ['print-04', `#/incidents/${ids.incident}/print/04`], ['report', '#/report'], ['reported', `#/reported/${ids.incident}`],
  ['inbox', '#/inbox'], ['dashboard', '#/dashboard'], ['directory', '#/directory'],
  ['account', '#/account'], ['systems', '#/systems'], ['system', `#/systems/${ids.system}`], ['system-new', '#/systems/new'],
  ['hosts', '#/hosts'], ['host', `#/hosts/${ids.host}`], ['host-new', '#/hosts/new'], ['findings', '#/findings'],
  ['warnings', '#/warnings'], ['warning', `#/warnings/${ids.warning}`], ['warning-new', '#/warnings/new'],
  ['compliance', '#/compliance'], ['imports', '#/imports'], ['indicators', '#/indicators'],
  ['indicator', `#/indicators/${ids.indicator}`], ['indicator-new', '#/indicators/new'],
  ['indicator-exchange', '#/indicators/exchange'], ['hunts', '#/hunts'], ['hunt', `#/hunts/${ids.hunt}`], ['hunt-new', '#/hunts/new'],
  ['plan', '#/plan'], ['plan-plan', `#/plan/plans/${ids.plan}`], ['plan-outline', '#/plan/outline'],
  ['plan-risks', '#/plan/risks'], ['plan-resources', '#/plan/resources'], ['plan-budget', '#/plan/budget'],
  ['plan-drill', `#/plan/drills/${ids.drill}`], ['plan-mau05', `#/plan/mau05/${ids.mau05}`], ['plan-annual', '#/plan/annual'],
];

for (const size of SIZES) {
  test(`every page at ${size.width}x${size.height}: rendered, screenshot written`, { timeout: 300_000 }, async () => {
    const dir = join(shotsDir, 'pages', `${size.width}x${size.height}`);
    mkdirSync(dir, { recursive: true });
    const { context, page } = await newPage(browser, { viewport: size });
    await page.goto(`${server.url}/#/login`);
    await page.locator('#login-username').waitFor();
    await page.screenshot({ path: join(dir, 'login.png'), fullPage: true });
    await login(page, server, 'dieuphoi');
    for (const [name, hash] of PAGES()) {
      await page.goto(`${server.url}/${hash}`);
      await page.locator(name.startsWith('print') ? '.print-view .p-head' : 'main h1').first().waitFor()
        .catch((e) => { throw new Error(`${name}: ${e.message}`); });
      // "Đang tải…" (Loading) gone: the page's data is in
      await page.waitForFunction(() => ![...document.querySelectorAll('main p[role=status]')].some((p) => /^Đang tải/.test(p.textContent ?? '')), null, { timeout: 15_000 });
      assert.equal(await page.locator('main .alert.error').count(), 0, `${name}: no error shown`);
      if (LISTS.includes(name)) {
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(sideways <= 0, `${name} at ${size.width}: scrolls sideways by ${sideways}px`);
      }
      await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    }
    assert.deepEqual(page.errors, []);
    await context.close();
  });
}

test('list pages keep their filters in the URL: a shared link opens the same view', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: SIZES[1] });
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/systems`);
  await page.locator('#sys-f-q').fill('dịch vụ công');
  await page.locator('#sys-f-sort').selectOption('level');
  await page.waitForFunction(() => location.hash.includes('sort=level') && location.hash.includes('q='));
  const link = await page.evaluate(() => location.href);
  const { context: otherContext, page: other } = await newPage(browser, { viewport: SIZES[0] });
  await login(other, server, 'dieuphoi');
  await other.goto(link);
  await other.locator('table.systems').getByText('Cổng dịch vụ công huyện Phú Quý').waitFor();
  assert.equal(await other.locator('#sys-f-q').inputValue(), 'dịch vụ công');
  assert.equal(await other.locator('#sys-f-sort').inputValue(), 'level');
  assert.equal(await other.locator('table.systems tbody tr:not(.group)').count(), 1);
  // the hosts page: the status of a filter that is not the default survives a reload
  await other.goto(`${server.url}/#/findings?status=`);
  await other.locator('#ff-status').waitFor();
  assert.equal(await other.locator('#ff-status').inputValue(), '');
  // the indicators: a tag link is a view of its own, and the search box writes the URL
  await other.goto(`${server.url}/#/indicators?tag=pages`);
  await other.getByText('pages-test.example').first().waitFor();
  await other.locator('#if-q').fill('pages-test');
  await other.waitForFunction(() => location.hash.includes('q=pages-test') && location.hash.includes('tag=pages'));
  await context.close();
  await otherContext.close();
});
