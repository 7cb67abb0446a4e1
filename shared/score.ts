import { z } from 'zod';

export const DECISIONS = ['ACCEPT', 'DECLINE'] as const;
export const RISK_CATEGORIES = ['LOW', 'MEDIUM', 'HIGH'] as const;

/** The model's three answers for one applicant, and the model that gave them. */
export const Score = z
  .object({
    decision: z.enum(DECISIONS),
    probability: z.number().min(0).max(1).describe('Probability of default, 0..1.'),
    risk_category: z.enum(RISK_CATEGORIES),
    model_version: z.string(),
  })
  .meta({
    id: 'Score',
    example: { decision: 'DECLINE', probability: 0.377148, risk_category: 'HIGH', model_version: '79144bd9' },
  });
export type Score = z.infer<typeof Score>;

/** Probabilities are rounded once, in the worker, so a MISS and the later HIT answer the same number. */
export const PROBABILITY_DECIMALS = 6;
