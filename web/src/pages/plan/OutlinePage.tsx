// The outline response plans are built in (regulation.md §8), as data: an
// administrator of the instance reorders, renames, adds or removes sections
// (saved with If-Match); plans already drafted keep their own sections.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, get } from '../../api';
import { t, tryT } from '../../i18n';
import { hasRole } from '../../state';
import { ErrorBox, Loading } from '../../components/ui';

const val = (e: Event) => (e.target as HTMLInputElement).value;
const KINDS = ['state', 'risks', 'consequences', 'resources', 'priorities', 'scenarios', 'organisation', 'training', 'equipment', 'budget', 'implementation', 'text'];
const kindLabel = (k: string) => tryT(`plan_kind_${k}`) ?? k;

export function OutlinePage() {
  const [o, setO] = useState<any>(null);
  const [rows, setRows] = useState<any[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const take = (x: any) => { setO(x); setRows(x.sections.map(({ code, kind, title_vi, title_en, guidance }: any) => ({ code, kind, title_vi, title_en, guidance }))); };
  const load = () => get('/api/v1/plan-outline').then(take, setError);
  useEffect(() => { void load(); }, []);
  if (error) return <ErrorBox error={error} />;
  if (!o) return <Loading />;
  const edit = hasRole('admin');
  const set = (k: number, part: any) => setRows(rows.map((r, i) => (i === k ? { ...r, ...part } : r)));
  const swap = (k: number, d: number) => {
    const n = [...rows];
    [n[k], n[k + d]] = [n[k + d], n[k]];
    setRows(n);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setErr(null); setSaved(false);
    try {
      take(await api('PUT', '/api/v1/plan-outline', { sections: rows }, { ifMatch: o.version }));
      setSaved(true);
    } catch (x) { setErr(x); } finally { setBusy(false); }
  };
  return (
    <section class="plan-outline">
      <p><a href="#/plan">{t('plan_back')}</a></p>
      <h1>{t('plan_outline_title')}</h1>
      <p class="lead">{t('plan_outline_intro')}</p>
      <ErrorBox error={err} texts={{ 412: 'plan_stale' }}>
        {err instanceof ApiError && err.status === 412 && <button type="button" class="button secondary small" onClick={() => { setErr(null); void load(); }}>{t('retry')}</button>}
      </ErrorBox>
      {saved && <p class="alert success" role="status">{t('plan_outline_saved')}</p>}
      <form id="outline-form" onSubmit={save}>
        <ol class="outline">
          {rows.map((r, k) => (
            <li key={k} class="panel outline-row">
              <div class="grid2">
                <label>{t('plan_outline_title_vi')}<input id={`ol-vi-${k}`} required maxLength={300} disabled={!edit} value={r.title_vi} onInput={(e) => set(k, { title_vi: val(e) })} /></label>
                <label>{t('plan_outline_title_en')}<input id={`ol-en-${k}`} required maxLength={300} disabled={!edit} value={r.title_en} onInput={(e) => set(k, { title_en: val(e) })} /></label>
                <label>{t('plan_outline_code')}<input id={`ol-code-${k}`} required maxLength={32} pattern="[a-z0-9_-]+" disabled={!edit} value={r.code} onInput={(e) => set(k, { code: val(e) })} /></label>
                <label>{t('plan_outline_kind')}
                  <select id={`ol-kind-${k}`} disabled={!edit} value={r.kind} onChange={(e) => set(k, { kind: val(e) })}>
                    {KINDS.map((x) => <option value={x}>{kindLabel(x)}</option>)}
                  </select>
                </label>
              </div>
              <label>{t('plan_outline_guidance')}<textarea id={`ol-guidance-${k}`} maxLength={2000} disabled={!edit} value={r.guidance ?? ''} onInput={(e) => set(k, { guidance: val(e) })} /></label>
              {edit && (
                <div class="actions">
                  <button type="button" class="button small secondary" disabled={k === 0} onClick={() => swap(k, -1)} aria-label={t('plan_outline_up', { n: k + 1 })}>↑</button>
                  <button type="button" class="button small secondary" disabled={k === rows.length - 1} onClick={() => swap(k, 1)} aria-label={t('plan_outline_down', { n: k + 1 })}>↓</button>
                  <button type="button" class="button small danger" disabled={rows.length === 1} onClick={() => setRows(rows.filter((_, i) => i !== k))}>{t('plan_outline_remove')}</button>
                </div>
              )}
            </li>
          ))}
        </ol>
        {edit && (
          <div class="actions sticky">
            <button type="button" class="button secondary" id="ol-add" onClick={() => setRows([...rows, { code: `muc-${rows.length + 1}`, kind: 'text', title_vi: '', title_en: '', guidance: '' }])}>{t('plan_outline_add')}</button>
            <button type="submit" class="button primary" id="ol-save" disabled={busy}>{busy ? t('sending') : t('plan_outline_save')}</button>
          </div>
        )}
      </form>
    </section>
  );
}
