// A Mẫu 05 (#/plan/mau05/ID): the table counted from the incidents, each
// figure editable while the report is a draft (a changed figure needs a
// reason, kept in the audit log), the total row, helpers and
// recommendations; those who drafted it submit it, the leader approves it
// (recorded sent) or returns it with a reason (h/duty); the steps; PDF/DOCX.
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post } from '../../api';
import { getLang, t } from '../../i18n';
import { hasRole } from '../../state';
import { ErrorBox, Field, Loading } from '../../components/ui';
import { fmtDate, fmtDateTime } from '../../time';
import { periodLabel } from './ReportsSection';

const COLS = ['count', 'self', 'other_orgs', 'foreign', 'vncert', 'damage'] as const;

const num = (n: number) => new Intl.NumberFormat('vi-VN').format(n);

export function Mau05Page({ id }: { id: string }) {
  const [m, setM] = useState<any | null>(null);
  const [edit, setEdit] = useState<Record<string, Record<string, string>>>({});
  const [text, setText] = useState({ reason: '', helpers: '', recommendations: '', member_code: '' });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [why, setWhy] = useState('');
  const show = (x: any) => {
    setM(x);
    setEdit({});
    setText({ reason: '', helpers: x.helpers, recommendations: x.recommendations, member_code: x.member_code });
  };
  useEffect(() => { get(`/api/v1/plan/mau05/${id}`).then(show, setError); }, [id]);
  if (error && !m) return <ErrorBox error={error} />;
  if (!m) return <Loading />;
  const draft = m.status === 'draft';
  const writer = draft && hasRole('focal', 'coordinator');
  const cell = (type: string, col: string, v: number) => edit[type]?.[col] ?? String(v);
  const changed = () => {
    const cells: Record<string, Record<string, number>> = {};
    for (const r of m.rows) {
      for (const c of COLS) {
        const v = edit[r.type]?.[c];
        if (v !== undefined && v !== '' && Number(v) !== r[c]) (cells[r.type] ??= {})[c] = Number(v);
      }
    }
    return cells;
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    try {
      const body: Record<string, unknown> = { helpers: text.helpers, recommendations: text.recommendations, member_code: text.member_code };
      const cells = changed();
      if (Object.keys(cells).length) body.cells = cells;
      if (text.reason.trim()) body.reason = text.reason;
      show(await patch(`/api/v1/plan/mau05/${id}`, body, { ifMatch: m.version }));
      setError(null);
      setSaved(true);
    } catch (x) { setError(x); }
  };
  const act = async (what: 'recount' | 'send' | 'submit' | 'approve' | 'return') => {
    try {
      if (what === 'recount') show(await patch(`/api/v1/plan/mau05/${id}`, { recount: true }, { ifMatch: m.version }));
      else if (what === 'return') show(await post(`/api/v1/plan/mau05/${id}/return`, { reason: why }, { ifMatch: m.version }));
      else show(await post(`/api/v1/plan/mau05/${id}/${what}`, undefined, { ifMatch: m.version }));
      if (what === 'return') setWhy('');
      setError(null);
    } catch (x) { setError(x); }
  };
  const awaiting = m.status === 'submitted';
  const leader = hasRole('leader');
  const en = getLang() === 'en';
  return (
    <section class="mau05">
      <nav class="breadcrumb" aria-label={t('breadcrumb')}><a href="#/plan">{t('nav_plan')}</a> › {t('m5_title')}</nav>
      <div class="page-head">
        <h1>{t('m5_title')} — {periodLabel(m.period, m.year)}</h1>
        <div class="actions">
          <a class="button secondary" id="m5-pdf" href={`/api/v1/plan/mau05/${id}/document`} download>PDF</a>
          <a class="button secondary" id="m5-docx" href={`/api/v1/plan/mau05/${id}/document?format=docx`} download>DOCX</a>
        </div>
      </div>
      <dl class="facts">
        <dt>{t('org')}</dt><dd>{m.org.name}</dd>
        <dt>{t('m5_period')}</dt><dd>{fmtDate(m.period_from)} – {fmtDate(new Date(Date.parse(m.period_to) - 864e5).toISOString())}</dd>
        <dt>{t('m5_deadline')}</dt><dd>{fmtDate(m.due_at)}</dd>
        <dt>{t('m5_status')}</dt><dd id="m5-status">{t(`m5_st_${m.status}` as any)}{m.sent_at ? ` · ${fmtDateTime(m.sent_at)} · ${m.sent_by}` : ''}</dd>
      </dl>
      {m.pending > 0 && <p class="alert warn" id="m5-pending">{t('m5_pending', { n: m.pending })}</p>}
      {awaiting && <p class="alert info" id="m5-awaiting" role="status">{t('m5_awaiting_note')}</p>}
      <ErrorBox error={error} />
      {saved && <p class="alert ok" role="status">{t('saved')}</p>}
      <form onSubmit={save}>
        <div class="table-scroll">
          <table class="list mau05-table" id="m5-table">
            <thead><tr><th scope="col">{t('m5_type')}</th>{COLS.map((c) => <th scope="col">{t(`m5_col_${c}` as any)}</th>)}</tr></thead>
            <tbody>
              {m.rows.map((r: any) => (
                <tr key={r.type}>
                  <th scope="row">{en ? r.label_en : r.label_vi}</th>
                  {COLS.map((c) => {
                    const corr = r.corrected.find((x: any) => x.column === c);
                    return (
                      <td class={corr ? 'corrected' : ''} title={corr ? t('m5_computed', { n: num(corr.computed) }) : undefined}>
                        {writer ? (
                          <label>
                            <span class="visually-hidden">{`${en ? r.label_en : r.label_vi} — ${t(`m5_col_${c}` as any)}`}</span>
                            <input type="number" min={0} max={c === 'damage' ? 1e15 : 1e9} step={1} inputMode="numeric" id={`m5-${r.type}-${c}`}
                              value={cell(r.type, c, r[c])} onInput={(e) => setEdit({ ...edit, [r.type]: { ...edit[r.type], [c]: e.currentTarget.value } })} />
                          </label>
                        ) : num(r[c])}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
            <tfoot><tr><th scope="row">{t('m5_total')}</th>{COLS.map((c) => <td id={`m5-total-${c}`}>{num(m.total[c])}</td>)}</tr></tfoot>
          </table>
        </div>
        {writer && (
          <>
            <Field label={t('m5_reason')} id="m5-reason" hint={t('m5_reason_hint')}><input id="m5-reason" maxLength={2000} value={text.reason} onInput={(e) => setText({ ...text, reason: e.currentTarget.value })} /></Field>
            <Field label={t('m5_member_code')} id="m5-member"><input id="m5-member" maxLength={64} value={text.member_code} onInput={(e) => setText({ ...text, member_code: e.currentTarget.value })} /></Field>
          </>
        )}
        <Field label={t('m5_helpers')} id="m5-helpers"><textarea id="m5-helpers" rows={2} maxLength={20000} readOnly={!writer} value={text.helpers} onInput={(e) => setText({ ...text, helpers: e.currentTarget.value })} /></Field>
        <Field label={t('m5_recommendations')} id="m5-recs"><textarea id="m5-recs" rows={3} maxLength={20000} readOnly={!writer} value={text.recommendations} onInput={(e) => setText({ ...text, recommendations: e.currentTarget.value })} /></Field>
        <div class="actions">
          {writer && <button type="submit" class="button" id="m5-save">{t('save')}</button>}
          {writer && <button type="button" class="button secondary" id="m5-recount" onClick={() => void act('recount')}>{t('m5_recount')}</button>}
          {writer && <button type="button" class="button secondary" id="m5-submit" onClick={() => void act('submit')}>{t('m5_submit')}</button>}
          {draft && leader && <button type="button" class="button" id="m5-send" onClick={() => void act('send')}>{t('m5_send')}</button>}
          {awaiting && leader && <button type="button" class="button" id="m5-approve" onClick={() => void act('approve')}>{t('m5_approve')}</button>}
        </div>
      </form>
      {awaiting && leader && (
        <form class="m5-return" onSubmit={(e) => { e.preventDefault(); void act('return'); }}>
          <Field label={t('m5_return_reason')} id="m5-return-reason" hint={t('m5_return_hint')}>
            <textarea id="m5-return-reason" rows={2} maxLength={2000} required value={why} onInput={(e) => setWhy(e.currentTarget.value)} />
          </Field>
          <div class="actions"><button type="submit" class="button secondary" id="m5-return">{t('m5_return')}</button></div>
        </form>
      )}
      {m.approvals?.length > 0 && (
        <section class="m5-approvals" aria-labelledby="m5-approvals-h">
          <h2 id="m5-approvals-h">{t('m5_approvals')}</h2>
          <ol id="m5-approvals">
            {m.approvals.map((a: any) => (
              <li key={a.id}>
                {fmtDateTime(a.at)} · {t(`m5_ap_${a.action}` as any)}{a.by ? ` · ${a.by.full_name || a.by.username}` : ''}
                {a.reason ? `: ${a.reason}` : ''}
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}
