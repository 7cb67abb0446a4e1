import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Applicant } from '../shared/applicant.js';
import { StartupError } from '../shared/errors.js';
import type { ModelManifest } from '../shared/model-manifest.js';
import { PrincipalReasons } from '../shared/principal-reasons.js';
import { expectedCost, PROBABILITY_DECIMALS, type Score } from '../shared/score.js';

const PROBABILITY_SCALE = 10 ** PROBABILITY_DECIMALS;

function column(values: number[] | string[]): Tensor {
  return typeof values[0] === 'string'
    ? new Tensor('string', values as string[], [values.length, 1])
    : new Tensor('float64', Float64Array.from(values as number[]), [values.length, 1]);
}

/** What the job processor needs of a model: its version and a batch scoring call. */
export interface ScoringModel {
  readonly version: string;
  score(applicants: readonly Applicant[]): Promise<Score[]>;
}

/**
 * The ONNX model, loaded once per worker process. The graph takes the five raw fields and does its
 * own encoding and thresholds, so the file (checked against the manifest's sha256) is the model.
 * Principal reasons come from the manifest's coefficients, beside the file they describe.
 */
export class CreditModel implements ScoringModel {
  private constructor(
    private readonly session: InferenceSession,
    private readonly manifest: ModelManifest,
    private readonly reasons: PrincipalReasons,
  ) {}

  /**
   * Loads the file the manifest names; throws StartupError when it is missing or not the manifest's
   * file, or when the manifest's coefficients cannot explain every level of its encoding.
   */
  static async load(manifestPath: string, manifest: ModelManifest): Promise<CreditModel> {
    const path = join(dirname(manifestPath), manifest.file);
    const bytes = await readFile(path).catch((error: unknown) => {
      throw new StartupError(`cannot read the model file ${path}: ${(error as Error).message}`);
    });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== manifest.sha256) {
      throw new StartupError(`model file ${path} has sha256 ${sha256}, the manifest says ${manifest.sha256}`);
    }
    let reasons: PrincipalReasons;
    try {
      reasons = PrincipalReasons.fromModel(manifest.encoding, manifest.coefficients);
    } catch (error) {
      throw new StartupError(`model manifest ${manifestPath}: ${(error as Error).message}`, { cause: error });
    }
    return new CreditModel(await InferenceSession.create(bytes), manifest, reasons);
  }

  get version(): string {
    return this.manifest.version;
  }

  /** Scores many applicants in one session run; answers come back in the same order. */
  async score(applicants: readonly Applicant[]): Promise<Score[]> {
    const outputs = await this.session.run({
      installment_share: column(applicants.map((a) => a.installment_rate_in_percentage_of_disposable_income)),
      age_in_years: column(applicants.map((a) => a.age_in_years)),
      foreign_worker: column(applicants.map((a) => a.foreign_worker)),
      present_employment_since: column(applicants.map((a) => a.present_employment_since)),
      personal_status_and_sex: column(applicants.map((a) => a.personal_status_and_sex)),
    });
    const probability = outputs.probability?.data as Float64Array;
    const decision = outputs.decision?.data as BigInt64Array;
    const risk = outputs.risk_category?.data as BigInt64Array;
    const { decision: decisions, risk_category: risks } = this.manifest.outputs;
    return applicants.map((applicant, i) => {
      const p = Math.round(probability[i]! * PROBABILITY_SCALE) / PROBABILITY_SCALE;
      return {
        decision: decisions.labels[Number(decision[i])]!,
        probability: p,
        risk_category: risks.labels[Number(risk[i])]!,
        model_version: this.manifest.version,
        reasons: this.reasons.of(applicant),
        expected_cost: expectedCost(p),
      };
    });
  }
}
