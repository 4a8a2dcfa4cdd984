// The plan page's section for the risk register, resources and budget (h/risk).
import { t } from '../../i18n';

export function RiskSection() {
  return (
    <section class="panel" aria-labelledby="h-plan-risk">
      <h2 id="h-plan-risk">{t('rk_section')}</h2>
      <ul class="plan-links">
        <li><a href="#/plan/risks">{t('rk_register')}</a> — {t('rk_register_intro')}</li>
        <li><a href="#/plan/resources">{t('rk_resources')}</a> — {t('rk_resources_intro')}</li>
        <li><a href="#/plan/budget">{t('rk_budget')}</a> — {t('rk_budget_intro')}</li>
      </ul>
    </section>
  );
}
