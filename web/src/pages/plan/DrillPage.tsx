// A drill (#/plan/drills/ID): what was exercised, the injects' timeline,
// what went wrong, the corrective actions (each with its owner, who sees it
// in the inbox and reports it done), the after-action report as PDF/DOCX.
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post } from '../../api';
import { t } from '../../i18n';
import { app, hasRole } from '../../state';
import { ErrorBox, Field, Loading } from '../../components/ui';
import { fmtDate, fmtDateTime, localInputs, toUtcIso } from '../../time';
import { drillKind, drillStatus } from './ReportsSection';

function Record({ d, onSaved }: { d: any; onSaved: (x: any) => void }) {
  const [f, setF] = useState({
    status: d.status, date: d.held_at ? localInputs(Date.parse(d.held_at)).date : localInputs().date,
    participants: d.participants, went_wrong: d.went_wrong, lessons: d.lessons,
  });
  const [inj, setInj] = useState({ date: localInputs().date, time: localInputs().time, text: '' });
  const [error, setError] = useState<unknown>(null);
  const save = async (extra: Record<string, unknown> = {}) => {
    try {
      const body: Record<string, unknown> = { status: f.status, participants: f.participants, went_wrong: f.went_wrong, lessons: f.lessons, ...extra };
      if (f.status === 'held') body.held_at = toUtcIso(f.date, '08:00');
      onSaved(await patch(`/api/v1/plan/drills/${d.id}`, body, { ifMatch: d.version }));
      setError(null);
    } catch (x) { setError(x); }
  };
  return (
    <form class="panel form" id="drill-record" onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <h2>{t('drill_record')}</h2>
      <ErrorBox error={error} />
      <Field label={t('drill_status')} id="drill-status">
        <select id="drill-status" value={f.status} onChange={(e) => setF({ ...f, status: e.currentTarget.value })}>
          {['planned', 'held', 'cancelled'].map((s) => <option value={s}>{drillStatus(s)}</option>)}
        </select>
      </Field>
      {f.status === 'held' && <Field label={t('drill_held_at')} id="drill-held" req><input id="drill-held" type="date" required value={f.date} onInput={(e) => setF({ ...f, date: e.currentTarget.value })} /></Field>}
      <Field label={t('drill_participants')} id="drill-participants"><textarea id="drill-participants" rows={2} maxLength={4000} value={f.participants} onInput={(e) => setF({ ...f, participants: e.currentTarget.value })} /></Field>
      <Field label={t('drill_went_wrong')} id="drill-wrong"><textarea id="drill-wrong" rows={3} maxLength={20000} value={f.went_wrong} onInput={(e) => setF({ ...f, went_wrong: e.currentTarget.value })} /></Field>
      <Field label={t('drill_lessons')} id="drill-lessons"><textarea id="drill-lessons" rows={3} maxLength={20000} value={f.lessons} onInput={(e) => setF({ ...f, lessons: e.currentTarget.value })} /></Field>
      <div class="actions"><button type="submit" class="button">{t('save')}</button></div>
      <h3>{t('drill_add_inject')}</h3>
      <div class="row">
        <Field label={t('drill_inject_date')} id="inj-date"><input id="inj-date" type="date" value={inj.date} onInput={(e) => setInj({ ...inj, date: e.currentTarget.value })} /></Field>
        <Field label={t('drill_inject_time')} id="inj-time"><input id="inj-time" type="time" value={inj.time} onInput={(e) => setInj({ ...inj, time: e.currentTarget.value })} /></Field>
      </div>
      <Field label={t('drill_inject_text')} id="inj-text"><input id="inj-text" maxLength={2000} value={inj.text} onInput={(e) => setInj({ ...inj, text: e.currentTarget.value })} /></Field>
      <button type="button" class="button secondary" id="inj-add" disabled={!inj.text.trim()}
        onClick={() => void save({ injects: [...d.injects, { at: toUtcIso(inj.date, inj.time), text: inj.text }] }).then(() => setInj({ ...inj, text: '' }))}>
        {t('drill_add_inject')}
      </button>
    </form>
  );
}

function NewAction({ d, onAdded }: { d: any; onAdded: () => void }) {
  const [users, setUsers] = useState<any[]>([]);
  const [f, setF] = useState({ title: '', owner: '', date: localInputs(Date.now() + 14 * 864e5).date });
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { get('/api/v1/users').then((r) => setUsers(r.items.filter((u: any) => !u.disabled)), setError); }, []);
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await post(`/api/v1/plan/drills/${d.id}/actions`, { title: f.title, owner_id: f.owner, due_at: toUtcIso(f.date, '17:00') });
      setF({ ...f, title: '' });
      setError(null);
      onAdded();
    } catch (x) { setError(x); }
  };
  return (
    <form class="form inline-form" id="action-form" onSubmit={add}>
      <ErrorBox error={error} />
      <Field label={t('drill_action_title')} id="action-title" req><input id="action-title" required maxLength={300} value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} /></Field>
      <Field label={t('drill_action_owner')} id="action-owner" req>
        <select id="action-owner" required value={f.owner} onChange={(e) => setF({ ...f, owner: e.currentTarget.value })}>
          <option value="">—</option>
          {users.map((u) => <option value={u.id}>{u.full_name || u.username} ({u.org?.name ?? ''})</option>)}
        </select>
      </Field>
      <Field label={t('due')} id="action-due" req><input id="action-due" type="date" required value={f.date} onInput={(e) => setF({ ...f, date: e.currentTarget.value })} /></Field>
      <button type="submit" class="button">{t('drill_action_add')}</button>
    </form>
  );
}

