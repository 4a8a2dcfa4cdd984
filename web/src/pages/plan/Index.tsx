// The "Kế hoạch / Plan" menu entry (issue 15), loaded on first use (one
// chunk): #/plan shows each branch's section (here ReportsSection of
// h/reports; the lead merges the sections of h/plans and h/risk), and each
// branch's routes under #/plan/….
import { t } from '../../i18n';
import { ReportsSection, reportsRoute } from './ReportsSection';

export function PlanRoute({ route }: { route: string[] }) {
  const page = reportsRoute(route);
  if (page) return page;
  return (
    <section>
      <h1>{t('plan_index_title')}</h1>
      <ReportsSection />
    </section>
  );
}
