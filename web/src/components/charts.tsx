// Hand-written SVG charts (no chart library): horizontal bars and monthly columns.
// Labels are SVG text nodes, so names from the server stay text.
import { t } from '../i18n';

export interface Datum { label: string; value: number; cls?: string }

export function HBars({ data, title, id }: { data: Datum[]; title: string; id: string }) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const row = 26, labelW = 190, barW = 260, w = labelW + barW + 50;
  const h = Math.max(row, data.length * row);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-labelledby={`${id}-t`} preserveAspectRatio="xMinYMin meet">
        <title id={`${id}-t`}>{title}</title>
        {data.map((d, i) => {
          const y = i * row;
          const bw = Math.round((d.value / max) * barW);
          return (
            <g key={d.label}>
              <text x={labelW - 8} y={y + row / 2 + 4} text-anchor="end" class="lbl">{d.label.length > 28 ? `${d.label.slice(0, 27)}…` : d.label}</text>
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
  const max = Math.max(1, ...data.map((d) => d.value));
  const colW = 44, plotH = 160, top = 18, bottom = 34, left = 8;
  const w = Math.max(300, left * 2 + data.length * colW);
  const h = top + plotH + bottom;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-labelledby={`${id}-t`} preserveAspectRatio="xMinYMin meet">
        <title id={`${id}-t`}>{title}</title>
        <line x1={left} x2={w - left} y1={top + plotH} y2={top + plotH} class="axis" />
        {data.map((d, i) => {
          const bh = Math.round((d.value / max) * plotH);
          const x = left + i * colW;
          return (
            <g key={d.label}>
              <rect x={x + 8} y={top + plotH - bh} width={colW - 16} height={bh} rx="3" class="bar" />
              <text x={x + colW / 2} y={top + plotH - bh - 4} text-anchor="middle" class="val">{d.value}</text>
              <text x={x + colW / 2} y={top + plotH + 16} text-anchor="middle" class="lbl small">{d.label}</text>
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
