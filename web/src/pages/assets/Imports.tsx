// Imports: a focal point uploads a scanner report (nmap, OpenVAS) or a
// Windows inventory (packaging/windows/collect.ps1) for their organisation;
// coordinators and admins also load vulnerability feeds (OSV, NVD, KEV).
import { useState } from 'preact/hooks';
import { ApiError, post } from '../../api';
import { t, type Key } from '../../i18n';
import { app } from '../../state';
import { ErrorBox } from '../../components/ui';
import { type Done, FileDrop, ImportResults, KindRadios, useImport } from '../../components/FileImport';
import { DL, OrgSelect, Panel, canImportFeeds, canWriteRegistry, manyOrgs } from './common';

const SCANS = ['nmap', 'openvas', 'windows-inventory'];
const FEEDS = ['osv', 'nvd', 'kev'];

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
    rows = [[t('org'), orgName(r.org_code ?? d.org ?? '')], [t('im_hosts'), n('hosts')], [t('im_findings'), n('findings')], [t('im_opened'), n('opened')], [t('im_closed'), n('closed')]];
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
  const [org, setOrg] = useState(app.user?.org?.code ?? '');
  const im = useImport(kinds, (_name, head) => sniff(head), 'im');

  if (!canWriteRegistry()) return <ErrorBox error={new ApiError(403, null, null)} />;

  const submit = (e: Event) => {
    e.preventDefault();
    void im.send(t('im_pick_kind'), { org }, (file) => {
      const p = new URLSearchParams();
      if (SCANS.includes(im.kind) && org) p.set('org', org);
      p.set('name', file.name);
      const type = file.type || (/\.xml$/i.test(file.name) ? 'application/xml' : /\.json$/i.test(file.name) ? 'application/json' : 'application/octet-stream');
      return post(`/api/v1/imports/${im.kind}?${p}`, undefined, { raw: file, headers: { 'Content-Type': type } });
    });
  };
  const kindKey = (k: string) => `im_${k.replace('-', '_')}`;

  return (
    <section class="narrow">
      <h1>{t('imports_title')}</h1>
      <p class="lead">{t('imports_intro')}</p>
      <form class="panel import-form" onSubmit={submit}>
        <KindRadios legend={t('im_kind')} name="kind" kinds={kinds} value={im.kind} onPick={im.pick}
          label={(k) => [t(kindKey(k) as Key), t(`${kindKey(k)}_hint` as Key)]} />
        {SCANS.includes(im.kind || 'nmap') && manyOrgs() && (
          <OrgSelect id="im-org" label={t('im_org')} value={org} onChange={setOrg} required />
        )}
        <FileDrop id="im-file" file={im.file} onFile={im.choose} hint={t('im_limit')}
          accept=".xml,.json,.txt,.csv,application/xml,application/json,text/plain" />
        {im.local && <p class="alert error" role="alert">{im.local}</p>}
        <div class="actions">
          <button type="submit" class="button primary" disabled={im.busy}>{im.busy ? t('im_uploading') : t('upload')}</button>
        </div>
      </form>
      <ImportResults done={im.done} idPrefix="im" kindLabel={(k) => t(kindKey(k) as Key)}
        texts={{ 400: 'im_bad_file', 422: 'im_bad_file', 403: 'im_forbidden' }}>{(d) => <Result d={d} />}</ImportResults>
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
