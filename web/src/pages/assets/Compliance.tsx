// Compliance per organisation: hosts reporting, the 6-monthly vulnerability
// scan (CT 18/CT-TTg), open findings by severity, overdue findings and
// warnings; the last threat hunt against the six-month rule (§10); the same
// as CSV for a report.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../../api';
import { t } from '../../i18n';
import { app, lbl, orgTree } from '../../state';
import { ErrorBox, Loading, useNow } from '../../components/ui';
import { fmtDate, fmtDateTime } from '../../time';
import { SEVERITIES } from './common';

export function CompliancePage() {
  const [data, setData] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useNow();
  useEffect(() => { get('/api/v1/compliance').then(setData, setError); }, []);
  const depth = new Map(orgTree(app.orgs ?? []).map(({ org, depth: d }) => [org.code, d]));
  const items: any[] = data?.items ?? [];
  const top = Math.min(...items.map((x) => depth.get(x.org?.code) ?? 0));
  const lateScans = items.filter((x) => x.scan_overdue).length;
  const lateHunts = items.filter((x) => x.hunt_overdue).length;
  const days = data?.scan_period_days ?? 183;
  return (
    <section>
      <div class="page-head">
        <h1>{t('compliance_title')}</h1>
        <a class="button secondary" href="/api/v1/compliance?format=csv" download="ungcuu-compliance.csv">{t('export_csv')}</a>
      </div>
      <p class="lead">{t('compliance_intro', { d: days })}</p>
      <ErrorBox error={error} />
      {!data && !error && <Loading />}
      {data && (
        <>
          <p class="summary">
            {t('n_orgs', { n: items.length })}
            {lateScans > 0 && <> · <span class="overdue">{t('n_scans_late', { n: lateScans })}</span></>}
            {lateHunts > 0 && <> · <span class="overdue">{t('n_hunts_late', { n: lateHunts })}</span></>}
          </p>
          <div class="scroll-x">
            <table class="list cards-on-phone compliance">
              <thead>
                <tr>
                  <th scope="col">{t('org')}</th>
                  <th scope="col">{t('hosts_reporting')}</th>
                  <th scope="col">{t('last_scan')}</th>
                  <th scope="col">{t('scan_6m')}</th>
                  <th scope="col">{t('last_hunt')}</th>
                  <th scope="col">{t('hunt_6m')}</th>
                  <th scope="col">{t('open_findings')}</th>
                  <th scope="col">{t('overdue_findings')}</th>
                  <th scope="col">{t('overdue_warnings')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((x) => {
                  const f = x.open_findings ?? {};
                  const total = SEVERITIES.reduce((n, s) => n + (f[s] ?? 0), 0);
                  const d = (depth.get(x.org?.code) ?? top) - top;
                  const bad = x.overdue_findings > 0 || x.overdue_warnings > 0;
                  const huntKnown = 'hunt_overdue' in x || 'last_hunt_at' in x;
                  return (
                    <tr key={x.org?.code} class={bad ? 'row-overdue' : ''}>
                      <th scope="row" data-label={t('org')} style={{ paddingLeft: `${0.5 + d}rem` }}>{x.org?.name}</th>
                      <td data-label={t('hosts_reporting')}>
                        <span class={x.hosts > 0 && x.hosts_reporting < x.hosts ? 'soon' : ''}>{t('n_of_m', { n: x.hosts_reporting ?? 0, m: x.hosts ?? 0 })}</span>
                      </td>
                      <td data-label={t('last_scan')}>{x.last_scan_at ? <span title={fmtDateTime(x.last_scan_at)}>{fmtDate(x.last_scan_at)}</span> : <span class="muted">{t('never')}</span>}</td>
                      <td data-label={t('scan_6m')}>
                        {x.scan_overdue
                          ? <span class="overdue">{x.last_scan_at ? t('scan_overdue_since', { d: fmtDate(x.scan_due_at) }) : t('scan_never')}</span>
                          : x.scan_due_at ? <span class={Date.parse(x.scan_due_at) - now < 30 * 86400_000 ? 'soon' : 'ok'}>{t('scan_due_by', { d: fmtDate(x.scan_due_at) })}</span> : '—'}
                      </td>
                      <td data-label={t('last_hunt')}>{x.last_hunt_at ? <span title={fmtDateTime(x.last_hunt_at)}>{fmtDate(x.last_hunt_at)}</span> : <span class="muted">{huntKnown ? t('never') : '—'}</span>}</td>
                      <td data-label={t('hunt_6m')}>
                        {x.hunt_overdue
                          ? <span class="overdue">{x.last_hunt_at ? t('hunt_overdue_since', { d: fmtDate(x.hunt_due_at) }) : t('hunt_never')}</span>
                          : x.hunt_due_at ? <span class={Date.parse(x.hunt_due_at) - now < 30 * 86400_000 ? 'soon' : 'ok'}>{t('scan_due_by', { d: fmtDate(x.hunt_due_at) })}</span> : '—'}
                      </td>
                      <td data-label={t('open_findings')}>
                        {total === 0 ? <span class="muted">0</span> : (
                          <span class="counts">
                            <strong>{total}</strong>
                            {SEVERITIES.map((s) => (f[s] ? <span class={`badge sev-${s}`} title={lbl('severities', s)} key={s}>{lbl('severities', s)} {f[s]}</span> : null))}
                          </span>
                        )}
                      </td>
                      <td data-label={t('overdue_findings')}>{x.overdue_findings ? <span class="overdue">{x.overdue_findings}</span> : <span class="muted">0</span>}</td>
                      <td data-label={t('overdue_warnings')}>{x.overdue_warnings ? <span class="overdue">{x.overdue_warnings}</span> : <span class="muted">0</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
