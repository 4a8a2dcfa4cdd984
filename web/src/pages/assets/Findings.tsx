// Findings: vulnerabilities found on hosts (matched from the inventory or
// reported by a scanner), in the order the server sorts them (known-exploited
// first, then by CVSS), with their due date as time left, accept-risk and reopen.
import { useEffect, useRef, useState } from 'preact/hooks';
import { listQuery, shownCount, useUrlFilters } from '../../components/ListPage';
import { ApiError, get, patch } from '../../api';
import { t, tryT, type Key } from '../../i18n';
import { lbl } from '../../state';
import { ErrorBox, Field, Loading, useNow } from '../../components/ui';
import { fmtDate, fmtDateTime, localInputs, toUtcIso } from '../../time';
import { DueLeft, FindingSeverity, KevBadge, OrgSelect, RecordError, SEVERITIES, addMonths, canWriteRegistry, cpeName, manyOrgs, val } from './common';

const STATUSES = ['open', 'accepted', 'fixed'];

interface Action { id: string; mode: 'accept' | 'reopen'; reason: string; until: string }
const ACTION_KEY = 'ungcuu.findingAction';

function loadAction(): Action | null {
  try { return JSON.parse(sessionStorage.getItem(ACTION_KEY) || 'null'); } catch { return null; }
}

