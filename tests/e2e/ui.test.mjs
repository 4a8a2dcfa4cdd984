// Log-in errors, lock-out, session expiry, the English switch, the report form
// by keyboard only with every input labelled, and user text that stays text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from '../lib/server.mjs';
import { launch, newPage, login, shot, tabTo, unlabelled } from './lib.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

test('a failed login says so in Vietnamese (the same words whatever the reason)', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${server.url}/`);
  await page.locator('#login-username').fill('tamthanh');
  await page.locator('#login-password').fill('not-the-password');
  await page.locator('form button[type=submit]').click();
  const err = page.locator('#login-error');
  await err.waitFor();
  assert.equal((await err.textContent()).trim(),
    'Đăng nhập không thành công: sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đang tạm khóa do đăng nhập sai nhiều lần');
  assert.equal(await page.locator('#login-password').inputValue(), '');
  assert.deepEqual(await unlabelled(page), []);
  await shot(page, 'login-error', false);
  await context.close();
});

test('log in and out', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.locator('h1').filter({ hasText: 'Hàng đợi sự cố' }).waitFor();
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.locator('#login-username').waitFor();
  await page.getByText('Bạn đã đăng xuất.').waitFor();
  // The session is gone on the server too: a reload stays on the login page.
  await page.reload();
  await page.locator('#login-username').waitFor();
  await context.close();
});

test('an expired session returns to the login page with a message', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await context.clearCookies(); // the server no longer knows us: next request is 401
  await page.goto(`${server.url}/#/dashboard`);
  await page.locator('#login-username').waitFor();
  await page.getByText(/Phiên làm việc đã hết hạn/).waitFor();
  // Logging in again returns to where the person was.
  const l = server.login('dieuphoi');
  await page.locator('#login-username').fill(l.username);
  await page.locator('#login-password').fill(l.password);
  await page.locator('form button[type=submit]').click();
  await page.locator('h1').filter({ hasText: 'Tổng quan' }).waitFor();
  await context.close();
});

test('English switch: labels, Accept-Language, persisted', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('nav').getByText('Incident queue').waitFor();
  const req = page.waitForRequest((r) => r.url().includes('/api/v1/incidents'));
  await page.goto(`${server.url}/#/report`);
  await page.locator('h1').filter({ hasText: 'Report an incident' }).waitFor();
  await page.goto(`${server.url}/#/queue`);
  const r = await req;
  assert.equal(r.headers()['accept-language'], 'en');
  await page.reload();
  await page.locator('nav').getByText('Incident queue').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await shot(page, 'queue-english', false);
  await page.getByRole('button', { name: 'Tiếng Việt' }).click();
  await page.locator('nav').getByText('Hàng đợi sự cố').waitFor();
  await context.close();
});

