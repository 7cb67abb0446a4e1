import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { INSTALLMENT_BAND_LOWER_BOUNDS, installmentBand, type Applicant } from '../../shared/applicant.js';
import { creditRowFromApplicant } from '../../model/train/features.js';
import { parseGermanData, type CreditRow, type LabelledRow } from '../../model/train/german-data.js';
import { predictProbability } from '../../model/train/logistic-model.js';
import { MODEL_FILES, trainAndWrite } from '../../model/train/train.js';
import type { TrainingResult } from '../../model/train/training-result.js';
import {
  auc,
  designRow,
  fit,
  fittedParameters,
  outOfFold,
  penalisedGradient,
  readGermanCredit,
} from '../oracle/german-credit.js';
import { MANIFEST_PATH, readOracleManifest } from '../oracle/manifest-scorer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL_DIR = join(ROOT, 'model');
const DATA_FILE = join(ROOT, '../shared/data/german-credit/german.data');
// The graph computes in float64 like the training code; only summation order differs.
const TOLERANCE = 1e-9;

/** The manifest fields this test relies on. */
const Manifest = z.object({
  version: z.string(),
  file: z.string(),
  sha256: z.string(),
  decisionThreshold: z.number(),
  riskBandThresholds: z.tuple([z.number(), z.number()]),
  installmentBandLowerBounds: z.array(z.number()),
  outputs: z.object({
    decision: z.object({ labels: z.array(z.string()) }),
    risk_category: z.object({ labels: z.array(z.string()) }),
  }),
});

/** The graph's inputs; strings are loose so unseen values can be fed. */
interface GraphInput {
  installment_share: number;
  age_in_years: number;
  foreign_worker: string;
  present_employment_since: string;
  personal_status_and_sex: string;
}

interface GraphOutput {
  probability: Float64Array;
  decision: BigInt64Array;
  riskCategory: BigInt64Array;
}

/** A share inside band k of the data: the band's lower bound, or 0.1 for band 1. */
function shareInBand(band: number): number {
  return band === 1 ? 0.1 : (INSTALLMENT_BAND_LOWER_BOUNDS[band - 2] ?? NaN);
}

function asGraphInput(row: CreditRow): GraphInput {
  return {
    installment_share: shareInBand(row.installmentBand),
    age_in_years: row.age_in_years,
    foreign_worker: row.foreign_worker,
    present_employment_since: row.present_employment_since,
    personal_status_and_sex: row.personal_status_and_sex,
  };
}

function column(name: string, values: Tensor.DataType, type: 'float64' | 'string', n: number): [string, Tensor] {
  return [name, new Tensor(type, values, [n, 1])];
}

async function score(session: InferenceSession, inputs: readonly GraphInput[]): Promise<GraphOutput> {
  const n = inputs.length;
  const feeds = Object.fromEntries([
    column(
      'installment_share',
      Float64Array.from(inputs, (i) => i.installment_share),
      'float64',
      n,
    ),
    column(
      'age_in_years',
      Float64Array.from(inputs, (i) => i.age_in_years),
      'float64',
      n,
    ),
    column(
      'foreign_worker',
      inputs.map((i) => i.foreign_worker),
      'string',
      n,
    ),
    column(
      'present_employment_since',
      inputs.map((i) => i.present_employment_since),
      'string',
      n,
    ),
    column(
      'personal_status_and_sex',
      inputs.map((i) => i.personal_status_and_sex),
      'string',
      n,
    ),
  ]);
  const out = await session.run(feeds);
  for (const name of ['probability', 'decision', 'risk_category']) expect(out[name]?.dims).toEqual([n, 1]);
  const { probability, decision, risk_category: riskCategory } = out;
  if (!(probability?.data instanceof Float64Array)) throw new Error('probability is not float64');
  if (!(decision?.data instanceof BigInt64Array)) throw new Error('decision is not int64');
  if (!(riskCategory?.data instanceof BigInt64Array)) throw new Error('risk_category is not int64');
  return { probability: probability.data, decision: decision.data, riskCategory: riskCategory.data };
}

