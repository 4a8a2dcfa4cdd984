// Drills and periodic reports (issue 15, items 4 and 6; h/reports): the
// section of #/plan (drills and the live-drill rule, Mẫu 05 with its
// deadlines, Mẫu 01, the annual report) and the routes #/plan/drills/ID,
// #/plan/mau05/ID and #/plan/annual (reportsRoute).
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../../api';
import { t, tryT } from '../../i18n';
import { app, hasRole } from '../../state';
import { go } from '../../router';
import { ErrorBox, Field, Loading } from '../../components/ui';
import { fmtDate, localInputs, toUtcIso } from '../../time';
import { DrillPage } from './DrillPage';
import { Mau05Page } from './Mau05Page';
import { AnnualPage } from './AnnualPage';

/** #/plan/drills/ID, #/plan/mau05/ID, #/plan/annual — or null for another branch's route. */
export function reportsRoute(route: string[]) {
  const [, b, c] = route;
  if (b === 'drills' && c) return <DrillPage id={c} key={c} />;
  if (b === 'mau05' && c) return <Mau05Page id={c} key={c} />;
  if (b === 'annual') return <AnnualPage />;
  return null;
}

export const periodLabel = (p: string, year: number) => t(p === 'half' ? 'm5_period_half' : 'm5_period_year', { year });
export const drillKind = (k: string) => tryT(`drill_kind_${k}`) ?? k;
export const drillStatus = (s: string) => tryT(`drill_st_${s}`) ?? s;

function NewDrill({ onDone }: { onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({ title: '', kind: 'live', date: localInputs().date, scenario: '' });
  const [error, setError] = useState<unknown>(null);
  if (!open) return <button type="button" class="button" id="drill-new" onClick={() => setOpen(true)}>{t('drill_new')}</button>;
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const d = await post('/api/v1/plan/drills', { title: f.title, kind: f.kind, planned_at: toUtcIso(f.date, '08:00'), scenario: f.scenario });
      onDone();
      go(`/plan/drills/${d.id}`);
    } catch (x) { setError(x); }
  };
  return (
    <form class="panel form" id="drill-form" onSubmit={submit}>
      <ErrorBox error={error} />
      <Field label={t('drill_title')} id="drill-title" req><input id="drill-title" required maxLength={300} value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} /></Field>
      <Field label={t('drill_kind')} id="drill-kind">
        <select id="drill-kind" value={f.kind} onChange={(e) => setF({ ...f, kind: e.currentTarget.value })}>
          <option value="live">{drillKind('live')}</option><option value="tabletop">{drillKind('tabletop')}</option>
        </select>
      </Field>
      <Field label={t('drill_planned_at')} id="drill-date" req><input id="drill-date" type="date" required value={f.date} onInput={(e) => setF({ ...f, date: e.currentTarget.value })} /></Field>
      <Field label={t('drill_scenario')} id="drill-scenario" hint={t('drill_scenario_hint')}><textarea id="drill-scenario" maxLength={20000} rows={3} value={f.scenario} onInput={(e) => setF({ ...f, scenario: e.currentTarget.value })} /></Field>
      <div class="actions">
        <button type="submit" class="button">{t('save')}</button>
        <button type="button" class="button secondary" onClick={() => setOpen(false)}>{t('cancel')}</button>
      </div>
    </form>
  );
}

