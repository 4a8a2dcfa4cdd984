// What the risk, resource and budget pages share (h/risk): vocabularies,
// money in VND, the organisation picker, the page head.
import type { ComponentChildren } from 'preact';
import { t } from '../../i18n';
import { app, hasRole } from '../../state';
import { OrgSelect, manyOrgs } from '../assets/common';

export const THREATS = ['dos', 'phishing', 'malware', 'intrusion', 'defacement', 'encryption', 'destruction',
  'espionage', 'combined', 'other', 'fault', 'operator_error', 'disaster'];
export const RESOURCE_KINDS = ['equipment', 'tool', 'service', 'contractor', 'person'];
export const CATEGORIES = ['equipment', 'software', 'services', 'training', 'drills', 'monitoring', 'response', 'other'];
export const SCALE = [1, 2, 3, 4, 5];

/** Those who keep the registry keep the register, resources and budget (policy.c). */
export const canWritePlan = () => hasRole('focal', 'coordinator', 'admin');

const vnd = new Intl.NumberFormat('vi-VN');
export const money = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${vnd.format(n)} đ`);

/** "12.000.000" or "12000000" typed by a person → a whole number, or NaN. */
export function parseMoney(s: string): number {
  const clean = s.replace(/[.\s,đ]/g, '');
  return /^\d+$/.test(clean) ? Number(clean) : NaN;
}

export function orgQuery(org: string): string {
  return org && org !== ownOrg() ? `org=${encodeURIComponent(org)}` : '';
}

export function PlanHead({ title, intro, here, org, setOrg, children }: {
  title: string; intro: string; here: string; org: string; setOrg: (v: string) => void; children?: ComponentChildren;
}) {
  return (
    <>
      <nav class="tabs" aria-label={t('plan_title')}>
        {[['risks', t('rk_register')], ['resources', t('rk_resources')], ['budget', t('rk_budget')]].map(([r, l]) => (
          <a href={`#/plan/${r}`} class={here === r ? 'on' : ''} aria-current={here === r ? 'page' : undefined}>{l}</a>
        ))}
      </nav>
      <h1>{title}</h1>
      <p class="lead">{intro}</p>
      <div class="plan-filters">
        {manyOrgs() && <OrgSelect id="plan-org" label={t('rk_org')} value={org} onChange={setOrg} required />}
        {children}
      </div>
    </>
  );
}

export const ownOrg = () => app.user?.org?.code ?? '';
