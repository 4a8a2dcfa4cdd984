// Hunts (săn tìm mối nguy, at least every six months): a coordinator sends a
// set of indicators to organisations with a deadline; each runs it (the agent,
// or a manual `ungcuu sweep --json` uploaded here); hits become sightings and
// may file an incident. The issuer sees per target who ran it, when, and what
// it found (API.md, Hunts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post } from '../../api';
import { t, type Key } from '../../i18n';
import { app, hasRole } from '../../state';
import { go } from '../../router';
import { ErrorBox, Field, Loading, fmtSize, useNow } from '../../components/ui';
import { ListFilters, ListState, PageHead, listQuery, useList, useUrlFilters } from '../../components/ListPage';
import { fmtDateTime, localInputs, toUtcIso } from '../../time';
import {
  Crumbs, DL, DueLeft, FlashNotice, Panel, RecordError, flashNext, scopeOrgs, splitList, useDraft, useFlash, val,
} from './common';
import { CreateForm, TargetOrgs, noTargets, useSubmit } from './forms';
import { IOC_KINDS, SightingsTable, kindLabel } from './Indicators';

/** Open a hunt: coordinators (API.md). */
export const canOpenHunt = () => hasRole('coordinator');
/** Upload a manual sweep's result: a focal point or coordinator of a target. */
export const canUploadHunt = () => hasRole('focal', 'coordinator');

const sum = (xs: any[], k: string) => xs.reduce((n, x) => n + (Number(x?.[k]) || 0), 0);

function HuntStatus({ s }: { s: string }) {
  return <span class={`badge hunt-${s}`}>{s === 'closed' ? t('hunt_closed') : t('hunt_open')}</span>;
}

const HUNT_SORTS = ['created', 'deadline'] as const;

