import { applicantAt, applicantBody, poolBodies } from '../applicants.js';
import { runLoad, type Body, type LoadResult } from '../load.js';
import type { AnswerCounts, Stream } from './answer-counts.js';
import type { ApplicantTraffic } from './applicant-traffic.js';
import { runJobClients } from './job-clients.js';
import type { SoakSettings } from './settings.js';

export interface TrafficDeps {
  baseUrl: string;
  settings: SoakSettings;
  applicants: ApplicantTraffic;
  counts: AnswerCounts;
  batchesSubmitted: number[];
}

/** Sent requests and how long the load ran, per autocannon stream. */
export type TrafficResult = Partial<Record<Stream, Pick<LoadResult, 'requests' | 'errors' | 'elapsedS'>>>;

/**
 * Every stream at once for `durationS` at steady rates: hits on the warm set, misses on never-seen
 * applicants, synchronous batches of both, and asynchronous clients submitting and polling jobs.
 * Resolves when all have finished; connection errors are added to the counts' mishaps.
 */
export async function runTraffic(deps: TrafficDeps, durationS: number): Promise<TrafficResult> {
  const { baseUrl, settings, applicants, counts } = deps;
  const stream = async (name: Stream, path: string, load: { rate: number; connections: number }, bodies: Body[]) => {
    const result = await runLoad({
      url: `${baseUrl}${path}`,
      connections: load.connections,
      durationS,
      overallRate: load.rate,
      bodies,
      expectedStatus: 200,
      onResponse: (status) => counts.record(name, status),
    });
    counts.mishaps.connectionErrors += result.errors;
    return [name, { requests: result.requests, errors: result.errors, elapsedS: result.elapsedS }] as const;
  };
  const batchBody = () =>
    JSON.stringify({
      applicants: [
        ...Array.from({ length: settings.batches.warm }, () => applicantAt(applicants.warm())),
        ...Array.from({ length: settings.batches.fresh }, () => applicantAt(applicants.fresh())),
      ],
    });
  const [streams] = await Promise.all([
    Promise.all([
      stream('hits', '/scores', settings.hits, poolBodies(settings.warmSet)),
      stream('misses', '/decisions', settings.misses, [() => applicantBody(applicants.fresh())]),
      stream('batches', '/scores/batch', { rate: settings.batches.rate, connections: 1 }, [batchBody]),
    ]),
    runJobClients({ ...deps, settings: settings.jobs }, durationS),
  ]);
  return Object.fromEntries(streams);
}
