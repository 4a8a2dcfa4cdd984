// Shared helpers for the browser tests: Debian's chromium through
// playwright-core, a real server from tests/lib/server.mjs, screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { root } from '../lib/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const shotsDir = join(here, 'screenshots');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function checkPrereqs() {
  assert.ok(existsSync(join(root, 'web', 'dist', 'index.html')),
    'web/dist/index.html is missing: run "cd web && npm ci && npm run build"');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
}

export async function launch() {
  checkPrereqs();
  mkdirSync(shotsDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context (own cookies and localStorage) and page. */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1366, height: 768 },
    locale: 'vi-VN',
    timezoneId: opts.timezoneId ?? 'Asia/Ho_Chi_Minh',
    acceptDownloads: false,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeout ?? 15_000);
  page.dialogs = [];
  // Dialogs are dismissed (and recorded) unless a test sets page.acceptNext for the next one.
  page.on('dialog', async (d) => {
    page.dialogs.push(d.message());
    if (page.acceptNext) { page.acceptNext = false; await d.accept(); } else await d.dismiss();
  });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return { context, page };
}

export async function login(page, server, username) {
  const l = server.login(username);
  assert.ok(l, `demo login ${username} missing from "ungcuu demo --json"`);
  await page.goto(`${server.url}/#/login`);
  await page.locator('#login-username').fill(l.username);
  await page.locator('#login-password').fill(l.password);
  await page.locator('form button[type=submit]').click();
  await page.locator('header .who .user').waitFor();
}

export async function shot(page, name, fullPage = true) {
  const p = join(shotsDir, `${name}.png`);
  await page.screenshot({ path: p, fullPage });
  return p;
}

/** Drops files on a drop zone as a person dragging them from the desktop would. */
export async function dropFiles(page, selector, files) {
  await page.locator(selector).evaluate((el, fs) => {
    const dt = new DataTransfer();
    for (const f of fs) dt.items.add(new File([f.content], f.name, { type: f.type }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, files);
}

/** Presses Tab until the focused element matches selector (keyboard-only navigation). */
export async function tabTo(page, selector, max = 120) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Every input, select and textarea on the page has a name a screen reader
 * reads: a non-empty <label>, or (a cell of a grid of check boxes, where a
 * visible label per box would repeat its row and column) aria-label. */
export async function unlabelled(page, scope = 'main') {
  return page.evaluate((sc) => {
    const bad = [];
    for (const el of document.querySelectorAll(`${sc} input, ${sc} select, ${sc} textarea`)) {
      if (el.type === 'hidden') continue;
      const labels = [...(el.labels ?? [])].map((l) => l.textContent.trim()).filter(Boolean);
      const aria = (el.getAttribute('aria-label') ?? '').trim();
      if (!labels.length && !aria) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  }, scope);
}

/** Follows a link of the header's menu, opening "Thêm" (More) first when
 * the link is one of the entries kept there. */
export async function navTo(page, name) {
  const link = page.locator('header nav').getByRole('link', { name, exact: true });
  if (!(await link.isVisible())) await page.locator('header nav details.more > summary').click();
  await link.click();
}
