/**
 * `npm run bench [-- --smoke] [-- --out DIR]`: starts the baselines and the built service on free
 * loopback ports against the Redis at REDIS_URL (redis://127.0.0.1:6379), each scenario under a
 * namespace of its own, runs every scenario, and writes bench/results/<date>.{json,md},
 * <date>-latency.svg and latest.{md,json}. Smoke runs write to a temporary directory (or DIR)
 * instead. Exits 1 when anything broke: an error or unexpected answer, a step that threw, a process
 * that crashed. Missed targets are reported, not failures.
 */
import { machineInfo } from './machine.js';
import { progressLine, summaryTable } from './report/console.js';
import { computeRatios } from './report/ratios.js';
import { writeResults } from './report/write.js';
import type { SuiteResults } from './results.js';
import { FULL, SMOKE, serviceEnvFrom, type Settings } from './settings.js';
import { parseSessionArgs, runCommand, Session } from './session.js';
import { runSuite } from './suite.js';

const USAGE = 'usage: node dist/bench/run.js [--smoke] [--out DIR]';

async function main(): Promise<number> {
  const args = parseSessionArgs(process.argv.slice(2), 'smoke', USAGE);
  const settings: Settings = { ...(args.quick ? SMOKE : FULL), serviceEnv: serviceEnvFrom(process.env) };
  const session = await Session.open(`bench-${settings.mode}`);
  const { redis, supervisor } = session;
  const startedAt = new Date();
  const started = performance.now();
  const elapsed = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s]`;
  console.log(
    `${settings.mode} run against ${session.redisUrl}, keys under ${redis.runTag}*; process logs in ${session.logDir}`,
  );

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
    await session.closeRedis();
  }

  const outDir = session.outDir(args);
  const files = await writeResults(outDir, results);
  console.log(`\n${summaryTable(results)}\n\n${files.join('\n')}\ntook ${results.durationS.toFixed(1)} s`);
  for (const failure of results.failures) console.error(`FAILED ${failure}`);
  return session.finish(results.failures.length > 0, outDir);
}

runCommand(main);
