// Small shared pieces: error boxes, badges, time left, field wrappers, drop zone.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { t, type Key } from '../i18n';
import { lbl } from '../state';
import { fmtDateTime, splitDuration } from '../time';

/** A message a person understands for any failed request. */
export function errText(e: unknown, texts?: Partial<Record<number, Key>>): string {
  if (!(e instanceof ApiError)) return t('err_unexpected');
  const byStatus: Record<number, Key> = {
    0: 'err_network', 400: 'err_400', 401: 'err_401', 403: 'err_403', 404: 'err_404',
    409: 'err_409', 412: 'err_412', 413: 'err_413', 422: 'err_422', 428: 'err_428', ...texts,
  };
  let msg: string;
  if (e.status === 429) msg = lockText(e.retryAfter);
  else msg = t(byStatus[e.status] ?? 'err_server');
  const detail = e.problem?.detail || '';
  // A page's own wording of a stale version replaces the server's generic one.
  const own = texts && (e.status === 412 || e.status === 428) && texts[e.status];
  if (detail && !own && !msg.includes(detail)) msg += ` (${detail})`;
  return msg;
}

export function lockText(retryAfter: number | null): string {
  if (retryAfter === null) return t('err_429');
  const min = Math.ceil(retryAfter / 60);
  return retryAfter < 90 ? t('err_429_s', { n: retryAfter }) : t('err_429_m', { n: min });
}

/** texts: messages for this page's records instead of the incident wording (412, 409…).
 *  fieldText: how this form words a field error (its own labels, not the API's JSON pointers). */
