// The federation live, in two browsers (issue 16, h/fed-ui): TWO real
// `ungcuu serve` — the district's and the province's instance, each its own
// database, its own HTTPS port on 127.0.0.1 (a certificate made here), peers
// registered both ways, the district's sync loop calling the province every
// second. Nobody runs a sync by hand:
//   1. the district's coordinator asks the province for support in the
//      district's UI;
//   2. in the province's UI (another browser context) the incident appears
//      in the queue as mirrored from the district, with the district's name
//      and its legal clocks, and on "Từ đơn vị khác";
//   3. the province accepts the request with a note and comments;
//   4. the district's open incident page shows the answer and the comment,
//      and its "Từ đơn vị khác" page the province's warning;
//   5. a 5 MiB attachment of the district's incident reaches the mirror in
//      parts, the same bytes; an indicator the province shares shows on the district's page as a
//      copy from "tinh" that only its originator edits, with no edit or
//      delete (h/fed-rest).
// At 1366x768 and 390x844. Every wait is bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, sqlite3, cli } from '../lib/server.mjs';
import { loginAs, file, moveOk } from '../api/helpers.mjs';
import { launch, login, shot, navTo, unlabelled } from './lib.mjs';

let D, P, browser, tmp;
// The sync loop runs every second; a page polls every 10-15 s. A change
// made on one side shows on the other within a few rounds and one poll.
const LIVE = 60_000;
const SUP = 'section[aria-labelledby=h-support]';
const noSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-fed-ui-'));
  const f = (n) => join(tmp, n);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', f('key.pem'), '-out', f('cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(f('sync.ini'), `[sync]\ninterval = 1s\ntimeout = 10s\nca_file = ${f('cert.pem')}\n`);
  // node's own health check of a self-signed server; curl (the sync loop)
  // verifies against ca_file, and the browser context ignores it below.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const args = ['--tls-cert', f('cert.pem'), '--tls-key', f('key.pem'), '--config', f('sync.ini')];
  P = await startServer({ args });
  D = await startServer({ args });
  // The province's instance: its home is the province's team.
  sqlite3([P.db, "UPDATE users SET org_id = (SELECT id FROM orgs WHERE code = 'stttt-bth') WHERE username = 'admin'"]);
  const key = (db) => JSON.parse(cli(['peer', 'show', '--db', db, '--json'])).public_key;
  cli(['peer', 'add', '--db', P.db, '--name', 'phu-quy', '--key', key(D.db), '--relation', 'child', '--orgs', 'pq']);
  cli(['peer', 'add', '--db', D.db, '--name', 'tinh', '--key', key(P.db), '--relation', 'parent', '--orgs', 'stttt-bth', '--url', P.url]);
  browser = await launch();
}, { timeout: 90_000 });

after(async () => {
  await browser?.close();
  await D?.stop();
  await P?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, { timeout: 30_000 });

// The header's menu: folded behind a button on a phone.
async function menu(page, vp, name) {
  if (vp.width < 600) await page.locator('header .menu-button').click();
  await navTo(page, name);
}

// A browser context of its own (cookies) that accepts the self-signed
// certificate of the test's servers.
async function page(vp, server, user) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: vp, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const pg = await context.newPage();
  pg.setDefaultTimeout(20_000);
  pg.errors = [];
  pg.on('pageerror', (e) => pg.errors.push(String(e)));
  pg.on('dialog', (d) => d.dismiss());
  await login(pg, server, user);
  return { context, page: pg };
}

