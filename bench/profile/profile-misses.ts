import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from '../context.js';
import { integer, ms } from '../report/format.js';
import type { RunResult } from '../results.js';
import { measuredRun } from '../scenarios/measured-run.js';
import { missPlan } from '../scenarios/plans.js';
import { ServiceStack } from '../service.js';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.js';
import { summaryTables } from './profile-tables.js';

export interface ProcessProfile {
  /** `gateway` or `worker`. */
  role: string;
  file: string;
  summary: ProfileSummary;
}

export interface MissProfile {
  run: RunResult;
  processes: ProcessProfile[];
  /** Where the raw .cpuprofile files are (open them in Chrome DevTools or speedscope). */
  dir: string;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * The saturated miss run (1 gateway, 1 worker) with both processes under `node --cpu-prof`: a
 * warm-up run, then the measured run, then the processes are stopped (V8 writes the profile at
 * exit) and each profile is summarised over the measured run's time only.
 */
export async function profileSaturatedMisses(ctx: BenchContext, dir: string): Promise<MissProfile> {
  await mkdir(dir, { recursive: true });
  const stack = await ServiceStack.start(ctx, {
    name: 'profile',
    workers: 1,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  const gatewayPids = new Set(stack.gatewayPids);
  const pids = stack.underTest.serverPids;
  let run: RunResult;
  let window: { fromUs: number; toUs: number };
  try {
    const forget = () => stack.forgetAnswers();
    const named = {
      id: 'miss-saturated-1w-profiled',
      label: 'Miss, saturated, 1 worker, profiled',
      group: 'miss' as const,
    };
    const plan = missPlan(ctx.settings, named, '/scores', false, forget);
    const { warmup, ...measured } = plan;
    if (warmup)
      await measuredRun(ctx, stack, { ...measured, load: { ...measured.load, ...warmup, durationS: undefined } });
    const fromUs = monotonicUs();
    run = await measuredRun(ctx, stack, measured);
    window = { fromUs, toUs: monotonicUs() };
  } finally {
    await stack.stop();
  }
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile'));
  const processes = await Promise.all(
    files.map(async (file) => {
      // node names them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
      const pid = Number(file.split('.')[3]);
      if (!pids.includes(pid)) throw new Error(`${file}: not a profile of this run's processes`);
      const summary = summarizeProfile(await readFile(join(dir, file), 'utf8'), window);
      return { role: gatewayPids.has(pid) ? 'gateway' : 'worker', file: join(dir, file), summary };
    }),
  );
  if (processes.length !== pids.length) throw new Error(`${processes.length} profiles for ${pids.length} processes`);
  return { run, processes: processes.sort((a, b) => a.role.localeCompare(b.role)), dir };
}

/** The profile summary as Markdown: the run, then each process's top functions by self time. */
export function renderProfile(profile: MissProfile, date: string, commit: string): string {
  const { run } = profile;
  const lines = [
    `# CPU profile of the saturated miss run, ${date}`,
    '',
    `Commit ${commit.slice(0, 10)}. \`npm run bench -- --profile\`: 1 gateway and 1 worker under \`node --cpu-prof\`, ` +
      `${run.connections} connections of never-seen applicants on POST /scores after a warm-up; ${integer(run.requests)} ` +
      `misses at ${integer(run.rps)} rps, p50 ${ms(run.latencyMs.p50)} ms, server CPU ${integer(run.cpuPerRequest.serverUs)} µs ` +
      'per miss (the profiler itself adds to it). Self time is the time a sample caught that function at the top of the ' +
      'stack, counted over the measured run only. (idle) is time the process waited; (program) is V8 and native work ' +
      'outside JavaScript (e.g. onnxruntime, sockets).',
  ];
  for (const { role, summary, file } of profile.processes) {
    const busyMs = summary.top.find((t) => t.name === '(idle)')?.selfMs ?? 0;
    lines.push(
      '',
      `## ${role}`,
      '',
      `${integer(summary.samples)} samples over ${integer(summary.totalMs)} ms, ${integer(summary.totalMs - busyMs)} ms of it ` +
        `not idle${summary.wholeProfile ? ' (whole profile: no sample fell in the run\u2019s window)' : ''}. Raw profile: ` +
        `\`${file.split('/').at(-1)}\`.`,
      '',
      ...summaryTables(summary),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function writeProfile(
  outDir: string,
  profile: MissProfile,
  date: string,
  commit: string,
): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, `profile-${date}.md`);
  await writeFile(path, renderProfile(profile, date, commit));
  return path;
}
