import type { Applicant } from '../../shared/applicant.js';
import type { CrossValidationPlan } from './cross-validation.js';
import type { Evaluation } from './evaluation.js';
import type { LogisticModel } from './logistic-model.js';

/** The training data as recorded in the manifest and the model card. */
export interface DataSummary {
  readonly file: string;
  readonly sha256: string;
  readonly rows: number;
  readonly badRate: number;
}

/** How the model scores one applicant, in the graph's output codes. */
export interface ScoredApplicant {
  readonly applicant: Applicant;
  readonly probability: number;
  readonly decision: 0 | 1;
  readonly riskCategory: 0 | 1 | 2;
}

/** Everything a training run produced that the manifest and the model card describe. */
export interface TrainingResult {
  readonly name: string;
  readonly onnxFile: string;
  readonly onnxSha256: string;
  readonly data: DataSummary;
  readonly plan: CrossValidationPlan;
  readonly model: LogisticModel;
  /** Per feature (FEATURE_NAMES order), how many training rows have it non-zero. */
  readonly nonZeroRows: readonly number[];
  readonly decisionThreshold: number;
  readonly riskBandThresholds: readonly [number, number];
  readonly evaluation: Evaluation;
  readonly example: ScoredApplicant;
}

/** Model version: the first 8 hex digits of the ONNX file's sha256, so any change to it shows. */
export function modelVersion(result: TrainingResult): string {
  return result.onnxSha256.slice(0, 8);
}
