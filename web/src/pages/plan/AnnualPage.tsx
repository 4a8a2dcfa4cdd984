// The annual implementation report (#/plan/annual): per organisation,
// incidents, scans and hunts against the six-month rule, drills, warnings
// answered on time; the plan status and budget columns wait for the merge
// of h/plans and h/risk (shown empty, marked).
import { useEffect, useState } from 'preact/hooks';
import { get } from '../../api';
import { t, tryT } from '../../i18n';
import { ErrorBox, Loading } from '../../components/ui';
import { localInputs } from '../../time';
import { money } from './shared';

const rule = (r: string, h1: number, h2: number) => `${tryT(`annual_rule_${r}`) ?? r} (${h1}/${h2})`;

export function AnnualPage() {
  const now = Number(localInputs().date.slice(0, 4));
  const [year, setYear] = useState(now);
  const [a, setA] = useState<any | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { setA(null); get(`/api/v1/plan/annual?year=${year}`).then((x) => { setA(x); setError(null); }, setError); }, [year]);
  return (
    <section class="annual">
      <nav class="breadcrumb" aria-label={t('breadcrumb')}><a href="#/plan">{t('nav_plan')}</a> › {t('annual_title', { year })}</nav>
      <div class="page-head">
        <h1>{t('annual_title', { year })}</h1>
        <div class="actions">
          <label for="annual-year">{t('annual_year')}</label>{' '}
          <select id="annual-year" value={year} onChange={(e) => setYear(Number(e.currentTarget.value))}>
            {[now, now - 1, now - 2].map((y) => <option value={y}>{y}</option>)}
          </select>
          <a class="button secondary" id="annual-pdf" href={`/api/v1/plan/annual/document?year=${year}`} download>PDF</a>
          <a class="button secondary" href={`/api/v1/plan/annual/document?year=${year}&format=docx`} download>DOCX</a>
        </div>
      </div>
      <p class="muted">{t('annual_intro')}</p>
      <ErrorBox error={error} />
      {!a ? <Loading /> : (
        <div class="table-scroll">
          <table class="list cards-on-phone" id="annual-table">
            <thead><tr>
              <th scope="col">{t('org')}</th><th scope="col">{t('annual_plan_status')}</th><th scope="col">{t('annual_incidents')}</th>
              <th scope="col">{t('annual_scans')}</th><th scope="col">{t('annual_hunts')}</th><th scope="col">{t('annual_drills')}</th>
              <th scope="col">{t('annual_warnings')}</th><th scope="col">{t('annual_budget')}</th>
            </tr></thead>
            <tbody>
              {a.items.map((r: any) => (
                <tr key={r.org.code}>
                  <td data-label={t('org')}>{r.org.name}</td>
                  <td data-label={t('annual_plan_status')}>{tryT(`plan_st_${r.plan_status}`) ?? r.plan_status}</td>
                  <td data-label={t('annual_incidents')}>{r.incidents} ({r.incidents_closed})</td>
                  <td data-label={t('annual_scans')} class={r.scan_rule === 'missed' ? 'late' : ''}>{rule(r.scan_rule, r.scans_h1, r.scans_h2)}</td>
                  <td data-label={t('annual_hunts')} class={r.hunt_rule === 'missed' ? 'late' : ''}>{rule(r.hunt_rule, r.hunts_h1, r.hunts_h2)}</td>
                  <td data-label={t('annual_drills')}>{r.drills_held} ({r.live_drills_held})</td>
                  <td data-label={t('annual_warnings')}>{r.warnings_on_time}/{r.warnings_due}</td>
                  <td data-label={t('annual_budget')} class="num">{r.budget_planned || r.budget_spent ? `${money(r.budget_spent)} / ${money(r.budget_planned)}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted small">{t('annual_budget_note')}</p>
    </section>
  );
}
