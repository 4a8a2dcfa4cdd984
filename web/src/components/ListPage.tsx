// The parts every list page shares: the heading with its "new" button, the
// fetch of `items`, and the loading / error / empty / table states.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { ErrorBox, Loading } from './ui';

/** `{"items":[…]}` from url, fetched again when url changes; a late answer to an older url is dropped. */
export function useList<T = any>(url: string): { items: T[] | null; error: unknown } {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setItems(null);
    get(url).then((r) => { if (live) { setItems(r?.items ?? []); setError(null); } }, (e) => { if (live) setError(e); });
    return () => { live = false; };
  }, [url]);
  return { items, error };
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
export function ListState<T>({ items, error, empty, summary, children }: {
  items: T[] | null; error: unknown; empty: string; summary?: ComponentChildren; children: (items: T[]) => ComponentChildren;
}) {
  return (
    <>
      <ErrorBox error={error} />
      {!items && !error && <Loading />}
      {items && (
        <>
          {summary}
          {items.length === 0 ? <p class="empty">{empty}</p> : children(items)}
        </>
      )}
    </>
  );
}
