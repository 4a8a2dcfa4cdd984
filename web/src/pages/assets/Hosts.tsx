// Hosts (servers, PCs, devices): the list with open findings, one host with
// its packages, services, hotfixes and findings, and the create/edit form.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, patch, post } from '../../api';
import { t, type Key } from '../../i18n';
import { app } from '../../state';
import { go } from '../../router';
import { ErrorBox, Field, Loading, useNow } from '../../components/ui';
import { ListFilters, ListState, PageHead, listQuery, shownCount, useList, useUrlFilters } from '../../components/ListPage';
import { fmtDateTime } from '../../time';
import { FindingsTable } from './Findings';
import {
  Crumbs, DL, FindingCounts, OrgSelect, Panel, RegistryTabs, canWriteRegistry, manyOrgs,
  osText, splitList, useDraft, useEdit, val,
} from './common';
import { CreateForm, EditForm, useSubmit } from './forms';

interface HostForm { org_code: string; hostname: string; addresses: string; role: string; system_id: string; os_name: string }

function fromHost(h: any, systemId = ''): HostForm {
  return {
    org_code: h?.org?.code ?? app.user?.org?.code ?? '',
    hostname: h?.hostname ?? '', addresses: (h?.addresses ?? []).join(', '), role: h?.role ?? '',
    system_id: h?.system?.id ?? systemId, os_name: h?.os?.name ?? '',
  };
}

function toBody(f: HostForm, o: HostForm | null): any {
  const before = o;
  const out: any = {};
  const ch = (k: keyof HostForm) => !o || o[k] !== f[k];
  if (ch('hostname')) out.hostname = f.hostname.trim();
  if (ch('addresses') && (before || f.addresses.trim())) out.addresses = splitList(f.addresses, true);
  if (ch('role') && (before || f.role.trim())) out.role = f.role.trim();
  if (ch('os_name') && (before || f.os_name.trim())) out.os_name = f.os_name.trim();
  if (ch('system_id') && (before || f.system_id)) out.system_id = f.system_id || null;
  if (!before && f.org_code) out.org_code = f.org_code;
  return out;
}

/** Systems of one organisation, for the host form's picker. */
function useSystems(org: string) {
  const [list, setList] = useState<any[]>([]);
  useEffect(() => {
    if (!org) { setList([]); return; }
    get(`/api/v1/systems?org=${encodeURIComponent(org)}&retired=false&limit=500`).then((r) => setList(r.items ?? []), () => setList([]));
  }, [org]);
  return list;
}

function HostFields({ f, set, errors, isNew }: { f: HostForm; set: (p: Partial<HostForm>) => void; errors: Record<string, string>; isNew: boolean }) {
  const systems = useSystems(f.org_code);
  const fe = (p: string) => errors[p];
  return (
    <>
      {isNew && manyOrgs() && <OrgSelect id="host-org" label={t('org')} value={f.org_code} onChange={(v) => set({ org_code: v, system_id: '' })} required />}
      <div class="grid2">
        <Field id="host-name" label={t('hostname')} req error={fe('/hostname')} hint={t('hint_hostname')}>
          <input id="host-name" required maxLength={253} autocomplete="off" value={f.hostname} onInput={(e) => set({ hostname: val(e) })} />
        </Field>
        <Field id="host-addresses" label={t('addresses')} error={fe('/addresses')} hint={t('hint_list')}>
          <input id="host-addresses" value={f.addresses} onInput={(e) => set({ addresses: val(e) })} />
        </Field>
        <Field id="host-system" label={t('system')} error={fe('/system_id')}>
          <select id="host-system" value={f.system_id} onChange={(e) => set({ system_id: val(e) })}>
            <option value="">{t('no_system')}</option>
            {systems.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            {f.system_id && !systems.some((s) => s.id === f.system_id) && <option value={f.system_id}>{t('loading')}</option>}
          </select>
        </Field>
        <Field id="host-role" label={t('host_role')} error={fe('/role')} hint={t('hint_host_role')}>
          <input id="host-role" maxLength={200} value={f.role} onInput={(e) => set({ role: val(e) })} />
        </Field>
        <Field id="host-os" label={t('f_os')} error={fe('/os_name')} hint={t('hint_host_os')}>
          <input id="host-os" maxLength={200} value={f.os_name} onInput={(e) => set({ os_name: val(e) })} />
        </Field>
      </div>
    </>
  );
}

export function HostNew({ systemId }: { systemId?: string }) {
  const key = `ungcuu.hostNew.${app.user?.username ?? ''}`;
  const [f, set, clear] = useDraft<HostForm>(key, () => fromHost(null, systemId ?? ''));
  const { err, busy, errors, run } = useSubmit('.host-form');
  useEffect(() => {
    // Coming from a system's page: its organisation and the system itself.
    if (!systemId) return;
    get(`/api/v1/systems/${encodeURIComponent(systemId)}`).then((s) => set({ org_code: s.org?.code ?? f.org_code, system_id: s.id }), () => {});
  }, [systemId]);
  if (!canWriteRegistry()) return <ErrorBox error={new ApiError(403, null, null)} />;
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const h = await post('/api/v1/hosts', toBody(f, null));
      clear();
      go(`/hosts/${h.id}`);
    });
  };
  return (
    <CreateForm nav={<Crumbs items={[[t('hosts_title'), '#/hosts'], [t('host_new'), null]]} />} title={t('host_new')} intro={t('host_new_intro')}
      cls="host-form" err={err} busy={busy} submitLabel={t('host_create')} cancelHref={systemId ? `#/systems/${systemId}` : '#/hosts'}
      onCancel={clear} onSubmit={submit}>
      <HostFields f={f} set={set} errors={errors} isNew />
    </CreateForm>
  );
}

