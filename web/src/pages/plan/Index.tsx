// The "Kế hoạch / Plan" menu entry (issue 15), loaded on first use (one
// chunk): #/plan/outline, #/plan (each branch's section: PlansSection from h/plans; the
// lead merges the others' sections here), #/plan/plans/ID, #/plan/plans/ID/diff.
import { t } from '../../i18n';
import { PlansSection } from './PlansSection';
import { PlanPage, PlanDiffPage } from './PlanPage';
import { OutlinePage } from './OutlinePage';

export function PlanRoute({ route }: { route: string[] }) {
  const [, b, c, d] = route;
  if (b === 'outline') return <OutlinePage />;
  if (b === 'plans' && c) return d === 'diff' ? <PlanDiffPage id={c} key={`${c}-diff`} /> : <PlanPage id={c} key={c} />;
  return (
    <section>
      <h1>{t('plan_index_title')}</h1>
      <PlansSection />
    </section>
  );
}