/** One table of findings with the accept-risk / reopen actions, for this page and a host's page. */
export function FindingsTable({ items, now, showHost, onChanged, onReload }: {
  items: any[]; now: number; showHost: boolean; onChanged: (f: any) => void; onReload: () => Promise<unknown>;
}) {
  const [act, setAct] = useState<Action | null>(loadAction);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const write = canWriteRegistry();
  useEffect(() => {
    if (act) sessionStorage.setItem(ACTION_KEY, JSON.stringify(act));
    else sessionStorage.removeItem(ACTION_KEY);
  }, [act]);
  const open = (f: any, mode: Action['mode']) => {
    setErr(null);
    setAct((a) => (a && a.id === f.id && a.mode === mode ? a : { id: f.id, mode, reason: '', until: addMonths(localInputs().date, 3) }));
    setTimeout(() => document.getElementById(mode === 'accept' ? 'fa-reason' : 'fa-confirm')?.focus(), 0);
  };
  const submit = async (e: Event, f: any) => {
    e.preventDefault();
    if (!act) return;
    const body = act.mode === 'accept'
      ? { status: 'accepted', reason: act.reason.trim(), accepted_until: toUtcIso(act.until, '23:59') }
      : { status: 'open' };
    setBusy(true); setErr(null);
    try {
      const x = await patch(`/api/v1/findings/${encodeURIComponent(f.id)}`, body, { ifMatch: f.version });
      onChanged({ ...f, ...(x ?? {}), ...(x ? {} : body) });
      setAct(null);
    } catch (x) {
      setErr(x);
    } finally { setBusy(false); }
  };
  const cols = showHost ? 7 : 6;
  return (
    <table class="list cards-on-phone findings">
      <thead>
        <tr>
          <th scope="col">{t('vuln')}</th>
          {showHost && <th scope="col">{t('host')}</th>}
          <th scope="col">{t('component')}</th>
          <th scope="col">{t('severity')}</th>
          <th scope="col">{t('status')}</th>
          <th scope="col">{t('fix_due')}</th>
          <th scope="col"><span class="visually-hidden">{t('actions')}</span></th>
        </tr>
      </thead>
      <tbody>
        {items.map((f) => {
          const over = f.status === 'open' && (f.overdue || (f.due_at && Date.parse(f.due_at) < now));
          const here = act && act.id === f.id ? act : null;
          return [
            <tr key={f.id} class={over ? 'row-overdue' : ''} data-finding={f.vuln_id}>
              <td data-label={t('vuln')} class="title-cell">
                <strong class="mono">{f.vuln_id}</strong> {!!f.kev && <KevBadge />}
                {f.summary && <><br /><small class="muted clip">{f.summary}</small></>}
              </td>
              {showHost && (
                <td data-label={t('host')}>
                  {f.host ? <a href={`#/hosts/${f.host.id}`}>{f.host.hostname}</a> : '—'}
                  {f.org?.name && <><br /><small class="muted">{f.org.name}</small></>}
                </td>
              )}
              <td data-label={t('component')}>
                <span title={f.package}>{cpeName(f.package) || <span class="muted">—</span>}</span> {f.installed_version && <span class="mono">{f.installed_version}</span>}
                {f.fixed_version && <><br /><small class="ok">{t('fixed_in', { v: f.fixed_version })}</small></>}
                {f.origin && <><br /><small class="muted">{tryT(`origin_${f.origin}`) ?? f.origin}</small></>}
              </td>
              <td data-label={t('severity')}>
                <FindingSeverity s={f.severity} />
                {f.cvss !== null && f.cvss !== undefined && <small class="muted"> CVSS {Number(f.cvss).toFixed(1)}</small>}
              </td>
              <td data-label={t('status')}>
                <span class={`badge fs-${f.status}`}>{t(`fstatus_${f.status}` as Key)}</span>
                {f.status === 'accepted' && f.accepted_until && <><br /><small>{t('accepted_until_d', { d: fmtDate(f.accepted_until) })}</small></>}
                {f.status === 'accepted' && f.reason && <><br /><small class="muted prewrap">{f.reason}</small></>}
                {f.status === 'fixed' && f.fixed_at && <><br /><small class="muted">{fmtDate(f.fixed_at)}</small></>}
              </td>
              <td data-label={t('fix_due')}>
                {f.status === 'open' ? <DueLeft at={f.due_at} now={now} overdue={f.overdue} /> : <span class="muted">—</span>}
              </td>
              <td data-label={t('actions')} class="row-actions">
                {write && f.status === 'open' && (
                  <button type="button" class="button secondary small" aria-expanded={here?.mode === 'accept'} onClick={() => open(f, 'accept')}
                    aria-label={t('accept_risk_for', { v: f.vuln_id })}>{t('accept_risk')}</button>
                )}
                {write && f.status === 'accepted' && (
                  <button type="button" class="button secondary small" aria-expanded={here?.mode === 'reopen'} onClick={() => open(f, 'reopen')}
                    aria-label={t('reopen_for', { v: f.vuln_id })}>{t('reopen')}</button>
                )}
              </td>
            </tr>,
            here && (
              <tr key={`${f.id}-form`} class="row-form">
                <td colSpan={cols}>
                  <form class="finding-action" onSubmit={(e) => submit(e, f)} aria-label={here.mode === 'accept' ? t('accept_risk_for', { v: f.vuln_id }) : t('reopen_for', { v: f.vuln_id })}>
                    <RecordError error={err} onReload={async () => { setErr(null); await onReload(); }} />
                    {here.mode === 'accept' ? (
                      <>
                        <p class="muted">{t('accept_risk_explain')}</p>
                        <div class="grid2">
                          <Field id="fa-reason" label={t('accept_reason')} req error={err instanceof ApiError ? err.fields()['/reason'] : undefined}>
                            <textarea id="fa-reason" rows={2} required maxLength={2000} value={here.reason} onInput={(e) => setAct({ ...here, reason: val(e) })} />
                          </Field>
                          <Field id="fa-until" label={t('accept_until')} req hint={t('hint_accept_until')} error={err instanceof ApiError ? err.fields()['/accepted_until'] : undefined}>
                            <input id="fa-until" type="date" required min={localInputs().date} value={here.until} onInput={(e) => setAct({ ...here, until: val(e) })} />
                          </Field>
                        </div>
                      </>
                    ) : <p>{t('reopen_explain')}</p>}
                    <div class="actions">
                      <button id="fa-confirm" type="submit" class="button primary" disabled={busy}>{busy ? t('sending') : here.mode === 'accept' ? t('accept_risk') : t('reopen')}</button>
                      <button type="button" class="button secondary" onClick={() => { setAct(null); setErr(null); }}>{t('cancel')}</button>
                    </div>
                  </form>
                </td>
              </tr>
            ),
          ];
        })}
      </tbody>
    </table>
  );
}

const FINDING_SORTS = ['priority', 'due', 'first_seen', 'host'] as const;
const EMPTY = { org: '', severity: '', status: 'open', kev: '', overdue: '', sort: 'priority' };

