import type { RunResult } from '../results.js';
import { ms } from './format.js';

const WIDTH = 980;
const LABEL_WIDTH = 300;
const CHART_LEFT = LABEL_WIDTH + 10;
const CHART_RIGHT = WIDTH - 80;
const TOP = 50;
const ROW_HEIGHT = 30;
const BAR_HEIGHT = 10;
const COLORS = { p50: '#8fb8de', p99: '#1f4e79' } as const;

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Decades spanning every value: latencies run from tenths of a millisecond to seconds. */
function logScale(values: readonly number[]): { exponents: number[]; x: (value: number) => number } {
  const positive = values.filter((value) => value > 0);
  const low = Math.floor(Math.log10(Math.min(...positive, 1)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive, 1))));
  const exponents = Array.from({ length: high - low + 1 }, (_, i) => low + i);
  const x = (value: number) => {
    const position = (Math.log10(Math.max(value, 10 ** low)) - low) / (high - low);
    return CHART_LEFT + position * (CHART_RIGHT - CHART_LEFT);
  };
  return { exponents, x };
}

function bar(x: (value: number) => number, y: number, value: number, color: string): string {
  const end = x(value);
  return (
    `<rect x="${CHART_LEFT}" y="${y}" width="${(end - CHART_LEFT).toFixed(1)}" height="${BAR_HEIGHT}" fill="${color}"/>` +
    `<text x="${(end + 4).toFixed(1)}" y="${y + BAR_HEIGHT - 1}" font-size="10">${ms(value)}</text>`
  );
}

/** p50 and p99 bars for every run, on a log scale in milliseconds; written by hand, no chart library. */
export function renderLatencySvg(runs: readonly RunResult[], title: string): string {
  const { exponents, x } = logScale(runs.flatMap((run) => [run.latencyMs.p50, run.latencyMs.p99]));
  const bottom = TOP + runs.length * ROW_HEIGHT;
  const grid = exponents.map((exponent) => {
    const gx = x(10 ** exponent).toFixed(1);
    const label = exponent < 0 ? (10 ** exponent).toFixed(-exponent) : String(10 ** exponent);
    return (
      `<line x1="${gx}" y1="${TOP - 5}" x2="${gx}" y2="${bottom}" stroke="#ddd"/>` +
      `<text x="${gx}" y="${bottom + 15}" font-size="11" text-anchor="middle">${label} ms</text>`
    );
  });
  const rows = runs.map((run, i) => {
    const y = TOP + i * ROW_HEIGHT;
    return (
      `<text x="${LABEL_WIDTH}" y="${y + BAR_HEIGHT + 4}" font-size="12" text-anchor="end">${escapeXml(run.label)}</text>` +
      bar(x, y + 2, run.latencyMs.p50, COLORS.p50) +
      bar(x, y + 2 + BAR_HEIGHT + 2, run.latencyMs.p99, COLORS.p99)
    );
  });
  const legend =
    `<rect x="${CHART_LEFT}" y="28" width="12" height="10" fill="${COLORS.p50}"/><text x="${CHART_LEFT + 16}" y="37" font-size="11">p50</text>` +
    `<rect x="${CHART_LEFT + 60}" y="28" width="12" height="10" fill="${COLORS.p99}"/><text x="${CHART_LEFT + 76}" y="37" font-size="11">p99</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${bottom + 30}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    legend,
    ...grid,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
