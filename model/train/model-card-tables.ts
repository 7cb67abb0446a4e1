import { FEATURE_NAMES } from './features.js';
import {
  DECISION_LABELS,
  GRAPH_INPUTS,
  GRAPH_OUTPUTS,
  RISK_CATEGORY_LABELS,
  type TensorSpec,
} from './onnx-contract.js';
import type { TrainingResult } from './training-result.js';
import { groupThousands, percent } from './text-format.js';

const fixed = (value: number, digits = 3): string => value.toFixed(digits);

/** Coefficients with odds ratios and how many rows back each one. */
export function featureTable(result: TrainingResult): string {
  const rows = FEATURE_NAMES.map((name, index) => {
    const coefficient = result.model.coefficients[index] ?? NaN;
    const support = groupThousands(result.nonZeroRows[index] ?? NaN);
    return `| \`${name}\` | ${fixed(coefficient, 4)} | ${fixed(Math.exp(coefficient))} | ${support} |`;
  });
  return [
    '| feature | coefficient (log-odds) | odds ratio | rows with it non-zero |',
    '|---|---:|---:|---:|',
    ...rows,
    `| intercept | ${fixed(result.model.intercept, 4)} | | |`,
  ].join('\n');
}

/** Cross-validated quality against the two trivial policies. */
export function metricsTable(result: TrainingResult): string {
  const e = result.evaluation;
  const prior = result.data.badRate;
  const aucRange = `${fixed(Math.min(...e.aucs))}–${fixed(Math.max(...e.aucs))}`;
  return [
    '| metric (out-of-fold, per applicant) | value |',
    '|---|---:|',
    `| AUC, mean of ${e.aucs.length} repeats (min–max) | ${fixed(e.meanAuc)} (${aucRange}) |`,
    `| Brier score (always predicting ${prior} would score ${fixed(prior * (1 - prior), 4)}) | ${fixed(e.brier, 4)} |`,
    `| expected cost at the decision threshold ${result.decisionThreshold} | ${fixed(e.expectedCost)} |`,
    `| share declined at the decision threshold | ${percent(e.declineRate)} |`,
    `| expected cost at the Bayes threshold 1/6 | ${fixed(e.expectedCostAtBayesThreshold)} |`,
    `| baseline: decline everyone | ${fixed(e.expectedCostDeclineAll)} |`,
    `| baseline: accept everyone | ${fixed(e.expectedCostAcceptAll)} |`,
  ].join('\n');
}

/** The three risk bands with their decision and how the cross-validated predictions fill them. */
export function bandTable(result: TrainingResult): string {
  const [lower, upper] = result.riskBandThresholds;
  const ranges = [`p < ${lower}`, `${lower} ≤ p < ${upper}`, `p ≥ ${upper}`];
  const decisions = [DECISION_LABELS[0], DECISION_LABELS[1], DECISION_LABELS[1]];
  return [
    '| band | probability | decision | share of applicants (CV) | observed bad rate (CV) |',
    '|---|---|---|---:|---:|',
    ...RISK_CATEGORY_LABELS.map((label, index) => {
      const band = result.evaluation.bands[label];
      const cells = [label, ranges[index], decisions[index], percent(band.share), percent(band.badRate)];
      return `| ${cells.join(' | ')} |`;
    }),
  ].join('\n');
}

/** The ONNX graph's inputs and outputs, as the worker feeds and reads them. */
export function interfaceTable(): string {
  const row = (direction: string) => (spec: TensorSpec) =>
    `| \`${spec.name}\` | ${direction} | ${spec.type} | [N, 1] | ${spec.meaning} |`;
  return [
    '| tensor | direction | type | shape | meaning |',
    '|---|---|---|---|---|',
    ...GRAPH_INPUTS.map(row('input')),
    ...GRAPH_OUTPUTS.map(row('output')),
  ].join('\n');
}
