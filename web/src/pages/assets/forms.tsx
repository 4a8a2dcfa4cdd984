// The shells of the record forms: a "new" page (heading, form, send / cancel),
// an edit panel on a record's page (If-Match save, stale-version reload), the
// sending state with its field errors, and the target organisations of a
// warning or a hunt.
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { t } from '../../i18n';
import { app, orgTree } from '../../state';
import { ErrorBox } from '../../components/ui';
import { RecordError, scopeOrgs } from './common';

/**
 * A form being sent: busy, the error (with field errors by JSON pointer), and
 * run(), which sends and, on failure, keeps the error and moves the focus to
 * the error box of the form `form` (a selector) so a screen reader reads it.
 */
export function useSubmit(form: string) {
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = useMemo(() => (err instanceof ApiError ? err.fields() : {}), [err]);
  const run = async (send: () => Promise<unknown>) => {
    setBusy(true); setErr(null);
    try {
      await send();
    } catch (x) {
      setErr(x);
      setTimeout(() => document.querySelector<HTMLElement>(`${form} .alert.error`)?.focus(), 0);
    } finally { setBusy(false); }
  };
  return { err, setErr, busy, errors, run };
}

/** A "new record" page: nav (breadcrumbs or tabs), heading, intro, then the form with send and cancel. */
export function CreateForm({ nav, title, intro, cls, err, busy, submitLabel, cancelHref, onCancel, onSubmit, children }: {
  nav: ComponentChildren; title: string; intro: string; cls: string; err: unknown; busy: boolean; submitLabel: string;
  cancelHref: string; onCancel: () => void; onSubmit: (e: Event) => void; children: ComponentChildren;
}) {
  return (
    <section class="narrow">
      {nav}
      <h1>{title}</h1>
      <p class="lead">{intro}</p>
      <form class={`panel ${cls}`} onSubmit={onSubmit}>
        <ErrorBox error={err} />
        {children}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy}>{busy ? t('sending') : submitLabel}</button>
          <a class="button secondary" href={cancelHref} onClick={onCancel}>{t('cancel')}</a>
          <span class="muted">{t('required_note')}</span>
        </div>
      </form>
    </section>
  );
}

/** Editing a record on its page: the fields, save (If-Match), cancel, and the version being edited. */
export function EditForm({ id, cls, title, err, onReload, busy, version, onCancel, onSubmit, children }: {
  id: string; cls: string; title: string; err: unknown; onReload: () => void; busy: boolean; version: number;
  onCancel: () => void; onSubmit: (e: Event) => void; children: ComponentChildren;
}) {
  return (
    <form class={`panel ${cls} action-panel`} onSubmit={onSubmit} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <RecordError error={err} onReload={onReload} />
      {children}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>{busy ? t('sending') : t('save')}</button>
        <button type="button" class="button secondary" onClick={onCancel}>{t('cancel')}</button>
        <span class="muted">{t('version_n', { n: version })}</span>
      </div>
    </form>
  );
}

/** The 422 a warning or hunt form shows itself when no organisation is ticked. */
export const noTargets = () => new ApiError(422, { status: 422, errors: [{ pointer: '/target_org_codes', detail: t('pick_targets') }] }, null);

/** The organisations a warning or hunt goes to: a checklist of the caller's tree, with "all below" and "none". */
export function TargetOrgs({ legend, hint, value, onChange, error }: {
  legend: string; hint: string; value: string[]; onChange: (v: string[]) => void; error?: string;
}) {
  const orgs = orgTree(scopeOrgs());
  const toggle = (c: string) => onChange(value.includes(c) ? value.filter((x) => x !== c) : [...value, c]);
  return (
    <fieldset class={error ? 'has-error' : ''}>
      <legend>{legend}<span class="req" aria-hidden="true"> *</span></legend>
      <p class="hint">{hint}</p>
      {error && <small class="field-error" role="alert">{error}</small>}
      <div class="actions">
        <button type="button" class="button secondary small" onClick={() => onChange(orgs.filter(({ org }) => org.code !== app.user?.org?.code).map(({ org }) => org.code))}>{t('select_all_below')}</button>
        <button type="button" class="button secondary small" onClick={() => onChange([])}>{t('select_none')}</button>
      </div>
      <ul class="org-checks">
        {orgs.map(({ org, depth }) => (
          <li key={org.id} style={{ paddingLeft: `${depth * 1.25}rem` }}>
            <label class="check">
              <input type="checkbox" name="targets" value={org.code} checked={value.includes(org.code)} onChange={() => toggle(org.code)} />
              {' '}{org.name} <small class="muted">{org.code}</small>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
