// The district's view of response plans (issue 15, item 2): each
// organisation in the reader's scope with its current approved plan, the
// version in progress and its systems of level 4-5; a writer drafts a plan.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post } from '../../api';
import { t } from '../../i18n';
import { app, hasRole, orgTree } from '../../state';
import { go } from '../../router';
import { ErrorBox, Loading } from '../../components/ui';
import { decisionText, planStatus } from './common';

function PlanLink({ p }: { p: any }) {
  if (!p) return <span class="muted">—</span>;
  return (
    <a href={`#/plan/plans/${p.id}`}>
      {t('plan_version_n', { n: p.number })}
      {p.status ? ` · ${planStatus(p.status)}` : ''}
      {p.decision_number ? ` · ${decisionText(p)}` : ''}
    </a>
  );
}

export function PlansSection() {
  const [data, setData] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { get('/api/v1/plans/compliance').then(setData, setError); }, []);
  const depth = new Map(orgTree(app.orgs ?? []).map(({ org, depth: d }) => [org.code, d]));
  const items: any[] = data?.items ?? [];
  const top = items.length ? Math.min(...items.map((x) => depth.get(x.org?.code) ?? 0)) : 0;
  const mayWrite = hasRole('focal', 'coordinator');
  const draft = async () => {
    setBusy(true);
    setError(null);
    try {
      const p = await post('/api/v1/plans', {});
      go(`/plan/plans/${p.id}`);
    } catch (e) {
      setError(e);
      // an open version exists: take the writer to it
      if (e instanceof ApiError && e.status === 409) {
        const own = items.find((x) => x.org?.id === app.user?.org?.id);
        if (own?.open) go(`/plan/plans/${own.open.id}`);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="h-plans" id="plans-section">
      <div class="panel-head">
        <h2 id="h-plans">{t('plans_title')}</h2>
        {mayWrite && <button type="button" class="button primary" id="plan-new" disabled={busy} onClick={draft}>{t('plan_new')}</button>}
      </div>
      <p class="lead">{t('plans_intro')} <a href="#/plan/outline" id="plan-outline-link">{t('plan_outline_link')}</a></p>
      <ErrorBox error={error} texts={{ 409: 'plan_open_exists' }} />
      {!data && !error && <Loading />}
      {data && (
        <>
          <p class="summary">{t('plan_summary', { a: data.approved, n: data.total, p: data.pending })}</p>
          <div class="scroll-x">
            <table class="list cards-on-phone plans">
              <thead>
                <tr>
                  <th scope="col">{t('plan_col_org')}</th>
                  <th scope="col">{t('plan_col_status')}</th>
                  <th scope="col">{t('plan_col_current')}</th>
                  <th scope="col">{t('plan_col_open')}</th>
                  <th scope="col">{t('plan_col_systems')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((x) => (
                  <tr key={x.org.code} data-org={x.org.code} class={x.status === 'none' ? 'row-overdue' : ''}>
                    <th scope="row" data-label={t('plan_col_org')} style={{ paddingLeft: `${0.5 + (depth.get(x.org.code) ?? top) - top}rem` }}>{x.org.name}</th>
                    <td data-label={t('plan_col_status')}>
                      <span class={`badge plan-${x.status}`}>{planStatus(x.status)}</span>
                    </td>
                    <td data-label={t('plan_col_current')}><PlanLink p={x.current} /></td>
                    <td data-label={t('plan_col_open')}><PlanLink p={x.open} /></td>
                    <td data-label={t('plan_col_systems')}>
                      {x.systems.length === 0 ? <span class="muted">—</span> : (
                        <ul class="plain">
                          {x.systems.map((s: any) => (
                            <li key={s.id}>
                              {s.name} ({s.level}): {s.current ? <PlanLink p={s.current} /> : s.open ? <PlanLink p={s.open} /> : <span class="overdue">{planStatus('none')}</span>}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
