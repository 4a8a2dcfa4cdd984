// What the plan pages share: labels of statuses, threats and phases.
import { t, tryT } from '../../i18n';
import { lbl } from '../../state';

export const PHASES = ['identify', 'contain', 'evidence', 'eradicate', 'recover', 'coordinate'];

export function planStatus(s: string): string {
  return tryT(`plan_st_${s}`) ?? s;
}

/** An incident type (§7) from /meta, or a cause that is no attack. */
export function threatLabel(code: string): string {
  return tryT(`threat_${code}`) ?? lbl('incident_types', code);
}

export function phaseLabel(code: string): string {
  return tryT(`phase_${code}`) ?? code;
}

export function decisionText(p: { decision_number?: string | null; decision_date?: string | null }): string {
  if (!p.decision_number) return '';
  return t('plan_decision', { num: p.decision_number, date: fmtIsoDate(p.decision_date ?? '') });
}

/** 2026-01-05 -> 05/01/2026 (as Vietnamese documents write it). */
export function fmtIsoDate(d: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : d;
}
