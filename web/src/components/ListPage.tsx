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
