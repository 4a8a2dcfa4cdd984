// Indicators of compromise (chỉ báo): the organisation's store with TLP 2.0
// labels, one indicator with its incidents and sightings, adding and editing
// (If-Match), and the exchange page: importing STIX/MISP/list/CSV/YARA files
// and exporting what the TLP rule lets go to a recipient (API.md, Indicators).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, del, get, getFile, patch, post } from '../../api';
import { t, type Key } from '../../i18n';
import { app, hasRole, orgTree } from '../../state';
import { go } from '../../router';
import { ErrorBox, Field, Loading, TlpBadge, fmtSize } from '../../components/ui';
import { type Done, FileDrop, ImportResults, KindRadios, useImport } from '../../components/FileImport';
import { ListState, PageHead } from '../../components/ListPage';
import { fmtDate, fmtDateTime, toUtcIso } from '../../time';
import {
  Crumbs, DL, FlashNotice, OrgSelect, Panel, RecordError, code, dateInput, flashNext, manyOrgs, scopeOrgs, splitList, useDraft, useEdit,
  useFlash, val,
} from './common';
import { CreateForm, useSubmit } from './forms';

export const IOC_KINDS = ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'sha256', 'sha1', 'md5', 'email', 'filename', 'yara', 'pattern'];
export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
const IMPORT_FORMATS = ['stix', 'misp', 'list', 'csv', 'yara'];
const EXPORT_FORMATS = ['stix', 'misp', 'csv'];

/** Who may add, change, import indicators (API.md: focal, coordinator, responder, admin). */
export const canWriteIoc = () => hasRole('focal', 'coordinator', 'responder', 'admin');
/** Who sees the indicator and hunt pages at all: the writers, and leaders who read. */
export const canReadIoc = () => hasRole('focal', 'coordinator', 'responder', 'admin', 'leader');

/** An organisation's name from the visible tree (share_with answers only {"code"}), else the code. */
const orgName = (c: string) => app.orgs?.find((o) => o.code === c)?.name ?? c;

export const tlpList = (): string[] => (app.meta?.tlp?.length ? app.meta.tlp : TLPS);
export const kindLabel = (k: string | null | undefined) => code('ioc_kind', k);

/** An indicator's kind as a small badge. */
export function KindBadge({ k }: { k: string | null | undefined }) {
  if (!k) return null;
  return <span class="badge ioc-kind">{kindLabel(k)}</span>;
}

/** The value of an indicator, cut short in lists (YARA rules and patterns are long). */
export function IocValue({ v, full }: { v: string | null | undefined; full?: boolean }) {
  const s = String(v ?? '');
  if (full) return <pre class="ioc-value">{s}</pre>;
  const first = s.split('\n')[0];
  const short = first.length > 90 ? `${first.slice(0, 90)}…` : first + (s.includes('\n') ? ' …' : '');
  return <code class="ioc-value" title={s.length > 90 || s.includes('\n') ? s.slice(0, 600) : undefined}>{short}</code>;
}

/** The tabs between the indicator pages. */
function IocTabs({ here }: { here: 'list' | 'new' | 'exchange' }) {
  const tabs: [string, string, Key, boolean][] = [
    ['list', '#/indicators', 'ioc_tab_list', true],
    ['new', '#/indicators/new', 'ioc_new', canWriteIoc()],
    ['exchange', '#/indicators/exchange', 'ioc_tab_exchange', true],
  ];
  return (
    <nav class="tabs" aria-label={t('indicators_title')}>
      {tabs.filter((x) => x[3]).map(([k, href, label]) => (
        <a key={k} href={href} class={here === k ? 'on' : ''} aria-current={here === k ? 'page' : undefined}>{t(label)}</a>
      ))}
    </nav>
  );
}

