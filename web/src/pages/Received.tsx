// "Từ đơn vị khác / From other instances" (issue 16, h/fed-ui): what the
// peers sent — sightings of our shared indicators and Mẫu 05 reports from
// the instances below, hunt summaries, incidents mirrored from below (a link
// to each in the queue), warnings and indicators from above — each with the
// sending instance, the time and its state. Sections as tabs with their
// counts, filters in the URL, pages from the server (keyset cursor). The
// server shows each reader its subtree's items only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api';
import { t, type Key } from '../i18n';
import { lbl } from '../state';
import { ErrorBox, Loading, SeverityBadge, TlpBadge, usePoll } from '../components/ui';
import { ListFilters, useUrlFilters, listQuery } from '../components/ListPage';
import { fmtDateTime } from '../time';

const SECTIONS = ['incident', 'warning', 'indicator', 'sighting', 'periodic', 'hunt_summary'] as const;
type Section = typeof SECTIONS[number];

interface Item {
  id: string; section: Section; peer: { id: string; name: string; relation: 'parent' | 'child' };
  at: string | null; state: string; title: string; org: { code: string; name: string };
  incident?: { id: string; number: string }; origin_org?: { code: string; name: string };
  severity?: string; reference?: string; deadline?: string | null; kind?: string; tlp?: string;
  detail?: Record<string, any>; indicator?: { id: string; kind: string }; hunt?: { id: string; status: string };
}
interface Answer { items: Item[]; next_cursor: string | null; counts: Record<Section, number>; peers: { name: string; relation: string }[] }

/** Where an item opens here, if it is a record of ours. */
function hrefOf(x: Item): string | null {
  switch (x.section) {
    case 'incident': return x.incident ? `#/incidents/${x.incident.id}` : null;
    case 'warning': return `#/warnings/${x.id}`;
    case 'indicator': return `#/indicators/${x.id}`;
    case 'sighting': return x.indicator ? `#/indicators/${x.indicator.id}` : null;
    case 'hunt_summary': return x.hunt ? `#/hunts/${x.hunt.id}` : null;
    default: return null;
  }
}

function titleOf(x: Item): string {
  const d = x.detail ?? {};
  if (x.section === 'periodic') return t('rc_periodic_title', { period: [d.period, d.year].filter(Boolean).join(' ') });
  if (x.section === 'incident' && x.incident) return `${x.incident.number} · ${x.title}`;
  if (x.title) return x.title;
  if (x.section === 'hunt_summary') return t('rc_hunt_unknown');
  if (x.section === 'sighting') return t('rc_sighting_unknown');
  return x.id;
}

function stateText(x: Item): string {
  if (x.section === 'incident') return lbl('states', x.state);
  return t(`rc_state_${x.state}` as Key);
}

/** The line under the title: what the section says beyond it. */
function Facts({ x }: { x: Item }) {
  const d = x.detail ?? {};
  switch (x.section) {
    case 'incident':
      return <>{t('rc_origin_org')}: {x.origin_org?.name}</>;
    case 'warning':
      return <><SeverityBadge severity={x.severity} />{x.deadline && <> · {t('rc_deadline')} {fmtDateTime(x.deadline)}</>}{x.reference && <> · {x.reference}</>}</>;
    case 'indicator':
      return <><TlpBadge tlp={x.tlp} /> {x.kind}</>;
    case 'sighting':
      return <>{t('rc_seen_at')} {fmtDateTime(d.seen_at)}{d.source && <> · {t('rc_source')}: {d.source}</>}</>;
    case 'periodic':
      return <>{d.period_from && <>{fmtDateTime(d.period_from)} – {fmtDateTime(d.period_to)} · </>}{t('rc_sent_at')} {fmtDateTime(d.sent_at)}</>;
    case 'hunt_summary':
      return <>{t('rc_hunt_counts', { runs: d.runs ?? 0, files: d.files ?? 0, hits: d.hits ?? 0, errors: d.errors ?? 0 })}</>;
    default:
      return null;
  }
}

