// Print views of the initial report (Mẫu 03) and the closing report (Mẫu 04),
// laid out like the paper forms of TT20/2017 Phụ lục I. The forms are legal
// documents in Vietnamese, so their text is Vietnamese whatever the UI language.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { t, tv, type Key } from '../i18n';
import { app } from '../state';
import { ErrorBox, Loading } from '../components/ui';
import { DocLinks } from '../components/DocLinks';
import { fmtDate, fmtTime } from '../time';

const viLabel = (group: 'incident_types' | 'severities', code: string) =>
  app.meta?.[group]?.find((x) => x.code === code)?.vi ?? code;

function Box({ on, children }: { on: boolean; children: ComponentChildren }) {
  return <span class="box"><span class="mark" aria-hidden="true">{on ? '☒' : '☐'}</span><span class="visually-hidden">{on ? tv('yes') : tv('no')}: </span>{children}</span>;
}

function Line({ label, value, req }: { label: string; value?: unknown; req?: boolean }) {
  const v = Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value);
  return (
    <p class="line"><span class="k">{label}{req && <sup>(*)</sup>}:</span> <span class={`v${v ? '' : ' blank'}`}>{v}</span></p>
  );
}

function dateWords(iso: string | undefined) {
  if (!iso) return tv('p_date_blank');
  const [d, m, y] = fmtDate(iso).split('/');
  return tv('p_date_words', { d, m, y });
}

/** org: the organisation issuing the form (Mẫu 04: its writer's), default the incident's. */
function Header({ inc, date, org }: { inc: any; date?: string; org?: string }) {
  return (
    <header class="p-head">
      <div class="p-org">
        <p class="up">{org || inc.org?.name}</p>
        <p>{tv('p_number')}: {inc.number}</p>
      </div>
      <div class="p-nation">
        <p class="up b">{tv('p_nation')}</p>
        <p class="b u">{tv('p_motto')}</p>
        <p class="i">{dateWords(date)}</p>
      </div>
    </header>
  );
}

/** "Kính gửi": the recipients of the reports of these kinds, as recorded when sent. */
function recipients(inc: any, kinds: string[]): string {
  const seen: string[] = [];
  for (const r of inc.reports ?? []) {
    if (!kinds.includes(r.kind)) continue;
    for (const x of String(r.recipient ?? '').split(/[;\n]/).map((v) => v.trim()).filter(Boolean)) {
      if (!seen.includes(x)) seen.push(x);
    }
  }
  return seen.join('; ');
}

function To({ who }: { who: string }) {
  return <p class="p-to">{tv('p_to')}: {who ? <span class="p-to-who">{who}</span> : <span class="blank-line" />}</p>;
}

function Signature({ name }: { name?: string }) {
  return (
    <div class="p-sign">
      <p class="b up">{tv('p_signer')}</p>
      <p class="i">{tv('p_sign_hint')}</p>
      <p class="sign-name">{name}</p>
    </div>
  );
}

