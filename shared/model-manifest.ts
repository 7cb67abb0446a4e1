import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** What the gateway and the worker read from `model/manifest.json`; the file holds more (metrics, coefficients). */
export const ModelManifest = z.object({
  version: z.string().regex(/^[0-9a-f]{8}$/, 'eight hex digits of the model file sha256'),
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  decisionThreshold: z.number().gt(0).lt(1),
  riskBandThresholds: z.tuple([z.number(), z.number()]),
  installmentBandLowerBounds: z.tuple([z.number(), z.number(), z.number()]),
  outputs: z.object({
    decision: z.object({ labels: z.tuple([z.literal('ACCEPT'), z.literal('DECLINE')]) }),
    risk_category: z.object({ labels: z.tuple([z.literal('LOW'), z.literal('MEDIUM'), z.literal('HIGH')]) }),
  }),
});
export type ModelManifest = z.infer<typeof ModelManifest>;

/**
 * Reads and validates the manifest. The gateway needs only the version (it is part of every cache
 * key); it never loads the model itself. Throws when the file is missing or malformed.
 */
export function readModelManifest(path: string): ModelManifest {
  return ModelManifest.parse(JSON.parse(readFileSync(path, 'utf8')));
}
