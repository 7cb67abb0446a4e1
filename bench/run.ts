/**
 * `npm run bench [-- --smoke] [-- --out DIR]`: starts the baselines and the built service on free
 * loopback ports against the Redis at REDIS_URL (redis://127.0.0.1:6379), each scenario under a
 * namespace of its own, runs every scenario, and writes bench/results/<date>.{json,md},
 * <date>-latency.svg and latest.{md,json}. Smoke runs write to a temporary directory (or DIR)
 * instead. `--profile` runs only the saturated miss run under `node --cpu-prof` and writes
 * profile-<date>.md (the top functions by self time of the gateway and the worker); `--profile hits`
 * and `--profile batch` profile the gateway under the hit runs instead (profile-hits.ts). `--misses`
 * runs only the miss and paced rounds (issue 12's queue-floor targets), a quicker loop; `--hits` runs
 * only the hit rounds (hit-rounds.ts) and prints targets 4 and 7, writing nothing. Exits 1 when anything broke: an error or unexpected answer, a step that threw, a process
 * that crashed. Missed targets are reported, not failures.
 */
import { join } from 'node:path';
import { machineInfo } from './machine.js';
import { progressLine, summaryTable } from './report/console.js';
import { computeRatios } from './report/ratios.js';
import { writeResults } from './report/write.js';
import type { RunResult, SuiteResults } from './results.js';
import { profileSaturatedMisses, writeProfile } from './profile/profile-misses.js';
import { HIT_PROFILE_KINDS, profileHits, writeHitProfile, type HitProfileKind } from './profile/profile-hits.js';
import { FULL, SMOKE, serviceEnvFrom, type Settings } from './settings.js';
import { parseSessionArgs, runCommand, Session } from './session.js';
import { runMissSuite, runSuite } from './suite.js';
import { runHitRounds } from './hit-rounds.js';

const USAGE = 'usage: node dist/bench/run.js [--smoke] [--profile [hits|batch] | --misses | --hits] [--out DIR]';

/** `--profile`: only the saturated miss run, gateway and worker under `node --cpu-prof`, summarised. */
async function profile(session: Session, settings: Settings, outDir: string): Promise<number> {
  const date = new Date().toISOString().slice(0, 10);
  const { redis, supervisor } = session;
  let failed = false;
  try {
    const ctx = { settings, redis, supervisor, onRun: (run: RunResult) => console.log(progressLine(run)) };
    const measured = await profileSaturatedMisses(ctx, join(session.workDir, 'profiles'));
    failed = measured.run.problems.length > 0 || supervisor.crashes.length > 0;
    const path = await writeProfile(outDir, measured, date, machineInfo(await redis.version()).commit);
    console.log(`${path}
raw profiles in ${measured.dir}`);
  } finally {
    await session.closeRedis();
  }
  for (const crash of supervisor.crashes) console.error(`FAILED ${crash}`);
  // The raw profiles are kept either way: they are what the summary is read against.
  return failed ? session.finish(true, outDir) : 0;
}

/** `--profile hits` / `--profile batch`: the gateway under a hit run, summarised. */
async function profileHitRun(
  session: Session,
  settings: Settings,
  outDir: string,
  kind: HitProfileKind,
): Promise<number> {
  const { redis, supervisor } = session;
  let measured;
  try {
    const ctx = { settings, redis, supervisor, onRun: (run: RunResult) => console.log(progressLine(run)) };
    measured = await profileHits(ctx, join(session.workDir, 'profiles'), kind);
    const date = new Date().toISOString().slice(0, 10);
    const path = await writeHitProfile(outDir, measured, date, machineInfo(await redis.version()).commit);
    console.log(`${path}\nraw profile ${measured.file}`);
  } finally {
    await session.closeRedis();
  }
  for (const crash of supervisor.crashes) console.error(`FAILED ${crash}`);
  return measured.run.problems.length > 0 || supervisor.crashes.length > 0 ? session.finish(true, outDir) : 0;
}

/** `--profile` alone profiles the saturated misses; `--profile hits` or `--profile batch` a hit run. */
function profileKind(argv: string[]): HitProfileKind | 'misses' | undefined {
  const at = argv.indexOf('--profile');
  if (at < 0) return undefined;
  const kind = HIT_PROFILE_KINDS.find((known) => known === argv[at + 1]);
  argv.splice(at, kind ? 2 : 1);
  return kind ?? 'misses';
}

/** `--hits`: the hit rounds alone; figures on the console only. */
async function hitRounds(session: Session, settings: Settings): Promise<number> {
  const { redis, supervisor } = session;
  let failed: boolean;
  try {
    const ctx = { settings, redis, supervisor, onRun: (run: RunResult) => console.log(progressLine(run)) };
    const { runs, targets } = await runHitRounds(ctx);
    console.log(`\n${targets.join('\n')}`);
    failed = runs.some((run) => run.problems.length > 0) || supervisor.crashes.length > 0;
  } finally {
    await session.closeRedis();
  }
  for (const crash of supervisor.crashes) console.error(`FAILED ${crash}`);
  return failed ? session.finish(true, session.workDir) : 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const profiling = profileKind(argv);
  const hitsOnly = argv.includes('--hits');
  const missesOnly = argv.includes('--misses');
  const args = parseSessionArgs(
    argv.filter((arg) => arg !== '--hits' && arg !== '--misses'),
    'smoke',
    USAGE,
  );
  const settings: Settings = { ...(args.quick ? SMOKE : FULL), serviceEnv: serviceEnvFrom(process.env) };
  const session = await Session.open(`bench-${settings.mode}`);
  if (profiling === 'misses') return profile(session, settings, session.outDir(args));
  if (profiling) return profileHitRun(session, settings, session.outDir(args), profiling);
  if (hitsOnly) return hitRounds(session, settings);
  const { redis, supervisor } = session;
  const startedAt = new Date();
  const started = performance.now();
  const elapsed = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s]`;
  console.log(
    `${settings.mode} run against ${session.redisUrl}, keys under ${redis.runTag}*; process logs in ${session.logDir}`,
  );

  let results: SuiteResults;
  try {
    const outcome = await (missesOnly ? runMissSuite : runSuite)({
      settings,
      redis,
      supervisor,
      onRun: (run) => console.log(`${elapsed()} ${progressLine(run)}`),
    });
    const failures = [
      ...outcome.failures,
      ...outcome.runs.flatMap((run) => run.problems.map((problem) => `${run.id}: ${problem}`)),
    ];
    results = {
      date: startedAt.toISOString().slice(0, 10),
      mode: settings.mode,
      startedAt: startedAt.toISOString(),
      durationS: (performance.now() - started) / 1000,
      machine: machineInfo(await redis.version()),
      settings,
      runs: outcome.runs,
      memory: outcome.memory ?? null,
      portfolio: outcome.portfolio ?? null,
      ratios: computeRatios(outcome.runs, outcome.memory ?? null),
      failures,
    };
  } finally {
    await session.closeRedis();
  }

  // A partial run never replaces bench/results/latest.md.
  const outDir = missesOnly && !args.outDir ? session.workDir : session.outDir(args);
  const files = await writeResults(outDir, results);
  console.log(`\n${summaryTable(results)}\n\n${files.join('\n')}\ntook ${results.durationS.toFixed(1)} s`);
  for (const failure of results.failures) console.error(`FAILED ${failure}`);
  return session.finish(results.failures.length > 0, outDir);
}

runCommand(main);
