import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../context.js';
import { integer, ms } from '../report/format.js';
import type { RunResult } from '../results.js';
import { primeHitPool, runBatchHits, runHits, HIT_TARGET_ENDPOINT } from '../scenarios/hits.js';
import { ServiceStack } from '../service.js';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.js';
import { summaryTables } from './profile-tables.js';

/** What `--profile hits` and `--profile batch` put under the profiler: the hit runs of target 7 and target 4. */
export type HitProfileKind = 'hits' | 'batch';
export const HIT_PROFILE_KINDS: readonly HitProfileKind[] = ['hits', 'batch'];

/**
 * Batches a profiled batch run sends: the bench's 20 take well under a second, too few samples
 * (1 ms apart) to rank a function that costs a few percent.
 */
const PROFILED_BATCHES = 300;

export interface HitProfile {
  kind: HitProfileKind;
  run: RunResult;
  /** The gateway's profile (hits never reach the worker). */
  summary: ProfileSummary;
  file: string;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * The gateway under `node --cpu-prof` during the saturated hit run on /scores (`hits`) or the batch
 * of 1,000 hits sent PROFILED_BATCHES times (`batch`), each after its own warm-up, on a primed pool;
 * the profile is summarised over the measured run only.
 */
export async function profileHits(ctx: BenchContext, dir: string, kind: HitProfileKind): Promise<HitProfile> {
  await mkdir(dir, { recursive: true });
  const stack = await ServiceStack.start(ctx, {
    name: `profile-${kind}`,
    workers: 1,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  const gatewayPid = stack.gatewayPids[0]!;
  let run: RunResult;
  let window: { fromUs: number; toUs: number };
  try {
    await primeHitPool(ctx, stack);
    const fromUs = monotonicUs();
    if (kind === 'hits') {
      [run] = (await runHits(ctx, stack, 1, [HIT_TARGET_ENDPOINT])) as [RunResult];
    } else {
      const settings = { ...ctx.settings, batchHitRepeats: PROFILED_BATCHES };
      run = await runBatchHits({ ...ctx, settings }, stack, 1);
    }
    // The warm-up falls inside the window too: it is the same load, and the window only keeps out start-up.
    window = { fromUs, toUs: monotonicUs() };
  } finally {
    await stack.stop();
  }
  const file = (await readdir(dir)).find(
    (name) => name.endsWith('.cpuprofile') && name.split('.')[3] === String(gatewayPid),
  );
  if (!file) throw new Error(`no profile of the gateway (pid ${gatewayPid}) in ${dir}`);
  const summary = summarizeProfile(await readFile(join(dir, file), 'utf8'), window, 25);
  return { kind, run, summary, file: join(dir, file) };
}

const WHAT: Record<HitProfileKind, string> = {
  hits: 'saturated hits on POST /scores (the hit pool, cached beforehand)',
  batch: `POST /scores/batch with 1,000 cached applicants, one call at a time, ${PROFILED_BATCHES} calls`,
};

/** The summary as Markdown: the run, then the gateway's top functions and modules by self time. */
export function renderHitProfile(profile: HitProfile, date: string, commit: string): string {
  const { run, summary } = profile;
  const idleMs = summary.top.find((t) => t.name === '(idle)')?.selfMs ?? 0;
  const perApplicant = run.applicantsPerRequest
    ? ` (${(run.cpuPerRequest.serverUs / run.applicantsPerRequest).toFixed(1)} µs per applicant)`
    : '';
  const lines = [
    `# CPU profile of the gateway: ${profile.kind}, ${date}`,
    '',
    `Commit ${commit.slice(0, 10)}. \`npm run bench -- --profile ${profile.kind}\`: 1 gateway under \`node --cpu-prof\`, ` +
      `${WHAT[profile.kind]}, ${run.connections} connection(s); ${integer(run.requests)} requests at ${integer(run.rps)} rps, ` +
      `p50 ${ms(run.latencyMs.p50)} ms, server CPU ${integer(run.cpuPerRequest.serverUs)} µs per request${perApplicant} ` +
      '(the profiler itself adds to it). Self time is counted over the warm-up and the measured run.',
    '',
    `${integer(summary.samples)} samples over ${integer(summary.totalMs)} ms, ${integer(summary.totalMs - idleMs)} ms of it not idle. ` +
      `Raw profile: \`${profile.file.split('/').at(-1)}\`.`,
    '',
    ...summaryTables(summary),
  ];
  return `${lines.join('\n')}\n`;
}

export async function writeHitProfile(
  outDir: string,
  profile: HitProfile,
  date: string,
  commit: string,
): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, `profile-${profile.kind}-${date}.md`);
  await writeFile(path, renderHitProfile(profile, date, commit));
  return path;
}
