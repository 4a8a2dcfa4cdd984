// One incident: every field of the report, the actions this person may take
// now (from the server's allowed_transitions and /meta transitions), the
// timeline and everything recorded on it. A refused or stale action explains
// itself and keeps what was typed.
import type { ComponentChildren } from 'preact';
import { Duplicates } from '../components/Duplicates';
import { DocLinks } from '../components/DocLinks';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, post } from '../api';
import { t, tryT, type Key } from '../i18n';
import { app, codes, hasRole, lbl } from '../state';
import { DropZone, ErrorBox, Field, Loading, SeverityBadge, StatusBadge, TimeLeft, TlpBadge, fmtSize, usePoll, useNow, type Deadline } from '../components/ui';
import { fmtDateTime, localInputs, toUtcIso } from '../time';
import { TYPES, uploadFiles } from './Report';
import { PlaybookChecklist } from './plan/Playbook';

const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const REPORT_KINDS = ['notification', 'initial', 'progress', 'closing', 'plan', 'direction_request'];
const CHANNELS = ['email', 'fax', 'letter', 'phone', 'system', 'other'];
const OBS_KINDS = ['ip', 'domain', 'url', 'hash', 'email', 'filename'];
const TLP = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
const SUPPORT_OPEN = ['acknowledged', 'verified', 'classified', 'containing', 'eradicating', 'recovering'];

/** What a button says for moving an incident from one state to another. */
export function actionLabel(from: string, to: string): string {
  if ((from === 'rejected' && to === 'received') || (from === 'closed' && to === 'containing')) return t('act_reopen');
  if (from === 'recovering' && to === 'containing') return t('act_back_containing');
  const k = `act_${to}` as Key;
  const s = t(k);
  return s === k ? t('act_generic', { state: lbl('states', to) }) : s;
}

/** A step back (unstable recovery, reopening) rather than forward along the process. */
export function isBackStep(from: string, to: string): boolean {
  return (from === 'recovering' && to === 'containing') || (from === 'closed' && to === 'containing') || (from === 'rejected' && to === 'received');
}

/** Forward steps first (the main action), then back steps; rejecting last. */
export function orderActions(from: string, allowed: string[]): string[] {
  const rank = (to: string) => (to === 'rejected' ? 2 : isBackStep(from, to) ? 1 : 0);
  return [...allowed].sort((a, b) => rank(a) - rank(b));
}

/** What is still open on an incident about to be closed: tasks not done, support requests not finished. */
export function openWork(inc: any): { tasks: any[]; support: any[] } {
  return {
    tasks: (inc.tasks ?? []).filter((x: any) => !x.done),
    support: (inc.support_requests ?? []).filter((x: any) => x.status === 'sent' || x.status === 'accepted'),
  };
}

/** The record actions the server takes from this person (its `may`); all false when it does not say. */
export function mayOf(inc: any): Record<string, boolean> {
  return inc?.may ?? {};
}

interface ActionForm {
  reason: string; note: string; severity: string; type: string; serious: boolean; escalate: boolean;
  summary: string; cause: string; resolution: string; proposals: string; damage: string;
}

function fieldsFor(from: string, to: string, needs: string[]) {
  const n = needs.join(' ');
  return {
    reason: /reason/.test(n) || to === 'rejected' || (from === 'rejected' && to === 'received') || (from === 'closed' && to === 'containing'),
    classify: /severity/.test(n) || to === 'classified',
    closing: /closing/.test(n) || to === 'closed',
  };
}

const dash = (v: unknown) => (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) ? '—' : Array.isArray(v) ? v.join(', ') : String(v));

function DL({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="dl">
      {rows.map(([k, v]) => (
        <div key={k}><dt>{k}</dt><dd>{typeof v === 'string' || v === null || v === undefined || Array.isArray(v) ? dash(v) : v}</dd></div>
      ))}
    </dl>
  );
}

function Section({ title, id, children, count }: { title: string; id: string; children: ComponentChildren; count?: number }) {
  return (
    <section class="panel" aria-labelledby={`h-${id}`}>
      <h2 id={`h-${id}`}>{title}{count !== undefined && <span class="count">{count}</span>}</h2>
      {children}
    </section>
  );
}

