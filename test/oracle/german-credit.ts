import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/processes.js';
import { band, manifestFeatures, type OracleManifest } from './manifest-scorer.js';

/**
 * The German Credit data read straight from ../shared/data/german-credit/german.data by its
 * README (21 columns; 7 employment, 8 installment code, 9 status, 13 age, 20 foreign worker,
 * 21 class: 1 good, 2 bad), without model/train's parser, and a plain logistic fit of its own.
 */

export const DATA_FILE = join(PROJECT_ROOT, '../shared/data/german-credit/german.data');

const EMPLOYMENT: Record<string, string> = {
  A71: 'unemployed',
  A72: 'less than 1 year',
  A73: '1 to 4 years',
  A74: '4 to 7 years',
  A75: '7 years or more',
};
const STATUS: Record<string, string> = {
  A91: 'male: divorced/separated',
  A92: 'female: divorced/separated/married',
  A93: 'male: single',
  A94: 'male: married/widowed',
  A95: 'female: single',
};
const FOREIGN: Record<string, string> = { A201: 'yes', A202: 'no' };

export interface DataRow {
  /** The data's installment code 1–4, which is the model's band. */
  installmentCode: number;
  age: number;
  foreign: string;
  employment: string;
  status: string;
  /** Class 2 in column 21. */
  isBad: boolean;
}

export function readGermanCredit(path = DATA_FILE): { columns: number[]; rows: DataRow[] } {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const split = lines.map((line) => line.trim().split(/\s+/));
  const rows = split.map((c): DataRow => {
    const known = (table: Record<string, string>, code: string | undefined) => {
      const value = table[code ?? ''];
      if (value === undefined) throw new Error(`unknown code ${code}`);
      return value;
    };
    return {
      installmentCode: Number(c[7]),
      age: Number(c[12]),
      employment: known(EMPLOYMENT, c[6]),
      status: known(STATUS, c[8]),
      foreign: known(FOREIGN, c[19]),
      isBad: c[20] === '2',
    };
  });
  return { columns: split.map((c) => c.length), rows };
}

/**
 * The parameters training actually fits, recovered from the manifest. Training (model/train) drops,
 * per categorical, its most common level in the data (the reference, which L2 shrinks the others
 * toward) and any level absent from the data, fits with L2 on every weight but the intercept, then
 * shifts each categorical's coefficients to a frequency-weighted mean of 0. Undoing the shift:
 * a level's fitted weight is its coefficient minus the reference's, and the intercept takes the
 * references' coefficients. Scores are the same under both parameterisations.
 */
export function fittedParameters(
  manifest: OracleManifest,
  rows: readonly DataRow[],
): { names: string[]; theta: Float64Array } {
  const names = Object.keys(manifest.coefficients);
  const numeric = names.filter((name) => !name.includes('='));
  const groups = new Map<string, string[]>();
  for (const name of names.filter((n) => n.includes('='))) {
    const field = name.slice(0, name.indexOf('='));
    groups.set(field, [...(groups.get(field) ?? []), name]);
  }
  const valueOf: Record<string, (row: DataRow) => string> = {
    foreign_worker: (row) => row.foreign,
    present_employment_since: (row) => row.employment,
    personal_status_and_sex: (row) => row.status,
  };
  const kept: string[] = [];
  let intercept = manifest.intercept;
  const weights = new Map<string, number>(numeric.map((name) => [name, manifest.coefficients[name]!]));
  for (const [field, levels] of groups) {
    const read = valueOf[field];
    if (!read) throw new Error(`no column for ${field}`);
    const counts = levels.map((name) => rows.filter((row) => `${field}=${read(row)}` === name).length);
    const reference = levels[counts.indexOf(Math.max(...counts))]!;
    const shift = manifest.coefficients[reference]!;
    intercept += shift;
    levels.forEach((name, i) => {
      if (name === reference || counts[i] === 0) return;
      kept.push(name);
      weights.set(name, manifest.coefficients[name]! - shift);
    });
  }
  const fitted = [...numeric, ...kept];
  return { names: fitted, theta: Float64Array.from([intercept, ...fitted.map((name) => weights.get(name)!)]) };
}