function Form03({ inc }: { inc: any }) {
  const r = inc.reporter ?? {}, c = inc.contact ?? {}, s = inc.system ?? {}, d = inc.details ?? {}, dm = inc.detection_method ?? {};
  const svc = d.services ?? [], ms = d.measures ?? [], nt = inc.notified ?? [];
  const att: any[] = inc.attachments ?? [];
  return (
    <div class="paper">
      <Header inc={inc} date={inc.created_at} />
      <p class="p-form">{tv('p_form03')}</p>
      <h1 class="p-title">{tv('p_title03')}</h1>
      <To who={recipients(inc, ['initial'])} />

      <h2>1. {tv('p_s1')}</h2>
      <Line label={tv('p_name')} value={r.name} req /><Line label={tv('p_org_address')} value={r.address} req />
      <Line label={tv('f_phone')} value={r.phone} req /><Line label={tv('p_email')} value={r.email} req />

      <h2>2. {tv('p_s2')}</h2>
      <Line label={tv('p_name')} value={c.name} req /><Line label={tv('f_position')} value={c.position} />
      <Line label={tv('f_phone')} value={c.phone} req /><Line label={tv('p_email')} value={c.email} req />

      <h2>3. {tv('p_s3')}</h2>
      <Line label={tv('f_operator')} value={s.operator} req /><Line label={tv('f_owner')} value={s.owner} />
      <Line label={tv('p_system_name')} value={[s.name, ...(s.domains ?? [])].filter(Boolean)} />
      <Line label={tv('f_ips')} value={s.ips} />
      <p class="line"><span class="k">{tv('f_level')}:</span> {[1, 2, 3, 4, 5].map((n) => <Box on={Number(s.level) === n}>{n}</Box>)}</p>
      <Line label={tv('f_security_provider')} value={s.security_provider} /><Line label={tv('f_connectivity_provider')} value={s.connectivity_provider} />

      <h2>4. {tv('p_s4')}</h2>
      <Line label={tv('f_title')} value={inc.title} />
      <p class="line"><span class="k">{tv('p_desc')}<sup>(*)</sup>:</span></p>
      <p class="p-text">{inc.description}</p>
      <p class="line"><span class="k">{tv('p_type')}:</span> {viLabel('incident_types', inc.type)}</p>
      <Line label={tv('p_detected_date')} value={fmtDate(inc.detected_at)} req /><Line label={tv('p_detected_time')} value={fmtTime(inc.detected_at)} req />

      <h2>5. {tv('p_s5')}<sup>(*)</sup></h2>
      <p class="line"><Box on={inc.handling_status === 'handled'}>{tv('hs_handled')}</Box> <Box on={inc.handling_status === 'not_handled'}>{tv('hs_not_handled')}</Box></p>

      <h2>6. {tv('p_s6')}<sup>(*)</sup></h2>
      <p class="line">
        <Box on={dm.kind === 'ids'}>{tv('dm_ids')}</Box> <Box on={dm.kind === 'log_review'}>{tv('dm_log_review')}</Box>
      </p>
      <p class="line"><Box on={dm.kind === 'notified'}>{tv('p_notified_by')}: {dm.kind === 'notified' ? dm.detail : ''}</Box></p>
      <p class="line"><Box on={dm.kind === 'other'}>{tv('p_other')}: {dm.kind === 'other' ? dm.detail : ''}</Box></p>

      <h2>7. {tv('p_s7')}<sup>(*)</sup></h2>
      <p class="line">{(['network_member', 'isp', 'coordinator'] as const).map((k) => <><Box on={nt.includes(k)}>{tv(`nt_${k}` as Key)}</Box> </>)}</p>

      <h2>8. {tv('p_s8')}</h2>
      <Line label={tv('f_os')} value={d.os} />
      <p class="line"><span class="k">{tv('f_services')}:</span> {(['web', 'mail', 'db'] as const).map((k) => <><Box on={svc.includes(k)}>{tv(`svc_${k}` as Key)}</Box> </>)}<Box on={svc.includes('other')}>{tv('p_other')}: {d.services_other}</Box></p>
      <p class="line"><span class="k">{tv('f_measures')}:</span> {(['antivirus', 'firewall', 'ids'] as const).map((k) => <><Box on={ms.includes(k)}>{tv(`ms_${k}` as Key)}</Box> </>)}<Box on={ms.includes('other')}>{tv('p_other')}: {d.measures_other}</Box></p>
      <Line label={tv('f_public_ips')} value={d.public_ips} /><Line label={tv('f_domains')} value={d.domains} /><Line label={tv('f_purpose')} value={d.purpose} />
      <p class="line"><span class="k">{tv('p_attached')}:</span> {att.length ? att.map((a) => a.filename ?? a.name).join(', ') : ''}</p>

      <h2>9. {tv('p_s9')}</h2>
      <p class="line"><Box on={!!inc.confidential}>{tv('yes')}</Box> <Box on={!inc.confidential}>{tv('no')}</Box></p>
      <h2>10. {tv('p_s10')}</h2>
      <p class="p-text">{inc.support_needed}</p>

      <Line label={tv('p_report_time')} value={`${fmtTime(inc.created_at)} ${fmtDate(inc.created_at)}`} req />
      <Signature name={r.name} />
    </div>
  );
}

