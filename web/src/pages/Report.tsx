// The initial report (Mẫu 03, regulation §6), grouped like the paper form.
// Only title, description, time detected and type are required by the server;
// everything else helps the coordinator and may be left empty.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, post } from '../api';
import { t, type Key } from '../i18n';
import { app, codes, hasRole, lbl } from '../state';
import { go } from '../router';
import { DropZone, ErrorBox, Field } from '../components/ui';
import { localInputs, toUtcIso } from '../time';
import { SystemPicker } from '../components/SystemPicker';

export const TYPES = ['dos', 'phishing', 'malware', 'intrusion', 'defacement', 'encryption', 'destruction', 'espionage', 'combined', 'other'];
const DETECTION = ['ids', 'log_review', 'notified', 'other'];
const NOTIFIED = ['network_member', 'isp', 'coordinator'];
const SERVICES = ['web', 'mail', 'db', 'other'];
const MEASURES = ['antivirus', 'firewall', 'ids', 'other'];

interface Person { name: string; address?: string; position?: string; phone: string; email: string }
export interface ReportState {
  org_code: string;
  reporter: Person;
  contactSame: boolean;
  contact: Person;
  /** system_id: the registered system picked (GET /api/v1/systems), '' for a name typed by hand. */
  system: { system_id?: string; name: string; operator: string; owner: string; level: string; domains: string; ips: string; security_provider: string; connectivity_provider: string };
  title: string; description: string; date: string; time: string; type: string;
  handling_status: string;
  detection_kind: string; detection_detail: string;
  notified: string[];
  details: { os: string; services: string[]; services_other: string; measures: string[]; measures_other: string; public_ips: string; domains: string; purpose: string };
  confidential: boolean; tlp: string; support_needed: string;
}

const draftKey = () => `ungcuu.reportDraft.${app.user?.username ?? ''}`;

function fresh(): ReportState {
  const u = app.user;
  const now = localInputs();
  return {
    org_code: u?.org?.code ?? '',
    reporter: { name: u?.full_name ?? '', address: u?.org?.name ?? '', phone: u?.phone ?? '', email: u?.email ?? '' },
    contactSame: true,
    contact: { name: '', position: '', phone: '', email: '' },
    system: { system_id: '', name: '', operator: u?.org?.name ?? '', owner: '', level: '', domains: '', ips: '', security_provider: '', connectivity_provider: '' },
    title: '', description: '', date: now.date, time: now.time, type: '',
    handling_status: 'not_handled',
    detection_kind: '', detection_detail: '',
    notified: [],
    details: { os: '', services: [], services_other: '', measures: [], measures_other: '', public_ips: '', domains: '', purpose: '' },
    confidential: false, tlp: '', support_needed: '',
  };
}

const list = (s: string) => s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);

/** Drops empty strings, arrays and objects so the server sees only what was typed. */
function prune(v: any): any {
  if (Array.isArray(v)) return v.length ? v : undefined;
  if (v && typeof v === 'object') {
    const o: any = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) o[k] = p;
    }
    return Object.keys(o).length ? o : undefined;
  }
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  return v;
}

export function toBody(f: ReportState): any {
  const contact = f.contactSame ? { name: f.reporter.name, phone: f.reporter.phone, email: f.reporter.email, position: f.contact.position } : f.contact;
  const body: any = prune({
    org_code: f.org_code,
    reporter: f.reporter,
    contact,
    system: {
      system_id: f.system.system_id, name: f.system.name, operator: f.system.operator, owner: f.system.owner,
      domains: list(f.system.domains), ips: list(f.system.ips),
      security_provider: f.system.security_provider, connectivity_provider: f.system.connectivity_provider,
    },
    title: f.title, description: f.description, type: f.type,
    handling_status: f.handling_status,
    detection_method: f.detection_kind ? { kind: f.detection_kind, detail: f.detection_detail } : undefined,
    notified: f.notified,
    details: {
      os: f.details.os, services: f.details.services, services_other: f.details.services.includes('other') ? f.details.services_other : '',
      measures: f.details.measures, measures_other: f.details.measures.includes('other') ? f.details.measures_other : '',
      public_ips: list(f.details.public_ips), domains: list(f.details.domains), purpose: f.details.purpose,
    },
    tlp: f.tlp,
    support_needed: f.support_needed,
  }) ?? {};
  if (f.system.level) body.system = { ...(body.system ?? {}), level: Number(f.system.level) };
  body.detected_at = toUtcIso(f.date, f.time);
  body.confidential = f.confidential;
  return body;
}