/** Whether an organisation is the reader's or below it (the writers' reach). */
function inMySubtree(orgId: string): boolean {
  const mine = app.user?.org?.id;
  const byId = new Map((app.orgs ?? []).map((o) => [o.id, o]));
  for (let id: string | null | undefined = orgId, n = 0; id && n < 16; n++) {
    if (id === mine) return true;
    id = byId.get(id)?.parent_id;
  }
  return false;
}

export function DrillPage({ id }: { id: string }) {
  const [d, setD] = useState<any | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => get(`/api/v1/plan/drills/${id}`).then((x) => { setD(x); setError(null); }, setError);
  useEffect(() => { void load(); }, [id]);
  if (error && !d) return <ErrorBox error={error} />;
  if (!d) return <Loading />;
  const writer = hasRole('focal', 'coordinator') && inMySubtree(d.org.id);
  const toggle = async (a: any) => {
    try { await patch(`/api/v1/plan/drills/${id}/actions/${a.id}`, { done: !a.done }); await load(); } catch (x) { setError(x); }
  };
  return (
    <section class="drill">
      <nav class="breadcrumb" aria-label={t('breadcrumb')}><a href="#/plan">{t('nav_plan')}</a> › {t('drills_title')}</nav>
      <div class="page-head">
        <h1>{d.title}</h1>
        <div class="actions">
          <a class="button secondary" id="drill-pdf" href={`/api/v1/plan/drills/${id}/document`} download>{t('drill_aar')} (PDF)</a>
          <a class="button secondary" href={`/api/v1/plan/drills/${id}/document?format=docx`} download>DOCX</a>
        </div>
      </div>
      <ErrorBox error={error} />
      <dl class="facts">
        <dt>{t('org')}</dt><dd>{d.org.name}</dd>
        <dt>{t('drill_kind')}</dt><dd>{drillKind(d.kind)}</dd>
        <dt>{t('drill_status')}</dt><dd id="drill-status-text">{drillStatus(d.status)}</dd>
        <dt>{t('drill_planned_at')}</dt><dd>{fmtDate(d.planned_at)}</dd>
        {d.held_at && <><dt>{t('drill_held_at')}</dt><dd>{fmtDate(d.held_at)}</dd></>}
        <dt>{t('drill_systems')}</dt><dd>{d.systems.length ? d.systems.map((s: any) => `${s.name}${s.level ? ` (${t('drill_level')} ${s.level})` : ''}`).join('; ') : '—'}</dd>
        <dt>{t('drill_participants')}</dt><dd>{d.participants || '—'}</dd>
      </dl>
      <h2>{t('drill_scenario')}</h2>
      <p class="prewrap">{d.scenario || '—'}</p>
      <h2>{t('drill_injects')}</h2>
      {d.injects.length === 0 ? <p class="empty">{t('none')}</p> : (
        <ol class="timeline" id="drill-injects">{d.injects.map((x: any) => <li><time>{fmtDateTime(x.at)}</time> {x.text}</li>)}</ol>
      )}
      {d.went_wrong && <><h2>{t('drill_went_wrong')}</h2><p class="prewrap">{d.went_wrong}</p></>}
      {d.lessons && <><h2>{t('drill_lessons')}</h2><p class="prewrap">{d.lessons}</p></>}
      <h2>{t('drill_actions')}</h2>
      {d.actions.length === 0 ? <p class="empty">{t('none')}</p> : (
        <ul class="checklist" id="drill-actions">
          {d.actions.map((a: any) => {
            const mine = a.owner.id === app.user?.id;
            return (
              <li key={a.id} class={a.done ? 'done' : a.overdue ? 'late' : ''}>
                <label>
                  <input type="checkbox" checked={a.done} disabled={!mine && !writer} onChange={() => void toggle(a)} />
                  {' '}{a.title}
                </label>
                {' '}<small class="muted">{a.owner.full_name || a.owner.username} · {t('due')} {fmtDate(a.due_at)}{a.overdue ? ` · ${t('drill_overdue')}` : ''}</small>
              </li>
            );
          })}
        </ul>
      )}
      {writer && <NewAction d={d} onAdded={() => void load()} />}
      {writer && <Record d={d} onSaved={(x) => { setD({ ...d, ...x }); void load(); }} />}
    </section>
  );
}
