import { CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES, categoricalBlockStart, encodeRow } from './features.js';
import type { CreditRow, LabelledRow } from './german-data.js';
import { fitLogistic, sigmoid } from './logistic-regression.js';

/**
 * The scoring model: probability of default = sigmoid(intercept + coefficients · encodeRow(row)),
 * coefficients in FEATURE_NAMES order. This is what the ONNX graph computes.
 */
export interface LogisticModel {
  readonly intercept: number;
  readonly coefficients: Float64Array;
}

/** How many rows take each level of the categorical at `index`. */
function levelCounts(encoded: readonly Float64Array[], index: number): number[] {
  const start = categoricalBlockStart(index);
  const levels = CATEGORICAL_FEATURES[index]?.levels ?? [];
  return levels.map((_, level) => encoded.filter((vector) => vector[start + level] === 1).length);
}

/**
 * Columns of the fitted design: the numeric features and every categorical level except, per
 * categorical, the most common level (the reference: L2 shrinks the others toward it) and any
 * level absent from the rows (its column would be all zero).
 */
function designColumns(encoded: readonly Float64Array[]): number[] {
  const columns: number[] = NUMERIC_FEATURES.map((_, index) => index);
  CATEGORICAL_FEATURES.forEach((_, index) => {
    const start = categoricalBlockStart(index);
    const counts = levelCounts(encoded, index);
    const reference = counts.indexOf(Math.max(...counts));
    counts.forEach((count, level) => {
      if (level !== reference && count > 0) columns.push(start + level);
    });
  });
  return columns;
}

/**
 * Shifts each categorical's coefficients so their mean, weighted by level frequency in the rows,
 * is 0, moving the shift into the intercept: scores of observed levels do not change, while an
 * all-zero block (an unseen string, or a level absent from the rows) scores as the average
 * applicant rather than as an arbitrary reference level. Absent levels keep coefficient 0.
 */
function centreCategoricals(encoded: readonly Float64Array[], fit: LogisticModel): LogisticModel {
  const coefficients = fit.coefficients.slice();
  let intercept = fit.intercept;
  CATEGORICAL_FEATURES.forEach((_, index) => {
    const start = categoricalBlockStart(index);
    const counts = levelCounts(encoded, index);
    const total = counts.reduce((sum, count) => sum + count, 0);
    const mean = counts.reduce((sum, count, level) => sum + count * coefficients[start + level]!, 0) / total;
    intercept += mean;
    counts.forEach((count, level) => {
      coefficients[start + level] = count > 0 ? coefficients[start + level]! - mean : 0;
    });
  });
  return { intercept, coefficients };
}

/** Fits the model on labelled rows (L2 strength `l2`, see fitLogistic). Deterministic. */
export function fitModel(rows: readonly LabelledRow[], l2: number): LogisticModel {
  const encoded = rows.map(encodeRow);
  const columns = designColumns(encoded);
  const design = encoded.map((vector) => Float64Array.from(columns, (column) => vector[column]!));
  const fit = fitLogistic(
    design,
    rows.map((row) => row.isBad),
    l2,
  );
  const coefficients = new Float64Array(FEATURE_NAMES.length);
  columns.forEach((column, index) => {
    coefficients[column] = fit.weights[index]!;
  });
  return centreCategoricals(encoded, { intercept: fit.intercept, coefficients });
}

/**
 * Probability of default for each row in float64, summing in the graph's order (MatMul, then
 * the bias, then Sigmoid), so it agrees with the ONNX model to rounding.
 */
export function predictProbability(model: LogisticModel, rows: readonly CreditRow[]): Float64Array {
  return Float64Array.from(rows, (row) => {
    const vector = encodeRow(row);
    let dot = 0;
    for (let j = 0; j < vector.length; j++) dot += vector[j]! * model.coefficients[j]!;
    return sigmoid(dot + model.intercept);
  });
}
