// Uploading one file to an import endpoint (scanner reports and feeds on the
// imports page, indicator files on the exchange page): the kind, guessed from
// the file's first bytes unless the person picked one; the drop zone; the
// checks before sending; and the answers, newest first, each with its counts
// or the server's error naming the file.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, type Key } from '../i18n';
import { fmtDateTime } from '../time';
import { ErrorBox, fmtSize } from './ui';

const MAX = 64 * 1024 * 1024;

export interface Done { kind: string; name: string; org?: string; at: number; result?: any; error?: unknown }

/**
 * kinds: what may be chosen; guess: the kind from the file's name and first
 * 4 KiB, or null; idPrefix names the answers' ids (`${idPrefix}-last` gets
 * the focus after sending).
 */
export function useImport(kinds: string[], guess: (name: string, head: string) => string | null, idPrefix: string) {
  const [kind, setKind] = useState('');
  const [picked, setPicked] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [local, setLocal] = useState<string | null>(null);
  const [done, setDone] = useState<Done[]>([]);
  const pick = (k: string) => { setKind(k); setPicked(true); };
  const choose = async (f: File | null) => {
    setLocal(null);
    setFile(f);
    if (!f || picked) return;
    try {
      const k = guess(f.name, await f.slice(0, 4096).text());
      if (k && kinds.includes(k)) setKind(k);
    } catch { /* the person picks the kind */ }
  };
  /** Says what is missing (noKind: the message for no kind), else sends the file with req(). */
  const send = async (noKind: string, extra: Partial<Done>, req: (f: File) => Promise<unknown>) => {
    setLocal(null);
    if (!file) { setLocal(t('im_pick_file')); return; }
    if (!kind) { setLocal(noKind); return; }
    if (file.size > MAX) { setLocal(t('im_too_big', { size: fmtSize(file.size) })); return; }
    setBusy(true);
    const d: Done = { kind, name: file.name, at: Date.now(), ...extra };
    try {
      d.result = await req(file);
      setFile(null);
    } catch (x) {
      d.error = x;
    } finally {
      setBusy(false);
      setDone((l) => [d, ...l].slice(0, 10));
      setTimeout(() => document.getElementById(`${idPrefix}-last`)?.focus(), 0);
    }
  };
  return { kind, pick, file, choose, busy, local, done, send };
}

/** The kinds as radio buttons, each with its label and a hint. */
export function KindRadios({ legend, name, kinds, value, onPick, label }: {
  legend: string; name: string; kinds: string[]; value: string; onPick: (k: string) => void; label: (k: string) => [string, string];
}) {
  return (
    <fieldset class="radios">
      <legend>{legend}<span class="req" aria-hidden="true"> *</span></legend>
      {kinds.map((k) => {
        const [l, hint] = label(k);
        return (
          <label class="check" key={k}>
            <input type="radio" name={name} value={k} checked={value === k} onChange={() => onPick(k)} />
            <span><strong>{l}</strong> <small class="muted">{hint}</small></span>
          </label>
        );
      })}
    </fieldset>
  );
}

/** The file: dropped, or chosen with the (labelled) file chooser; the chooser is emptied once the file is sent. */
export function FileDrop({ id, file, onFile, accept, hint }: {
  id: string; file: File | null; onFile: (f: File | null) => void; accept?: string; hint: string;
}) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { if (!file && input.current) input.current.value = ''; }, [file]);
  return (
    <div class="field">
      <span class="label-like" id={`${id}-label`}>{t('im_file')}<span class="req" aria-hidden="true"> *</span></span>
      <div class={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); onFile(e.dataTransfer?.files?.[0] ?? null); }}>
        <p>{t('im_drop')}</p>
        <label for={id} class="button secondary">{t('im_choose')}</label>
        <input id={id} ref={input} type="file" class="visually-hidden" accept={accept} aria-describedby={`${id}-label`}
          onChange={(e) => onFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        {file && <p class="picked"><strong>{file.name}</strong> <span class="muted">{fmtSize(file.size)}</span></p>}
      </div>
      <small class="hint">{hint}</small>
    </div>
  );
}

/** The answers, newest first (it is announced and focused); children shows a successful one. */
export function ImportResults({ done, idPrefix, kindLabel, texts, children }: {
  done: Done[]; idPrefix: string; kindLabel: (k: string) => string; texts: Partial<Record<number, Key>>; children: (d: Done) => ComponentChildren;
}) {
  return (
    <>
      {done.map((d, i) => (
        <section key={d.at} id={i === 0 ? `${idPrefix}-last` : undefined} tabIndex={-1} class={`panel im-result ${d.error ? 'failed' : 'ok-border'}`}
          aria-labelledby={`${idPrefix}-h-${d.at}`} role={i === 0 ? 'status' : undefined}>
          <h2 id={`${idPrefix}-h-${d.at}`}>{d.error ? t('im_failed', { name: d.name }) : t('im_ok', { name: d.name })}</h2>
          <p class="muted">{kindLabel(d.kind)} · {fmtDateTime(d.at)}</p>
          {d.error ? <ErrorBox error={d.error} texts={texts} /> : children(d)}
        </section>
      ))}
    </>
  );
}