export function IncidentPage({ id }: { id: string }) {
  const [inc, setInc] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [newer, setNewer] = useState<any>(null);
  // An open action and what was typed in it survive a reload or an expired session.
  const draftKey = `ungcuu.action.${id}`;
  const draft = (() => { try { return JSON.parse(sessionStorage.getItem(draftKey) || 'null'); } catch { return null; } })();
  const [action, setAction] = useState<string | null>(draft?.action ?? null);
  const [form, setForm] = useState<ActionForm | null>(draft?.form ?? null);
  useEffect(() => {
    if (action && form) sessionStorage.setItem(draftKey, JSON.stringify({ action, form }));
    else sessionStorage.removeItem(draftKey);
  }, [action, form]);
  const [actErr, setActErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [confirmOpen, setConfirmOpen] = useState(false);
  /** What the server said is open when it refused the close (409): its list wins over ours. */
  const [serverOpen, setServerOpen] = useState<string[] | null>(null);
  const [users, setUsers] = useState<any[]>([]);
  const now = useNow();
  const url = `/api/v1/incidents/${encodeURIComponent(id)}`;

  const load = async () => {
    try {
      const x = await get(url);
      setInc(x);
      setNewer(null);
      setError(null);
      return x;
    } catch (e) {
      setError(e);
      return null;
    }
  };
  useEffect(() => { void load(); }, [id]);
  useEffect(() => {
    if (hasRole('coordinator', 'admin', 'responder')) get('/api/v1/users?limit=200').then((r) => setUsers(r.items ?? []), () => {});
  }, []);

  // Live updates: replace the page unless the person is in the middle of an action.
  usePoll(async () => {
    if (!inc) return;
    try {
      const x = await get(url);
      if (x.version !== inc.version || (x.timeline?.length ?? 0) !== (inc.timeline?.length ?? 0)) {
        if (action) setNewer(x);
        else setInc(x);
      }
    } catch { /* the next poll tries again; a 401 goes to login */ }
  }, 10_000, [inc, action]);

  if (error && !inc) return <ErrorBox error={error}><p><a href="#/queue">{t('back_to_queue')}</a></p></ErrorBox>;
  if (!inc) return <Loading />;

  const trans = app.meta?.transitions ?? [];
  const allowed: string[] = inc.allowed_transitions ?? [];
  const needsOf = (to: string) => trans.find((x) => x.from === inc.status && x.to === to)?.needs ?? [];

  const open = (to: string) => {
    setAction(to);
    setActErr(null);
    setDone(null);
    setConfirmOpen(false);
    setServerOpen(null);
    // Keep what was typed if the same action is opened again.
    setForm((f) => f ?? {
      reason: '', note: '', severity: inc.severity ?? '', type: inc.type ?? '', serious: !!inc.serious, escalate: !!inc.escalate,
      summary: '', cause: '', resolution: '', proposals: '', damage: '',
    });
    setTimeout(() => document.getElementById('action-panel')?.querySelector<HTMLElement>('textarea,select,input,button')?.focus(), 0);
  };

  const submitAction = async (e: Event) => {
    e.preventDefault();
    if (!action || !form) return;
    const fl = fieldsFor(inc.status, action, needsOf(action));
    const body: any = { to: action };
    if (fl.reason) body.reason = form.reason;
    if (fl.classify) {
      body.severity = form.severity;
      if (form.type) body.type = form.type;
      body.serious = form.serious;
      body.escalate = form.escalate;
    }
    if (fl.closing) {
      body.closing_report = { summary: form.summary };
      for (const k of ['cause', 'resolution', 'proposals', 'damage'] as const) if (form[k].trim()) body.closing_report[k] = form[k];
    }
    if (form.note.trim()) body.note = form.note;
    const ow = openWork(inc);
    if (action === 'closed' && (ow.tasks.length || ow.support.length || serverOpen?.length) && !confirmOpen) {
      document.getElementById('close-open-work')?.focus();
      return;
    }
    // The server checks again (someone may have added a task meanwhile):
    // the person confirmed only what was listed.
    if (action === 'closed' && confirmOpen) body.confirm_open_work = true;
    setBusy(true);
    setActErr(null);
    try {
      const from = inc.status;
      const x = await post(`${url}/transitions`, body, { ifMatch: inc.version });
      if (x && x.status) setInc((o: any) => ({ ...o, ...x }));
      await load();
      setAction(null);
      setForm(null);
      setDone(t('state_changed', { from: lbl('states', from), to: lbl('states', x?.status ?? action) }));
      setTimeout(() => document.getElementById('state-done')?.focus(), 0);
    } catch (err) {
      const open = err instanceof ApiError && err.status === 409
        ? (err.problem?.errors ?? []).filter((x) => x.pointer?.startsWith('/open_work/')).map((x) => x.detail ?? '')
        : [];
      if (open.length) {
        // Not an error to read: the list of what is open, and the question.
        setServerOpen(open);
        setConfirmOpen(false);
        await load();
        setTimeout(() => document.getElementById('close-open-work')?.focus(), 0);
      } else {
        setActErr(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const reloadKeep = async () => { setActErr(null); await load(); };
  const supportAllowed = SUPPORT_OPEN.includes(inc.status);
  const fl = action ? fieldsFor(inc.status, action, needsOf(action)) : null;
  const stillAllowed = action ? allowed.includes(action) : true;
  const setF = (p: Partial<ActionForm>) => setForm((f) => (f ? { ...f, ...p } : f));
  const v = (e: Event) => (e.target as HTMLInputElement).value;
  const r = inc.reporter ?? {}, c = inc.contact ?? {}, s = inc.system ?? {}, d = inc.details ?? {}, dm = inc.detection_method ?? {};
  const deadlines: Deadline[] = inc.deadlines ?? [];

  return (
    <article class="incident">
      <nav class="crumbs" aria-label={t('breadcrumb')}><a href="#/queue">{t('nav_queue')}</a> › {inc.number}</nav>
      <header class="inc-head">
        <h1><span class="number">{inc.number}</span> <span class="inc-title">{inc.title}</span></h1>
        <p class="badges">
          <StatusBadge status={inc.status} /> <SeverityBadge severity={inc.severity} />
          <span class="badge">{lbl('incident_types', inc.type)}</span>
          <TlpBadge tlp={inc.tlp} />
          {inc.serious && <span class="badge serious">{t('serious')}</span>}
          {inc.escalate && <span class="badge escalate">{t('escalated')}</span>}
          {inc.confidential && <span class="badge">{t('confidential')}</span>}
          {inc.mirror && <span class="badge mirror">{t('sync_from_below', { instance: inc.mirror.instance })}</span>}
          <span class="muted"> {inc.mirror?.org_name ?? inc.org?.name}</span>
        </p>
        {inc.mirror && <p class="muted mirror-note">{t('sync_mirror_note', { instance: inc.mirror.instance })}</p>}
      </header>

      {newer && (
        <div class="alert info" role="status">
          {t('incident_changed')} <button type="button" class="button secondary small" onClick={() => { setInc(newer); setNewer(null); }}>{t('show_changes')}</button>
        </div>
      )}

      {done && (
        <div class="alert success" role="status" id="state-done" tabIndex={-1}>
          {done} <button type="button" class="link" onClick={() => setDone(null)}>{t('dismiss')}</button>
        </div>
      )}

      <div class="actionbar" role="group" aria-label={t('actions')}>
        {orderActions(inc.status, allowed).map((to) => (
          <button type="button" key={to} class={`button ${to === 'rejected' ? 'danger' : isBackStep(inc.status, to) ? 'secondary' : 'primary'}${action === to ? ' pressed' : ''}`}
            aria-expanded={action === to} onClick={() => open(to)} data-to={to}>
            {actionLabel(inc.status, to)}
          </button>
        ))}
        {allowed.length === 0 && <span class="muted">{t('no_actions')}</span>}
        <span class="spacer" />
        <a class="button secondary" href={`#/incidents/${inc.id}/print/03`}>{t('print_report_03')}</a>
        <DocLinks id={inc.id} form="03" />
        {(inc.closing_report || inc.status === 'closed') && <>
          <a class="button secondary" href={`#/incidents/${inc.id}/print/04`}>{t('print_report_04')}</a>
          <DocLinks id={inc.id} form="04" />
        </>}
      </div>

      {action && form && fl && (
        <form id="action-panel" class="panel action-panel" onSubmit={submitAction} aria-labelledby="action-title">
          <h2 id="action-title">{actionLabel(inc.status, action)}</h2>
          {!stillAllowed && <div class="alert error" role="alert">{t('action_no_longer')}</div>}
          {actErr !== null && (
            <ErrorBox error={actErr}>
              {actErr instanceof ApiError && (actErr.status === 412 || actErr.status === 409) && (
                <p>
                  {t(actErr.status === 412 ? 'stale_explain' : 'refused_explain')}{' '}
                  <button type="button" class="button secondary small" onClick={reloadKeep}>{t('reload_keep')}</button>
                </p>
              )}
            </ErrorBox>
          )}
          {fl.reason && (
            <Field id="act-reason" label={t('reason')} req>
              <textarea id="act-reason" rows={3} required value={form.reason} onInput={(e) => setF({ reason: v(e) })} />
            </Field>
          )}
          {fl.classify && (
            <div class="grid2">
              <Field id="act-severity" label={t('severity')} req>
                <select id="act-severity" required value={form.severity} onChange={(e) => setF({ severity: v(e) })}>
                  <option value="">{t('choose')}</option>
                  {codes('severities', SEVERITIES).map((x) => <option value={x}>{lbl('severities', x)}</option>)}
                </select>
              </Field>
              <Field id="act-type" label={t('type')}>
                <select id="act-type" value={form.type} onChange={(e) => setF({ type: v(e) })}>
                  {codes('incident_types', TYPES).map((x) => <option value={x}>{lbl('incident_types', x)}</option>)}
                </select>
              </Field>
              <label class="check"><input type="checkbox" id="act-serious" checked={form.serious} onChange={() => setF({ serious: !form.serious })} /> {t('serious_check')}</label>
              <label class="check"><input type="checkbox" id="act-escalate" checked={form.escalate} onChange={() => setF({ escalate: !form.escalate })} /> {t('escalate_check')}</label>
            </div>
          )}
          {fl.closing && (
            <fieldset>
              <legend>{t('closing_form')}</legend>
              <Field id="cr-summary" label={t('cr_summary')} req>
                <textarea id="cr-summary" rows={3} required value={form.summary} onInput={(e) => setF({ summary: v(e) })} />
              </Field>
              <Field id="cr-cause" label={t('cr_cause')}>
                <textarea id="cr-cause" rows={2} value={form.cause} onInput={(e) => setF({ cause: v(e) })} />
              </Field>
              <Field id="cr-resolution" label={t('cr_resolution')}>
                <textarea id="cr-resolution" rows={2} value={form.resolution} onInput={(e) => setF({ resolution: v(e) })} />
              </Field>
              <Field id="cr-proposals" label={t('cr_proposals')}>
                <textarea id="cr-proposals" rows={2} value={form.proposals} onInput={(e) => setF({ proposals: v(e) })} />
              </Field>
              <Field id="cr-damage" label={t('cr_damage')}>
                <textarea id="cr-damage" rows={2} value={form.damage} onInput={(e) => setF({ damage: v(e) })} />
              </Field>
            </fieldset>
          )}
          <Field id="act-note" label={t('note_optional')}>
            <textarea id="act-note" rows={2} value={form.note} onInput={(e) => setF({ note: v(e) })} />
          </Field>
          {action === 'closed' && <OpenWork inc={inc} server={serverOpen} confirmed={confirmOpen} onConfirm={setConfirmOpen} />}
          {fl.closing && <p class="hint">{t('closing_not_sent_hint')}</p>}
          <div class="actions">
            <button type="submit" class="button primary" disabled={busy || !stillAllowed}>{busy ? t('sending') : t('confirm')}</button>
            <button type="button" class="button secondary" onClick={() => { setAction(null); setForm(null); setActErr(null); }}>{t('cancel')}</button>
            <span class="muted">{t('state_change', { from: lbl('states', inc.status), to: lbl('states', action) })}</span>
          </div>
        </form>
      )}

      <div class="inc-grid">
        <div class="inc-main">
          <Section id="desc" title={t('sec_incident')}>
            <p class="prewrap description">{inc.description}</p>
            <DL rows={[
              [t('detected_at'), fmtDateTime(inc.detected_at)],
              [t('reported_at'), fmtDateTime(inc.created_at)],
              [t('reported_by'), inc.created_by ? `${inc.created_by.full_name || inc.created_by.username}` : ''],
              [t('sec_status'), inc.handling_status ? t(`hs_${inc.handling_status}` as Key) : ''],
              [t('sec_detection'), dm.kind ? `${t(`dm_${dm.kind}` as Key)}${dm.detail ? `: ${dm.detail}` : ''}` : ''],
              [t('sec_notified'), (inc.notified ?? []).map((x: string) => t(`nt_${x}` as Key)).join('; ')],
              [t('support_needed_short'), inc.support_needed],
              [t('reject_reason'), inc.reject_reason],
            ]} />
          </Section>

          {inc.closing_report && (
            <Section id="closing" title={t('closing_form')}>
              <DL rows={[
                [t('cr_summary'), <span class="prewrap">{inc.closing_report.summary}</span>],
                [t('cr_cause'), inc.closing_report.cause],
                [t('cr_resolution'), inc.closing_report.resolution],
                [t('cr_proposals'), inc.closing_report.proposals],
                [t('cr_damage'), inc.closing_report.damage],
              ]} />
            </Section>
          )}

          <Duplicates inc={inc} />
          <Section id="people" title={t('sec_reporter_contact')}>
            <div class="grid2">
              <DL rows={[[t('f_reporter'), r.name], [t('f_address'), r.address], [t('f_phone'), r.phone], [t('f_email'), r.email]]} />
              <DL rows={[[t('f_contact'), c.name], [t('f_position'), c.position], [t('f_phone'), c.phone], [t('f_email'), c.email]]} />
            </div>
          </Section>

          <Section id="system" title={t('sec_system')}>
            <DL rows={[
              // A registered system (picked on the report form) links to its record in the registry.
              [t('f_system_name'), s.system_id ? <a href={`#/systems/${encodeURIComponent(s.system_id)}`} class="system-link">{s.name || t('f_system_pick')}</a> : s.name],
              [t('f_operator'), s.operator], [t('f_owner'), s.owner],
              [t('f_level'), s.level ? t('level_n', { n: s.level }) : ''], [t('f_domains'), s.domains], [t('f_ips'), s.ips],
              [t('f_security_provider'), s.security_provider], [t('f_connectivity_provider'), s.connectivity_provider],
            ]} />
          </Section>

          <Section id="details" title={t('sec_details')}>
            <DL rows={[
              [t('f_os'), d.os],
              [t('f_services'), [...(d.services ?? []).filter((x: string) => x !== 'other').map((x: string) => t(`svc_${x}` as Key)), ...(d.services_other ? [d.services_other] : [])]],
              [t('f_measures'), [...(d.measures ?? []).filter((x: string) => x !== 'other').map((x: string) => t(`ms_${x}` as Key)), ...(d.measures_other ? [d.measures_other] : [])]],
              [t('f_public_ips'), d.public_ips], [t('f_domains'), d.domains], [t('f_purpose'), d.purpose],
              [t('f_confidential'), inc.confidential ? t('yes') : t('no')],
            ]} />
          </Section>

          <Section id="timeline" title={t('timeline')} count={inc.timeline?.length}>
            <ol class="timeline">
              {(inc.timeline ?? []).map((e: any) => <TimelineItem key={e.id} e={e} inc={inc} />)}
            </ol>
          </Section>

          <Comments inc={inc} url={url} reload={load} />
        </div>

        <aside class="inc-side">
          <Section id="deadlines" title={t('deadlines')}>
            {deadlines.length === 0 ? <p class="muted">{t('none')}</p> : (
              <ul class="deadlines">
                {deadlines.map((dl) => (
                  <li key={dl.kind + dl.due_at}>
                    <strong>{lbl('deadline_kinds', dl.kind)}</strong><br />
                    <small>{t('due')} {fmtDateTime(dl.due_at)}</small><br />
                    {dl.met_at ? <span class="ok">{t('met_at', { at: fmtDateTime(dl.met_at) })}</span> : <TimeLeft d={dl} now={now} />}
                    {dl.kind === 'closing_report' && !dl.met_at && inc.status === 'closed' && mayOf(inc).report && (
                      <><br /><button type="button" class="link small-link" onClick={() => { const d = document.getElementById('record-report') as HTMLDetailsElement | null; if (d) { d.open = true; d.scrollIntoView({ block: 'start' }); document.getElementById('rep-recipient')?.focus({ preventScroll: true }); } }}>{t('record_closing_sent')}</button></>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <SupportRequests inc={inc} url={url} reload={load} canOpen={supportAllowed && (inc.may ? !!inc.may.support : true)} />
          <PlaybookChecklist id={inc.id} rev={`${inc.version}:${(inc.tasks ?? []).map((x: any) => (x.done ? 1 : 0)).join('')}`} />
          <Tasks inc={inc} url={url} reload={load} users={users} />
          <Reports inc={inc} url={url} reload={load} />
          <Observables inc={inc} url={url} reload={load} />
          <Attachments inc={inc} url={url} reload={load} />
          {((inc.assignees?.length ?? 0) > 0 || (!!mayOf(inc).assign && users.length > 0)) && (
            <Assign url={url} reload={load} users={users} assignees={inc.assignees ?? []} canAssign={!!mayOf(inc).assign && users.length > 0} />
          )}
        </aside>
      </div>
    </article>
  );
}

/** Before closing: what is still open, and a box to confirm closing anyway. */
function OpenWork({ inc, server, confirmed, onConfirm }: { inc: any; server: string[] | null; confirmed: boolean; onConfirm: (v: boolean) => void }) {
  const ow = openWork(inc);
  if (!ow.tasks.length && !ow.support.length && !server?.length) return null;
  return (
    <div class="alert warn" id="close-open-work" tabIndex={-1} role="alert">
      <p><strong>{t('close_open_title')}</strong></p>
      {server?.length ? (
        <ul class="server-open">{server.map((x, k) => <li key={k}>{x}</li>)}</ul>
      ) : (
        <ul>
          {ow.tasks.map((x) => <li key={x.id}>{t('close_open_task', { title: x.title })}</li>)}
          {ow.support.map((x) => <li key={x.id}>{t('close_open_support', { summary: x.summary, org: x.to_org?.name ?? '', status: t(`sr_${x.status}` as Key) })}</li>)}
        </ul>
      )}
      <label class="check"><input type="checkbox" id="close-confirm" checked={confirmed} onChange={() => onConfirm(!confirmed)} /> {t('close_open_confirm')}</label>
    </div>
  );
}

/** A person as a list shows them: the name, and the organisation unless the name already carries it in brackets. */
export function personLabel(u: any): string {
  const name = u?.full_name || u?.username || '';
  const org = u?.org?.name;
  if (!org || name.includes('(')) return name;
  return `${name} — ${org}`;
}

/** The field names an `updated` event lists (the PATCH body's keys), as the form labels them. */
const UPDATED_FIELDS: Record<string, Key> = {
  title: 'f_title', description: 'f_description', detected_at: 'detected_at', reporter: 'f_reporter', contact: 'f_contact',
  system: 'sec_system', handling_status: 'sec_status', detection_method: 'sec_detection', notified: 'sec_notified',
  details: 'sec_details', confidential: 'f_confidential', tlp: 'tlp', support_needed: 'support_needed_short',
};

function timelineText(e: any, inc: any): string {
  const x = e.data ?? {};
  const person = (id: string) => {
    const u = (inc.assignees ?? []).find((a: any) => a.id === id);
    return u ? u.full_name || u.username : '';
  };
  switch (e.kind) {
    case 'created': return t('tl_created');
    case 'transition': {
      let s = `${lbl('states', x.from)} → ${lbl('states', x.to)}`;
      if (x.reason) s += ` — ${t('reason')}: ${x.reason}`;
      if (x.severity) s += ` — ${t('severity')}: ${lbl('severities', x.severity)}`;
      if (x.note) s += ` — ${x.note}`;
      return s;
    }
    case 'comment': return x.body ?? x.excerpt ?? '';
    case 'attachment': return `${x.name ?? x.filename ?? ''} ${x.size !== undefined ? `(${fmtSize(x.size)})` : ''}`;
    case 'support_request': {
      const to = x.to_org_name ?? x.to_org?.name ?? x.to_org ?? '';
      return `${x.summary ?? ''}${to ? ` → ${to}` : ''}`;
    }
    case 'support_request_update': {
      const sr = (inc.support_requests ?? []).find((r: any) => r.id === x.id);
      const st = x.to ?? x.status;
      return `${sr?.summary ?? ''}${st ? ` → ${t(`sr_${st}` as Key)}` : ''}${x.note ? ` — ${x.note}` : ''}`;
    }
    case 'report': return `${lbl('report_kinds', x.kind)}${x.recipient ? ` → ${x.recipient}` : ''}`;
    case 'task': return x.title ?? '';
    case 'task_update': {
      const tk = (inc.tasks ?? []).find((r: any) => r.id === x.id);
      return `${x.title ?? tk?.title ?? ''}${x.done === true ? ` — ${t('done')}` : x.done === false ? ` — ${t('not_done')}` : ''}`;
    }
    case 'observable': return `${lbl('observable_kinds', x.kind)}: ${x.value ?? ''}`;
    case 'assignment': return x.user?.full_name ?? x.user?.username ?? person(x.user_id) ?? '';
    case 'updated': return (Array.isArray(x.fields) ? x.fields : []).map((f: string) => (UPDATED_FIELDS[f] ? t(UPDATED_FIELDS[f]) : f)).join(', ');
    case 'hunt_hits': return t('tl_hunt_hits_text', { n: Number(x.hits ?? 0), host: x.hostname || '—' });
    default: return Object.entries(x).filter(([k]) => k !== 'id').map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
  }
}

function TimelineItem({ e, inc }: { e: any; inc: any }) {
  return (
    <li class={`tl tl-${e.kind}`}>
      <time dateTime={e.at}>{fmtDateTime(e.at)}</time>
      <span class="tl-who">{e.actor?.full_name || e.actor?.username || ''}</span>
      <span class="kind">{tryT(`tl_${e.kind}`) ?? e.kind}</span>
      <span class="prewrap what">{timelineText(e, inc)}</span>
      {e.kind === 'hunt_hits' && e.data?.hunt && <> <a href={`#/hunts/${encodeURIComponent(e.data.hunt)}`}>{t('tl_hunt_link')}</a></>}
    </li>
  );
}

interface SubProps { inc: any; url: string; reload: () => Promise<any> }

/** Shared state for the small create-forms on the page: busy flag, error, reset. */
function useSub<T>(initial: () => T) {
  const [v, setV] = useState<T>(initial);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>, reset = true) => {
    setBusy(true);
    setErr(null);
    try {
      await fn();
      if (reset) setV(initial());
      return true;
    } catch (e) {
      setErr(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { v, set: (p: Partial<T>) => setV((o) => ({ ...o, ...p })), err, busy, run };
}

const val = (e: Event) => (e.target as HTMLInputElement).value;

function Comments({ inc, url, reload }: SubProps) {
  const s = useSub(() => ({ body: '', direction: false }));
  const list: any[] = inc.comments ?? [];
  return (
    <Section id="comments" title={t('comments')} count={list.length}>
      <ul class="comments">
        {list.map((c) => (
          <li key={c.id} class={c.kind === 'direction' ? 'direction' : undefined}><p class="meta">{c.kind === 'direction' && <span class="badge escalate">{t('comment_direction')}</span>} {c.created_by?.full_name || c.created_by?.username || c.author?.full_name || ''} · {fmtDateTime(c.created_at ?? c.at)}</p><p class="prewrap">{c.body}</p></li>
        ))}
      </ul>
      {list.length === 0 && <p class="muted">{t('none')}</p>}
      {mayOf(inc).comment && <form onSubmit={(e) => { e.preventDefault(); void s.run(async () => { await post(`${url}/comments`, s.v.direction ? { body: s.v.body, kind: 'direction' } : { body: s.v.body }); s.set({ body: '', direction: false }); await reload(); }); }}>
        <ErrorBox error={s.err} />
        <Field id="comment-body" label={t('add_comment')}>
          <textarea id="comment-body" rows={3} required value={s.v.body} onInput={(e) => s.set({ body: val(e) })} />
        </Field>
        {inc.mirror && <label class="check"><input type="checkbox" id="comment-direction" checked={s.v.direction} onChange={(e) => s.set({ direction: (e.target as HTMLInputElement).checked })} /> {t('send_as_direction')}</label>}
        <button type="submit" class="button secondary" disabled={s.busy}>{t('send')}</button>
      </form>}
    </Section>
  );
}

function SupportRequests({ inc, url, reload, canOpen }: SubProps & { canOpen: boolean }) {
  const [openForm, setOpenForm] = useState(false);
  const now = localInputs(Date.now() + 24 * 3600_000);
  const s = useSub(() => ({ summary: '', to_org_code: '', help_needed: '', urgency: 'normal', due_date: now.date, due_time: now.time }));
  const [noteFor, setNoteFor] = useState<Record<string, string>>({});
  const [srErr, setSrErr] = useState<unknown>(null);
  const list: any[] = inc.support_requests ?? [];
  const orgs = (app.orgs ?? []).filter((o) => o.id !== inc.org?.id);
  const submit = (e: Event) => {
    e.preventDefault();
    void s.run(async () => {
      const body: any = { summary: s.v.summary, urgency: s.v.urgency };
      if (s.v.to_org_code) body.to_org_code = s.v.to_org_code;
      if (s.v.help_needed.trim()) body.help_needed = s.v.help_needed;
      const due = toUtcIso(s.v.due_date, s.v.due_time);
      if (due) body.due_at = due;
      await post(`${url}/support-requests`, body);
      setOpenForm(false);
      await reload();
    });
  };
  const move = async (sr: any, to: string) => {
    setSrErr(null);
    try {
      const body: any = { to };
      if (noteFor[sr.id]?.trim()) body.note = noteFor[sr.id];
      await post(`${url}/support-requests/${encodeURIComponent(sr.id)}/transitions`, body);
      setNoteFor((n) => ({ ...n, [sr.id]: '' }));
      await reload();
    } catch (e) { setSrErr(e); }
  };
  // The server has the last word; without allowed_transitions on a support request,
  // offer accept/decline to the organisation it was sent to, done once accepted.
  const srNext = (sr: any): string[] => sr.allowed_transitions
    ?? (sr.status === 'sent' ? (sr.to_org?.id && sr.to_org.id === app.user?.org?.id ? ['accepted', 'declined'] : [])
      : sr.status === 'accepted' ? ['done'] : []);
  return (
    <Section id="support" title={t('support_requests')} count={list.length}>
      <ErrorBox error={srErr} />
      {list.length === 0 && <p class="muted">{t('none')}</p>}
      <ul class="cards">
        {list.map((sr) => (
          <li key={sr.id} class="sr">
            <p><strong class="prewrap">{sr.summary}</strong> <span class={`badge sr-${sr.status}`}>{t(`sr_${sr.status}` as Key)}</span></p>
            <p class="muted">
              {sr.to_org?.name ?? sr.to_org_code ?? ''}{sr.urgency ? ` · ${t(`urg_${sr.urgency}` as Key)}` : ''}{sr.due_at ? ` · ${t('due')} ${fmtDateTime(sr.due_at)}` : ''}
            </p>
            {sr.help_needed && <p class="prewrap">{sr.help_needed}</p>}
            {sr.note && <p class="prewrap sr-note"><span class="muted">{t('sr_answer_note')}:</span> {sr.note}</p>}
            {srNext(sr).length > 0 && (
              <div class="sr-actions">
                <label class="visually-hidden" for={`sr-note-${sr.id}`}>{t('note_optional')}</label>
                <input id={`sr-note-${sr.id}`} placeholder={t('note_optional')} value={noteFor[sr.id] ?? ''}
                  onInput={(e) => setNoteFor((n) => ({ ...n, [sr.id]: val(e) }))} />
                {srNext(sr).map((to) => (
                  <button type="button" class="button secondary small" onClick={() => move(sr, to)} data-sr-to={to}>{t(`sr_act_${to}` as Key)}</button>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
      {canOpen && !openForm && <button type="button" class="button secondary" onClick={() => setOpenForm(true)} id="open-support">{t('open_support')}</button>}
      {openForm && (
        <form class="subform" onSubmit={submit}>
          <ErrorBox error={s.err} />
          <Field id="sr-summary" label={t('sr_summary')} req>
            <input id="sr-summary" required value={s.v.summary} onInput={(e) => s.set({ summary: val(e) })} />
          </Field>
          <Field id="sr-to" label={t('sr_to')}>
            <select id="sr-to" value={s.v.to_org_code} onChange={(e) => s.set({ to_org_code: val(e) })}>
              <option value="">{t('sr_to_default')}</option>
              {orgs.map((o) => <option value={o.code}>{o.name}</option>)}
            </select>
          </Field>
          <Field id="sr-help" label={t('sr_help')}>
            <textarea id="sr-help" rows={3} value={s.v.help_needed} onInput={(e) => s.set({ help_needed: val(e) })} />
          </Field>
          <Field id="sr-urgency" label={t('urgency')}>
            <select id="sr-urgency" value={s.v.urgency} onChange={(e) => s.set({ urgency: val(e) })}>
              {['low', 'normal', 'high'].map((u) => <option value={u}>{t(`urg_${u}` as Key)}</option>)}
            </select>
          </Field>
          <div class="grid2">
            <Field id="sr-due-date" label={t('due_date')}>
              <input id="sr-due-date" type="date" value={s.v.due_date} onInput={(e) => s.set({ due_date: val(e) })} />
            </Field>
            <Field id="sr-due-time" label={t('due_time')}>
              <input id="sr-due-time" type="time" value={s.v.due_time} onInput={(e) => s.set({ due_time: val(e) })} />
            </Field>
          </div>
          <div class="actions">
            <button type="submit" class="button primary" disabled={s.busy}>{t('send_support')}</button>
            <button type="button" class="button secondary" onClick={() => setOpenForm(false)}>{t('cancel')}</button>
          </div>
        </form>
      )}
    </Section>
  );
}

function Tasks({ inc, url, reload, users }: SubProps & { users: any[] }) {
  const s = useSub(() => ({ title: '', assignee_id: '', due_date: '', due_time: '' }));
  const [err, setErr] = useState<unknown>(null);
  const list: any[] = inc.tasks ?? [];
  const toggle = async (task: any) => {
    setErr(null);
    try { await patch(`${url}/tasks/${encodeURIComponent(task.id)}`, { done: !task.done }); await reload(); } catch (e) { setErr(e); }
  };
  return (
    <Section id="tasks" title={t('tasks')} count={list.length}>
      <ErrorBox error={err} />
      {list.length === 0 && <p class="muted">{t('none')}</p>}
      <ul class="tasks">
        {list.map((task) => {
          const who = task.assignee?.full_name || task.assignee?.username || '';
          const meta = [who, task.due_at ? `${t('due')} ${fmtDateTime(task.due_at)}` : ''].filter(Boolean).join(' · ');
          return (
            <li key={task.id}>
              <label class="check">
                <input type="checkbox" checked={!!task.done} disabled={!mayOf(inc).task} onChange={() => toggle(task)} />
                {' '}<span class={task.done ? 'done' : ''}>{task.title}</span>
              </label>
              {meta && <small class="muted task-meta"> {meta}</small>}
            </li>
          );
        })}
      </ul>
      {mayOf(inc).task && <details>
        <summary>{t('add_task')}</summary>
        <form class="subform" onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            const body: any = { title: s.v.title };
            if (s.v.assignee_id) body.assignee_id = s.v.assignee_id;
            const due = s.v.due_date ? toUtcIso(s.v.due_date, s.v.due_time || '17:00') : null;
            if (due) body.due_at = due;
            await post(`${url}/tasks`, body);
            await reload();
          });
        }}>
          <ErrorBox error={s.err} />
          <Field id="task-title" label={t('task_title')} req>
            <input id="task-title" required value={s.v.title} onInput={(e) => s.set({ title: val(e) })} />
          </Field>
          <Field id="task-assignee" label={t('assignee')}>
            <select id="task-assignee" value={s.v.assignee_id} onChange={(e) => s.set({ assignee_id: val(e) })}>
              <option value="">—</option>
              {users.map((u) => <option value={u.id}>{personLabel(u)}</option>)}
            </select>
          </Field>
          <div class="grid2">
            <Field id="task-due-date" label={t('due_date')}>
              <input id="task-due-date" type="date" value={s.v.due_date} onInput={(e) => s.set({ due_date: val(e) })} />
            </Field>
            <Field id="task-due-time" label={t('due_time')}>
              <input id="task-due-time" type="time" value={s.v.due_time} onInput={(e) => s.set({ due_time: val(e) })} />
            </Field>
          </div>
          <button type="submit" class="button secondary" disabled={s.busy}>{t('add')}</button>
        </form>
      </details>}
    </Section>
  );
}

/** Report kinds that meet a legal clock: the record must say to whom and how it went. */
const CLOCK_KINDS = ['notification', 'initial', 'closing'];

function Reports({ inc, url, reload }: SubProps) {
  const n = localInputs();
  // Mẫu 04 can be recorded as sent once it is written (the incident closed with it).
  const closingWritten = inc.status === 'closed' && !!inc.closing_report;
  const closingDue = closingWritten && (inc.deadlines ?? []).some((d: any) => d.kind === 'closing_report' && !d.met_at);
  const s = useSub(() => ({ kind: closingDue ? 'closing' : 'notification', recipient: '', channel: 'email', date: n.date, time: n.time, reference: '', body: '' }));
  const list: any[] = inc.reports ?? [];
  const kinds = codes('report_kinds', REPORT_KINDS).filter((k) => k !== 'closing' || closingWritten);
  // Once Mẫu 04 is written and unsent, it is the report to record next.
  useEffect(() => { if (closingDue) s.set({ kind: 'closing' }); }, [closingDue]);
  return (
    <Section id="reports" title={t('legal_reports')} count={list.length}>
      {list.length === 0 && <p class="muted">{t('none')}</p>}
      <ul class="cards">
        {list.map((x) => (
          <li key={x.id}>
            <strong>{lbl('report_kinds', x.kind)}</strong>
            <p class="muted">{x.recipient}{x.channel ? ` · ${t(`ch_${x.channel}` as Key)}` : ''} · {fmtDateTime(x.sent_at)}{x.reference ? ` · ${x.reference}` : ''}</p>
            {x.body && <p class="prewrap">{x.body}</p>}
          </li>
        ))}
      </ul>
      {mayOf(inc).report && <details id="record-report" open={closingDue || undefined}>
        <summary>{t('record_report')}</summary>
        <form class="subform" onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            const body: any = { kind: s.v.kind, channel: s.v.channel, sent_at: toUtcIso(s.v.date, s.v.time) };
            for (const k of ['recipient', 'reference', 'body'] as const) if (s.v[k].trim()) body[k] = s.v[k];
            await post(`${url}/reports`, body);
            await reload();
          });
        }}>
          <ErrorBox error={s.err} />
          <Field id="rep-kind" label={t('report_kind')}>
            <select id="rep-kind" value={s.v.kind} onChange={(e) => s.set({ kind: val(e) })}>
              {kinds.map((k) => <option value={k}>{lbl('report_kinds', k)}</option>)}
            </select>
          </Field>
          <Field id="rep-recipient" label={t('recipient')} req={CLOCK_KINDS.includes(s.v.kind)} hint={s.v.kind === 'closing' ? t('hint_closing_recipient') : undefined}>
            <input id="rep-recipient" required={CLOCK_KINDS.includes(s.v.kind)} value={s.v.recipient} onInput={(e) => s.set({ recipient: val(e) })} />
          </Field>
          <Field id="rep-channel" label={t('channel')}>
            <select id="rep-channel" value={s.v.channel} onChange={(e) => s.set({ channel: val(e) })}>
              {CHANNELS.map((k) => <option value={k}>{t(`ch_${k}` as Key)}</option>)}
            </select>
          </Field>
          <div class="grid2">
            <Field id="rep-date" label={t('sent_date')}>
              <input id="rep-date" type="date" value={s.v.date} onInput={(e) => s.set({ date: val(e) })} />
            </Field>
            <Field id="rep-time" label={t('sent_time')}>
              <input id="rep-time" type="time" value={s.v.time} onInput={(e) => s.set({ time: val(e) })} />
            </Field>
          </div>
          <Field id="rep-reference" label={t('reference')}>
            <input id="rep-reference" value={s.v.reference} onInput={(e) => s.set({ reference: val(e) })} />
          </Field>
          <Field id="rep-body" label={t('report_body')}>
            <textarea id="rep-body" rows={3} value={s.v.body} onInput={(e) => s.set({ body: val(e) })} />
          </Field>
          <button type="submit" class="button secondary" disabled={s.busy}>{t('record')}</button>
        </form>
      </details>}
    </Section>
  );
}

/** Prefills the new-indicator form (its sessionStorage draft) from an observable of this incident. */
function toIocDraft(o: any, inc: any) {
  const kinds: Record<string, string> = { domain: 'domain', url: 'url', email: 'email', filename: 'filename' };
  const draft = {
    value: o.value ?? '', kind: kinds[o.kind] ?? '', tlp: o.tlp || inc.tlp || 'AMBER', description: o.note ?? '',
    incidents: [{ id: inc.id, number: inc.number }],
  };
  sessionStorage.setItem(`ungcuu.iocNew.${app.user?.username ?? ''}`, JSON.stringify(draft));
}

/** "Seen before": other incidents with the same observable, indicators in the store that match it. */
function Matches({ m, self }: { m: any; self: string }) {
  const incs: any[] = (m?.incidents ?? []).filter((i: any) => i.id !== self);
  const iocs: any[] = m?.indicators ?? [];
  if (!incs.length && !iocs.length) return null;
  return (
    <div class="matches">
      {incs.length > 0 && (
        <p class="seen-before">
          <span class="badge seen">{t('seen_before')}</span>{' '}
          {incs.map((i, n) => (
            <span key={i.id}>{n > 0 && ', '}<a href={`#/incidents/${i.id}`} title={i.title}><span class="number">{i.number}</span></a></span>
          ))}
        </p>
      )}
      {iocs.length > 0 && (
        <p class="ioc-matches">
          <span class="badge seen">{t('matches_iocs', { n: iocs.length })}</span>{' '}
          {iocs.map((x, n) => (
            <span key={x.id}>{n > 0 && ', '}<a href={`#/indicators/${x.id}`}><code>{x.value}</code></a>{x.name && <small class="muted"> ({x.name})</small>} <TlpBadge tlp={x.tlp} /></span>
          ))}
        </p>
      )}
    </div>
  );
}

function Observables({ inc, url, reload }: SubProps) {
  const s = useSub(() => ({ kind: 'ip', value: '', tlp: '', note: '' }));
  const list: any[] = inc.observables ?? [];
  const tlps = app.meta?.tlp?.length ? app.meta.tlp : TLP;
  const canAddIoc = hasRole('focal', 'coordinator', 'responder', 'admin');
  return (
    <Section id="observables" title={t('observables')} count={list.length}>
      {list.length === 0 && <p class="muted">{t('none')}</p>}
      <ul class="observables">
        {list.map((o) => (
          <li key={o.id}>
            <span class="badge">{lbl('observable_kinds', o.kind)}</span> <code>{o.value}</code>{o.tlp && <small> TLP:{o.tlp}</small>}{o.note && <small class="muted"> — {o.note}</small>}
            {canAddIoc && !(o.matches?.indicators ?? []).length && (
              <>{' '}<a class="small-link" href="#/indicators/new" onClick={() => toIocDraft(o, inc)}>{t('obs_to_ioc')}</a></>
            )}
            <Matches m={o.matches} self={inc.id} />
          </li>
        ))}
      </ul>
      {mayOf(inc).observable && <details>
        <summary>{t('add_observable')}</summary>
        <form class="subform" onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            const body: any = { kind: s.v.kind, value: s.v.value.trim() };
            if (s.v.tlp) body.tlp = s.v.tlp;
            if (s.v.note.trim()) body.note = s.v.note;
            await post(`${url}/observables`, body);
            await reload();
          });
        }}>
          <ErrorBox error={s.err} fieldText={(ptr, detail) => (ptr === '/value'
            ? `${t('obs_value')}: ${t('obs_bad_value', { kind: lbl('observable_kinds', s.v.kind) })}`
            : `${({ '/kind': t('obs_kind'), '/tlp': t('tlp'), '/note': t('note_optional') } as Record<string, string>)[ptr] ?? ptr}: ${detail}`)} />
          <Field id="obs-kind" label={t('obs_kind')}>
            <select id="obs-kind" value={s.v.kind} onChange={(e) => s.set({ kind: val(e) })}>
              {codes('observable_kinds', OBS_KINDS).map((k) => <option value={k}>{lbl('observable_kinds', k)}</option>)}
            </select>
          </Field>
          <Field id="obs-value" label={t('obs_value')} req>
            <input id="obs-value" required value={s.v.value} onInput={(e) => s.set({ value: val(e) })} />
          </Field>
          <Field id="obs-tlp" label={t('tlp')}>
            <select id="obs-tlp" value={s.v.tlp} onChange={(e) => s.set({ tlp: val(e) })}>
              <option value="">{t('tlp_default')}</option>
              {tlps.map((k) => <option value={k}>{k}</option>)}
            </select>
          </Field>
          <Field id="obs-note" label={t('note_optional')}>
            <input id="obs-note" value={s.v.note} onInput={(e) => s.set({ note: val(e) })} />
          </Field>
          <button type="submit" class="button secondary" disabled={s.busy}>{t('add')}</button>
        </form>
      </details>}
    </Section>
  );
}

function Attachments({ inc, url, reload }: SubProps) {
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string[]>([]);
  const list: any[] = inc.attachments ?? [];
  const upload = async () => {
    setBusy(true);
    const f = await uploadFiles(inc.id, files);
    setFailed(f);
    setFiles(files.filter((x) => f.includes(x.name)));
    setBusy(false);
    await reload();
  };
  return (
    <Section id="attachments" title={t('attachments')} count={list.length}>
      <ul class="attachments">
        {list.map((a) => (
          <li key={a.id}>
            <a href={`${url}/attachments/${encodeURIComponent(a.id)}`} download={a.filename ?? a.name}>{a.filename ?? a.name}</a>
            {' '}<small class="muted">{fmtSize(a.size)}</small>
            {a.sha256 && <small class="hash" title="SHA-256"> {String(a.sha256).slice(0, 16)}…</small>}
          </li>
        ))}
      </ul>
      {list.length === 0 && <p class="muted">{t('none')}</p>}
      {failed.length > 0 && <div class="alert error" role="alert">{t('upload_failed', { names: failed.join(', ') })}</div>}
      {mayOf(inc).attachment && <DropZone id="inc-attach" files={files} onFiles={setFiles} />}
      {files.length > 0 && mayOf(inc).attachment && <button type="button" class="button secondary" disabled={busy} onClick={upload}>{busy ? t('sending') : t('upload')}</button>}
    </Section>
  );
}

function Assign({ url, reload, users, assignees, canAssign }: { url: string; reload: () => Promise<any>; users: any[]; assignees: any[]; canAssign: boolean }) {
  const s = useSub(() => ({ user_id: '' }));
  return (
    <Section id="assign" title={t('assign')} count={assignees.length}>
      {assignees.length > 0 && <ul class="tasks">{assignees.map((a) => <li key={a.id}>{a.full_name || a.username}</li>)}</ul>}
      {canAssign && <form class="subform" onSubmit={(e) => { e.preventDefault(); void s.run(async () => { await post(`${url}/assignees`, { user_id: s.v.user_id }); await reload(); }); }}>
        <ErrorBox error={s.err} />
        <Field id="assign-user" label={t('assignee')}>
          <select id="assign-user" required value={s.v.user_id} onChange={(e) => s.set({ user_id: val(e) })}>
            <option value="">{t('choose')}</option>
            {users.filter((u) => !u.disabled).map((u) => <option value={u.id}>{personLabel(u)}</option>)}
          </select>
        </Field>
        <button type="submit" class="button secondary" disabled={s.busy}>{t('assign_btn')}</button>
      </form>}
    </Section>
  );
}
