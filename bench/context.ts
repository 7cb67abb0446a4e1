import type { BenchRedis } from './bench-redis.js';
import type { Supervisor } from './processes.js';
import type { RunResult } from './results.js';
import type { Settings } from './settings.js';

/** What every scenario gets from run.ts. */
export interface BenchContext {
  settings: Settings;
  redis: BenchRedis;
  supervisor: Supervisor;
  /** Called with each run as it finishes (progress lines). */
  onRun: (run: RunResult) => void;
}
