// One version of a response plan (issue 15, item 2): read it, edit it while
// it is a draft (sections, each scenario's checklist), submit it, approve or
// return it (a leader), make a new version of an approved one, download it
// as PDF or DOCX, and the diff with the version before.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, post } from '../../api';
import { getLang, t } from '../../i18n';
import { go } from '../../router';
import { ErrorBox, Loading } from '../../components/ui';
import { fmtDateTime } from '../../time';
import { PHASES, decisionText, fmtIsoDate, phaseLabel, planStatus, threatLabel } from './common';

const val = (e: Event) => (e.target as HTMLInputElement).value;
const today = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
const secTitle = (s: any) => (getLang() === 'en' ? s.title_en : s.title_vi) || s.title_vi;

function Meta({ p }: { p: any }) {
  return (
    <div class="plan-meta">
      <p>
        <span class={`badge plan-${p.status}`} id="plan-status">{planStatus(p.status)}</span>
        {' '}{t('plan_version_n', { n: p.number })} · {t('plan_meta_org')}: {p.org.name}
      </p>
      {p.system && <p>{t('plan_for_system', { name: p.system.name, level: p.system.level ?? '—' })}</p>}
      {p.submitted_at && p.status !== 'draft' && <p class="muted">{t('plan_submitted_by', { who: p.submitted_by ?? '—', at: fmtDateTime(p.submitted_at) })}</p>}
      {p.approved_at && <p id="plan-decision">{t('plan_approved_by', { who: p.approved_by ?? '—', num: p.decision_number, date: fmtIsoDate(p.decision_date) })}</p>}
      {p.status === 'draft' && p.return_reason && <div class="alert warn" role="status"><p>{t('plan_returned', { reason: p.return_reason })}</p></div>}
    </div>
  );
}

