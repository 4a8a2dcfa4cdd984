// Issue 15 item 7 from the browser: the incident page and the print view
// offer "Tải PDF" / "Tải DOCX" of Mẫu 03 and Mẫu 04; the links, followed with
// the page's own session, give the server's documents, which read right.
// Screenshots at 1366x768 and 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { launch, newPage, login, shot } from './lib.mjs';
import { pdfText, NATION, MOTTO } from '../lib/documents.mjs';

let server, browser, closed;

before(async () => {
  server = await startServer();
  browser = await launch();
  const c = new Client(server.url);
  const l = server.login('dieuphoi');
  assert.equal((await c.login(l.username, l.password)).status, 200);
  const r = await c.get('/api/v1/incidents?status=closed');
  closed = r.body.items[0];
  assert.ok(closed, 'the demo has a closed incident');
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

/** Follows a link with the page's cookies; returns { status, type, bytes }. */
async function follow(context, page, locator) {
  const href = await locator.getAttribute('href');
  assert.ok(href, 'a link');
  const r = await context.request.get(new URL(href, page.url()).toString());
  return { status: r.status(), type: r.headers()['content-type'], bytes: await r.body(), href };
}

for (const [label, viewport] of [['desktop', { width: 1366, height: 768 }], ['phone', { width: 390, height: 844 }]]) {
  test(`incident page and print view offer the documents (${label})`, { timeout: 90_000 }, async () => {
    const { context, page } = await newPage(browser, { viewport });
    await login(page, server, 'dieuphoi');
    await page.goto(`${server.url}/#/incidents/${closed.id}`);
    const pdf04 = page.getByRole('link', { name: 'Tải PDF (Mẫu 04)' });
    await pdf04.waitFor();
    for (const name of ['Tải PDF (Mẫu 03)', 'Tải DOCX (Mẫu 03)', 'Tải DOCX (Mẫu 04)']) {
      assert.equal(await page.getByRole('link', { name }).count(), 1, name);
    }
    const got = await follow(context, page, pdf04);
    assert.equal(got.status, 200, got.href);
    assert.equal(got.type, 'application/pdf');
    const text = pdfText(got.bytes).replace(/\s+/g, ' ');
    assert.ok(text.includes(NATION) && text.includes(MOTTO));
    assert.ok(text.includes(closed.title.split(' ').slice(0, 4).join(' ')), 'the incident\'s title');
    const docx = await follow(context, page, page.getByRole('link', { name: 'Tải DOCX (Mẫu 03)' }));
    assert.equal(docx.status, 200);
    assert.equal(docx.bytes.subarray(0, 2).toString(), 'PK');
    await pdf04.scrollIntoViewIfNeeded();
    await shot(page, `documents-incident-${label}`, false);

    await page.goto(`${server.url}/#/incidents/${closed.id}/print/04`);
    await page.locator('.paper .p-title').waitFor();
    const pdf = page.locator('.toolbar').getByRole('link', { name: 'Tải PDF', exact: true });
    const dx = page.locator('.toolbar').getByRole('link', { name: 'Tải DOCX', exact: true });
    assert.match(await pdf.getAttribute('href'), /\/documents\/mau04\?format=pdf$/);
    assert.match(await dx.getAttribute('href'), /\/documents\/mau04\?format=docx$/);
    assert.equal((await follow(context, page, dx)).status, 200);
    await shot(page, `documents-print-${label}`, false);
    assert.deepEqual(page.errors, []);
    await context.close();
  });
}
