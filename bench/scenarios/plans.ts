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
 * Never-seen applicants from `supply`, one connection (latency) or saturated (throughput): the
 * warm-up takes `warmupMisses` of them, the measured run stops when the rest would run out (each
 * connection may build one request ahead), or at its duration, whichever comes first.
 */
export function missPlan(
  settings: Settings,
  named: Named,
  path: string,
  sequential: boolean,
  supply: ApplicantSupply,
): RunPlan {
  const connections = sequential ? 1 : settings.connections;
  return {
    meta: { ...named, connections },
    path,
    load: {
      durationS: sequential ? settings.sequentialS : settings.saturatedS,
      maxRequests: supply.remaining - settings.warmupMisses - 2 * connections,
      expectedStatus: 200,
    },
    bodies: () => [supply.body],
    ...(settings.warmupMisses > 0 ? { warmup: { amount: settings.warmupMisses } } : {}),
    problems: () => (supply.overdrawn > 0 ? [`ran out of never-seen applicants (${supply.overdrawn} short)`] : []),
  };
}

/** A supply of every distinct applicant: what one miss run in a fresh namespace may use. */
export function wholeSupply(): ApplicantSupply {
  return new ApplicantSupply(0, DISTINCT_APPLICANTS);
}
