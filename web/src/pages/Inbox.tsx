// The inbox: my work in one place — open incidents assigned to me, my open
// tasks, support asked of my organisation (kept, read-only, after the
// incident closes), warnings my organisation has not yet reported fixed.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { t, type Key } from '../i18n';
import { ErrorBox, Loading, StatusBadge, usePoll } from '../components/ui';
import { fmtDateTime } from '../time';

/** How many things wait for me (the header's badge); null until known. */
export function useInboxCount(loggedIn: boolean): number | null {
  const [n, setN] = useState<number | null>(null);
  const load = () => {
    if (loggedIn) get('/api/v1/inbox', { no401: true }).then((r) => setN(r.count ?? 0), () => setN(null));
  };
  useEffect(() => { load(); }, [loggedIn, location.hash.split('?')[0]]);
  usePoll(load, 60_000, [loggedIn]);
  return loggedIn ? n : null;
}

function IncLink({ i }: { i: any }) {
  return <a href={`#/incidents/${i.id}`}>{i.number}</a>;
}

export function Inbox() {
  const [box, setBox] = useState<any | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => get('/api/v1/inbox').then((r) => { setBox(r); setError(null); }, setError);
  useEffect(() => { void load(); }, []);
  usePoll(() => void load(), 30_000, []);
  const when = (s: string | null) => (s ? fmtDateTime(s) : '—');
  return (
    <section class="inbox">
      <div class="page-head"><h1>{t('inbox_title')}</h1></div>
      <ErrorBox error={error} />
      {!box && !error && <Loading />}
      {box && (
        <>
          <p class="summary" aria-live="polite">{t('inbox_count', { n: box.count })}</p>
          <h2>{t('inbox_assigned')} <span class="n">({box.assigned.length})</span></h2>
          {box.assigned.length === 0 ? <p class="empty">{t('inbox_none')}</p> : (
            <ul class="inbox-list" id="inbox-assigned">
              {box.assigned.map((i: any) => (
                <li><IncLink i={i} /> {i.title} <StatusBadge status={i.status} /> {i.next_due_at && <small class="muted">{t('next_deadline')}: {when(i.next_due_at)}</small>}</li>
              ))}
            </ul>
          )}
          <h2>{t('inbox_tasks')} <span class="n">({box.tasks.length})</span></h2>
          {box.tasks.length === 0 ? <p class="empty">{t('inbox_none')}</p> : (
            <ul class="inbox-list" id="inbox-tasks">
              {box.tasks.map((k: any) => (
                <li>{k.title} — <IncLink i={k.incident} /> {k.incident.title} {k.due_at && <small class="muted">{t('due')} {when(k.due_at)}</small>}</li>
              ))}
            </ul>
          )}
          <h2>{t('inbox_support')} <span class="n">({box.support_requests.length})</span></h2>
          {box.support_requests.length === 0 ? <p class="empty">{t('inbox_none')}</p> : (
            <ul class="inbox-list" id="inbox-support">
              {box.support_requests.map((s: any) => (
                <li class={s.read_only ? 'read-only' : ''}>
                  {s.read_only ? <span>{s.incident.number}</span> : <IncLink i={s.incident} />} {s.summary}
                  {' '}<small class="muted">{t(`sr_${s.status}` as Key)} · {s.incident.title}</small>
                  {s.read_only && <small class="muted"> · {t('inbox_support_closed')}</small>}
                </li>
              ))}
            </ul>
          )}
          <h2>{t('inbox_drill_actions')} <span class="n">({(box.drill_actions ?? []).length})</span></h2>
          {(box.drill_actions ?? []).length === 0 ? <p class="empty">{t('inbox_none')}</p> : (
            <ul class="inbox-list" id="inbox-drill-actions">
              {box.drill_actions.map((a: any) => (
                <li class={a.overdue ? 'late' : ''}>{a.title} — <a href={`#/plan/drills/${a.drill.id}`}>{a.drill.title}</a> <small class="muted">{t('due')} {when(a.due_at)}</small></li>
              ))}
            </ul>
          )}
          <h2>{t('inbox_warnings')} <span class="n">({box.warnings.length})</span></h2>
          {box.warnings.length === 0 ? <p class="empty">{t('inbox_none')}</p> : (
            <ul class="inbox-list" id="inbox-warnings">
              {box.warnings.map((w: any) => (
                <li><a href={`#/warnings/${w.id}`}>{w.title}</a> <small class="muted">{t('due')} {when(w.deadline)}{w.acknowledged ? ` · ${t('inbox_acknowledged')}` : ''}</small></li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