function Form04({ inc }: { inc: any }) {
  // The reporter and signer of Mẫu 04 is who wrote it (closed the incident),
  // not the person who first reported the incident on Mẫu 03.
  const by = inc.closing_report_by ?? {};
  const r = { name: by.full_name || by.username, address: by.org_name, phone: by.phone, email: by.email };
  const s = inc.system ?? {}, cr = inc.closing_report ?? {};
  // closing_report carries no date: the form is dated when the incident was (last) closed,
  // not updated_at, which any later comment or attachment moves.
  const closedAt = [...(inc.timeline ?? [])].reverse().find((e: any) => e.kind === 'transition' && e.data?.to === 'closed')?.at;
  const closed = closedAt ?? (inc.status === 'closed' ? inc.updated_at : undefined);
  // Attached: the other reports sent about the incident, never this one itself.
  const reports: any[] = (inc.reports ?? []).filter((x: any) => x.kind !== 'closing');
  const att: any[] = inc.attachments ?? [];
  return (
    <div class="paper">
      <Header inc={inc} date={closed} org={by.org_name} />
      <p class="p-form">{tv('p_form04')}</p>
      <h1 class="p-title">{tv('p_title04')}</h1>
      <To who={recipients(inc, ['closing']) || recipients(inc, ['initial'])} />

      <h2>1. {tv('p_s1')}</h2>
      <Line label={tv('p_name')} value={r.name} req /><Line label={tv('p_org_address')} value={r.address} req />
      <Line label={tv('f_phone')} value={r.phone} req /><Line label={tv('p_email')} value={r.email} req />

      <h2>2. {tv('p_initial_ref')}</h2>
      <Line label={tv('p_initial_number')} value={inc.number} /><Line label={tv('p_initial_date')} value={fmtDate(inc.created_at)} />

      <h2>3. {tv('p_s3')}</h2>
      <Line label={tv('f_operator')} value={s.operator} req /><Line label={tv('f_owner')} value={s.owner} />
      <Line label={tv('p_system_name')} value={[s.name, ...(s.domains ?? []), ...(s.ips ?? [])].filter(Boolean)} />
      <p class="line"><span class="k">{tv('f_level')}:</span> {[1, 2, 3, 4, 5].map((n) => <Box on={Number(s.level) === n}>{n}</Box>)}</p>

      <h2>4. {tv('p_s4')}</h2>
      <p class="p-text">{inc.description}</p>
      <Line label={tv('p_detected_date')} value={fmtDate(inc.detected_at)} req /><Line label={tv('p_detected_time')} value={fmtTime(inc.detected_at)} req />
      <Line label={tv('p_type')} value={viLabel('incident_types', inc.type)} />
      <Line label={tv('severity')} value={inc.severity ? viLabel('severities', inc.severity) : ''} />

      <h2>5. {tv('p_outcome')}</h2>
      <p class="line"><span class="k">{tv('cr_summary')}<sup>(*)</sup>:</span></p><p class="p-text">{cr.summary}</p>
      <p class="line"><span class="k">{tv('cr_cause')}:</span></p><p class="p-text">{cr.cause}</p>
      <p class="line"><span class="k">{tv('cr_resolution')}:</span></p><p class="p-text">{cr.resolution}</p>
      <p class="line"><span class="k">{tv('cr_damage')}:</span></p><p class="p-text">{cr.damage}</p>
      <p class="line"><span class="k">{tv('cr_proposals')}:</span></p><p class="p-text">{cr.proposals}</p>

      <h2>6. {tv('p_attached')}</h2>
      <ul class="p-list">
        {reports.map((x) => <li>{app.meta?.report_kinds?.find((k) => k.code === x.kind)?.vi ?? x.kind} — {fmtDate(x.sent_at)}{x.reference ? ` (${x.reference})` : ''}</li>)}
        {att.map((a) => <li>{a.filename ?? a.name}</li>)}
      </ul>
      <Signature name={r.name} />
    </div>
  );
}

export function PrintView({ id, form }: { id: string; form: '03' | '04' }) {
  const [inc, setInc] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { get(`/api/v1/incidents/${encodeURIComponent(id)}`).then(setInc, setError); }, [id]);
  useEffect(() => { document.body.classList.add('printing'); return () => document.body.classList.remove('printing'); }, []);
  return (
    <div class="print-view">
      <div class="no-print toolbar">
        <a class="button secondary" href={`#/incidents/${id}`}>← {t('back_to_incident')}</a>
        <button type="button" class="button primary" onClick={() => print()} disabled={!inc}>{t('print_now')}</button>
        <DocLinks id={id} form={form} short />
        <span class="muted">{t('print_hint')}</span>
      </div>
      {error ? <ErrorBox error={error} /> : !inc ? <Loading /> : (
        <div lang="vi">{form === '04' ? <Form04 inc={inc} /> : <Form03 inc={inc} />}</div>
      )}
    </div>
  );
}
