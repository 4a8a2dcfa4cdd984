// Budget (issue 15 item 5): an organisation's lines for a year by the plan's
// categories, drafts sent to the finance office; a submitted number is
// corrected only with a reason. The roll-up of the subtree (for the finance
// office: the district) with its XLSX and CSV exports.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, post } from '../../api';
import { t } from '../../i18n';
import { ErrorBox, Field, Loading } from '../../components/ui';
import { fmtDate } from '../../time';
import { RECORD_TEXTS, code, val } from '../assets/common';
import { CATEGORIES, PlanHead, canWritePlan, money, orgQuery, ownOrg, parseMoney } from './shared';

const badMoney = (pointer: string) => new ApiError(422, { status: 422, errors: [{ pointer, detail: t('err_422') }] }, null);

function AddLine({ org, year, onAdded }: { org: string; year: number; onAdded: () => void }) {
  const [f, setF] = useState({ category: '', description: '', planned: '', spent: '' });
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const fe = err instanceof ApiError ? err.fields() : {};
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null); setDone(false);
    const planned = parseMoney(f.planned), spent = f.spent.trim() ? parseMoney(f.spent) : 0;
    if (Number.isNaN(planned)) return setErr(badMoney('/planned'));
    if (Number.isNaN(spent)) return setErr(badMoney('/spent'));
    try {
      const body: any = { year, category: f.category, planned, spent };
      if (f.description.trim()) body.description = f.description.trim();
      if (org && org !== ownOrg()) body.org_code = org;
      await post('/api/v1/budget-lines', body);
      setF({ category: '', description: '', planned: '', spent: '' }); setDone(true); onAdded();
    } catch (x) { setErr(x); }
  };
  return (
    <form class="panel" id="budget-form" onSubmit={submit}>
      <h2>{t('rk_line_add')}</h2>
      <ErrorBox error={err} />
      {done && <p class="alert success" role="status">{t('rk_line_added')}</p>}
      <div class="grid2">
        <Field id="bl-category" label={t('rk_category')} req error={fe['/category']}>
          <select id="bl-category" required value={f.category} onChange={(e) => setF({ ...f, category: val(e) })}>
            <option value="">{t('choose')}</option>
            {CATEGORIES.map((c) => <option value={c}>{code('rk_cat', c)}</option>)}
          </select>
        </Field>
        <Field id="bl-desc" label={t('rk_description')} error={fe['/description']}>
          <input id="bl-desc" maxLength={2000} value={f.description} onInput={(e) => setF({ ...f, description: val(e) })} />
        </Field>
        <Field id="bl-planned" label={t('rk_planned')} req error={fe['/planned']}>
          <input id="bl-planned" required inputMode="numeric" value={f.planned} onInput={(e) => setF({ ...f, planned: val(e) })} />
        </Field>
        <Field id="bl-spent" label={t('rk_spent')} error={fe['/spent']}>
          <input id="bl-spent" inputMode="numeric" value={f.spent} onInput={(e) => setF({ ...f, spent: val(e) })} />
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="button primary">{t('rk_line_add')}</button>
        <span class="muted">{t('required_note')}</span>
      </div>
    </form>
  );
}

function EditLine({ l, onDone }: { l: any; onDone: () => void }) {
  const [f, setF] = useState({ planned: String(l.planned), spent: String(l.spent), reason: '' });
  const [err, setErr] = useState<unknown>(null);
  const fe = err instanceof ApiError ? err.fields() : {};
  const save = async (e: Event) => {
    e.preventDefault();
    const planned = parseMoney(f.planned), spent = parseMoney(f.spent);
    if (Number.isNaN(planned)) return setErr(badMoney('/planned'));
    if (Number.isNaN(spent)) return setErr(badMoney('/spent'));
    const body: any = { planned, spent };
    if (f.reason.trim()) body.reason = f.reason.trim();
    try { await patch(`/api/v1/budget-lines/${l.id}`, body, { ifMatch: l.version }); onDone(); } catch (x) { setErr(x); }
  };
  return (
    <form class="line-edit" onSubmit={save}>
      <ErrorBox error={err} texts={RECORD_TEXTS} />
      <div class="grid2">
        <Field id={`ep-${l.id}`} label={t('rk_planned')} error={fe['/planned']}>
          <input id={`ep-${l.id}`} inputMode="numeric" value={f.planned} onInput={(e) => setF({ ...f, planned: val(e) })} />
        </Field>
        <Field id={`es-${l.id}`} label={t('rk_spent')} error={fe['/spent']}>
          <input id={`es-${l.id}`} inputMode="numeric" value={f.spent} onInput={(e) => setF({ ...f, spent: val(e) })} />
        </Field>
      </div>
      {l.status === 'submitted' && (
        <Field id={`er-${l.id}`} label={t('rk_reason')} req error={fe['/reason']} hint={t('rk_reason_hint')}>
          <input id={`er-${l.id}`} required maxLength={1000} value={f.reason} onInput={(e) => setF({ ...f, reason: val(e) })} />
        </Field>
      )}
      <div class="actions">
        <button type="submit" class="button primary small">{t('rk_save')}</button>
        <button type="button" class="button small" onClick={onDone}>{t('cancel')}</button>
      </div>
    </form>
  );
}

