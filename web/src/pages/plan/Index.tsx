// The "Kế hoạch / Plan" menu entry (issue 15), loaded on first use (one
// chunk). #/plan shows one section per part of the plan: response plans,
// the risk register with resources and budget, drills and periodic reports.
// Routes: #/plan/outline, #/plan/plans/ID[/diff] (plans); #/plan/risks,
// #/plan/resources, #/plan/budget (register, resources, budget);
// #/plan/drills/ID, #/plan/mau05/ID, #/plan/annual (drills and reports).
import { t } from '../../i18n';
import { PlansSection } from './PlansSection';
import { PlanPage, PlanDiffPage } from './PlanPage';
import { OutlinePage } from './OutlinePage';
import { RiskSection } from './RiskSection';
import { RiskPage } from './Risks';
import { ResourcePage } from './Resources';
import { BudgetPage } from './Budget';
import { ReportsSection, reportsRoute } from './ReportsSection';

export function PlanRoute({ route }: { route: string[] }) {
  const [, b, c, d] = route;
  switch (b) {
    case 'outline': return <OutlinePage />;
    case 'plans':
      if (c) return d === 'diff' ? <PlanDiffPage id={c} key={`${c}-diff`} /> : <PlanPage id={c} key={c} />;
      break;
    case 'risks': return <RiskPage />;
    case 'resources': return <ResourcePage />;
    case 'budget': return <BudgetPage />;
  }
  const page = reportsRoute(route);
  if (page) return page;
  return (
    <section class="plan-page">
      <h1>{t('plan_index_title')}</h1>
      <p class="lead">{t('plan_intro')}</p>
      <PlansSection />
      <RiskSection />
      <ReportsSection />
    </section>
  );
}
