import { z } from 'zod';
import { keyedModelOfBuild } from './key-encoding.js';
import { MAX_REASONS, Reason } from './reasons.js';

export const DECISIONS = ['ACCEPT', 'DECLINE'] as const;
export const RISK_CATEGORIES = ['LOW', 'MEDIUM', 'HIGH'] as const;

/** Probabilities are rounded once, in the worker, so a MISS and the later HIT answer the same number. */
export const PROBABILITY_DECIMALS = 6;
const SCALE = 10 ** PROBABILITY_DECIMALS;

/** The expected cost of each decision under the model's own cost matrix. */
export const ExpectedCost = z
  .object({
    accept: z.number().min(0).describe('Expected cost of accepting: cost of a bad loan accepted × p'),
    decline: z.number().min(0).describe('Expected cost of declining: cost of a good loan declined × (1 − p)'),
  })
  .meta({ id: 'ExpectedCost' });
export type ExpectedCost = z.infer<typeof ExpectedCost>;

/** The model's answers for one applicant, and the model that gave them. */
export const Score = z
  .object({
    decision: z.enum(DECISIONS),
    probability: z.number().min(0).max(1).describe('Probability of default, 0..1.'),
    risk_category: z.enum(RISK_CATEGORIES),
    model_version: z.string(),
    reasons: z
      .array(Reason)
      .max(MAX_REASONS)
      .describe('Principal reasons for the probability of default, strongest first ("points below best")'),
    expected_cost: ExpectedCost,
  })
  .meta({
    id: 'Score',
    example: {
      decision: 'DECLINE',
      probability: 0.377148,
      risk_category: 'HIGH',
      model_version: '79144bd9',
      reasons: [
        { code: 'FOREIGN_WORKER', field: 'foreign_worker', description: 'Foreign worker' },
        { code: 'UNEMPLOYED', field: 'present_employment_since', description: 'Not employed' },
        {
          code: 'INSTALMENTS_HIGH_SHARE_OF_INCOME',
          field: 'installment_rate_in_percentage_of_disposable_income',
          description: 'Instalments take a large share of disposable income',
        },
        {
          code: 'AGE_YOUNGER_THAN_LOWEST_RISK',
          field: 'age_in_years',
          description: 'Younger than the lowest-risk age group',
        },
      ],
      expected_cost: { accept: 1.88574, decline: 0.622852 },
    },
  });
export type Score = z.infer<typeof Score>;

/**
 * Expected cost of accepting and of declining an applicant with probability of default `p`, priced
 * with the cost matrix of the model this build keys by (the start-up check makes it the served
 * model's). Derived from the cached p at read time, so the cache stores nothing more for it.
 * Rounded to PROBABILITY_DECIMALS, which also drops float noise such as 1.8857400000000002.
 */
export function expectedCost(p: number): ExpectedCost {
  const { badAccepted, goodDeclined } = keyedModelOfBuild().costMatrix;
  return {
    accept: Math.round(badAccepted * p * SCALE) / SCALE,
    decline: Math.round(goodDeclined * (1 - p) * SCALE) / SCALE,
  };
}
