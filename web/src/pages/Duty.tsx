// The standing duty (issue 17, h/notify): the bell with its unread count
// (polled, so it rises without a reload), the list of notifications, who is
// on duty now and the roster (#/duty), one's channels per event (account
// page), and the delivery log for administrators (#/deliveries).
import { useEffect, useState } from 'preact/hooks';
import { api, del, get, post } from '../api';
import { t, tryT } from '../i18n';
import { app, hasRole } from '../state';
import { ErrorBox, Field, Loading, usePoll } from '../components/ui';
import { fmtDateTime } from '../time';

const EVENTS = ['incident.new', 'incident.assigned', 'clock.near', 'clock.overdue', 'escalation', 'plan.approval',
  'support.received', 'support.answered', 'warning.issued', 'warning.deadline', 'hunt.opened', 'finding.kev', 'report.approval'];
const CHANNELS = ['web', 'email', 'webhook'];
const evLabel = (e: string) => tryT(`notify_ev_${e.replace('.', '_')}`) ?? e;

/** The unread count, asked every few seconds while the page is visible. */
export function useNotifyCount(loggedIn: boolean): number {
  const [n, setN] = useState(0);
  const load = () => {
    if (loggedIn) get('/api/v1/notifications/count', { no401: true }).then((r) => setN(r.unread ?? 0), () => undefined);
  };
  useEffect(() => { load(); }, [loggedIn, location.hash.split('?')[0]]);
  usePoll(load, 5_000, [loggedIn]);
  return loggedIn ? n : 0;
}

export function Bell({ n }: { n: number }) {
  return (
    <a href="#/notifications" id="nav-bell" class="bell" title={t('notify_title')}
      aria-label={n ? t('notify_unread', { n }) : t('notify_title')}>
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="currentColor">
        <path d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
      </svg>
      {n > 0 && <span class="badge count" id="bell-count">{n}</span>}
    </a>
  );
}

