// Times are stored UTC and shown in Asia/Ho_Chi_Minh: UTC+7 all year (no DST),
// so plain arithmetic is exact and needs no time-zone database.
const OFFSET = 7 * 3600 * 1000;

const pad = (n: number) => String(n).padStart(2, '0');

function parts(iso: string | number | Date) {
  const ms = typeof iso === 'number' ? iso : new Date(iso).getTime();
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms + OFFSET);
  return {
    y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(),
    h: d.getUTCHours(), mi: d.getUTCMinutes(),
  };
}

/** "24/11/2026 10:15" (Vietnamese order in both languages). */
export function fmtDateTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '';
  const p = parts(iso);
  if (!p) return String(iso);
  return `${pad(p.d)}/${pad(p.mo)}/${p.y} ${pad(p.h)}:${pad(p.mi)}`;
}

export function fmtDate(iso: string | number | null | undefined): string {
  if (!iso) return '';
  const p = parts(iso);
  return p ? `${pad(p.d)}/${pad(p.mo)}/${p.y}` : String(iso);
}

export function fmtTime(iso: string | number | null | undefined): string {
  if (!iso) return '';
  const p = parts(iso);
  return p ? `${pad(p.h)}:${pad(p.mi)}` : '';
}

/** Values for <input type=date> and <input type=time> in UTC+7. */
export function localInputs(ms = Date.now()): { date: string; time: string } {
  const p = parts(ms)!;
  return { date: `${p.y}-${pad(p.mo)}-${pad(p.d)}`, time: `${pad(p.h)}:${pad(p.mi)}` };
}

/** "2026-11-24" + "10:15" in UTC+7 → RFC 3339 UTC, or null if incomplete. */
export function toUtcIso(date: string, time: string): string | null {
  const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const tm = /^(\d{2}):(\d{2})/.exec(time || '00:00');
  if (!dm || !tm) return null;
  const ms = Date.UTC(+dm[1], +dm[2] - 1, +dm[3], +tm[1], +tm[2]) - OFFSET;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** Whole days/hours/minutes of a duration, for "còn 1 giờ 20 phút". */
export function splitDuration(ms: number) {
  const m = Math.floor(Math.abs(ms) / 60000);
  return { days: Math.floor(m / 1440), hours: Math.floor((m % 1440) / 60), minutes: m % 60 };
}
