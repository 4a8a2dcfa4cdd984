// The queue: one page of incidents at a time from the server, which filters,
// searches (full text, diacritics ignored) and sorts; the view lives in the
// URL (#/queue?status=open&q=…) so it can be shared and bookmarked; saved
// views per person; CSV export of the view; bulk actions on the selection.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { del, get, getFile, post } from '../api';
import { t } from '../i18n';
import { app, codes, hasRole, lbl } from '../state';
import { ErrorBox, Loading, SeverityBadge, StatusBadge, TimeLeft, isOverdue, nextDeadline, usePoll, useNow, type Deadline } from '../components/ui';
import { fmtDateTime } from '../time';
import { TYPES } from './Report';

interface Filters {
  status: string; severity: string; org: string; type: string; overdue: boolean; due_soon: boolean;
  q: string; sort: string; order: string;
}
const EMPTY: Filters = { status: 'open', severity: '', org: '', type: '', overdue: false, due_soon: false, q: '', sort: '', order: '' };
type SortKey = 'created' | 'due' | 'number' | 'detected';
const DEFAULT_DESC: Record<SortKey, boolean> = { created: true, due: false, number: false, detected: true };
const PAGE = 50;

const STATES = ['received', 'acknowledged', 'verified', 'rejected', 'classified', 'containing', 'eradicating', 'recovering', 'reviewing', 'closed'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/** The view from the URL: #/queue?status=…; "all" states is status=all. */
export function filtersFromHash(h = location.hash): Filters {
  const p = new URLSearchParams(h.split('?')[1] ?? '');
  const f: Filters = { ...EMPTY };
  for (const k of ['severity', 'org', 'type', 'q', 'sort', 'order'] as const) f[k] = p.get(k) ?? '';
  const st = p.get('status');
  f.status = st === null ? 'open' : st === 'all' ? '' : st;
  f.overdue = p.get('overdue') === 'true';
  f.due_soon = p.get('due_soon') === 'true';
  return f;
}

/** The view as the URL's query (defaults left out). */
function viewQuery(f: Filters): string {
  const p = new URLSearchParams();
  if (f.status !== 'open') p.set('status', f.status || 'all');
  for (const k of ['severity', 'org', 'type', 'q', 'sort', 'order'] as const) if (f[k].trim()) p.set(k, f[k].trim());
  if (f.overdue) p.set('overdue', 'true');
  if (f.due_soon) p.set('due_soon', 'true');
  return p.toString();
}

/** The same view as the server's query. */
function serverQuery(f: Filters): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  for (const k of ['severity', 'org', 'type', 'q', 'sort', 'order'] as const) if (f[k].trim()) p.set(k, f[k].trim());
  if (f.overdue) p.set('overdue', 'true');
  if (f.due_soon) p.set('due_soon', 'true');
  return p.toString();
}