export function Notifications() {
  const [list, setList] = useState<any | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => get('/api/v1/notifications?limit=100').then((r) => { setList(r); setError(null); }, setError);
  useEffect(() => { void load(); }, []);
  usePoll(() => void load(), 10_000, []);
  const read = async (id: string) => {
    try { await post(`/api/v1/notifications/${id}/read`); await load(); } catch (e) { setError(e); }
  };
  return (
    <section class="notifications">
      <div class="page-head">
        <h1>{t('notify_title')}</h1>
        {list?.unread > 0 && <button type="button" class="button secondary small" id="notify-read-all" onClick={() => read('all')}>{t('notify_read_all')}</button>}
      </div>
      <ErrorBox error={error} />
      {!list && !error && <Loading />}
      {list && (
        <>
          <p class="summary" aria-live="polite">{t('notify_unread', { n: list.unread })}</p>
          {list.items.length === 0 ? <p class="empty">{t('notify_none')}</p> : (
            <ul class="notify-list">
              {list.items.map((x: any) => (
                <li key={x.id} class={x.read_at ? 'read' : 'unread'}>
                  <a href={x.link} onClick={() => { if (!x.read_at) void read(x.id); }}>{x.title}</a>
                  <small> · {evLabel(x.event)} · {fmtDateTime(x.created_at)}</small>
                  {!x.read_at && <button type="button" class="link" onClick={() => read(x.id)}>{t('notify_mark_read')}</button>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

const person = (p: any) => (p ? (p.full_name || p.username) : '—');

/** One line for the dashboard: who is on duty now where. */
export function DutyLine() {
  const [now, setNow] = useState<any | null>(null);
  useEffect(() => { get('/api/v1/duty/now').then(setNow, () => setNow(null)); }, []);
  if (!now || now.items.length === 0) return null;
  return (
    <p class="duty-line" id="duty-line">
      <a href="#/duty">{t('duty_now')}</a>:{' '}
      {now.items.map((o: any, i: number) => (
        <span key={o.id}>{i ? '; ' : ''}{o.name}: {o.primary ? person(o.primary) : t('duty_nobody')}{o.backup ? ` (${t('duty_backup')}: ${person(o.backup)})` : ''}</span>
      ))}
    </p>
  );
}

export function DutyPage() {
  const [now, setNow] = useState<any | null>(null);
  const [shifts, setShifts] = useState<any[] | null>(null);
  const [users, setUsers] = useState<any[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState({ org_code: app.user?.org?.code ?? '', kind: 'weekly', start: '07:30', end: '17:00', days: [1, 2, 3, 4, 5],
    starts_at: '', ends_at: '', primary_id: '', backup_id: '' });
  const may = hasRole('focal', 'coordinator', 'admin');
  const load = () => Promise.all([get('/api/v1/duty/now'), get('/api/v1/duty/shifts')]).then(([n, s]) => { setNow(n); setShifts(s.items); setError(null); }, setError);
  useEffect(() => {
    void load();
    if (may) get('/api/v1/users').then((r) => setUsers(r.items ?? r), () => undefined);
  }, []);
  const add = async (e: Event) => {
    e.preventDefault();
    const iso = (v: string) => (v ? new Date(v).toISOString() : undefined);
    const body: any = form.kind === 'weekly'
      ? { org_code: form.org_code, kind: 'weekly', start: form.start, end: form.end, days: form.days.map(String), primary_id: form.primary_id }
      : { org_code: form.org_code, kind: 'exception', starts_at: iso(form.starts_at), ends_at: iso(form.ends_at), primary_id: form.primary_id };
    if (form.backup_id) body.backup_id = form.backup_id;
    try { await post('/api/v1/duty/shifts', body); await load(); } catch (x) { setError(x); }
  };
  const remove = async (id: string) => { try { await del(`/api/v1/duty/shifts/${id}`); await load(); } catch (x) { setError(x); } };
  const dayName = (d: number) => t(`duty_day_${d}` as any);
  return (
    <section class="duty-page">
      <h1>{t('duty_title')}</h1>
      <p class="intro">{t('duty_intro')}</p>
      <ErrorBox error={error} />
      {!now && !error && <Loading />}
      {now && (
        <table class="table" id="duty-now">
          <thead><tr><th>{t('duty_org')}</th><th>{t('duty_primary')}</th><th>{t('duty_backup')}</th><th>{t('duty_focal')}</th></tr></thead>
          <tbody>
            {now.items.length === 0 && <tr><td colSpan={4}>{t('duty_no_roster')}</td></tr>}
            {now.items.map((o: any) => (
              <tr key={o.id}>
                <td>{o.name}</td><td>{o.primary ? person(o.primary) : t('duty_nobody')}</td><td>{person(o.backup)}</td>
                <td>{o.focal_points.map((f: any) => `${f.name} ${f.phone}`).join('; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shifts && (
        <>
          <h2>{t('duty_shifts')}</h2>
          <ul class="shift-list">
            {shifts.map((s) => (
              <li key={s.id}>
                <strong>{s.org.name}</strong>:{' '}
                {s.kind === 'weekly' ? `${s.days.map(dayName).join(', ')} ${s.start}–${s.end}` : `${fmtDateTime(s.starts_at)} – ${fmtDateTime(s.ends_at)} (${t('duty_exception')})`}
                {' — '}{person(s.primary)}{s.backup ? ` / ${person(s.backup)}` : ''}
                {may && <button type="button" class="link" onClick={() => remove(s.id)}>{t('duty_remove')}</button>}
              </li>
            ))}
          </ul>
        </>
      )}
      {may && (
        <form class="card" onSubmit={add}>
          <h2>{t('duty_add_title')}</h2>
          <Field label={t('duty_org_code')} id="duty-org"><input id="duty-org" value={form.org_code} onInput={(e) => setForm({ ...form, org_code: (e.target as HTMLInputElement).value })} /></Field>
          <Field label={t('duty_kind')} id="duty-kind">
            <select id="duty-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: (e.target as HTMLSelectElement).value })}>
              <option value="weekly">{t('duty_kind_weekly')}</option>
              <option value="exception">{t('duty_kind_exception')}</option>
            </select>
          </Field>
          {form.kind === 'exception' && (
            <>
              <Field label={t('duty_from')} id="duty-from"><input id="duty-from" type="datetime-local" value={form.starts_at} onInput={(e) => setForm({ ...form, starts_at: (e.target as HTMLInputElement).value })} /></Field>
              <Field label={t('duty_to')} id="duty-to"><input id="duty-to" type="datetime-local" value={form.ends_at} onInput={(e) => setForm({ ...form, ends_at: (e.target as HTMLInputElement).value })} /></Field>
            </>
          )}
          {form.kind === 'weekly' && (<>
          <fieldset><legend>{t('duty_days')}</legend>
            {[1, 2, 3, 4, 5, 6, 7].map((d) => (
              <label key={d} class="inline"><input type="checkbox" checked={form.days.includes(d)}
                onChange={(e) => setForm({ ...form, days: (e.target as HTMLInputElement).checked ? [...form.days, d].sort() : form.days.filter((x) => x !== d) })} /> {dayName(d)}</label>
            ))}
          </fieldset>
          <Field label={t('duty_start')} id="duty-start"><input id="duty-start" type="time" value={form.start} onInput={(e) => setForm({ ...form, start: (e.target as HTMLInputElement).value })} /></Field>
          <Field label={t('duty_end')} id="duty-end" hint={t('duty_end_hint')}><input id="duty-end" value={form.end} pattern="\d\d:\d\d" onInput={(e) => setForm({ ...form, end: (e.target as HTMLInputElement).value })} /></Field>
          </>)}
          <Field label={t('duty_primary')} id="duty-primary" req>
            <select id="duty-primary" value={form.primary_id} onChange={(e) => setForm({ ...form, primary_id: (e.target as HTMLSelectElement).value })}>
              <option value="">—</option>
              {users.map((u) => <option key={u.id} value={u.id}>{u.full_name || u.username} ({u.username})</option>)}
            </select>
          </Field>
          <Field label={t('duty_backup')} id="duty-backup">
            <select id="duty-backup" value={form.backup_id} onChange={(e) => setForm({ ...form, backup_id: (e.target as HTMLSelectElement).value })}>
              <option value="">—</option>
              {users.map((u) => <option key={u.id} value={u.id}>{u.full_name || u.username} ({u.username})</option>)}
            </select>
          </Field>
          <button type="submit" class="button primary">{t('duty_add')}</button>
        </form>
      )}
    </section>
  );
}

/** The account page's card: channels per event, the webhook. */
export function NotifyPrefsCard() {
  const [p, setP] = useState<any | null>(null);
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => { get('/api/v1/account/notifications').then((r) => { setP(r); setUrl(r.webhook?.url ?? ''); }, setError); }, []);
  if (!p) return error ? <ErrorBox error={error} /> : <Loading />;
  const toggle = (ev: string, ch: string, on: boolean) => {
    const cur: string[] = p.channels[ev] ?? [];
    setP({ ...p, channels: { ...p.channels, [ev]: on ? [...cur, ch] : cur.filter((x) => x !== ch) } });
    setSaved(false);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api('PUT', '/api/v1/account/notifications', { channels: p.channels, webhook: { url } });
      setP(r); setSecret(r.webhook?.secret ?? null); setSaved(true); setError(null);
    } catch (x) { setError(x); }
  };
  return (
    <section class="card" id="notify-prefs">
      <h2>{t('notify_prefs')}</h2>
      <p>{t('notify_prefs_intro')}</p>
      <ErrorBox error={error} />
      <form onSubmit={save}>
        <table class="table">
          <thead><tr><th>{t('notify_event')}</th>{CHANNELS.map((c) => <th key={c}>{t(`notify_ch_${c}` as any)}</th>)}</tr></thead>
          <tbody>
            {EVENTS.map((ev) => (
              <tr key={ev}><td>{evLabel(ev)}</td>
                {CHANNELS.map((c) => (
                  <td key={c}><input type="checkbox" aria-label={`${evLabel(ev)}: ${t(`notify_ch_${c}` as any)}`}
                    checked={(p.channels[ev] ?? []).includes(c)} onChange={(e) => toggle(ev, c, (e.target as HTMLInputElement).checked)} /></td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <Field label={t('notify_webhook_url')} id="notify-webhook" hint={t('notify_webhook_hint')}>
          <input id="notify-webhook" type="url" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        </Field>
        {secret && <p class="alert info" id="notify-secret">{t('notify_webhook_secret')} <code>{secret}</code></p>}
        {saved && <p class="alert success" role="status">{t('saved')}</p>}
        <button type="submit" class="button primary">{t('save')}</button>
      </form>
    </section>
  );
}

export function Deliveries() {
  const [list, setList] = useState<any[] | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    get(`/api/v1/deliveries?limit=200${status ? `&status=${status}` : ''}`).then((r) => { setList(r.items); setError(null); }, setError);
  }, [status]);
  return (
    <section class="deliveries">
      <h1>{t('deliveries_title')}</h1>
      <p class="intro">{t('deliveries_intro')}</p>
      <Field label={t('deliveries_status')} id="dl-status">
        <select id="dl-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          <option value="">{t('deliveries_all')}</option>
          {['queued', 'sent', 'failed'].map((s) => <option key={s} value={s}>{t(`delivery_${s}` as any)}</option>)}
        </select>
      </Field>
      <ErrorBox error={error} />
      {!list && !error && <Loading />}
      {list && (
        <table class="table" id="deliveries">
          <thead><tr><th>{t('deliveries_when')}</th><th>{t('notify_event')}</th><th>{t('deliveries_channel')}</th><th>{t('deliveries_target')}</th><th>{t('deliveries_status')}</th><th>{t('deliveries_attempts')}</th><th>{t('deliveries_error')}</th></tr></thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id}>
                <td>{fmtDateTime(d.created_at)}</td><td>{evLabel(d.event)}</td><td>{t(`notify_ch_${d.channel}` as any)}</td><td>{d.target}</td>
                <td>{t(`delivery_${d.status}` as any)}{d.status === 'queued' && d.attempts ? ` (${t('deliveries_next')} ${fmtDateTime(d.next_at)})` : ''}</td>
                <td>{d.attempts}</td><td>{d.last_error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
