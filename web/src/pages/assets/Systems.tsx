// The registry of information systems (NĐ85/2016): the list per organisation,
// one system with its hosts, and the create/edit form with every field of the
// dossier. Edits send If-Match; a stale or refused save keeps what was typed.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, patch, post } from '../../api';
import { t, type Key } from '../../i18n';
import { app } from '../../state';
import { go } from '../../router';
import { ErrorBox, Field, Loading, useNow } from '../../components/ui';
import { ListFilters, ListState, PageHead, listQuery, shownCount, useList, useUrlFilters } from '../../components/ListPage';
import { fmtDateTime, toUtcIso, localInputs } from '../../time';
import {
  Crumbs, DL, DateDue, FUNCTIONS, FindingCounts, INFO_TYPES, OrgSelect, Panel, RegistryTabs,
  addMonths, canWriteRegistry, code, dateInput, manyOrgs, osText, useDraft, useEdit, val,
} from './common';
import { CreateForm, EditForm, useSubmit } from './forms';

export interface SysForm {
  org_code: string; name: string; purpose: string; owner: string; operator: string; contractor: string;
  level: string; approval_decision: string; info_type: string; function: string; user_count: string; next_check: string;
}

function fromSystem(s: any): SysForm {
  return {
    org_code: s?.org?.code ?? app.user?.org?.code ?? '',
    name: s?.name ?? '', purpose: s?.purpose ?? '', owner: s?.owner ?? '', operator: s?.operator ?? '',
    contractor: s?.contractor ?? '', level: s?.level ? String(s.level) : '', approval_decision: s?.approval_decision ?? '',
    info_type: s?.info_type ?? '', function: s?.function ?? '',
    user_count: s?.user_count === null || s?.user_count === undefined ? '' : String(s.user_count),
    next_check: dateInput(s?.next_check_at),
  };
}

const TEXTS = ['name', 'purpose', 'owner', 'operator', 'contractor', 'approval_decision'] as const;

/** The JSON the server wants: everything for a new system, only what changed for an edit. */
function toBody(f: SysForm, orig: SysForm | null): any {
  const out: any = {};
  const before = orig;
  const changed = (k: keyof SysForm) => !orig || orig[k] !== f[k];
  for (const k of TEXTS) {
    const v = f[k].trim();
    if (before ? changed(k) : v !== '') out[k] = v;
  }
  for (const k of ['info_type', 'function'] as const) {
    if (before ? changed(k) && f[k] !== '' : f[k] !== '') out[k] = f[k];
  }
  if (changed('level') && (f.level || before)) out.level = f.level ? Number(f.level) : null;
  if (changed('user_count') && (f.user_count.trim() || before)) out.user_count = f.user_count.trim() === '' ? null : Number(f.user_count);
  if (changed('next_check') && (f.next_check || before)) out.next_check_at = f.next_check ? toUtcIso(f.next_check, '00:00') : null;
  if (!before && f.org_code) out.org_code = f.org_code;
  // Correcting the organisation of an existing system (audited; its hosts move with it).
  if (before && changed('org_code') && f.org_code) out.org_code = f.org_code;
  return out;
}

/** T10 (NĐ85 Đ20.2c): months between security checks by level. */
const CHECK_MONTHS: Record<string, number> = { 1: 24, 2: 24, 3: 12, 4: 12, 5: 6 };