/** One design row (without intercept) over `names`, encoded by the manifest's own rules. */
export function designRow(manifest: OracleManifest, names: readonly string[], row: DataRow): Float64Array {
  // A share inside the row's band, so band() (the manifest's rule) maps it back to the data's code.
  const share = [0.1, ...manifest.installmentBandLowerBounds][row.installmentCode - 1]!;
  if (band(manifest, share) !== row.installmentCode) throw new Error(`band of code ${row.installmentCode}`);
  const features = manifestFeatures(manifest, {
    band: row.installmentCode,
    age: row.age,
    foreign: row.foreign,
    employment: row.employment,
    status: row.status,
  });
  return Float64Array.from(names, (name) => features.get(name) ?? 0);
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function predict(theta: Float64Array, x: Float64Array): number {
  let z = theta[0]!;
  for (let j = 0; j < x.length; j++) z += theta[j + 1]! * x[j]!;
  return sigmoid(z);
}

/**
 * Gradient of Σ log-loss + l2/2 · ‖w‖² (intercept unpenalised, as the manifest's "training" says
 * and model/train documents) at theta = [intercept, ...weights].
 */
export function penalisedGradient(
  design: readonly Float64Array[],
  isBad: readonly boolean[],
  theta: Float64Array,
  l2: number,
): Float64Array {
  const gradient = new Float64Array(theta.length);
  design.forEach((x, i) => {
    const residual = predict(theta, x) - (isBad[i] ? 1 : 0);
    gradient[0]! += residual;
    for (let j = 0; j < x.length; j++) gradient[j + 1]! += residual * x[j]!;
  });
  for (let j = 1; j < theta.length; j++) gradient[j]! += l2 * theta[j]!;
  return gradient;
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is n×n, row-major arrays). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** Minimises the same penalised log-loss by Newton steps until the gradient is negligible. */
export function fit(design: readonly Float64Array[], isBad: readonly boolean[], l2: number): Float64Array {
  const width = (design[0]?.length ?? 0) + 1;
  const theta = new Float64Array(width);
  for (let step = 0; step < 50; step++) {
    const gradient = penalisedGradient(design, isBad, theta, l2);
    if (Math.max(...gradient.map(Math.abs)) < 1e-10) return theta;
    const hessian = Array.from({ length: width }, () => new Array<number>(width).fill(0));
    for (const x of design) {
      const p = predict(theta, x);
      const row = [1, ...x];
      for (let j = 0; j < width; j++)
        for (let k = 0; k < width; k++) hessian[j]![k]! += p * (1 - p) * row[j]! * row[k]!;
    }
    for (let j = 1; j < width; j++) hessian[j]![j]! += l2;
    const delta = solve(hessian, Array.from(gradient));
    for (let j = 0; j < width; j++) theta[j]! -= delta[j]!;
  }
  throw new Error('no convergence');
}

/** Area under the ROC curve: P(score of a bad row > score of a good row), ties counting half. */
export function auc(scores: readonly number[], isBad: readonly boolean[]): number {
  let pairs = 0;
  let wins = 0;
  scores.forEach((bad, i) => {
    if (!isBad[i]) return;
    scores.forEach((good, j) => {
      if (isBad[j]) return;
      pairs += 1;
      wins += bad > good ? 1 : bad === good ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

/** Out-of-fold probabilities: row i is in fold i mod `folds` and scored by a fit on the others. */
export function outOfFold(design: readonly Float64Array[], isBad: readonly boolean[], l2: number, folds: number) {
  const scores = new Array<number>(design.length).fill(NaN);
  for (let fold = 0; fold < folds; fold++) {
    const train = design.map((_, i) => i).filter((i) => i % folds !== fold);
    const theta = fit(
      train.map((i) => design[i]!),
      train.map((i) => isBad[i]!),
      l2,
    );
    design.forEach((x, i) => {
      if (i % folds === fold) scores[i] = predict(theta, x);
    });
  }
  return scores;
}
