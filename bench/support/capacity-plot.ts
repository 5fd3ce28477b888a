/**
 * The capacity figures as an SVG written by hand (no plotting dependency):
 * three panels against N — memory per connection, one publish's p99, and
 * the connect rate — one line per target, the floor dashed.
 */
import type { ScaleResult, ScaleTarget } from './capacity-at-scale.js';

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly value: (r: ScaleResult) => number;
}

const PANELS: readonly Panel[] = [
  { title: 'Memory per connection', unit: 'KiB (server RSS)', value: (r) => r.kibPerConn },
  { title: 'One publish, p99 to every subscriber', unit: 'ms', value: (r) => r.one.p99 },
  { title: 'Connect rate', unit: 'opens/s', value: (r) => r.connectsPerSecond },
];

const STYLE: Record<ScaleTarget, { colour: string; dash: string; name: string }> = {
  floor: { colour: '#6b7280', dash: '6 4', name: 'bare node:http floor' },
  'cometkit-redis': { colour: '#2563eb', dash: '', name: 'cometkit, Redis, --workers ⌈N/15k⌉' },
  'cometkit-memory': { colour: '#16a34a', dash: '', name: 'cometkit, memory broker, 1 process' },
};

const WIDTH = 300;
const HEIGHT = 220;
const MARGIN = { left: 52, right: 14, top: 34, bottom: 40 };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A round step giving about four ticks up to `max`. */
function tickStep(max: number): number {
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((step) => step >= raw)!;
}

function formatN(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n);
}

function panel(p: Panel, results: readonly ScaleResult[], x0: number): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sizes = [...new Set(results.map((r) => r.size))].sort((a, b) => a - b);
  const maxN = Math.max(...sizes);
  const values = results.map(p.value).filter(Number.isFinite);
  const yStep = tickStep(Math.max(1, ...values));
  const maxY = Math.ceil(Math.max(1, ...values) / yStep) * yStep;
  const x = (n: number): number => x0 + MARGIN.left + (n / maxN) * plotW;
  const y = (v: number): number => MARGIN.top + plotH - (v / maxY) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${x0 + MARGIN.left}" y="16" font-weight="bold">${escape(p.title)}</text>`);
  parts.push(`<text x="${x0 + MARGIN.left}" y="28" fill="#555">${escape(p.unit)}</text>`);
  for (let v = 0; v <= maxY + 1e-9; v += yStep) {
    parts.push(`<line x1="${x0 + MARGIN.left}" x2="${x0 + MARGIN.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${x0 + MARGIN.left - 4}" y="${(y(v) + 3).toFixed(1)}" text-anchor="end">${Number(v.toPrecision(6))}</text>`);
  }
  for (const n of sizes) {
    parts.push(`<text x="${x(n).toFixed(1)}" y="${MARGIN.top + plotH + 14}" text-anchor="middle">${formatN(n)}</text>`);
  }
  parts.push(`<text x="${x0 + MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle" fill="#555">subscribers (N)</text>`);
  parts.push(`<line x1="${x0 + MARGIN.left}" x2="${x0 + MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#9ca3af"/>`);
  parts.push(`<line x1="${x0 + MARGIN.left}" x2="${x0 + MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#9ca3af"/>`);
  for (const target of Object.keys(STYLE) as ScaleTarget[]) {
    const points = results
      .filter((r) => r.target === target && Number.isFinite(p.value(r)))
      .sort((a, b) => a.size - b.size)
      .map((r) => [x(r.size), y(p.value(r))] as const);
    if (points.length === 0) continue;
    const { colour, dash } = STYLE[target];
    if (points.length > 1) {
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`,
      );
    }
    for (const [px, py] of points) parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${colour}"/>`);
  }
  return parts.join('\n');
}

export function capacityPlot(results: readonly ScaleResult[]): string {
  const width = WIDTH * PANELS.length;
  const legendY = HEIGHT + 8;
  const present = (Object.keys(STYLE) as ScaleTarget[]).filter((t) => results.some((r) => r.target === t));
  const legend = present
    .map((target, i) => {
      const { colour, dash, name } = STYLE[target];
      const lx = 60 + i * 290;
      return (
        `<line x1="${lx}" x2="${lx + 28}" y1="${legendY + 6}" y2="${legendY + 6}" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>` +
        `<text x="${lx + 34}" y="${legendY + 10}">${escape(name)}</text>`
      );
    })
    .join('\n');
  const loads = results.map((r) => r.load[0]);
  const note = `Loopback, 2 shared cores (load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}): times are upper bounds. npm run bench -- capacity --n …`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT + 48}" viewBox="0 0 ${width} ${HEIGHT + 48}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...PANELS.map((p, i) => panel(p, results, i * WIDTH)),
    legend,
    `<text x="60" y="${legendY + 32}" fill="#555">${escape(note)}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
