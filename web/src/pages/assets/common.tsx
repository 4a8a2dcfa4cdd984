// Pieces shared by the registry, findings, warnings, compliance and import
// pages (loaded on demand: none of this is in the first download).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { t, tryT, type Key } from '../../i18n';
import { app, hasRole, lbl, orgTree, type Org } from '../../state';
import { ErrorBox, durationText } from '../../components/ui';
import { fmtDate, fmtDateTime } from '../../time';

export const val = (e: Event) => (e.target as HTMLInputElement).value;

/** Who may change the registry, accept a finding's risk or upload a scan (API.md). */
export const canWriteRegistry = () => hasRole('focal', 'coordinator', 'admin');
/** Vulnerability feeds (OSV, NVD, KEV). */
export const canImportFeeds = () => hasRole('admin', 'coordinator');
/** Issue an authority warning. */
export const canIssueWarning = () => hasRole('coordinator');
/** Acknowledge a warning / report it fixed, for the caller's own organisation. */
export const canAnswerWarning = () => hasRole('focal', 'coordinator');

export const SEVERITIES = ['critical', 'high', 'medium', 'low'];
export const INFO_TYPES = ['public', 'private', 'personal', 'state_secret'];
export const FUNCTIONS = ['internal', 'citizen_facing', 'infrastructure', 'ics', 'other'];

/** A label from the catalogue for a run-time key (`info_type.public`), else the code itself. */
export function code(group: string, c: string | null | undefined): string {
  if (!c) return '';
  return tryT(`${group}.${c}`) ?? c;
}

export const dash = (v: unknown): string =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) ? '—' : Array.isArray(v) ? v.join(', ') : String(v);

/** A comma- or line-separated list typed by a person → trimmed non-empty items. */
export function splitList(s: string, alsoSpaces = false): string[] {
  return s.split(alsoSpaces ? /[\s,;]+/ : /[\n,;]+/).map((x) => x.trim()).filter(Boolean);
}

export function DL({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="dl">
      {rows.map(([k, v]) => (
        <div key={k}><dt>{k}</dt><dd>{typeof v === 'string' || typeof v === 'number' || v === null || v === undefined || Array.isArray(v) ? dash(v) : v}</dd></div>
      ))}
    </dl>
  );
}