function Row({ x }: { x: Item }) {
  const href = hrefOf(x);
  const title = titleOf(x);
  const ended = ['withdrawn', 'revoked', 'closed', 'rejected'].includes(x.state);
  return (
    <li class={`received-item rc-${x.section}${ended ? ' ended' : ''}`} id={`rc-${x.id}`}>
      <div class="received-head">
        <span class={`badge rc-section rc-${x.section}`}>{t(`rc_sec_${x.section}` as Key)}</span>{' '}
        {href ? <a href={href} class="rc-title">{title}</a> : <strong class="rc-title">{title}</strong>}{' '}
        <span class={`badge rc-state st-${x.state}`}>{stateText(x)}</span>
      </div>
      <div class="muted received-meta">
        <span class="rc-from">{t(x.peer.relation === 'parent' ? 'rc_from_parent' : 'rc_from_child', { name: x.peer.name })}</span>
        {' · '}<span class="rc-org">{x.org.name}</span>
        {' · '}<time dateTime={x.at ?? undefined}>{fmtDateTime(x.at)}</time>
      </div>
      <div class="received-facts"><Facts x={x} /></div>
    </li>
  );
}

export function Received() {
  const [f, setF] = useUrlFilters({ section: '', peer: '', state: '', q: '', sort: 'at' });
  const url = `/api/v1/sync/received?${listQuery({ section: f.section, peer: f.peer, state: f.state, q: f.q, sort: f.sort === 'at' ? '' : f.sort }, { limit: '50' })}`;
  const [ans, setAns] = useState<Answer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const live = useRef(0);
  const load = () => {
    const mine = ++live.current;
    get(url).then((r: Answer) => { if (live.current === mine) { setAns(r); setError(null); } },
      (e) => { if (live.current === mine) setError(e); });
  };
  useEffect(() => { setAns(null); load(); }, [url]);
  // What the peers send arrives with the sync loop: the first page keeps
  // itself current (unless more pages were opened).
  usePoll(() => { if ((ans?.items.length ?? 0) <= 50) load(); }, 15_000, [url, ans]);
  const more = ans?.next_cursor ? () => {
    const mine = live.current;
    get(`${url}&cursor=${encodeURIComponent(ans.next_cursor!)}`).then((r: Answer) => {
      if (live.current === mine) setAns({ ...r, items: [...ans.items, ...r.items] });
    }, setError);
  } : null;
  const total = ans ? SECTIONS.reduce((s, k) => s + (ans.counts[k] ?? 0), 0) : 0;
  return (
    <section class="received">
      <div class="page-head"><h1>{t('rc_title')}</h1></div>
      <p class="intro">{t('rc_intro')}</p>
      <nav class="tabs" aria-label={t('rc_sections')}>
        <a href="#/received" class={f.section === '' ? 'active' : ''} aria-current={f.section === '' ? 'page' : undefined}
          onClick={(e) => { e.preventDefault(); setF({ section: '' }); }}>{t('all')}{ans && <span class="count"> ({total})</span>}</a>
        {SECTIONS.map((s) => (
          <a href={`#/received?section=${s}`} class={s === f.section ? 'active' : ''} aria-current={s === f.section ? 'page' : undefined}
            onClick={(e) => { e.preventDefault(); setF({ section: s }); }} data-section={s}>
            {t(`rc_tab_${s}` as Key)}{ans && <span class="count"> ({ans.counts[s] ?? 0})</span>}
          </a>
        ))}
      </nav>
      <ListFilters id="rc" q={f.q} onQ={(q) => setF({ q })} ph={t('rc_search_ph')} sort={f.sort}
        sorts={[['at', t('rc_sort_at')], ['section', t('rc_sort_section')]]} onSort={(sort) => setF({ sort })}>
        <div class="field">
          <label for="rc-peer">{t('rc_peer')}</label>
          <select id="rc-peer" value={f.peer} onChange={(e) => setF({ peer: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('all')}</option>
            {(ans?.peers ?? []).map((p) => <option value={p.name}>{p.name} ({t(p.relation === 'parent' ? 'sync_rel_parent' : 'sync_rel_child')})</option>)}
          </select>
        </div>
        <div class="field">
          <label for="rc-state">{t('rc_state')}</label>
          <select id="rc-state" value={f.state} onChange={(e) => setF({ state: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('all')}</option>
            <option value="open">{t('rc_state_open')}</option>
            <option value="ended">{t('rc_state_ended')}</option>
          </select>
        </div>
      </ListFilters>
      <ErrorBox error={error} />
      {!ans && !error && <Loading />}
      {ans && ans.items.length === 0 && <p class="empty">{t(f.section === 'hunt_summary' ? 'rc_none_hunts' : 'rc_none')}</p>}
      {ans && ans.items.length > 0 && (
        <ul class="received-list" id="received-list">
          {ans.items.map((x) => <Row key={`${x.id}-${x.state}-${x.at}`} x={x} />)}
        </ul>
      )}
      {more && <p class="more"><button type="button" class="button secondary" onClick={more}>{t('load_more')}</button></p>}
    </section>
  );
}
