// Authority warnings (cảnh báo): a coordinator tells organisations below it
// about a vulnerability with a deadline; each target acknowledges it and
// reports it fixed; the issuer sees who is late and which hosts are affected.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post } from '../../api';
import { t, type Key } from '../../i18n';
import { app, lbl } from '../../state';
import { go } from '../../router';
import { ErrorBox, Field, Loading, useNow } from '../../components/ui';
import { ListFilters, ListState, PageHead, listQuery, useList, useUrlFilters } from '../../components/ListPage';
import { fmtDateTime, localInputs, toUtcIso } from '../../time';
import { Crumbs, DL, DueLeft, FindingSeverity, Panel, SEVERITIES, canAnswerWarning, canIssueWarning, splitList, useDraft, val } from './common';
import { CreateForm, TargetOrgs, noTargets, useSubmit } from './forms';

function Targets({ x }: { x: any }) {
  const g = x.targets ?? {};
  const total = g.total ?? 0;
  return (
    <span class="target-counts">
      <span>{t('tg_ack', { n: g.acknowledged ?? 0, m: total })}</span>
      <span class={total && g.fixed === total ? 'ok' : ''}>{t('tg_fixed', { n: g.fixed ?? 0, m: total })}</span>
      {!!g.late && <span class="overdue">{t('tg_late', { n: g.late })}</span>}
    </span>
  );
}

const WARN_SORTS = ['created', 'deadline'] as const;