export function Panel({ title, id, children, count, actions }: { title: string; id: string; children: ComponentChildren; count?: number; actions?: ComponentChildren }) {
  return (
    <section class="panel" aria-labelledby={`h-${id}`}>
      <div class="panel-head">
        <h2 id={`h-${id}`}>{title}{count !== undefined && <span class="count">{count}</span>}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** The sub-navigation between the registry's two lists. */
export function RegistryTabs({ here }: { here: 'systems' | 'hosts' }) {
  return (
    <nav class="tabs" aria-label={t('registry')}>
      <a href="#/systems" class={here === 'systems' ? 'on' : ''} aria-current={here === 'systems' ? 'page' : undefined}>{t('systems_title')}</a>
      <a href="#/hosts" class={here === 'hosts' ? 'on' : ''} aria-current={here === 'hosts' ? 'page' : undefined}>{t('hosts_title')}</a>
    </nav>
  );
}

export function Crumbs({ items }: { items: [string, string | null][] }) {
  return (
    <nav class="crumbs" aria-label={t('breadcrumb')}>
      {items.map(([label, href], i) => (
        <span key={i}>{i > 0 && ' › '}{href ? <a href={href}>{label}</a> : label}</span>
      ))}
    </nav>
  );
}

/** An organisation <select> over the visible tree (indented), "all" first unless required. */
export function OrgSelect({ id, label, value, onChange, all, required, orgs }: {
  id: string; label: string; value: string; onChange: (v: string) => void; all?: boolean; required?: boolean; orgs?: Org[];
}) {
  return (
    <div class="field">
      <label for={id}>{label}{required && <span class="req" aria-hidden="true"> *</span>}</label>
      <select id={id} value={value} required={required} onChange={(e) => onChange(val(e))}>
        {all ? <option value="">{t('all')}</option> : !value && <option value="">{t('choose')}</option>}
        {orgTree(orgs ?? scopeOrgs()).map(({ org, depth }) => (
          <option key={org.id} value={org.code}>{'\u00a0\u00a0'.repeat(depth)}{org.name}</option>
        ))}
      </select>
    </div>
  );
}

/** The caller's own organisation and everything below it: what the registry pages can show and write. */
export function scopeOrgs(): Org[] {
  const all = app.orgs ?? [];
  const own = app.user?.org?.id;
  if (!own || !all.some((o) => o.id === own)) return all;
  const keep = new Set<string>([own]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of all) if (o.parent_id && keep.has(o.parent_id) && !keep.has(o.id)) { keep.add(o.id); grew = true; }
  }
  return all.filter((o) => keep.has(o.id));
}

export const manyOrgs = () => scopeOrgs().length > 1;

/** "openssh 7.4" from a CPE name (nmap/NVD matches), else the package name as is. */
export function cpeName(p: string | null | undefined): string {
  if (!p) return '';
  const m = /^cpe:(?:2\.3:|\/)[aho]:([^:]*):([^:]*)/.exec(p);
  return m ? m[2].replace(/\\(.)/g, '$1').replace(/_/g, ' ') : p;
}

/** "còn 6 ngày 3 giờ" / "quá hạn 2 ngày 1 giờ" (red), from an RFC 3339 due time. */
export function DueLeft({ at, now, overdue, done }: { at: string | null | undefined; now: number; overdue?: boolean; done?: string }) {
  if (!at) return <span class="muted">—</span>;
  const left = Date.parse(at) - now;
  if (done) return <span class="ok" title={fmtDateTime(at)}>{done}</span>;
  const over = overdue || left < 0;
  return (
    <span class={over ? 'overdue' : left < 24 * 3600_000 ? 'soon' : ''} title={fmtDateTime(at)}>
      {over ? t('overdue_by', { t: durationText(left) }) : t('left', { t: durationText(left) })}
    </span>
  );
}

/** A date that turns red (with "quá hạn") once past: next security check, scan due. */
export function DateDue({ at, now }: { at: string | null | undefined; now: number }) {
  if (!at) return <span class="muted">{t('not_set')}</span>;
  const past = Date.parse(at) < now;
  return (
    <span class={past ? 'overdue' : ''} title={fmtDateTime(at)}>
      {fmtDate(at)}{past && <> · {t('past_due')}</>}
    </span>
  );
}

export function FindingSeverity({ s }: { s: string | null | undefined }) {
  if (!s) return <span class="badge sev-none">{t('unknown')}</span>;
  return <span class={`badge sev-${s}`}>{lbl('severities', s)}</span>;
}

export function KevBadge() {
  return <span class="badge kev" title={t('kev_long')}>KEV</span>;
}

/** Open findings of a host: total, then critical / high / known-exploited. */
export function FindingCounts({ f, label }: { f: { open?: number; critical?: number; high?: number; kev?: number } | undefined; label?: boolean }) {
  const x = f ?? {};
  if (!x.open) return <span class="muted">{label ? t('n_open_findings', { n: 0 }) : 0}</span>;
  return (
    <span class="counts">
      <strong>{label ? t('n_open_findings', { n: x.open }) : x.open}</strong>
      {!!x.critical && <span class="badge sev-critical" title={lbl('severities', 'critical')}>{t('n_critical', { n: x.critical })}</span>}
      {!!x.high && <span class="badge sev-high" title={lbl('severities', 'high')}>{t('n_high', { n: x.high })}</span>}
      {!!x.kev && <span class="badge kev" title={t('kev_long')}>KEV {x.kev}</span>}
    </span>
  );
}

/** Record pages (systems, hosts, findings) word 412/409 for a record, not an incident. */
export const RECORD_TEXTS: Partial<Record<number, Key>> = { 412: 'rec_412', 409: 'rec_409', 428: 'rec_428' };

/** An error box for a write on a versioned record: 412/409 explained, with a reload that keeps the typed text. */
export function RecordError({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) return null;
  const stale = error instanceof ApiError && (error.status === 412 || error.status === 409 || error.status === 428);
  return (
    <ErrorBox error={error} texts={RECORD_TEXTS}>
      {stale && (
        <p>
          {t(error.status === 409 ? 'rec_409_explain' : 'rec_412_explain')}{' '}
          {onReload && <button type="button" class="button secondary small" onClick={onReload}>{t('reload_keep_rec')}</button>}
        </p>
      )}
    </ErrorBox>
  );
}

const FLASH = 'ungcuu.flash';
export interface Flash { key: Key; vars?: Record<string, string | number> }

/** A notice for the page that the next go() opens (kept in sessionStorage across the hash change, shown once). */
export function flashNext(key: Key, vars?: Flash['vars']) {
  sessionStorage.setItem(FLASH, JSON.stringify({ key, vars }));
}

/** The notice flashNext() left, taken when the page opens; the setter shows another ("saved") or none. */
export function useFlash() {
  return useState<Flash | null>(() => {
    try {
      const x = sessionStorage.getItem(FLASH);
      sessionStorage.removeItem(FLASH);
      return x ? JSON.parse(x) : null;
    } catch { return null; }
  });
}

export function FlashNotice({ f }: { f: Flash | null }) {
  return f ? <p class="alert info" role="status">{t(f.key, f.vars)}</p> : null;
}

/** A form's values kept in sessionStorage until saved or cancelled (reloads and expired sessions lose nothing). */
export function useDraft<T>(key: string | null, init: () => T): [T, (p: Partial<T>) => void, () => void, (v: T) => void] {
  const [v, setV] = useState<T>(() => {
    if (key) {
      try {
        const d = sessionStorage.getItem(key);
        if (d) return { ...init(), ...JSON.parse(d) };
      } catch { /* a bad draft is dropped */ }
    }
    return init();
  });
  const [dirty, setDirty] = useState(false);
  useEffect(() => { if (key && dirty) sessionStorage.setItem(key, JSON.stringify(v)); }, [v, dirty]);
  const set = (p: Partial<T>) => { setDirty(true); setV((o) => ({ ...o, ...p })); };
  const clear = () => { if (key) sessionStorage.removeItem(key); setDirty(false); };
  const replace = (x: T) => { setDirty(false); setV(x); };
  return [v, set, clear, replace];
}

/**
 * Editing a versioned record: the form, and the base it started from (both kept
 * in sessionStorage). Only fields that differ from the base are the person's
 * changes; rebase() takes a newer version of the record and keeps those changes
 * on top of it, so a reload after 412 neither loses what was typed nor undoes
 * the other person's edit of other fields.
 */
export function useEdit<T extends object>(key: string, fromRecord: (r: any) => T) {
  const [st, setSt] = useState<{ f: T; base: T } | null>(() => {
    try { const d = sessionStorage.getItem(key); return d ? JSON.parse(d) : null; } catch { return null; }
  });
  useEffect(() => { if (st) sessionStorage.setItem(key, JSON.stringify(st)); else sessionStorage.removeItem(key); }, [st]);
  return {
    editing: !!st,
    f: st?.f ?? fromRecord(null),
    base: st?.base ?? fromRecord(null),
    set: (p: Partial<T>) => setSt((o) => (o ? { ...o, f: { ...o.f, ...p } } : o)),
    start: (r: any) => { const b = fromRecord(r); setSt({ f: { ...b }, base: b }); },
    rebase: (r: any) => setSt((o) => {
      if (!o) return o;
      const b = fromRecord(r);
      const f = { ...b };
      for (const k of Object.keys(o.f) as (keyof T)[]) if (o.f[k] !== o.base[k]) f[k] = o.f[k];
      return { f, base: b };
    }),
    stop: () => setSt(null),
  };
}

/** Local date (UTC+7) <input type=date> value of an RFC 3339 time. */
export function dateInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms + 7 * 3600_000);
  return d.toISOString().slice(0, 10);
}

/** Adds months to a local date string (yyyy-mm-dd), clamped to the month's end. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  const x = new Date(Date.UTC(y, m - 1 + months, Math.min(d, last)));
  return x.toISOString().slice(0, 10);
}

/** The host's operating system in one line. */
export function osText(h: any): string {
  const o = h?.os ?? {};
  return o.name || [o.id, o.version].filter(Boolean).join(' ') || o.family || h?.os_name || '';
}
