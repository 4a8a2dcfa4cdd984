// The risk register (issue 15 item 1): the heat map of an organisation, the
// register of its systems' risks, a form with hints from what ungcuu knows,
// and an edit in place (If-Match).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, post } from '../../api';
import { t, type Key } from '../../i18n';
import { ErrorBox, Field, Loading } from '../../components/ui';
import { fmtDate, toUtcIso } from '../../time';
import { RECORD_TEXTS, code, dateInput, val } from '../assets/common';
import { PlanHead, SCALE, THREATS, canWritePlan, orgQuery, ownOrg } from './shared';

function Band({ band }: { band: string }) {
  return <span class={`badge band-${band}`}>{code('rk_band', band)}</span>;
}

export function HeatMap({ map }: { map: any }) {
  const cell = (l: number, i: number) => map.cells.find((c: any) => c.likelihood === l && c.impact === i);
  return (
    <div class="heatmap-wrap">
      <table class="heatmap" id="heatmap">
        <caption>{t('rk_heatmap_caption', { org: map.org.name })}</caption>
        <thead>
          <tr><th scope="col"><span class="muted">{t('rk_likelihood')} ↓ · {t('rk_impact')} →</span></th>{SCALE.map((i) => <th scope="col">{i}</th>)}</tr>
        </thead>
        <tbody>
          {[5, 4, 3, 2, 1].map((l) => (
            <tr>
              <th scope="row">{l}</th>
              {SCALE.map((i) => {
                const c = cell(l, i);
                return (
                  <td class={`hm band-${c.band}${c.count ? ' has' : ''}`} data-l={l} data-i={i}
                    title={`${t('rk_likelihood')} ${l} × ${t('rk_impact')} ${i} = ${c.score} (${code('rk_band', c.band)})`}>
                    {c.count || ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="band-counts">
        {['critical', 'high', 'medium', 'low'].map((b) => <span><Band band={b} /> {map.bands[b]}</span>)}
      </p>
      <small class="hint">{t('rk_bands_note')}</small>
    </div>
  );
}

interface RiskForm { system_id: string; threat: string; likelihood: string; impact: string; controls: string; treatment: string; owner: string; review: string }
const empty = (): RiskForm => ({ system_id: '', threat: '', likelihood: '', impact: '', controls: '', treatment: '', owner: '', review: '' });

function Hints({ h, threat, onUse }: { h: any; threat: string; onUse: (n: number) => void }) {
  if (!h) return null;
  const sev = h.open_findings_by_severity ?? {};
  const s = threat ? h.suggested_likelihood[threat] : null;
  return (
    <div class="alert info hints" id="risk-hints">
      <p><strong>{t('rk_hints')}</strong></p>
      <ul>
        {threat && THREATS.slice(0, 10).includes(threat) && <li>{t('rk_hint_incidents', { n: h.incidents_by_type[threat] ?? 0 })}</li>}
        <li>{t('rk_hint_findings', { crit: sev.critical ?? 0, high: sev.high ?? 0, kev: h.known_exploited })}</li>
        <li>{t('rk_hint_warnings', { n: h.warnings_open })}</li>
        {s && <li>{t('rk_hint_suggest', { n: s })} <button type="button" class="button small" onClick={() => onUse(s)}>{t('rk_use_hint')}</button></li>}
      </ul>
    </div>
  );
}

function AddRisk({ org, onAdded }: { org: string; onAdded: () => void }) {
  const [f, setF] = useState<RiskForm>(empty());
  const set = (p: Partial<RiskForm>) => setF({ ...f, ...p });
  const [systems, setSystems] = useState<any[] | null>(null);
  const [hints, setHints] = useState<any>(null);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  useEffect(() => {
    get(`/api/v1/systems?${orgQuery(org)}`).then((r) => setSystems(r.items.filter((s: any) => !s.retired_at)), setErr);
  }, [org]);
  useEffect(() => {
    setHints(null);
    if (f.system_id) get(`/api/v1/systems/${f.system_id}/risk-hints`).then(setHints, () => setHints(null));
  }, [f.system_id]);
  const fe = err instanceof ApiError ? err.fields() : {};
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setErr(null); setDone(false);
    try {
      const body: any = { system_id: f.system_id, threat: f.threat, likelihood: Number(f.likelihood), impact: Number(f.impact) };
      for (const k of ['controls', 'treatment', 'owner'] as const) if (f[k].trim()) body[k] = f[k].trim();
      if (f.review) body.review_at = toUtcIso(f.review, '00:00');
      await post('/api/v1/risks', body);
      setF(empty()); setDone(true); onAdded();
    } catch (x) { setErr(x); } finally { setBusy(false); }
  };
  if (systems === null) return <Loading />;
  if (!systems.length) return <p class="muted">{t('rk_no_systems')} <a href="#/systems/new">{t('rk_open')}</a></p>;
  return (
    <form class="panel risk-form" id="risk-form" onSubmit={submit}>
      <h2>{t('rk_add')}</h2>
      <ErrorBox error={err} texts={RECORD_TEXTS} />
      {done && <p class="alert success" role="status">{t('rk_added')}</p>}
      <div class="grid2">
        <Field id="rk-system" label={t('rk_system')} req error={fe['/system_id']}>
          <select id="rk-system" required value={f.system_id} onChange={(e) => set({ system_id: val(e) })}>
            <option value="">{t('choose')}</option>
            {systems.map((s) => <option value={s.id}>{s.name}{s.level ? ` (${t('level_n', { n: s.level })})` : ''}</option>)}
          </select>
        </Field>
        <Field id="rk-threat" label={t('rk_threat')} req error={fe['/threat']}>
          <select id="rk-threat" required value={f.threat} onChange={(e) => set({ threat: val(e) })}>
            <option value="">{t('choose')}</option>
            {THREATS.map((x) => <option value={x}>{code('rk_threat', x)}</option>)}
          </select>
        </Field>
        <Field id="rk-likelihood" label={t('rk_likelihood')} req error={fe['/likelihood']}>
          <select id="rk-likelihood" required value={f.likelihood} onChange={(e) => set({ likelihood: val(e) })}>
            <option value="">{t('choose')}</option>
            {SCALE.map((n) => <option value={String(n)}>{t(`rk_scale_${n}` as Key)}</option>)}
          </select>
        </Field>
        <Field id="rk-impact" label={t('rk_impact')} req error={fe['/impact']}>
          <select id="rk-impact" required value={f.impact} onChange={(e) => set({ impact: val(e) })}>
            <option value="">{t('choose')}</option>
            {SCALE.map((n) => <option value={String(n)}>{t(`rk_scale_${n}` as Key)}</option>)}
          </select>
        </Field>
      </div>
      <Hints h={hints} threat={f.threat} onUse={(n) => set({ likelihood: String(n) })} />
      <Field id="rk-controls" label={t('rk_controls')} error={fe['/controls']}>
        <textarea id="rk-controls" rows={2} maxLength={4000} value={f.controls} onInput={(e) => set({ controls: val(e) })} />
      </Field>
      <Field id="rk-treatment" label={t('rk_treatment')} error={fe['/treatment']}>
        <textarea id="rk-treatment" rows={2} maxLength={4000} value={f.treatment} onInput={(e) => set({ treatment: val(e) })} />
      </Field>
      <div class="grid2">
        <Field id="rk-owner" label={t('rk_owner')} error={fe['/owner']}>
          <input id="rk-owner" maxLength={300} value={f.owner} onInput={(e) => set({ owner: val(e) })} />
        </Field>
        <Field id="rk-review" label={t('rk_review')} error={fe['/review_at']} hint={t('rk_review_hint')}>
          <input id="rk-review" type="date" value={f.review} onInput={(e) => set({ review: val(e) })} />
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>{busy ? t('sending') : t('rk_add')}</button>
        <span class="muted">{t('required_note')}</span>
      </div>
    </form>
  );
}

function EditRisk({ r, onDone }: { r: any; onDone: () => void }) {
  const [f, setF] = useState({ likelihood: String(r.likelihood), impact: String(r.impact), controls: r.controls, treatment: r.treatment, owner: r.owner, review: dateInput(r.review_at) });
  const [err, setErr] = useState<unknown>(null);
  const fe = err instanceof ApiError ? err.fields() : {};
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const { review, ...rest } = f;
      const body: any = { ...rest, likelihood: Number(f.likelihood), impact: Number(f.impact) };
      if (review && review !== dateInput(r.review_at)) body.review_at = toUtcIso(review, '00:00');
      await patch(`/api/v1/risks/${r.id}`, body, { ifMatch: r.version });
      onDone();
    } catch (x) { setErr(x); }
  };
  return (
    <form class="risk-edit" onSubmit={save}>
      <ErrorBox error={err} texts={RECORD_TEXTS} />
      <div class="grid2">
        <Field id={`e-l-${r.id}`} label={t('rk_likelihood')} error={fe['/likelihood']}>
          <select id={`e-l-${r.id}`} value={f.likelihood} onChange={(e) => setF({ ...f, likelihood: val(e) })}>
            {SCALE.map((n) => <option value={String(n)}>{t(`rk_scale_${n}` as Key)}</option>)}
          </select>
        </Field>
        <Field id={`e-i-${r.id}`} label={t('rk_impact')} error={fe['/impact']}>
          <select id={`e-i-${r.id}`} value={f.impact} onChange={(e) => setF({ ...f, impact: val(e) })}>
            {SCALE.map((n) => <option value={String(n)}>{t(`rk_scale_${n}` as Key)}</option>)}
          </select>
        </Field>
      </div>
      <Field id={`e-c-${r.id}`} label={t('rk_controls')} error={fe['/controls']}>
        <textarea id={`e-c-${r.id}`} rows={2} maxLength={4000} value={f.controls} onInput={(e) => setF({ ...f, controls: val(e) })} />
      </Field>
      <Field id={`e-t-${r.id}`} label={t('rk_treatment')} error={fe['/treatment']}>
        <textarea id={`e-t-${r.id}`} rows={2} maxLength={4000} value={f.treatment} onInput={(e) => setF({ ...f, treatment: val(e) })} />
      </Field>
      <div class="grid2">
        <Field id={`e-o-${r.id}`} label={t('rk_owner')} error={fe['/owner']}>
          <input id={`e-o-${r.id}`} maxLength={300} value={f.owner} onInput={(e) => setF({ ...f, owner: val(e) })} />
        </Field>
        <Field id={`e-r-${r.id}`} label={t('rk_review')} error={fe['/review_at']}>
          <input id={`e-r-${r.id}`} type="date" value={f.review} onInput={(e) => setF({ ...f, review: val(e) })} />
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="button primary small">{t('rk_save')}</button>
        <button type="button" class="button small" onClick={onDone}>{t('cancel')}</button>
      </div>
    </form>
  );
}

export function RiskPage() {
  const [org, setOrg] = useState(ownOrg());
  const [n, setN] = useState(0);
  const [list, setList] = useState<any>(null);
  const [map, setMap] = useState<any>(null);
  const [err, setErr] = useState<unknown>(null);
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => {
    const q = orgQuery(org);
    setErr(null);
    Promise.all([get(`/api/v1/risks?${q}`), get(`/api/v1/risks/heatmap?${q}`)])
      .then(([l, m]) => { setList(l); setMap(m); }, setErr);
  }, [org, n]);
  const reload = () => setN(n + 1);
  const write = canWritePlan();
  return (
    <section class="plan-page">
      <PlanHead title={t('rk_register')} intro={t('rk_register_intro')} here="risks" org={org} setOrg={setOrg} />
      <ErrorBox error={err} />
      {!list || !map ? <Loading /> : (
        <>
          <section class="panel" aria-labelledby="h-heatmap">
            <h2 id="h-heatmap">{t('rk_heatmap')}</h2>
            <HeatMap map={map} />
          </section>
          {write && <AddRisk org={org} onAdded={reload} />}
          <section class="panel" aria-labelledby="h-register">
            <h2 id="h-register">{t('rk_register')} <span class="count">{list.items.length}</span></h2>
            {!list.items.length ? <p class="muted">{t('rk_none')}</p> : (
              <div class="scroll-x">
                <table class="list" id="risk-list">
                  <thead><tr>
                    <th>{t('rk_system')}</th><th>{t('rk_threat')}</th><th>{t('rk_likelihood')}</th><th>{t('rk_impact')}</th>
                    <th>{t('rk_score')}</th><th>{t('rk_treatment')}</th><th>{t('rk_owner')}</th><th>{t('rk_review')}</th>
                    {write && <th><span class="visually-hidden">{t('rk_actions')}</span></th>}
                  </tr></thead>
                  <tbody>
                    {list.items.map((r: any) => (
                      <>
                        <tr data-id={r.id}>
                          <td>{r.system.name}<br /><small class="muted">{r.org.name}</small></td>
                          <td>{code('rk_threat', r.threat)}</td>
                          <td>{r.likelihood}</td><td>{r.impact}</td>
                          <td><strong>{r.score}</strong> <Band band={r.band} /></td>
                          <td>{r.treatment || '—'}{r.controls && <><br /><small class="muted">{t('rk_controls')}: {r.controls}</small></>}</td>
                          <td>{r.owner || '—'}</td>
                          <td>{fmtDate(r.review_at)}{r.review_overdue && <><br /><span class="badge sev-high">{t('rk_review_overdue')}</span></>}</td>
                          {write && <td><button type="button" class="button small" onClick={() => setEditing(editing === r.id ? null : r.id)}>{t('rk_edit')}</button></td>}
                        </tr>
                        {editing === r.id && (
                          <tr><td colSpan={9}><EditRisk r={r} onDone={() => { setEditing(null); reload(); }} /></td></tr>
                        )}
                      </>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </section>
  );
}
