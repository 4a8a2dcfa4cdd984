// An escalated incident in the browser, on both sides (issue 16, h/sync-kinds):
// the district and the province each run their own server; the district asks
// the province for help (through its API), a bundle carries it; the province's
// coordinator finds it in the queue marked "Từ cấp dưới: phu-quy", opens it
// (no moves offered: it is the district's record), writes a coordination
// direction; a bundle carries it back and the district's coordinator reads it
// on the district's incident, marked as a direction from the province. At
// desktop and phone size. The HTTPS transport and the three-instance demo are
// h/sync-net's; here the bundles of `ungcuu sync export/import` carry it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { loginAs, run, file, moveOk } from '../api/helpers.mjs';
import { launch, newPage, login, shot } from './lib.mjs';

let D, P, browser, tmp;
let n = 0;
const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
function ok(args) {
  const r = run(args, { env: EN });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
function carry(from, peer, to) {
  const b = join(tmp, `b${++n}.bundle`), a = join(tmp, `a${n}.ack`);
  ok(['sync', 'export', '--db', from.db, '--peer', peer, '--out', b]);
  ok(['sync', 'import', '--db', to.db, b, '--ack-out', a]);
  ok(['sync', 'import', '--db', from.db, a]);
}
const noSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-kinds-ui-'));
  D = await startServer();
  P = await startServer();
  const d = JSON.parse(ok(['peer', 'show', '--db', D.db, '--json']));
  const p = JSON.parse(ok(['peer', 'show', '--db', P.db, '--json']));
  ok(['peer', 'add', '--db', D.db, '--name', 'tinh', '--key', p.public_key, '--relation', 'parent', '--orgs', 'stttt-bth']);
  ok(['peer', 'add', '--db', P.db, '--name', 'phu-quy', '--key', d.public_key, '--relation', 'child', '--orgs', 'pq']);
  browser = await launch();
}, { timeout: 90_000 });
after(async () => {
  await browser?.close();
  await D?.stop();
  await P?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, { timeout: 30_000 });

for (const [vp, name] of [[{ width: 1366, height: 768 }, 'sync-kinds'], [{ width: 390, height: 844 }, 'sync-kinds-phone']]) {
  test(`escalated below, answered above, read below (${name})`, { timeout: 120_000 }, async () => {
    const coordD = await loginAs(D, 'dieuphoi');
    const tamD = await loginAs(D, 'tamthanh');
    const title = `Cổng xã bị thay đổi giao diện ${name}`;
    let i = await file(tamD, { title, tlp: 'GREEN' });
    i = await moveOk(coordD, i.id, { to: 'acknowledged' }, i.version);
    const sr = await coordD.post(`/api/v1/incidents/${i.id}/support-requests`,
      { summary: 'Đề nghị tỉnh hỗ trợ khôi phục', to_org_code: 'stttt-bth' });
    assert.equal(sr.status, 201, sr.text);
    carry(D, 'tinh', P);

    // The province: in its queue, marked as the district's.
    const { context, page } = await newPage(browser, { viewport: vp });
    await login(page, P, 'tinh');
    await page.goto(`${P.url}/#/queue?q=${encodeURIComponent(title)}`);
    const badge = page.locator('.badge.mirror').filter({ hasText: 'Từ cấp dưới: phu-quy' }).first();
    await badge.waitFor();
    await shot(page, `${name}-queue`);
    await page.getByRole('link', { name: new RegExp(title) }).first().click();
    await page.locator('h1').filter({ hasText: title }).waitFor();
    await page.locator('.inc-head .badge.mirror').filter({ hasText: 'Từ cấp dưới: phu-quy' }).waitFor();
    assert.match(await page.locator('.mirror-note').textContent(), /do phu-quy chuyển lên/);
    // no moves offered: the district moves its incident
    assert.equal(await page.locator('.inc-head').getByRole('button', { name: /Xác minh|Tiếp nhận/ }).count(), 0);
    // a coordination direction, written here, goes down
    const form = page.locator('section[aria-labelledby=h-comments] form');
    await form.locator('#comment-body').fill('Cô lập máy chủ web, giữ nhật ký');
    await form.locator('#comment-direction').check();
    await form.locator('button[type=submit]').click();
    await page.locator('section[aria-labelledby=h-comments] li.direction').waitFor();
    if (vp.width < 600) assert.ok(await noSideways(page) <= 1, 'no sideways scrolling at phone size');
    await shot(page, `${name}-province`);
    assert.deepEqual(page.errors, []);
    await context.close();

    carry(P, 'phu-quy', D);

    // The district: the direction on its own incident.
    const d = await newPage(browser, { viewport: vp });
    await login(d.page, D, 'dieuphoi');
    await d.page.goto(`${D.url}/#/incidents/${i.id}`);
    const li = d.page.locator('section[aria-labelledby=h-comments] li.direction');
    await li.waitFor();
    assert.match(await li.textContent(), /Chỉ đạo điều phối/);
    assert.match(await li.textContent(), /Từ cấp trên: tinh/);
    assert.match(await li.textContent(), /Cô lập máy chủ web, giữ nhật ký/);
    assert.equal(await d.page.locator('.inc-head .badge.mirror').count(), 0);
    if (vp.width < 600) assert.ok(await noSideways(d.page) <= 1, 'no sideways scrolling at phone size');
    await shot(d.page, `${name}-district`);
    assert.deepEqual(d.page.errors, []);
    await d.context.close();
  });
}
