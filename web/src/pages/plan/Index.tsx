// The plan (issue 15): #/plan lists each helper's section; #/plan/risks,
// #/plan/resources and #/plan/budget are h/risk's pages. (The lead merges
// the sections and routes of h/plans and h/reports here.)
import { t } from '../../i18n';
import { RiskSection } from './RiskSection';
import { RiskPage } from './Risks';
import { ResourcePage } from './Resources';
import { BudgetPage } from './Budget';

export function PlanIndex() {
  return (
    <section class="plan-page">
      <h1>{t('plan_title')}</h1>
      <p class="lead">{t('plan_intro')}</p>
      <RiskSection />
    </section>
  );
}

export function PlanRoute({ route }: { route: string[] }) {
  switch (route[1]) {
    case 'risks': return <RiskPage />;
    case 'resources': return <ResourcePage />;
    case 'budget': return <BudgetPage />;
    default: return <PlanIndex />;
  }
}