function Rollup({ org, year, n }: { org: string; year: number; n: number }) {
  const [r, setR] = useState<any>(null);
  const [err, setErr] = useState<unknown>(null);
  // The finance office's default is its district: no org asked.
  const q = `year=${year}${org && org !== ownOrg() ? `&${orgQuery(org)}` : ''}`;
  useEffect(() => { setErr(null); get(`/api/v1/budget/rollup?${q}`).then(setR, setErr); }, [q, n]);
  if (err) return <ErrorBox error={err} />;
  if (!r) return <Loading />;
  return (
    <section class="panel" id="rollup" aria-labelledby="h-rollup">
      <div class="panel-head">
        <h2 id="h-rollup">{t('rk_rollup')}</h2>
        <div class="actions">
          <a class="button" id="export-xlsx" href={`/api/v1/budget/rollup.xlsx?${q}`} download>{t('rk_export_xlsx')}</a>
          <a class="button" id="export-csv" href={`/api/v1/budget/rollup.csv?${q}`} download>{t('rk_export_csv')}</a>
        </div>
      </div>
      <p>{t('rk_rollup_intro', { org: r.org.name, year: r.year })}{r.finance_office && <> {t('rk_rollup_finance')}</>}</p>
      <div class="grid2">
        <table class="list" id="rollup-orgs">
          <caption>{t('rk_by_org')}</caption>
          <thead><tr><th>{t('rk_org')}</th><th class="num">{t('rk_planned')}</th><th class="num">{t('rk_spent')}</th></tr></thead>
          <tbody>
            {r.by_org.map((s: any) => <tr><td>{s.of.name}</td><td class="num">{money(s.planned)}</td><td class="num">{money(s.spent)}</td></tr>)}
          </tbody>
          <tfoot><tr><th>{t('rk_total')}</th><th class="num" id="rollup-total">{money(r.total.planned)}</th><th class="num">{money(r.total.spent)}</th></tr></tfoot>
        </table>
        <table class="list" id="rollup-categories">
          <caption>{t('rk_by_category')}</caption>
          <thead><tr><th>{t('rk_category')}</th><th class="num">{t('rk_planned')}</th><th class="num">{t('rk_spent')}</th></tr></thead>
          <tbody>
            {r.by_category.filter((s: any) => s.lines).map((s: any) => <tr><td>{code('rk_cat', s.of)}</td><td class="num">{money(s.planned)}</td><td class="num">{money(s.spent)}</td></tr>)}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function BudgetPage() {
  const thisYear = new Date().getFullYear();
  const [org, setOrg] = useState(ownOrg());
  const [year, setYear] = useState(thisYear);
  const [n, setN] = useState(0);
  const [list, setList] = useState<any>(null);
  const [err, setErr] = useState<unknown>(null);
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => { get(`/api/v1/budget-lines?year=${year}&${orgQuery(org)}`).then(setList, setErr); }, [org, year, n]);
  const write = canWritePlan();
  const reload = () => setN(n + 1);
  const submit = async (l: any) => {
    try { await post(`/api/v1/budget-lines/${l.id}/submit`, undefined, { ifMatch: l.version }); reload(); } catch (x) { setErr(x); }
  };
  return (
    <section class="plan-page">
      <PlanHead title={t('rk_budget')} intro={t('rk_budget_intro')} here="budget" org={org} setOrg={setOrg}>
        <div class="field">
          <label for="bl-year">{t('rk_year')}</label>
          <select id="bl-year" value={String(year)} onChange={(e) => setYear(Number(val(e)))}>
            {[thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => <option value={String(y)}>{y}</option>)}
          </select>
        </div>
      </PlanHead>
      <ErrorBox error={err} texts={RECORD_TEXTS} />
      <Rollup org={org} year={year} n={n} />
      {write && <AddLine org={org} year={year} onAdded={reload} />}
      <section class="panel" aria-labelledby="h-lines">
        <h2 id="h-lines">{t('rk_lines')}</h2>
        {!list ? <Loading /> : !list.items.length ? <p class="muted">{t('rk_lines_none')}</p> : (
          <div class="scroll-x">
            <table class="list" id="budget-list">
              <thead><tr>
                <th>{t('rk_org')}</th><th>{t('rk_category')}</th><th>{t('rk_description')}</th>
                <th class="num">{t('rk_planned')}</th><th class="num">{t('rk_spent')}</th><th>{t('rk_status')}</th>
                {write && <th><span class="visually-hidden">{t('rk_actions')}</span></th>}
              </tr></thead>
              <tbody>
                {list.items.map((l: any) => (
                  <>
                    <tr data-id={l.id}>
                      <td>{l.org.name}</td><td>{code('rk_cat', l.category)}</td><td>{l.description || '—'}</td>
                      <td class="num">{money(l.planned)}</td><td class="num">{money(l.spent)}</td>
                      <td><span class={`badge ${l.status === 'submitted' ? 'sev-low' : 'sev-none'}`}>{code('rk_status', l.status)}</span>
                        {l.submitted_at && <><br /><small class="muted">{fmtDate(l.submitted_at)}</small></>}</td>
                      {write && (
                        <td class="row-actions">
                          {l.status === 'draft' && <button type="button" class="button small primary" onClick={() => submit(l)}>{t('rk_submit')}</button>}
                          <button type="button" class="button small" onClick={() => setEditing(editing === l.id ? null : l.id)}>{t('rk_edit')}</button>
                        </td>
                      )}
                    </tr>
                    {editing === l.id && <tr><td colSpan={7}><EditLine l={l} onDone={() => { setEditing(null); reload(); }} /></td></tr>}
                  </>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
