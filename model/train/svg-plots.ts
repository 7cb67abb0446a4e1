import { poolRepeats, type Evaluation } from './evaluation.js';
import { calibrationBins, rocCurve } from './metrics.js';
import {
  COLOURS,
  PLOT_TOP,
  barSwatch,
  chart,
  diagonal,
  dot,
  dotSwatch,
  frame,
  legend,
  line,
  lineSwatch,
  polyline,
  rect,
  svgDocument,
  text,
  type Point,
} from './svg-chart.js';
import { groupThousands } from './text-format.js';

/** Out-of-fold predictions of repeated cross-validation, with what the plots annotate. */
export interface PlotInput {
  /** One array of out-of-fold probabilities per repeat, in row order. */
  readonly repeats: readonly Float64Array[];
  readonly isBad: readonly boolean[];
  readonly evaluation: Evaluation;
  readonly decisionThreshold: number;
  readonly riskBandThresholds: readonly [number, number];
}

const CALIBRATION_BINS = 10;
const HISTOGRAM_BIN_WIDTH = 0.02;
// The tallest histogram bar reaches this share of the y axis, so bars stay behind the curve.
const HISTOGRAM_HEIGHT = 0.3;

function subtitle(input: PlotInput): string {
  const applicants = groupThousands(input.isBad.length);
  return `German Credit, ${applicants} applicants: 5-fold CV × ${input.repeats.length} repeats, out-of-fold`;
}

// A ROC step is 1/700 or 1/300 of the axis, under a pixel; points closer than this (in
// |dx| + |dy|, axis units) to the last kept one are dropped, which no eye can see.
const ROC_MIN_STEP = 0.01;

/** Keeps the first and last point and every point ROC_MIN_STEP away from the last kept one. */
function thin(points: readonly Point[]): Point[] {
  const kept: Point[] = [];
  points.forEach((point, index) => {
    const last = kept[kept.length - 1];
    const isFar = !last || Math.abs(point[0] - last[0]) + Math.abs(point[1] - last[1]) >= ROC_MIN_STEP;
    if (isFar || index === points.length - 1) kept.push(point);
  });
  return kept;
}

/** ROC curve of every repeat, the chance diagonal and the operating point of the decision threshold. */
export function rocSvg(input: PlotInput): string {
  const c = chart(1);
  const { probabilities, isBad } = poolRepeats(input.repeats, input.isBad);
  const declined = (bad: boolean): number =>
    probabilities.filter((p, i) => isBad[i] === bad && p >= input.decisionThreshold).length /
    isBad.filter((value) => value === bad).length;
  const { aucs, meanAuc } = input.evaluation;
  const range = `${Math.min(...aucs).toFixed(3)}–${Math.max(...aucs).toFixed(3)}`;
  const curveStyle = `stroke="${COLOURS.curve}" stroke-width="1.2" stroke-opacity="0.45"`;
  const entries = [
    {
      label: `ROC of each repeat: mean AUC ${meanAuc.toFixed(3)} (${range})`,
      swatch: lineSwatch(`stroke="${COLOURS.curve}" stroke-width="2"`),
    },
    { label: 'chance (AUC 0.5)', swatch: lineSwatch(`stroke="${COLOURS.reference}" stroke-dasharray="6 4"`) },
    { label: `decision threshold p ≥ ${input.decisionThreshold.toFixed(3)}`, swatch: dotSwatch(COLOURS.threshold) },
  ];
  return svgDocument([
    ...frame(c, {
      title: 'ROC curve of the cross-validated predictions',
      subtitle: subtitle(input),
      xLabel: 'false-positive rate (share of good applicants declined)',
      yLabel: 'true-positive rate (share of bad applicants declined)',
      tickStep: 0.2,
    }),
    diagonal(c),
    ...input.repeats.map((repeat) =>
      polyline(
        c,
        thin(rocCurve(repeat, input.isBad).map((point): Point => [point.falsePositiveRate, point.truePositiveRate])),
        curveStyle,
      ),
    ),
    dot(c, [declined(false), declined(true)], 5, COLOURS.threshold),
    ...legend('bottom-right', entries),
  ]);
}