export function SystemForm({ f, set, errors, isNew }: {
  f: SysForm; set: (p: Partial<SysForm>) => void; errors: Record<string, string>; isNew: boolean;
}) {
  const fe = (p: string) => errors[p];
  const suggest = () => {
    const m = CHECK_MONTHS[f.level] ?? 24;
    set({ next_check: addMonths(localInputs().date, m) });
  };
  return (
    <>
      {manyOrgs() && (
        <OrgSelect id="sys-org" label={t('org')} value={f.org_code} onChange={(v) => set({ org_code: v })} required />
      )}
      {!isNew && manyOrgs() && <small class="hint">{t('hint_sys_org_move')}</small>}
      <Field id="sys-name" label={t('sys_name')} req error={fe('/name')} hint={t('hint_sys_name')}>
        <input id="sys-name" required maxLength={300} value={f.name} onInput={(e) => set({ name: val(e) })} />
      </Field>
      <Field id="sys-purpose" label={t('sys_purpose')} error={fe('/purpose')}>
        <textarea id="sys-purpose" rows={2} maxLength={2000} value={f.purpose} onInput={(e) => set({ purpose: val(e) })} />
      </Field>
      <div class="grid2">
        <Field id="sys-owner" label={t('f_owner')} error={fe('/owner')} hint={t('hint_sys_owner')}>
          <input id="sys-owner" maxLength={300} value={f.owner} onInput={(e) => set({ owner: val(e) })} />
        </Field>
        <Field id="sys-operator" label={t('f_operator')} error={fe('/operator')} hint={t('hint_sys_operator')}>
          <input id="sys-operator" maxLength={300} value={f.operator} onInput={(e) => set({ operator: val(e) })} />
        </Field>
        <Field id="sys-contractor" label={t('sys_contractor')} error={fe('/contractor')}>
          <input id="sys-contractor" maxLength={300} value={f.contractor} onInput={(e) => set({ contractor: val(e) })} />
        </Field>
        <Field id="sys-users" label={t('sys_user_count')} error={fe('/user_count')}>
          <input id="sys-users" type="number" min={0} max={100000000} inputMode="numeric" value={f.user_count} onInput={(e) => set({ user_count: val(e) })} />
        </Field>
        <Field id="sys-info-type" label={t('sys_info_type')} error={fe('/info_type')} hint={f.info_type === 'state_secret' ? t('hint_state_secret') : undefined}>
          <select id="sys-info-type" value={f.info_type} onChange={(e) => set({ info_type: val(e) })}>
            <option value="">{t('not_set')}</option>
            {INFO_TYPES.map((x) => <option value={x}>{code('info_type', x)}</option>)}
          </select>
        </Field>
        <Field id="sys-function" label={t('sys_function')} error={fe('/function')}>
          <select id="sys-function" value={f.function} onChange={(e) => set({ function: val(e) })}>
            <option value="">{t('not_set')}</option>
            {FUNCTIONS.map((x) => <option value={x}>{code('function', x)}</option>)}
          </select>
        </Field>
      </div>
      <fieldset class="levels" aria-describedby="level-hint">
        <legend>{t('f_level')}</legend>
        <small id="level-hint" class="hint">{t('hint_level')}</small>
        {fe('/level') && <small class="field-error" role="alert">{fe('/level')}</small>}
        <label class="check level-opt">
          <input type="radio" name="sys-level" value="" checked={f.level === ''} onChange={() => set({ level: '' })} />
          <span><strong>{t('level_unset')}</strong></span>
        </label>
        {[1, 2, 3, 4, 5].map((n) => (
          <label class="check level-opt" key={n}>
            <input type="radio" name="sys-level" value={String(n)} checked={f.level === String(n)} onChange={() => set({ level: String(n) })} />
            <span><strong>{t('level_n', { n })}</strong> — <span class="muted">{t(`level_desc_${n}` as Key)}</span></span>
          </label>
        ))}
      </fieldset>
      <div class="grid2">
        <Field id="sys-approval" label={t('sys_approval')} error={fe('/approval_decision')} hint={t(f.level && Number(f.level) >= 4 ? 'hint_approval_45' : f.level === '3' ? 'hint_approval_3' : 'hint_approval_12')}>
          <input id="sys-approval" maxLength={300} value={f.approval_decision} onInput={(e) => set({ approval_decision: val(e) })} />
        </Field>
        <Field id="sys-next-check" label={t('sys_next_check')} error={fe('/next_check_at')} hint={t('hint_next_check')}>
          <div class="inline-input">
            <input id="sys-next-check" type="date" value={f.next_check} onInput={(e) => set({ next_check: val(e) })} />
            <button type="button" class="button secondary small" onClick={suggest}>{t('suggest_by_level')}</button>
          </div>
        </Field>
      </div>
    </>
  );
}

export function SystemNew() {
  const key = `ungcuu.sysNew.${app.user?.username ?? ''}`;
  const [f, set, clear] = useDraft<SysForm>(key, () => fromSystem(null));
  const { err, busy, errors, run } = useSubmit('.sys-form');
  if (!canWriteRegistry()) return <ErrorBox error={new ApiError(403, null, null)} />;
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const s = await post('/api/v1/systems', toBody(f, null));
      clear();
      go(`/systems/${s.id}`);
    });
  };
  return (
    <CreateForm nav={<Crumbs items={[[t('systems_title'), '#/systems'], [t('sys_new'), null]]} />} title={t('sys_new')} intro={t('sys_new_intro')}
      cls="sys-form" err={err} busy={busy} submitLabel={t('sys_create')} cancelHref="#/systems" onCancel={clear} onSubmit={submit}>
      <SystemForm f={f} set={set} errors={errors} isNew />
    </CreateForm>
  );
}

const SYS_SORTS = ['org', 'name', 'next_check', 'level', 'updated'] as const;