export function FindingsPage() {
  // The view in the URL (#/findings?status=…&kev=true&sort=…): shareable; the server filters, sorts and pages.
  const [f, setView] = useUrlFilters(EMPTY);
  const [items, setItems] = useState<any[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updated, setUpdated] = useState<number | null>(null);
  const seq = useRef(0);
  const now = useNow();
  const q = `/api/v1/findings?${listQuery(f)}`;
  // Every load is numbered: only the answer to the latest one is shown.
  const load = async (append = false) => {
    const mine = ++seq.current;
    try {
      const r = await get(`${q}${append && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (mine !== seq.current) return;
      setItems((old) => (append && old ? [...old, ...(r.items ?? [])] : r.items ?? []));
      setCursor(r.next_cursor ?? null);
      setError(null);
      setUpdated(Date.now());
    } catch (e) { if (mine === seq.current) setError(e); }
  };
  useEffect(() => { setItems(null); setCursor(null); void load(); }, [q]);
  const set = (x: Partial<typeof EMPTY>) => setView(x);
  const overdue = (items ?? []).filter((x) => x.status === 'open' && (x.overdue || (x.due_at && Date.parse(x.due_at) < now))).length;
  const kev = (items ?? []).filter((x) => x.kev).length;
  return (
    <section>
      <h1>{t('findings_title')}</h1>
      <p class="lead">{t('findings_intro')}</p>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        {manyOrgs() && <OrgSelect id="ff-org" label={t('org')} value={f.org} onChange={(v) => set({ org: v })} all />}
        <div class="field">
          <label for="ff-severity">{t('severity')}</label>
          <select id="ff-severity" value={f.severity} onChange={(e) => set({ severity: val(e) })}>
            <option value="">{t('all')}</option>
            {SEVERITIES.map((s) => <option value={s}>{lbl('severities', s)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="ff-status">{t('status')}</label>
          <select id="ff-status" value={f.status} onChange={(e) => set({ status: val(e) })}>
            <option value="">{t('all')}</option>
            {STATUSES.map((s) => <option value={s}>{t(`fstatus_${s}` as Key)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="ff-sort">{t('sort_by')}</label>
          <select id="ff-sort" value={f.sort} onChange={(e) => set({ sort: val(e) })}>
            {FINDING_SORTS.map((k) => <option value={k}>{t(`sort_${k}` as Key)}</option>)}
          </select>
        </div>
        <label class="check field-inline"><input type="checkbox" id="ff-kev" checked={!!f.kev} onChange={() => set({ kev: f.kev ? '' : 'true' })} /> {t('kev_only')}</label>
        <label class="check field-inline"><input type="checkbox" id="ff-overdue" checked={!!f.overdue} onChange={() => set({ overdue: f.overdue ? '' : 'true' })} /> {t('overdue_only_findings')}</label>
        <button type="button" class="link" onClick={() => set(EMPTY)}>{t('clear_filters')}</button>
      </form>
      <ErrorBox error={error} />
      {!items && !error && <Loading />}
      {items && (
        <>
          <p class="summary" aria-live="polite">
            {shownCount(items.length, cursor, t('n_findings', { n: items.length }))}
            {kev > 0 && <> · <span class="badge kev">KEV {kev}</span></>}
            {overdue > 0 && <> · <span class="overdue">{t('queue_overdue', { n: overdue })}</span></>}
            {updated && <span class="muted"> · {t('updated_at', { at: fmtDateTime(updated).slice(11) })}</span>}
            {f.sort === 'priority' && <span class="muted"> · {t('findings_order')}</span>}
          </p>
          {items.length === 0 ? <p class="empty">{t('findings_empty')}</p> : (
            <FindingsTable items={items} now={now} showHost onReload={() => load()}
              onChanged={(x) => setItems((l) => (l ?? []).map((y) => (y.id === x.id ? { ...y, ...x } : y)))} />
          )}
          {cursor && <p class="more"><button type="button" class="button secondary" onClick={() => void load(true)}>{t('load_more')}</button></p>}
        </>
      )}
    </section>
  );
}
