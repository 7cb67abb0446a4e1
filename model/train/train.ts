import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Applicant } from '../../shared/applicant.js';
import { crossValidate, type CrossValidationPlan } from './cross-validation.js';
import { evaluate, poolRepeats } from './evaluation.js';
import { FEATURE_NAMES, creditRowFromApplicant, encodeRow } from './features.js';
import { parseGermanData, type LabelledRow } from './german-data.js';
import { fitModel, predictProbability, type LogisticModel } from './logistic-model.js';
import { manifestJson } from './manifest.js';
import { modelCard } from './model-card.js';
import { buildOnnxModel } from './onnx-graph.js';
import { calibrationSvg, rocSvg } from './svg-plots.js';
import { costMinimisingThreshold, decisionCode, riskBandThresholds, riskCategoryCode } from './thresholds.js';
import type { ScoredApplicant, TrainingResult } from './training-result.js';

const MODEL_NAME = 'german-credit-logreg';
const ONNX_FILE = 'credit-model.onnx';

/** Files a training run writes into its output directory. */
export const MODEL_FILES = [ONNX_FILE, 'manifest.json', 'MODEL_CARD.md', 'roc.svg', 'calibration.svg'] as const;

// Seed 1994: the year of the data set. L2 of 1 against 800–1,000 rows only steadies rare levels.
const PLAN: CrossValidationPlan = { folds: 5, repeats: 10, seed: 1994, l2: 1 };

// The example request of the API documentation, scored in the model card.
const EXAMPLE_APPLICANT: Applicant = {
  installment_rate_in_percentage_of_disposable_income: 0.25,
  age_in_years: 30,
  foreign_worker: 'yes',
  present_employment_since: 'unemployed',
  personal_status_and_sex: 'male: single',
};

/** Where a training run reads from and writes to. */
export interface TrainOptions {
  readonly dataFile: string;
  readonly outDir: string;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function scoreExample(
  model: LogisticModel,
  decisionThreshold: number,
  bands: readonly [number, number],
): ScoredApplicant {
  const probability = predictProbability(model, [creditRowFromApplicant(EXAMPLE_APPLICANT)])[0] ?? NaN;
  return {
    applicant: EXAMPLE_APPLICANT,
    probability,
    decision: decisionCode(probability, decisionThreshold),
    riskCategory: riskCategoryCode(probability, bands),
  };
}

function nonZeroRows(rows: readonly LabelledRow[]): number[] {
  const encoded = rows.map(encodeRow);
  return FEATURE_NAMES.map((_, column) => encoded.filter((vector) => vector[column] !== 0).length);
}

/**
 * Trains the model from german.data and writes MODEL_FILES into `outDir` (created if missing):
 * repeated cross-validation picks the thresholds and measures quality, then the model is refit
 * on all rows. Deterministic: the same data give byte-identical files. Throws on malformed data.
 */
export async function trainAndWrite(options: TrainOptions): Promise<TrainingResult> {
  const dataBytes = await readFile(options.dataFile);
  const rows = parseGermanData(dataBytes.toString('utf8'));
  const isBad = rows.map((row) => row.isBad);
  const badRate = isBad.filter(Boolean).length / rows.length;

  const repeats = crossValidate(rows, PLAN);
  const pooled = poolRepeats(repeats, isBad);
  const decisionThreshold = costMinimisingThreshold(pooled.probabilities, pooled.isBad);
  const bands = riskBandThresholds(decisionThreshold, badRate);
  const evaluation = evaluate(repeats, isBad, decisionThreshold, bands);

  const model = fitModel(rows, PLAN.l2);
  const onnx = buildOnnxModel({ name: MODEL_NAME, model, decisionThreshold, riskBandThresholds: bands });
  const result: TrainingResult = {
    name: MODEL_NAME,
    onnxFile: ONNX_FILE,
    onnxSha256: sha256(onnx),
    data: { file: basename(options.dataFile), sha256: sha256(dataBytes), rows: rows.length, badRate },
    plan: PLAN,
    model,
    nonZeroRows: nonZeroRows(rows),
    decisionThreshold,
    riskBandThresholds: bands,
    evaluation,
    example: scoreExample(model, decisionThreshold, bands),
  };
  const plots = { repeats, isBad, evaluation, decisionThreshold, riskBandThresholds: bands };
  const contents: Record<(typeof MODEL_FILES)[number], string | Uint8Array> = {
    'credit-model.onnx': onnx,
    'manifest.json': manifestJson(result),
    'MODEL_CARD.md': modelCard(result),
    'roc.svg': rocSvg(plots),
    'calibration.svg': calibrationSvg(plots),
  };
  await mkdir(options.outDir, { recursive: true });
  await Promise.all(MODEL_FILES.map((file) => writeFile(join(options.outDir, file), contents[file])));
  return result;
}
