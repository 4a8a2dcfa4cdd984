// Entry: the shell (header, navigation, language switch) and the route table.
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { del } from './api';
import { getLang, setLang, t } from './i18n';
import { app, boot, sessionEnded, useApp } from './state';
import { go, useRoute } from './router';
import { Login } from './pages/Login';
import { ReportForm } from './pages/Report';
import { Reported } from './pages/Reported';
import { Queue } from './pages/Queue';
import { IncidentPage } from './pages/Incident';
import { Directory } from './pages/Directory';
import { Dashboard } from './pages/Dashboard';
import { PrintView } from './pages/Print';
import { Loading } from './components/ui';
import './style.css';

function LangSwitch() {
  const en = getLang() === 'en';
  return (
    <button type="button" class="link lang" lang={en ? 'vi' : 'en'} onClick={() => setLang(en ? 'vi' : 'en')}>
      {t('lang_switch')}
    </button>
  );
}

async function logout() {
  try { await del('/api/v1/session', { no401: true }); } catch { /* gone already */ }
  sessionEnded({ kind: 'info', text: 'logged_out' });
  go('/login');
}

function Shell({ route, children }: { route: string[]; children: any }) {
  const u = app.user;
  const nav: [string, string, boolean][] = [
    ['queue', t('nav_queue'), true],
    ['report', t('nav_report'), true],
    ['dashboard', t('nav_dashboard'), true],
    ['directory', t('nav_directory'), true],
  ];
  const here = route[0] ?? 'queue';
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('skip_to_content')}</a>
      <header class="top">
        <a class="brand" href="#/queue"><span class="logo" aria-hidden="true">⛑</span> ungcuu <small>{t('app_tagline')}</small></a>
        {u && (
          <nav aria-label={t('nav_label')}>
            {nav.filter((n) => n[2]).map(([r, label]) => (
              <a href={`#/${r}`} class={here === r || (r === 'queue' && here === 'incidents') ? 'active' : ''}
                aria-current={here === r ? 'page' : undefined}>{label}</a>
            ))}
          </nav>
        )}
        <div class="who">
          {u && <span class="user" title={u.org?.name}>{u.full_name || u.username}<small> · {u.org?.name}</small></span>}
          <LangSwitch />
          {u && <button type="button" class="link" onClick={logout}>{t('logout')}</button>}
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}

function App() {
  useApp();
  const route = useRoute();
  useEffect(() => { document.documentElement.lang = getLang(); document.title = `ungcuu — ${t('app_tagline')}`; });
  if (!app.ready) return <Loading />;
  if (!app.user || route[0] === 'login') {
    if (app.user && route[0] === 'login') { go('/queue'); return null; }
    return <Shell route={route}><Login /></Shell>;
  }
  const [a, b, c, d] = route;
  if (a === 'incidents' && b && c === 'print') return <PrintView id={b} form={d === '04' ? '04' : '03'} />;
  let page;
  switch (a) {
    case 'report': page = <ReportForm />; break;
    case 'reported': page = <Reported id={b} />; break;
    case 'incidents': page = b ? <IncidentPage id={b} key={b} /> : <Queue />; break;
    case 'directory': page = <Directory />; break;
    case 'dashboard': page = <Dashboard />; break;
    default: page = <Queue />;
  }
  return <Shell route={route}>{page}</Shell>;
}

void boot();
render(<App />, document.getElementById('app')!);
