// Dashboard from GET /api/v1/stats: open incidents by status and severity,
// overdue count, incidents per month, per type and per organisation.
import { DutyLine } from './Duty';
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { t } from '../i18n';
import { codes, lbl } from '../state';
import { ErrorBox, Loading, TimeLeft, usePoll } from '../components/ui';
import { Columns, HBars, type Datum } from '../components/charts';
import { fmtDate, localInputs } from '../time';

const STATES = ['received', 'acknowledged', 'verified', 'rejected', 'classified', 'containing', 'eradicating', 'recovering', 'reviewing', 'closed'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

function fromMap(m: Record<string, number> | undefined, order: string[], group: 'states' | 'severities' | 'incident_types', prefix: string): Datum[] {
  const keys = [...order.filter((k) => m && k in m), ...Object.keys(m ?? {}).filter((k) => !order.includes(k))];
  return keys.map((k) => ({ label: k === 'null' || k === 'none' || k === '' ? t('sev_unset') : lbl(group, k), value: Number(m?.[k] ?? 0), cls: `${prefix}-${k}` }));
}

/** The last n months up to this one (UTC+7), with the months that had no incident as 0. */
function lastMonths(rows: { month: string; count: number }[], n: number): Datum[] {
  const counts = new Map(rows.map((r) => [String(r.month), Number(r.count ?? 0)]));
  const [y0, m0] = localInputs().date.split('-').map(Number);
  const out: Datum[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y0, m0 - 1 - i, 1));
    const key = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    out.push({ label: `${key.slice(5)}/${key.slice(2, 4)}`, value: counts.get(key) ?? 0 });
  }
  return out;
}

function ClockList({ cls, title, items }: { cls: string; title: string; items: any[] }) {
  return (
    <section class={`panel ${cls}`}>
      <h2>{title}</h2>
      <ul>
        {items.map((d) => (
          <li key={`${d.incident?.id}-${d.kind}`}>
            <a href={`#/incidents/${d.incident?.id}`}><span class="number">{d.incident?.number}</span> {d.incident?.title}</a>
            {' — '}{lbl('deadline_kinds', d.kind)}: <TimeLeft d={d} />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Dashboard() {
  const [s, setS] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [late, setLate] = useState<any[] | null>(null);
  const [soon, setSoon] = useState<any[] | null>(null);
  const [m5, setM5] = useState<any[] | null>(null);
  const load = () => {
    get('/api/v1/plan/mau05').then((x) => setM5(x.deadlines ?? []), () => setM5(null));
    get('/api/v1/deadlines?overdue=true&limit=50').then((x) => setLate(x.items ?? []), () => setLate(null));
    get('/api/v1/deadlines?due_soon=1&limit=50').then((x) => setSoon(x.items ?? []), () => setSoon(null));
    return get('/api/v1/stats').then((x) => { setS(x); setError(null); }, setError);
  };
  useEffect(() => { void load(); }, []);
  usePoll(load, 30_000, []);
  if (error && !s) return <ErrorBox error={error} />;
  if (!s) return <Loading />;
  const months = lastMonths(s.by_month ?? [], 12);
  const byOrg: any[] = [...(s.by_org ?? [])].sort((a, b) => (b.open ?? 0) - (a.open ?? 0) || (b.total ?? 0) - (a.total ?? 0));
  const maxOrg = Math.max(1, ...byOrg.map((o) => Number(o.total ?? 0)));
  return (
    <section class="dashboard">
      <h1>{t('dashboard_title')}</h1>
      <DutyLine />
      <div class="stats-cards">
        <a class="stat" href="#/queue"><span class="n">{s.open ?? 0}</span><span>{t('open_incidents')}</span></a>
        <a class={`stat${s.overdue ? ' stat-overdue' : ''}`} href="#/queue"><span class="n">{s.overdue ?? 0}</span><span>{t('overdue_incidents')}</span></a>
        <a class={`stat${s.due_soon ? ' stat-soon' : ''}`} href="#/queue" id="stat-due-soon"><span class="n">{s.due_soon ?? 0}</span><span>{t('due_soon_incidents')}</span></a>
        {m5 && m5.filter((d) => d.status !== 'sent').slice(0, 1).map((d) => (
          <a class={`stat${d.overdue ? ' stat-overdue' : ''}`} href={d.report_id ? `#/plan/mau05/${d.report_id}` : '#/plan'} id="stat-mau05">
            <span class="n">{fmtDate(d.due_at)}</span>
            <span>{t('m5_dash_title')}: {t(d.period === 'half' ? 'm5_period_half' : 'm5_period_year', { year: d.year })} · {t(`m5_st_${d.status}` as any)}</span>
          </a>
        ))}
      </div>
      <div class="clock-panels">
        {late && late.length > 0 && <ClockList cls="late" title={t('overdue_list')} items={late} />}
        {soon && soon.length > 0 && <ClockList cls="soon-list" title={t('due_soon_list')} items={soon} />}
      </div>
      <div class="dash-grid">
        <section class="panel"><h2>{t('by_status')}</h2><HBars id="c-status" title={t('by_status')} data={fromMap(s.by_status, codes('states', STATES), 'states', 'st')} /></section>
        <section class="panel"><h2>{t('by_severity')}</h2><HBars id="c-sev" title={t('by_severity')} data={fromMap(s.by_severity, codes('severities', SEVERITIES), 'severities', 'sev')} /></section>
        <section class="panel"><h2>{t('by_month')}</h2>{months.length ? <Columns id="c-month" title={t('by_month')} data={months} /> : <p class="muted">{t('none')}</p>}</section>
        <section class="panel"><h2>{t('by_type')}</h2><HBars id="c-type" title={t('by_type')} data={fromMap(s.by_type, codes('incident_types', []), 'incident_types', 'ty')} /></section>
        <section class="panel wide">
          <h2>{t('by_org')}</h2>
          <table class="list by-org">
            <thead><tr><th scope="col">{t('org')}</th><th scope="col">{t('open_n')}</th><th scope="col">{t('total_n')}</th><th scope="col" class="bar-col"><span class="visually-hidden">{t('chart')}</span></th></tr></thead>
            <tbody>
              {byOrg.map((o) => (
                <tr key={o.org?.id ?? o.org?.code}>
                  <td data-label={t('org')}>{o.org?.name}</td>
                  <td data-label={t('open_n')}>{o.open ?? 0}</td>
                  <td data-label={t('total_n')}>{o.total ?? 0}</td>
                  <td class="bar-col" aria-hidden="true">
                    <svg viewBox="0 0 200 14" class="inline-bar" preserveAspectRatio="none">
                      <rect x="0" y="1" height="12" width={(Number(o.total ?? 0) / maxOrg) * 200} class="bar total" />
                      <rect x="0" y="1" height="12" width={(Number(o.open ?? 0) / maxOrg) * 200} class="bar open" />
                    </svg>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </section>
  );
}
