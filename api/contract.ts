import { z } from 'zod';
import { Applicant } from '../shared/applicant.js';
import { Score } from '../shared/score.js';

/**
 * The API's request and response bodies. These schemas validate requests and (issue 4) generate
 * the OpenAPI document, so the docs cannot drift from what the gateway accepts.
 */
export const Decision = z.strictObject({ decision: Score.shape.decision });
export const Probability = z.strictObject({ probability: Score.shape.probability });
export const RiskCategory = z.strictObject({ risk_category: Score.shape.risk_category });

export function batchRequest(maxItems: number) {
  return z.strictObject({ applicants: z.array(Applicant).min(1).max(maxItems) });
}

export const BatchResult = z.object({ results: z.array(Score) });

/** POST /jobs takes one applicant or a batch, never both. */
export function jobRequest(maxItems: number) {
  return z
    .strictObject({ applicant: Applicant.optional(), applicants: z.array(Applicant).min(1).max(maxItems).optional() })
    .refine((body) => (body.applicant === undefined) !== (body.applicants === undefined), {
      message: 'Send either "applicant" or "applicants"',
    });
}

export const JobStatus = z.object({
  id: z.string(),
  status: z.enum(['queued', 'active', 'completed', 'failed']),
  result: z.union([Score, z.array(Score)]).optional(),
  error: z.string().optional(),
  links: z.object({ self: z.string() }),
});
export type JobStatus = z.infer<typeof JobStatus>;
