// After sending the initial report: the incident number and what happens next.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { t } from '../i18n';
import { lbl } from '../state';
import { ErrorBox, Loading, type Deadline } from '../components/ui';
import { fmtDateTime } from '../time';
import { lastUploadFailures } from './Report';

export function Reported({ id }: { id: string }) {
  const [inc, setInc] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    get(`/api/v1/incidents/${encodeURIComponent(id)}`).then(setInc, setError);
  }, [id]);
  if (error) return <ErrorBox error={error} />;
  if (!inc) return <Loading />;
  const ack: Deadline | undefined = (inc.deadlines ?? []).find((d: Deadline) => d.kind === 'ack');
  return (
    <section class="reported card">
      <p class="done-mark" aria-hidden="true">✓</p>
      <h1>{t('reported_title')}</h1>
      <p class="big">{t('reported_number')} <strong class="number" id="incident-number">{inc.number}</strong></p>
      <p>{t('reported_keep_number')}</p>
      {lastUploadFailures.length > 0 && (
        <div class="alert error" role="alert">{t('upload_failed', { names: lastUploadFailures.join(', ') })}</div>
      )}
      {(inc.attachments?.length ?? 0) > 0 && <p>{t('reported_attachments', { n: inc.attachments.length })}</p>}
      <h2>{t('next_title')}</h2>
      <ol class="next">
        <li>{ack ? t('next_ack_due', { at: fmtDateTime(ack.due_at) }) : t('next_ack')}</li>
        <li>{t('next_verify')}</li>
        <li>{t('next_legal')}</li>
        <li>{t('next_keep_evidence')}</li>
      </ol>
      {(inc.deadlines?.length ?? 0) > 0 && (
        <>
          <h2>{t('deadlines')}</h2>
          <ul>
            {inc.deadlines.map((d: Deadline) => <li>{lbl('deadline_kinds', d.kind)}: {fmtDateTime(d.due_at)}</li>)}
          </ul>
        </>
      )}
      <div class="actions">
        <a class="button primary" href={`#/incidents/${inc.id}`}>{t('view_incident')}</a>
        <a class="button secondary" href={`#/incidents/${inc.id}/print/03`}>{t('print_03')}</a>
        <a class="button secondary" href="#/report">{t('report_another')}</a>
      </div>
    </section>
  );
}
