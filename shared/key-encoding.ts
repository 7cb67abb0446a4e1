import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
// The manifest this build was made with: the one declaration of how the model sees an applicant.
import shippedManifest from '../model/manifest.json' with { type: 'json' };
import { StartupError } from './errors.js';
import { ApplicantEncoding } from './model-encoding.js';
import { CostMatrix, type ModelManifest } from './model-manifest.js';

const KeyedModel = z.object({ encoding: ApplicantEncoding, costMatrix: CostMatrix });
type KeyedModel = z.infer<typeof KeyedModel>;

let keyedModel: KeyedModel | undefined;

/**
 * The encoding cache keys are derived from, and the cost matrix expected costs are priced with:
 * those of model/manifest.json as built (retraining rewrites the manifest, so a new model brings its
 * own keys without a code change). Parsed on first use. Throws when the built manifest lacks them.
 */
export function keyedModelOfBuild(): KeyedModel {
  return (keyedModel ??= KeyedModel.parse(shippedManifest));
}

/**
 * Start-up check for both processes: the manifest they serve must encode applicants exactly as the
 * build keys them, and price errors alike, or two applicants the served model tells apart could
 * share a cache entry (or the reverse). Throws StartupError, in one line, naming the first field
 * that differs.
 */
export function assertServedModelMatchesKeys(manifest: ModelManifest, manifestPath: string): void {
  const built = keyedModelOfBuild();
  if (!isDeepStrictEqual(manifest.costMatrix, built.costMatrix)) {
    throw new StartupError(`model manifest ${manifestPath} has another cost matrix than this build; rebuild with it`);
  }
  const length = Math.max(manifest.encoding.length, built.encoding.length);
  for (let i = 0; i < length; i++) {
    if (!isDeepStrictEqual(manifest.encoding[i], built.encoding[i])) {
      const field = manifest.encoding[i]?.field ?? built.encoding[i]?.field;
      throw new StartupError(
        `model manifest ${manifestPath} encodes ${field} differently from the encoding this build keys the cache by; rebuild with this manifest`,
      );
    }
  }
}
