// Log in: the password, then a second factor where due (a code from the
// authenticator app or a recovery code; or, where the instance requires one
// and the person has none, enrolment right here). Every failed password
// gets the same words: the server does not say why.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, post } from '../api';
import { t, tryT } from '../i18n';
import { app, sessionStarted, setApp, type User } from '../state';
import { go } from '../router';
import { errText, lockText } from '../components/ui';
import { RecoveryCodes, TotpSecret } from './Account';

interface Challenge { second_factor: 'totp' | 'enrol'; challenge: string; totp?: { secret: string; uri: string } }
interface Session { user: User; csrf: string; recovery_codes?: string[] }

function finish(s: Session) {
  const back = sessionStorage.getItem('ungcuu.back');
  sessionStorage.removeItem('ungcuu.back');
  go(back && !back.startsWith('#/login') ? back : '/queue');
  sessionStarted(s.user, s.csrf);
}

export function Login() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<Challenge | null>(null);
  const [done, setDone] = useState<Session | null>(null);
  const flash = app.flash;
  const userRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  useEffect(() => { userRef.current?.focus(); }, []);
  useEffect(() => { if (step) codeRef.current?.focus(); }, [step]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await post<Session | Challenge>('/api/v1/session', { username: username.trim(), password }, { no401: true });
      setPassword('');
      if ('challenge' in s) setStep(s);
      else finish(s);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('login_bad'));
      else if (err instanceof ApiError && err.status === 429) setError(lockText(err.retryAfter));
      else setError(errText(err));
      setPassword('');
      setApp({ flash: null });
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: Event) => {
    e.preventDefault();
    if (!step) return;
    setBusy(true);
    setError(null);
    try {
      const s = await post<Session>('/api/v1/session/second-factor', { challenge: step.challenge, code: code.trim() }, { no401: true });
      setCode('');
      if (s.recovery_codes) setDone(s);
      else finish(s);
    } catch (err) {
      setCode('');
      if (err instanceof ApiError && err.status === 401) {
        // A dead challenge (expired, too many codes) means starting again.
        if ('/challenge' in err.fields()) { setStep(null); setError(t('otp_again')); } else setError(t('otp_bad'));
      } else {
        setError(errText(err));
      }
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <section class="login card">
        <h1>{t('otp_codes_title')}</h1>
        <RecoveryCodes codes={done.recovery_codes!} />
        <button type="button" id="recovery-saved" class="button primary" onClick={() => finish(done)}>{t('otp_codes_saved')}</button>
      </section>
    );
  }

  if (step) {
    const enrol = step.second_factor === 'enrol';
    return (
      <section class="login card">
        <h1>{enrol ? t('otp_enrol_title') : t('otp_title')}</h1>
        {enrol && <p class="muted" id="otp-enrol-required">{t('otp_enrol_required')}</p>}
        {enrol && step.totp && <TotpSecret secret={step.totp.secret} uri={step.totp.uri} />}
        <p class="muted">{enrol ? t('otp_enrol_confirm') : t('otp_intro')}</p>
        {error && <div class="alert error" role="alert" id="login-error">{error}</div>}
        <form onSubmit={submitCode}>
          <div class="field">
            <label for="login-code">{enrol ? t('otp_code') : t('otp_code_or_recovery')}</label>
            <input id="login-code" ref={codeRef} name="code" autocomplete="one-time-code" inputMode={enrol ? 'numeric' : 'text'}
              required maxLength={64} value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
          </div>
          <button type="submit" class="button primary" disabled={busy}>{busy ? t('logging_in') : t('otp_verify')}</button>{' '}
          <button type="button" class="link" onClick={() => { setStep(null); setError(null); setCode(''); }}>{t('otp_cancel')}</button>
        </form>
      </section>
    );
  }

  return (
    <section class="login card">
      <h1>{t('login_title')}</h1>
      <p class="muted">{t('login_intro')}</p>
      {flash && !error && (
        <div class={`alert ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>{tryT(flash.text) ?? flash.text}</div>
      )}
      {error && <div class="alert error" role="alert" id="login-error">{error}</div>}
      <form onSubmit={submit}>
        <div class="field">
          <label for="login-username">{t('username')}</label>
          <input id="login-username" ref={userRef} name="username" autocomplete="username" required
            value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="login-password">{t('password')}</label>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required
            value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="button primary" disabled={busy}>{busy ? t('logging_in') : t('login')}</button>
      </form>
    </section>
  );
}
