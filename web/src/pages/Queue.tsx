// The queue: every incident the caller may see, overdue first, with a filter
// bar; refreshed every 10 s without reloading the page.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getAll } from '../api';
import { t } from '../i18n';
import { app, codes, lbl } from '../state';
import { ErrorBox, Loading, SeverityBadge, StatusBadge, TimeLeft, isOverdue, nextDeadline, usePoll, useNow, type Deadline } from '../components/ui';
import { fmtDateTime } from '../time';
import { TYPES } from './Report';

interface Filters { status: string; severity: string; org: string; type: string; overdue: boolean; q: string }
const EMPTY: Filters = { status: 'open', severity: '', org: '', type: '', overdue: false, q: '' };
const CLOSED = ['closed', 'rejected'];
const statusMatch = (f: string, s: string) => f === '' || (f === 'open' ? !CLOSED.includes(s) : f === s);
const KEY = 'ungcuu.queueFilters';
type SortKey = 'urgency' | 'number' | 'status' | 'severity' | 'org' | 'detected';

const STATES = ['received', 'acknowledged', 'verified', 'rejected', 'classified', 'containing', 'eradicating', 'recovering', 'reviewing', 'closed'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

function query(f: Filters): string {
  const p = new URLSearchParams();
  p.set('limit', '200');
  // Status is filtered here in the browser so the status counts stay whole.
  for (const k of ['severity', 'org', 'type', 'q'] as const) if (f[k]) p.set(k, f[k].trim());
  if (f.overdue) p.set('overdue', 'true');
  return `/api/v1/incidents?${p}`;
}

export function Queue() {
  const [filters, setFilters] = useState<Filters>(() => {
    try { return { ...EMPTY, ...JSON.parse(sessionStorage.getItem(KEY) || '{}') }; } catch { return EMPTY; }
  });
  const [q, setQ] = useState(filters.q);
  const [items, setItems] = useState<any[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [updated, setUpdated] = useState<number | null>(null);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'urgency', desc: false });
  const busy = useRef(false);
  const t0 = useRef<number | null>(null);
  const now = useNow();

  const load = async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      const r = await getAll(serverQuery, 50);
      t0.current = performance.now();
      setItems(r.items);
      setTruncated(r.truncated);
      setError(null);
      setUpdated(Date.now());
    } catch (e) {
      setError(e);
    } finally {
      busy.current = false;
    }
  };

  const serverQuery = query(filters);
  useEffect(() => {
    sessionStorage.setItem(KEY, JSON.stringify(filters));
  }, [filters]);
  useEffect(() => {
    setItems(null);
    void load();
  }, [serverQuery]);
  usePoll(load, 10_000, [serverQuery]);

  // Debounced free-text search.
  useEffect(() => {
    if (q === filters.q) return;
    const h = setTimeout(() => setFilters((f) => ({ ...f, q })), 350);
    return () => clearTimeout(h);
  }, [q]);

  // Render time of the list (printed by the e2e test for 1,000 incidents).
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
  const sorted = useMemo(() => {
    if (!items) return [];
    const rows = items.filter((i) => statusMatch(filters.status, i.status)).map((i) => {
      const nd = nextDeadline(i.deadlines);
      return { i, nd, over: nd ? isOverdue(nd, now) : false, due: nd ? Date.parse(nd.due_at) : Infinity };
    });
    const cmp: Record<SortKey, (a: typeof rows[0], b: typeof rows[0]) => number> = {
      urgency: (a, b) => Number(b.over) - Number(a.over) || a.due - b.due || (b.i.created_at ?? '').localeCompare(a.i.created_at ?? ''),
      number: (a, b) => (a.i.number ?? '').localeCompare(b.i.number ?? ''),
      status: (a, b) => stOrder.indexOf(a.i.status) - stOrder.indexOf(b.i.status),
      severity: (a, b) => sevOrder.indexOf(b.i.severity) - sevOrder.indexOf(a.i.severity),
      org: (a, b) => (a.i.org?.name ?? '').localeCompare(b.i.org?.name ?? '', 'vi'),
      detected: (a, b) => (b.i.detected_at ?? '').localeCompare(a.i.detected_at ?? ''),
    };
    const c = cmp[sort.key];
    rows.sort((a, b) => (sort.desc ? -c(a, b) : c(a, b)) || cmp.urgency(a, b));
    return rows;
  }, [items, sort, now, filters.status]);

  const overdueCount = sorted.filter((r) => r.over).length;
  const set = (p: Partial<Filters>) => setFilters((f) => ({ ...f, ...p }));
  const val = (e: Event) => (e.target as HTMLSelectElement).value;
  const th = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : undefined}>
      <button type="button" class="sort" onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }))}>
        {label}{sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );

  return (
    <section class="queue">
      <div class="page-head">
        <h1>{t('queue_title')}</h1>
        <a class="button primary" href="#/report">{t('nav_report')}</a>
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="f-q">{t('search')}</label>
          <input id="f-q" type="search" value={q} placeholder={t('search_ph')} onInput={(e) => setQ(val(e))} />
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
          <input type="checkbox" id="f-overdue" checked={filters.overdue} onChange={() => set({ overdue: !filters.overdue })} />
          {' '}{t('overdue_only')}
        </label>
        <button type="button" class="link" onClick={() => { setQ(''); setFilters(EMPTY); }}>{t('clear_filters')}</button>
      </form>

      <ErrorBox error={error} />
      {!items && !error && <Loading />}
      {items && (
        <>
          <div class="chips" role="group" aria-label={t('by_status_short')}>
            {['open', ...stOrder, ''].map((st) => {
              const n = items.filter((i) => statusMatch(st, i.status)).length;
              if (!n && st !== 'open' && st !== '' && filters.status !== st) return null;
              return (
                <button type="button" key={st || 'all'} class={`chip${filters.status === st ? ' on' : ''}`} aria-pressed={filters.status === st}
                  onClick={() => set({ status: st })}>
                  {st === 'open' ? t('open_states') : st === '' ? t('all') : lbl('states', st)} <span class="n">{n}</span>
                </button>
              );
            })}
          </div>
          <p class="summary" aria-live="polite">
            {t('queue_count', { n: sorted.length })}
            {overdueCount > 0 && <> · <span class="overdue">{t('queue_overdue', { n: overdueCount })}</span></>}
            {updated && <span class="muted"> · {t('updated_at', { at: fmtDateTime(updated).slice(11) })}</span>}
            {truncated && <span class="muted"> · {t('queue_truncated')}</span>}
          </p>
          {sorted.length === 0 ? (
            <p class="empty">{t('queue_empty')}</p>
          ) : (
            <table class="list incidents">
              <thead>
                <tr>
                  {th('number', t('number'))}
                  <th scope="col">{t('title')}</th>
                  {th('org', t('org'))}
                  {th('status', t('status'))}
                  {th('severity', t('severity'))}
                  <th scope="col">{t('type')}</th>
                  {th('detected', t('detected_at'))}
                  {th('urgency', t('next_deadline'))}
                </tr>
              </thead>
              <tbody>
                {sorted.map(({ i, nd, over }) => <Row key={i.id} i={i} nd={nd} over={over} now={now} />)}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function Row({ i, nd, over, now }: { i: any; nd: Deadline | null; over: boolean; now: number }) {
  return (
    <tr class={over ? 'row-overdue' : ''}>
      <td data-label={t('number')}><a href={`#/incidents/${i.id}`}>{i.number}</a></td>
      <td data-label={t('title')} class="title-cell"><a href={`#/incidents/${i.id}`}>{i.title}</a></td>
      <td data-label={t('org')}>{i.org?.name}</td>
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
