// Imports: a focal point uploads a scanner report (nmap, OpenVAS) or a
// Windows inventory (packaging/windows/collect.ps1) for their organisation;
// coordinators and admins also load vulnerability feeds (OSV, NVD, KEV).
import { useRef, useState } from 'preact/hooks';
import { ApiError, post } from '../../api';
import { t, type Key } from '../../i18n';
import { app } from '../../state';
import { ErrorBox, fmtSize } from '../../components/ui';
import { fmtDateTime } from '../../time';
import { DL, OrgSelect, Panel, canImportFeeds, canWriteRegistry, manyOrgs } from './common';

const SCANS = ['nmap', 'openvas', 'windows-inventory'];
const FEEDS = ['osv', 'nvd', 'kev'];
const MAX = 64 * 1024 * 1024;

interface Done { kind: string; name: string; org: string; at: number; result?: any; error?: unknown }

/** A guess at the kind from the first bytes, so a person rarely has to choose. */
function sniff(head: string): string | null {
  if (/<nmaprun/.test(head)) return 'nmap';
  if (/<report|<get_reports_response|openvas/i.test(head)) return 'openvas';
  if (/ungcuu-windows\/|Deployment Image Servicing/i.test(head)) return 'windows-inventory';
  if (/catalogVersion|knownransomwarecampaignuse|cveID/i.test(head)) return 'kev';
  if (/"resultsPerPage"|"cve"\s*:\s*\{|CVE_Items/.test(head)) return 'nvd';
  if (/"affected"\s*:|"schema_version"/.test(head)) return 'osv';
  return null;
}

const orgName = (code: string) => app.orgs?.find((o) => o.code === code)?.name ?? code;

function Result({ d }: { d: Done }) {
  const r = d.result ?? {};
  const n = (k: string) => (r[k] ?? 0).toLocaleString('vi-VN');
  let rows: [string, any][];
  if (d.kind === 'windows-inventory') {
    rows = [
      [t('hostname'), r.host_id ? <a href={`#/hosts/${r.host_id}`}>{r.hostname || r.host_id}</a> : r.hostname],
      [t('im_host_created'), r.created ? t('yes') : t('no')],
      [t('packages'), n('packages')],
      [t('im_opened'), n('opened')],
    ];
  } else if (FEEDS.includes(d.kind)) {
    rows = [[t('im_records'), n('records')], [t('im_created'), n('created')], [t('im_updated'), n('updated')], [t('im_opened'), n('opened')], [t('im_closed'), n('closed')]];
  } else {
    rows = [[t('org'), orgName(r.org_code ?? d.org)], [t('im_hosts'), n('hosts')], [t('im_findings'), n('findings')], [t('im_opened'), n('opened')], [t('im_closed'), n('closed')]];
  }
  return (
    <>
      <DL rows={rows} />
      <p class="actions">
        {!FEEDS.includes(d.kind) && <a href="#/hosts">{t('hosts_title')}</a>}
        <a href="#/findings">{t('findings_title')}</a>
      </p>
    </>
  );
}

export function ImportsPage() {
  const feeds = canImportFeeds();
  const kinds = [...SCANS, ...(feeds ? FEEDS : [])];
  const [kind, setKind] = useState('');
  const [picked, setPicked] = useState(false);
  const [org, setOrg] = useState(app.user?.org?.code ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [local, setLocal] = useState<string | null>(null);
  const [done, setDone] = useState<Done[]>([]);
  const input = useRef<HTMLInputElement>(null);

  if (!canWriteRegistry()) return <ErrorBox error={new ApiError(403, null, null)} />;

  const choose = async (f: File | null) => {
    setLocal(null);
    setFile(f);
    if (!f || picked) return;
    try {
      const head = await f.slice(0, 4096).text();
      const k = sniff(head);
      if (k && kinds.includes(k)) setKind(k);
    } catch { /* the person picks the kind */ }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setLocal(null);
    if (!file) { setLocal(t('im_pick_file')); return; }
    if (!kind) { setLocal(t('im_pick_kind')); return; }
    if (file.size > MAX) { setLocal(t('im_too_big', { size: fmtSize(file.size) })); return; }
    const p = new URLSearchParams();
    if (SCANS.includes(kind) && org) p.set('org', org);
    p.set('name', file.name);
    setBusy(true);
    const d: Done = { kind, name: file.name, org, at: Date.now() };
    try {
      const type = file.type || (/\.xml$/i.test(file.name) ? 'application/xml' : /\.json$/i.test(file.name) ? 'application/json' : 'application/octet-stream');
      d.result = await post(`/api/v1/imports/${kind}?${p}`, undefined, { raw: file, headers: { 'Content-Type': type } });
      setFile(null);
      if (input.current) input.current.value = '';
    } catch (x) {
      d.error = x;
    } finally {
      setBusy(false);
      setDone((l) => [d, ...l].slice(0, 10));
      setTimeout(() => document.getElementById('im-last')?.focus(), 0);
    }
  };

  return (
    <section class="narrow">
      <h1>{t('imports_title')}</h1>
      <p class="lead">{t('imports_intro')}</p>
      <form class="panel import-form" onSubmit={submit}>
        <fieldset class="radios">
          <legend>{t('im_kind')}<span class="req" aria-hidden="true"> *</span></legend>
          {kinds.map((k) => (
            <label class="check" key={k}>
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => { setKind(k); setPicked(true); }} />
              <span><strong>{t(`im_${k.replace('-', '_')}` as Key)}</strong> <small class="muted">{t(`im_${k.replace('-', '_')}_hint` as Key)}</small></span>
            </label>
          ))}
        </fieldset>
        {SCANS.includes(kind || 'nmap') && manyOrgs() && (
          <OrgSelect id="im-org" label={t('im_org')} value={org} onChange={setOrg} required />
        )}
        <div class="field">
          <span class="label-like" id="im-file-label">{t('im_file')}<span class="req" aria-hidden="true"> *</span></span>
          <div class={`dropzone${over ? ' over' : ''}`}
            onDragOver={(e) => { e.preventDefault(); setOver(true); }}
            onDragLeave={() => setOver(false)}
            onDrop={(e) => { e.preventDefault(); setOver(false); void choose(e.dataTransfer?.files?.[0] ?? null); }}>
            <p>{t('im_drop')}</p>
            <label for="im-file" class="button secondary">{t('im_choose')}</label>
            <input id="im-file" ref={input} type="file" class="visually-hidden" accept=".xml,.json,.txt,.csv,application/xml,application/json,text/plain"
              aria-describedby="im-file-label" onChange={(e) => void choose((e.target as HTMLInputElement).files?.[0] ?? null)} />
            {file && <p class="picked"><strong>{file.name}</strong> <span class="muted">{fmtSize(file.size)}</span></p>}
          </div>
          <small class="hint">{t('im_limit')}</small>
        </div>
        {local && <p class="alert error" role="alert">{local}</p>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>{busy ? t('im_uploading') : t('upload')}</button>
        </div>
      </form>
      {done.map((d, i) => (
        <section key={d.at} id={i === 0 ? 'im-last' : undefined} tabIndex={-1} class={`panel im-result ${d.error ? 'failed' : 'ok-border'}`}
          aria-labelledby={`im-h-${d.at}`} role={i === 0 ? 'status' : undefined}>
          <h2 id={`im-h-${d.at}`}>{d.error ? t('im_failed', { name: d.name }) : t('im_ok', { name: d.name })}</h2>
          <p class="muted">{t(`im_${d.kind.replace('-', '_')}` as Key)} · {fmtDateTime(d.at)}</p>
          {d.error ? <ErrorBox error={d.error} texts={{ 400: 'im_bad_file', 422: 'im_bad_file', 403: 'im_forbidden' }} /> : <Result d={d} />}
        </section>
      ))}
      {!feeds && <p class="muted">{t('im_feeds_roles')}</p>}
      <Panel id="im-help" title={t('im_help')}>
        <ul class="plain-list">
          <li>{t('im_help_nmap')}</li>
          <li>{t('im_help_windows')}</li>
          <li>{t('im_help_openvas')}</li>
        </ul>
      </Panel>
    </section>
  );
}
