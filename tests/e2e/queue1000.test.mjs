// The queue with 1,000 incidents: created through the API, then its first
// page rendered by the browser. Prints the figures (the issue asks to print, not to assert, timing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { launch, newPage, login, shot } from './lib.mjs';

const N = 1000;
const TYPES = ['dos', 'phishing', 'malware', 'intrusion', 'defacement', 'encryption', 'destruction', 'espionage', 'combined', 'other'];
let server, browser;

before(async () => {
  server = await startServer();
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

test(`queue of ${N} incidents renders (time printed)`, { timeout: 240_000 }, async () => {
  const api = new Client(server.url);
  const l = server.login('dieuphoi');
  assert.equal((await api.login(l.username, l.password)).status, 200);
  const t0 = Date.now();
  let next = 0;
  const failures = [];
  const worker = async () => {
    while (next < N) {
      const i = next++;
      const r = await api.post('/api/v1/incidents', {
        title: `Sự cố thử tải số ${i + 1}: máy trạm xã có dấu hiệu lạ`,
        description: `Tạo tự động để đo thời gian hiển thị hàng đợi (${i + 1}/${N}).`,
        detected_at: new Date(Date.now() - i * 3600_000).toISOString(),
        type: TYPES[i % TYPES.length],
        org_code: ['pq-tamthanh', 'pq-longhai', 'pq'][i % 3],
      });
      if (r.status !== 201) failures.push(`${r.status} ${r.text.slice(0, 200)}`);
      if (failures.length > 5) return;
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  assert.deepEqual(failures, [], 'creating incidents through the API');
  console.log(`created ${N} incidents through the API in ${Date.now() - t0} ms`);

  const { context, page } = await newPage(browser, { timeout: 30_000 });
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/dashboard`);
  await page.locator('.stats-cards').waitFor();
  // The first page (50 rows) comes from the server; the rest on demand.
  const start = Date.now();
  await page.goto(`${server.url}/#/queue`);
  await page.waitForFunction(() => document.querySelectorAll('table.incidents tbody tr').length >= 50, null, { timeout: 60_000 });
  const total = Date.now() - start;
  const render = await page.evaluate(() => document.body.dataset.queueRenderMs);
  const rows = await page.locator('table.incidents tbody tr').count();
  console.log(`queue: first page of ${rows} rows on screen ${total} ms after navigation; render alone ${render} ms`);
  assert.equal(rows, 50, 'one page, not every incident');
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`queue page height: ${height} px`);
  await shot(page, 'queue-1000', false);
  await page.getByRole('button', { name: 'Tải thêm' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.incidents tbody tr').length === 100);

  // A filter narrows the list on the server.
  await page.locator('#f-type').selectOption('phishing');
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('table.incidents tbody td[data-label="Loại sự cố"]')];
    return cells.length > 0 && cells.every((c) => c.textContent === 'Tấn công giả mạo');
  });
  console.log(`filtered to type=phishing: ${await page.locator('table.incidents tbody tr').count()} rows on the first page`);
  await context.close();
});
