import { countWhere, unexpectedStatuses, type Mishaps, type StatusCounts } from './answer-counts.js';
import type { CacheLookups } from './cache-lookups.js';
import type { KeyCounts, KeyKind } from './key-census.js';
import type { LogTrouble } from './log-trouble.js';
import type { Sample } from './sampler.js';

/** RSS at the end may be at most start × this + RSS_SLACK_MIB: flat, with room for a heap that settles. */
export const RSS_GROWTH_FACTOR = 1.5;
export const RSS_SLACK_MIB = 50;
/** Keys above their bound are listed as failures up to this many; the JSON has them all. */
const OVER_BOUND_LISTED = 10;

export interface RssFigures {
  startMiB: number;
  endMiB: number;
  maxMiB: number;
  limitMiB: number;
}

export interface KeyFigures {
  start: { keys: number; bound: number };
  end: { keys: number; bound: number };
  max: { keys: number; bound: number; atS: number };
  /** Samples where a kind of key, or the total, exceeded its bound. */
  overBound: Array<{ atS: number; kind: keyof KeyCounts; keys: number; bound: number }>;
}

export interface SoakErrors {
  http5xx: number;
  connectionErrors: number;
  /** Statuses a stream does not expect, 5xx included. */
  unexpected: Partial<StatusCounts>;
  pollsFailed: number;
  pollTimeouts: number;
  /** Jobs the worker reported failed (after all attempts), polled or not. */
  workerJobsFailed: number;
  crashes: string[];
  logTrouble: LogTrouble;
}

/** What the run measured and saw, apart from the samples themselves. */
export interface Observations {
  samples: readonly Sample[];
  answers: StatusCounts;
  mishaps: Mishaps;
  workerJobsFailed: number;
  crashes: string[];
  logTrouble: LogTrouble;
  cache: CacheLookups;
  keysLeft: number;
}

export interface Verdict {
  rss: { gateway: RssFigures; worker: RssFigures };
  keys: KeyFigures;
  errors: SoakErrors;
  failures: string[];
}

function rssFigures(measured: readonly Sample[], process: 'gateway' | 'worker'): RssFigures {
  const values = measured.map((sample) => sample.rssMiB[process]);
  const startMiB = values[0] ?? 0;
  return {
    startMiB,
    endMiB: values.at(-1) ?? 0,
    maxMiB: Math.max(...values),
    limitMiB: startMiB * RSS_GROWTH_FACTOR + RSS_SLACK_MIB,
  };
}

function keyFigures(all: readonly Sample[], measured: readonly Sample[]): KeyFigures {
  const first = measured[0]!;
  const last = measured.at(-1)!;
  const top = measured.reduce((max, sample) => (sample.keys.total > max.keys.total ? sample : max), first);
  const kinds = Object.keys(first.keys) as Array<KeyKind | 'total'>;
  return {
    start: { keys: first.keys.total, bound: first.bound.total },
    end: { keys: last.keys.total, bound: last.bound.total },
    max: { keys: top.keys.total, bound: top.bound.total, atS: top.atS },
    // Every sample, warm-up included: a bound holds at all times.
    overBound: all.flatMap((sample) =>
      kinds
        .filter((kind) => sample.keys[kind] > sample.bound[kind])
        .map((kind) => ({ atS: sample.atS, kind, keys: sample.keys[kind], bound: sample.bound[kind] })),
    ),
  };
}

/** The figures of a run and every reason it fails; `samples` must hold at least one sample after the warm-up. */
export function judge(seen: Observations): Verdict {
  const measured = seen.samples.filter((sample) => sample.phase === 'soak');
  if (measured.length === 0) throw new Error('no sample after the warm-up');
  const rss = { gateway: rssFigures(measured, 'gateway'), worker: rssFigures(measured, 'worker') };
  const keys = keyFigures(seen.samples, measured);
  const unexpected = unexpectedStatuses(seen.answers);
  const errors: SoakErrors = {
    http5xx: countWhere(seen.answers, (status) => status >= 500),
    connectionErrors: seen.mishaps.connectionErrors,
    unexpected,
    pollsFailed: seen.mishaps.jobsFailed,
    pollTimeouts: seen.mishaps.pollTimeouts,
    workerJobsFailed: seen.workerJobsFailed,
    crashes: seen.crashes,
    logTrouble: seen.logTrouble,
  };

  const failures: string[] = [];
  const fail = (condition: boolean, why: string) => condition && failures.push(why);
  fail(errors.http5xx > 0, `${errors.http5xx} answers with status 5xx`);
  fail(errors.connectionErrors > 0, `${errors.connectionErrors} connection errors or timeouts`);
  fail(Object.keys(unexpected).length > 0, `unexpected statuses: ${JSON.stringify(unexpected)}`);
  fail(errors.pollsFailed > 0, `${errors.pollsFailed} polled jobs answered failed`);
  fail(errors.pollTimeouts > 0, `${errors.pollTimeouts} polled jobs unfinished after the poll deadline`);
  fail(errors.workerJobsFailed > 0, `${errors.workerJobsFailed} jobs failed in the worker`);
  for (const crash of errors.crashes) failures.push(`crash: ${crash}`);
  fail(errors.logTrouble.lines > 0, `${errors.logTrouble.lines} log lines at error level or not from pino`);
  for (const [name, figures] of Object.entries(rss)) {
    fail(
      figures.endMiB > figures.limitMiB,
      `${name} RSS grew: ${figures.startMiB.toFixed(1)} MiB after the warm-up, ${figures.endMiB.toFixed(1)} MiB at the end (limit ${figures.limitMiB.toFixed(1)} MiB)`,
    );
  }
  for (const over of keys.overBound.slice(0, OVER_BOUND_LISTED)) {
    failures.push(`${over.keys} keys of kind ${over.kind} at ${over.atS.toFixed(1)} s, bound ${over.bound}`);
  }
  const unlisted = keys.overBound.length - OVER_BOUND_LISTED;
  fail(unlisted > 0, `${unlisted} more samples of a kind of key above its bound (see overBound in the JSON)`);
  fail(
    seen.cache.hits === 0 || seen.cache.misses === 0,
    `no mix: ${seen.cache.hits} hits, ${seen.cache.misses} misses`,
  );
  fail(seen.keysLeft > 0, `${seen.keysLeft} keys left under the soak's prefixes after clean-up`);
  return { rss, keys, errors, failures };
}
