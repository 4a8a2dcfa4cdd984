// Alerts from syslog (issue 17 item 6): lines from the agencies' firewalls
// and servers that hit an indicator or a configured rule, grouped per
// organisation and match. A coordinator promotes one to an incident in one
// click (its observable attached) or dismisses it with a reason.
import { useEffect, useState } from 'preact/hooks';
import { get, getAll, post } from '../api';
import { t, type Key } from '../i18n';
import { codes, hasRole, lbl } from '../state';
import { go } from '../router';
import { ErrorBox, Loading, SeverityBadge, usePoll } from '../components/ui';
import { fmtDateTime } from '../time';

const STATUSES = ['open', 'promoted', 'dismissed', 'all'];

function AlertRow({ a, decide, onDone }: { a: any; decide: boolean; onDone: (msg: string) => void }) {
  const [type, setType] = useState('other');
  const [reason, setReason] = useState('');
  const [dismissing, setDismissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const promote = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await post(`/api/v1/alerts/${a.id}/promote`, { type }, { ifMatch: a.version });
      onDone(t('al_promoted', { n: r.incident_number ?? '' }));
    } catch (e) { setError(e); } finally { setBusy(false); }
  };
  const dismiss = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post(`/api/v1/alerts/${a.id}/dismiss`, { reason }, { ifMatch: a.version });
      onDone(t('al_dismissed_done'));
    } catch (e) { setError(e); } finally { setBusy(false); }
  };
  return (
    <li class={`alert-item st-${a.status}`} id={`alert-${a.id}`}>
      <div class="alert-head">
        <SeverityBadge severity={a.severity} />{' '}
        <strong>{t(`al_kind_${a.kind}` as Key)}:</strong> <code class="alert-match">{a.match}</code>
        {a.observed !== a.match && <> (<code>{a.observed}</code>)</>}
        {' '}<span class="badge count" title={t('al_count')}>×{a.count}</span>
      </div>
      <div class="muted alert-meta">
        {a.org.name} · {t('al_source')}: {a.source}{a.host ? ` (${a.host})` : ''} ·{' '}
        {t('al_first')} {fmtDateTime(a.first_seen)} · {t('al_last')} {fmtDateTime(a.last_seen)}
      </div>
      <pre class="alert-sample">{a.sample}</pre>
      {a.status === 'promoted' && a.incident_id && (
        <p>{t('al_incident')}: <a href={`#/incidents/${a.incident_id}`}>{a.incident_number}</a></p>
      )}
      {a.status === 'dismissed' && <p class="muted">{t('al_dismissed_reason')}: {a.reason}</p>}
      <ErrorBox error={error} />
      {decide && a.status === 'open' && (
        <div class="actions alert-actions">
          <label>{t('al_type')}{' '}
            <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
              {codes('incident_types', ['dos', 'phishing', 'malware', 'intrusion', 'defacement', 'encryption', 'destruction', 'espionage', 'combined', 'other'])
                .map((c) => <option value={c}>{lbl('incident_types', c)}</option>)}
            </select>
          </label>{' '}
          <button type="button" class="primary promote" disabled={busy} onClick={promote}>{t('al_promote')}</button>{' '}
          {!dismissing && <button type="button" class="dismiss" disabled={busy} onClick={() => setDismissing(true)}>{t('al_dismiss')}</button>}
          {dismissing && (
            <form class="inline" onSubmit={dismiss}>
              <label>{t('al_reason')}{' '}
                <input required maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
              </label>{' '}
              <button type="submit" disabled={busy || !reason.trim()}>{t('al_dismiss_confirm')}</button>{' '}
              <button type="button" class="link" onClick={() => setDismissing(false)}>{t('cancel')}</button>
            </form>
          )}
        </div>
      )}
    </li>
  );
}

export function Alerts() {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const status = STATUSES.includes(q.get('status') ?? '') ? q.get('status')! : 'open';
  const [list, setList] = useState<any[] | null>(null);
  const [intake, setIntake] = useState<any | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const load = () => {
    getAll(`/api/v1/alerts?status=${status}&limit=200`, 10).then((r) => { setList(r.items); setError(null); }, setError);
    get('/api/v1/syslog/status').then(setIntake, () => setIntake(null));
  };
  useEffect(() => { load(); }, [status]);
  usePoll(load, 30_000, [status]);
  const decide = hasRole('coordinator');
  const c = intake?.counters;
  const refused = c ? c.empty + c.too_long + c.bad_pri + c.bad_header + c.bad_utf8 : 0;
  return (
    <section class="alerts">
      <div class="page-head"><h1>{t('al_title')}</h1></div>
      <p class="intro">{t('al_intro')}</p>
      {intake && (
        <p class="muted" id="syslog-status">
          {intake.running ? t('al_intake_on', { n: intake.indicators }) : t('al_intake_off')}
          {c && intake.running && ` · ${t('al_intake_counts', { r: c.received, m: c.matched, x: refused, l: c.rate_limited + c.queue_full })}`}
        </p>
      )}
      <nav class="tabs" aria-label={t('al_filter')}>
        {STATUSES.map((s) => (
          <a href={`#/alerts?status=${s}`} class={s === status ? 'active' : ''} aria-current={s === status ? 'page' : undefined}>{t(`al_st_${s}` as Key)}</a>
        ))}
      </nav>
      {note && <p class="ok" role="status">{note}</p>}
      <ErrorBox error={error} />
      {!list && !error && <Loading />}
      {list && list.length === 0 && <p class="empty">{t('al_none')}</p>}
      {list && list.length > 0 && (
        <ul class="alert-list" id="alert-list">
          {list.map((a) => <AlertRow key={`${a.id}-${a.version}`} a={a} decide={decide}
            onDone={(msg) => { setNote(msg); load(); }} />)}
        </ul>
      )}
    </section>
  );
}

/** Opens the incident an alert became (used after promotion from elsewhere). */
export function openIncident(id: string) { go(`/incidents/${id}`); }
