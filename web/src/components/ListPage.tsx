// The parts every list page shares: the heading with its "new" button, the
// fetch of `items`, and the loading / error / empty / table states.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api';
import { ErrorBox, Loading } from './ui';
import { t } from '../i18n';

/**
 * `{"items":[…], "next_cursor"}` from url, fetched again when url changes; a
 * late answer to an older url is dropped. When the server pages (next_cursor),
 * `more` asks for the next page and appends it.
 */
export function useList<T = any>(url: string): { items: T[] | null; error: unknown; more: (() => void) | null } {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const live = useRef(0);
  useEffect(() => {
    const mine = ++live.current;
    setItems(null);
    setCursor(null);
    get(url).then((r) => {
      if (live.current !== mine) return;
      setItems(r?.items ?? []); setCursor(r?.next_cursor ?? null); setError(null);
    }, (e) => { if (live.current === mine) setError(e); });
    return () => { live.current++; };
  }, [url]);
  const more = cursor ? () => {
    const mine = live.current;
    get(`${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`).then((r) => {
      if (live.current !== mine) return;
      setItems((old) => [...(old ?? []), ...(r?.items ?? [])]);
      setCursor(r?.next_cursor ?? null);
    }, (e) => { if (live.current === mine) setError(e); });
  } : null;
  return { items, error, more };
}

/**
 * A list page's filters kept in its URL (#/hosts?org=…&q=…), so a view can be
 * shared and bookmarked: read from the URL, written back with replaceState
 * (typing does not fill the history), and read again when the URL changes
 * (back, a shared link). Values equal to the default are left out (an empty one that is not the default is kept: status= is "all").
 */
export function useUrlFilters<T extends Record<string, string>>(defaults: T): [T, (p: Partial<T>) => void] {
  const read = (): T => {
    const p = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const out: Record<string, string> = { ...defaults };
    for (const k of Object.keys(defaults)) { const v = p.get(k); if (v !== null) out[k] = v; }
    return out as T;
  };
  const [f, setF] = useState<T>(read);
  useEffect(() => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v !== defaults[k]) p.set(k, v);
    const base = location.hash.split('?')[0];
    const next = p.toString() ? `${base}?${p}` : base;
    if (location.hash !== next) history.replaceState(null, '', next);
  }, [f]);
  useEffect(() => {
    const on = () => { const n = read(); if (JSON.stringify(n) !== JSON.stringify(f)) setF(n); };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, [f]);
  return [f, (x) => setF((o) => ({ ...o, ...x }))];
}

/** The filters that are set, as the server's query ("org=pq&q=web"), after `extra`. */
export function listQuery(f: Record<string, string>, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...extra, ...f })) if (v.trim()) p.set(k, v.trim());
  return p.toString();
}

/** value, once it has not changed for ms (a search box asks the server when typing pauses). */
export function useSettled<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => { const h = setTimeout(() => setV(value), ms); return () => clearTimeout(h); }, [value]);
  return v;
}

/**
 * The filter bar of a list: a search box asking the server once typing
 * pauses (first: the widest on a phone), the page's own filters (children),
 * and the server's sorts.
 */
export function ListFilters({ id, q, onQ, ph, sort, sorts, onSort, children }: {
  id: string; q: string; onQ: (v: string) => void; ph: string;
  sort: string; sorts: [string, string][]; onSort: (v: string) => void; children?: ComponentChildren;
}) {
  const [text, setText] = useState(q);
  const settled = useSettled(text);
  useEffect(() => { if (settled !== q) onQ(settled); }, [settled]);
  useEffect(() => { setText(q); }, [q]);
  return (
    <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); onQ(text); }}>
      <div class="field">
        <label for={`${id}-q`}>{t('search')}</label>
        <input id={`${id}-q`} type="search" maxLength={300} value={text} placeholder={ph} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
      </div>
      {children}
      <div class="field">
        <label for={`${id}-sort`}>{t('sort_by')}</label>
        <select id={`${id}-sort`} value={sort || sorts[0][0]} onChange={(e) => onSort((e.target as HTMLSelectElement).value)}>
          {sorts.map(([v, label]) => <option value={v}>{label}</option>)}
        </select>
      </div>
    </form>
  );
}

/** "12 systems", or "the first 50 shown; more below" while the server has more. */
export function shownCount(n: number, more: unknown, unit: string): string {
  return more ? t('n_shown_more', { n, unit }) : unit;
}

/** A list page's heading, with the button to add one when the caller may. */
export function PageHead({ title, newHref, newLabel }: { title: string; newHref?: string | false; newLabel?: string }) {
  return (
    <div class="page-head">
      <h1>{title}</h1>
      {newHref && <a class="button primary" href={newHref}>{newLabel}</a>}
    </div>
  );
}

/** The error, "loading", the summary line, then the empty message or the table (children). */
export function ListState<T>({ items, error, empty, summary, children, more }: {
  items: T[] | null; error: unknown; empty: string; summary?: ComponentChildren; children: (items: T[]) => ComponentChildren;
  more?: (() => void) | null;
}) {
  return (
    <>
      <ErrorBox error={error} />
      {!items && !error && <Loading />}
      {items && (
        <>
          {summary}
          {items.length === 0 ? <p class="empty">{empty}</p> : children(items)}
          {more && <p class="more"><button type="button" class="button secondary" onClick={more}>{t('load_more')}</button></p>}
        </>
      )}
    </>
  );
}
