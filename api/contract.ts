import { z } from 'zod';
import { Applicant } from '../shared/applicant.js';
import { Score } from '../shared/score.js';

/**
 * The API's request and response bodies. These schemas validate requests and (issue 4) generate
 * the OpenAPI document, so the docs cannot drift from what the gateway accepts.
 */
export const Decision = z.strictObject({ decision: Score.shape.decision }).meta({ id: 'Decision' });
export const Probability = z.strictObject({ probability: Score.shape.probability }).meta({ id: 'Probability' });
export const RiskCategory = z.strictObject({ risk_category: Score.shape.risk_category }).meta({ id: 'RiskCategory' });
export const Reasons = z.strictObject({ reasons: Score.shape.reasons }).meta({ id: 'Reasons' });

export function batchRequest(maxItems: number) {
  return z.strictObject({ applicants: z.array(Applicant).min(1).max(maxItems) });
}

export const BatchResult = z.object({ results: z.array(Score) }).meta({ id: 'BatchResult' });

/** POST /jobs takes one applicant or a batch, never both. */
export function jobRequest(maxItems: number) {
  return z
    .strictObject({ applicant: Applicant.optional(), applicants: z.array(Applicant).min(1).max(maxItems).optional() })
    .refine((body) => (body.applicant === undefined) !== (body.applicants === undefined), {
      message: 'Send either "applicant" or "applicants"',
    });
}

/**
 * The same rule as `jobRequest`, as the document states it: one of two closed shapes, so a client
 * generated from the document cannot type `{}` or both. Validation keeps `jobRequest`, whose errors
 * name the field at fault; a union's would not. A test holds the two to the same answers.
 */
export function jobRequestDocument(maxItems: number) {
  return z
    .union([
      z.strictObject({ applicant: Applicant }).meta({ title: 'One applicant' }),
      z.strictObject({ applicants: batchRequest(maxItems).shape.applicants }).meta({ title: 'A batch' }),
    ])
    .meta({ id: 'JobRequest' });
}

export const JobStatus = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'active', 'completed', 'failed']),
    result: z.union([Score, z.array(Score)]).optional(),
    error: z.string().optional(),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: 'JobStatus' });

/** The 202 body: the work is accepted, poll `links.self`. */
export const Accepted = z
  .object({ id: z.string(), status: z.literal('queued'), links: z.object({ self: z.string() }) })
  .meta({
    id: 'Accepted',
    example: { id: '79144bd9-3030002', status: 'queued', links: { self: '/jobs/79144bd9-3030002' } },
  });

/** RFC 9457 problem details, as every error is sent. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable machine-readable code, e.g. INVALID_INPUT'),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string().describe('JSON pointer into the body'), message: z.string() }))
      .optional(),
  })
  .meta({
    id: 'Problem',
    example: {
      type: 'urn:credit-scoring:problem:invalid-input',
      title: 'The request body has invalid fields',
      status: 422,
      code: 'INVALID_INPUT',
      errors: [{ path: '/age_in_years', message: 'Too small: expected number to be >=18' }],
    },
  });

/** GET / for an API client: where to go next. */
export const Landing = z
  .object({
    service: z.string(),
    links: z.object({
      docs: z.string(),
      openapi: z.string(),
      model_card: z.string(),
      health: z.string(),
      readiness: z.string(),
      board: z.string(),
      metrics: z.string(),
    }),
  })
  .meta({ id: 'Landing' });

export const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
export const Ready = z.object({ status: z.literal('ready'), workers: z.number().int() }).meta({ id: 'Ready' });

/** GET /portfolios/{id} (and the 202 of POST /portfolios): where a portfolio stands. */
export const PortfolioStatus = z
  .object({
    id: z.string(),
    status: z.enum(['receiving', 'queued', 'active', 'completed', 'failed', 'cancelled']),
    rows_total: z.number().int(),
    rows_done: z.number().int().describe('Rows answered so far, invalid ones included'),
    rows_invalid: z.number().int(),
    links: z.object({ self: z.string(), results: z.string() }),
  })
  .meta({
    id: 'PortfolioStatus',
    example: {
      id: 'q83vEjRWeJCrze8SNFZ4kA',
      status: 'active',
      rows_total: 1000000,
      rows_done: 420000,
      rows_invalid: 12,
      links: { self: '/portfolios/q83vEjRWeJCrze8SNFZ4kA', results: '/portfolios/q83vEjRWeJCrze8SNFZ4kA/results' },
    },
  });

/** One line of a portfolio's NDJSON results: a score, the row's field problems, or why it has no answer. */
export const PortfolioResultLine = z
  .object({
    line: z.number().int().describe("The row's line in the uploaded file (the CSV header is line 1)"),
    id: z.string().optional().describe("The row's `id`, as the client sent it"),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('An invalid row: each field path and reason, as a 422 words them'),
    error: z.string().optional().describe('A valid row left unscored: its portfolio was cancelled or failed first'),
  })
  .catchall(z.unknown())
  .describe('A scored row also carries every field of Score')
  .meta({ id: 'PortfolioResultLine' });
