// Plot area in SVG pixels: square, so a diagonal reference line runs at 45°.
const LEFT = 72;
const TOP = 56;
const SIZE = 400;
const WIDTH = LEFT + SIZE + 40;
const HEIGHT = TOP + SIZE + 64;

/** Colours shared by the plots. */
export const COLOURS = {
  curve: '#1f6fb2',
  threshold: '#e07b00',
  high: '#c0392b',
  reference: '#888888',
  bars: '#d5dde6',
};

/** A point in data units. */
export type Point = readonly [number, number];

/** A square chart whose both axes run from 0 to `max`. */
export interface Chart {
  readonly max: number;
  x(value: number): number;
  y(value: number): number;
}

/** A chart with both axes over [0, max]. */
export function chart(max: number): Chart {
  return { max, x: (value) => LEFT + (value / max) * SIZE, y: (value) => TOP + SIZE - (value / max) * SIZE };
}

// One decimal is finer than a screen pixel and keeps the files small and stable.
const px = (value: number): string => value.toFixed(1);

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A text element; `anchor` is the SVG text-anchor. */
export function text(x: number, y: number, content: string, anchor = 'start', extra = ''): string {
  return `<text x="${px(x)}" y="${px(y)}" text-anchor="${anchor}"${extra}>${escapeXml(content)}</text>`;
}

/** A polyline through data points. */
export function polyline(c: Chart, points: readonly Point[], style: string): string {
  const coordinates = points.map(([x, y]) => `${px(c.x(x))},${px(c.y(y))}`).join(' ');
  return `<polyline points="${coordinates}" fill="none" ${style}/>`;
}

function pixelLine(x1: number, y1: number, x2: number, y2: number, style: string): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" ${style}/>`;
}

/** A line between two data points. */
export function line(c: Chart, from: Point, to: Point, style: string): string {
  return pixelLine(c.x(from[0]), c.y(from[1]), c.x(to[0]), c.y(to[1]), style);
}

/** A dot at a data point. */
export function dot(c: Chart, at: Point, radius: number, colour: string): string {
  const position = `cx="${px(c.x(at[0]))}" cy="${px(c.y(at[1]))}" r="${radius}"`;
  return `<circle ${position} fill="${colour}" stroke="white" stroke-width="1"/>`;
}

function pixelRect(x: number, y: number, width: number, height: number, style: string): string {
  return `<rect x="${px(x)}" y="${px(y)}" width="${px(width)}" height="${px(height)}" ${style}/>`;
}

/** A rectangle between two data-space corners. */
export function rect(c: Chart, from: Point, to: Point, style: string): string {
  const [x0, x1] = [c.x(from[0]), c.x(to[0])];
  const [y0, y1] = [c.y(from[1]), c.y(to[1])];
  return pixelRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0), style);
}

/** Labels and axis titles of a chart. */
export interface Frame {
  readonly title: string;
  readonly subtitle: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly tickStep: number;
}

/** Background, grid, ticks, tick labels, axis titles and title. */
export function frame(c: Chart, labels: Frame): string[] {
  const parts = [`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`];
  const ticks = Math.round(c.max / labels.tickStep);
  for (let i = 0; i <= ticks; i++) {
    const value = i * labels.tickStep;
    const label = value.toFixed(labels.tickStep < 0.1 ? 2 : 1);
    parts.push(
      line(c, [value, 0], [value, c.max], 'stroke="#eeeeee"'),
      line(c, [0, value], [c.max, value], 'stroke="#eeeeee"'),
      pixelLine(c.x(value), TOP + SIZE, c.x(value), TOP + SIZE + 5, 'stroke="black"'),
      pixelLine(LEFT - 5, c.y(value), LEFT, c.y(value), 'stroke="black"'),
      text(c.x(value), TOP + SIZE + 20, label, 'middle'),
      text(LEFT - 9, c.y(value) + 4, label, 'end'),
    );
  }
  parts.push(
    `<rect x="${LEFT}" y="${TOP}" width="${SIZE}" height="${SIZE}" fill="none" stroke="black"/>`,
    text(LEFT + SIZE / 2, TOP + SIZE + 44, labels.xLabel, 'middle'),
    text(20, TOP + SIZE / 2, labels.yLabel, 'middle', ` transform="rotate(-90 20 ${px(TOP + SIZE / 2)})"`),
    text(WIDTH / 2, 24, labels.title, 'middle', ' font-size="16" font-weight="bold"'),
    text(WIDTH / 2, 42, labels.subtitle, 'middle', ' fill="#555555"'),
  );
  return parts;
}

/** The dashed y = x reference line (chance for ROC, perfect calibration for reliability). */
export function diagonal(c: Chart): string {
  return line(c, [0, 0], [c.max, c.max], `stroke="${COLOURS.reference}" stroke-dasharray="6 4"`);
}

/** One legend line: a swatch drawn by `swatch` at (x, y) in pixels, then the label. */
export interface LegendEntry {
  readonly label: string;
  swatch(x: number, y: number): string;
}

/** A legend swatch: a short line in the given stroke style. */
export function lineSwatch(style: string): LegendEntry['swatch'] {
  return (x, y) => `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 20)}" y2="${px(y)}" ${style}/>`;
}

/** A legend swatch: a dot. */
export function dotSwatch(colour: string): LegendEntry['swatch'] {
  return (x, y) => `<circle cx="${px(x + 10)}" cy="${px(y)}" r="4" fill="${colour}"/>`;
}

/** A legend swatch: a small filled square. */
export function barSwatch(colour: string): LegendEntry['swatch'] {
  return (x, y) => `<rect x="${px(x + 4)}" y="${px(y - 6)}" width="12" height="12" fill="${colour}"/>`;
}

// SVG cannot measure text; 6.5 px is a generous average glyph width of 12 px Helvetica/Arial.
const GLYPH_WIDTH = 6.5;
const LEGEND_ROW = 18;

/** A legend box sized to its labels, inset 8 px into the given corner of the plot area. */
export function legend(corner: 'top-left' | 'bottom-right', entries: readonly LegendEntry[], insetTop = 8): string[] {
  const width = 44 + Math.max(...entries.map((entry) => entry.label.length)) * GLYPH_WIDTH;
  const height = entries.length * LEGEND_ROW + 8;
  const x = corner === 'top-left' ? LEFT + 8 : LEFT + SIZE - 8 - width;
  const y = corner === 'top-left' ? TOP + insetTop : TOP + SIZE - 8 - height;
  return [
    pixelRect(x, y, width, height, 'fill="white" fill-opacity="0.9" stroke="#cccccc"'),
    ...entries.flatMap((entry, index) => {
      const rowY = y + 4 + index * LEGEND_ROW + LEGEND_ROW / 2;
      return [entry.swatch(x + 8, rowY), text(x + 36, rowY + 4, entry.label)];
    }),
  ];
}

/** Pixel y of the plot area's top edge, for labels inside the plot. */
export const PLOT_TOP = TOP;

/** The SVG document around the given elements. */
export function svgDocument(parts: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}"` +
      ' font-family="Helvetica, Arial, sans-serif" font-size="12">',
    ...parts.map((part) => `  ${part}`),
    '</svg>',
    '',
  ].join('\n');
}
