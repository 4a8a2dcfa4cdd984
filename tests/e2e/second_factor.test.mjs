// The second factor in the browser (issue 11): a person turns TOTP on from
// the account page (secret shown, a code confirms it, recovery codes shown
// once), logs in with the password and a code (a wrong code says so), then
// with a recovery code, and turns it off; where the instance requires it,
// a coordinator is sent to enrol right after the password. Codes are
// computed here with node:crypto, as the authenticator app would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { totpCodes as codes } from '../lib/totp.mjs';
import { launch, newPage, login, shot, unlabelled } from './lib.mjs';

let server, strict, browser;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-2fa-'));
  const cfg = join(dir, 'ungcuu.ini');
  writeFileSync(cfg, '[accounts]\nsecond_factor_roles = coordinator\n');
  server = await startServer();
  strict = await startServer({ args: ['--config', cfg] });
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
  await strict?.stop();
}, { timeout: 30_000 });

async function passwordStep(page, srv, username) {
  const l = srv.login(username);
  await page.goto(`${srv.url}/#/login`);
  await page.locator('#login-username').fill(l.username);
  await page.locator('#login-password').fill(l.password);
  await page.locator('form button[type=submit]').click();
}

async function logout(page) {
  await page.locator('header .who button.link', { hasText: 'Đăng xuất' }).click();
  await page.locator('#login-username').waitFor();
}

test('turn on TOTP, log in with a code, then a recovery code, then turn it off', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.locator('#nav-account').click();
  await page.locator('#otp-state').waitFor();
  assert.match(await page.locator('#otp-state').textContent(), /Chưa bật/);
  await page.locator('#otp-password').fill(server.login('tamthanh').password);
  await page.locator('#otp-begin').click();
  const secret = await page.locator('#otp-secret').getAttribute('data-secret');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.match(await page.locator('#otp-uri').getAttribute('href'), /^otpauth:\/\/totp\/ungcuu:tamthanh\?secret=/);
  assert.ok(await page.locator('#otp-qr').isVisible(), 'a QR code to scan');
  assert.deepEqual(await unlabelled(page), []);
  await shot(page, 'totp-enrol', false);
  const next = codes(secret);
  await page.locator('#otp-confirm-code').fill(next());
  await page.locator('#otp-confirm').click();
  await page.locator('#recovery-codes li').first().waitFor();
  const recovery = (await page.locator('#recovery-codes li').allTextContents()).map((x) => x.trim());
  assert.equal(recovery.length, 10);
  assert.match(await page.locator('#otp-state').textContent(), /Đang bật\. Còn 10 mã khôi phục/);
  await shot(page, 'totp-recovery-codes', false);
  await logout(page);

  // password, then a wrong code, then the right one
  await passwordStep(page, server, 'tamthanh');
  await page.locator('#login-code').waitFor();
  assert.deepEqual(await unlabelled(page), []);
  await page.locator('#login-code').fill('000000');
  await page.locator('form button[type=submit]').click();
  await page.locator('#login-error').waitFor();
  assert.match(await page.locator('#login-error').textContent(), /Mã không đúng/);
  await shot(page, 'totp-login-code', false);
  await page.locator('#login-code').fill(next());
  await page.locator('form button[type=submit]').click();
  await page.locator('header .who .user').waitFor();
  await logout(page);

  // a recovery code, once
  await passwordStep(page, server, 'tamthanh');
  await page.locator('#login-code').fill(recovery[0]);
  await page.locator('form button[type=submit]').click();
  await page.locator('header .who .user').waitFor();
  await page.locator('#nav-account').click();
  await page.locator('#otp-state').waitFor();
  assert.match(await page.locator('#otp-state').textContent(), /Còn 9 mã/);
  // turn it off with another recovery code
  await page.locator('#otp-manage-code').fill(recovery[1]);
  await page.locator('#otp-off').click();
  await page.locator('#otp-password').waitFor();
  assert.match(await page.locator('#otp-state').textContent(), /Chưa bật/);
  await logout(page);
  // one step again
  await login(page, server, 'tamthanh');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('required for coordinators: enrol right after the password, codes shown once', { timeout: 120_000 }, async () => {
  const { context, page } = await newPage(browser);
  await passwordStep(page, strict, 'dieuphoi');
  await page.locator('#otp-enrol-required').waitFor();
  const secret = await page.locator('#otp-secret').getAttribute('data-secret');
  await shot(page, 'totp-enrol-required', false);
  const next = codes(secret);
  await page.locator('#login-code').fill(next());
  await page.locator('form button[type=submit]').click();
  await page.locator('#recovery-codes li').first().waitFor();
  assert.equal(await page.locator('#recovery-codes li').count(), 10);
  await page.locator('#recovery-saved').click();
  await page.locator('header .who .user').waitFor();
  await page.locator('#nav-account').click();
  await page.locator('#otp-state').waitFor();
  assert.match(await page.locator('#otp-state').textContent(), /Bắt buộc/);
  assert.equal(await page.locator('#otp-off').count(), 0, 'no way to turn it off');
  await logout(page);
  await passwordStep(page, strict, 'dieuphoi');
  await page.locator('#login-code').fill(next());
  await page.locator('form button[type=submit]').click();
  await page.locator('header .who .user').waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('change the password from the account page: every session ends', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'longhai');
  await page.locator('#nav-account').click();
  await page.locator('#pw-current').fill(server.login('longhai').password);
  await page.locator('#pw-new').fill('12345678abcd');
  await page.locator('#pw-new2').fill('12345678abcd');
  await page.locator('#pw-new2').press('Enter');
  await page.locator('#pw-new ~ .field-error, .field-error').first().waitFor();
  await page.locator('#pw-current').fill(server.login('longhai').password);
  await page.locator('#pw-new').fill('gió biển Phú Quý 2026');
  await page.locator('#pw-new2').fill('gió biển Phú Quý 2026');
  await page.locator('#pw-new2').press('Enter');
  await page.locator('#login-username').waitFor();
  assert.match(await page.locator('.alert').first().textContent(), /Đã đổi mật khẩu/);
  await page.locator('#login-username').fill('longhai');
  await page.locator('#login-password').fill('gió biển Phú Quý 2026');
  await page.locator('form button[type=submit]').click();
  await page.locator('header .who .user').waitFor();
  await context.close();
});
