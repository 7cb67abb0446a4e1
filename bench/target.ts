import type { UnderTest } from './measure.js';
import type { WorkerCounts } from './model-runs.js';

/** Something a scenario sends load to: the service, or a baseline. */
export interface Target {
  /** Base URL, no trailing slash. */
  url: string;
  underTest: UnderTest;
  /** Resolves once the target has no queued work left; targets without a queue have none. */
  idle?: () => Promise<void>;
  /** What the target's workers have done so far (the service only): model runs, jobs. */
  workerCounts?: () => Promise<WorkerCounts>;
}