/** Every version of this plan (same organisation and system), newest first. */
function Versions({ p }: { p: any }) {
  const [items, setItems] = useState<any[] | null>(null);
  useEffect(() => {
    let live = true;
    get(`/api/v1/plans?org=${encodeURIComponent(p.org.code)}&limit=200`).then((r) => {
      if (live) setItems((r.items ?? []).filter((x: any) => x.org.id === p.org.id && (x.system?.id ?? '') === (p.system?.id ?? '')));
    }, () => { if (live) setItems([]); });
    return () => { live = false; };
  }, [p.id, p.status]);
  if (!items || items.length < 2) return null;
  return (
    <details class="plan-versions" id="plan-versions">
      <summary>{t('plan_versions', { n: items.length })}</summary>
      <ul class="plain">
        {items.map((x) => (
          <li key={x.id}>
            {x.id === p.id ? <strong>{t('plan_version_n', { n: x.number })}</strong> : <a href={`#/plan/plans/${x.id}`}>{t('plan_version_n', { n: x.number })}</a>}
            {' · '}{planStatus(x.status)}{x.decision_number ? ` · ${decisionText(x)}` : ''}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A scenario's checklist, editable. */
function StepsEditor({ sc, onChange }: { sc: any; onChange: (sc: any) => void }) {
  const steps: any[] = sc.steps ?? [];
  const set = (k: number, part: any) => onChange({ ...sc, steps: steps.map((s, i) => (i === k ? { ...s, ...part } : s)) });
  const base = `sc-${sc.threat}`;
  return (
    <details class="scenario" id={base}>
      <summary>{threatLabel(sc.threat)} <small class="muted">({t('plan_steps_n', { n: steps.length })})</small></summary>
      <ol class="steps">
        {steps.map((s, k) => (
          <li key={k} class="step-row">
            <label class="visually-hidden" for={`${base}-phase-${k}`}>{t('plan_step_phase', { n: k + 1 })}</label>
            <select id={`${base}-phase-${k}`} value={s.phase} onChange={(e) => set(k, { phase: val(e) })}>
              {PHASES.map((ph) => <option value={ph}>{phaseLabel(ph)}</option>)}
            </select>
            <label class="visually-hidden" for={`${base}-text-${k}`}>{t('plan_step_text', { n: k + 1 })}</label>
            <textarea id={`${base}-text-${k}`} rows={2} maxLength={280} required value={s.text} onInput={(e) => set(k, { text: val(e) })} />
            <button type="button" class="button small secondary" aria-label={t('plan_step_remove', { n: k + 1 })}
              onClick={() => onChange({ ...sc, steps: steps.filter((_, i) => i !== k) })}>✕</button>
          </li>
        ))}
      </ol>
      <button type="button" class="button small secondary" id={`${base}-add`}
        onClick={() => onChange({ ...sc, steps: [...steps, { phase: 'contain', text: '' }] })}>{t('plan_step_add')}</button>
      <div class="grid2">
        <label>{t('plan_coordinator')}<input id={`${base}-coordinator`} maxLength={300} value={sc.coordinator} onInput={(e) => onChange({ ...sc, coordinator: val(e) })} /></label>
        <label>{t('plan_support')}<input id={`${base}-support`} maxLength={300} value={sc.support} onInput={(e) => onChange({ ...sc, support: val(e) })} /></label>
      </div>
    </details>
  );
}

function ReadOnly({ p }: { p: any }) {
  return (
    <>
      {p.sections.map((s: any, i: number) => (
        <section class="panel plan-section" id={`sec-${s.code}`} key={s.code}>
          <h2>{i + 1}. {secTitle(s)}</h2>
          {s.text ? <p class="prewrap">{s.text}</p> : <p class="muted">—</p>}
          {s.kind === 'scenarios' && p.scenarios.map((sc: any) => (
            <div class="scenario" key={sc.threat} id={`sc-${sc.threat}`}>
              <h3>{threatLabel(sc.threat)}</h3>
              <ol>{(sc.steps ?? []).map((st: any, k: number) => <li key={k}><small class="muted">{phaseLabel(st.phase)}:</small> {st.text}</li>)}</ol>
              <p class="muted">{t('plan_coordinator')}: {sc.coordinator || '—'} · {t('plan_support')}: {sc.support || '—'}</p>
            </div>
          ))}
        </section>
      ))}
    </>
  );
}

export function PlanPage({ id }: { id: string }) {
  const [p, setP] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [draft, setDraft] = useState<any>(null);
  const [dialog, setDialog] = useState<'' | 'approve' | 'return'>('');
  const [dec, setDec] = useState({ number: '', date: today(), reason: '' });
  const take = (x: any) => {
    setP(x);
    setDraft({ title: x.title, sections: Object.fromEntries(x.sections.map((s: any) => [s.code, s.text])), scenarios: x.scenarios });
  };
  const load = () => get(`/api/v1/plans/${encodeURIComponent(id)}`).then(take, setError);
  useEffect(() => { void load(); }, [id]);
  if (error) return <section><a href="#/plan">{t('plan_back')}</a><ErrorBox error={error} /></section>;
  if (!p || !draft) return <Loading />;
  const url = `/api/v1/plans/${encodeURIComponent(p.id)}`;
  const act = async (fn: () => Promise<any>) => {
    setBusy(true); setErr(null); setSaved(false);
    try {
      const r = await fn();
      if (r?.id && r.id !== p.id) go(`/plan/plans/${r.id}`);
      else if (r?.id) { take(r); setDialog(''); }
      return r;
    } catch (e) {
      setErr(e);
      setTimeout(() => document.querySelector<HTMLElement>('.plan-page .alert.error')?.focus(), 0);
    } finally { setBusy(false); }
    return null;
  };
  const move = (body: any) => act(() => post(`${url}/transitions`, body, { ifMatch: p.version }));
  const save = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      const r = await patch(url, {
        title: draft.title,
        sections: p.sections.map((s: any) => ({ code: s.code, text: draft.sections[s.code] ?? '' })),
        scenarios: draft.scenarios.map((sc: any) => ({ threat: sc.threat, steps: sc.steps, coordinator: sc.coordinator, support: sc.support })),
      }, { ifMatch: p.version });
      setSaved(true);
      return r;
    });
  };
  const may = (a: string) => (p.actions ?? []).includes(a);
  const stale = err instanceof ApiError && err.status === 412;
  return (
    <section class="plan-page">
      <p><a href="#/plan">{t('plan_back')}</a></p>
      <div class="page-head">
        <h1 id="plan-title">{p.title}</h1>
        <div class="actions">
          <a class="button secondary small" id="plan-pdf" href={`${url}/document?format=pdf`} download>{t('plan_pdf')}</a>
          <a class="button secondary small" id="plan-docx" href={`${url}/document?format=docx`} download>{t('plan_docx')}</a>
          {(p.number > 1 || p.based_on) && <a class="button secondary small" id="plan-diff" href={`#/plan/plans/${p.id}/diff`}>{t('plan_diff')}</a>}
        </div>
      </div>
      <Meta p={p} />
      <Versions p={p} />
      <ErrorBox error={err} texts={{ 412: 'plan_stale' }}>{stale && <button type="button" class="button secondary small" onClick={() => { setErr(null); void load(); }}>{t('retry')}</button>}</ErrorBox>
      {saved && <p class="alert success" role="status">{t('plan_saved')}</p>}
      <div class="actions">
        {may('submit') && <button type="button" class="button primary" id="plan-submit" disabled={busy}
          onClick={() => { if (confirm(t('plan_submit_confirm'))) void move({ to: 'submitted' }); }}>{t('plan_submit')}</button>}
        {may('approve') && <button type="button" class="button primary" id="plan-approve" disabled={busy} onClick={() => setDialog('approve')}>{t('plan_approve')}</button>}
        {may('return') && <button type="button" class="button secondary" id="plan-return" disabled={busy} onClick={() => setDialog('return')}>{t('plan_return')}</button>}
        {may('new_version') && <button type="button" class="button secondary" id="plan-new-version" disabled={busy}
          onClick={() => void act(() => post(`${url}/versions`))}>{t('plan_new_version')}</button>}
      </div>
      {may('new_version') && <p class="muted">{t('plan_new_version_hint')}</p>}
      {dialog === 'approve' && (
        <form class="panel subform" id="plan-approve-form" onSubmit={(e) => { e.preventDefault(); void move({ to: 'approved', decision_number: dec.number, decision_date: dec.date }); }}>
          <label for="dec-number">{t('plan_decision_number')} *</label>
          <input id="dec-number" required maxLength={64} placeholder={t('hint_plan_decision')} value={dec.number} onInput={(e) => setDec({ ...dec, number: val(e) })} />
          <label for="dec-date">{t('plan_decision_date')} *</label>
          <input id="dec-date" type="date" required max={today()} value={dec.date} onInput={(e) => setDec({ ...dec, date: val(e) })} />
          <div class="actions">
            <button type="submit" class="button primary" disabled={busy}>{t('plan_approve')}</button>
            <button type="button" class="button secondary" onClick={() => setDialog('')}>{t('cancel')}</button>
          </div>
        </form>
      )}
      {dialog === 'return' && (
        <form class="panel subform" id="plan-return-form" onSubmit={(e) => { e.preventDefault(); void move({ to: 'draft', reason: dec.reason }); }}>
          <label for="ret-reason">{t('plan_return_reason')} *</label>
          <textarea id="ret-reason" required maxLength={2000} value={dec.reason} onInput={(e) => setDec({ ...dec, reason: val(e) })} />
          <div class="actions">
            <button type="submit" class="button primary" disabled={busy}>{t('plan_return')}</button>
            <button type="button" class="button secondary" onClick={() => setDialog('')}>{t('cancel')}</button>
          </div>
        </form>
      )}
      {may('edit') ? (
        <form id="plan-edit" onSubmit={save}>
          <div class="panel">
            <label for="plan-title-input">{t('plan_title_field')} *</label>
            <input id="plan-title-input" required maxLength={300} value={draft.title} onInput={(e) => setDraft({ ...draft, title: val(e) })} />
          </div>
          {p.sections.map((s: any, i: number) => (
            <section class="panel plan-section" key={s.code}>
              <h2><label for={`sec-${s.code}`}>{i + 1}. {secTitle(s)}</label></h2>
              <textarea id={`sec-${s.code}`} rows={Math.min(14, Math.max(4, (draft.sections[s.code] ?? '').split('\n').length + 1))}
                maxLength={20000} value={draft.sections[s.code] ?? ''}
                onInput={(e) => setDraft({ ...draft, sections: { ...draft.sections, [s.code]: val(e) } })} />
              {s.kind === 'scenarios' && (
                <div class="scenarios">
                  <h3>{t('plan_scenarios_title')}</h3>
                  <p class="muted">{t('plan_scenarios_hint')}</p>
                  {draft.scenarios.map((sc: any, k: number) => (
                    <StepsEditor key={sc.threat} sc={sc}
                      onChange={(n) => setDraft({ ...draft, scenarios: draft.scenarios.map((o: any, j: number) => (j === k ? n : o)) })} />
                  ))}
                </div>
              )}
            </section>
          ))}
          <div class="actions sticky">
            <button type="submit" class="button primary" id="plan-save" disabled={busy}>{busy ? t('sending') : t('plan_save')}</button>
          </div>
        </form>
      ) : <ReadOnly p={p} />}
    </section>
  );
}

export function PlanDiffPage({ id }: { id: string }) {
  const [d, setD] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { get(`/api/v1/plans/${encodeURIComponent(id)}/diff`).then(setD, setError); }, [id]);
  return (
    <section class="plan-diff">
      <p><a href={`#/plan/plans/${id}`}>← {t('plan_version_n', { n: d?.to?.number ?? '' })}</a></p>
      <ErrorBox error={error} />
      {!d && !error && <Loading />}
      {d && (
        <>
          <h1>{d.from ? t('plan_diff_title', { to: d.to.number, from: d.from.number }) : t('plan_diff_first', { to: d.to.number })}</h1>
          {d.sections.length === 0 && <p class="empty">{t('plan_diff_none')}</p>}
          {d.sections.map((s: any) => (
            <section class="panel" key={s.code} id={`diff-${s.code}`}>
              <h2>{getLang() === 'en' ? s.title_en : s.title_vi}</h2>
              <ul class="diff">
                {s.removed.map((l: string, k: number) => <li key={`r${k}`} class="removed"><span class="visually-hidden">{t('plan_diff_removed')}: </span><span aria-hidden="true">− </span>{l}</li>)}
                {s.added.map((l: string, k: number) => <li key={`a${k}`} class="added"><span class="visually-hidden">{t('plan_diff_added')}: </span><span aria-hidden="true">+ </span>{l}</li>)}
              </ul>
            </section>
          ))}
        </>
      )}
    </section>
  );
}
