// The only way the UI talks to the server: JSON over fetch, the session cookie,
// the CSRF header on every non-GET request, Accept-Language, and one place that
// turns a 401 into "back to the login page".
import { getLang } from './i18n';

export interface ProblemField { pointer?: string; detail?: string }
export interface Problem {
  type?: string; status?: number; title?: string; detail?: string; errors?: ProblemField[];
}

export class ApiError extends Error {
  status: number;
  problem: Problem | null;
  retryAfter: number | null;
  constructor(status: number, problem: Problem | null, retryAfter: number | null) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  /** Field errors keyed by JSON pointer ("/reporter/email"). */
  fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem?.errors ?? []) {
      if (e.pointer) out[e.pointer] = e.detail ?? '';
    }
    return out;
  }
}

let csrf: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrf(token: string | null) { csrf = token; }
export function setUnauthorizedHandler(fn: () => void) { onUnauthorized = fn; }

export interface ReqOpts {
  ifMatch?: number | string;
  headers?: Record<string, string>;
  /** Raw body (attachments): sent as is, with its own Content-Type. */
  raw?: Blob | ArrayBuffer;
  /** Do not treat a 401 as an expired session (login, first session check). */
  no401?: boolean;
  signal?: AbortSignal;
}

export async function api<T = any>(method: string, path: string, body?: unknown, opts: ReqOpts = {}): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
  if (getLang() === 'en') h['Accept-Language'] = 'en';
  else h['Accept-Language'] = 'vi';
  if (method !== 'GET' && method !== 'HEAD' && csrf) h['X-CSRF-Token'] = csrf;
  if (opts.ifMatch !== undefined) h['If-Match'] = `"${opts.ifMatch}"`;
  let payload: BodyInit | undefined;
  if (opts.raw !== undefined) {
    payload = opts.raw;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  let r: Response;
  try {
    r = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, null, null);
  }
  if (r.status === 204) return undefined as T;
  const text = await r.text();
  let data: any = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!r.ok) {
    const ra = r.headers.get('Retry-After');
    const err = new ApiError(r.status, data && typeof data === 'object' ? data : null, ra ? parseRetryAfter(ra) : null);
    if (r.status === 401 && !opts.no401 && onUnauthorized) onUnauthorized();
    throw err;
  }
  return data as T;
}

function parseRetryAfter(v: string): number | null {
  const n = Number(v);
  if (Number.isFinite(n)) return Math.max(0, Math.round(n));
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, Math.round((d - Date.now()) / 1000)) : null;
}

/**
 * A GET whose answer is a file (exports): the body as a Blob with the response
 * headers. Failures throw ApiError like api() (problem+json read when present).
 */
export async function getFile(path: string, signal?: AbortSignal): Promise<{ blob: Blob; headers: Headers }> {
  const h: Record<string, string> = { 'Accept-Language': getLang() === 'en' ? 'en' : 'vi' };
  let r: Response;
  try {
    r = await fetch(path, { headers: h, credentials: 'same-origin', signal });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, null, null);
  }
  if (!r.ok) {
    let data: any = null;
    try { data = JSON.parse(await r.text()); } catch { data = null; }
    if (r.status === 401 && onUnauthorized) onUnauthorized();
    throw new ApiError(r.status, data && typeof data === 'object' ? data : null, null);
  }
  return { blob: await r.blob(), headers: r.headers };
}

export const get = <T = any>(p: string, o?: ReqOpts) => api<T>('GET', p, undefined, o);
export const post = <T = any>(p: string, b?: unknown, o?: ReqOpts) => api<T>('POST', p, b ?? {}, o);
export const patch = <T = any>(p: string, b?: unknown, o?: ReqOpts) => api<T>('PATCH', p, b ?? {}, o);
export const del = <T = any>(p: string, o?: ReqOpts) => api<T>('DELETE', p, undefined, o);

export interface List<T> { items: T[]; next_cursor: string | null }

/** Follows next_cursor up to maxPages pages (bounded: a queue never loads forever). */
export async function getAll<T = any>(path: string, maxPages = 50, signal?: AbortSignal): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path;
    const page: List<T> = await get<List<T>>(url, { signal });
    items.push(...(page.items ?? []));
    cursor = page.next_cursor ?? null;
    if (!cursor) return { items, truncated: false };
  }
  return { items, truncated: true };
}
