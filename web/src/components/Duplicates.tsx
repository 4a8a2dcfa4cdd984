// On an incident: the incident it repeats (it was rejected as a duplicate),
// or the reports filed as duplicates of it, each with its reporter,
// organisation, observables and attachments — one event, every reporter.
import { t } from '../i18n';

export function Duplicates({ inc }: { inc: any }) {
  const of = inc.duplicate_of;
  const list: any[] = inc.duplicates ?? [];
  if (!of && list.length === 0) return null;
  return (
    <section class="panel duplicates" aria-labelledby="h-duplicates" id="duplicates">
      <h2 id="h-duplicates">{t('dup_title')}{list.length > 0 && <span class="count">{list.length}</span>}</h2>
      {of && <p>{t('dup_of')} <a href={`#/incidents/${of.id}`}>{of.number}</a> — {of.title}</p>}
      {list.length > 0 && (
        <ul>
          {list.map((d) => (
            <li>
              <a href={`#/incidents/${d.id}`}>{d.number}</a> {d.title}
              {' '}<small class="muted">{t('dup_reporter')}: {d.reporter?.full_name || d.reporter?.username || '—'} · {d.org?.name}</small>
              {(d.observables?.length ?? 0) > 0 && (
                <div><small>{t('observables')}: {d.observables.map((o: any) => o.value).join(', ')}</small></div>
              )}
              {(d.attachments?.length ?? 0) > 0 && (
                <div><small>{t('attachments')}: {d.attachments.map((a: any) => (
                  <a href={`/api/v1/incidents/${d.id}/attachments/${a.id}`}>{a.name} </a>
                ))}</small></div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
