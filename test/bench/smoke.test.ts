import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceProcess } from '../support/processes.js';
import { REDIS_URL } from '../support/redis.js';

/** Every run the suite must produce: a scenario that silently drops out fails here. */
const EXPECTED_RUNS = [
  'floor',
  'express-zod',
  'queue-floor-sequential',
  'queue-floor-saturated',
  'hit-decisions',
  'hit-probabilities',
  'hit-risk-categories',
  'hit-scores',
  'singles-hits',
  'batch-hits',
  'mix-90-10',
  'storm-1',
  'poll',
  'miss-sequential-1w',
  'miss-saturated-1w',
  'miss-sequential-2w',
  'miss-saturated-2w',
  'miss-saturated-1w-miss-batch-wait-ms-0',
  'batch-misses',
  'paced-queue-floor',
  'paced-misses',
];
/** Issue 12's six rows, the hit rows (7), the storm (8) and the memory (9). */
const EXPECTED_TARGETS = [1, 2, 3, 4, 5, 6, 7, 8, 9];
/** Runs of the service that must consist of real misses only: a hit or a coalesced wait would flatter them. */
const ALL_MISSES = /^(miss-|paced-misses$)/;
/** Targets that do not depend on the machine's speed: a smoke run must meet them too. */
const MACHINE_INDEPENDENT = { 'storm-model-runs': 1, 'bytes-per-entry': 128 };

/** The part of the results file this test reads. */
const Results = z.object({
  mode: z.literal('smoke'),
  runs: z.array(
    z.object({
      id: z.string(),
      rps: z.number(),
      requests: z.number(),
      problems: z.array(z.string()),
      xCache: z.record(z.string(), z.number()).optional(),
      cpuPerRequest: z.object({ serverUs: z.number(), redisCommands: z.number() }),
    }),
  ),
  memory: z.object({ meanBytes: z.number() }).nullable(),
  portfolio: z.object({
    cold: z.object({ rows: z.number().positive(), rowsPerS: z.number().positive() }),
    warm: z.object({ rows: z.number().positive(), rowsPerS: z.number().positive() }),
  }),
  ratios: z.array(
    z.object({
      id: z.string(),
      target: z.number(),
      value: z.number().nullable(),
      values: z.array(z.number()),
      met: z.boolean(),
    }),
  ),
  failures: z.array(z.string()),
});

/** Runs `node dist/bench/run.js --smoke --out <dir>` (dist/ is built by `npm test`), its output kept for failures. */
async function runSmoke(outDir: string): Promise<{ code: number | null; output: string }> {
  // Only what the bench needs: a MISS_BATCH_WAIT_MS or the like from the caller would change the suite.
  const smoke = ServiceProcess.start('bench/run.js', { REDIS_URL }, ['--smoke', '--out', outDir]);
  const { code } = await smoke.exited;
  return { code, output: smoke.output };
}

describe('npm run bench -- --smoke', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('bench smoke: every scenario runs -> exit 0, every run in the JSON with positive rps, every target computed', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'bench-smoke-test-'));
    dirs.push(outDir);

    const { code, output } = await runSmoke(outDir);

    expect(code, output).toBe(0);
    const results = Results.parse(JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')));
    expect(results.failures, output).toEqual([]);
    expect(results.runs.map((run) => run.id).sort()).toEqual([...EXPECTED_RUNS].sort());
    for (const run of results.runs) {
      expect(run.rps, run.id).toBeGreaterThan(0);
      expect(run.problems, run.id).toEqual([]);
    }
    for (const run of results.runs.filter((r) => ALL_MISSES.test(r.id))) {
      expect(run.xCache, run.id).toEqual({ MISS: run.requests });
    }
    // The paced runs count Redis commands on the bench's own Redis: a miss costs at least its cache read.
    for (const id of ['paced-queue-floor', 'paced-misses']) {
      expect(results.runs.find((run) => run.id === id)?.cpuPerRequest.redisCommands, id).toBeGreaterThanOrEqual(1);
    }
    expect(results.memory?.meanBytes).toBeGreaterThan(0);
    expect([...new Set(results.ratios.map((ratio) => ratio.target))]).toEqual(EXPECTED_TARGETS);
    for (const ratio of results.ratios) {
      expect(ratio.value, ratio.id).not.toBeNull();
      // Smoke runs one round: the median is that round's ratio.
      expect(ratio.values, ratio.id).toEqual([ratio.value]);
    }
    const independent = results.ratios.filter((ratio) => ratio.id in MACHINE_INDEPENDENT);
    expect(independent.map((ratio) => ratio.id).sort()).toEqual(Object.keys(MACHINE_INDEPENDENT).sort());
    for (const ratio of independent) expect(ratio, ratio.id).toMatchObject({ met: true });
    expect(results.ratios.find((ratio) => ratio.id === 'storm-model-runs')?.value).toBe(1);
    expect(results.ratios.find((ratio) => ratio.id === 'bytes-per-entry')?.value).toBeLessThanOrEqual(128);
    await expect(readFile(join(outDir, 'latest.md'), 'utf8')).resolves.toContain('## Targets');
  }, 90_000);
});