/** Histogram bars of the predictions, scaled to HISTOGRAM_HEIGHT of the axis. */
function histogramBars(probabilities: Float64Array, max: number, draw: (from: Point, to: Point) => string): string[] {
  const counts = new Array<number>(Math.round(max / HISTOGRAM_BIN_WIDTH)).fill(0);
  probabilities.forEach((p) => {
    const bin = Math.min(counts.length - 1, Math.floor(p / HISTOGRAM_BIN_WIDTH));
    counts[bin] = (counts[bin] ?? 0) + 1;
  });
  const scale = (HISTOGRAM_HEIGHT * max) / Math.max(...counts);
  return counts.flatMap((count, bin) =>
    count === 0 ? [] : [draw([bin * HISTOGRAM_BIN_WIDTH, 0], [(bin + 1) * HISTOGRAM_BIN_WIDTH, count * scale])],
  );
}

/** Reliability diagram: observed bad rate against mean prediction per tenth, with the band cut-offs. */
export function calibrationSvg(input: PlotInput): string {
  const { probabilities, isBad } = poolRepeats(input.repeats, input.isBad);
  const bins = calibrationBins(probabilities, isBad, CALIBRATION_BINS);
  const highest = Math.max(...probabilities, ...bins.map((bin) => bin.badRate));
  const c = chart(Math.ceil(highest * 10) / 10);
  const [lower, upper] = input.riskBandThresholds;
  const points = bins.map((bin): Point => [bin.meanProbability, bin.badRate]);
  const cutStyle = (colour: string): string => `stroke="${colour}" stroke-width="1.5" stroke-dasharray="4 3"`;
  const cut = (at: number, colour: string): string => line(c, [at, 0], [at, c.max], cutStyle(colour));
  const bandLabel = (from: number, to: number, label: string): string =>
    text(c.x((from + to) / 2), PLOT_TOP + 16, label, 'middle', ' font-weight="bold" fill="#555555"');
  const entries = [
    {
      label: `observed bad rate per tenth (Brier ${input.evaluation.brier.toFixed(4)})`,
      swatch: dotSwatch(COLOURS.curve),
    },
    { label: 'perfect calibration', swatch: lineSwatch(`stroke="${COLOURS.reference}" stroke-dasharray="6 4"`) },
    { label: 'distribution of predictions (scaled)', swatch: barSwatch(COLOURS.bars) },
    { label: `LOW | MEDIUM = decision ${lower.toFixed(3)}`, swatch: lineSwatch(cutStyle(COLOURS.threshold)) },
    { label: `MEDIUM | HIGH = bad rate ${upper.toFixed(3)}`, swatch: lineSwatch(cutStyle(COLOURS.high)) },
  ];
  return svgDocument([
    ...frame(c, {
      title: 'Calibration of the cross-validated predictions',
      subtitle: subtitle(input),
      xLabel: 'predicted probability of default',
      yLabel: 'observed share of bad loans',
      tickStep: 0.1,
    }),
    ...histogramBars(probabilities, c.max, (from, to) => rect(c, from, to, `fill="${COLOURS.bars}"`)),
    diagonal(c),
    cut(lower, COLOURS.threshold),
    cut(upper, COLOURS.high),
    bandLabel(0, lower, 'LOW'),
    bandLabel(lower, upper, 'MEDIUM'),
    bandLabel(upper, c.max, 'HIGH'),
    polyline(c, points, `stroke="${COLOURS.curve}" stroke-width="2"`),
    ...points.map((point) => dot(c, point, 4.5, COLOURS.curve)),
    // Below the band labels along the top edge.
    ...legend('top-left', entries, 28),
  ]);
}