const EXAMPLE: Applicant = {
  installment_rate_in_percentage_of_disposable_income: 0.25,
  age_in_years: 30,
  foreign_worker: 'yes',
  present_employment_since: 'unemployed',
  personal_status_and_sex: 'male: single',
};

function fromApplicant(applicant: Applicant): GraphInput {
  const { installment_rate_in_percentage_of_disposable_income: share, ...fields } = applicant;
  return { installment_share: share, ...fields };
}

describe('credit model', () => {
  let outDir: string;
  let result: TrainingResult;
  let rows: LabelledRow[];
  let session: InferenceSession;
  let manifest: z.infer<typeof Manifest>;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'credit-model-'));
    result = await trainAndWrite({ dataFile: DATA_FILE, outDir });
    rows = parseGermanData(await readFile(DATA_FILE, 'utf8'));
    session = await InferenceSession.create(join(MODEL_DIR, 'credit-model.onnx'));
    manifest = Manifest.parse(JSON.parse(await readFile(join(MODEL_DIR, 'manifest.json'), 'utf8')));
  });

  afterAll(async () => {
    await session?.release();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('train: retraining writes files byte-identical to the committed ones in model/', async () => {
    for (const file of MODEL_FILES) {
      const [fresh, committed] = await Promise.all([readFile(join(outDir, file)), readFile(join(MODEL_DIR, file))]);
      expect(fresh.equals(committed), `${file} differs from a fresh training run`).toBe(true);
    }
  });

  it('graph: probability equals the training prediction on all 1,000 data rows', async () => {
    expect(rows).toHaveLength(1000);
    const inputs = rows.map(asGraphInput);
    const bands = inputs.map((input) => installmentBand(input.installment_share));
    expect(bands).toEqual(rows.map((row) => row.installmentBand));

    const { probability } = await score(session, inputs);
    const expected = predictProbability(result.model, rows);

    const worst = Math.max(...probability.map((p, i) => Math.abs(p - expected[i]!)));
    expect(worst).toBeLessThan(TOLERANCE);
  });

  it('graph: decision and risk_category apply the manifest thresholds to every row', async () => {
    const { probability, decision, riskCategory } = await score(session, rows.map(asGraphInput));
    const [lower, upper] = manifest.riskBandThresholds;

    const expectedDecision = Array.from(probability, (p) => (p >= manifest.decisionThreshold ? 1n : 0n));
    const expectedRisk = Array.from(probability, (p) => (p >= upper ? 2n : p >= lower ? 1n : 0n));
    expect(Array.from(decision)).toEqual(expectedDecision);
    expect(Array.from(riskCategory)).toEqual(expectedRisk);
    // Every answer occurs, so the comparison above exercised both sides of each threshold.
    expect(new Set(decision)).toEqual(new Set([0n, 1n]));
    expect(new Set(riskCategory)).toEqual(new Set([0n, 1n, 2n]));
    // LOW is exactly ACCEPT: the two answers never contradict each other.
    riskCategory.forEach((risk, i) => expect(risk === 0n).toBe(decision[i] === 0n));
  });

  it('manifest: sha256 and version match the ONNX file; bounds and labels match the contract', async () => {
    const bytes = await readFile(join(MODEL_DIR, manifest.file));
    const sha256 = createHash('sha256').update(bytes).digest('hex');

    expect(manifest.sha256).toBe(sha256);
    expect(manifest.version).toBe(sha256.slice(0, 8));
    expect(manifest.installmentBandLowerBounds).toEqual([...INSTALLMENT_BAND_LOWER_BOUNDS]);
    expect(manifest.outputs.decision.labels).toEqual(['ACCEPT', 'DECLINE']);
    expect(manifest.outputs.risk_category.labels).toEqual(['LOW', 'MEDIUM', 'HIGH']);
  });

  it('graph: "female: single" and unseen strings score as the field average, without failing', async () => {
    const base = fromApplicant(EXAMPLE);
    const inputs: GraphInput[] = [
      { ...base, personal_status_and_sex: 'female: single' },
      { ...base, personal_status_and_sex: 'not a status' },
      { ...base, foreign_worker: 'maybe', present_employment_since: '' },
    ];

    const { probability } = await score(session, inputs);

    for (const p of probability) expect(p > 0 && p < 1).toBe(true);
    expect(probability[0]).toBe(probability[1]);
    const femaleSingle = creditRowFromApplicant({ ...EXAMPLE, personal_status_and_sex: 'female: single' });
    expect(Math.abs(probability[0]! - predictProbability(result.model, [femaleSingle])[0]!)).toBeLessThan(TOLERANCE);
  });

  it('graph: installment shares at the band edges fall in the bands installmentBand() gives', async () => {
    const shares = [0.1999, 0.2, 0.2499, 0.25, 0.3499, 0.35, 1.0];
    expect(shares.map(installmentBand)).toEqual([1, 2, 2, 3, 3, 4, 4]);
    const applicants = shares.map((share): Applicant => ({
      ...EXAMPLE,
      installment_rate_in_percentage_of_disposable_income: share,
    }));

    const { probability } = await score(session, applicants.map(fromApplicant));
    const expected = predictProbability(result.model, applicants.map(creditRowFromApplicant));

    probability.forEach((p, i) => expect(Math.abs(p - expected[i]!)).toBeLessThan(TOLERANCE));
    // Neighbouring bands score differently, so a misplaced edge could not pass unnoticed.
    expect(probability[0]).not.toBe(probability[1]);
    expect(probability[2]).not.toBe(probability[3]);
    expect(probability[4]).not.toBe(probability[5]);
  });

  it('graph: the API example gets the answer the training run recorded', async () => {
    const { probability, decision, riskCategory } = await score(session, [fromApplicant(EXAMPLE)]);

    expect(Math.abs(probability[0]! - result.example.probability)).toBeLessThan(TOLERANCE);
    expect(decision[0]).toBe(BigInt(result.example.decision));
    expect(riskCategory[0]).toBe(BigInt(result.example.riskCategory));
  });
});