export function Queue() {
  const [filters, setFilters] = useState<Filters>(() => filtersFromHash());
  const [q, setQ] = useState(filters.q);
  const [items, setItems] = useState<any[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [pages, setPages] = useState(1);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [updated, setUpdated] = useState<number | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const seq = useRef(0);
  const t0 = useRef<number | null>(null);
  const now = useNow();
  const sq = serverQuery(filters);
  const bulkAllowed = hasRole('coordinator');

  // The URL follows the view (replace: typing does not fill the history),
  // and a changed URL (back, a shared link, a saved view) sets the view.
  useEffect(() => {
    const want = viewQuery(filters);
    const base = location.hash.split('?')[0] || '#/queue';
    const next = want ? `${base}?${want}` : base;
    if (location.hash !== next) history.replaceState(null, '', next);
  }, [filters]);
  useEffect(() => {
    const on = () => {
      const f = filtersFromHash();
      if (viewQuery(f) !== viewQuery(filters)) { setFilters(f); setQ(f.q); }
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, [filters]);

  // Every load is numbered: only the answer to the latest one is shown, so
  // a filter changed while a page is on its way is never lost nor mixed in.
  const load = async (append: boolean) => {
    const mine = ++seq.current;
    try {
      const c = append ? cursor : null;
      const r = await get(`/api/v1/incidents?${sq}${sq ? '&' : ''}limit=${PAGE}${c ? `&cursor=${encodeURIComponent(c)}` : ''}`);
      if (mine !== seq.current) return;
      t0.current = performance.now();
      setItems((old) => (append && old ? [...old, ...r.items] : r.items));
      setCursor(r.next_cursor);
      setMore(!!r.next_cursor);
      if (append) setPages((n) => n + 1);
      setError(null);
      setUpdated(Date.now());
    } catch (e) {
      if (mine === seq.current) setError(e);
    }
  };

  useEffect(() => {
    setItems(null);
    setPages(1);
    setSelected(new Set());
    void load(false);
  }, [sq]);
  // Refreshed every 10 s while only the first page is shown and nothing is selected.
  usePoll(() => { if (pages === 1 && selected.size === 0) void load(false); }, 10_000, [sq, pages, selected.size]);

  // Debounced search.
  useEffect(() => {
    if (q === filters.q) return;
    const h = setTimeout(() => setFilters((f) => ({ ...f, q })), 350);
    return () => clearTimeout(h);
  }, [q]);

  // Render time of the list (printed by the e2e tests and the bench).
  useLayoutEffect(() => {
    if (t0.current !== null && items) {
      const ms = performance.now() - t0.current;
      t0.current = null;
      document.body.dataset.queueRenderMs = ms.toFixed(1);
      document.body.dataset.queueRows = String(items.length);
    }
  }, [items]);

  const sevOrder = codes('severities', SEVERITIES);
  const stOrder = codes('states', STATES);
  const set = (p: Partial<Filters>) => setFilters((f) => ({ ...f, ...p }));
  const val = (e: Event) => (e.target as HTMLSelectElement).value;
  const sortKey = (filters.sort || 'created') as SortKey;
  const desc = filters.order ? filters.order === 'desc' : DEFAULT_DESC[sortKey];
  const th = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sortKey === key ? (desc ? 'descending' : 'ascending') : undefined}>
      <button type="button" class="sort" onClick={() => set({ sort: key, order: sortKey === key ? (desc ? 'asc' : 'desc') : '' })}>
        {label}{sortKey === key ? (desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  const filtered = viewQuery(filters) !== '';
  const rows = (items ?? []).map((i) => {
    const nd = nextDeadline(i.deadlines);
    return { i, nd, over: nd ? isOverdue(nd, now) : false };
  });
  const overdueCount = rows.filter((r) => r.over).length;
  const toggle = (id: string) => setSelected((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id); else n.add(id);
    return n;
  });
  const allOn = rows.length > 0 && rows.every((r) => selected.has(r.i.id));

  return (
    <section class="queue">
      <div class="page-head">
        <h1>{t('queue_title')}</h1>
        <a class="button primary" href="#/report">{t('nav_report')}</a>
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="f-q">{t('search')}</label>
          <input id="f-q" type="search" value={q} placeholder={t('search_full_ph')} maxLength={200} onInput={(e) => setQ(val(e))} />
        </div>
        <div class="field">
          <label for="f-status">{t('status')}</label>
          <select id="f-status" value={filters.status} onChange={(e) => set({ status: val(e) })}>
            <option value="open">{t('open_states')}</option>
            <option value="">{t('all')}</option>
            {stOrder.map((s) => <option value={s}>{lbl('states', s)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="f-severity">{t('severity')}</label>
          <select id="f-severity" value={filters.severity} onChange={(e) => set({ severity: val(e) })}>
            <option value="">{t('all')}</option>
            {sevOrder.map((s) => <option value={s}>{lbl('severities', s)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="f-type">{t('type')}</label>
          <select id="f-type" value={filters.type} onChange={(e) => set({ type: val(e) })}>
            <option value="">{t('all')}</option>
            {codes('incident_types', TYPES).map((s) => <option value={s}>{lbl('incident_types', s)}</option>)}
          </select>
        </div>
        {(app.orgs?.length ?? 0) > 1 && (
          <div class="field">
            <label for="f-org">{t('org')}</label>
            <select id="f-org" value={filters.org} onChange={(e) => set({ org: val(e) })}>
              <option value="">{t('all')}</option>
              {(app.orgs ?? []).map((o) => <option value={o.code}>{o.name}</option>)}
            </select>
          </div>
        )}
        <label class="check field-inline">
          <input type="checkbox" id="f-overdue" checked={filters.overdue} onChange={() => set({ overdue: !filters.overdue, due_soon: false })} />
          {' '}{t('overdue_only')}
        </label>
        <label class="check field-inline">
          <input type="checkbox" id="f-due-soon" checked={filters.due_soon} onChange={() => set({ due_soon: !filters.due_soon, overdue: false })} />
          {' '}{t('due_soon_only')}
        </label>
        <button type="button" class="link" onClick={() => { setQ(''); setFilters(EMPTY); }}>{t('clear_filters')}</button>
      </form>
      <SavedFilters current={viewQuery(filters)} apply={(query) => { const f = filtersFromHash(`#/queue?${query}`); setFilters(f); setQ(f.q); }} />

      <ErrorBox error={error} />
      {!items && !error && <Loading />}
      {items && (
        <>
          <div class="chips" role="group" aria-label={t('by_status_short')}>
            {['open', ...stOrder, ''].map((st) => (
              <button type="button" key={st || 'all'} class={`chip${filters.status === st ? ' on' : ''}`} aria-pressed={filters.status === st}
                onClick={() => set({ status: st })}>
                {st === 'open' ? t('open_states') : st === '' ? t('all') : lbl('states', st)}
              </button>
            ))}
          </div>
          <p class="summary" aria-live="polite">
            {t(more ? 'queue_shown_more' : 'queue_count', { n: rows.length })}
            {overdueCount > 0 && <> · <span class="overdue">{t('queue_overdue', { n: overdueCount })}</span></>}
            {updated && <span class="muted"> · {t('updated_at', { at: fmtDateTime(updated).slice(11) })}</span>}
            {' '}<ExportButton query={sq} />
          </p>
          {bulkAllowed && selected.size > 0 && (
            <BulkBar ids={[...selected]} items={items} done={() => { setSelected(new Set()); void load(false); }} />
          )}
          {rows.length === 0 ? (
            <p class="empty">{t(filtered ? 'queue_empty' : 'queue_none')}</p>
          ) : (
            <table class="list incidents">
              <thead>
                <tr>
                  {bulkAllowed && (
                    <th scope="col" class="sel">
                      <label>
                        <input type="checkbox" checked={allOn}
                          onChange={() => setSelected(allOn ? new Set() : new Set(rows.map((r) => r.i.id)))} />
                        <span class="visually-hidden">{t('select_page')}</span>
                      </label>
                    </th>
                  )}
                  {th('number', t('number'))}
                  <th scope="col">{t('title')}</th>
                  <th scope="col">{t('org')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{t('severity')}</th>
                  <th scope="col">{t('type')}</th>
                  {th('detected', t('detected_at'))}
                  {th('due', t('next_deadline'))}
                </tr>
              </thead>
              <tbody>
                {rows.map(({ i, nd, over }) => (
                  <Row key={i.id} i={i} nd={nd} over={over} now={now}
                    select={bulkAllowed ? { on: selected.has(i.id), toggle: () => toggle(i.id) } : null} />
                ))}
              </tbody>
            </table>
          )}
          {more && (
            <p class="more">
              <button type="button" class="button secondary" onClick={() => void load(true)}>{t('load_more')}</button>
            </p>
          )}
        </>
      )}
    </section>
  );
}

function Row({ i, nd, over, now, select }: {
  i: any; nd: Deadline | null; over: boolean; now: number; select: { on: boolean; toggle: () => void } | null;
}) {
  return (
    <tr class={over ? 'row-overdue' : ''}>
      {select && (
        <td class="sel">
          <label>
            <input type="checkbox" checked={select.on} onChange={select.toggle} />
            <span class="visually-hidden">{t('select_incident', { n: i.number })}</span>
          </label>
        </td>
      )}
      <td data-label={t('number')}><a href={`#/incidents/${i.id}`}>{i.number}</a></td>
      <td data-label={t('title')} class="title-cell"><a href={`#/incidents/${i.id}`}>{i.title}</a></td>
      <td data-label={t('org')}>{i.mirror ? <span class="org-mirror">{i.mirror.org_name} <span class="badge mirror">{t('sync_from_below', { instance: i.mirror.instance })}</span></span> : i.org?.name}</td>
      <td data-label={t('status')}><StatusBadge status={i.status} /></td>
      <td data-label={t('severity')}><SeverityBadge severity={i.severity} /></td>
      <td data-label={t('type')}>{lbl('incident_types', i.type)}</td>
      <td data-label={t('detected_at')}>{fmtDateTime(i.detected_at)}</td>
      <td data-label={t('next_deadline')}>
        {nd && <small class="muted">{lbl('deadline_kinds', nd.kind)}: </small>}
        <TimeLeft d={nd} now={now} />
      </td>
    </tr>
  );
}

/** The view as CSV, made by the server (formulas defused there). */
function ExportButton({ query }: { query: string }) {
  const [err, setErr] = useState<unknown>(null);
  const run = async () => {
    try {
      const { blob } = await getFile(`/api/v1/incidents.csv${query ? `?${query}` : ''}`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'ungcuu-incidents.csv';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setErr(null);
    } catch (e) { setErr(e); }
  };
  return (
    <>
      <button type="button" class="link" id="export-csv" onClick={() => void run()}>{t('export_csv')}</button>
      {!!err && <ErrorBox error={err} />}
    </>
  );
}

/** A person's saved views: apply, save the current one under a name, delete. */
function SavedFilters({ current, apply }: { current: string; apply: (q: string) => void }) {
  const [list, setList] = useState<any[]>([]);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const reload = () => get('/api/v1/saved-filters').then((r) => setList(r.items ?? []), setErr);
  useEffect(() => { void reload(); }, []);
  const save = async () => {
    try {
      const r = await post('/api/v1/saved-filters', { name: name.trim(), query: current });
      setName('');
      setChosen(r.id);
      setErr(null);
      await reload();
    } catch (e) { setErr(e); }
  };
  const remove = async () => {
    try {
      await del(`/api/v1/saved-filters/${chosen}`);
      setChosen('');
      setErr(null);
      await reload();
    } catch (e) { setErr(e); }
  };
  return (
    <details class="saved-filters" id="saved-filters">
      <summary>{t('saved_views')} <span class="n">{list.length}</span></summary>
      <div class="field">
        <label for="saved-view">{t('saved_views')}</label>
        <select id="saved-view" value={chosen} onChange={(e) => {
          const id = (e.target as HTMLSelectElement).value;
          setChosen(id);
          const f = list.find((x) => x.id === id);
          if (f) apply(f.query);
        }}>
          <option value="">{t('saved_views_pick')}</option>
          {list.map((f) => <option value={f.id}>{f.name}</option>)}
        </select>
      </div>
      {chosen && <button type="button" class="link" onClick={() => void remove()}>{t('saved_view_delete')}</button>}
      <div class="field">
        <label for="saved-name">{t('saved_view_name')}</label>
        <input id="saved-name" value={name} maxLength={100} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </div>
      <button type="button" class="button secondary small" disabled={!name.trim()} onClick={() => void save()}>{t('saved_view_save')}</button>
      <ErrorBox error={err} />
    </details>
  );
}

/** Bulk actions on the selected incidents, each checked on its own by the server. */
function BulkBar({ ids, items, done }: { ids: string[]; items: any[]; done: () => void }) {
  const [users, setUsers] = useState<any[] | null>(null);
  const [user, setUser] = useState('');
  const [dup, setDup] = useState('');
  const [results, setResults] = useState<any[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { get('/api/v1/users').then((r) => setUsers(r.items ?? []), () => setUsers([])); }, []);
  const byId = new Map(items.map((i) => [i.id, i]));
  const run = async (body: Record<string, unknown>) => {
    setBusy(true);
    try {
      const r = await post('/api/v1/incidents/bulk', { ...body, items: ids.map((id) => ({ id, version: byId.get(id)?.version ?? 1 })) });
      setResults(r.results);
      setErr(null);
      if (r.failed === 0) done();
    } catch (e) { setErr(e); } finally { setBusy(false); }
  };
  const markDuplicate = async () => {
    try {
      const r = await get(`/api/v1/incidents?q=${encodeURIComponent(dup.trim())}&limit=5`);
      const keep = (r.items ?? []).find((x: any) => x.number.toLowerCase() === dup.trim().toLowerCase());
      if (!keep) { setErr(new Error(t('bulk_dup_unknown', { n: dup.trim() }))); return; }
      await run({ action: 'duplicate', duplicate_of: keep.id });
    } catch (e) { setErr(e); }
  };
  return (
    <div class="bulk" role="region" aria-label={t('bulk_label')}>
      <strong>{t('bulk_selected', { n: ids.length })}</strong>
      <button type="button" class="button secondary small" disabled={busy} onClick={() => void run({ action: 'acknowledge' })}>{t('bulk_ack')}</button>
      <span class="bulk-group">
        <label for="bulk-user">{t('bulk_assign')}</label>
        <select id="bulk-user" value={user} onChange={(e) => setUser((e.target as HTMLSelectElement).value)}>
          <option value="">—</option>
          {(users ?? []).map((u) => <option value={u.id}>{u.full_name || u.username}</option>)}
        </select>
        <button type="button" class="button secondary small" disabled={busy || !user} onClick={() => void run({ action: 'assign', user_id: user })}>{t('bulk_assign_go')}</button>
      </span>
      <span class="bulk-group">
        <label for="bulk-dup">{t('bulk_dup')}</label>
        <input id="bulk-dup" value={dup} placeholder="PQ-2026-0001" onInput={(e) => setDup((e.target as HTMLInputElement).value)} />
        <button type="button" class="button secondary small" disabled={busy || !dup.trim()} onClick={() => void markDuplicate()}>{t('bulk_dup_go')}</button>
      </span>
      <ErrorBox error={err} />
      {results && (
        <ul class="bulk-results" aria-live="polite">
          {results.map((r) => (
            <li class={r.ok ? 'ok' : 'failed'}>
              {byId.get(r.id)?.number ?? r.id}: {r.ok ? t('bulk_ok') : r.error?.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