export function WarningList() {
  // The view in the URL (#/warnings?q=…&severity=…&sort=…); the server filters, sorts and pages.
  const [f, set] = useUrlFilters({ q: '', severity: '', sort: 'created' });
  const { items, error, more } = useList(`/api/v1/warnings?${listQuery(f)}`);
  const now = useNow();
  return (
    <section>
      <PageHead title={t('warnings_title')} newHref={canIssueWarning() && '#/warnings/new'} newLabel={t('warning_new')} />
      <p class="lead">{t('warnings_intro')}</p>
      <ListFilters id="wf" q={f.q} onQ={(q) => set({ q })} ph={t('warn_q_ph')} sort={f.sort} onSort={(sort) => set({ sort })}
        sorts={WARN_SORTS.map((k) => [k, t(`sort_${k}` as Key)])}>
        <div class="field">
          <label for="wf-severity">{t('severity')}</label>
          <select id="wf-severity" value={f.severity} onChange={(e) => set({ severity: val(e) })}>
            <option value="">{t('all')}</option>
            {SEVERITIES.map((s) => <option value={s}>{lbl('severities', s)}</option>)}
          </select>
        </div>
      </ListFilters>
      <ListState items={items} error={error} more={more} empty={t('warnings_empty')}>{(items) => (
        <table class="list cards-on-phone warnings">
          <thead>
            <tr>
              <th scope="col">{t('warning')}</th>
              <th scope="col">{t('issuer')}</th>
              <th scope="col">{t('severity')}</th>
              <th scope="col">{t('deadline')}</th>
              <th scope="col">{t('targets')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((w) => {
              const g = w.targets ?? {};
              const allFixed = g.total > 0 && g.fixed === g.total;
              return (
                <tr key={w.id} class={g.late ? 'row-overdue' : ''}>
                  <td data-label={t('warning')} class="title-cell">
                    <a href={`#/warnings/${w.id}`}>{w.title}</a>
                    {(w.source || w.reference) && <><br /><small class="muted">{[w.source, w.reference].filter(Boolean).join(' · ')}</small></>}
                  </td>
                  <td data-label={t('issuer')}>{w.issuer?.name}<br /><small class="muted">{fmtDateTime(w.created_at)}</small></td>
                  <td data-label={t('severity')}><FindingSeverity s={w.severity} /></td>
                  <td data-label={t('deadline')}>{fmtDateTime(w.deadline)}<br /><small>{w.withdrawn_at ? <span class="badge">{t('w_withdrawn')}</span> : <DueLeft at={w.deadline} now={now} done={allFixed ? t('w_all_fixed') : undefined} />}</small></td>
                  <td data-label={t('targets')}><Targets x={w} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}</ListState>
    </section>
  );
}

interface WForm {
  title: string; body: string; source: string; reference: string; cves: string; products: string;
  severity: string; date: string; time: string; targets: string[]; dateTouched: boolean;
}

/** T14 has no national deadline: suggest the finding policy's days by severity. */
const DAYS: Record<string, number> = { critical: 7, high: 30, medium: 90, low: 180 };

function suggested(sev: string) {
  return localInputs(Date.now() + (DAYS[sev] ?? 30) * 86400_000);
}

export function WarningNew() {
  const key = `ungcuu.warningNew.${app.user?.username ?? ''}`;
  const [f, set, clear] = useDraft<WForm>(key, () => {
    const d = suggested('high');
    return { title: '', body: '', source: '', reference: '', cves: '', products: '', severity: '', date: d.date, time: '17:00', targets: [], dateTouched: false };
  });
  const { err, setErr, busy, errors, run } = useSubmit('.warning-form');
  if (!canIssueWarning()) return <ErrorBox error={new ApiError(403, null, null)} />;
  const cves = splitList(f.cves, true).map((c) => c.toUpperCase());
  const products = splitList(f.products);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!f.targets.length) { setErr(noTargets()); return; }
    void run(async () => {
      const body: any = { title: f.title.trim(), severity: f.severity, deadline: toUtcIso(f.date, f.time), target_org_codes: f.targets };
      for (const k of ['body', 'source', 'reference'] as const) if (f[k].trim()) body[k] = f[k].trim();
      if (cves.length) body.cves = cves;
      if (products.length) body.products = products;
      const w = await post('/api/v1/warnings', body);
      clear();
      go(`/warnings/${w.id}`);
    });
  };
  return (
    <CreateForm nav={<Crumbs items={[[t('warnings_title'), '#/warnings'], [t('warning_new'), null]]} />} title={t('warning_new')} intro={t('warning_new_intro')}
      cls="warning-form" err={err} busy={busy} submitLabel={t('warning_issue')} cancelHref="#/warnings" onCancel={clear} onSubmit={submit}>
      <Field id="w-title" label={t('w_title')} req error={errors['/title']}>
        <input id="w-title" required maxLength={200} value={f.title} onInput={(e) => set({ title: val(e) })} />
      </Field>
      <Field id="w-body" label={t('w_body')} error={errors['/body']} hint={t('hint_w_body')}>
        <textarea id="w-body" rows={5} value={f.body} onInput={(e) => set({ body: val(e) })} />
      </Field>
      <div class="grid2">
        <Field id="w-source" label={t('w_source')} error={errors['/source']} hint={t('hint_w_source')}>
          <input id="w-source" maxLength={300} value={f.source} onInput={(e) => set({ source: val(e) })} />
        </Field>
        <Field id="w-reference" label={t('reference')} error={errors['/reference']} hint={t('hint_w_reference')}>
          <input id="w-reference" maxLength={200} value={f.reference} onInput={(e) => set({ reference: val(e) })} />
        </Field>
        <Field id="w-cves" label={t('w_cves')} error={errors['/cves']} hint={t('hint_w_cves', { n: cves.length })}>
          <textarea id="w-cves" rows={3} class="mono" value={f.cves} onInput={(e) => set({ cves: val(e) })} />
        </Field>
        <Field id="w-products" label={t('w_products')} error={errors['/products']} hint={t('hint_w_products', { n: products.length })}>
          <textarea id="w-products" rows={3} value={f.products} onInput={(e) => set({ products: val(e) })} />
        </Field>
        <Field id="w-severity" label={t('severity')} req error={errors['/severity']}>
          <select id="w-severity" required value={f.severity} onChange={(e) => {
            const s = val(e);
            set(f.dateTouched ? { severity: s } : { severity: s, date: suggested(s).date });
          }}>
            <option value="">{t('choose')}</option>
            {SEVERITIES.map((s) => <option value={s}>{lbl('severities', s)}</option>)}
          </select>
        </Field>
        <div class="grid2 tight">
          <Field id="w-date" label={t('w_deadline_date')} req error={errors['/deadline']} hint={t('hint_w_deadline')}>
            <input id="w-date" type="date" required value={f.date} onInput={(e) => set({ date: val(e), dateTouched: true })} />
          </Field>
          <Field id="w-time" label={t('due_time')} req hint={t('hint_tz')}>
            <input id="w-time" type="time" required value={f.time} onInput={(e) => set({ time: val(e), dateTouched: true })} />
          </Field>
        </div>
      </div>
      <TargetOrgs legend={t('w_targets')} hint={t('hint_w_targets', { n: f.targets.length })}
        value={f.targets} onChange={(targets) => set({ targets })} error={errors['/target_org_codes']} />
    </CreateForm>
  );
}

function Mine({ w, target, reload }: { w: any; target: any; reload: () => Promise<unknown> }) {
  const key = `ungcuu.warningNote.${w.id}`;
  const [note, setNote] = useState(() => sessionStorage.getItem(key) ?? '');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => { if (note) sessionStorage.setItem(key, note); else sessionStorage.removeItem(key); }, [note]);
  const answer = async (what: 'acknowledge' | 'fixed') => {
    setBusy(true); setErr(null); setDone(null);
    try {
      const body: any = { org_code: target.org.code };
      if (note.trim()) body.note = note.trim();
      await post(`/api/v1/warnings/${encodeURIComponent(w.id)}/${what}`, body);
      setNote('');
      setDone(what === 'fixed' ? t('w_fixed_done') : t('w_ack_done'));
      await reload();
    } catch (x) { setErr(x); } finally { setBusy(false); }
  };
  const canAnswer = canAnswerWarning();
  return (
    <section class="panel mine" aria-labelledby="h-mine">
      <h2 id="h-mine">{t('w_your_org', { org: target.org.name })}</h2>
      <ErrorBox error={err} />
      {done && <p class="alert info" role="status">{done}</p>}
      <DL rows={[
        [t('w_acknowledged'), target.acknowledged_at ? <span class="ok">{fmtDateTime(target.acknowledged_at)}</span> : <span class={target.late ? 'overdue' : ''}>{t('not_yet')}</span>],
        [t('w_fixed'), target.fixed_at ? <span class="ok">{fmtDateTime(target.fixed_at)}</span> : <span class={target.late ? 'overdue' : ''}>{t('not_yet')}{target.late && ` · ${t('late')}`}</span>],
      ]} />
      {canAnswer && !target.fixed_at && (
        <>
          <Field id="w-note" label={t('note_optional')} hint={t('hint_w_note')}>
            <textarea id="w-note" rows={2} maxLength={2000} value={note} onInput={(e) => setNote(val(e))} />
          </Field>
          <div class="actions">
            {!target.acknowledged_at && <button type="button" class="button primary" disabled={busy} onClick={() => answer('acknowledge')}>{t('w_ack_btn')}</button>}
            <button type="button" class={`button ${target.acknowledged_at ? 'primary' : 'secondary'}`} disabled={busy} onClick={() => answer('fixed')}>{t('w_fixed_btn')}</button>
          </div>
        </>
      )}
      {!canAnswer && <p class="muted">{t('w_answer_roles')}</p>}
    </section>
  );
}

// The issuer's side takes the warning back, with a reason every target
// reads (also on the children's instances, where it travels).
function Withdraw({ w, reload }: { w: any; reload: () => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true); setErr(null);
    try {
      await post(`/api/v1/warnings/${encodeURIComponent(w.id)}/withdraw`, { reason: reason.trim() });
      // the page then shows the withdrawal (and this panel goes)
      setOpen(false); setReason('');
      await reload();
    } catch (x) { setErr(x); } finally { setBusy(false); }
  };
  return (
    <section class="panel" aria-labelledby="h-withdraw">
      <h2 id="h-withdraw">{t('w_withdraw_title')}</h2>
      <ErrorBox error={err} />
      {!open ? (
        <div class="actions"><button type="button" class="button secondary" onClick={() => setOpen(true)}>{t('w_withdraw_btn')}</button></div>
      ) : (
        <form onSubmit={submit}>
          <Field id="w-withdraw-reason" label={t('w_withdraw_reason')} hint={t('w_withdraw_hint')}>
            <textarea id="w-withdraw-reason" rows={2} required maxLength={2000} value={reason} onInput={(e) => setReason(val(e))} />
          </Field>
          <div class="actions">
            <button type="submit" class="button primary" disabled={busy || !reason.trim()}>{t('w_withdraw_confirm')}</button>
            <button type="button" class="button secondary" onClick={() => setOpen(false)}>{t('cancel')}</button>
          </div>
        </form>
      )}
    </section>
  );
}

export function WarningPage({ id }: { id: string }) {
  const [w, setW] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const now = useNow();
  const load = () => get(`/api/v1/warnings/${encodeURIComponent(id)}`).then((x) => { setW(x); setError(null); }, setError);
  useEffect(() => { void load(); }, [id]);
  if (error && !w) return <ErrorBox error={error}><p><a href="#/warnings">{t('back_to_warnings')}</a></p></ErrorBox>;
  if (!w) return <Loading />;
  const targets: any[] = w.targets ?? [];
  const mine = targets.find((x) => x.org?.code === app.user?.org?.code);
  const fixed = targets.filter((x) => x.fixed_at).length;
  const allFixed = targets.length > 0 && fixed === targets.length;
  const wd = w.withdrawn;
  // The issuer's side (the API decides; a target that did not issue it is not offered it).
  const mayWithdraw = canIssueWarning() && !wd && !w.from_peer && !(mine && w.issuer?.code !== app.user?.org?.code);
  return (
    <article>
      <Crumbs items={[[t('warnings_title'), '#/warnings'], [w.title, null]]} />
      <h1 class="rec-title">{w.title}</h1>
      <p class="badges">
        <FindingSeverity s={w.severity} />
        {wd && <span class="badge">{t('w_withdrawn')}</span>}
        <span>{t('deadline')}: <strong>{fmtDateTime(w.deadline)}</strong>{!wd && <> (<DueLeft at={w.deadline} now={now} done={allFixed ? t('w_all_fixed') : undefined} />)</>}</span>
        <span class="muted">{w.issuer?.name}</span>
      </p>
      {wd && (
        <div class="alert info" role="status">
          <p><strong>{t('w_withdrawn_at', { at: fmtDateTime(wd.at) })}</strong>{wd.source ? ` (${t('w_withdrawn_from', { peer: wd.source })})` : wd.by ? ` · ${wd.by}` : ''}</p>
          <p class="prewrap">{t('w_withdraw_reason')}: {wd.reason}</p>
        </div>
      )}
      {w.from_peer && !wd && <p class="muted">{t('w_from_peer', { peer: w.from_peer })}</p>}
      <div class="inc-grid">
        <div>
          <Panel id="w" title={t('warning_content')}>
            {w.body ? <p class="prewrap description">{w.body}</p> : <p class="muted">{t('no_body')}</p>}
            <DL rows={[
              [t('issuer'), w.issuer?.name],
              [t('w_source'), w.source],
              [t('reference'), w.reference],
              [t('issued_at'), fmtDateTime(w.created_at)],
              [t('w_cves'), (w.cves ?? []).length ? <span class="tags">{w.cves.map((c: string) => <span class="badge mono" key={c}>{c}</span>)}</span> : '—'],
              [t('w_products'), w.products],
            ]} />
          </Panel>
          <Panel id="targets" title={t('w_targets')} count={targets.length}>
            <p class="summary">
              {t('tg_ack', { n: targets.filter((x) => x.acknowledged_at).length, m: targets.length })} · {t('tg_fixed', { n: fixed, m: targets.length })}
              {targets.some((x) => x.late) && <> · <span class="overdue">{t('tg_late', { n: targets.filter((x) => x.late).length })}</span></>}
            </p>
            <table class="list cards-on-phone targets">
              <thead>
                <tr><th scope="col">{t('org')}</th><th scope="col">{t('w_acknowledged')}</th><th scope="col">{t('w_fixed')}</th><th scope="col">{t('affected_hosts')}</th></tr>
              </thead>
              <tbody>
                {targets.map((x) => (
                  <tr key={x.org?.code} class={x.late ? 'row-overdue' : ''}>
                    <td data-label={t('org')}>
                      {x.org?.name} {x.late && <span class="badge late">{t('late')}</span>}
                      {x.note && <><br /><small class="muted prewrap">{x.note}</small></>}
                    </td>
                    <td data-label={t('w_acknowledged')}>{x.acknowledged_at ? <span class="ok">{fmtDateTime(x.acknowledged_at)}</span> : <span class="muted">{t('not_yet')}</span>}</td>
                    <td data-label={t('w_fixed')}>{x.fixed_at ? <span class="ok">{fmtDateTime(x.fixed_at)}</span> : <span class={x.late ? 'overdue' : 'muted'}>{t('not_yet')}</span>}</td>
                    <td data-label={t('affected_hosts')}>
                      {(x.affected_hosts ?? []).length === 0 ? <span class="muted">{t('none_found')}</span> : (
                        <ul class="plain affected">
                          {x.affected_hosts.map((h: any) => (
                            <li key={h.id}><a href={`#/hosts/${h.id}`}>{h.hostname}</a>: {(h.items ?? []).map((it: string, i: number) => <span key={it}>{i > 0 && ', '}<span class="mono small nowrap">{it}</span></span>)}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
        </div>
        <div>
          {mine && !wd ? <Mine w={w} target={mine} reload={load} /> : !wd && (
            <section class="panel"><p class="muted">{t('w_not_target')}</p></section>
          )}
          {mayWithdraw && <Withdraw w={w} reload={load} />}
        </div>
      </div>
    </article>
  );
}