const HOST_SORTS = ['risk', 'org', 'hostname', 'last_seen', 'updated'] as const;

export function HostList() {
  // The view in the URL (#/hosts?org=…&system=…&q=…&sort=…): the server filters, sorts (riskiest first by default) and pages.
  const [f, set] = useUrlFilters({ org: '', system: '', q: '', sort: 'risk' });
  const [systems, setSystems] = useState<any[]>([]);
  const now = useNow();
  useEffect(() => {
    get(`/api/v1/systems?${listQuery({ org: f.org }, { limit: '500' })}`).then((r) => setSystems(r.items ?? []), () => setSystems([]));
  }, [f.org]);
  const { items, error, more } = useList(`/api/v1/hosts?${listQuery(f)}`);
  const stale = (at: string | null) => !at || now - Date.parse(at) > 30 * 86400_000;
  return (
    <section>
      <RegistryTabs here="hosts" />
      <PageHead title={t('hosts_title')} newHref={canWriteRegistry() && '#/hosts/new'} newLabel={t('host_new')} />
      <ListFilters id="hf" q={f.q} onQ={(q) => set({ q })} ph={t('host_q_ph')} sort={f.sort} onSort={(sort) => set({ sort })}
        sorts={HOST_SORTS.map((k) => [k, t(`sort_${k}` as Key)])}>
        {manyOrgs() && <OrgSelect id="hf-org" label={t('org')} value={f.org} onChange={(org) => set({ org, system: '' })} all />}
        <div class="field">
          <label for="hf-system">{t('system')}</label>
          <select id="hf-system" value={f.system} onChange={(e) => set({ system: val(e) })}>
            <option value="">{t('all')}</option>
            {systems.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </div>
      </ListFilters>
      <ListState items={items} error={error} more={more} empty={t('hosts_empty')}
        summary={<p class="summary" aria-live="polite">{shownCount(items?.length ?? 0, more, t('n_hosts', { n: items?.length ?? 0 }))}</p>}>{(shown) => (
        <table class="list cards-on-phone hosts">
          <thead>
            <tr>
              <th scope="col">{t('hostname')}</th>
              <th scope="col">{t('org')}</th>
              <th scope="col">{t('system')}</th>
              <th scope="col">{t('f_os')}</th>
              <th scope="col">{t('agent')}</th>
              <th scope="col">{t('last_seen')}</th>
              <th scope="col">{t('last_scan')}</th>
              <th scope="col">{t('open_findings')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((h) => (
              <tr key={h.id}>
                <td data-label={t('hostname')} class="title-cell">
                  <a href={`#/hosts/${h.id}`}>{h.hostname}</a>
                  {(h.addresses ?? []).length > 0 && <><br /><small class="muted mono">{h.addresses.join(', ')}</small></>}
                </td>
                <td data-label={t('org')}>{h.org?.name}</td>
                <td data-label={t('system')}>{h.system ? <a href={`#/systems/${h.system.id}`}>{h.system.name}</a> : <span class="muted">—</span>}</td>
                <td data-label={t('f_os')}>{osText(h) || <span class="muted">—</span>}</td>
                <td data-label={t('agent')}>{h.agent ? <span class="badge duty">{t('yes')}</span> : <span class="muted">{t('no')}</span>}</td>
                <td data-label={t('last_seen')}>{h.last_seen_at ? <span class={h.agent && stale(h.last_seen_at) ? 'overdue' : ''}>{fmtDateTime(h.last_seen_at)}</span> : <span class="muted">—</span>}</td>
                <td data-label={t('last_scan')}>{h.last_scan_at ? fmtDateTime(h.last_scan_at) : <span class="muted">{t('never')}</span>}</td>
                <td data-label={t('open_findings')}><FindingCounts f={h.findings} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}</ListState>
    </section>
  );
}

const PKG_PAGE = 300;

function Packages({ list }: { list: any[] }) {
  const [q, setQ] = useState('');
  const [max, setMax] = useState(PKG_PAGE);
  const shown = useMemo(() => {
    const n = q.trim().toLowerCase();
    return n ? list.filter((p) => `${p.name} ${p.version} ${p.source ?? ''} ${p.ecosystem ?? ''}`.toLowerCase().includes(n)) : list;
  }, [list, q]);
  return (
    <Panel id="packages" title={t('packages')} count={list.length}>
      {list.length === 0 ? <p class="muted">{t('packages_none')}</p> : <>
      <div class="field">
        <label for="pkg-filter">{t('pkg_filter')}</label>
        <input id="pkg-filter" type="search" value={q} placeholder={t('pkg_filter_ph')} onInput={(e) => { setQ(val(e)); setMax(PKG_PAGE); }} />
      </div>
      <p class="summary" aria-live="polite">{t('n_of_m', { n: shown.length, m: list.length })}</p>
      {shown.length > 0 && (
        <div class="scroll-x">
          <table class="list compact packages">
            <thead><tr><th scope="col">{t('pkg_name')}</th><th scope="col">{t('pkg_version')}</th><th scope="col">{t('pkg_arch')}</th><th scope="col">{t('pkg_ecosystem')}</th><th scope="col">{t('pkg_source')}</th></tr></thead>
            <tbody>
              {shown.slice(0, max).map((p, i) => (
                <tr key={`${p.name}-${p.version}-${i}`}>
                  <td>{p.name}</td><td class="mono">{p.version}</td><td>{p.arch}</td><td>{p.ecosystem}</td><td>{p.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {shown.length > max && <button type="button" class="button secondary small" onClick={() => setMax(max + PKG_PAGE * 3)}>{t('show_more', { n: shown.length - max })}</button>}
      </>}
    </Panel>
  );
}

export function HostPage({ id }: { id: string }) {
  const url = `/api/v1/hosts/${encodeURIComponent(id)}`;
  const draftKey = `ungcuu.hostEdit.${id}`;
  const [h, setH] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const ed = useEdit<HostForm>(draftKey, (r) => fromHost(r));
  const { err: saveErr, setErr: setSaveErr, busy, errors, run } = useSubmit('.host-form');
  const [saved, setSaved] = useState(false);
  const now = useNow();
  // The host's findings_list is a brief form (no summary, origin, reason, accepted_until,
  // fixed_at, overdue); the findings list filtered by host has every field the table shows.
  const [findings, setFindings] = useState<any[] | null>(null);
  const loadFindings = () => get(`/api/v1/findings?host=${encodeURIComponent(id)}&limit=500`)
    .then((r) => setFindings(r.items ?? []), () => setFindings(null));
  const load = async () => {
    void loadFindings();
    try { const x = await get(url); setH(x); setError(null); return x; } catch (e) { setError(e); return null; }
  };
  useEffect(() => { void load(); }, [id]);
  if (error && !h) return <ErrorBox error={error}><p><a href="#/hosts">{t('back_to_hosts')}</a></p></ErrorBox>;
  if (!h) return <Loading />;

  const save = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const body = toBody(ed.f, ed.base);
      if (Object.keys(body).length) await patch(url, body, { ifMatch: h.version });
      await load();
      ed.stop(); setSaved(true);
    });
  };
  // Retiring keeps the host and its history, flagged.
  const retire = (on: boolean) => {
    if (on && !confirm(t('host_retire_confirm', { name: h.hostname }))) return;
    void run(async () => { await patch(url, { retired: on }, { ifMatch: h.version }); await load(); setSaved(true); });
  };
  const list: any[] = findings ?? h.findings_list ?? [];
  const open = list.filter((x) => x.status === 'open').length;
  const packages: any[] = Array.isArray(h.packages) ? h.packages : [];
  const services: any[] = h.services ?? [];
  const hotfixes: string[] = h.hotfixes ?? [];
  const os = h.os ?? {};
  return (
    <article>
      <Crumbs items={[[t('hosts_title'), '#/hosts'], [h.hostname, null]]} />
      <div class="page-head">
        <h1 class="rec-title mono-title">{h.hostname}</h1>
        <p class="badges">
          {h.agent ? <span class="badge duty">{t('agent_yes')}</span> : <span class="badge">{t('agent_no')}</span>}
          <FindingCounts f={h.findings} label />
          {h.retired_at && <span class="badge retired">{t('retired_since', { at: fmtDateTime(h.retired_at) })}</span>}
          <span class="muted">{h.org?.name}</span>
        </p>
      </div>
      {saved && <p class="alert info" role="status">{t('saved')}</p>}
      {!ed.editing && saveErr !== null && <ErrorBox error={saveErr} />}
      {ed.editing ? (
        <EditForm id="host-edit-h" cls="host-form" title={t('host_edit')} err={saveErr} busy={busy} version={h.version} onSubmit={save}
          onReload={async () => { setSaveErr(null); const x = await load(); if (x) ed.rebase(x); }} onCancel={() => { ed.stop(); setSaveErr(null); }}>
          <HostFields f={ed.f} set={ed.set} errors={errors} isNew={false} />
        </EditForm>
      ) : canWriteRegistry() && (
        <div class="actionbar">
          <button type="button" class="button primary" onClick={() => { ed.start(h); setSaved(false); setTimeout(() => document.getElementById('host-name')?.focus(), 0); }}>{t('host_edit')}</button>
          <span class="spacer" />
          {h.retired_at
            ? <button type="button" class="button secondary" id="host-reinstate" onClick={() => retire(false)}>{t('sys_reinstate')}</button>
            : <button type="button" class="button danger" id="host-retire" onClick={() => retire(true)}>{t('host_retire')}</button>}
          <span class="muted">{t('updated_at', { at: fmtDateTime(h.updated_at) })}</span>
        </div>
      )}
      <div class="inc-grid">
        <div>
          <Panel id="findings" title={t('findings_title')} count={open} actions={<a href={`#/findings`} class="small-link">{t('all_findings')}</a>}>
            {list.length === 0 ? <p class="muted">{t('host_no_findings')}</p> : (
              <FindingsTable items={list} now={now} showHost={false} onReload={load}
                onChanged={(x) => setFindings((l) => (l ?? list).map((y: any) => (y.id === x.id ? { ...y, ...x } : y)))} />
            )}
          </Panel>
          <Panel id="services" title={t('services')} count={services.length}>
            {services.length === 0 ? <p class="muted">{t('none')}</p> : (
              <div class="scroll-x">
                <table class="list compact services">
                  <thead><tr><th scope="col">{t('port')}</th><th scope="col">{t('service')}</th><th scope="col">{t('origin')}</th></tr></thead>
                  <tbody>
                    {services.map((s, i) => (
                      <tr key={i}>
                        <td class="mono nowrap">{s.port}/{s.proto}{s.address && <><br /><small class="muted">{s.address}</small></>}</td>
                        <td>{s.name} {[s.product, s.version].filter(Boolean).join(' ')}{s.cpe && <><br /><small class="muted mono">{s.cpe}</small></>}</td>
                        <td><small>{s.origin}{s.seen_at && <><br /><span class="muted nowrap">{fmtDateTime(s.seen_at)}</span></>}</small></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
          <Packages list={packages} />
        </div>
        <div>
          <Panel id="host" title={t('host_info')}>
            <DL rows={[
              [t('org'), h.org?.name],
              [t('system'), h.system ? <a href={`#/systems/${h.system.id}`}>{h.system.name}</a> : '—'],
              [t('addresses'), h.addresses],
              [t('host_role'), h.role],
              [t('f_os'), osText(h)],
              [t('os_kernel'), os.kernel],
              [t('agent'), h.agent ? t('yes') : t('no')],
              [t('last_seen'), fmtDateTime(h.last_seen_at)],
              [t('last_scan'), h.last_scan_at ? fmtDateTime(h.last_scan_at) : t('never')],
            ]} />
          </Panel>
          <Panel id="hotfixes" title={t('hotfixes')} count={hotfixes.length}>
            {hotfixes.length === 0 ? <p class="muted">{t('none')}</p> : <p class="tags">{hotfixes.map((k) => <span class="badge" key={k}>{k}</span>)}</p>}
          </Panel>
        </div>
      </div>
    </article>
  );
}
