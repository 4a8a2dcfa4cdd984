// Log in: plain words for wrong passwords and lock-outs.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, post } from '../api';
import { t, tryT } from '../i18n';
import { app, sessionStarted, setApp } from '../state';
import { go } from '../router';
import { errText, lockText } from '../components/ui';

export function Login() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const flash = app.flash;
  const userRef = useRef<HTMLInputElement>(null);
  useEffect(() => { userRef.current?.focus(); }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await post('/api/v1/session', { username: username.trim(), password }, { no401: true });
      const back = sessionStorage.getItem('ungcuu.back');
      sessionStorage.removeItem('ungcuu.back');
      go(back && !back.startsWith('#/login') ? back : '/queue');
      sessionStarted(s.user, s.csrf);
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
