// Resources (issue 15 item 5): equipment, tools, services and contractors
// with their contract, people with their skills, per organisation.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, post } from '../../api';
import { t } from '../../i18n';
import { ErrorBox, Field, Loading } from '../../components/ui';
import { fmtDate, toUtcIso } from '../../time';
import { RECORD_TEXTS, code, val } from '../assets/common';
import { PlanHead, RESOURCE_KINDS, canWritePlan, orgQuery, ownOrg } from './shared';

interface ResForm { kind: string; name: string; description: string; quantity: string; skills: string; scope: string; contact: string; from: string; to: string }
const empty = (): ResForm => ({ kind: '', name: '', description: '', quantity: '', skills: '', scope: '', contact: '', from: '', to: '' });

function AddResource({ org, onAdded }: { org: string; onAdded: () => void }) {
  const [f, setF] = useState<ResForm>(empty());
  const set = (p: Partial<ResForm>) => setF({ ...f, ...p });
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const fe = err instanceof ApiError ? err.fields() : {};
  const contract = f.kind === 'contractor' || f.kind === 'service';
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setErr(null); setDone(false);
    try {
      const body: any = { kind: f.kind, name: f.name.trim() };
      if (org && org !== ownOrg()) body.org_code = org;
      for (const k of ['description', 'skills', 'scope', 'contact'] as const) if (f[k].trim()) body[k] = f[k].trim();
      if (f.quantity.trim()) body.quantity = Number(f.quantity);
      if (f.from) body.contract_from = toUtcIso(f.from, '00:00');
      if (f.to) body.contract_to = toUtcIso(f.to, '23:59');
      await post('/api/v1/resources', body);
      setF(empty()); setDone(true); onAdded();
    } catch (x) { setErr(x); } finally { setBusy(false); }
  };
  return (
    <form class="panel" id="resource-form" onSubmit={submit}>
      <h2>{t('rk_res_add')}</h2>
      <ErrorBox error={err} />
      {done && <p class="alert success" role="status">{t('rk_res_added')}</p>}
      <div class="grid2">
        <Field id="res-kind" label={t('rk_kind')} req error={fe['/kind']}>
          <select id="res-kind" required value={f.kind} onChange={(e) => set({ kind: val(e) })}>
            <option value="">{t('choose')}</option>
            {RESOURCE_KINDS.map((k) => <option value={k}>{code('rk_kind', k)}</option>)}
          </select>
        </Field>
        <Field id="res-name" label={t('rk_name')} req error={fe['/name']}>
          <input id="res-name" required maxLength={300} value={f.name} onInput={(e) => set({ name: val(e) })} />
        </Field>
      </div>
      <Field id="res-desc" label={t('rk_description')} error={fe['/description']}>
        <textarea id="res-desc" rows={2} maxLength={4000} value={f.description} onInput={(e) => set({ description: val(e) })} />
      </Field>
      <div class="grid2">
        {f.kind === 'person' ? (
          <Field id="res-skills" label={t('rk_skills')} error={fe['/skills']}>
            <input id="res-skills" maxLength={2000} value={f.skills} onInput={(e) => set({ skills: val(e) })} />
          </Field>
        ) : (
          <Field id="res-qty" label={t('rk_quantity')} error={fe['/quantity']}>
            <input id="res-qty" type="number" min={0} max={1000000} inputMode="numeric" value={f.quantity} onInput={(e) => set({ quantity: val(e) })} />
          </Field>
        )}
        <Field id="res-contact" label={t('rk_contact')} error={fe['/contact']}>
          <input id="res-contact" maxLength={300} value={f.contact} onInput={(e) => set({ contact: val(e) })} />
        </Field>
      </div>
      {contract && (
        <>
          <Field id="res-scope" label={t('rk_scope')} error={fe['/scope']}>
            <textarea id="res-scope" rows={2} maxLength={2000} value={f.scope} onInput={(e) => set({ scope: val(e) })} />
          </Field>
          <div class="grid2">
            <Field id="res-from" label={t('rk_contract_from')} error={fe['/contract_from']}>
              <input id="res-from" type="date" value={f.from} onInput={(e) => set({ from: val(e) })} />
            </Field>
            <Field id="res-to" label={t('rk_contract_to')} error={fe['/contract_to']}>
              <input id="res-to" type="date" value={f.to} onInput={(e) => set({ to: val(e) })} />
            </Field>
          </div>
        </>
      )}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>{busy ? t('sending') : t('rk_res_add')}</button>
        <span class="muted">{t('required_note')}</span>
      </div>
    </form>
  );
}

export function ResourcePage() {
  const [org, setOrg] = useState(ownOrg());
  const [n, setN] = useState(0);
  const [list, setList] = useState<any>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => { get(`/api/v1/resources?${orgQuery(org)}`).then(setList, setErr); }, [org, n]);
  const write = canWritePlan();
  const retire = async (r: any) => {
    try { await patch(`/api/v1/resources/${r.id}`, { retired: true }, { ifMatch: r.version }); setN(n + 1); } catch (x) { setErr(x); }
  };
  return (
    <section class="plan-page">
      <PlanHead title={t('rk_resources')} intro={t('rk_resources_intro')} here="resources" org={org} setOrg={setOrg} />
      <ErrorBox error={err} texts={RECORD_TEXTS} />
      {write && <AddResource org={org} onAdded={() => setN(n + 1)} />}
      {!list ? <Loading /> : !list.items.length ? <p class="muted">{t('rk_res_none')}</p> : (
        <div class="scroll-x">
          <table class="list" id="resource-list">
            <thead><tr>
              <th>{t('rk_kind')}</th><th>{t('rk_name')}</th><th>{t('rk_org')}</th><th>{t('rk_description')}</th>
              <th>{t('rk_contact')}</th><th>{t('rk_contract_to')}</th>{write && <th><span class="visually-hidden">{t('rk_actions')}</span></th>}
            </tr></thead>
            <tbody>
              {list.items.map((r: any) => (
                <tr class={r.retired_at ? 'retired' : ''}>
                  <td>{code('rk_kind', r.kind)}</td>
                  <td><strong>{r.name}</strong>{r.quantity !== null && <> × {r.quantity}</>}</td>
                  <td>{r.org.name}</td>
                  <td>{r.kind === 'person' ? r.skills : [r.scope, r.description].filter(Boolean).join(' — ') || '—'}</td>
                  <td>{r.contact || '—'}</td>
                  <td>{r.contract_to ? <>{fmtDate(r.contract_to)} <span class={`badge ${r.contract_active ? 'sev-low' : 'sev-none'}`}>{t(r.contract_active ? 'rk_contract_active' : 'rk_contract_ended')}</span></> : '—'}</td>
                  {write && <td>{r.retired_at ? <span class="muted">{t('retired')}</span> : <button type="button" class="button small" onClick={() => retire(r)}>{t('rk_retire')}</button>}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