function Drills() {
  const [list, setList] = useState<any[] | null>(null);
  const [comp, setComp] = useState<any[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => {
    get('/api/v1/plan/drills').then((r) => setList(r.items), setError);
    get('/api/v1/plan/drill-compliance').then((r) => setComp(r.items), setError);
  };
  useEffect(load, []);
  return (
    <section class="panel wide" id="drills">
      <h2>{t('drills_title')}</h2>
      <p class="muted">{t('drills_intro')}</p>
      <ErrorBox error={error} />
      {hasRole('focal', 'coordinator') && <NewDrill onDone={load} />}
      {!list ? <Loading /> : list.length === 0 ? <p class="empty">{t('none')}</p> : (
        <table class="list cards-on-phone" id="drill-list">
          <thead><tr><th scope="col">{t('drill_title')}</th><th scope="col">{t('org')}</th><th scope="col">{t('drill_kind')}</th><th scope="col">{t('drill_status')}</th><th scope="col">{t('drill_date')}</th><th scope="col">{t('drill_open_actions')}</th></tr></thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id}>
                <td data-label={t('drill_title')}><a href={`#/plan/drills/${d.id}`}>{d.title}</a></td>
                <td data-label={t('org')}>{d.org.name}</td>
                <td data-label={t('drill_kind')}>{drillKind(d.kind)}</td>
                <td data-label={t('drill_status')}>{drillStatus(d.status)}</td>
                <td data-label={t('drill_date')}>{fmtDate(d.held_at ?? d.planned_at)}</td>
                <td data-label={t('drill_open_actions')}>{d.actions ? `${d.actions.open}/${d.actions.total}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('drill_compliance_title')}</h3>
      {!comp ? <Loading /> : comp.length === 0 ? <p class="empty">{t('drill_compliance_none')}</p> : (
        <table class="list cards-on-phone" id="drill-compliance">
          <thead><tr><th scope="col">{t('system')}</th><th scope="col">{t('org')}</th><th scope="col">{t('drill_level_col')}</th><th scope="col">{t('drill_last_live')}</th><th scope="col">{t('drill_next_due')}</th></tr></thead>
          <tbody>
            {comp.map((c) => (
              <tr key={c.system.id} class={c.overdue ? 'overdue' : ''}>
                <td data-label={t('system')}>{c.system.name}</td>
                <td data-label={t('org')}>{c.org.name}</td>
                <td data-label={t('drill_level_col')}>{c.system.level}</td>
                <td data-label={t('drill_last_live')}>{c.last_live_drill_at ? fmtDate(c.last_live_drill_at) : t('drill_never')}</td>
                <td data-label={t('drill_next_due')}>{c.overdue ? <strong class="late">{t('drill_overdue')}</strong> : fmtDate(c.next_due_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Mau05List() {
  const [r, setR] = useState<any | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { get('/api/v1/plan/mau05').then(setR, setError); }, []);
  const make = async (period: string, year: number) => {
    setBusy(true);
    try { const m = await post('/api/v1/plan/mau05', { period, year }); go(`/plan/mau05/${m.id}`); } catch (x) { setError(x); } finally { setBusy(false); }
  };
  const writer = hasRole('focal', 'coordinator');
  return (
    <section class="panel wide" id="mau05">
      <h2>{t('m5_title')}</h2>
      <p class="muted">{t('m5_intro')}</p>
      <ErrorBox error={error} />
      {!r ? <Loading /> : (
        <>
          <ul class="deadline-list" id="m5-deadlines">
            {r.deadlines.map((d: any) => (
              <li key={`${d.period}-${d.year}`} class={d.overdue ? 'late' : ''}>
                <strong>{periodLabel(d.period, d.year)}</strong>{' — '}{t('m5_due', { date: fmtDate(d.due_at) })}{' · '}
                {d.report_id ? <a href={`#/plan/mau05/${d.report_id}`}>{t(`m5_st_${d.status}` as any)}</a> : t('m5_st_missing')}
                {!d.report_id && writer && <> {' '}<button type="button" class="button small" disabled={busy} onClick={() => make(d.period, d.year)}>{t('m5_make')}</button></>}
              </li>
            ))}
          </ul>
          {r.items.length > 0 && (
            <table class="list cards-on-phone" id="m5-list">
              <thead><tr><th scope="col">{t('m5_period')}</th><th scope="col">{t('org')}</th><th scope="col">{t('m5_total')}</th><th scope="col">{t('m5_status')}</th></tr></thead>
              <tbody>
                {r.items.map((m: any) => (
                  <tr key={m.id}>
                    <td data-label={t('m5_period')}><a href={`#/plan/mau05/${m.id}`}>{periodLabel(m.period, m.year)}</a></td>
                    <td data-label={t('org')}>{m.org.name}</td>
                    <td data-label={t('m5_total')}>{m.total.count}</td>
                    <td data-label={t('m5_status')}>{t(`m5_st_${m.status}` as any)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

export function ReportsSection() {
  const code = app.user?.org?.code ?? '';
  const year = Number(localInputs().date.slice(0, 4));
  return (
    <div class="reports-section">
      <Mau05List />
      <section class="panel wide" id="other-reports">
        <h2>{t('reports_other')}</h2>
        <ul>
          <li><a href="#/plan/annual" id="annual-link">{t('annual_title', { year })}</a></li>
          <li>{t('m1_title')}: <a href={`/api/v1/plan/orgs/${encodeURIComponent(code)}/mau01/document`} download>PDF</a>{' · '}
            <a href={`/api/v1/plan/orgs/${encodeURIComponent(code)}/mau01/document?format=docx`} download>DOCX</a></li>
        </ul>
      </section>
      <Drills />
    </div>
  );
}
