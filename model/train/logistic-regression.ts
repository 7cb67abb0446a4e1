/** Intercept and weights of a fitted logistic regression, weights in design-column order. */
export interface LogisticFit {
  readonly intercept: number;
  readonly weights: Float64Array;
}

const MAX_ITERATIONS = 100;
// Newton converges quadratically; once no step exceeds this, the fit is exact to float64.
const STEP_TOLERANCE = 1e-12;

/** The logistic function, 1 / (1 + e^-z). */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Solves A x = b for a symmetric positive-definite A (row-major n×n) by Cholesky. */
function solveSpd(a: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error('logistic regression: Hessian is not positive definite');
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

/**
 * Fits a logistic regression by Newton's method (IRLS) in float64, minimising the negative
 * log-likelihood plus `l2 / 2 · ‖weights‖²`; the intercept is not penalised. Loops run in a fixed
 * order, so the same input gives bit-identical output. Throws if Newton has not converged after
 * 100 steps.
 *
 * @param design one row per example, every row the same length
 * @param isBad the label of each row
 */
export function fitLogistic(design: readonly Float64Array[], isBad: readonly boolean[], l2: number): LogisticFit {
  const width = (design[0]?.length ?? 0) + 1; // column 0 is the intercept
  const theta = new Float64Array(width);
  const row = new Float64Array(width);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const gradient = new Float64Array(width);
    const hessian = new Float64Array(width * width);
    design.forEach((features, i) => {
      row[0] = 1;
      row.set(features, 1);
      let z = 0;
      for (let j = 0; j < width; j++) z += theta[j]! * row[j]!;
      const p = sigmoid(z);
      const residual = p - (isBad[i] ? 1 : 0);
      const curvature = p * (1 - p);
      for (let j = 0; j < width; j++) {
        gradient[j]! += residual * row[j]!;
        for (let k = 0; k <= j; k++) hessian[j * width + k]! += curvature * row[j]! * row[k]!;
      }
    });
    for (let j = 1; j < width; j++) {
      gradient[j]! += l2 * theta[j]!;
      hessian[j * width + j]! += l2;
    }
    for (let j = 0; j < width; j++) for (let k = 0; k < j; k++) hessian[k * width + j] = hessian[j * width + k]!;
    const step = solveSpd(hessian, gradient);
    let largestStep = 0;
    for (let j = 0; j < width; j++) {
      theta[j]! -= step[j]!;
      largestStep = Math.max(largestStep, Math.abs(step[j]!));
    }
    if (largestStep < STEP_TOLERANCE) return { intercept: theta[0]!, weights: theta.slice(1) };
  }
  throw new Error(`logistic regression: no convergence after ${MAX_ITERATIONS} Newton steps`);
}