/** Sightings (where and when an indicator was seen): used by the indicator and hunt pages. */
export function SightingsTable({ items, showIndicator, hideHunt }: { items: any[]; showIndicator?: boolean; hideHunt?: boolean }) {
  if (!items.length) return <p class="muted">{t('no_sightings')}</p>;
  return (
    <div class="scroll-x">
      <table class="list cards-on-phone compact sightings">
        <thead>
          <tr>
            <th scope="col">{t('seen_at')}</th>
            {showIndicator && <th scope="col">{t('indicator')}</th>}
            <th scope="col">{t('org')}</th>
            <th scope="col">{t('host')}</th>
            <th scope="col">{t('where_seen')}</th>
            <th scope="col">{t('sighting_source')}</th>
            <th scope="col">{t('incident')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id}>
              <td data-label={t('seen_at')} class="nowrap">{fmtDateTime(s.seen_at ?? s.created_at)}</td>
              {showIndicator && (
                <td data-label={t('indicator')}>
                  {s.indicator?.id ? <a href={`#/indicators/${s.indicator.id}`}><IocValue v={s.indicator.value} /></a> : <IocValue v={s.indicator?.value} />}
                  {' '}<KindBadge k={s.indicator?.kind} />
                </td>
              )}
              <td data-label={t('org')}>{s.org?.name ?? s.org?.code ?? '—'}</td>
              <td data-label={t('host')}>{s.host ? <a href={`#/hosts/${s.host.id}`}>{s.host.hostname}</a> : <span class="muted">—</span>}</td>
              <td data-label={t('where_seen')}>{s.path ? <span class="mono small">{s.path}{s.line ? `:${s.line}` : ''}</span> : <span class="muted">—</span>}</td>
              <td data-label={t('sighting_source')}>
                {code('sighting_src', s.source)}
                {s.hunt && !hideHunt && <><br /><a href={`#/hunts/${s.hunt.id}`}>{s.hunt.title}</a></>}
              </td>
              <td data-label={t('incident')}>{s.incident ? <a href={`#/incidents/${s.incident.id}`} class="number">{s.incident.number}</a> : <span class="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------- the list

interface Filters { q: string; kind: string; tlp: string; tag: string; active: boolean; org: string }
const FILTERS_KEY = 'ungcuu.iocFilters';

/** The view: from the URL when it has one (a shared link, #/indicators?tag=…), else the last one of this tab. */
function readFilters(): Filters {
  const d: Filters = { q: '', kind: '', tlp: '', tag: '', active: false, org: '' };
  const h = location.hash.split('?')[1];
  if (h !== undefined) {
    const p = new URLSearchParams(h);
    return { q: p.get('q') ?? '', kind: p.get('kind') ?? '', tlp: p.get('tlp') ?? '', tag: p.get('tag') ?? '',
      active: p.get('active') === 'true', org: p.get('org') ?? '' };
  }
  try { return { ...d, ...JSON.parse(sessionStorage.getItem(FILTERS_KEY) ?? '{}') }; } catch { return d; }
}

function filterQuery(f: Filters): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.kind) p.set('kind', f.kind);
  if (f.tlp) p.set('tlp', f.tlp);
  if (f.tag.trim()) p.set('tag', f.tag.trim());
  if (f.active) p.set('active', 'true');
  if (f.org) p.set('org', f.org);
  p.set('limit', '100');
  return p.toString();
}

export function IndicatorList() {
  const [f, setF] = useState<Filters>(readFilters);
  const [q, setQ] = useState(f.q);
  const [tag, setTag] = useState(f.tag);
  const [items, setItems] = useState<any[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [more, setMore] = useState(false);
  const [flash] = useFlash();
  const set = (p: Partial<Filters>) => setF((o) => ({ ...o, ...p }));
  // Typing in the search box waits for a pause before asking the server.
  useEffect(() => { const h = setTimeout(() => { if (q !== f.q) set({ q }); }, 300); return () => clearTimeout(h); }, [q]);
  useEffect(() => { const h = setTimeout(() => { if (tag !== f.tag) set({ tag }); }, 500); return () => clearTimeout(h); }, [tag]);
  useEffect(() => {
    sessionStorage.setItem(FILTERS_KEY, JSON.stringify(f));
    // The view in the URL too, so it can be shared (replace: typing does not fill the history).
    const view = new URLSearchParams(filterQuery(f));
    view.delete('limit');
    const next = `${location.hash.split('?')[0]}${view.toString() ? `?${view}` : ''}`;
    if (location.hash !== next) history.replaceState(null, '', next);
    const ac = new AbortController();
    setError(null);
    get(`/api/v1/indicators?${filterQuery(f)}`, { signal: ac.signal }).then((r) => { setItems(r.items ?? []); setNext(r.next_cursor ?? null); }, (e) => {
      if ((e as Error)?.name !== 'AbortError') setError(e);
    });
    return () => ac.abort();
  }, [f.q, f.kind, f.tlp, f.tag, f.active, f.org]);
  const loadMore = async () => {
    if (!next) return;
    setMore(true);
    try {
      const r = await get(`/api/v1/indicators?${filterQuery(f)}&cursor=${encodeURIComponent(next)}`);
      setItems((l) => [...(l ?? []), ...(r.items ?? [])]);
      setNext(r.next_cursor ?? null);
    } catch (e) { setError(e); } finally { setMore(false); }
  };
  const filtered = !!(f.q || f.kind || f.tlp || f.tag || f.active || f.org);
  const now = Date.now();
  return (
    <section>
      <IocTabs here="list" />
      <PageHead title={t('indicators_title')} newHref={canWriteIoc() && '#/indicators/new'} newLabel={t('ioc_new')} />
      <p class="lead">{t('indicators_intro')}</p>
      <FlashNotice f={flash} />
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); set({ q, tag }); }}>
        <div class="field">
          <label for="if-q">{t('search')}</label>
          <input id="if-q" type="search" value={q} placeholder={t('ioc_search_ph')} onInput={(e) => setQ(val(e))} />
        </div>
        <div class="field">
          <label for="if-kind">{t('ioc_kind_l')}</label>
          <select id="if-kind" value={f.kind} onChange={(e) => set({ kind: val(e) })}>
            <option value="">{t('all')}</option>
            {IOC_KINDS.map((k) => <option key={k} value={k}>{kindLabel(k)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="if-tlp">TLP</label>
          <select id="if-tlp" value={f.tlp} onChange={(e) => set({ tlp: val(e) })}>
            <option value="">{t('all')}</option>
            {tlpList().map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="if-tag">{t('ioc_tag')}</label>
          <input id="if-tag" value={tag} onInput={(e) => setTag(val(e))} onChange={(e) => set({ tag: val(e) })} />
        </div>
        {manyOrgs() && <OrgSelect id="if-org" label={t('org')} value={f.org} onChange={(v) => set({ org: v })} all />}
        <label class="check field-inline">
          <input id="if-active" type="checkbox" checked={f.active} onChange={(e) => set({ active: (e.target as HTMLInputElement).checked })} />
          {t('ioc_active_only')}
        </label>
        {filtered && <button type="button" class="link" onClick={() => { setQ(''); setTag(''); setF({ q: '', kind: '', tlp: '', tag: '', active: false, org: '' }); }}>{t('clear_filters')}</button>}
      </form>
      <ListState items={items} error={error} empty={filtered ? t('iocs_none_match') : t('iocs_empty')}
        summary={<p class="summary" aria-live="polite">{t(next ? 'n_iocs_more' : 'n_iocs', { n: items?.length ?? 0 })}</p>}>{(items) => (
        <table class="list cards-on-phone indicators">
          <thead>
            <tr>
              <th scope="col">{t('indicator')}</th>
              <th scope="col">{t('ioc_kind_l')}</th>
              <th scope="col">TLP</th>
              <th scope="col">{t('ioc_tags')}</th>
              <th scope="col">{t('org')}</th>
              <th scope="col">{t('ioc_validity')}</th>
              <th scope="col">{t('sightings')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((x) => (
              <tr key={x.id} class={x.active === false ? 'inactive' : ''}>
                <td data-label={t('indicator')} class="title-cell">
                  <a href={`#/indicators/${x.id}`}><IocValue v={x.value} /></a>
                  {x.name && <><br /><small class="muted">{x.name}</small></>}
                </td>
                <td data-label={t('ioc_kind_l')}><KindBadge k={x.kind} /></td>
                <td data-label="TLP"><TlpBadge tlp={x.tlp} /></td>
                <td data-label={t('ioc_tags')}>{(x.tags ?? []).length ? <span class="tags">{x.tags.map((g: string) => <span class="badge tag" key={g}>{g}</span>)}</span> : <span class="muted">—</span>}</td>
                <td data-label={t('org')}>{x.org?.name ?? x.org?.code}</td>
                <td data-label={t('ioc_validity')}><Validity x={x} now={now} /></td>
                <td data-label={t('sightings')}>
                  {x.sightings ? <><strong>{x.sightings}</strong>{x.last_seen_at && <><br /><small class="muted">{fmtDateTime(x.last_seen_at)}</small></>}</> : <span class="muted">0</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}</ListState>
      {items && next && <p class="actions"><button type="button" class="button secondary" disabled={more} onClick={loadMore}>{more ? t('loading') : t('load_more')}</button></p>}
    </section>
  );
}

/** Active / expired / not for detection, with the end date. */
function Validity({ x, now }: { x: any; now: number }) {
  const expired = x.valid_until && Date.parse(x.valid_until) < now;
  const until = x.valid_until ? <small class="muted"> {t('until_d', { d: fmtDate(x.valid_until) })}</small> : null;
  if (x.active) return <span><span class="badge ioc-active">{t('ioc_active')}</span>{until}</span>;
  const why: Key = expired ? 'ioc_expired' : x.kind === 'pattern' ? 'ioc_pattern_only' : x.to_ids === false ? 'ioc_context' : 'ioc_inactive';
  return <span><span class="badge ioc-inactive">{t(why)}</span>{until}</span>;
}

// ------------------------------------------------------------ add and edit

interface IocForm {
  value: string; kind: string; tlp: string; name: string; description: string; source: string;
  confidence: string; to_ids: boolean; valid_until: string; tags: string; share: string[]; org_code: string;
  /** The incidents it came from (only on create: "add to the store" from an incident's observable). */
  incidents: { id: string; number: string }[];
}

function fromIoc(x: any): IocForm {
  return {
    value: x?.value ?? '', kind: x?.kind ?? '', tlp: x?.tlp ?? 'AMBER', name: x?.name ?? '', description: x?.description ?? '',
    source: x?.source ?? '', confidence: x?.confidence === null || x?.confidence === undefined ? '' : String(x.confidence),
    to_ids: x ? x.to_ids !== false : true, valid_until: dateInput(x?.valid_until), tags: (x?.tags ?? []).join(', '),
    share: (x?.share_with ?? []).map((o: any) => o.code).sort(), org_code: x?.org?.code ?? app.user?.org?.code ?? '',
    incidents: [],
  };
}

/** The POST/PATCH body: everything on create, only what changed on edit. */
function iocBody(f: IocForm, base: IocForm | null): any {
  const out: any = {};
  const ch = (k: keyof IocForm) => !base || JSON.stringify(base[k]) !== JSON.stringify(f[k]);
  if (!base) {
    out.value = f.value.trim();
    if (f.kind) out.kind = f.kind;
    if (f.org_code && f.org_code !== app.user?.org?.code) out.org_code = f.org_code;
    if (f.incidents.length) out.incident_ids = f.incidents.map((i) => i.id);
  }
  if (ch('tlp')) out.tlp = f.tlp;
  for (const k of ['name', 'description', 'source'] as const) if (ch(k) && (base || f[k].trim())) out[k] = f[k].trim();
  if (ch('confidence') && (base || f.confidence !== '')) out.confidence = f.confidence === '' ? null : Number(f.confidence);
  if (ch('to_ids') && (base || !f.to_ids)) out.to_ids = f.to_ids;
  if (ch('valid_until') && (base || f.valid_until)) out.valid_until = f.valid_until ? toUtcIso(f.valid_until, '23:59') : null;
  if (ch('tags') && (base || f.tags.trim())) out.tags = splitList(f.tags);
  // Naming organisations only means something for AMBER.
  if (f.tlp === 'AMBER' && (ch('share') || ch('tlp')) && (base || f.share.length)) out.share_with_codes = f.share;
  return out;
}

function ShareWith({ f, set, error }: { f: IocForm; set: (p: Partial<IocForm>) => void; error?: string }) {
  const own = f.org_code || app.user?.org?.code;
  const orgs = orgTree(app.orgs ?? []).filter(({ org }) => org.code !== own);
  const toggle = (c: string) => set({ share: f.share.includes(c) ? f.share.filter((x) => x !== c) : [...f.share, c].sort() });
  return (
    <fieldset class={`share-with${error ? ' has-error' : ''}`}>
      <legend>{t('ioc_share_with')}</legend>
      <p class="hint">{t('hint_share_with', { n: f.share.length })}</p>
      {error && <small class="field-error" role="alert">{error}</small>}
      <ul class="org-checks">
        {orgs.map(({ org, depth }) => (
          <li key={org.id} style={{ paddingLeft: `${depth * 1.25}rem` }}>
            <label class="check">
              <input type="checkbox" name="share" value={org.code} checked={f.share.includes(org.code)} onChange={() => toggle(org.code)} />
              {' '}{org.name} <small class="muted">{org.code}</small>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

/** What each TLP label means for this store, under the select. */
const TLP_HINT: Record<string, Key> = {
  CLEAR: 'tlp_hint_clear', GREEN: 'tlp_hint_green', AMBER: 'tlp_hint_amber', 'AMBER+STRICT': 'tlp_hint_amber_strict', RED: 'tlp_hint_red',
};

function IocFields({ f, set, errors, isNew }: { f: IocForm; set: (p: Partial<IocForm>) => void; errors: Record<string, string>; isNew: boolean }) {
  const long = f.kind === 'yara' || f.kind === 'pattern' || f.value.includes('\n') || /^\s*(rule|import|private rule|global rule)\b/.test(f.value);
  return (
    <>
      {isNew && f.incidents.length > 0 && (
        <p class="alert info from-incident">
          {t('ioc_from_incident')}{' '}
          {f.incidents.map((i, n) => <span key={i.id}>{n > 0 && ', '}<a href={`#/incidents/${i.id}`} class="number">{i.number}</a></span>)}{' '}
          <button type="button" class="link" onClick={() => set({ incidents: [] })}>{t('remove')}</button>
        </p>
      )}
      {isNew && (
        <>
          <Field id="ioc-value" label={t('ioc_value')} req error={errors['/value']} hint={t('hint_ioc_value')}>
            <textarea id="ioc-value" class="mono" required rows={long ? 10 : 2} spellcheck={false} value={f.value} onInput={(e) => set({ value: val(e) })} />
          </Field>
          <div class="grid2">
            <Field id="ioc-kind" label={t('ioc_kind_l')} error={errors['/kind']} hint={t('hint_ioc_kind')}>
              <select id="ioc-kind" value={f.kind} onChange={(e) => set({ kind: val(e) })}>
                <option value="">{t('ioc_kind_auto')}</option>
                {IOC_KINDS.map((k) => <option key={k} value={k}>{kindLabel(k)}</option>)}
              </select>
            </Field>
            {manyOrgs() ? <OrgSelect id="ioc-org" label={t('org')} value={f.org_code} onChange={(v) => set({ org_code: v, share: f.share.filter((c) => c !== v) })} required /> : <div />}
          </div>
        </>
      )}
      <div class="grid2">
        <Field id="ioc-tlp" label={t('tlp')} req error={errors['/tlp']} hint={TLP_HINT[f.tlp] ? t(TLP_HINT[f.tlp]) : undefined}>
          <select id="ioc-tlp" required value={f.tlp} onChange={(e) => set({ tlp: val(e) })}>
            {tlpList().map((k) => <option key={k} value={k}>TLP:{k}</option>)}
          </select>
        </Field>
        <Field id="ioc-name" label={t('ioc_name')} error={errors['/name']} hint={t('hint_ioc_name')}>
          <input id="ioc-name" maxLength={300} value={f.name} onInput={(e) => set({ name: val(e) })} />
        </Field>
      </div>
      {f.tlp === 'AMBER' && <ShareWith f={f} set={set} error={errors['/share_with_codes']} />}
      <Field id="ioc-description" label={t('ioc_description')} error={errors['/description']}>
        <textarea id="ioc-description" rows={3} value={f.description} onInput={(e) => set({ description: val(e) })} />
      </Field>
      <div class="grid2">
        <Field id="ioc-source" label={t('ioc_source')} error={errors['/source']} hint={t('hint_ioc_source')}>
          <input id="ioc-source" maxLength={300} value={f.source} onInput={(e) => set({ source: val(e) })} />
        </Field>
        <Field id="ioc-tags" label={t('ioc_tags')} error={errors['/tags']} hint={t('hint_ioc_tags')}>
          <input id="ioc-tags" value={f.tags} onInput={(e) => set({ tags: val(e) })} />
        </Field>
        <Field id="ioc-valid-until" label={t('ioc_valid_until')} error={errors['/valid_until']} hint={t('hint_ioc_valid_until')}>
          <input id="ioc-valid-until" type="date" value={f.valid_until} onInput={(e) => set({ valid_until: val(e) })} />
        </Field>
        <Field id="ioc-confidence" label={t('ioc_confidence')} error={errors['/confidence']} hint={t('hint_ioc_confidence')}>
          <input id="ioc-confidence" type="number" min={0} max={100} step={1} value={f.confidence} onInput={(e) => set({ confidence: val(e) })} />
        </Field>
      </div>
      <label class="check">
        <input id="ioc-to-ids" type="checkbox" checked={f.to_ids} onChange={(e) => set({ to_ids: (e.target as HTMLInputElement).checked })} />
        {t('ioc_to_ids')}
      </label>
      <small class="hint">{t('hint_ioc_to_ids')}</small>
    </>
  );
}

export function IndicatorNew() {
  const key = `ungcuu.iocNew.${app.user?.username ?? ''}`;
  const [f, set, clear] = useDraft<IocForm>(key, () => fromIoc(null));
  const { err, busy, errors, run } = useSubmit('.ioc-form');
  if (!canWriteIoc()) return <ErrorBox error={new ApiError(403, null, null)} />;
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const x = await post('/api/v1/indicators', iocBody(f, null));
      clear();
      // The same kind+value already existed here and was updated (200, version > 1).
      if (x?.version > 1) flashNext('ioc_existed');
      go(`/indicators/${x.id}`);
    });
  };
  return (
    <CreateForm nav={<IocTabs here="new" />} title={t('ioc_new')} intro={t('ioc_new_intro')} cls="ioc-form" err={err} busy={busy}
      submitLabel={t('ioc_create')} cancelHref="#/indicators" onCancel={clear} onSubmit={submit}>
      <IocFields f={f} set={set} errors={errors} isNew />
    </CreateForm>
  );
}

// ------------------------------------------------------------ one indicator

export function IndicatorPage({ id }: { id: string }) {
  const [x, setX] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [flash, setFlash] = useFlash();
  const [saveErr, setSaveErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDel, setConfirmDel] = useState(false);
  const ed = useEdit<IocForm>(`ungcuu.iocEdit.${id}`, fromIoc);
  const errors = useMemo(() => (saveErr instanceof ApiError ? saveErr.fields() : {}), [saveErr]);
  const url = `/api/v1/indicators/${encodeURIComponent(id)}`;
  const load = () => get(url).then((r) => { setX(r); setError(null); return r; }, (e) => { setError(e); return null; });
  useEffect(() => { void load(); }, [id]);
  if (error && !x) return <ErrorBox error={error}><p><a href="#/indicators">{t('back_to_iocs')}</a></p></ErrorBox>;
  if (!x) return <Loading />;
  const mine = scopeOrgs().some((o) => o.code === x.org?.code);
  // A copy another instance shared (issue 16): only its originator edits it.
  const mirrored: string | null = x.mirrored_from ?? null;
  const writable = canWriteIoc() && mine && !mirrored;
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setSaveErr(null); setFlash(null);
    try {
      const body = iocBody(ed.f, ed.base);
      if (Object.keys(body).length) {
        const r = await patch(url, body, { ifMatch: x.version });
        setX({ ...x, ...r, sightings_list: r.sightings_list ?? x.sightings_list });
      }
      ed.stop();
      setFlash({ key: 'saved' });
    } catch (err) {
      setSaveErr(err);
      setTimeout(() => document.querySelector<HTMLElement>('.ioc-form .alert.error')?.focus(), 0);
    } finally { setBusy(false); }
  };
  const reloadKeep = async () => {
    const r = await load();
    if (r) { ed.rebase(r); setSaveErr(null); }
  };
  const remove = async () => {
    setBusy(true); setSaveErr(null);
    try {
      await del(url, { ifMatch: x.version });
      flashNext('ioc_deleted');
      go('/indicators');
    } catch (err) { setSaveErr(err); setConfirmDel(false); } finally { setBusy(false); }
  };
  const sightings: any[] = x.sightings_list ?? [];
  const incidents: any[] = x.incidents ?? [];
  // The STIX objects this record stands for, one per producer (GET only).
  const stix: any[] = x.stix_objects ?? [];
  return (
    <article>
      <Crumbs items={[[t('indicators_title'), '#/indicators'], [x.name || kindLabel(x.kind), null]]} />
      <h1 class="rec-title">{x.name ? x.name : <IocValue v={x.value} />}</h1>
      <p class="badges">
        <TlpBadge tlp={x.tlp} />
        <KindBadge k={x.kind} />
        <Validity x={x} now={Date.now()} />
        <span class="muted">{x.org?.name}</span>
        {!mine && <span class="badge">{t('ioc_shared_to_us')}</span>}
      </p>
      {mirrored && <p class="alert info mirrored-from" role="note">{t('ioc_mirrored_from', { peer: mirrored })}</p>}
      <FlashNotice f={flash} />
      {!ed.editing && saveErr ? <RecordError error={saveErr} onReload={() => { setSaveErr(null); void load(); }} /> : null}
      <div class="inc-grid">
        <div>
          {ed.editing && !mirrored ? (
            <form class="panel ioc-form" onSubmit={save}>
              <h2>{t('ioc_edit')}</h2>
              <RecordError error={saveErr} onReload={reloadKeep} />
              <IocFields f={ed.f} set={ed.set} errors={errors} isNew={false} />
              <div class="actions">
                <button type="submit" class="button primary" disabled={busy}>{busy ? t('sending') : t('save')}</button>
                <button type="button" class="button secondary" onClick={() => { ed.stop(); setSaveErr(null); }}>{t('cancel')}</button>
              </div>
            </form>
          ) : (
            <Panel id="ioc" title={t('indicator')} actions={writable && (
              <span class="actions">
                <button type="button" class="button secondary small" onClick={() => { ed.start(x); setSaveErr(null); setFlash(null); }}>{t('ioc_edit')}</button>
                {!confirmDel && <button type="button" class="button danger small" onClick={() => setConfirmDel(true)}>{t('ioc_delete')}</button>}
              </span>
            )}>
              {confirmDel && (
                <div class="alert error confirm-del" role="alertdialog" aria-labelledby="del-q">
                  <p id="del-q">{t('ioc_delete_q')}</p>
                  <div class="actions">
                    <button type="button" class="button danger" disabled={busy} onClick={remove}>{t('ioc_delete_yes')}</button>
                    <button type="button" class="button secondary" onClick={() => setConfirmDel(false)}>{t('cancel')}</button>
                  </div>
                </div>
              )}
              <IocValue v={x.value} full />
              {x.description && <p class="prewrap description">{x.description}</p>}
              <DL rows={[
                [t('ioc_kind_l'), kindLabel(x.kind)],
                [t('ioc_name'), x.name],
                [t('ioc_source'), x.source],
                [t('ioc_file_name'), x.file_name],
                [t('ioc_pattern_type'), x.pattern_type],
                [t('ioc_why'), x.why],
                [t('ioc_confidence'), x.confidence === null || x.confidence === undefined ? '—' : `${x.confidence}/100`],
                [t('ioc_to_ids_short'), x.to_ids ? t('yes') : t('no')],
                [t('ioc_valid_from'), fmtDateTime(x.valid_from)],
                [t('ioc_valid_until'), x.valid_until ? fmtDateTime(x.valid_until) : t('ioc_no_end')],
                [t('ioc_tags'), (x.tags ?? []).length ? <span class="tags">{x.tags.map((g: string) => <a class="badge tag" key={g} href={`#/indicators?tag=${encodeURIComponent(g)}`}>{g}</a>)}</span> : '—'],
                [t('ioc_related'), (x.related ?? []).map((r: any) => `${r.name} (${r.type})`)],
                [t('ioc_share_with'), x.tlp === 'AMBER' ? (x.share_with ?? []).map((o: any) => o.name ?? orgName(o.code)) : '—'],
                [t('org'), x.org?.name],
                [t('ioc_created'), fmtDateTime(x.created_at)],
                [t('ioc_updated'), `${fmtDateTime(x.updated_at)} · ${t('version_n', { n: x.version })}`],
              ]} />
            </Panel>
          )}
          <Panel id="sightings" title={t('sightings')} count={x.sightings ?? sightings.length}>
            <SightingsTable items={sightings} />
          </Panel>
        </div>
        <div>
          <Panel id="incidents" title={t('ioc_incidents')} count={incidents.length}>
            {incidents.length === 0 ? <p class="muted">{t('none')}</p> : (
              <ul class="plain">
                {incidents.map((i) => <li key={i.id}><a href={`#/incidents/${i.id}`}><span class="number">{i.number}</span> {i.title}</a></li>)}
              </ul>
            )}
          </Panel>
          <Panel id="last-seen" title={t('ioc_last_seen')}>
            <p>{x.last_seen_at ? fmtDateTime(x.last_seen_at) : <span class="muted">{t('never')}</span>}</p>
          </Panel>
          {stix.length > 0 && (
            <Panel id="stix-objects" title={t('ioc_stix_objects')} count={stix.length}>
              <p class="hint">{t('ioc_stix_objects_hint')}</p>
              <ul class="plain stix-objects">
                {stix.map((o) => (
                  <li key={o.id}>
                    <strong>{o.producer ?? t('ioc_producer_unknown')}</strong>
                    <br /><span class="mono small">{o.id}</span>
                    <br /><span class="muted small">{t('ioc_stix_times', { created: o.created, modified: o.modified })}</span>
                  </li>
                ))}
              </ul>
            </Panel>
          )}
        </div>
      </div>
    </article>
  );
}

// ------------------------------------------------------- import and export

/** A guess at the format from the file's first bytes and name. */
function sniff(name: string, head: string): string | null {
  if (/\.ya?r$/i.test(name) || /^\s*(import\s+"|(private\s+|global\s+)*rule\s+\w+)/m.test(head)) return 'yara';
  if (/"type"\s*:\s*"bundle"|"spec_version"\s*:\s*"2\.1"/.test(head)) return 'stix';
  if (/"Event"\s*:|"Attribute"\s*:|"threat_level_id"/.test(head)) return 'misp';
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(txt|list)$/i.test(name)) return 'list';
  return null;
}

/** What a MISP import kept besides the indicators (the answer's misp part). */
function mispRows(m: Record<string, number> | undefined): [string, string][] {
  if (!m) return [];
  const n = (k: string) => Number(m[k] ?? 0).toLocaleString('vi-VN');
  const rows: [string, string][] = [
    [t('ioc_misp_events'), n('events')],
    [t('ioc_misp_attributes'), n('attributes')],
    [t('ioc_misp_context'), n('context')],
  ];
  if (m.objects) rows.push([t('ioc_misp_objects'), n('objects')]);
  if (m.sightings) rows.push([t('ioc_misp_sightings'), n('sightings')]);
  if (m.tlp_collapsed) rows.push([t('ioc_misp_tlp_collapsed'), n('tlp_collapsed')]);
  return rows;
}

function ImportResult({ d }: { d: Done }) {
  const r = d.result ?? {};
  const n = (k: string) => Number(r[k] ?? 0).toLocaleString('vi-VN');
  const kept: any[] = r.kept ?? [];
  return (
    <>
      <DL rows={[
        [t('im_records'), n('records')],
        [t('im_created'), n('created')],
        [t('im_updated'), n('updated')],
        [t('ioc_unconverted'), n('unconverted')],
        ...(r.revoked ? [[t('ioc_revoked'), n('revoked')] as [string, string]] : []),
        ...(r.superseded ? [[t('ioc_superseded'), n('superseded')] as [string, string]] : []),
        // MISP: what is no indicator is kept as context (the misp rows say so).
        ...(r.skipped && !r.misp ? [[t('ioc_skipped'), n('skipped')] as [string, string]] : []),
        ...(r.sightings ? [[t('ioc_new_sightings'), n('sightings')] as [string, string]] : []),
        ...(r.mirrored ? [[t('ioc_import_mirrored'), n('mirrored')] as [string, string]] : []),
        ...mispRows(r.misp),
      ]} />
      {(r.mirrored_items ?? []).length > 0 && (
        <ul class="plain kept mirrored">
          {r.mirrored_items.map((k: any, i: number) => <li key={`m-${i}`}><code>{k.value}</code> — {k.why}</li>)}
        </ul>
      )}
      {kept.length > 0 && (
        <>
          <h3>{t('ioc_kept_title', { n: kept.length })}</h3>
          <p class="hint">{t('ioc_kept_hint')}</p>
          <ul class="plain kept">
            {kept.map((k, i) => <li key={`${k.id}-${i}`}><code>{k.id}</code> — {k.why}</li>)}
          </ul>
        </>
      )}
      <p class="actions"><a href="#/indicators">{t('ioc_see_list')}</a></p>
    </>
  );
}

function ImportPanel() {
  const [tlp, setTlp] = useState('AMBER');
  const [org, setOrg] = useState(app.user?.org?.code ?? '');
  const im = useImport(IMPORT_FORMATS, sniff, 'ioc-im');
  const submit = (e: Event) => {
    e.preventDefault();
    void im.send(t('ioc_pick_format'), {}, (file) => {
      const p = new URLSearchParams({ name: file.name, tlp });
      if (org && org !== app.user?.org?.code) p.set('org', org);
      const format = im.kind;
      const type = format === 'stix' || format === 'misp' ? 'application/json' : format === 'csv' ? 'text/csv' : 'text/plain';
      return post(`/api/v1/indicators/import/${format}?${p}`, undefined, { raw: file, headers: { 'Content-Type': type } });
    });
  };
  return (
    <>
      <form class="panel ioc-import" onSubmit={submit} aria-labelledby="h-ioc-import">
        <h2 id="h-ioc-import">{t('ioc_import')}</h2>
        <p class="hint">{t('ioc_import_intro')}</p>
        <KindRadios legend={t('ioc_format')} name="ioc-format" kinds={IMPORT_FORMATS} value={im.kind} onPick={im.pick}
          label={(k) => [t(`fmt_${k}` as Key), t(`fmt_${k}_hint` as Key)]} />
        <div class="grid2">
          <Field id="ioc-im-tlp" label={t('ioc_default_tlp')} hint={t('hint_default_tlp')}>
            <select id="ioc-im-tlp" value={tlp} onChange={(e) => setTlp(val(e))}>
              {tlpList().map((k) => <option key={k} value={k}>TLP:{k}</option>)}
            </select>
          </Field>
          {manyOrgs() ? <OrgSelect id="ioc-im-org" label={t('ioc_owner_org')} value={org} onChange={setOrg} required /> : <div />}
        </div>
        <FileDrop id="ioc-im-file" file={im.file} onFile={im.choose} hint={t('ioc_im_limit')} />
        {im.local && <p class="alert error" role="alert">{im.local}</p>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={im.busy}>{im.busy ? t('im_uploading') : t('ioc_import_btn')}</button>
        </div>
      </form>
      <ImportResults done={im.done} idPrefix="ioc-im" kindLabel={(k) => t(`fmt_${k}` as Key)}
        texts={{ 400: 'im_bad_file', 422: 'ioc_bad_file', 413: 'err_413', 403: 'im_forbidden' }}>{(d) => <ImportResult d={d} />}</ImportResults>
    </>
  );
}

/** The file name from Content-Disposition (filename*=UTF-8'' first), else ours. */
function dispositionName(h: string | null, fallback: string): string {
  if (!h) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(h);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(h);
  return plain ? plain[1].trim() : fallback;
}

function ExportPanel() {
  const [format, setFormat] = useState('stix');
  const [to, setTo] = useState('');
  const [tag, setTag] = useState('');
  const [kind, setKind] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [res, setRes] = useState<{ name: string; exported: string | null; withheld: string | null; context: number; size: number } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setErr(null); setRes(null);
    const p = new URLSearchParams();
    if (to) p.set('to', to);
    if (tag.trim()) p.set('tag', tag.trim());
    if (kind) p.set('kind', kind);
    const qs = p.toString();
    try {
      const { blob, headers } = await getFile(`/api/v1/indicators/export/${format}${qs ? `?${qs}` : ''}`);
      const ext = format === 'csv' ? 'csv' : 'json';
      const name = dispositionName(headers.get('Content-Disposition'), `ungcuu-indicators-${format}${to ? `-${to}` : ''}.${ext}`);
      const href = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = href; a.download = name; a.style.display = 'none';
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
      // X-Withheld counts the context-only records STIX leaves out too
      // (X-Withheld-Context): shown apart from the TLP rule's.
      const context = Number(headers.get('X-Withheld-Context') ?? 0) || 0;
      const w = headers.get('X-Withheld');
      setRes({ name, exported: headers.get('X-Exported'), withheld: w === null ? null : String(Number(w) - context),
        context, size: blob.size });
    } catch (x) { setErr(x); } finally { setBusy(false); }
  };
  const orgs = orgTree(app.orgs ?? []);
  return (
    <form class="panel ioc-export" onSubmit={submit} aria-labelledby="h-ioc-export">
      <h2 id="h-ioc-export">{t('ioc_export')}</h2>
      <p class="hint">{t('ioc_export_intro')}</p>
      <div class="grid2">
        <Field id="ioc-ex-format" label={t('ioc_format')}>
          <select id="ioc-ex-format" value={format} onChange={(e) => setFormat(val(e))}>
            {EXPORT_FORMATS.map((k) => <option key={k} value={k}>{t(`fmt_${k}` as Key)}</option>)}
          </select>
        </Field>
        <Field id="ioc-ex-to" label={t('ioc_recipient')} hint={t('hint_ioc_recipient')}>
          <select id="ioc-ex-to" value={to} onChange={(e) => setTo(val(e))}>
            <option value="">{t('ioc_outside')}</option>
            {orgs.map(({ org, depth }) => <option key={org.id} value={org.code}>{'\u00a0\u00a0'.repeat(depth)}{org.name}</option>)}
          </select>
        </Field>
        <Field id="ioc-ex-tag" label={t('ioc_tag')}>
          <input id="ioc-ex-tag" value={tag} onInput={(e) => setTag(val(e))} />
        </Field>
        <Field id="ioc-ex-kind" label={t('ioc_kind_l')}>
          <select id="ioc-ex-kind" value={kind} onChange={(e) => setKind(val(e))}>
            <option value="">{t('all')}</option>
            {IOC_KINDS.map((k) => <option key={k} value={k}>{kindLabel(k)}</option>)}
          </select>
        </Field>
      </div>
      <ErrorBox error={err} />
      {res && (
        <p class="alert info export-result" role="status">
          {t('ioc_exported', { name: res.name, size: fmtSize(res.size) })}{' '}
          <strong>{t('ioc_exported_n', { n: res.exported ?? '?' })}</strong>
          {res.withheld !== null && <>{' · '}<strong class={Number(res.withheld) > 0 ? 'soon' : ''}>{t('ioc_withheld_n', { n: res.withheld })}</strong></>}
          {res.context > 0 && <>{' · '}<strong class="soon">{t('ioc_context_n', { n: String(res.context) })}</strong></>}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>{busy ? t('loading') : t('ioc_export_btn')}</button>
      </div>
    </form>
  );
}

export function IndicatorExchange() {
  return (
    <section class="narrow">
      <IocTabs here="exchange" />
      <h1>{t('ioc_exchange_title')}</h1>
      <p class="lead">{t('ioc_exchange_intro')}</p>
      {canWriteIoc() ? <ImportPanel /> : <p class="muted">{t('ioc_import_roles')}</p>}
      <ExportPanel />
    </section>
  );
}
