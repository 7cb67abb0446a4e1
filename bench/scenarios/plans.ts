import { ApplicantSupply, DISTINCT_APPLICANTS, poolBodies } from '../applicants.js';
import type { RunMeta } from '../results.js';
import type { Settings } from '../settings.js';
import type { RunPlan } from './measured-run.js';

type Named = Omit<RunMeta, 'connections'>;

/** Saturated hits cycling through the cached pool: used for the service and for the hit baselines alike. */
export function hitPlan(settings: Settings, named: Named, path: string): RunPlan {
  return {
    meta: { ...named, connections: settings.connections },
    path,
    load: { durationS: settings.saturatedS, expectedStatus: 200 },
    bodies: () => poolBodies(settings.hitPool),
    ...(settings.warmupS > 0 ? { warmup: { durationS: settings.warmupS } } : {}),
  };
}

/**
 * Never-seen applicants, one connection (latency) or saturated (throughput). The warm-up and the
 * measured run each draw from a supply of every distinct applicant, so `forget` (the service's
 * `forgetAnswers`) must run before each: it deletes the answers and claims the previous run left,
 * and every applicant is new again. The run stops before its supply would run out (each connection
 * may build one request ahead), or at its duration, whichever comes first. With `forget` set the
 * target is the service, and every answer must say `X-Cache: MISS`: a hit or a coalesced wait in a
 * miss run would flatter it, so anything else fails the run.
 */
export function missPlan(
  settings: Settings,
  named: Named,
  path: string,
  sequential: boolean,
  forget?: () => Promise<void>,
): RunPlan {
  const connections = sequential ? 1 : settings.connections;
  let supply = wholeSupply();
  return {
    meta: { ...named, connections },
    path,
    load: {
      durationS: sequential ? settings.sequentialS : settings.saturatedS,
      maxRequests: DISTINCT_APPLICANTS - 2 * connections,
      expectedStatus: 200,
      ...(forget ? { countXCache: true } : {}),
    },
    bodies: () => {
      supply = wholeSupply();
      return [supply.body];
    },
    ...(forget ? { reset: forget } : {}),
    ...(settings.warmupMisses > 0 ? { warmup: { amount: settings.warmupMisses } } : {}),
    problems: (result) => [
      ...(supply.overdrawn > 0 ? [`ran out of never-seen applicants (${supply.overdrawn} short)`] : []),
      ...(forget && result.xCache?.MISS !== result.requests
        ? [`not every answer was a miss: ${JSON.stringify(result.xCache)} of ${result.requests}`]
        : []),
    ],
  };
}

/** A supply of every distinct applicant: what one run in a namespace with nothing cached may use. */
export function wholeSupply(): ApplicantSupply {
  return new ApplicantSupply(0, DISTINCT_APPLICANTS);
}