for (const [vp, name] of [[{ width: 1366, height: 768 }, 'federation'], [{ width: 390, height: 844 }, 'federation-phone']]) {
  test(`escalated in the district's browser, answered in the province's, seen back live (${name})`, { timeout: 240_000 }, async () => {
    const title = `Cổng xã Tam Thanh bị thay giao diện ${name}`;
    const tamD = await loginAs(D, 'tamthanh');
    const coordD = await loginAs(D, 'dieuphoi');
    let i = await file(tamD, { title, tlp: 'GREEN' });
    i = await moveOk(coordD, i.id, { to: 'acknowledged' }, i.version);
    // 5 MiB of random bytes on it: beyond one envelope, it travels in parts over HTTPS (h/fed-rest)
    const big = randomBytes(5 * 1024 * 1024);
    const att = await coordD.post(`/api/v1/incidents/${i.id}/attachments`, big, { 'Content-Type': 'application/octet-stream', 'X-Filename': 'bo-nho.bin' });
    assert.equal(att.status, 201, att.text);

    // 1. The district's coordinator asks the province, in the district's UI.
    const d = await page(vp, D, 'dieuphoi');
    await d.page.goto(`${D.url}/#/incidents/${i.id}`);
    await d.page.locator('h1').filter({ hasText: title }).waitFor();
    await d.page.locator('#open-support').click();
    await d.page.locator('#sr-summary').fill('Đề nghị tỉnh hỗ trợ khôi phục cổng thông tin');
    await d.page.locator('#sr-to').selectOption('stttt-bth');
    await d.page.locator('#sr-help').fill('Phân tích nhật ký máy chủ web');
    await d.page.getByRole('button', { name: 'Gửi đề nghị', exact: true }).click();
    await d.page.locator(`${SUP} .badge.sr-sent`).first().waitFor();

    // 2. The province: in its queue as mirrored from the district, by itself.
    const p = await page(vp, P, 'tinh');
    await p.page.goto(`${P.url}/#/queue?q=${encodeURIComponent(title)}`);
    await p.page.locator('.badge.mirror').filter({ hasText: 'Từ cấp dưới: phu-quy' }).first().waitFor({ timeout: LIVE });
    await shot(p.page, `${name}-province-queue`);
    await p.page.getByRole('link', { name: new RegExp(title) }).first().click();
    await p.page.locator('h1').filter({ hasText: title }).waitFor();
    assert.match(await p.page.locator('.mirror-note').textContent(), /phu-quy/);
    // the district's legal clocks travelled with it
    const clocks = p.page.locator('section[aria-labelledby=h-deadlines]');
    await clocks.waitFor();
    assert.ok((await clocks.locator('li, tr').count()) >= 1, 'the district\'s clocks');
    // 3. The province answers: accepts with a note, comments.
    const sr = p.page.locator(`${SUP} li`).first();
    await sr.locator('input[id^=sr-note-]').fill('Cử 2 người ra đảo ngày mai');
    await sr.locator('[data-sr-to=accepted]').click();
    await p.page.locator(`${SUP} .badge.sr-accepted`).first().waitFor();
    const form = p.page.locator('section[aria-labelledby=h-comments] form');
    await form.locator('#comment-body').fill('Giữ nguyên nhật ký, không cài lại máy chủ');
    await form.locator('button[type=submit]').click();
    await p.page.locator('section[aria-labelledby=h-comments] li').filter({ hasText: 'Giữ nguyên nhật ký' }).waitFor();
    if (vp.width < 600) assert.ok(await noSideways(p.page) <= 1, 'no sideways scrolling at phone size');
    await shot(p.page, `${name}-province-incident`);

    // "Từ đơn vị khác" on the province: the mirrored incident, linked.
    await menu(p.page, vp, 'Từ đơn vị khác');
    await p.page.locator('h1').filter({ hasText: 'Từ đơn vị khác' }).waitFor();
    const row = p.page.locator('.received-item.rc-incident').filter({ hasText: title });
    await row.waitFor();
    assert.match(await row.textContent(), /Từ cấp dưới: phu-quy/);
    assert.match(await row.textContent(), /UBND xã Tam Thanh/);
    if (vp.width < 600) assert.ok(await noSideways(p.page) <= 1, 'no sideways scrolling at phone size');
    await shot(p.page, `${name}-province-received`);

    // A warning from the province to the commune, for the district's page.
    const tinhP = await loginAs(P, 'tinh');
    const wTitle = `Vá lỗ hổng cổng thông tin ${name}`;
    const w = await tinhP.post('/api/v1/warnings', { title: wTitle, severity: 'high',
      deadline: new Date(Date.now() + 7 * 86400_000).toISOString(), target_org_codes: ['pq-tamthanh'] });
    assert.equal(w.status, 201, w.text);

    // 4. The district's page, left open, shows the answer without a manual sync.
    await d.page.locator(`${SUP} .badge.sr-accepted`).first().waitFor({ timeout: LIVE });
    assert.match(await d.page.locator(SUP).textContent(), /Cử 2 người ra đảo ngày mai/);
    const c = d.page.locator('section[aria-labelledby=h-comments] li').filter({ hasText: 'Giữ nguyên nhật ký' });
    await c.waitFor({ timeout: LIVE });
    assert.match(await c.textContent(), /tinh/);
    if (vp.width < 600) assert.ok(await noSideways(d.page) <= 1, 'no sideways scrolling at phone size');
    await shot(d.page, `${name}-district-incident`);

    // and its "Từ đơn vị khác": the province's warning, from above
    await menu(d.page, vp, 'Từ đơn vị khác');
    const wr = d.page.locator('.received-item.rc-warning').filter({ hasText: wTitle });
    await wr.waitFor({ timeout: LIVE });
    assert.match(await wr.textContent(), /Từ cấp trên: tinh/);
    await d.page.locator('.received .tabs a[data-section=warning]').click();
    await wr.waitFor();
    assert.equal(await d.page.locator('.received-item:not(.rc-warning)').count(), 0);
    assert.deepEqual(await unlabelled(d.page), [], 'every filter has a label');
    if (vp.width < 600) assert.ok(await noSideways(d.page) <= 1, 'no sideways scrolling at phone size');
    await shot(d.page, `${name}-district-received`);

    // The 5 MiB attachment came up by itself, in parts, the same bytes.
    const tinhMirror = (await tinhP.get('/api/v1/incidents?limit=50&q=' + encodeURIComponent(title))).body.items.find((x) => x.mirror);
    let got;
    for (let k = 0; k < 120 && !got; k++) {
      got = (await tinhP.get(`/api/v1/incidents/${tinhMirror.id}`)).body.attachments?.find((a) => a.name === 'bo-nho.bin');
      if (!got) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(got, 'the attachment arrived');
    const dl = await fetch(`${P.url}/api/v1/incidents/${tinhMirror.id}/attachments/${got.id}`, { headers: { Cookie: tinhP.cookie } });
    assert.equal(dl.status, 200);
    assert.equal(createHash('sha256').update(Buffer.from(await dl.arrayBuffer())).digest('hex'), createHash('sha256').update(big).digest('hex'));

    // An indicator the province shares: on the district's page a copy,
    // read-only, saying whose it is (h/fed-rest).
    const value = `c2-${name}-${process.pid}.example`;
    const ind = await tinhP.post('/api/v1/indicators', { value, tlp: 'GREEN', name: 'Máy chủ điều khiển' });
    assert.equal(ind.status, 201, ind.text);
    let copy;
    for (let k = 0; k < 120 && !copy; k++) {
      copy = (await coordD.get('/api/v1/indicators?limit=50&q=' + encodeURIComponent(value))).body.items.find((x) => x.value === value);
      if (!copy) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(copy, 'the loop brought the indicator down');
    await d.page.goto(`${D.url}/#/indicators/${copy.id}`);
    const note = d.page.locator('.mirrored-from');
    await note.waitFor();
    assert.equal((await note.textContent()).trim(), 'Từ tinh — chỉ đơn vị gốc được sửa');
    assert.equal(await d.page.getByRole('button', { name: 'Sửa chỉ báo' }).count(), 0, 'no edit on a copy');
    assert.equal(await d.page.getByRole('button', { name: 'Xóa', exact: true }).count(), 0, 'no delete on a copy');
    await shot(d.page, `${name}-district-indicator-copy`);

    assert.deepEqual(p.page.errors, []);
    assert.deepEqual(d.page.errors, []);
    await p.context.close();
    await d.context.close();
  });
}
