// Issue 15 items 1 and 5 in the browser (h/risk): a commune's focal point
// fills a risk of its system with the hints ungcuu gives and sees it on the
// heat map; the district's finance office sees the roll-up of the submitted
// budget lines and exports it, the XLSX read back with a spreadsheet
// library (exceljs); both at desktop and phone size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startServer } from '../lib/server.mjs';
import { launch, newPage, login, shot, unlabelled } from './lib.mjs';

const SYSTEM = 'Phần mềm quản lý văn bản xã Tam Thanh';
let server, browser;
const year = new Date().getFullYear();

before(async () => {
  server = await startServer();
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

const noSideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const cell = (page, l, i) => page.locator(`#heatmap td[data-l="${l}"][data-i="${i}"]`);

test('a commune fills a risk with the hints and sees it on the heat map', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.locator('header nav').getByRole('link', { name: 'Kế hoạch' }).click();
  await page.locator('h1').filter({ hasText: 'Kế hoạch ứng phó sự cố' }).waitFor();
  await page.getByRole('link', { name: 'Sổ đăng ký rủi ro' }).first().click();
  await page.locator('#heatmap').waitFor();
  // the demo's two risks: defacement 4 × 3, disaster 2 × 4
  assert.equal((await cell(page, 4, 3).textContent()).trim(), '1');
  assert.equal((await cell(page, 2, 4).textContent()).trim(), '1');
  assert.match(await cell(page, 5, 5).getAttribute('class'), /band-critical/);
  assert.match(await cell(page, 1, 1).getAttribute('class'), /band-low/);
  assert.equal(await page.locator('#risk-list tbody tr[data-id]').count(), 2);
  assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');

  await page.locator('#rk-system').selectOption({ label: `${SYSTEM} (Cấp độ 2)` });
  await page.locator('#rk-threat').selectOption('defacement');
  await page.locator('#risk-hints').waitFor();
  // the demo district has a defacement of Tam Thanh's portal: the hint counts it
  assert.match(await page.locator('#risk-hints').textContent(), /Sự cố loại này tại đơn vị: [1-9]/);
  // one risk per threat: defacement is taken, the server says so and nothing changes
  await page.locator('#rk-likelihood').selectOption('3');
  await page.locator('#rk-impact').selectOption('3');
  await page.locator('#risk-form button[type=submit]').click();
  await page.locator('#risk-form .alert.error').filter({ hasText: 'đã có rủi ro' }).waitFor();
  await page.locator('#rk-threat').selectOption('intrusion');
  await page.getByRole('button', { name: 'Dùng gợi ý' }).click();
  assert.equal(await page.locator('#rk-likelihood').inputValue(), '1');
  await page.locator('#rk-likelihood').selectOption('5');
  await page.locator('#rk-impact').selectOption('4');
  await page.locator('#rk-controls').fill('Tường lửa của huyện; mật khẩu mạnh');
  await page.locator('#rk-treatment').fill('Bật xác thực hai bước cho tài khoản quản trị');
  await page.locator('#rk-owner').fill('Trần Thị Bích');
  await page.locator('#risk-form button[type=submit]').click();
  await page.locator('#risk-form .alert.success').waitFor();
  await page.locator('#risk-list tbody tr[data-id]').nth(2).waitFor();
  assert.equal((await cell(page, 5, 4).textContent()).trim(), '1');
  const row = page.locator('#risk-list tbody tr[data-id]').filter({ hasText: 'Truy cập trái phép' });
  assert.match(await row.textContent(), /20\s*Nghiêm trọng/);
  assert.match(await row.textContent(), /Bật xác thực hai bước/);
  await shot(page, 'plan-risk-register');

  // edit in place: likelihood down to 2 -> 8, medium; the map follows
  await row.getByRole('button', { name: 'Sửa' }).click();
  await page.locator('.risk-edit select').first().selectOption('2');
  await page.locator('.risk-edit button[type=submit]').click();
  await page.locator('.risk-edit').waitFor({ state: 'detached' });
  await page.locator('#risk-list tbody tr[data-id]').filter({ hasText: 'Truy cập trái phép' }).filter({ hasText: 'Trung bình' }).waitFor();
  assert.equal((await cell(page, 5, 4).textContent()).trim(), '');
  assert.equal((await cell(page, 2, 4).textContent()).trim(), '2');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the register at phone size: the heat map and the form fit', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/plan/risks`);
  await page.locator('#heatmap').waitFor();
  await page.locator('#risk-form').waitFor();
  assert.ok(await noSideways(page) <= 0, 'no sideways scroll');
  await shot(page, 'plan-risk-register-phone');
  await context.close();
});

test('resources: a contractor with its contract, refused when it ends before it starts', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/plan/resources`);
  await page.locator('#resource-form').waitFor();
  assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');
  await page.locator('#res-kind').selectOption('contractor');
  await page.locator('#res-name').fill('Công ty TNHH An ninh mạng Biển Đông');
  await page.locator('#res-scope').fill('Giám sát an toàn thông tin cổng thông tin xã');
  await page.locator('#res-contact').fill('0909 123 456');
  await page.locator('#res-from').fill('2026-06-01');
  await page.locator('#res-to').fill('2026-01-01');
  await page.locator('#resource-form button[type=submit]').click();
  await page.locator('#resource-form .alert.error').filter({ hasText: 'sau ngày bắt đầu' }).waitFor();
  await page.locator('#res-to').fill('2099-12-31');
  await page.locator('#resource-form button[type=submit]').click();
  await page.locator('#resource-form .alert.success').waitFor();
  const row = page.locator('#resource-list tbody tr').filter({ hasText: 'An ninh mạng Biển Đông' });
  await row.waitFor();
  assert.match(await row.textContent(), /Nhà thầu.*còn hiệu lực/s);
  await shot(page, 'plan-resources');
  assert.deepEqual(page.errors, []);
  await context.close();
});

async function exportedBytes(page, selector) {
  const href = await page.locator(selector).getAttribute('href');
  // the same request the link makes, with the page's session
  return Buffer.from(await page.evaluate(async (h) => {
    const r = await fetch(h);
    if (!r.ok) throw new Error(`${r.status}`);
    return Array.from(new Uint8Array(await r.arrayBuffer()));
  }, href));
}

test('the finance office sees the district roll-up and exports it; the XLSX reads back', { timeout: 120_000 }, async () => {
  // Ngũ Phụng's focal point sends a line, then corrects it with a reason.
  const { context: c1, page: p1 } = await newPage(browser);
  await login(p1, server, 'nguphung');
  await p1.goto(`${server.url}/#/plan/budget`);
  await p1.locator('#budget-form').waitFor();
  await p1.locator('#bl-category').selectOption('equipment');
  await p1.locator('#bl-desc').fill('Tường lửa cho xã Ngũ Phụng');
  await p1.locator('#bl-planned').fill('38.500.000');
  await p1.locator('#budget-form button[type=submit]').click();
  await p1.locator('#budget-form .alert.success').waitFor();
  const line = p1.locator('#budget-list tbody tr[data-id]').filter({ hasText: 'Tường lửa cho xã Ngũ Phụng' });
  await line.getByRole('button', { name: 'Gửi Phòng Tài chính' }).click();
  await line.filter({ hasText: 'Đã gửi Phòng Tài chính' }).waitFor();
  // a correction needs a reason
  await line.getByRole('button', { name: 'Sửa' }).click();
  await p1.locator('.line-edit input').first().fill('40.000.000');
  await p1.locator('.line-edit input[required]').fill('Giá mới theo báo giá tháng 12');
  await p1.locator('.line-edit button[type=submit]').click();
  await p1.locator('#budget-list tbody tr[data-id]').filter({ hasText: '40.000.000' }).waitFor();
  await c1.close();

  for (const [vp, name] of [[{ width: 1366, height: 768 }, 'plan-budget-finance'], [{ width: 390, height: 844 }, 'plan-budget-finance-phone']]) {
    const { context, page } = await newPage(browser, { viewport: vp });
    await login(page, server, 'taichinh');
    if (vp.width < 600) await page.locator('header .menu-button').click();   // the phone's folded menu
    await page.locator('header nav').getByRole('link', { name: 'Kế hoạch' }).click();
    await page.getByRole('link', { name: 'Kinh phí' }).first().click();
    await page.locator('#rollup').waitFor();
    assert.match(await page.locator('#rollup').textContent(), /Phòng Kinh tế - Tài chính của huyện/);
    const orgs = await page.locator('#rollup-orgs tbody').textContent();
    assert.match(orgs, /UBND xã Tam Thanh/);
    assert.match(orgs, /UBND xã Ngũ Phụng/);
    assert.doesNotMatch(orgs, /Văn phòng|UBND huyện Phú Quý/, 'a draft of the district office is not there');
    assert.equal(await page.locator('#budget-form').count(), 0, 'the finance office does not write lines');
    assert.ok(await noSideways(page) <= 0, 'no sideways scroll');
    await shot(page, name);
    if (vp.width === 1366) {
      const xlsx = await exportedBytes(page, '#export-xlsx');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx);
      assert.deepEqual(wb.worksheets.map((w) => w.name), ['Chi tiết', 'Theo đơn vị']);
      const ws = wb.getWorksheet('Chi tiết');
      assert.equal(ws.getCell('A1').value, `Tổng hợp dự toán kinh phí ứng cứu sự cố năm ${year}`);
      assert.equal(ws.getCell('A2').value, 'UBND huyện Phú Quý');
      assert.deepEqual(ws.getRow(4).values.slice(1), ['Mã đơn vị', 'Đơn vị', 'Năm', 'Hạng mục', 'Nội dung', 'Dự toán (đồng)', 'Đã chi (đồng)', 'Ngày gửi']);
      const rows = [];
      ws.eachRow((r, n) => { if (n > 4) rows.push(r.values.slice(1)); });
      const np = rows.find((r) => r[4] === 'Tường lửa cho xã Ngũ Phụng');
      assert.ok(np, JSON.stringify(rows));
      assert.deepEqual(np.slice(0, 7), ['pq-nguphung', 'UBND xã Ngũ Phụng', year, 'Trang thiết bị, phần cứng', 'Tường lửa cho xã Ngũ Phụng', 40000000, 0]);
      const total = rows.at(-1);
      assert.equal(total[1], 'Tổng cộng');
      const sum = rows.slice(0, -1).reduce((a, r) => a + r[5], 0);
      assert.equal(total[5], sum);
      assert.ok(sum >= 40000000 + 27000000);
      assert.equal(ws.getCell(`F${5 + rows.length - 1}`).numFmt, '#,##0');
      const byOrg = wb.getWorksheet('Theo đơn vị');
      const names = [];
      byOrg.eachRow((r, n) => { if (n > 1) names.push(r.getCell(2).value); });
      assert.deepEqual(names.sort(), ['Tổng cộng', 'UBND xã Ngũ Phụng', 'UBND xã Tam Thanh'].sort());
      const csv = (await exportedBytes(page, '#export-csv')).toString('utf8');
      assert.ok(csv.startsWith('org_code,org,year,category,category_label,description,planned_vnd,spent_vnd,submitted_at\r\n'));
      assert.match(csv, new RegExp(`pq-nguphung,UBND xã Ngũ Phụng,${year},equipment,"Trang thiết bị, phần cứng",Tường lửa cho xã Ngũ Phụng,40000000,0,`));
    }
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});
