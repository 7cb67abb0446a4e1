import type { LoadResult } from './load.js';
import type { PortfolioResult } from './scenarios/portfolio-file.js';
import type { MachineInfo } from './machine.js';
import type { WorkerCounts } from './model-runs.js';
import type { Settings } from './settings.js';

export type RunGroup = 'baseline' | 'hit' | 'miss' | 'mix' | 'storm' | 'batch' | 'poll' | 'paced';

/** CPU used per request by each party, in microseconds. */
export interface CpuPerRequest {
  /** Processes under test: gateway + workers, or the baseline's own processes. */
  serverUs: number;
  /** The Redis server, whoever its other clients are (INFO cpu). */
  redisUs: number;
  /** The bench itself (autocannon): shows when the load generator, not the server, is the limit. */
  clientUs: number;
  /**
   * Commands the Redis server executed per request (INFO commandstats, the bench's own INFO calls
   * left out). Like redisUs it counts every client of that Redis: exact only on the bench's private
   * Redis of the paced runs.
   */
  redisCommands: number;
}

/** One measured run of one scenario or baseline. */
export interface RunResult extends LoadResult {
  id: string;
  round: number;
  label: string;
  group: RunGroup;
  connections: number;
  cpuPerRequest: CpuPerRequest;
  /** Service runs: what the workers did during the run (from their /metrics), stragglers included. */
  work?: WorkerCounts;
  /** Batch runs: applicants in each request. */
  applicantsPerRequest?: number;
  /** Poll runs: GET /jobs/:id calls per job, on average. */
  pollsPerJob?: number;
  /** Settings this run's service had on top of the bench's (e.g. batching off). */
  env?: Record<string, string>;
  /** What went wrong; any entry fails the bench. */
  problems: string[];
}

export interface MemoryResult {
  /** Cached applicants measured (the hit pool). */
  entries: number;
  /**
   * MEMORY USAGE of one answer's key and hash, SAMPLES 0, with the key as long as under the default
   * CACHE_PREFIX: mean, smallest and largest over the entries.
   */
  meanBytes: number;
  minBytes: number;
  maxBytes: number;
  /** What such a key looks like in production. */
  exampleKey: string;
  /** The same entries under the bench's own, longer prefix, as the service wrote them. */
  asWritten: { prefix: string; meanBytes: number };
  /** The claim a miss leaves behind for the job retention period (queue bookkeeping, not the cache). */
  claimBytes: number | null;
}

/** What every run of the same scenario shares: its name, group and connections. */
export interface RunMeta {
  id: string;
  label: string;
  group: RunGroup;
  connections: number;
  /**
   * Which round of interleaved baseline/service pairs the run belongs to (1 ..). A ratio divides
   * runs of the same round only; runs outside the rounds (storm, mix, ...) are round 1.
   */
  round?: number;
}

/** A run's result with the failures anyone would flag: connection errors and unexpected answers. */
export function toRun(meta: RunMeta, load: LoadResult, cpuPerRequest: CpuPerRequest): RunResult {
  const problems: string[] = [];
  if (load.requests === 0) problems.push('no responses');
  if (load.errors > 0) problems.push(`${load.errors} connection errors or timeouts`);
  if (load.unexpected > 0) problems.push(`${load.unexpected} unexpected answers: ${JSON.stringify(load.statusCounts)}`);
  return { ...meta, round: meta.round ?? 1, ...load, cpuPerRequest, problems };
}

/**
 * One target as this run measured it: the ratio in every round, its median (`value`, which decides
 * met or missed) and its spread. `value` is null when a run it needs failed in any round.
 */
export interface Ratio {
  id: string;
  /** The row's number in the summary's target table. */
  target: number;
  label: string;
  value: number | null;
  /** The ratio of each round, in round order; one value for targets not measured in rounds. */
  values: number[];
  min: number | null;
  max: number | null;
  goal: string;
  met: boolean;
}

/** Everything one `npm run bench` measured: written as JSON, summarised as Markdown and SVG. */
export interface SuiteResults {
  /** UTC date of the run, YYYY-MM-DD: the results' file name. */
  date: string;
  mode: 'full' | 'smoke';
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  settings: Settings;
  runs: RunResult[];
  memory: MemoryResult | null;
  /** The portfolio row: a generated file uploaded and its results downloaded, cold and warm. */
  portfolio: PortfolioResult | null;
  ratios: Ratio[];
  failures: string[];
}
