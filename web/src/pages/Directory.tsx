// Directory: the organisation tree, people and their roles, response-force
// contacts with on-duty marks. Admins (and coordinators for contacts) manage them here;
// the server decides who may.
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post } from '../api';
import { t } from '../i18n';
import { app, codes, hasRole, lbl, loadMeta, orgTree, type Org, type User } from '../state';
import { ErrorBox, Field, Loading } from '../components/ui';

const ORG_KINDS = ['national', 'province', 'district', 'agency', 'commune', 'telecom', 'provider'];
const ROLES = ['reporter', 'focal', 'coordinator', 'responder', 'leader', 'admin'];

interface Contact { id: string; org: Org; name: string; phone?: string; email?: string; network_role?: string; on_duty: boolean }

const val = (e: Event) => (e.target as HTMLInputElement).value;

const tree = orgTree;

export function Directory() {
  const [users, setUsers] = useState<User[] | null>(null);
  const [contacts, setContacts] = useState<Contact[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actErr, setActErr] = useState<unknown>(null);
  const admin = hasRole('admin');

  const load = async () => {
    try {
      const [u, c] = await Promise.all([get('/api/v1/users?limit=200'), get('/api/v1/contacts?limit=200'), loadMeta()]);
      setUsers(u.items ?? []);
      setContacts(c.items ?? []);
    } catch (e) { setError(e); }
  };
  useEffect(() => { void load(); }, []);

  const act = async (fn: () => Promise<unknown>) => {
    setActErr(null);
    try { await fn(); await load(); } catch (e) { setActErr(e); }
  };

  if (error) return <ErrorBox error={error} />;
  if (!users || !contacts || !app.orgs) return <Loading />;
  const orgs = tree(app.orgs);
  const byOrg = (id: string) => users.filter((u) => u.org?.id === id);

  return (
    <section class="directory">
      <h1>{t('directory_title')}</h1>
      <ErrorBox error={actErr} />
      <section class="panel" aria-labelledby="h-contacts">
        <h2 id="h-contacts">{t('contacts')}</h2>
        <table class="list contacts">
          <thead><tr><th scope="col">{t('f_name')}</th><th scope="col">{t('org')}</th><th scope="col">{t('network_role')}</th><th scope="col">{t('f_phone')}</th><th scope="col">{t('f_email')}</th><th scope="col">{t('on_duty')}</th></tr></thead>
          <tbody>
            {contacts.map((c) => (
              <tr key={c.id} class={c.on_duty ? 'on-duty' : ''}>
                <td data-label={t('f_name')}>{c.name}</td>
                <td data-label={t('org')}>{c.org?.name}</td>
                <td data-label={t('network_role')}>{c.network_role}</td>
                <td data-label={t('f_phone')}>{c.phone && <a href={`tel:${c.phone}`}>{c.phone}</a>}</td>
                <td data-label={t('f_email')}>{c.email && <a href={`mailto:${c.email}`}>{c.email}</a>}</td>
                <td data-label={t('on_duty')}>
                  {hasRole('admin', 'coordinator') ? (
                    <label class="check">
                      <input type="checkbox" checked={c.on_duty} onChange={() => act(() => patch(`/api/v1/contacts/${encodeURIComponent(c.id)}`, { on_duty: !c.on_duty }))} />
                      {' '}{c.on_duty ? t('on_duty_yes') : t('on_duty_no')}
                    </label>
                  ) : c.on_duty ? <span class="badge duty">{t('on_duty_yes')}</span> : <span class="muted">{t('on_duty_no')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {hasRole('admin', 'coordinator') && <NewContact orgs={app.orgs} onDone={load} />}
      </section>
      <div class={admin ? 'dir-grid' : ''}>
        <section class="panel" aria-labelledby="h-orgs">
          <h2 id="h-orgs">{t('orgs_people')}</h2>
          <ul class="org-tree">
            {orgs.map(({ org, depth }) => (
              <li key={org.id} style={{ paddingLeft: `${depth * 1.25}rem` }}>
                <strong>{org.name}</strong> <small class="muted">{org.code} · {lbl('org_kinds', org.kind)}</small>
                {byOrg(org.id).length > 0 && (
                  <ul class="people">
                    {byOrg(org.id).map((u) => (
                      <li key={u.id} class={u.disabled ? 'disabled' : ''}>
                        <span>{u.full_name || u.username}</span> <small class="muted">({u.username})</small>{' '}
                        {u.roles.map((r) => <span class="badge role">{lbl('roles', r)}</span>)}
                        {u.phone && <> <a href={`tel:${u.phone}`}>{u.phone}</a></>}
                        {u.email && <> <a href={`mailto:${u.email}`}>{u.email}</a></>}
                        {u.disabled && <span class="badge">{t('disabled')}</span>}
                        {admin && !u.disabled && u.id !== app.user?.id && (
                          <button type="button" class="link danger" onClick={() => {
                            if (confirm(t('disable_confirm', { name: u.full_name || u.username }))) void act(() => post(`/api/v1/users/${encodeURIComponent(u.id)}/disable`));
                          }}>{t('disable_user')}</button>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        </section>

        {admin && (
          <div>
            <NewUser orgs={app.orgs} onDone={load} />
            <NewOrg orgs={app.orgs} onDone={load} />
          </div>
        )}
      </div>
    </section>
  );
}

function useForm<T>(init: () => T) {
  const [v, setV] = useState<T>(init);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [ok, setOk] = useState(false);
  const submit = (fn: (v: T) => Promise<unknown>, done: () => void) => async (e: Event) => {
    e.preventDefault();
    setBusy(true); setErr(null); setOk(false);
    try { await fn(v); setV(init()); setOk(true); done(); } catch (x) { setErr(x); } finally { setBusy(false); }
  };
  return { v, set: (p: Partial<T>) => setV((o) => ({ ...o, ...p })), err, busy, ok, submit };
}

function OrgSelect({ id, label, orgs, value, onChange, empty }: { id: string; label: string; orgs: Org[]; value: string; onChange: (v: string) => void; empty?: string }) {
  return (
    <Field id={id} label={label}>
      <select id={id} value={value} onChange={(e) => onChange(val(e))} required={!empty}>
        {empty !== undefined ? <option value="">{empty}</option> : <option value="">{t('choose')}</option>}
        {tree(orgs).map(({ org, depth }) => <option value={org.code}>{'\u00a0\u00a0'.repeat(depth)}{org.name}</option>)}
      </select>
    </Field>
  );
}

function NewOrg({ orgs, onDone }: { orgs: Org[]; onDone: () => void }) {
  const f = useForm(() => ({ code: '', name: '', kind: 'agency', parent_code: '' }));
  return (
    <form class="panel" onSubmit={f.submit((v) => post('/api/v1/orgs', { ...v, parent_code: v.parent_code || undefined }), onDone)}>
      <h2>{t('new_org')}</h2>
      <ErrorBox error={f.err} />
      {f.ok && <p class="alert info" role="status">{t('saved')}</p>}
      <Field id="org-name" label={t('org_name')} req><input id="org-name" required value={f.v.name} onInput={(e) => f.set({ name: val(e) })} /></Field>
      <Field id="org-code" label={t('org_code')} req hint={t('hint_org_code')}><input id="org-code" required value={f.v.code} onInput={(e) => f.set({ code: val(e) })} /></Field>
      <Field id="org-kind" label={t('org_kind')}>
        <select id="org-kind" value={f.v.kind} onChange={(e) => f.set({ kind: val(e) })}>
          {codes('org_kinds', ORG_KINDS).map((k) => <option value={k}>{lbl('org_kinds', k)}</option>)}
        </select>
      </Field>
      <OrgSelect id="org-parent" label={t('org_parent')} orgs={orgs} value={f.v.parent_code} onChange={(v) => f.set({ parent_code: v })} />
      <button type="submit" class="button primary" disabled={f.busy}>{t('create_org')}</button>
    </form>
  );
}

function NewUser({ orgs, onDone }: { orgs: Org[]; onDone: () => void }) {
  const f = useForm(() => ({ username: '', password: '', org_code: '', roles: ['reporter'] as string[], full_name: '', email: '', phone: '' }));
  return (
    <form class="panel" onSubmit={f.submit((v) => {
      const body: any = { ...v };
      for (const k of ['email', 'phone', 'full_name']) if (!body[k]) delete body[k];
      return post('/api/v1/users', body);
    }, onDone)}>
      <h2>{t('new_user')}</h2>
      <ErrorBox error={f.err} />
      {f.ok && <p class="alert info" role="status">{t('saved')}</p>}
      <div class="grid2">
        <Field id="user-full-name" label={t('f_name')}><input id="user-full-name" value={f.v.full_name} onInput={(e) => f.set({ full_name: val(e) })} /></Field>
        <Field id="user-username" label={t('username')} req><input id="user-username" required autocomplete="off" value={f.v.username} onInput={(e) => f.set({ username: val(e) })} /></Field>
        <Field id="user-password" label={t('password')} req><input id="user-password" type="password" required autocomplete="new-password" value={f.v.password} onInput={(e) => f.set({ password: val(e) })} /></Field>
        <OrgSelect id="user-org" label={t('org')} orgs={orgs} value={f.v.org_code} onChange={(v) => f.set({ org_code: v })} />
        <Field id="user-email" label={t('f_email')}><input id="user-email" type="email" value={f.v.email} onInput={(e) => f.set({ email: val(e) })} /></Field>
        <Field id="user-phone" label={t('f_phone')}><input id="user-phone" type="tel" value={f.v.phone} onInput={(e) => f.set({ phone: val(e) })} /></Field>
      </div>
      <fieldset>
        <legend>{t('roles')}</legend>
        <div class="checks">
          {codes('roles', ROLES).map((r) => (
            <label class="check" key={r}>
              <input type="checkbox" checked={f.v.roles.includes(r)} onChange={() => f.set({ roles: f.v.roles.includes(r) ? f.v.roles.filter((x) => x !== r) : [...f.v.roles, r] })} />
              {' '}{lbl('roles', r)}
            </label>
          ))}
        </div>
      </fieldset>
      <button type="submit" class="button primary" disabled={f.busy}>{t('create_user')}</button>
    </form>
  );
}

function NewContact({ orgs, onDone }: { orgs: Org[]; onDone: () => void }) {
  const f = useForm(() => ({ org_code: app.user?.org?.code ?? '', name: '', phone: '', email: '', network_role: '', on_duty: false }));
  return (
    <details>
      <summary>{t('add_contact')}</summary>
      <form class="subform" onSubmit={f.submit((v) => {
        const body: any = { ...v };
        for (const k of ['email', 'phone', 'network_role']) if (!body[k]) delete body[k];
        return post('/api/v1/contacts', body);
      }, onDone)}>
        <ErrorBox error={f.err} />
        <OrgSelect id="contact-org" label={t('org')} orgs={orgs} value={f.v.org_code} onChange={(v) => f.set({ org_code: v })} />
        <div class="grid2">
          <Field id="contact-name" label={t('f_name')} req><input id="contact-name" required value={f.v.name} onInput={(e) => f.set({ name: val(e) })} /></Field>
          <Field id="contact-role" label={t('network_role')}><input id="contact-role" value={f.v.network_role} onInput={(e) => f.set({ network_role: val(e) })} /></Field>
          <Field id="contact-phone" label={t('f_phone')}><input id="contact-phone" type="tel" value={f.v.phone} onInput={(e) => f.set({ phone: val(e) })} /></Field>
          <Field id="contact-email" label={t('f_email')}><input id="contact-email" type="email" value={f.v.email} onInput={(e) => f.set({ email: val(e) })} /></Field>
        </div>
        <label class="check"><input type="checkbox" checked={f.v.on_duty} onChange={() => f.set({ on_duty: !f.v.on_duty })} /> {t('on_duty')}</label>
        <button type="submit" class="button primary" disabled={f.busy}>{t('add')}</button>
      </form>
    </details>
  );
}