export function SystemList() {
  // The view in the URL (#/systems?org=…&q=…&level=…&sort=…): shareable; the server filters, sorts and pages.
  const [f, set] = useUrlFilters({ org: '', q: '', level: '', sort: 'org' });
  const now = useNow();
  const { items, error, more } = useList(`/api/v1/systems?${listQuery(f)}`);
  // Sorted by organisation, the rows come grouped; another sort is one list.
  const grouped = f.sort === 'org';
  const groups = useMemo(() => {
    const out: { org: any; rows: any[] }[] = [];
    for (const s of items ?? []) {
      const last = out[out.length - 1];
      if (grouped && last && last.org?.code === s.org?.code) last.rows.push(s);
      else if (grouped || !last) out.push({ org: s.org, rows: [s] });
      else last.rows.push(s);
    }
    return out;
  }, [items, grouped]);
  const late = (items ?? []).filter((s) => s.next_check_at && Date.parse(s.next_check_at) < now).length;
  return (
    <section>
      <RegistryTabs here="systems" />
      <PageHead title={t('systems_title')} newHref={canWriteRegistry() && '#/systems/new'} newLabel={t('sys_new')} />
      <p class="lead">{t('systems_intro')}</p>
      <ListFilters id="sys-f" q={f.q} onQ={(q) => set({ q })} ph={t('sys_q_ph')} sort={f.sort} onSort={(sort) => set({ sort })}
        sorts={SYS_SORTS.map((k) => [k, t(`sort_${k}` as Key)])}>
        {manyOrgs() && <OrgSelect id="sys-f-org" label={t('org')} value={f.org} onChange={(org) => set({ org })} all />}
        <div class="field">
          <label for="sys-f-level">{t('f_level')}</label>
          <select id="sys-f-level" value={f.level} onChange={(e) => set({ level: val(e) })}>
            <option value="">{t('level_any')}</option>
            {[1, 2, 3, 4, 5].map((n) => <option value={String(n)}>{t('level_n', { n })}</option>)}
          </select>
        </div>
      </ListFilters>
      <ListState items={items} error={error} more={more} empty={t('systems_empty')} summary={
        <p class="summary" aria-live="polite">
          {shownCount(items?.length ?? 0, more, t('n_systems', { n: items?.length ?? 0 }))}
          {late > 0 && <> · <span class="overdue">{t('n_checks_late', { n: late })}</span></>}
        </p>
      }>{() => (
        <table class="list cards-on-phone systems">
          <thead>
            <tr>
              <th scope="col">{t('sys_name')}</th>
              <th scope="col">{t('f_level')}</th>
              <th scope="col">{t('sys_function')}</th>
              <th scope="col">{t('f_operator')}</th>
              <th scope="col">{t('hosts_n')}</th>
              <th scope="col">{t('sys_next_check')}</th>
            </tr>
          </thead>
          {groups.map((g, gi) => (
            <tbody key={`${g.org?.code}-${gi}`}>
              {grouped && <tr class="group"><th colSpan={6} scope="colgroup">{g.org?.name} <span class="muted">({g.rows.length})</span></th></tr>}
              {g.rows.map((s) => {
                const late1 = s.next_check_at && Date.parse(s.next_check_at) < now;
                return (
                  <tr key={s.id} class={late1 ? 'row-overdue' : ''}>
                    <td data-label={t('sys_name')} class="title-cell"><a href={`#/systems/${s.id}`}>{s.name}</a>{s.retired_at && <> <span class="badge retired">{t('retired')}</span></>}
                      {!grouped && manyOrgs() && <><br /><small class="muted">{s.org?.name}</small></>}</td>
                    <td data-label={t('f_level')}>{s.level ? <span class={`badge lvl lvl-${s.level}`}>{t('level_n', { n: s.level })}</span> : <span class="muted">{t('not_set')}</span>}</td>
                    <td data-label={t('sys_function')}>{code('function', s.function) || <span class="muted">—</span>}</td>
                    <td data-label={t('f_operator')}>{s.operator || <span class="muted">—</span>}</td>
                    <td data-label={t('hosts_n')}>{s.hosts ?? 0}</td>
                    <td data-label={t('sys_next_check')}><DateDue at={s.next_check_at} now={now} /></td>
                  </tr>
                );
              })}
            </tbody>
          ))}
        </table>
      )}</ListState>
    </section>
  );
}