describe('credit model: facts of the data that training cannot fake (own parser, own fit, manifest weights)', () => {
  const manifest = readOracleManifest();
  const { columns, rows } = readGermanCredit();
  // The weights as training fits them (reference levels dropped), recovered from the manifest.
  const { names, theta: manifestTheta } = fittedParameters(manifest, rows);
  const design = rows.map((row) => designRow(manifest, names, row));
  const isBad = rows.map((row) => row.isBad);

  it('data: 1,000 rows of 21 columns, 300 of class 2 (bad): bad rate 0.3, as the manifest records', () => {
    expect(rows).toHaveLength(1000);
    expect(new Set(columns)).toEqual(new Set([21]));
    expect(isBad.filter(Boolean)).toHaveLength(300);
    const recorded = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as {
      trainingData: { rows: number; badRate: number };
    };
    expect(recorded.trainingData).toMatchObject({ rows: 1000, badRate: 0.3 });
  });

  it('fit: the gradient of the L2-regularised log-loss is ≈ 0 at the manifest weights (an optimum), and not near them', () => {
    const gradient = penalisedGradient(design, isBad, manifestTheta, manifest.training.l2);
    expect(Math.max(...gradient.map(Math.abs))).toBeLessThan(1e-6);

    // The check can fail: nudge one weight and the gradient is far from 0.
    const nudged = manifestTheta.slice();
    nudged[1]! += 0.01;
    const off = penalisedGradient(design, isBad, nudged, manifest.training.l2);
    expect(Math.max(...off.map(Math.abs))).toBeGreaterThan(1e-2);
  });

  it('fit: the same loss minimised by this test’s own Newton steps gives the manifest weights', () => {
    const theta = fit(design, isBad, manifest.training.l2);
    theta.forEach((value, j) => expect(Math.abs(value - manifestTheta[j]!)).toBeLessThan(1e-6));
  });

  it('fit: out-of-fold AUC (5 folds, own fit) is above 0.58: the features carry signal in the right direction', () => {
    const scores = outOfFold(design, isBad, manifest.training.l2, 5);
    expect(scores.every((p) => p > 0 && p < 1)).toBe(true);
    expect(auc(scores, isBad)).toBeGreaterThan(0.58);
  });
});