export function ErrorBox({ error, children, texts, fieldText }: {
  error: unknown; children?: ComponentChildren; texts?: Partial<Record<number, Key>>;
  fieldText?: (pointer: string, detail: string) => string;
}) {
  if (!error) return null;
  const fields = error instanceof ApiError ? error.problem?.errors ?? [] : [];
  if (fieldText) {
    return (
      <div class="alert error" role="alert" tabIndex={-1}>
        <p>{errText(error, texts)}</p>
        {fields.length > 0 && <ul>{fields.map((f) => <li>{fieldText(f.pointer ?? '', f.detail ?? '')}</li>)}</ul>}
        {children}
      </div>
    );
  }
  return (
    <div class="alert error" role="alert" tabIndex={-1}>
      <p>{errText(error, texts)}</p>
      {fields.length > 0 && (
        <ul>{fields.map((f) => <li>{f.pointer ? `${f.pointer.replace(/^\//, '').replace(/\//g, ' › ')}: ` : ''}{f.detail}</li>)}</ul>
      )}
      {children}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge st-${status}`}>{lbl('states', status)}</span>;
}

export function SeverityBadge({ severity }: { severity: string | null | undefined }) {
  if (!severity) return <span class="badge sev-none">{t('sev_unset')}</span>;
  return <span class={`badge sev-${severity}`}>{lbl('severities', severity)}</span>;
}

/** A TLP 2.0 label in its official colours (black ground; RED, AMBER, GREEN, CLEAR). */
export function TlpBadge({ tlp, title }: { tlp: string | null | undefined; title?: string }) {
  if (!tlp) return null;
  const c = String(tlp).toLowerCase().replace('+', '-');
  return <span class={`badge tlp tlp-${c}`} title={title}>TLP:{tlp}</span>;
}

export function durationText(ms: number): string {
  const { days, hours, minutes } = splitDuration(ms);
  if (days > 0) return t('dur_dh', { d: days, h: hours });
  if (hours > 0) return t('dur_hm', { h: hours, m: minutes });
  return t('dur_m', { m: minutes });
}

/** state (server): met, running, overdue, or missed (the incident ended without it). */
export interface Deadline { kind: string; due_at: string; met_at: string | null; overdue: boolean; state?: string; due_soon?: boolean }

/** The first running deadline, overdue ones first; a missed one when nothing runs. */
export function nextDeadline(ds: Deadline[] | undefined): Deadline | null {
  const open = (ds ?? []).filter((d) => !d.met_at && d.due_at && d.state !== 'missed');
  if (!open.length) return (ds ?? []).find((d) => d.state === 'missed') ?? null;
  open.sort((a, b) => (Number(b.overdue) - Number(a.overdue)) || (Date.parse(a.due_at) - Date.parse(b.due_at)));
  return open[0] ?? null;
}

export function isOverdue(d: Deadline, now = Date.now()): boolean {
  return !d.met_at && d.state !== 'missed' && (d.overdue || Date.parse(d.due_at) < now);
}

export function TimeLeft({ d, now = Date.now() }: { d: Deadline | null; now?: number }) {
  if (!d) return <span class="muted">—</span>;
  if (d.met_at) return <span class="ok" title={fmtDateTime(d.met_at)}>{t('deadline_met')}</span>;
  // The incident ended without it: no longer counting.
  if (d.state === 'missed') return <span class="missed" title={`${lbl('deadline_kinds', d.kind)} — ${fmtDateTime(d.due_at)}`}>{t('deadline_missed')}</span>;
  const left = Date.parse(d.due_at) - now;
  const over = isOverdue(d, now);
  return (
    <span class={over ? 'overdue' : left < 3600_000 ? 'soon' : ''} title={`${lbl('deadline_kinds', d.kind)} — ${fmtDateTime(d.due_at)}`}>
      {over ? t('overdue_by', { t: durationText(left) }) : t('left', { t: durationText(left) })}
    </span>
  );
}

export function Loading() {
  return <p class="muted" role="status">{t('loading')}</p>;
}

/** Label + control + per-field error, the same everywhere. */
export function Field({ label, id, error, hint, children, req }: {
  label: string; id: string; error?: string; hint?: string; children: ComponentChildren; req?: boolean;
}) {
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}{req && <span class="req" aria-hidden="true"> *</span>}</label>
      {children}
      {hint && <small class="hint">{hint}</small>}
      {error && <small class="field-error" role="alert">{error}</small>}
    </div>
  );
}

export function fmtSize(n: number | undefined): string {
  if (n === undefined || n === null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Files by drag and drop, or by the (labelled) file chooser for keyboard users. */
export function DropZone({ id, files, onFiles, label }: {
  id: string; files: File[]; onFiles: (f: File[]) => void; label?: string;
}) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const add = (list: FileList | null) => {
    if (!list || !list.length) return;
    onFiles([...files, ...Array.from(list)]);
  };
  return (
    <div
      class={`dropzone${over ? ' over' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => { e.preventDefault(); setOver(false); add(e.dataTransfer?.files ?? null); }}
    >
      <p>{t('drop_here')}</p>
      <label for={id} class="button secondary">{label ?? t('choose_files')}</label>
      <input id={id} ref={input} type="file" multiple class="visually-hidden"
        onChange={(e) => { add((e.target as HTMLInputElement).files); (e.target as HTMLInputElement).value = ''; }} />
      {files.length > 0 && (
        <ul class="files">
          {files.map((f, i) => (
            <li key={`${f.name}-${i}`}>
              <span>{f.name}</span> <span class="muted">{fmtSize(f.size)}</span>{' '}
              <button type="button" class="link" onClick={() => onFiles(files.filter((_, j) => j !== i))}
                aria-label={t('remove_file', { name: f.name })}>{t('remove')}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Re-runs fn every ms while the page is visible; fn gets an AbortSignal. */
export function usePoll(fn: () => void, ms: number, deps: unknown[]) {
  useEffect(() => {
    let stopped = false;
    const tick = () => { if (!stopped && document.visibilityState === 'visible') fn(); };
    const h = setInterval(tick, ms);
    return () => { stopped = true; clearInterval(h); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}

/** A clock that ticks every 30 s, for "time left". */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(h);
  }, [ms]);
  return now;
}
