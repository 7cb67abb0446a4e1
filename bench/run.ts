/**
 * `npm run bench [-- --smoke] [-- --out DIR]`: starts the baselines and the built service on free
 * loopback ports against the Redis at REDIS_URL (redis://127.0.0.1:6379), each scenario under a
 * namespace of its own, runs every scenario, and writes bench/results/<date>.{json,md},
 * <date>-latency.svg and latest.{md,json}. Smoke runs write to a temporary directory (or DIR)
 * instead. Exits 1 when anything broke: an error or unexpected answer, a step that threw, a process
 * that crashed. Missed targets are reported, not failures.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchRedis } from './bench-redis.js';
import { machineInfo } from './machine.js';
import { PROJECT_ROOT, Supervisor } from './processes.js';
import { progressLine, summaryTable } from './report/console.js';
import { computeRatios } from './report/ratios.js';
import { writeResults } from './report/write.js';
import type { SuiteResults } from './results.js';
import { FULL, SMOKE, serviceEnvFrom, type Settings } from './settings.js';
import { runSuite } from './suite.js';

const USAGE = 'usage: node dist/bench/run.js [--smoke] [--out DIR]';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const CLEANUP_ON_SIGNAL_MS = 3000;

interface Args {
  smoke: boolean;
  outDir?: string;
}

function parseArgs(args: readonly string[]): Args {
  const parsed: Args = { smoke: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--smoke') parsed.smoke = true;
    else if (args[i] === '--out' && args[i + 1]) parsed.outDir = resolve(args[++i]!);
    else throw new Error(USAGE);
  }
  return parsed;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const settings: Settings = { ...(args.smoke ? SMOKE : FULL), serviceEnv: serviceEnvFrom(process.env) };
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const redis = await BenchRedis.connect(redisUrl);
  const startedAt = new Date();
  const started = performance.now();
  const elapsed = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s]`;
  // Process output goes to files, never through a pipe into this process (reading it would cost the load generator CPU).
  const workDir = await mkdtemp(join(tmpdir(), `credit-bench-${settings.mode}-`));
  const logDir = join(workDir, 'logs');
  await mkdir(logDir);
  const supervisor = new Supervisor(logDir);

  const onSignal = (code: number) => () => {
    supervisor.killAll();
    const timeout = new Promise((done) => setTimeout(done, CLEANUP_ON_SIGNAL_MS));
    void Promise.race([redis.deleteEverything(), timeout]).finally(() => process.exit(code));
  };
  process.once('exit', () => supervisor.killAll());
  process.once('SIGINT', onSignal(130));
  process.once('SIGTERM', onSignal(143));
  console.log(`${settings.mode} run against ${redisUrl}, keys under ${redis.runTag}*; process logs in ${logDir}`);

  let results: SuiteResults;
  try {
    const outcome = await runSuite({
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
      ratios: computeRatios(outcome.runs, outcome.memory ?? null),
      failures,
    };
  } finally {
    await redis.deleteEverything();
    redis.close();
  }

  // Smoke figures mean nothing: never let them replace committed results.
  const outDir = args.outDir ?? (settings.mode === 'smoke' ? workDir : join(PROJECT_ROOT, 'bench', 'results'));
  const files = await writeResults(outDir, results);
  console.log(`\n${summaryTable(results)}\n\n${files.join('\n')}\ntook ${results.durationS.toFixed(1)} s`);
  for (const failure of results.failures) console.error(`FAILED ${failure}`);
  if (results.failures.length > 0) {
    console.error(`process logs kept in ${logDir}`);
    return 1;
  }
  // Logs are only worth keeping when something failed; the results stay wherever they were written.
  await rm(outDir === workDir ? logDir : workDir, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
