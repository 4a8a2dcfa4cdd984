// Entry: the shell (header, navigation, language switch) and the route table.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { del } from './api';
import { getLang, setLang, t } from './i18n';
import { app, boot, hasRole, sessionEnded, useApp } from './state';
import { go, useRoute } from './router';
import { Login } from './pages/Login';
import { ReportForm } from './pages/Report';
import { Reported } from './pages/Reported';
import { Queue } from './pages/Queue';
import { Inbox, useInboxCount } from './pages/Inbox';
import { IncidentPage } from './pages/Incident';
import { Directory } from './pages/Directory';
import { Dashboard } from './pages/Dashboard';
import { Account } from './pages/Account';
import { PrintView } from './pages/Print';
import { SyncPage } from './pages/Sync';
import { Received } from './pages/Received';
import { Bell, Deliveries, DutyPage, Notifications, useNotifyCount } from './pages/Duty';
import { MailPage } from './pages/Mail';
import { Alerts } from './pages/Alerts';
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

/** Routes served by the lazily loaded vulnerability-management chunk. */
const ASSET_ROUTES = ['systems', 'hosts', 'findings', 'warnings', 'compliance', 'imports', 'indicators', 'hunts'];
type AssetsModule = typeof import('./pages/assets/index');
let assetsModule: AssetsModule | null = null;

function Assets({ route }: { route: string[] }) {
  const [m, setM] = useState<AssetsModule | null>(assetsModule);
  const [err, setErr] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (m) return;
    import('./pages/assets/index').then((x) => { assetsModule = x; setM(x); }, (e) => setErr(e ?? true));
  }, [n]);
  if (err) {
    return (
      <div class="alert error" role="alert">
        <p>{t('err_chunk')}</p>
        <button type="button" class="button secondary small" onClick={() => { setErr(null); setN(n + 1); }}>{t('retry')}</button>
      </div>
    );
  }
  if (!m) return <Loading />;
  return <m.AssetsRoute route={route} />;
}

/** The "Kế hoạch / Plan" pages (issue 15), loaded on first use (one chunk). */
type PlanModule = typeof import('./pages/plan/Index');
let planModule: PlanModule | null = null;

function Plan({ route }: { route: string[] }) {
  const [m, setM] = useState<PlanModule | null>(planModule);
  const [err, setErr] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (m) return;
    import('./pages/plan/Index').then((x) => { planModule = x; setM(x); }, (e) => setErr(e ?? true));
  }, [n]);
  if (err) {
    return (
      <div class="alert error" role="alert">
        <p>{t('err_chunk')}</p>
        <button type="button" class="button secondary small" onClick={() => { setErr(null); setN(n + 1); }}>{t('retry')}</button>
      </div>
    );
  }
  if (!m) return <Loading />;
  return <m.PlanRoute route={route} />;
}

/** Menu entries under "Thêm" (More): pages of settings, records and admin. */
const MORE = ['compliance', 'imports', 'directory', 'duty', 'mail', 'received', 'sync', 'deliveries'];

