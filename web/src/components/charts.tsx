// Hand-written SVG charts (no chart library): horizontal bars and monthly columns.
// Labels are SVG text nodes, so names from the server stay text. Each chart is
// drawn for the width it has (1 SVG unit = 1 CSS pixel), so its labels keep
// their font size on a phone instead of shrinking with a fixed viewBox.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';

export interface Datum { label: string; value: number; cls?: string }

/** The width of the element behind ref, followed as it changes. */
function useWidth(initial: number) {
  const ref = useRef<HTMLElement>(null);
  const [w, setW] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => { const x = Math.floor(el.getBoundingClientRect().width); if (x > 0) setW(x); };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w] as const;
}

/** About how many characters of a 12-px label fit in px. */
const fit = (s: string, px: number) => {
  const n = Math.max(4, Math.floor(px / 7));
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

export function HBars({ data, title, id }: { data: Datum[]; title: string; id: string }) {
  const [ref, width] = useWidth(500);
  const max = Math.max(1, ...data.map((d) => d.value));
  const w = Math.max(240, width);
  const row = 26, labelW = Math.min(190, Math.round(w * 0.42)), barW = w - labelW - 44;
  const h = Math.max(row, data.length * row);
  return (
    <figure class="chart" ref={ref as any}>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-labelledby={`${id}-t`}>
        <title id={`${id}-t`}>{title}</title>
        {data.map((d, i) => {
          const y = i * row;
          const bw = Math.round((d.value / max) * barW);
          return (
            <g key={d.label}>
              <text x={labelW - 8} y={y + row / 2 + 4} text-anchor="end" class="lbl">{fit(d.label, labelW - 10)}</text>
              <rect x={labelW} y={y + 4} width={Math.max(bw, d.value ? 2 : 0)} height={row - 8} rx="3" class={`bar ${d.cls ?? ''}`} />
              <text x={labelW + bw + 6} y={y + row / 2 + 4} class="val">{d.value}</text>
            </g>
          );
        })}
      </svg>
      <DataTable data={data} title={title} />
    </figure>
  );
}

export function Columns({ data, title, id }: { data: Datum[]; title: string; id: string }) {
  const [ref, width] = useWidth(560);
  const max = Math.max(1, ...data.map((d) => d.value));
  const left = 8, plotH = 160, top = 18, bottom = 34;
  const w = Math.max(240, width);
  const colW = Math.min(60, (w - left * 2) / Math.max(1, data.length));
  // Narrow columns label every other month so 12-px labels never overlap.
  const every = colW < 38 ? 2 : 1;
  const h = top + plotH + bottom;
  return (
    <figure class="chart" ref={ref as any}>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-labelledby={`${id}-t`}>
        <title id={`${id}-t`}>{title}</title>
        <line x1={left} x2={w - left} y1={top + plotH} y2={top + plotH} class="axis" />
        {data.map((d, i) => {
          const bh = Math.round((d.value / max) * plotH);
          const x = left + i * colW;
          const pad = Math.max(2, Math.round(colW * 0.18));
          return (
            <g key={d.label}>
              <rect x={x + pad} y={top + plotH - bh} width={Math.max(2, colW - 2 * pad)} height={bh} rx="3" class="bar" />
              {d.value > 0 && <text x={x + colW / 2} y={top + plotH - bh - 4} text-anchor="middle" class="val">{d.value}</text>}
              {(data.length - 1 - i) % every === 0 && <text x={x + colW / 2} y={top + plotH + 16} text-anchor="middle" class="lbl small">{d.label}</text>}
            </g>
          );
        })}
      </svg>
      <DataTable data={data} title={title} />
    </figure>
  );
}

function DataTable({ data, title }: { data: Datum[]; title: string }) {
  return (
    <details class="as-table">
      <summary>{t('show_as_table')}</summary>
      <table class="list">
        <caption class="visually-hidden">{title}</caption>
        <tbody>{data.map((d) => <tr key={d.label}><th scope="row">{d.label}</th><td>{d.value}</td></tr>)}</tbody>
      </table>
    </details>
  );
}