export function HuntList() {
  // The view in the URL (#/hunts?q=…&status=…&sort=…); the server filters, sorts and pages.
  const [f, set] = useUrlFilters({ q: '', status: '', sort: 'created' });
  const { items, error, more } = useList(`/api/v1/hunts?${listQuery(f)}`);
  const now = useNow();
  return (
    <section>
      <PageHead title={t('hunts_title')} newHref={canOpenHunt() && '#/hunts/new'} newLabel={t('hunt_new')} />
      <p class="lead">{t('hunts_intro')}</p>
      <ListFilters id="huf" q={f.q} onQ={(q) => set({ q })} ph={t('hunt_q_ph')} sort={f.sort} onSort={(sort) => set({ sort })}
        sorts={HUNT_SORTS.map((k) => [k, t(`sort_${k}` as Key)])}>
        <div class="field">
          <label for="huf-status">{t('status')}</label>
          <select id="huf-status" value={f.status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('all')}</option>
            <option value="open">{t('hunt_open')}</option>
            <option value="closed">{t('hunt_closed')}</option>
          </select>
        </div>
      </ListFilters>
      <ListState items={items} error={error} more={more} empty={t('hunts_empty')}>{(items) => (
        <table class="list cards-on-phone hunts">
          <thead>
            <tr>
              <th scope="col">{t('hunt')}</th>
              <th scope="col">{t('issuer')}</th>
              <th scope="col">{t('hunt_deadline')}</th>
              <th scope="col">{t('hunt_ran')}</th>
              <th scope="col">{t('hunt_hits')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((h) => {
              const total = Number(h.targets_total) || 0;
              const ran = Number(h.targets_ran) || 0;
              const late = Number(h.targets_late) || 0;
              const hits = Number(h.hits) || 0;
              const open = h.status !== 'closed';
              return (
                <tr key={h.id} class={open && late ? 'row-overdue' : ''}>
                  <td data-label={t('hunt')} class="title-cell">
                    <a href={`#/hunts/${h.id}`}>{h.title}</a> <HuntStatus s={h.status} />
                    <br /><small class="muted">{t('hunt_n_iocs', { n: h.indicators ?? 0 })}</small>
                  </td>
                  <td data-label={t('issuer')}>{h.issuer?.name}<br /><small class="muted">{fmtDateTime(h.created_at)}</small></td>
                  <td data-label={t('hunt_deadline')}>
                    {fmtDateTime(h.deadline)}
                    {open && <><br /><small><DueLeft at={h.deadline} now={now} done={total > 0 && ran === total ? t('hunt_all_ran') : undefined} /></small></>}
                  </td>
                  <td data-label={t('hunt_ran')}>
                    <span class={total && ran === total ? 'ok' : ''}>{t('n_of_m', { n: ran, m: total })}</span>
                    {late > 0 && <><br /><span class="overdue">{t('tg_late', { n: late })}</span></>}
                  </td>
                  <td data-label={t('hunt_hits')}>{hits ? <strong class="overdue">{hits}</strong> : <span class="muted">0</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}</ListState>
    </section>
  );
}

interface HForm { title: string; description: string; date: string; time: string; targets: string[]; tags: string; kinds: string[] }

export function HuntNew() {
  const key = `ungcuu.huntNew.${app.user?.username ?? ''}`;
  const [f, set, clear] = useDraft<HForm>(key, () => ({
    title: '', description: '', date: localInputs(Date.now() + 14 * 86400_000).date, time: '17:00', targets: [], tags: '', kinds: [],
  }));
  const { err, setErr, busy, errors, run } = useSubmit('.hunt-form');
  if (!canOpenHunt()) return <ErrorBox error={new ApiError(403, null, null)} />;
  const toggleKind = (k: string) => set({ kinds: f.kinds.includes(k) ? f.kinds.filter((x) => x !== k) : [...f.kinds, k] });
  const tags = splitList(f.tags);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!f.targets.length) { setErr(noTargets()); return; }
    void run(async () => {
      const body: any = { title: f.title.trim(), deadline: toUtcIso(f.date, f.time), target_org_codes: f.targets };
      if (f.description.trim()) body.description = f.description.trim();
      if (tags.length) body.tags = tags;
      if (f.kinds.length) body.kinds = f.kinds;
      const h = await post('/api/v1/hunts', body);
      clear();
      // Indicators the selection chose but TLP keeps from some target: the hunt's page says how many.
      const withheld = Number(h.withheld) || 0;
      if (withheld > 0) flashNext('hunt_withheld', { n: withheld });
      go(`/hunts/${h.id}`);
    });
  };
  return (
    <CreateForm nav={<Crumbs items={[[t('hunts_title'), '#/hunts'], [t('hunt_new'), null]]} />} title={t('hunt_new')} intro={t('hunt_new_intro')}
      cls="hunt-form" err={err} busy={busy} submitLabel={t('hunt_open_btn')} cancelHref="#/hunts" onCancel={clear} onSubmit={submit}>
      <Field id="h-title" label={t('hunt_title_l')} req error={errors['/title']} hint={t('hint_hunt_title')}>
        <input id="h-title" required maxLength={200} value={f.title} onInput={(e) => set({ title: val(e) })} />
      </Field>
      <Field id="h-description" label={t('hunt_description')} error={errors['/description']} hint={t('hint_hunt_description')}>
        <textarea id="h-description" rows={4} value={f.description} onInput={(e) => set({ description: val(e) })} />
      </Field>
      <div class="grid2 tight">
        <Field id="h-date" label={t('hunt_deadline_date')} req error={errors['/deadline']}>
          <input id="h-date" type="date" required value={f.date} onInput={(e) => set({ date: val(e) })} />
        </Field>
        <Field id="h-time" label={t('due_time')} req hint={t('hint_tz')}>
          <input id="h-time" type="time" required value={f.time} onInput={(e) => set({ time: val(e) })} />
        </Field>
      </div>
      <fieldset class={errors['/tags'] || errors['/kinds'] || errors['/indicator_ids'] ? 'has-error' : ''}>
        <legend>{t('hunt_selection')}</legend>
        <p class="hint">{t('hint_hunt_selection')}</p>
        {(errors['/tags'] || errors['/kinds'] || errors['/indicator_ids']) && <small class="field-error" role="alert">{errors['/tags'] || errors['/kinds'] || errors['/indicator_ids']}</small>}
        <Field id="h-tags" label={t('hunt_by_tags')} hint={t('hint_hunt_tags', { n: tags.length })}>
          <input id="h-tags" value={f.tags} onInput={(e) => set({ tags: val(e) })} />
        </Field>
        <fieldset class="sub">
          <legend>{t('hunt_by_kinds')}</legend>
          <div class="checks">
            {IOC_KINDS.filter((k) => k !== 'pattern').map((k) => (
              <label class="check" key={k}>
                <input type="checkbox" name="kinds" value={k} checked={f.kinds.includes(k)} onChange={() => toggleKind(k)} /> {kindLabel(k)}
              </label>
            ))}
          </div>
        </fieldset>
        <p class="hint">{!tags.length && !f.kinds.length ? t('hunt_sel_all') : t('hunt_sel_some')}</p>
      </fieldset>
      <TargetOrgs legend={t('hunt_targets')} hint={`${t('hint_w_targets', { n: f.targets.length })} ${t('hint_hunt_targets')}`}
        value={f.targets} onChange={(targets) => set({ targets })} error={errors['/target_org_codes']} />
    </CreateForm>
  );
}

/** Hosts of an organisation, offered as the upload's host names. */
function useHostnames(org: string) {
  const [list, setList] = useState<string[]>([]);
  useEffect(() => {
    if (!org) { setList([]); return; }
    get(`/api/v1/hosts?org=${encodeURIComponent(org)}&retired=false&limit=500`).then((r) => setList((r.items ?? []).map((h: any) => h.hostname)), () => setList([]));
  }, [org]);
  return list;
}

/** Counts the hits in a `ungcuu sweep --json` file and says what looks wrong, before sending it. */
async function peek(f: File): Promise<{ hits: number; bad: number }> {
  const text = await f.slice(0, 4 * 1024 * 1024).text();
  let hits = 0;
  let bad = 0;
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s) continue;
    try { const o = JSON.parse(s); if (o && typeof o === 'object' && 'indicator' in o) hits++; else bad++; } catch { bad++; }
  }
  return { hits, bad };
}

function Upload({ h, targets, reload }: { h: any; targets: any[]; reload: () => Promise<unknown> }) {
  const [org, setOrg] = useState<string>(targets.length === 1 ? targets[0].org.code : '');
  const [hostname, setHostname] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [info, setInfo] = useState<{ hits: number; bad: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [res, setRes] = useState<any>(null);
  const input = useRef<HTMLInputElement>(null);
  const hosts = useHostnames(org);
  const choose = async (f: File | null) => {
    setFile(f); setInfo(null); setRes(null); setErr(null);
    if (f) { try { setInfo(await peek(f)); } catch { /* the server will say */ } }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null); setRes(null);
    if (!file) { setErr(new ApiError(422, { status: 422, errors: [{ pointer: '/file', detail: t('hunt_pick_file') }] }, null)); return; }
    if (file.size > 16 * 1024 * 1024) { setErr(new ApiError(413, null, null)); return; }
    setBusy(true);
    try {
      const p = new URLSearchParams({ org, hostname: hostname.trim() });
      const r = await post(`/api/v1/hunts/${encodeURIComponent(h.id)}/results?${p}`, undefined, { raw: file, headers: { 'Content-Type': 'application/x-ndjson' } });
      setRes(r);
      setFile(null); setInfo(null);
      if (input.current) input.current.value = '';
      await reload();
      setTimeout(() => document.getElementById('hunt-upload-result')?.focus(), 0);
    } catch (x) {
      setErr(x);
    } finally { setBusy(false); }
  };
  return (
    <section class="panel mine hunt-upload" aria-labelledby="h-upload">
      <h2 id="h-upload">{t('hunt_upload')}</h2>
      <p class="hint">{t('hunt_upload_intro')}</p>
      <p class="mono small cmd">ungcuu sweep --rules {`hunt-${String(h.id).slice(0, 8)}.stix.json`} --json C:\ /var/log &gt; {t('hunt_result_file')}.jsonl</p>
      <form onSubmit={submit}>
        <ErrorBox error={err} texts={{ 400: 'hunt_bad_file', 422: 'hunt_bad_upload', 403: 'hunt_upload_forbidden' }} />
        <Field id="hu-org" label={t('org')} req>
          <select id="hu-org" required value={org} onChange={(e) => setOrg(val(e))}>
            {targets.length !== 1 && <option value="">{t('choose')}</option>}
            {targets.map((x) => <option key={x.org.code} value={x.org.code}>{x.org.name}</option>)}
          </select>
        </Field>
        <Field id="hu-host" label={t('hostname')} req hint={t('hint_hunt_hostname')}>
          <input id="hu-host" required maxLength={253} list="hu-hosts" autocomplete="off" value={hostname} onInput={(e) => setHostname(val(e))} />
        </Field>
        <datalist id="hu-hosts">{hosts.map((n) => <option key={n} value={n} />)}</datalist>
        <div class="field">
          <label for="hu-file">{t('hunt_result_file_l')}<span class="req" aria-hidden="true"> *</span></label>
          <input id="hu-file" ref={input} type="file" accept=".json,.jsonl,.ndjson,.txt,application/json,application/x-ndjson,text/plain"
            onChange={(e) => void choose((e.target as HTMLInputElement).files?.[0] ?? null)} />
          {file && info && (
            <small class={info.bad ? 'field-error' : 'hint'}>
              {t('hunt_file_peek', { name: file.name, size: fmtSize(file.size), n: info.hits })}{info.bad > 0 && ` ${t('hunt_file_bad_lines', { n: info.bad })}`}
            </small>
          )}
        </div>
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>{busy ? t('im_uploading') : t('hunt_upload_btn')}</button>
        </div>
      </form>
      {res && (
        <div id="hunt-upload-result" class="alert info upload-result" role="status" tabIndex={-1}>
          <p><strong>{t('hunt_uploaded')}</strong></p>
          <DL rows={[
            [t('hunt_hits'), String(res.hits ?? 0)],
            [t('hunt_new_sightings'), String(res.sightings ?? 0)],
            [t('hunt_unknown'), String(res.unknown ?? 0)],
            [t('hunt_filed_incident'), res.incident
              ? <a href={`#/incidents/${res.incident.id}`} class="number">{res.incident.number}</a>
              : <span class="muted">{res.hits ? t('hunt_no_new_incident') : t('hunt_nothing_found')}</span>],
          ]} />
        </div>
      )}
    </section>
  );
}

export function HuntPage({ id }: { id: string }) {
  const [h, setH] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [closeErr, setCloseErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [flash] = useFlash();
  const now = useNow();
  const url = `/api/v1/hunts/${encodeURIComponent(id)}`;
  const load = () => get(url).then((x) => { setH(x); setError(null); }, setError);
  useEffect(() => { void load(); }, [id]);
  if (error && !h) return <ErrorBox error={error}><p><a href="#/hunts">{t('back_to_hunts')}</a></p></ErrorBox>;
  if (!h) return <Loading />;
  const targets: any[] = h.targets ?? [];
  const runs: any[] = h.runs ?? [];
  const sightings: any[] = h.sightings ?? [];
  const open = h.status !== 'closed';
  const mineCodes = new Set(scopeOrgs().map((o) => o.code));
  const myTargets = targets.filter((x) => x.org && mineCodes.has(x.org.code));
  const ran = targets.filter((x) => x.ran).length;
  const issuerSide = mineCodes.has(h.issuer?.code);
  const sel = h.selection ?? {};
  const close = async () => {
    setBusy(true); setCloseErr(null);
    try {
      const r = await post(`${url}/close`, {}, { ifMatch: h.version });
      setH({ ...h, ...r });
      setConfirm(false);
    } catch (x) { setCloseErr(x); } finally { setBusy(false); }
  };
  return (
    <article>
      <Crumbs items={[[t('hunts_title'), '#/hunts'], [h.title, null]]} />
      <h1 class="rec-title">{h.title}</h1>
      <p class="badges">
        <HuntStatus s={h.status} />
        <span>{t('hunt_deadline')}: <strong>{fmtDateTime(h.deadline)}</strong>{open && <> (<DueLeft at={h.deadline} now={now} done={targets.length > 0 && ran === targets.length ? t('hunt_all_ran') : undefined} />)</>}</span>
        <span class="muted">{h.issuer?.name}</span>
      </p>
      <FlashNotice f={flash} />
      <div class="actionbar">
        <a class="button secondary" href={`${url}/rules`} download={`hunt-${String(h.id).slice(0, 8)}.stix.json`}>{t('hunt_rules')}</a>
        <span class="muted">{t('hunt_n_iocs', { n: h.indicators ?? 0 })}</span>
        <span class="spacer" />
        {open && canOpenHunt() && issuerSide && !confirm && <button type="button" class="button danger" onClick={() => setConfirm(true)}>{t('hunt_close')}</button>}
        {confirm && (
          <span class="actions confirm-close" role="group" aria-label={t('hunt_close')}>
            <span>{t('hunt_close_q')}</span>
            <button type="button" class="button danger" disabled={busy} onClick={close}>{t('hunt_close_yes')}</button>
            <button type="button" class="button secondary" onClick={() => setConfirm(false)}>{t('cancel')}</button>
          </span>
        )}
      </div>
      <RecordError error={closeErr} onReload={() => { setCloseErr(null); void load(); }} />
      <div class="inc-grid">
        <div>
          <Panel id="hunt" title={t('hunt_content')}>
            {h.description ? <p class="prewrap description">{h.description}</p> : <p class="muted">{t('no_body')}</p>}
            <DL rows={[
              [t('issuer'), h.issuer?.name],
              [t('issued_at'), fmtDateTime(h.created_at)],
              [t('hunt_selection'), [
                ...(sel.tags ?? []).map((x: string) => `#${x}`),
                ...(sel.kinds ?? []).map((k: string) => kindLabel(k)),
                ...((sel.indicator_ids ?? []).length ? [t('hunt_sel_ids', { n: sel.indicator_ids.length })] : []),
              ].join(', ') || t('hunt_sel_all_short')],
              [t('hunt_iocs'), String(h.indicators ?? 0)],
            ]} />
          </Panel>
          <Panel id="targets" title={t('hunt_targets')} count={targets.length}>
            <p class="summary">
              {t('hunt_ran_n', { n: ran, m: targets.length })} · {t('hunt_hits_n', { n: sum(targets, 'hits') })}
              {targets.some((x) => x.late) && <> · <span class="overdue">{t('tg_late', { n: targets.filter((x) => x.late).length })}</span></>}
            </p>
            <div class="scroll-x">
              <table class="list cards-on-phone compact hunt-targets">
                <thead>
                  <tr>
                    <th scope="col">{t('org')}</th>
                    <th scope="col">{t('hunt_ran_q')}</th>
                    <th scope="col">{t('hunt_last_run')}</th>
                    <th scope="col">{t('hunt_hosts')}</th>
                    <th scope="col">{t('hunt_files')}</th>
                    <th scope="col">{t('hunt_hits')}</th>
                  </tr>
                </thead>
                <tbody>
                  {targets.map((x) => (
                    <tr key={x.org?.code} class={x.late ? 'row-overdue' : ''}>
                      <td data-label={t('org')}>{x.org?.name} {x.late && <span class="badge late">{t('late')}</span>}</td>
                      <td data-label={t('hunt_ran_q')}>{x.ran ? <span class="ok">{t('yes')}</span> : <span class={x.late ? 'overdue' : 'muted'}>{t('not_yet')}</span>}</td>
                      <td data-label={t('hunt_last_run')}>{x.last_run_at ? fmtDateTime(x.last_run_at) : <span class="muted">—</span>}</td>
                      <td data-label={t('hunt_hosts')}>{x.hosts ?? 0}</td>
                      <td data-label={t('hunt_files')}>{Number(x.files ?? 0).toLocaleString('vi-VN')}</td>
                      <td data-label={t('hunt_hits')}>{x.hits ? <strong class="overdue">{x.hits}</strong> : <span class="muted">0</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Panel>
        </div>
        <div>
          {open && canUploadHunt() && myTargets.length > 0 ? <Upload h={h} targets={myTargets} reload={load} /> : (
            <section class="panel">
              <p class="muted">{!open ? t('hunt_is_closed') : myTargets.length === 0 ? t('hunt_not_target') : t('hunt_upload_roles')}</p>
            </section>
          )}
          <Panel id="manual" title={t('hunt_how')}>
            <ol class="plain-steps">
              <li>{t('hunt_how_1')}</li>
              <li>{t('hunt_how_2')}</li>
              <li>{t('hunt_how_3')}</li>
            </ol>
          </Panel>
        </div>
      </div>
      <Panel id="runs" title={t('hunt_runs')} count={runs.length}>
        {runs.length === 0 ? <p class="muted">{t('hunt_no_runs')}</p> : (
          <div class="scroll-x">
            <table class="list cards-on-phone compact hunt-runs">
              <thead>
                <tr>
                  <th scope="col">{t('hunt_ran_at')}</th>
                  <th scope="col">{t('org')}</th>
                  <th scope="col">{t('host')}</th>
                  <th scope="col">{t('hunt_via')}</th>
                  <th scope="col">{t('hunt_files')}</th>
                  <th scope="col">{t('hunt_hits')}</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.id}>
                    <td data-label={t('hunt_ran_at')} class="nowrap">{fmtDateTime(r.ran_at)}</td>
                    <td data-label={t('org')}>{r.org?.name ?? r.org?.code}</td>
                    <td data-label={t('host')}>{r.host ? <a href={`#/hosts/${r.host.id}`}>{r.host.hostname}</a> : r.hostname || <span class="muted">—</span>}</td>
                    <td data-label={t('hunt_via')}>
                      {r.via === 'agent' ? t('hunt_via_agent') : t('hunt_via_upload')}
                      {r.submitted_by && <><br /><small class="muted">{typeof r.submitted_by === 'string' ? r.submitted_by : r.submitted_by.full_name || r.submitted_by.username}</small></>}
                    </td>
                    <td data-label={t('hunt_files')}>{r.files === null || r.files === undefined ? '—' : Number(r.files).toLocaleString('vi-VN')}</td>
                    <td data-label={t('hunt_hits')}>
                      {r.hits ? <strong class="overdue">{r.hits}</strong> : <span class="muted">0</span>}
                      {r.incident && <><br /><a href={`#/incidents/${r.incident.id}`} class="number" title={t('hunt_filed_incident')}>{r.incident.number}</a></>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <Panel id="hunt-sightings" title={t('sightings')} count={sightings.length}>
        <SightingsTable items={sightings} showIndicator hideHunt />
      </Panel>
    </article>
  );
}
