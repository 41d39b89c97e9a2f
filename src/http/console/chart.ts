// Logins per minute as an inline SVG drawn on the server: no chart library, no script, and
// colours come from classes in the console's CSS (the CSP forbids inline styles).
import { type Html, html } from './html.js';
import type { MinuteBucket } from './overview-data.js';

const W = 720;
const H = 180;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };

const hhmm = (d: Date): string => d.toISOString().slice(11, 16);

export function loginChart(buckets: readonly MinuteBucket[]): Html {
  const max = Math.max(1, ...buckets.map((b) => b.accept + b.reject));
  const top = niceCeiling(Math.max(2, max));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(1, slot - 2);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const bars = buckets.map((b, i) => {
    const x = PAD.left + i * slot + 1;
    const acceptTop = y(b.accept);
    const rejectTop = y(b.accept + b.reject);
    const label = `${hhmm(b.start)} UTC: ${b.accept} accepted, ${b.reject} refused`;
    return html`<g><title data-minute="${b.start.toISOString()}">${label}</title><rect class="hit" x="${fix(x - 1)}" y="${PAD.top}" width="${fix(slot)}" height="${plotH}"/>${
      b.accept > 0 && html`<rect class="accept" x="${fix(x)}" y="${fix(acceptTop)}" width="${fix(barW)}" height="${fix(PAD.top + plotH - acceptTop)}"/>`
    }${b.reject > 0 && html`<rect class="reject" x="${fix(x)}" y="${fix(rejectTop)}" width="${fix(barW)}" height="${fix(acceptTop - rejectTop)}"/>`}</g>`;
  });
  const grid = [0, top / 2, top].map(
    (v) => html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${fix(y(v))}" y2="${fix(y(v))}"/>${Number.isInteger(v) && html`<text class="axis" x="${PAD.left - 6}" y="${fix(y(v) + 4)}" text-anchor="end">${v}</text>`}`,
  );
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  const mid = buckets[Math.floor(buckets.length / 2)];
  const xLabels = [
    first && html`<text class="axis" x="${PAD.left}" y="${H - 6}" data-minute="${first.start.toISOString()}">${hhmm(first.start)}</text>`,
    mid && html`<text class="axis" x="${fix(PAD.left + plotW / 2)}" y="${H - 6}" text-anchor="middle" data-minute="${mid.start.toISOString()}">${hhmm(mid.start)}</text>`,
    last && html`<text class="axis" x="${W - PAD.right}" y="${H - 6}" text-anchor="end" data-minute="${last.start.toISOString()}">${hhmm(last.start)} UTC</text>`,
  ];
  const total = buckets.reduce((n, b) => n + b.accept + b.reject, 0);
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${`Logins per minute, last hour: ${total} in all`}" xmlns="http://www.w3.org/2000/svg">${grid}${bars}${xLabels}</svg>`;
}

/** 1, 2, 5, 10, 20, 50… at or above v, so the axis reads in round numbers. */
function niceCeiling(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const fix = (n: number): string => n.toFixed(1).replace(/\.0$/, '');
