// The affected information system on the report form: pick one of the
// organisation's registered systems (GET /api/v1/systems?org=) to fill its
// name, level, operator and owner, or type any name (a system not registered
// yet, a single PC). Without registered systems only the text box shows.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { t } from '../i18n';
import { Field } from './ui';

export interface RegisteredSystem { id: string; name: string; level?: number | null; operator?: string; owner?: string }

export function SystemPicker({ value, onChange, error, orgCode, onPick }: {
  value: string; onChange: (v: string) => void; error?: string; orgCode: string; onPick: (s: RegisteredSystem) => void;
}) {
  const [systems, setSystems] = useState<RegisteredSystem[]>([]);
  useEffect(() => {
    let live = true;
    if (!orgCode) { setSystems([]); return; }
    get(`/api/v1/systems?org=${encodeURIComponent(orgCode)}&limit=500`).then(
      (r) => { if (live) setSystems((r?.items ?? []).filter((s: any) => !s.retired_at)); },
      () => { if (live) setSystems([]); },
    );
    return () => { live = false; };
  }, [orgCode]);
  const match = systems.find((s) => s.name === value);
  return (
    <>
      {systems.length > 0 && (
        <Field id="system-pick" label={t('f_system_pick')} hint={t('hint_system_pick')}>
          <select id="system-pick" value={match?.id ?? ''} onChange={(e) => {
            const s = systems.find((x) => x.id === (e.target as HTMLSelectElement).value);
            if (s) onPick(s);
            else if (match) onChange('');
          }}>
            <option value="">{t('system_pick_other')}</option>
            {systems.map((s) => <option key={s.id} value={s.id}>{s.name}{s.level ? ` — ${t('level_n', { n: s.level })}` : ''}</option>)}
          </select>
        </Field>
      )}
      <Field id="system-name" label={t('f_system_name')} hint={t('hint_system_picker')} error={error}>
        <input id="system-name" value={value} onInput={(e) => onChange((e.target as HTMLInputElement).value)} />
      </Field>
    </>
  );
}
