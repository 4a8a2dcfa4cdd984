// The affected information system. Free text for now: when the system registry
// (issue: registry of information systems) lands, a searchable picker of the
// organisation's registered systems replaces the input here and fills
// operator, owner, level, domains and IPs from the record.
import { t } from '../i18n';
import { Field } from './ui';

export function SystemPicker({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  return (
    <Field id="system-name" label={t('f_system_name')} hint={t('hint_system_picker')} error={error}>
      <input id="system-name" list="" value={value} onInput={(e) => onChange((e.target as HTMLInputElement).value)} />
    </Field>
  );
}