/** Names of attachments that failed to upload after the last report (shown on the confirmation). */
export let lastUploadFailures: string[] = [];

export async function uploadFiles(incidentId: string, files: File[], onProgress?: (i: number) => void): Promise<string[]> {
  const failed: string[] = [];
  for (let i = 0; i < files.length; i++) {
    onProgress?.(i);
    const f = files[i];
    try {
      await post(`/api/v1/incidents/${encodeURIComponent(incidentId)}/attachments`, undefined, {
        raw: f,
        headers: { 'Content-Type': f.type || 'application/octet-stream', 'X-Filename': encodeURIComponent(f.name) },
      });
    } catch {
      failed.push(f.name);
    }
  }
  return failed;
}

export function ReportForm() {
  const [f, setF] = useState<ReportState>(() => {
    try {
      const d = sessionStorage.getItem(draftKey());
      if (d) return { ...fresh(), ...JSON.parse(d) };
    } catch { /* bad draft */ }
    return fresh();
  });
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fieldErr = useMemo(() => (error instanceof ApiError ? error.fields() : {}), [error]);

  // Keep a draft so an expired session or a reload loses nothing typed.
  useEffect(() => { sessionStorage.setItem(draftKey(), JSON.stringify(f)); }, [f]);

  const set = (patch: Partial<ReportState>) => setF((o) => ({ ...o, ...patch }));
  const setIn = <K extends 'reporter' | 'contact' | 'system' | 'details'>(k: K, patch: Partial<ReportState[K]>) =>
    setF((o) => ({ ...o, [k]: { ...o[k], ...patch } }));
  const val = (e: Event) => (e.target as HTMLInputElement).value;
  const toggle = (arr: string[], v: string) => (arr.includes(v) ? arr.filter((x) => x !== v) : [...arr, v]);
  const fe = (ptr: string) => fieldErr[ptr];

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(t('sending'));
    try {
      const inc = await post('/api/v1/incidents', toBody(f));
      lastUploadFailures = files.length
        ? await uploadFiles(inc.id, files, (i) => setBusy(t('uploading', { i: i + 1, n: files.length })))
        : [];
      sessionStorage.removeItem(draftKey());
      go(`/reported/${inc.id}`);
    } catch (err) {
      setError(err);
      setBusy(null);
      setTimeout(() => document.querySelector<HTMLElement>('.report-form .alert.error')?.focus(), 0);
    }
  };

  const reset = () => {
    // Clearing throws away everything typed: ask first.
    if (!confirm(t('clear_form_confirm'))) return;
    sessionStorage.removeItem(draftKey()); setF(fresh()); setFiles([]); setError(null); setMissing(null);
  };
  // The browser's own check stops at the first empty required field; bring it
  // into view clear of the sticky submit bar, focus it and name it there too.
  const [missing, setMissing] = useState<string | null>(null);
  const onInvalid = (e: Event) => {
    const el = e.target as HTMLElement;
    e.preventDefault();
    const form = el.closest('form');
    const first = form?.querySelector<HTMLElement>(':invalid:not(fieldset):not(form)');
    if (first && first !== el) return;
    const label = (el as HTMLInputElement).labels?.[0]?.textContent?.replace(/\s*\*\s*$/, '').trim() ?? '';
    setMissing(label);
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
  };
  const canPickOrg = (app.orgs?.length ?? 0) > 1 && hasRole('admin', 'coordinator');
  const person = (k: 'reporter' | 'contact', withAddr: boolean) => {
    const p = f[k];
    const id = (n: string) => `${k}-${n}`;
    return (
      <div class="grid2">
        <Field id={id('name')} label={t('f_name')} error={fe(`/${k}/name`)}>
          <input id={id('name')} autocomplete="name" value={p.name} onInput={(e) => setIn(k, { name: val(e) })} />
        </Field>
        {withAddr ? (
          <Field id={id('address')} label={t('f_address')} error={fe(`/${k}/address`)}>
            <input id={id('address')} value={p.address ?? ''} onInput={(e) => setIn(k, { address: val(e) })} />
          </Field>
        ) : (
          <Field id={id('position')} label={t('f_position')} error={fe(`/${k}/position`)}>
            <input id={id('position')} value={p.position ?? ''} onInput={(e) => setIn(k, { position: val(e) })} />
          </Field>
        )}
        <Field id={id('phone')} label={t('f_phone')} error={fe(`/${k}/phone`)}>
          <input id={id('phone')} type="tel" autocomplete="tel" value={p.phone} onInput={(e) => setIn(k, { phone: val(e) })} />
        </Field>
        <Field id={id('email')} label={t('f_email')} error={fe(`/${k}/email`)}>
          <input id={id('email')} type="email" autocomplete="email" value={p.email} onInput={(e) => setIn(k, { email: val(e) })} />
        </Field>
      </div>
    );
  };
  const checks = (name: string, opts: string[], sel: string[], on: (v: string[]) => void, prefix: string) => (
    <div class="checks">
      {opts.map((o) => (
        <label class="check" key={o}>
          <input type="checkbox" name={name} value={o} checked={sel.includes(o)} onChange={() => on(toggle(sel, o))} />
          {' '}{t(`${prefix}_${o}` as Key)}
        </label>
      ))}
    </div>
  );

  return (
    <section class="report">
      <h1>{t('report_title')}</h1>
      <p class="lead">{t('report_intro')}</p>
      <form class="report-form" onSubmit={(e) => { setMissing(null); void submit(e); }} onInvalidCapture={onInvalid}>
        <ErrorBox error={error} />

        <fieldset>
          <legend>1. {t('sec_reporter')}</legend>
          {canPickOrg && (
            <Field id="org_code" label={t('f_org')} error={fe('/org_code')}>
              <select id="org_code" value={f.org_code} onChange={(e) => setF((o) => ({ ...o, org_code: val(e), system: { ...o.system, system_id: '' } }))}>
                {(app.orgs ?? []).map((o) => <option value={o.code} key={o.id}>{o.name}</option>)}
              </select>
            </Field>
          )}
          {person('reporter', true)}
        </fieldset>

        <fieldset>
          <legend>2. {t('sec_contact')}</legend>
          <label class="check">
            <input type="checkbox" id="contact-same" checked={f.contactSame} onChange={() => set({ contactSame: !f.contactSame })} />
            {' '}{t('contact_same')}
          </label>
          {f.contactSame ? (
            <Field id="contact-position" label={t('f_position')} error={fe('/contact/position')}>
              <input id="contact-position" value={f.contact.position ?? ''} onInput={(e) => setIn('contact', { position: val(e) })} />
            </Field>
          ) : person('contact', false)}
        </fieldset>

        <fieldset>
          <legend>3. {t('sec_system')}</legend>
          {/* A typed name is not the registered system any more: only a pick links the incident to it. */}
          <SystemPicker value={f.system.name} onChange={(name) => setIn('system', { name, system_id: '' })} error={fe('/system/name') ?? fe('/system/system_id')} orgCode={f.org_code}
            onPick={(s) => setIn('system', { system_id: s.id, name: s.name, level: s.level ? String(s.level) : '', operator: s.operator ?? '', owner: s.owner ?? '' })} />
          <div class="grid2">
            <Field id="system-operator" label={t('f_operator')} error={fe('/system/operator')}>
              <input id="system-operator" value={f.system.operator} onInput={(e) => setIn('system', { operator: val(e) })} />
            </Field>
            <Field id="system-owner" label={t('f_owner')} error={fe('/system/owner')}>
              <input id="system-owner" value={f.system.owner} onInput={(e) => setIn('system', { owner: val(e) })} />
            </Field>
            <Field id="system-domains" label={t('f_domains')} hint={t('hint_list')} error={fe('/system/domains')}>
              <input id="system-domains" value={f.system.domains} onInput={(e) => setIn('system', { domains: val(e) })} />
            </Field>
            <Field id="system-ips" label={t('f_ips')} hint={t('hint_list')} error={fe('/system/ips')}>
              <input id="system-ips" value={f.system.ips} onInput={(e) => setIn('system', { ips: val(e) })} />
            </Field>
            <Field id="system-level" label={t('f_level')} error={fe('/system/level')}>
              <select id="system-level" value={f.system.level} onChange={(e) => setIn('system', { level: val(e) })}>
                <option value="">{t('unknown')}</option>
                {[1, 2, 3, 4, 5].map((n) => <option value={String(n)}>{t('level_n', { n })}</option>)}
              </select>
            </Field>
            <Field id="system-security" label={t('f_security_provider')} error={fe('/system/security_provider')}>
              <input id="system-security" value={f.system.security_provider} onInput={(e) => setIn('system', { security_provider: val(e) })} />
            </Field>
            <Field id="system-connectivity" label={t('f_connectivity_provider')} error={fe('/system/connectivity_provider')}>
              <input id="system-connectivity" value={f.system.connectivity_provider} onInput={(e) => setIn('system', { connectivity_provider: val(e) })} />
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>4. {t('sec_incident')}</legend>
          <Field id="title" label={t('f_title')} req hint={t('hint_title')} error={fe('/title')}>
            <input id="title" required maxLength={200} value={f.title} onInput={(e) => set({ title: val(e) })} />
          </Field>
          <Field id="description" label={t('f_description')} req hint={t('hint_description')} error={fe('/description')}>
            <textarea id="description" required rows={5} value={f.description} onInput={(e) => set({ description: val(e) })} />
          </Field>
          <div class="grid2">
            <Field id="detected-date" label={t('f_detected_date')} req error={fe('/detected_at')}>
              <input id="detected-date" type="date" required value={f.date} onInput={(e) => set({ date: val(e) })} />
            </Field>
            <Field id="detected-time" label={t('f_detected_time')} req hint={t('hint_tz')}>
              <input id="detected-time" type="time" required value={f.time} onInput={(e) => set({ time: val(e) })} />
            </Field>
          </div>
          <fieldset class="radios" aria-describedby="type-hint">
            <legend>{t('f_type')}<span class="req" aria-hidden="true"> *</span></legend>
            <small id="type-hint" class="hint">{t('hint_type')}</small>
            {fe('/type') && <small class="field-error" role="alert">{fe('/type')}</small>}
            <div class="typelist">
              {codes('incident_types', TYPES).map((c, i) => (
                <label class="check" key={c}>
                  <input type="radio" name="type" value={c} required checked={f.type === c} onChange={() => set({ type: c })} />
                  {' '}<span class="num">{i + 1}.</span> {lbl('incident_types', c)}
                </label>
              ))}
            </div>
          </fieldset>
        </fieldset>

        <fieldset class="radios">
          <legend>5. {t('sec_status')}</legend>
          {['handled', 'not_handled'].map((s) => (
            <label class="check" key={s}>
              <input type="radio" name="handling_status" value={s} checked={f.handling_status === s} onChange={() => set({ handling_status: s })} />
              {' '}{t(`hs_${s}` as Key)}
            </label>
          ))}
        </fieldset>

        <fieldset class="radios">
          <legend>6. {t('sec_detection')}</legend>
          {DETECTION.map((s) => (
            <label class="check" key={s}>
              <input type="radio" name="detection_kind" value={s} checked={f.detection_kind === s} onChange={() => set({ detection_kind: s })} />
              {' '}{t(`dm_${s}` as Key)}
            </label>
          ))}
          {(f.detection_kind === 'notified' || f.detection_kind === 'other') && (
            <Field id="detection-detail" label={f.detection_kind === 'notified' ? t('dm_notified_by') : t('dm_other_detail')} error={fe('/detection_method/detail')}>
              <input id="detection-detail" value={f.detection_detail} onInput={(e) => set({ detection_detail: val(e) })} />
            </Field>
          )}
        </fieldset>

        <fieldset>
          <legend>7. {t('sec_notified')}</legend>
          {checks('notified', NOTIFIED, f.notified, (v) => set({ notified: v }), 'nt')}
        </fieldset>

        <fieldset>
          <legend>8. {t('sec_details')}</legend>
          <div class="grid2">
            <Field id="details-os" label={t('f_os')} error={fe('/details/os')}>
              <input id="details-os" value={f.details.os} onInput={(e) => setIn('details', { os: val(e) })} />
            </Field>
            <Field id="details-purpose" label={t('f_purpose')} error={fe('/details/purpose')}>
              <input id="details-purpose" value={f.details.purpose} onInput={(e) => setIn('details', { purpose: val(e) })} />
            </Field>
          </div>
          <fieldset class="sub">
            <legend>{t('f_services')}</legend>
            {checks('services', SERVICES, f.details.services, (v) => setIn('details', { services: v }), 'svc')}
            {f.details.services.includes('other') && (
              <Field id="details-services-other" label={t('f_services_other')}>
                <input id="details-services-other" value={f.details.services_other} onInput={(e) => setIn('details', { services_other: val(e) })} />
              </Field>
            )}
          </fieldset>
          <fieldset class="sub">
            <legend>{t('f_measures')}</legend>
            {checks('measures', MEASURES, f.details.measures, (v) => setIn('details', { measures: v }), 'ms')}
            {f.details.measures.includes('other') && (
              <Field id="details-measures-other" label={t('f_measures_other')}>
                <input id="details-measures-other" value={f.details.measures_other} onInput={(e) => setIn('details', { measures_other: val(e) })} />
              </Field>
            )}
          </fieldset>
          <div class="grid2">
            <Field id="details-public-ips" label={t('f_public_ips')} hint={t('hint_list')} error={fe('/details/public_ips')}>
              <input id="details-public-ips" value={f.details.public_ips} onInput={(e) => setIn('details', { public_ips: val(e) })} />
            </Field>
            <Field id="details-domains" label={t('f_domains')} hint={t('hint_list')} error={fe('/details/domains')}>
              <input id="details-domains" value={f.details.domains} onInput={(e) => setIn('details', { domains: val(e) })} />
            </Field>
          </div>
          <div class="field">
            <span class="label-like" id="attach-label">{t('f_attachments')}</span>
            <small class="hint">{t('hint_attachments')}</small>
            <DropZone id="attachments" files={files} onFiles={setFiles} />
          </div>
        </fieldset>

        <fieldset>
          <legend>9. {t('sec_confidential')}</legend>
          <label class="check">
            <input type="checkbox" id="confidential" checked={f.confidential} onChange={() => set({ confidential: !f.confidential })} />
            {' '}{t('f_confidential')}
          </label>
          <small class="hint">{t('hint_confidential')}</small>
          <Field id="support_needed" label={t('f_support_needed')} hint={t('hint_support')} error={fe('/support_needed')}>
            <textarea id="support_needed" rows={3} value={f.support_needed} onInput={(e) => set({ support_needed: val(e) })} />
          </Field>
        </fieldset>

        <div class="actions sticky">
          <button type="submit" class="button primary" disabled={!!busy}>{busy ?? t('send_report')}</button>
          {missing !== null && <span class="field-error" role="alert" id="missing-field">{t('missing_field', { label: missing })}</span>}
          <span class="muted">{t('required_note')}</span>
          <button type="button" class="button secondary clear" onClick={reset} disabled={!!busy}>{t('clear_form')}</button>
        </div>
      </form>
    </section>
  );
}
