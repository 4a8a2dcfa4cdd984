// Mail intake (issue 17 item 5): reports by email from unknown senders wait
// here for a coordinator of the district (the intake address is its own),
// who files each into an incident of an organisation or rejects it; below,
// the messages the intake refused, with the reason. The server decides who
// may (403 for anyone else).
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { t } from '../i18n';
import { app, loadMeta, orgTree } from '../state';
import { ErrorBox, Loading, fmtSize } from '../components/ui';
import { fmtDateTime } from '../time';

interface Att { name: string; size: number; sha256: string }
interface Item {
  id: string; sender: string; subject: string; body: string; form: Record<string, unknown>;
  attachments: Att[]; status: string; incident_id: string | null; number: string | null;
  reason: string; created_at: string;
}
interface Quarantined { id: string; reason: string; detail: string; sender: string; subject: string; size: number; created_at: string }

function TriageItem({ item, onDone }: { item: Item; onDone: () => void }) {
  const [org, setOrg] = useState('');
  const [reason, setReason] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const act = async (fn: () => Promise<unknown>) => {
    setErr(null);
    setBusy(true);
    try { await fn(); onDone(); } catch (e) { setErr(e); } finally { setBusy(false); }
  };
  const orgs = orgTree(app.orgs ?? []);
  const fields = Object.keys(item.form ?? {});
  return (
    <article class="panel mail-item" id={`triage-${item.id}`}>
      <h3>{item.subject || t('mail_no_subject')}</h3>
      <p class="muted">{t('mail_from')}: <strong>{item.sender}</strong> · {fmtDateTime(item.created_at)}</p>
      <pre class="mail-body">{item.body}</pre>
      {fields.length > 0 && <p class="muted">{t('mail_form_fields', { n: fields.length })}: {fields.join(', ')}</p>}
      {item.attachments.length > 0 && (
        <ul class="mail-atts">
          {item.attachments.map((a) => <li>{a.name} <small class="muted">{fmtSize(a.size)} · SHA-256 {a.sha256.slice(0, 16)}…</small></li>)}
        </ul>
      )}
      <ErrorBox error={err} />
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void act(() => post(`/api/v1/mail/triage/${item.id}/accept`, { org_code: org })); }}>
        <label for={`org-${item.id}`}>{t('mail_accept_into')}</label>
        <select id={`org-${item.id}`} required value={org} onChange={(e) => setOrg((e.target as HTMLSelectElement).value)}>
          <option value="">—</option>
          {orgs.map(({ org: o, depth }) => <option value={o.code}>{'\u00a0'.repeat(depth * 2)}{o.name}</option>)}
        </select>
        <button type="submit" class="primary" disabled={busy || !org}>{t('mail_accept')}</button>
      </form>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void act(() => post(`/api/v1/mail/triage/${item.id}/reject`, { reason })); }}>
        <label for={`reason-${item.id}`}>{t('mail_reject_reason')}</label>
        <input id={`reason-${item.id}`} required maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy || !reason.trim()}>{t('mail_reject')}</button>
      </form>
    </article>
  );
}

export function MailPage() {
  const [items, setItems] = useState<Item[] | null>(null);
  const [done, setDone] = useState<Item[]>([]);
  const [quar, setQuar] = useState<Quarantined[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      const [open, acc, q] = await Promise.all([get('/api/v1/mail/triage'), get('/api/v1/mail/triage?status=accepted'),
        get('/api/v1/mail/quarantine'), loadMeta()]);
      setItems(open.items);
      setDone(acc.items.slice(0, 10));
      setQuar(q.items);
      setError(null);
    } catch (e) { setError(e); }
  };
  useEffect(() => { void load(); }, []);
  if (error) return <section><h1>{t('mail_title')}</h1><ErrorBox error={error} /></section>;
  if (!items || !quar) return <Loading />;
  return (
    <section class="mail">
      <div class="page-head"><h1>{t('mail_title')}</h1></div>
      <p class="muted">{t('mail_intro')}</p>
      <h2 id="h-triage">{t('mail_triage')} <span class="n">({items.length})</span></h2>
      {items.length === 0 ? <p class="empty">{t('mail_triage_none')}</p>
        : items.map((i) => <TriageItem key={i.id} item={i} onDone={() => void load()} />)}
      {done.length > 0 && (
        <>
          <h2>{t('mail_accepted')}</h2>
          <ul class="inbox-list" id="mail-accepted">
            {done.map((i) => <li>{i.sender}: {i.subject} → <a href={`#/incidents/${i.incident_id}`}>{i.number}</a></li>)}
          </ul>
        </>
      )}
      <h2 id="h-quarantine">{t('mail_quarantine')} <span class="n">({quar.length})</span></h2>
      {quar.length === 0 ? <p class="empty">{t('mail_quarantine_none')}</p> : (
        <table class="list cards-on-phone" id="mail-quarantine">
          <thead><tr><th scope="col">{t('mail_received')}</th><th scope="col">{t('mail_from')}</th><th scope="col">{t('mail_subject')}</th><th scope="col">{t('mail_reason')}</th><th scope="col">{t('mail_size')}</th></tr></thead>
          <tbody>
            {quar.map((q) => (
              <tr key={q.id}>
                <td data-label={t('mail_received')}>{fmtDateTime(q.created_at)}</td>
                <td data-label={t('mail_from')}>{q.sender || '—'}</td>
                <td data-label={t('mail_subject')}>{q.subject || '—'}</td>
                <td data-label={t('mail_reason')}>{q.detail}</td>
                <td data-label={t('mail_size')}>{fmtSize(q.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
