// On the incident page: the playbook steps applied to the incident from its
// organisation's approved plan, each with whether its task is done.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../../api';
import { t } from '../../i18n';
import { phaseLabel, threatLabel } from './common';

/** rev changes whenever the incident or its tasks' states change (read again). */
export function PlaybookChecklist({ id, rev }: { id: string; rev: string }) {
  const [items, setItems] = useState<any[] | null>(null);
  useEffect(() => {
    let live = true;
    get(`/api/v1/incidents/${encodeURIComponent(id)}/playbook`).then((r) => { if (live) setItems(r.items ?? []); }, () => { if (live) setItems([]); });
    return () => { live = false; };
  }, [id, rev]);
  if (!items || items.length === 0) return null;
  const threats = [...new Set(items.map((x) => x.threat))];
  return (
    <section class="panel playbook" aria-labelledby="h-playbook" id="playbook">
      <h2 id="h-playbook">{t('playbook_title')}</h2>
      {threats.map((th) => {
        const steps = items.filter((x) => x.threat === th);
        const done = steps.filter((x) => x.done).length;
        return (
          <div key={th}>
            <p><strong>{threatLabel(th)}</strong> · {t('playbook_progress', { done, n: steps.length })}
              {' '}<a class="muted" href={`#/plan/plans/${steps[0].plan.id}`}>{t('playbook_from', { n: steps[0].plan.number })}</a></p>
            <ol class="playbook-steps">
              {steps.map((s) => (
                <li key={s.task_id} class={s.done ? 'done' : ''} data-done={s.done ? '1' : '0'}>
                  <span aria-hidden="true">{s.done ? '☑' : '☐'}</span>{' '}
                  <small class="muted">{phaseLabel(s.phase)}:</small> {s.title.replace(/^\d+\.\s*/, '')}
                  <span class="visually-hidden"> ({s.done ? t('playbook_step_done') : t('playbook_step_open')})</span>
                </li>
              ))}
            </ol>
          </div>
        );
      })}
    </section>
  );
}