test('report form: every input labelled, filled and sent by keyboard only', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/report`);
  await page.locator('#title').waitFor();
  // Open the conditional fields too, so they are checked for labels.
  await page.locator('input[name=services][value=other]').check();
  await page.locator('input[name=measures][value=other]').check();
  await page.locator('#contact-same').uncheck();
  await page.locator('input[name=detection_kind][value=notified]').check();
  assert.deepEqual(await unlabelled(page), [], 'inputs without a <label>');
  page.acceptNext = true; // "Xóa mẫu" asks first (issue 12)
  await page.locator('button', { hasText: 'Xóa mẫu' }).click();
  assert.match(page.dialogs.at(-1) ?? '', /Xóa toàn bộ nội dung/);

  // From here on only the keyboard.
  await page.locator('#login-username, header a.brand').first().focus();
  await tabTo(page, '#title');
  await page.keyboard.type('Máy tính văn thư hiện thông báo đòi tiền chuộc');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Các tệp trong ổ D bị đổi đuôi .locked, màn hình hiện yêu cầu trả tiền.');
  await tabTo(page, 'input[name=type]');
  // Arrow keys move through the radio list: 1 dos → 6 encryption.
  await page.keyboard.press('Space');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
  await tabTo(page, 'input[name=detection_kind]');
  await page.keyboard.press('Space'); // IDS
  await page.keyboard.press('ArrowDown'); // log review
  await tabTo(page, 'input[name=notified][value=coordinator]');
  await page.keyboard.press('Space');
  await tabTo(page, 'button[type=submit]');
  const checked = await page.evaluate(() => ({
    type: document.querySelector('input[name=type]:checked')?.value,
    dm: document.querySelector('input[name=detection_kind]:checked')?.value,
    nt: [...document.querySelectorAll('input[name=notified]:checked')].map((e) => e.value),
  }));
  assert.deepEqual(checked, { type: 'encryption', dm: 'log_review', nt: ['coordinator'] });
  await page.keyboard.press('Enter');
  await page.locator('#incident-number').waitFor();
  assert.match(await page.locator('#incident-number').textContent(), /^PQ-\d{4}-\d{4}$/);
  await context.close();
});

test('a title with HTML stays text', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  const evil = '<img src=x onerror=alert(1)>';
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/report`);
  await page.locator('#title').fill(evil);
  await page.locator('#description').fill('<script>alert(2)</script> "quoted" & ampersand');
  await page.getByLabel('Các hình thức tấn công khác').check();
  await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
  await page.locator('#incident-number').waitFor();
  await page.getByRole('link', { name: 'Xem sự cố' }).click();
  await page.locator('.inc-title').waitFor();
  assert.equal(await page.locator('.inc-title').textContent(), evil);
  assert.match(await page.locator('.description').textContent(), /<script>alert\(2\)<\/script> "quoted" & ampersand/);
  assert.equal(await page.locator('main img').count(), 0);
  await page.goto(`${server.url}/#/queue`);
  await page.locator('table.incidents').getByText(evil).waitFor();
  assert.equal(await page.locator('main img').count(), 0);
  assert.deepEqual(page.dialogs, [], 'no script ran');
  await context.close();
});

test('phone-sized screen: the queue and form fit', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/queue`);
  await page.locator('.summary').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `queue scrolls sideways by ${overflow}px on a phone`);
  await shot(page, 'queue-phone', false);
  await page.locator('table.incidents a').first().click();
  await page.locator('.inc-head').waitFor();
  const o2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(o2 <= 1, `incident page scrolls sideways by ${o2}px on a phone`);
  await shot(page, 'incident-phone', false);
  await page.goto(`${server.url}/#/report`);
  await page.locator('#title').waitFor();
  const o3 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(o3 <= 1, `report form scrolls sideways by ${o3}px on a phone`);
  await shot(page, 'report-form-phone', false);
  await context.close();
});

// Issue 11: a locked account no longer answers 429 (that showed the name
// exists); the page says the same words for every failure, words that
// mention a possible lock, and the right password is refused while locked.
test('repeated failures lock the account; the words stay the same and mention the lock', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${server.url}/`);
  // four failures already counted: the next one locks for 15 minutes
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', server.db,
    "UPDATE users SET failed_logins = 4, locked_until = 0 WHERE username = 'lanhdao'"]);
  const texts = [];
  const tries = [['lanhdao', 'wrong-1'], ['lanhdao', server.login('lanhdao').password], ['khong-co-ai', 'wrong-2']];
  for (const [username, password] of tries) {
    await page.locator('#login-username').fill(username);
    await page.locator('#login-password').fill(password);
    await page.locator('form button[type=submit]').click();
    await page.locator('#login-error').waitFor();
    await page.waitForFunction(() => !document.querySelector('form button[type=submit]')?.disabled);
    texts.push((await page.locator('#login-error').textContent()).trim());
  }
  assert.equal(new Set(texts).size, 1, texts.join(' | '));
  assert.match(texts[0], /tạm khóa/);
  assert.equal(await page.locator('header .who .user').count(), 0, 'not logged in while locked');
  await shot(page, 'login-locked', false);
  await context.close();
});
