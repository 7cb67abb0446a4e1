/**
 * The answer every baseline gives, in the reply shape of POST /scores. It is stored as a plain
 * hash the bench writes before the baselines start, so no baseline depends on the service's code.
 */
export const FLOOR_SCORE = {
  decision: 'DECLINE',
  probability: 0.377148,
  risk_category: 'HIGH',
  model_version: '79144bd9',
} as const;

export type FloorScore = { decision: string; probability: number; risk_category: string; model_version: string };

export function floorHash(): Record<string, string> {
  return { ...FLOOR_SCORE, probability: String(FLOOR_SCORE.probability) };
}

/** The reply from the hash; undefined when the hash is missing, which the baselines answer with 500. */
export function fromFloorHash(hash: Record<string, string>): FloorScore | undefined {
  const { decision, probability, risk_category, model_version } = hash;
  if (!decision || !probability || !risk_category || !model_version) return undefined;
  return { decision, probability: Number(probability), risk_category, model_version };
}
