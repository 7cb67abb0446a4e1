import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Applicant } from '../../shared/applicant.js';
import { PROJECT_ROOT } from '../support/processes.js';

/**
 * An oracle for the service's answers, written from model/manifest.json alone: its coefficients,
 * intercept, encodings and thresholds. It shares no code with worker/credit-model.ts, the ONNX graph
 * or model/train, so a fault in any of those (reversed labels, swapped thresholds, a wrong band)
 * makes the service disagree with it.
 */

/** The manifest fields the oracle reads; parsed here, not through shared/model-manifest.ts. */
const OracleManifest = z.object({
  version: z.string(),
  inputs: z.object({ age_in_years: z.object({ encoding: z.string() }) }),
  outputs: z.object({
    decision: z.object({ labels: z.tuple([z.string(), z.string()]) }),
    risk_category: z.object({ labels: z.tuple([z.string(), z.string(), z.string()]) }),
  }),
  installmentBandLowerBounds: z.array(z.number()),
  decisionThreshold: z.number(),
  riskBandThresholds: z.tuple([z.number(), z.number()]),
  training: z.object({ l2: z.number() }),
  coefficients: z.record(z.string(), z.number()),
  intercept: z.number(),
});
export type OracleManifest = z.infer<typeof OracleManifest>;

export const MANIFEST_PATH = join(PROJECT_ROOT, 'model', 'manifest.json');

export function readOracleManifest(path = MANIFEST_PATH): OracleManifest {
  return OracleManifest.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** The age knot the manifest states in words ("years under 35: max(0, 35 - age_in_years)"). */
export function ageKnot(manifest: OracleManifest): number {
  const match = /max\(0, (\d+) - age_in_years\)/.exec(manifest.inputs.age_in_years.encoding);
  if (!match) throw new Error(`no age knot in "${manifest.inputs.age_in_years.encoding}"`);
  return Number(match[1]);
}

/** Named model inputs, the manifest's coefficient names, for one applicant: `field=level` one-hots. */
export function manifestFeatures(
  manifest: OracleManifest,
  fields: { band: number; age: number; foreign: string; employment: string; status: string },
): Map<string, number> {
  const knot = ageKnot(manifest);
  return new Map([
    ['installment_band', fields.band],
    [`age_years_under_${knot}`, Math.max(0, knot - fields.age)],
    [`foreign_worker=${fields.foreign}`, 1],
    [`present_employment_since=${fields.employment}`, 1],
    [`personal_status_and_sex=${fields.status}`, 1],
  ]);
}

/** Linear predictor: intercept + Σ coefficient × feature; a feature without a coefficient is an error. */
export function linearPredictor(
  manifest: OracleManifest,
  features: Map<string, number>,
  weights = manifest.coefficients,
) {
  let z = manifest.intercept;
  for (const [name, value] of features) {
    const weight = weights[name];
    if (weight === undefined) throw new Error(`the manifest has no coefficient ${name}`);
    z += weight * value;
  }
  return z;
}

/** The installment band: 1 + the number of lower bounds the share reaches (bounds inclusive). */
export function band(manifest: OracleManifest, share: number): number {
  return 1 + manifest.installmentBandLowerBounds.filter((bound) => share >= bound).length;
}

/** What the service must answer for an applicant, unrounded probability included. */
export interface ExpectedAnswer {
  decision: string;
  probability: number;
  risk_category: string;
  model_version: string;
}

export function expectedAnswer(manifest: OracleManifest, applicant: Applicant): ExpectedAnswer {
  const z = linearPredictor(
    manifest,
    manifestFeatures(manifest, {
      band: band(manifest, applicant.installment_rate_in_percentage_of_disposable_income),
      age: applicant.age_in_years,
      foreign: applicant.foreign_worker,
      employment: applicant.present_employment_since,
      status: applicant.personal_status_and_sex,
    }),
  );
  const probability = 1 / (1 + Math.exp(-z));
  const reached = manifest.riskBandThresholds.filter((threshold) => probability >= threshold).length;
  return {
    decision: manifest.outputs.decision.labels[probability >= manifest.decisionThreshold ? 1 : 0],
    probability,
    risk_category: manifest.outputs.risk_category.labels[reached]!,
    model_version: manifest.version,
  };
}
