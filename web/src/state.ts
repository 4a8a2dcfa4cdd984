// Application state shared by every page: the session, the server's
// enumerations (/meta), the visible organisations, a one-shot message.
import { useEffect, useState } from 'preact/hooks';
import { get, setCsrf, setUnauthorizedHandler } from './api';
import { getLang, onLangChange, tryT } from './i18n';

export interface Org { id: string; code: string; name: string; kind: string; parent_id?: string | null }
export interface User {
  id: string; username: string; full_name?: string; email?: string; phone?: string;
  org: Org; roles: string[]; disabled?: boolean;
}
export interface Label { code: string; vi?: string; en?: string }
export interface Transition { from: string; to: string; roles: string[]; needs: string[] }
export interface Meta {
  incident_types: Label[]; severities: Label[]; states: Label[]; transitions: Transition[];
  tlp: string[]; roles: Label[]; org_kinds: Label[]; report_kinds: Label[];
  deadline_kinds: Label[]; observable_kinds: Label[];
}
export type LabelGroup = 'incident_types' | 'severities' | 'states' | 'roles' | 'org_kinds'
  | 'report_kinds' | 'deadline_kinds' | 'observable_kinds';

export interface AppState {
  ready: boolean;
  user: User | null;
  meta: Meta | null;
  orgs: Org[] | null;
  /** Shown once on the next page (e.g. "your session expired"). */
  flash: { kind: 'info' | 'error'; text: string } | null;
}

export const app: AppState = { ready: false, user: null, meta: null, orgs: null, flash: null };
const listeners = new Set<() => void>();
let version = 0;

export function setApp(p: Partial<AppState>) {
  Object.assign(app, p);
  version++;
  listeners.forEach((l) => l());
}

/** Re-renders the caller on any change of app state or language. */
export function useApp(): AppState {
  const [, force] = useState(0);
  const seen = version;
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    const off = onLangChange(l);
    // A change between this render and the subscription (a fast answer to the
    // first request) would otherwise be lost.
    if (version !== seen) l();
    return () => { listeners.delete(l); off(); };
  }, []);
  return app;
}

/** Organisations as a tree in display order, each with its depth (parents first). */
export function orgTree(orgs: Org[]): { org: Org; depth: number }[] {
  const ids = new Set(orgs.map((o) => o.id));
  const kids = new Map<string | null, Org[]>();
  for (const o of orgs) {
    const p = o.parent_id && ids.has(o.parent_id) ? o.parent_id : null;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p)!.push(o);
  }
  const out: { org: Org; depth: number }[] = [];
  const walk = (p: string | null, depth: number) => {
    for (const o of kids.get(p) ?? []) { out.push({ org: o, depth }); if (depth < 20) walk(o.id, depth + 1); }
  };
  walk(null, 0);
  return out;
}

export function hasRole(...roles: string[]): boolean {
  return !!app.user && app.user.roles.some((r) => roles.includes(r));
}

const LABEL_GROUPS: LabelGroup[] = ['incident_types', 'severities', 'states', 'roles', 'org_kinds',
  'report_kinds', 'deadline_kinds', 'observable_kinds'];

function normMeta(m: any): Meta {
  const out: any = { ...m };
  for (const g of LABEL_GROUPS) {
    out[g] = (Array.isArray(m?.[g]) ? m[g] : []).map((x: any) => (typeof x === 'string' ? { code: x } : x));
  }
  out.transitions = Array.isArray(m?.transitions) ? m.transitions.map((t: any) => ({ ...t, roles: t.roles ?? [], needs: t.needs ?? [] })) : [];
  out.tlp = Array.isArray(m?.tlp) ? m.tlp.map((x: any) => (typeof x === 'string' ? x : x.code)) : [];
  return out as Meta;
}

/** The label of an enumeration value: the server's (/meta), else ours, else the code. */
export function lbl(group: LabelGroup, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '';
  const lang = getLang();
  const item = app.meta?.[group]?.find((x) => x.code === code);
  if (item && (item[lang] || item.vi)) return (item[lang] || item.vi) as string;
  return tryT(`${group}.${code}`) ?? code;
}

/** Codes of an enumeration: the server's list, else our fallback list. */
export function codes(group: LabelGroup, fallback: string[]): string[] {
  const l = app.meta?.[group];
  return l && l.length ? l.map((x) => x.code) : fallback;
}

export async function loadMeta() {
  try {
    const [meta, orgs] = await Promise.all([get('/api/v1/meta'), get('/api/v1/orgs')]);
    setApp({ meta: normMeta(meta), orgs: orgs?.items ?? [] });
  } catch {
    /* a page shows its own error when it needs these */
  }
}

export function sessionStarted(user: User, csrf: string) {
  setCsrf(csrf);
  setApp({ user, flash: null });
  void loadMeta();
}

export function sessionEnded(flash: AppState['flash'] = null) {
  setCsrf(null);
  setApp({ user: null, flash, meta: app.meta });
}

/** First load: are we already logged in? */
export async function boot() {
  setUnauthorizedHandler(() => {
    if (!app.user) return;
    const back = location.hash;
    sessionEnded({ kind: 'error', text: 'session_expired' });
    sessionStorage.setItem('ungcuu.back', back);
    location.hash = '#/login';
  });
  try {
    const s = await get('/api/v1/session', { no401: true });
    sessionStarted(s.user, s.csrf);
  } catch {
    /* not logged in (401) or server down: the login page says which */
  }
  setApp({ ready: true });
}
