// Reading the official documents (PDF, DOCX) as a person would, for the API
// and browser tests of every kind of document (Mẫu 03/04/05/01, plans,
// drills, the annual report). Poppler's tools read the PDF: the text as laid
// out (pdftotext -layout), the fonts (pdffonts), the page count (pdfinfo), a
// page as an image (pdftoppm). A DOCX is read by converting it to PDF with
// LibreOffice (headless, in a throw-away profile) and reading that: slow
// (5–10 s a start), so convert every DOCX of a test file in ONE call
// (docxToPdfs / docxTexts) rather than one by one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function withTmp(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-doc-'));
  try { return fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

function asBuffer(bytes) {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}

// The text of a PDF as pdftotext -layout lays it out (columns side by side),
// NFC-normalised (what a reader's search matches).
export function pdfText(bytes) {
  return withTmp((dir) => {
    const f = join(dir, 'd.pdf');
    writeFileSync(f, asBuffer(bytes));
    return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }).normalize('NFC');
  });
}

// The fonts of a PDF: [{ name, type, encoding, embedded, subset, unicode }].
export function pdfFonts(bytes) {
  return withTmp((dir) => {
    const f = join(dir, 'd.pdf');
    writeFileSync(f, asBuffer(bytes));
    const out = execFileSync('pdffonts', [f], { encoding: 'utf8' }).split('\n').slice(2).filter((l) => l.trim());
    // name type... encoding emb sub uni object ID: the last five columns are fixed
    return out.map((l) => {
      const p = l.trim().split(/\s+/);
      const n = p.length;
      return { name: p[0], type: p.slice(1, n - 6).join(' '), encoding: p[n - 6], embedded: p[n - 5] === 'yes',
        subset: p[n - 4] === 'yes', unicode: p[n - 3] === 'yes' };
    });
  });
}

// pdfinfo's fields as an object ({ Pages: '2', Title: '...', 'Page size': '...' });
// dates in ISO 8601 (CreationDate: '2026-12-07T03:19:04Z').
export function pdfInfo(bytes) {
  return withTmp((dir) => {
    const f = join(dir, 'd.pdf');
    writeFileSync(f, asBuffer(bytes));
    const info = {};
    for (const l of execFileSync('pdfinfo', ['-isodates', f], { encoding: 'utf8' }).split('\n')) {
      const m = /^([^:]+):\s*(.*)$/.exec(l);
      if (m) info[m[1].trim()] = m[2].trim();
    }
    return info;
  });
}

export function pdfPages(bytes) {
  return Number(pdfInfo(bytes).Pages);
}

// One page (1-based) as a PNG at 50 dpi; written to out when given (to look
// at), returned as a Buffer.
export function renderPng(bytes, { page = 1, out, dpi = 50 } = {}) {
  return withTmp((dir) => {
    const f = join(dir, 'd.pdf');
    writeFileSync(f, asBuffer(bytes));
    execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-f', String(page), '-l', String(page), '-singlefile', f, join(dir, 'p')]);
    const png = readFileSync(join(dir, 'p.png'));
    if (out) writeFileSync(out, png);
    return png;
  });
}

// Several DOCX documents converted to PDF by one LibreOffice run; returns the
// PDFs (Buffers) in order.
export function docxToPdfs(list) {
  return withTmp((dir) => {
    const names = list.map((b, i) => {
      const f = join(dir, `d${i}.docx`);
      writeFileSync(f, asBuffer(b));
      return f;
    });
    const home = join(dir, 'home');
    execFileSync('libreoffice', [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless',
      '--convert-to', 'pdf', '--outdir', join(dir, 'out'), ...names],
    { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    const made = readdirSync(join(dir, 'out'));
    return list.map((_, i) => {
      assert.ok(made.includes(`d${i}.pdf`), `LibreOffice converted d${i}.docx (made ${made.join(', ')})`);
      return readFileSync(join(dir, 'out', `d${i}.pdf`));
    });
  });
}

export function docxTexts(list) {
  return docxToPdfs(list).map(pdfText);
}

export function docxText(bytes) {
  return docxTexts([bytes])[0];
}

// The entries of a DOCX (a zip): { name: text } for its XML parts.
export function docxParts(bytes) {
  return withTmp((dir) => {
    const f = join(dir, 'd.docx');
    writeFileSync(f, asBuffer(bytes));
    const names = execFileSync('unzip', ['-Z1', f], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const parts = {};
    for (const n of names) parts[n] = execFileSync('unzip', ['-p', f, n.replace(/[[\]*?]/g, '\\$&')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return parts;
  });
}

// A download through a test Client (its cookie or token): { status, headers,
// bytes } with the body as a Buffer (Client.req reads text).
export async function download(client, path) {
  const h = {};
  if (client.cookie) h.Cookie = client.cookie;
  if (client.token) h.Authorization = `Bearer ${client.token}`;
  if (client.lang) h['Accept-Language'] = client.lang;
  const r = await fetch(client.url + path, { headers: h });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}

// The national header every administrative document carries.
export const NATION = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const MOTTO = 'Độc lập - Tự do - Hạnh phúc';

// "ngày 7 tháng 12 năm 2026" for an instant, in Vietnam time (UTC+7).
export function vnDateWords(iso) {
  const d = new Date(Date.parse(iso) + 7 * 3600_000);
  return `ngày ${d.getUTCDate()} tháng ${d.getUTCMonth() + 1} năm ${d.getUTCFullYear()}`;
}