export function SystemPage({ id }: { id: string }) {
  const url = `/api/v1/systems/${encodeURIComponent(id)}`;
  const draftKey = `ungcuu.sysEdit.${id}`;
  const [sys, setSys] = useState<any>(null);
  const [hosts, setHosts] = useState<any[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ed = useEdit<SysForm>(draftKey, fromSystem);
  const { err: saveErr, setErr: setSaveErr, busy, errors, run } = useSubmit('.sys-form');
  const [saved, setSaved] = useState(false);
  const now = useNow();

  const load = async () => {
    try {
      const s = await get(url);
      setSys(s);
      setError(null);
      return s;
    } catch (e) { setError(e); return null; }
  };
  useEffect(() => {
    void load();
    get(`/api/v1/hosts?system=${encodeURIComponent(id)}&limit=500`).then((r) => setHosts(r.items ?? []), () => setHosts([]));
  }, [id]);

  if (error && !sys) return <ErrorBox error={error}><p><a href="#/systems">{t('back_to_systems')}</a></p></ErrorBox>;
  if (!sys) return <Loading />;

  const startEdit = () => { ed.start(sys); setSaved(false); setTimeout(() => document.getElementById('sys-name')?.focus(), 0); };
  const cancel = () => { ed.stop(); setSaveErr(null); };
  const save = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const body = toBody(ed.f, ed.base);
      const x = Object.keys(body).length ? await patch(url, body, { ifMatch: sys.version }) : sys;
      setSys({ ...sys, ...x });
      ed.stop();
      setSaved(true);
    });
  };
  const reloadKeep = async () => { setSaveErr(null); const s = await load(); if (s) ed.rebase(s); };
  // Retiring keeps the record (and its history), flagged, out of the pickers.
  const retire = (on: boolean) => {
    if (on && !confirm(t('sys_retire_confirm', { name: sys.name }))) return;
    void run(async () => {
      const x = await patch(url, { retired: on }, { ifMatch: sys.version });
      setSys({ ...sys, ...x });
      setSaved(true);
    });
  };

  return (
    <article>
      <Crumbs items={[[t('systems_title'), '#/systems'], [sys.name, null]]} />
      <div class="page-head">
        <h1 class="rec-title">{sys.name}</h1>
        <p class="badges">
          {sys.level ? <span class={`badge lvl lvl-${sys.level}`}>{t('level_n', { n: sys.level })}</span> : <span class="badge">{t('level_unset')}</span>}
          {sys.retired_at && <span class="badge retired">{t('retired_since', { at: fmtDateTime(sys.retired_at) })}</span>}
          <span class="muted">{sys.org?.name}</span>
        </p>
      </div>
      {saved && <p class="alert info" role="status">{t('saved')}</p>}
      {!ed.editing && saveErr !== null && <ErrorBox error={saveErr} />}
      {ed.editing ? (
        <EditForm id="sys-edit-h" cls="sys-form" title={t('sys_edit')} err={saveErr} busy={busy} version={sys.version} onSubmit={save}
          onReload={reloadKeep} onCancel={cancel}>
          <SystemForm f={ed.f} set={ed.set} errors={errors} isNew={false} />
        </EditForm>
      ) : (
        <div class="actionbar">
          {canWriteRegistry() && <button type="button" class="button primary" onClick={startEdit}>{t('sys_edit')}</button>}
          {canWriteRegistry() && !sys.retired_at && <a class="button secondary" href={`#/hosts/new/${sys.id}`}>{t('host_add_to_system')}</a>}
          <span class="spacer" />
          {canWriteRegistry() && (sys.retired_at
            ? <button type="button" class="button secondary" id="sys-reinstate" onClick={() => retire(false)}>{t('sys_reinstate')}</button>
            : <button type="button" class="button danger" id="sys-retire" onClick={() => retire(true)}>{t('sys_retire')}</button>)}
          <span class="muted">{t('updated_at', { at: fmtDateTime(sys.updated_at) })}</span>
        </div>
      )}
      <div class="inc-grid">
        <Panel id="sys" title={t('sys_dossier')}>
          <DL rows={[
            [t('sys_name'), sys.name],
            [t('org'), sys.org?.name],
            [t('sys_purpose'), <span class="prewrap">{sys.purpose || '—'}</span>],
            [t('f_owner'), sys.owner],
            [t('f_operator'), sys.operator],
            [t('sys_contractor'), sys.contractor],
            [t('f_level'), sys.level ? `${t('level_n', { n: sys.level })} — ${t(`level_desc_${sys.level}` as Key)}` : t('level_unset')],
            [t('sys_approval'), sys.approval_decision],
            [t('sys_info_type'), code('info_type', sys.info_type)],
            [t('sys_function'), code('function', sys.function)],
            [t('sys_user_count'), sys.user_count === null || sys.user_count === undefined ? '' : sys.user_count.toLocaleString('vi-VN')],
            [t('sys_next_check'), <DateDue at={sys.next_check_at} now={now} />],
          ]} />
        </Panel>
        <Panel id="sys-hosts" title={t('hosts_title')} count={hosts?.length}>
          {!hosts ? <Loading /> : hosts.length === 0 ? <p class="muted">{t('hosts_none_system')}</p> : (
            <ul class="plain">
              {hosts.map((h) => (
                <li key={h.id}>
                  <a href={`#/hosts/${h.id}`}>{h.hostname}</a> <small class="muted">{osText(h)}</small>{' '}
                  <FindingCounts f={h.findings} />
                </li>
              ))}
            </ul>
          )}
        </Panel>
      </div>
    </article>
  );
}
