import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceProcess } from '../support/processes.js';
import { REDIS_URL } from '../support/redis.js';

const STREAMS = ['hits', 'misses', 'batches', 'jobs', 'polls'] as const;
const KEY_KINDS = ['answers', 'claims', 'batchRecords', 'jobs', 'queue', 'other', 'total'] as const;
/** The soak's own promise: RSS at the end at most start × 1.5 + 50 MiB. */
const RSS_GROWTH_FACTOR = 1.5;
const RSS_SLACK_MIB = 50;

const Keys = z.object(
  Object.fromEntries(KEY_KINDS.map((kind) => [kind, z.number()])) as Record<(typeof KEY_KINDS)[number], z.ZodNumber>,
);
const Rss = z.object({ startMiB: z.number(), endMiB: z.number(), maxMiB: z.number() });

/** The part of soak-short.json this test reads. */
const Report = z.object({
  settings: z.object({ mode: z.literal('short') }),
  samples: z.array(
    z.object({
      atS: z.number(),
      phase: z.enum(['warm-up', 'soak']),
      rssMiB: z.object({ gateway: z.number(), worker: z.number() }),
      keys: Keys,
      bound: Keys,
    }),
  ),
  answers: z.record(z.enum(STREAMS), z.record(z.string(), z.number())),
  cache: z.object({ hits: z.number(), misses: z.number() }),
  keysLeft: z.number(),
  verdict: z.object({
    rss: z.object({ gateway: Rss, worker: Rss }),
    errors: z.object({
      http5xx: z.number(),
      connectionErrors: z.number(),
      unexpected: z.record(z.string(), z.unknown()),
      pollsFailed: z.number(),
      pollTimeouts: z.number(),
      workerJobsFailed: z.number(),
      crashes: z.array(z.string()),
      logTrouble: z.object({ lines: z.number() }),
    }),
    failures: z.array(z.string()),
  }),
});

/** Runs `node dist/bench/soak.js --short --out <dir>` (dist/ is built by `npm test`), its output kept for failures. */
async function runShortSoak(outDir: string): Promise<{ code: number | null; output: string }> {
  // Only what the soak needs: a MISS_BATCH_WAIT_MS or the like from the caller would change the service.
  const soak = ServiceProcess.start('bench/soak.js', { REDIS_URL }, ['--short', '--out', outDir]);
  const { code } = await soak.exited;
  return { code, output: soak.output };
}

describe('npm run soak -- --short', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('soak short: mixed load on gateway + worker -> exit 0, no 5xx or errors, RSS flat, keys under their bound, none left', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'soak-test-'));
    dirs.push(outDir);

    const { code, output } = await runShortSoak(outDir);

    expect(code, output).toBe(0);
    const report = Report.parse(JSON.parse(await readFile(join(outDir, 'soak-short.json'), 'utf8')));
    const { errors, rss, failures } = report.verdict;
    expect(failures, output).toEqual([]);
    expect(errors).toMatchObject({ http5xx: 0, connectionErrors: 0, pollsFailed: 0, pollTimeouts: 0 });
    expect(errors).toMatchObject({ workerJobsFailed: 0, crashes: [], logTrouble: { lines: 0 } });
    // toEqual, not toMatchObject: `{}` inside toMatchObject matches any object.
    expect(errors.unexpected).toEqual({});
    // Every stream ran, and the mix really hit and missed the cache.
    for (const stream of STREAMS) expect(Object.keys(report.answers[stream] ?? {}), stream).not.toEqual([]);
    expect(report.cache.hits).toBeGreaterThan(0);
    expect(report.cache.misses).toBeGreaterThan(0);
    for (const process of ['gateway', 'worker'] as const) {
      expect(rss[process].endMiB, process).toBeLessThanOrEqual(
        rss[process].startMiB * RSS_GROWTH_FACTOR + RSS_SLACK_MIB,
      );
    }
    expect(report.samples.filter((sample) => sample.phase === 'soak').length).toBeGreaterThanOrEqual(3);
    for (const sample of report.samples) {
      for (const kind of KEY_KINDS)
        expect(sample.keys[kind], `${kind} at ${sample.atS} s`).toBeLessThanOrEqual(sample.bound[kind]);
    }
    expect(report.keysLeft).toBe(0);
  }, 40_000);
});