function Shell({ route, children }: { route: string[]; children: any }) {
  const u = app.user;
  // On a phone the menu folds behind a button; any navigation closes it.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => { setMenuOpen(false); }, [route.join('/')]);
  // A commune officer runs no network scanner: the nmap/OpenVAS import page
  // is for the district and the agencies with an IT team.
  const communeOnly = app.user?.org?.kind === 'commune' && !hasRole('coordinator', 'admin');
  const nav: [string, string, boolean][] = [
    ['queue', t('nav_queue'), true],
    ['report', t('nav_report'), true],
    ['dashboard', t('nav_dashboard'), true],
    ['systems', t('nav_registry'), true],
    ['findings', t('nav_findings'), true],
    ['warnings', t('nav_warnings'), true],
    // Indicators and hunts: writers (focal, coordinator, responder, admin); leaders read.
    ['indicators', t('nav_indicators'), hasRole('focal', 'coordinator', 'responder', 'admin', 'leader')],
    ['hunts', t('nav_hunts'), hasRole('focal', 'coordinator', 'responder', 'admin', 'leader')],
    // Syslog alerts (h/syslog): the IT roles and leaders of the subtree
    ['alerts', t('nav_alerts'), hasRole('focal', 'coordinator', 'responder', 'admin', 'leader')],
    ['compliance', t('nav_compliance'), true],
    ['plan', t('nav_plan'), true],
    ['imports', t('nav_imports'), hasRole('focal', 'coordinator', 'admin') && !communeOnly],
    ['directory', t('nav_directory'), true],
    // What the other instances sent (h/fed-ui): everyone; the server scopes it.
    ['received', t('nav_received'), true],
    ['sync', t('nav_sync'), hasRole('admin')],
    ['duty', t('nav_duty'), true],
    ['deliveries', t('nav_deliveries'), hasRole('admin')],
    // Mailed reports from unknown senders: the coordinators of the instance's
    // home organisation (the district, or the root); the server decides (h/mail).
    ['mail', t('nav_mail'), hasRole('coordinator') && (app.user?.org?.kind === 'district' || !app.user?.org?.parent_id)],
  ];
  const here = route[0] === 'hosts' ? 'systems' : route[0] ?? 'queue';
  const inbox = useInboxCount(!!u);
  const bell = useNotifyCount(!!u);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('skip_to_content')}</a>
      <header class={`top${menuOpen ? ' menu-open' : ''}`}>
        <a class="brand" href="#/queue"><span class="logo" aria-hidden="true">⛑</span> ungcuu <small>{t('app_tagline')}</small></a>
        {u && (
          <button type="button" class="menu-button" aria-expanded={menuOpen} aria-controls="main-nav"
            onClick={() => setMenuOpen(!menuOpen)}>
            <span aria-hidden="true">{menuOpen ? '✕' : '☰'}</span> {menuOpen ? t('menu_close') : t('menu')}
          </button>
        )}
        {u && (
          <nav aria-label={t('nav_label')} id="main-nav">
            {nav.filter((n) => n[2] && !MORE.includes(n[0])).map(([r, label]) => (
              <a href={`#/${r}`} class={here === r || (r === 'queue' && here === 'incidents') ? 'active' : ''}
                aria-current={here === r ? 'page' : undefined}>{label}</a>
            ))}
            {/* The less daily pages under one entry, so that the header keeps
                one row at 1366 px; on a phone they are listed like the rest. */}
            <details class="more" key={route.join('/')}>
              <summary class={MORE.includes(here) ? 'active' : ''}>{t('nav_more')}</summary>
              <div class="more-list">
                {nav.filter((n) => n[2] && MORE.includes(n[0])).map(([r, label]) => (
                  <a href={`#/${r}`} class={here === r ? 'active' : ''} aria-current={here === r ? 'page' : undefined}>{label}</a>
                ))}
              </div>
            </details>
            <a href="#/inbox" id="nav-inbox" class={here === 'inbox' ? 'active' : ''} aria-current={here === 'inbox' ? 'page' : undefined}>
              {t('nav_inbox')}{inbox ? <span class="badge count" aria-label={t('inbox_count', { n: inbox })}> {inbox}</span> : null}
            </a>
          </nav>
        )}
        <div class="who">
          {u && <Bell n={bell} />}
          {u && <a class="user" id="nav-account" href="#/account" title={t('nav_account')}>{u.full_name || u.username}<small> · {u.org?.name}</small></a>}
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
    case 'account': page = <Account />; break;
    case 'inbox': page = <Inbox />; break;
    case 'notifications': page = <Notifications />; break;
    case 'duty': page = <DutyPage />; break;
    case 'deliveries': page = <Deliveries />; break;
    case 'alerts': page = <Alerts />; break;
    case 'plan': page = <Plan route={route} />; break;
    case 'sync': page = <SyncPage />; break;
    case 'received': page = <Received />; break;
    case 'mail': page = <MailPage />; break;
    default: page = ASSET_ROUTES.includes(a) ? <Assets route={route} /> : <Queue />;
  }
  return <Shell route={route}>{page}</Shell>;
}

void boot();
render(<App />, document.getElementById('app')!);
