// Federation (issue 16, h/sync-core): this instance's key and fingerprint,
// the peers above and below, the state of the exchange with each. For the
// administrators of the home organisation; the server decides (403 else).
import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from '../api';
import { t, tryT } from '../i18n';
import { fmtDateTime } from '../time';
import { ErrorBox, Field, Loading } from '../components/ui';

interface Self { instance: string; public_key: string; fingerprint: string }
interface Peer { id: string; name: string; instance: string; fingerprint: string; public_key: string; url: string; relation: 'parent' | 'child'; orgs: string[] }
interface PeerStatus {
  id: string; name: string; relation: string; last_contact_at: string | null; out_waiting: number; out_oldest_at: string | null;
  in_applied: number; in_waiting: number; refused: number; refused_by_reason: Record<string, number>; last_error: string | null; last_error_at: string | null;
  // h/fed-compat: envelopes of kinds this version does not know, kept until an upgrade
  kept_waiting: number; kept_failed: number; kept_applied: number;
  kept: { id: string; seq: number; kind: string; size: number; kept_at: string | null; error: string | null; error_at: string | null }[];
}
interface Status { peers: PeerStatus[]; unknown_refused: number }

const val = (e: Event) => (e.target as HTMLInputElement).value;

export function SyncPage() {
  const [self, setSelf] = useState<Self | null>(null);
  const [peers, setPeers] = useState<Peer[] | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actErr, setActErr] = useState<unknown>(null);
  const load = async () => {
    try {
      const [s, p, st] = await Promise.all([get('/api/v1/sync/self'), get('/api/v1/sync/peers'), get('/api/v1/sync/status')]);
      setSelf(s); setPeers(p.items ?? []); setStatus(st);
    } catch (e) { setError(e); }
  };
  useEffect(() => { void load(); }, []);
  if (error) return <ErrorBox error={error} />;
  if (!self || !peers || !status) return <Loading />;
  const remove = async (p: Peer) => {
    if (!confirm(t('sync_remove_confirm', { name: p.name }))) return;
    setActErr(null);
    try { await del(`/api/v1/sync/peers/${encodeURIComponent(p.id)}`); await load(); } catch (e) { setActErr(e); }
  };
  return (
    <section class="sync">
      <h1>{t('sync_title')}</h1>
      <p class="muted">{t('sync_intro')}</p>
      <section class="panel" aria-labelledby="h-self">
        <h2 id="h-self">{t('sync_self')}</h2>
        <dl class="facts">
          <dt>{t('sync_fingerprint')}</dt><dd><code id="sync-fingerprint" class="fingerprint">{self.fingerprint}</code></dd>
          <dt>{t('sync_public_key')}</dt><dd><code class="wrap" id="sync-public-key">{self.public_key}</code></dd>
        </dl>
        <p class="hint">{t('sync_fingerprint_hint')}</p>
      </section>
      <section class="panel" aria-labelledby="h-status">
        <h2 id="h-status">{t('sync_status')}</h2>
        <ErrorBox error={actErr} />
        {peers.length === 0 ? <p class="muted">{t('sync_no_peers')}</p> : (
          <table class="list sync-peers cards-on-phone">
            <thead><tr>
              <th scope="col">{t('sync_name')}</th><th scope="col">{t('sync_relation')}</th><th scope="col">{t('sync_fingerprint')}</th>
              <th scope="col">{t('sync_last_contact')}</th><th scope="col">{t('sync_out_waiting')}</th><th scope="col">{t('sync_in')}</th>
              <th scope="col">{t('sync_refused')}</th><th scope="col"><span class="visually-hidden">{t('sync_remove')}</span></th>
            </tr></thead>
            <tbody>
              {peers.map((p) => {
                const s = status.peers.find((x) => x.id === p.id);
                return (
                  <tr key={p.id}>
                    <td data-label={t('sync_name')}><strong>{p.name}</strong>{p.url && <><br /><small class="muted">{p.url}</small></>}
                      {p.orgs.length > 0 && <><br /><small class="muted">{p.orgs.join(', ')}</small></>}</td>
                    <td data-label={t('sync_relation')}>{p.relation === 'parent' ? t('sync_rel_parent') : t('sync_rel_child')}</td>
                    <td data-label={t('sync_fingerprint')}><code class="fingerprint">{p.fingerprint}</code></td>
                    <td data-label={t('sync_last_contact')}>{s?.last_contact_at ? fmtDateTime(s.last_contact_at) : t('sync_never')}</td>
                    <td data-label={t('sync_out_waiting')}>{s?.out_waiting ?? 0}
                      {s?.out_oldest_at && <><br /><small class="muted">{t('sync_oldest', { t: fmtDateTime(s.out_oldest_at) })}</small></>}</td>
                    <td data-label={t('sync_in')}>{t('sync_in_text', { n: s?.in_applied ?? 0 })}
                      {s && s.in_waiting > 0 && <><br /><small class="warn">{t('sync_in_waiting', { n: s.in_waiting })}</small></>}
                      {s && s.kept_waiting > 0 && <><br /><small class="warn sync-kept">{t('sync_kept', { n: s.kept_waiting, kinds: [...new Set(s.kept.map((k) => k.kind))].join(', ') })}</small></>}
                      {s?.kept.filter((k) => k.error).map((k) => <span key={k.id}><br /><small class="danger" title={k.error_at ? fmtDateTime(k.error_at) : ''}>{t('sync_kept_failed', { seq: k.seq, kind: k.kind })}: {k.error}</small></span>)}
                      {s && s.kept_applied > 0 && <><br /><small class="muted">{t('sync_kept_applied', { n: s.kept_applied })}</small></>}</td>
                    <td data-label={t('sync_refused')}>{s?.refused ?? 0}
                      {s && Object.keys(s.refused_by_reason).length > 0 && <><br /><small class="muted">{Object.entries(s.refused_by_reason).map(([k, n]) => `${tryT(`sync_reason_${k}`) ?? k}: ${n}`).join(', ')}</small></>}
                      {s?.last_error && <><br /><small class="danger" title={s.last_error_at ? fmtDateTime(s.last_error_at) : ''}>{t('sync_last_error')}: {s.last_error}</small></>}</td>
                    <td><button type="button" class="link danger" onClick={() => void remove(p)}>{t('sync_remove')}</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {status.unknown_refused > 0 && <p class="alert warn">{t('sync_unknown_refused', { n: status.unknown_refused })}</p>}
      </section>
      <NewPeer onDone={load} />
    </section>
  );
}

function NewPeer({ onDone }: { onDone: () => void }) {
  const empty = { name: '', public_key: '', relation: 'parent', url: '', orgs: '' };
  const [v, setV] = useState(empty);
  const [err, setErr] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (p: Partial<typeof empty>) => setV({ ...v, ...p });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setErr(null); setOk(null);
    try {
      const orgs = v.orgs.split(',').map((s) => s.trim()).filter(Boolean);
      const r = await post('/api/v1/sync/peers', { name: v.name.trim(), public_key: v.public_key.trim(), relation: v.relation, orgs, ...(v.url.trim() ? { url: v.url.trim() } : {}) });
      setOk(t('sync_added', { name: r.name, fp: r.fingerprint }));
      setV(empty);
      onDone();
    } catch (x) { setErr(x); } finally { setBusy(false); }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="h-new-peer">
      <h2 id="h-new-peer">{t('sync_add')}</h2>
      <ErrorBox error={err} />
      {ok && <p class="alert info" role="status">{ok}</p>}
      <Field id="peer-name" label={t('sync_name')} req><input id="peer-name" required maxLength={64} value={v.name} onInput={(e) => set({ name: val(e) })} /></Field>
      <Field id="peer-key" label={t('sync_public_key')} req hint={t('sync_key_hint')}><input id="peer-key" required minLength={64} maxLength={64} value={v.public_key} onInput={(e) => set({ public_key: val(e) })} /></Field>
      <Field id="peer-relation" label={t('sync_relation')}>
        <select id="peer-relation" value={v.relation} onChange={(e) => set({ relation: val(e) })}>
          <option value="parent">{t('sync_rel_parent')}</option>
          <option value="child">{t('sync_rel_child')}</option>
        </select>
      </Field>
      <Field id="peer-url" label={t('sync_url')} hint={t('sync_url_hint')}><input id="peer-url" type="url" maxLength={500} value={v.url} onInput={(e) => set({ url: val(e) })} /></Field>
      <Field id="peer-orgs" label={t('sync_orgs')}><input id="peer-orgs" value={v.orgs} onInput={(e) => set({ orgs: val(e) })} /></Field>
      <button type="submit" class="button" disabled={busy}>{t('sync_add')}</button>
    </form>
  );
}
