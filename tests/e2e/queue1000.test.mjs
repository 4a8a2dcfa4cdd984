// The queue with 1,000 incidents: created through the API, then rendered by
// the browser. Prints the figures (the issue asks to print, not to assert, timing).
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
  const start = Date.now();
  await page.goto(`${server.url}/#/queue`);
  await page.waitForFunction((n) => document.querySelectorAll('table.incidents tbody tr').length >= n, N, { timeout: 60_000 });
  const total = Date.now() - start;
  const render = await page.evaluate(() => document.body.dataset.queueRenderMs);
  const rows = await page.locator('table.incidents tbody tr').count();
  console.log(`queue: ${rows} rows on screen ${total} ms after navigation (fetch of ${Math.ceil(rows / 200)} pages + render); render alone ${render} ms`);
  assert.ok(rows >= N);
  await shot(page, 'queue-1000', false);

  // A filter narrows the list from the server.
  await page.locator('#f-type').selectOption('phishing');
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll('table.incidents tbody tr');
    return rows.length > 0 && rows.length < 1000;
  });
  console.log(`filtered to type=phishing: ${await page.locator('table.incidents tbody tr').count()} rows`);
  await context.close();
});
