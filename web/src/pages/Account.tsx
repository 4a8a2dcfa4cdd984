// One's own account: the second factor (TOTP) - turn it on (password, then
// the secret for the authenticator app, then a code; the recovery codes are
// shown once), new recovery codes, turn it off - and the password.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post } from '../api';
import { t } from '../i18n';
import { sessionEnded } from '../state';
import { go } from '../router';
import { ErrorBox, Field, Loading } from '../components/ui';
import { encode } from 'uqr';
import { NotifyPrefsCard } from './Duty';

interface SecondFactor { enabled: boolean; required: boolean; recovery_codes_left: number }

/** The otpauth:// URI as a QR code to scan, drawn as SVG rectangles
 * (uqr only computes the modules; nothing is injected as markup). */
function QrCode({ text, label }: { text: string; label: string }) {
  const q = encode(text, { ecc: 'M', border: 2 });
  const path = q.data.flatMap((row, y) => row.map((on, x) => (on ? `M${x} ${y}h1v1h-1z` : ''))).join('');
  return (
    <svg id="otp-qr" class="qr" role="img" aria-label={label} viewBox={`0 0 ${q.size} ${q.size}`}
      width={q.size * 5} height={q.size * 5} shape-rendering="crispEdges">
      <rect width={q.size} height={q.size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

/** The secret of an enrolment: a QR code, the otpauth:// link and the text to type. */
export function TotpSecret({ secret, uri }: { secret: string; uri: string }) {
  const grouped = secret.replace(/(.{4})/g, '$1 ').trim();
  return (
    <div class="totp-secret">
      <p>{t('otp_secret_intro')}</p>
      <QrCode text={uri} label={t('otp_qr')} />
      <p><a id="otp-uri" href={uri}>{t('otp_open_app')}</a></p>
      <p>{t('otp_secret_label')} <code id="otp-secret" data-secret={secret}>{grouped}</code></p>
    </div>
  );
}

/** The recovery codes, shown once. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div class="recovery-codes" role="status">
      <p>{t('otp_codes_intro')}</p>
      <ol id="recovery-codes">{codes.map((c) => <li><code>{c}</code></li>)}</ol>
    </div>
  );
}

function fieldErr(err: unknown, pointer: string): string | undefined {
  return err instanceof ApiError ? err.fields()[pointer] : undefined;
}

function SecondFactorCard() {
  const [sf, setSf] = useState<SecondFactor | null>(null);
  const [n, setN] = useState(0);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [secret, setSecret] = useState<{ secret: string; uri: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    get('/api/v1/session').then((s) => setSf(s.second_factor), (e) => setErr(e));
  }, [n]);

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setErr(null);
    setNote(null);
    try { await f(); } catch (e) { setErr(e); } finally { setBusy(false); setCode(''); setPassword(''); }
  };
  const begin = (e: Event) => { e.preventDefault(); void run(async () => { setSecret(await post('/api/v1/account/totp', { password })); }); };
  const confirm = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await post('/api/v1/account/totp/confirm', { code: code.trim() });
      setSecret(null);
      setCodes(r.recovery_codes);
      setN(n + 1);
    });
  };
  const newCodes = (e: Event) => {
    e.preventDefault();
    void run(async () => { setCodes((await post('/api/v1/account/recovery-codes', { code: code.trim() })).recovery_codes); setN(n + 1); });
  };
  const off = (e: Event) => {
    e.preventDefault();
    void run(async () => { await post('/api/v1/account/totp/disable', { code: code.trim() }); setCodes(null); setNote(t('otp_off_done')); setN(n + 1); });
  };

  if (!sf && !err) return <Loading />;
  const codeField = (id: string) => (
    <Field label={t('otp_code_or_recovery')} id={id} error={fieldErr(err, '/code')} req>
      <input id={id} autocomplete="one-time-code" required maxLength={64} value={code}
        onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
    </Field>
  );
  return (
    <section class="card" aria-labelledby="otp-h">
      <h2 id="otp-h">{t('otp_section')}</h2>
      {sf && (
        <p id="otp-state">
          {sf.enabled ? t('otp_state_on', { n: sf.recovery_codes_left }) : t('otp_state_off')}
          {sf.required && <> {t('otp_state_required')}</>}
        </p>
      )}
      {note && <div class="alert info" role="status">{note}</div>}
      {codes && <RecoveryCodes codes={codes} />}
      {err && !(err instanceof ApiError && err.status === 422) ? <ErrorBox error={err} /> : null}
      {sf && !sf.enabled && !secret && (
        <form onSubmit={begin}>
          <Field label={t('otp_password_again')} id="otp-password" error={fieldErr(err, '/password')} req>
            <input id="otp-password" type="password" autocomplete="current-password" required value={password}
              onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </Field>
          <button type="submit" id="otp-begin" class="button primary" disabled={busy}>{t('otp_turn_on')}</button>
        </form>
      )}
      {secret && (
        <form onSubmit={confirm}>
          <TotpSecret secret={secret.secret} uri={secret.uri} />
          <Field label={t('otp_code')} id="otp-confirm-code" error={fieldErr(err, '/code')} req>
            <input id="otp-confirm-code" autocomplete="one-time-code" inputMode="numeric" required maxLength={6} value={code}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
          </Field>
          <button type="submit" id="otp-confirm" class="button primary" disabled={busy}>{t('otp_verify')}</button>
        </form>
      )}
      {sf && sf.enabled && (
        <form onSubmit={(e) => e.preventDefault()}>
          {codeField('otp-manage-code')}
          <button type="button" id="otp-new-codes" class="button secondary" disabled={busy} onClick={newCodes}>{t('otp_new_codes')}</button>{' '}
          {!sf.required && <button type="button" id="otp-off" class="button secondary" disabled={busy} onClick={off}>{t('otp_turn_off')}</button>}
        </form>
      )}
    </section>
  );
}

function PasswordCard() {
  const [cur, setCur] = useState('');
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    setMismatch(pw !== pw2);
    if (pw !== pw2) return;
    setBusy(true);
    try {
      await post('/api/v1/account/password', { current_password: cur, new_password: pw });
      sessionEnded({ kind: 'info', text: 'password_changed' });
      go('/login');
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
      setCur('');
    }
  };
  return (
    <section class="card" aria-labelledby="pw-h">
      <h2 id="pw-h">{t('password_section')}</h2>
      <p class="muted">{t('password_rules')}</p>
      {err && !(err instanceof ApiError && err.status === 422) ? <ErrorBox error={err} /> : null}
      <form onSubmit={submit}>
        <Field label={t('password_current')} id="pw-current" error={fieldErr(err, '/current_password')} req>
          <input id="pw-current" type="password" autocomplete="current-password" required value={cur}
            onInput={(e) => setCur((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label={t('password_new')} id="pw-new" error={fieldErr(err, '/new_password')} req>
          <input id="pw-new" type="password" autocomplete="new-password" required minLength={12} value={pw}
            onInput={(e) => setPw((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label={t('password_new_again')} id="pw-new2" error={mismatch ? t('password_mismatch') : undefined} req>
          <input id="pw-new2" type="password" autocomplete="new-password" required value={pw2}
            onInput={(e) => setPw2((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit" class="button primary" disabled={busy}>{t('password_change')}</button>
      </form>
    </section>
  );
}

export function Account() {
  return (
    <>
      <h1>{t('account_title')}</h1>
      <SecondFactorCard />
      <PasswordCard />
      <NotifyPrefsCard />
    </>
  );
}
