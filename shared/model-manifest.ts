import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { StartupError } from './errors.js';
import { ApplicantEncoding } from './model-encoding.js';

/** The model's own cost of each wrong call: a bad applicant accepted, a good one declined. */
export const CostMatrix = z.strictObject({ badAccepted: z.number().positive(), goodDeclined: z.number().positive() });
export type CostMatrix = z.infer<typeof CostMatrix>;

/** What the gateway and the worker read from `model/manifest.json`; the file holds more (metrics, format). */
export const ModelManifest = z.object({
  version: z.string().regex(/^[0-9a-f]{8}$/, 'eight hex digits of the model file sha256'),
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  decisionThreshold: z.number().gt(0).lt(1),
  riskBandThresholds: z.tuple([z.number(), z.number()]),
  encoding: ApplicantEncoding,
  costMatrix: CostMatrix,
  coefficients: z.record(z.string(), z.number()),
  outputs: z.object({
    decision: z.object({ labels: z.tuple([z.literal('ACCEPT'), z.literal('DECLINE')]) }),
    risk_category: z.object({ labels: z.tuple([z.literal('LOW'), z.literal('MEDIUM'), z.literal('HIGH')]) }),
  }),
});
export type ModelManifest = z.infer<typeof ModelManifest>;

/**
 * Reads and validates the manifest. The gateway needs only the version (it is part of every cache
 * key) and the encoding (to check it against the one it keys by); it never loads the model itself.
 * Throws StartupError, in one line, when the file is missing or malformed.
 */
export function readModelManifest(path: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StartupError(`cannot read the model manifest ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = ModelManifest.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new StartupError(`model manifest ${path} is malformed at /${issue?.path.join('/')}: ${issue?.message}`);
  }
  return parsed.data;
}
